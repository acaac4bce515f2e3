import { canMoveStatus, periodDays, taskRuleErrors, yearlyCapExceeded, type TaskShape } from './task.rules';

const base: TaskShape = { mode: 'open-competition', status: 'contracted', startDate: '2019-03-01', endDate: '2019-11-30', amountRequested: '50000.00', amountGranted: '40000.00', amountSettled: null };
const annual = { startYear: 2019, endYear: 2019 };
const rules = (t: Partial<TaskShape>, prev?: TaskShape['status']) => taskRuleErrors({ ...base, ...t }, annual, prev).map((e) => `${e.rule}:${e.field}`);

describe('task rules', () => {
  it('accepts a valid task', () => {
    expect(rules({})).toEqual([]);
  });

  it('counts both the first and the last day of a period', () => {
    expect(periodDays('2019-03-01', '2019-05-29')).toBe(90);
    expect(periodDays('2019-03-01', '2019-03-01')).toBe(1);
    expect(periodDays('2020-02-28', '2020-03-01')).toBe(3);
  });

  it('limits a small grant to 10 000.00 PLN and 90 days', () => {
    const small = { mode: 'small-grant' as const, amountRequested: null, startDate: '2019-03-01', endDate: '2019-05-29' };
    expect(rules({ ...small, amountGranted: '10000.00' })).toEqual([]);
    expect(rules({ ...small, amountGranted: '10000.01' })).toEqual(['task.small-grant-amount:amountGranted']);
    expect(rules({ ...small, amountGranted: '5000.00', endDate: '2019-05-30' })).toEqual(['task.small-grant-duration:endDate']);
    // other modes have neither limit
    expect(rules({ ...small, mode: 'local-initiative', amountGranted: '90000.00', endDate: '2019-12-31' })).toEqual([]);
  });

  it('keeps the dates in order and inside the programme years', () => {
    expect(rules({ endDate: '2019-02-28' })).toEqual(['task.dates-order:endDate']);
    expect(rules({ startDate: '2018-12-31' })).toEqual(['task.dates-in-program:startDate']);
    expect(rules({ endDate: '2020-01-01' })).toEqual(['task.dates-in-program:endDate']);
    expect(taskRuleErrors({ ...base, endDate: '2021-06-30' }, { startYear: 2019, endYear: 2022 })).toEqual([]);
  });

  it('keeps settled ≤ granted ≤ requested', () => {
    expect(rules({ amountSettled: '40000.00' })).toEqual([]);
    expect(rules({ amountSettled: '40000.01' })).toEqual(['task.settled-within-granted:amountSettled']);
    expect(rules({ amountGranted: '50000.01' })).toEqual(['task.granted-within-requested:amountGranted']);
    expect(rules({ amountRequested: null, amountGranted: '99999.00' })).toEqual([]);
  });

  it('moves the status forward only, or to terminated from anything but settled', () => {
    expect(canMoveStatus('planned', 'settled')).toBe(true);
    expect(canMoveStatus('contracted', 'in-progress')).toBe(true);
    expect(canMoveStatus('in-progress', 'in-progress')).toBe(true);
    expect(canMoveStatus('in-progress', 'contracted')).toBe(false);
    expect(canMoveStatus('settled', 'planned')).toBe(false);
    expect(canMoveStatus('in-progress', 'terminated')).toBe(true);
    expect(canMoveStatus('settled', 'terminated')).toBe(false);
    expect(canMoveStatus('terminated', 'settled')).toBe(false);
    expect(rules({ status: 'planned' }, 'contracted')).toEqual(['task.status-forward:status']);
  });

  it('caps small grants to one NGO at 20 000.00 PLN a year, in exact grosze', () => {
    expect(yearlyCapExceeded('10000.00', '10000.00')).toBe(false);
    expect(yearlyCapExceeded('10000.00', '10000.01')).toBe(true);
    expect(yearlyCapExceeded('19999.99', '0.01')).toBe(false);
  });
});
