import { callRuleErrors, defaultCriteria, offerPeriodErrors } from './call.rules';

const call = {
  form: 'support',
  budget: '100000.00',
  taskStart: '2019-04-01',
  taskEnd: '2019-12-15',
  decisionBy: '2019-03-30',
  offersUntil: '2019-03-22T15:30:00+01:00',
  minGrant: '5000.00',
  maxGrant: '40000.00',
  ownContributionMin: 10,
  criteria: defaultCriteria('support'),
};

describe('call rules', () => {
  it('accepts a well-formed call', () => {
    expect(callRuleErrors(call, '2019-03-22', 2019)).toEqual([]);
  });

  it('names each broken rule by its field', () => {
    const errors = callRuleErrors({ ...call, taskEnd: '2020-01-10', decisionBy: '2019-03-01', maxGrant: '200000.00', form: 'entrustment' }, '2019-03-22', 2019);
    expect(errors.map((e) => `${e.rule} ${e.field}`)).toEqual([
      'call.task-dates-in-programme taskEnd',
      'call.decision-after-deadline decisionBy',
      'call.grant-limits maxGrant',
      'call.own-contribution-support-only ownContributionMin',
    ]);
  });

  it('entrustment calls have no own-funds criterion by default', () => {
    expect(defaultCriteria('entrustment').map((c) => c.code)).not.toContain('own-funds');
    expect(defaultCriteria('support').map((c) => c.code)).toContain('own-funds');
  });

  it('takes offers for at least 21 days: 21 passes, 20 is refused', () => {
    expect(offerPeriodErrors('2019-03-01', '2019-03-22')).toEqual([]);
    const [error] = offerPeriodErrors('2019-03-01', '2019-03-21');
    expect(error).toMatchObject({ rule: 'call.offer-period-21-days', field: 'offersUntil' });
    expect(error.message).toContain('2019-03-22');
  });
});
