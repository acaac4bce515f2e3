import { activityRuleErrors, ngoRuleErrors } from './activity.rules';

const program = { startYear: 2019, endYear: 2022, archived: false };
const rules = (...args: Parameters<typeof activityRuleErrors>) => activityRuleErrors(...args).map((e) => `${e.rule} ${e.field}`);

describe('activity rules', () => {
  it('accepts dates inside the programme, the first and the last day included', () => {
    expect(rules({ startDate: '2019-01-01', endDate: '2022-12-31' }, program, true)).toEqual([]);
    expect(rules({ startDate: '2020-05-05', endDate: null }, program, true)).toEqual([]);
    expect(rules({ startDate: '2020-05-05', endDate: '2020-05-05' }, program, true)).toEqual([]);
  });
  it('keeps both dates inside the programme years', () => {
    expect(rules({ startDate: '2018-12-31', endDate: null }, program, true)).toEqual(['activity.dates-in-program startDate']);
    expect(rules({ startDate: '2022-12-01', endDate: '2023-01-01' }, program, true)).toEqual(['activity.dates-in-program endDate']);
  });
  it('wants the end not before the start', () => {
    expect(rules({ startDate: '2020-05-05', endDate: '2020-05-04' }, program, true)).toEqual(['activity.dates-order endDate']);
  });
  it('wants a known programme, not archived when newly named', () => {
    expect(rules({ startDate: '2020-05-05', endDate: null }, null, true)).toEqual(['activity.program-exists programId']);
    expect(rules({ startDate: '2020-05-05', endDate: null }, { ...program, archived: true }, true)).toEqual(['activity.program-archived programId']);
    expect(rules({ startDate: '2020-05-05', endDate: null }, { ...program, archived: true }, false)).toEqual([]);
  });
});

describe('NGO rules', () => {
  const found = [
    { id: 'a', archived: false },
    { id: 'b', archived: true },
  ];
  it('names each unknown or newly added archived NGO by its place in the list', () => {
    expect(ngoRuleErrors(['a', 'x', 'b'], found, new Set()).map((e) => `${e.rule} ${e.field}`)).toEqual(['activity.ngo-exists ngoIds.1', 'activity.ngo-archived ngoIds.2']);
  });
  it('keeps an archived NGO that was listed already', () => {
    expect(ngoRuleErrors(['b', 'a'], found, new Set(['b']))).toEqual([]);
  });
});
