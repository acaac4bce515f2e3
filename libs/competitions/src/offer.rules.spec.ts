import { offerRuleErrors, type OfferContent } from './offer.rules';

const terms = { form: 'support', taskStart: '2019-01-01', taskEnd: '2019-12-31', minGrant: '5000.00', maxGrant: '40000.00', ownContributionMin: 10 };
const offer = (): OfferContent => ({
  title: 'Klub',
  place: 'Kraków',
  targetGroup: 'Seniorzy',
  summary: 'Spotkania',
  startDate: '2019-03-01',
  endDate: '2019-11-30',
  schedule: [{ name: 'Warsztaty', from: '2019-03-01', to: '2019-11-30' }],
  results: [{ name: 'Uczestnicy', targetValue: '60' }],
  priorActivity: 'Od 2015',
  resources: 'Sala',
  costs: [
    { category: 'action', name: 'Instruktor', unit: 'godzina', quantity: 12.5, unitCost: '80.00', fromGrant: '900.00', fromOwn: '100.00', fromOther: '0.00' },
    { category: 'action', name: 'Sala', unit: 'miesiąc', quantity: 9, unitCost: '1000.00', fromGrant: '8100.00', fromOwn: '0.00', fromOther: '900.00' },
  ],
  funding: { grantRequested: '9000.00', ownFinancial: '100.00', benefitPayments: '0.00', otherPublic: '900.00', otherFunds: '0.00', personalInput: '0.00', inKindInput: '0.00' },
});
const codes = (o: OfferContent, t = terms) => offerRuleErrors(o, ['ngo-1'], t).map((e) => `${e.rule} ${e.field}`);

describe('offer rules (competitions.md, "Offers")', () => {
  it('accepts a consistent offer; a fractional quantity counts exactly (12.5 × 80.00 = 1000.00)', () => {
    expect(codes(offer())).toEqual([]);
  });

  it('names the cost line whose sources do not add up to quantity × unit cost, and the sums that no longer agree', () => {
    const o = offer();
    o.costs![1].fromGrant = '8000.00';
    expect(codes(o)).toEqual(['offer.cost-line-sum costs[1].fromGrant', 'offer.funding-grant funding.grantRequested']);
  });

  it('checks own funds and other funds against the funding sources', () => {
    const o = offer();
    o.funding = { ...o.funding, personalInput: '50.00', otherFunds: '10.00' };
    expect(codes(o)).toEqual(['offer.funding-own funding.ownFinancial', 'offer.funding-other funding.otherFunds']);
  });

  it("keeps the grant within the call's limits and a support call's own contribution at its minimum percent", () => {
    expect(codes(offer(), { ...terms, maxGrant: '8999.99' })).toEqual(['offer.grant-limits funding.grantRequested']);
    expect(codes(offer(), { ...terms, minGrant: '9000.01' })).toEqual(['offer.grant-limits funding.grantRequested']);
    // own + other = 1 000.00 of 10 000.00 = exactly 10 %: passes; 10.01 % does not
    expect(codes(offer(), { ...terms, ownContributionMin: 10.01 })).toEqual(['offer.own-contribution funding.ownFinancial']);
    expect(codes(offer(), { ...terms, form: 'entrustment', ownContributionMin: 50 })).toEqual([]);
  });

  it("keeps the dates inside the call's task period and the schedule inside the offer's dates", () => {
    const o = offer();
    o.startDate = '2018-12-31';
    o.schedule = [{ name: 'Warsztaty', from: '2019-02-01', to: '2019-12-01', ngoId: 'someone-else' }];
    expect(codes(o)).toEqual([
      'offer.dates-in-call startDate',
      'offer.schedule-in-offer schedule[0].to',
      'offer.schedule-ngo schedule[0].ngoId',
    ]);
  });

  it('lists what a draft still lacks before submission', () => {
    expect(codes({})).toEqual([
      ...['title', 'place', 'targetGroup', 'summary', 'startDate', 'endDate', 'priorActivity', 'resources', 'schedule', 'results', 'costs'].map((f) => `offer.required ${f}`),
      'offer.required funding.grantRequested',
    ]);
  });
});
