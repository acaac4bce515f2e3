import { compareMoney, type FieldError } from '@app/core';

/** art. 15 ust. 1 of the Act: the criteria an offer is weighed by, when the call names no others. */
export const DEFAULT_CRITERIA: ReadonlyArray<{ code: string; name: string; maxPoints: number; supportOnly?: true }> = [
  { code: 'feasibility', name: 'Możliwość realizacji zadania publicznego przez organizację', maxPoints: 10 },
  { code: 'costs', name: 'Kalkulacja kosztów realizacji zadania w odniesieniu do zakresu rzeczowego', maxPoints: 10 },
  { code: 'quality', name: 'Jakość wykonania zadania i kwalifikacje osób realizujących zadanie', maxPoints: 10 },
  { code: 'own-funds', name: 'Udział środków finansowych własnych lub środków pochodzących z innych źródeł', maxPoints: 10, supportOnly: true },
  { code: 'input', name: 'Wkład rzeczowy i osobowy, w tym świadczenia wolontariuszy i praca społeczna członków', maxPoints: 10 },
  { code: 'reliability', name: 'Rzetelność, terminowość i sposób rozliczenia zadań realizowanych w latach poprzednich', maxPoints: 10 },
];

export function defaultCriteria(form: string): Array<{ code: string; name: string; maxPoints: number }> {
  return DEFAULT_CRITERIA.filter((c) => form === 'support' || !c.supportOnly).map(({ code, name, maxPoints }) => ({ code, name, maxPoints }));
}

/** Art. 13 ust. 1: offers are taken for at least 21 days from the day the call is announced. */
export const MIN_OFFER_DAYS = 21;

export interface CallShape {
  form: string;
  budget: string;
  taskStart: string;
  taskEnd: string;
  decisionBy: string;
  offersUntil: string;
  minGrant: string | null;
  maxGrant: string | null;
  ownContributionMin: number | null;
  criteria: Array<{ code: string }>;
}

const dayNumber = (day: string) => Date.parse(`${day}T00:00:00Z`) / 86_400_000;

/** The rules of a call's own fields, whether draft or published; `offersUntilDay` is the deadline's Warsaw day. */
export function callRuleErrors(call: CallShape, offersUntilDay: string, programYear: number | null): FieldError[] {
  const errors: FieldError[] = [];
  const add = (rule: string, field: string, message: string) => errors.push({ rule: `call.${rule}`, field, message });
  if (call.taskStart > call.taskEnd) add('task-dates-order', 'taskEnd', 'The task period cannot end before it starts');
  if (programYear !== null) {
    if (Number(call.taskStart.slice(0, 4)) !== programYear) add('task-dates-in-programme', 'taskStart', `The task period must lie in ${programYear}, the annual programme's year`);
    if (Number(call.taskEnd.slice(0, 4)) !== programYear) add('task-dates-in-programme', 'taskEnd', `The task period must lie in ${programYear}, the annual programme's year`);
  }
  if (call.decisionBy < offersUntilDay) add('decision-after-deadline', 'decisionBy', 'The selection cannot be made before the offers are in');
  if (call.minGrant !== null && call.maxGrant !== null && compareMoney(call.minGrant, call.maxGrant) > 0) add('grant-limits', 'maxGrant', 'The largest grant cannot be smaller than the smallest');
  if (call.maxGrant !== null && compareMoney(call.maxGrant, call.budget) > 0) add('grant-limits', 'maxGrant', 'The largest grant cannot exceed the funds of the call');
  if (call.minGrant !== null && compareMoney(call.minGrant, call.budget) > 0) add('grant-limits', 'minGrant', 'The smallest grant cannot exceed the funds of the call');
  if (call.form !== 'support' && call.ownContributionMin !== null && call.ownContributionMin > 0) {
    add('own-contribution-support-only', 'ownContributionMin', 'An own contribution can be required only of a support call (wspieranie)');
  }
  const codes = call.criteria.map((c) => c.code);
  codes.forEach((code, i) => {
    if (codes.indexOf(code) !== i) add('criteria-unique', `criteria[${i}].code`, `The code "${code}" is used twice`);
  });
  return errors;
}

/** Art. 13 ust. 1, checked at publication: the deadline's day is at least 21 days after today (both Warsaw days). */
export function offerPeriodErrors(publicationDay: string, offersUntilDay: string): FieldError[] {
  const days = dayNumber(offersUntilDay) - dayNumber(publicationDay);
  if (days >= MIN_OFFER_DAYS) return [];
  return [
    {
      rule: 'call.offer-period-21-days',
      field: 'offersUntil',
      message: `Offers must be taken for at least ${MIN_OFFER_DAYS} days from the announcement (art. 13 ust. 1): published on ${publicationDay}, the deadline can be ${addDays(publicationDay, MIN_OFFER_DAYS)} at the earliest; it is ${days} days away`,
    },
  ];
}

export function addDays(day: string, days: number): string {
  return new Date((dayNumber(day) + days) * 86_400_000).toISOString().slice(0, 10);
}
