import { adoptedOnTime, programRuleErrors } from './program.rules';

const rules = (...args: Parameters<typeof programRuleErrors>) => programRuleErrors(...args).map((e) => e.rule);
const multi = { kind: 'multi-year' as const, startYear: 2019, endYear: 2022 };

describe('programme year rules', () => {
  it('accepts a multi-year programme and an annual one inside it', () => {
    expect(rules({ ...multi, parentId: null }, undefined)).toEqual([]);
    expect(rules({ kind: 'annual', startYear: 2020, endYear: 2020, parentId: 'p' }, multi)).toEqual([]);
    expect(rules({ kind: 'annual', startYear: 2022, endYear: 2022, parentId: 'p' }, multi)).toEqual([]);
  });
  it('wants an annual programme to cover one year', () => {
    expect(rules({ kind: 'annual', startYear: 2019, endYear: 2020, parentId: null }, undefined)).toEqual(['program.annual-single-year']);
  });
  it('wants years in order and a multi-year span', () => {
    expect(rules({ kind: 'multi-year', startYear: 2022, endYear: 2019, parentId: null }, undefined)).toEqual(['program.year-order']);
    expect(rules({ kind: 'multi-year', startYear: 2019, endYear: 2019, parentId: null }, undefined)).toEqual(['program.multi-year-span']);
  });
  it('keeps an annual programme inside its parent', () => {
    expect(rules({ kind: 'annual', startYear: 2023, endYear: 2023, parentId: 'p' }, multi)).toEqual(['program.inside-parent']);
    expect(rules({ kind: 'annual', startYear: 2018, endYear: 2018, parentId: 'p' }, multi)).toEqual(['program.inside-parent']);
  });
  it('wants the parent to exist and be multi-year, and only annual children', () => {
    expect(rules({ kind: 'annual', startYear: 2020, endYear: 2020, parentId: 'p' }, null)).toEqual(['program.parent-exists']);
    expect(rules({ kind: 'annual', startYear: 2020, endYear: 2020, parentId: 'p' }, { kind: 'annual', startYear: 2020, endYear: 2020 })).toEqual(['program.parent-multi-year']);
    expect(rules({ ...multi, parentId: 'p' }, multi)).toEqual(['program.parent-only-annual']);
  });
});

describe('adoption deadline', () => {
  it('is 30 November of the year before', () => {
    expect(adoptedOnTime('annual', 2020, '2019-11-30')).toBe(true);
    expect(adoptedOnTime('annual', 2020, '2019-12-01')).toBe(false);
    expect(adoptedOnTime('annual', 2020, null)).toBeNull();
    expect(adoptedOnTime('multi-year', 2019, '2018-11-14')).toBeNull();
  });
});
