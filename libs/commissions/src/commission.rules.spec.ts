import { endErrors, meetingDateErrors, membershipErrors, termErrors } from './commission.rules';

const term = { termStart: '2019-01-01', termEnd: '2022-12-31' };
const rules = (errors: Array<{ rule?: string; field: string }>) => errors.map((e) => `${e.rule}@${e.field}`);

describe('commission rules', () => {
  it('wants the term in order (one day is a term)', () => {
    expect(rules(termErrors({ termStart: '2020-01-02', termEnd: '2020-01-01' }))).toEqual(['commission.term-order@termEnd']);
    expect(termErrors({ termStart: '2020-01-01', termEnd: '2020-01-01' })).toEqual([]);
  });

  it('keeps a membership inside the term, its last day included', () => {
    expect(membershipErrors({ from: '2019-01-01', to: '2022-12-31' }, term)).toEqual([]);
    expect(membershipErrors({ from: '2022-12-31', to: null }, term)).toEqual([]);
    expect(rules(membershipErrors({ from: '2018-12-31', to: null }, term))).toEqual(['member.inside-term@from']);
    expect(rules(membershipErrors({ from: '2023-01-01', to: null }, term))).toEqual(['member.inside-term@from']);
    expect(rules(membershipErrors({ from: '2020-01-01', to: '2023-01-01' }, term))).toEqual(['member.inside-term@to']);
    expect(rules(membershipErrors({ from: '2020-01-02', to: '2020-01-01' }, term))).toEqual(['member.dates-order@to']);
    expect(membershipErrors({ from: '2020-01-01', to: '2020-01-01' }, term)).toEqual([]);
  });

  it('ends a membership on a day between its start and its end', () => {
    const open = { from: '2020-01-01', to: null };
    expect(endErrors(open, '2020-01-01', term)).toEqual({ errors: [], unchanged: false });
    expect(rules(endErrors(open, '2019-12-31', term).errors)).toEqual(['member.end-before-start@to']);
    expect(rules(endErrors(open, '2023-01-01', term).errors)).toEqual(['member.inside-term@to']);
    const ended = { from: '2020-01-01', to: '2020-06-30' };
    expect(rules(endErrors(ended, '2020-07-01', term).errors)).toEqual(['member.already-ended@to']);
    expect(endErrors(ended, '2020-06-30', term)).toEqual({ errors: [], unchanged: true });
    expect(endErrors(ended, '2020-03-31', term)).toEqual({ errors: [], unchanged: false });
  });

  it('dates a meeting inside the term', () => {
    expect(meetingDateErrors('2019-01-01', term)).toEqual([]);
    expect(meetingDateErrors('2022-12-31', term)).toEqual([]);
    expect(rules(meetingDateErrors('2023-01-01', term))).toEqual(['meeting.date-in-term@date']);
  });
});
