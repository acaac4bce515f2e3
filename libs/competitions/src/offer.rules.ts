import { addMoney, compareMoney, formatGrosze, toGrosze, type FieldError } from '@app/core';

/** The offer's form sections as stored (offers.content) and answered. Money: two-decimal strings. */
export interface OfferContent {
  title?: string | null;
  place?: string | null;
  targetGroup?: string | null;
  summary?: string | null;
  startDate?: string | null;
  endDate?: string | null;
  schedule?: Array<{ name?: string | null; description?: string | null; from?: string | null; to?: string | null; ngoId?: string | null }>;
  results?: Array<{ name?: string | null; targetValue?: string | null; monitoring?: string | null }>;
  priorActivity?: string | null;
  resources?: string | null;
  costs?: Array<{
    category?: string | null;
    name?: string | null;
    unit?: string | null;
    quantity?: number | null;
    unitCost?: string | null;
    fromGrant?: string | null;
    fromOwn?: string | null;
    fromOther?: string | null;
  }>;
  funding?: Partial<Record<FundingKey, string | null>>;
  volunteers?: string | null;
  otherInformation?: string | null;
}

export const FUNDING_KEYS = ['grantRequested', 'ownFinancial', 'benefitPayments', 'otherPublic', 'otherFunds', 'personalInput', 'inKindInput'] as const;
export type FundingKey = (typeof FUNDING_KEYS)[number];

/** What the rules need of the call. */
export interface CallTerms {
  form: string;
  taskStart: string;
  taskEnd: string;
  minGrant: string | null;
  maxGrant: string | null;
  ownContributionMin: number | null;
}

const REQUIRED_TEXT = ['title', 'place', 'targetGroup', 'summary', 'startDate', 'endDate', 'priorActivity', 'resources'] as const;

const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
const money = (v: string | null | undefined) => (blank(v) ? 0n : toGrosze(v as string));

/** quantity × unit cost, in 1/10 000 PLN (quantity has at most two decimals, the cost is in grosze). */
function lineTotal(quantity: number, unitCost: string): bigint {
  return BigInt(Math.round(quantity * 100)) * toGrosze(unitCost);
}

/**
 * Every rule of competitions.md "Offers" that submission enforces, against the call's terms: the
 * required parts of the form, each cost line's arithmetic, the cost lines' sums against the
 * funding sources, the grant's limits, the own contribution of a support call, and the dates.
 * Each broken rule names its field as the form shows it (`costs[1].fromGrant`). A draft may break
 * any of them; the NGO sees the list beside the form while it writes.
 */
export function offerRuleErrors(offer: OfferContent, ngoIds: readonly string[], call: CallTerms): FieldError[] {
  const errors: FieldError[] = [];
  const add = (rule: string, field: string, message: string) => errors.push({ rule: `offer.${rule}`, field, message });

  for (const field of REQUIRED_TEXT) if (blank(offer[field])) add('required', field, 'is required before submission');
  const schedule = offer.schedule ?? [];
  const results = offer.results ?? [];
  const costs = offer.costs ?? [];
  if (!schedule.length) add('required', 'schedule', 'list at least one action of the schedule');
  if (!results.length) add('required', 'results', 'list at least one expected result');
  if (!costs.length) add('required', 'costs', 'list at least one cost line');

  const { startDate, endDate } = offer;
  if (startDate && endDate && startDate > endDate) add('dates-order', 'endDate', 'The task cannot end before it starts');
  if (startDate && startDate < call.taskStart) add('dates-in-call', 'startDate', `The task must start on or after ${call.taskStart}, the call's first day`);
  if (endDate && endDate > call.taskEnd) add('dates-in-call', 'endDate', `The task must end on or before ${call.taskEnd}, the call's last day`);

  schedule.forEach((item, i) => {
    const at = `schedule[${i}]`;
    if (blank(item.name)) add('required', `${at}.name`, 'is required before submission');
    if (blank(item.from)) add('required', `${at}.from`, 'is required before submission');
    if (blank(item.to)) add('required', `${at}.to`, 'is required before submission');
    if (item.from && item.to && item.from > item.to) add('dates-order', `${at}.to`, 'The action cannot end before it starts');
    if (item.from && startDate && item.from < startDate) add('schedule-in-offer', `${at}.from`, `The action must start on or after the task's first day, ${startDate}`);
    if (item.to && endDate && item.to > endDate) add('schedule-in-offer', `${at}.to`, `The action must end on or before the task's last day, ${endDate}`);
    if (item.ngoId && !ngoIds.includes(item.ngoId)) add('schedule-ngo', `${at}.ngoId`, 'The NGO carrying out the action must be one of the offer\'s NGOs');
  });
  results.forEach((item, i) => {
    if (blank(item.name)) add('required', `results[${i}].name`, 'is required before submission');
  });

  let sumGrant = 0n;
  let sumOwn = 0n;
  let sumOther = 0n;
  costs.forEach((line, i) => {
    const at = `costs[${i}]`;
    for (const field of ['category', 'name', 'unit', 'quantity', 'unitCost'] as const) {
      if (blank(line[field])) add('required', `${at}.${field}`, 'is required before submission');
    }
    sumGrant += money(line.fromGrant);
    sumOwn += money(line.fromOwn);
    sumOther += money(line.fromOther);
    if (blank(line.quantity) || blank(line.unitCost)) return;
    const total = lineTotal(line.quantity as number, line.unitCost as string);
    const sources = (money(line.fromGrant) + money(line.fromOwn) + money(line.fromOther)) * 100n;
    if (total !== sources) {
      const shown = total % 100n === 0n ? `${formatGrosze(total / 100n)} PLN` : `${Number(total) / 10_000} PLN (not a whole number of grosze)`;
      add('cost-line-sum', `${at}.fromGrant`, `quantity × unit cost = ${shown}, but the grant, own and other funds of the line add up to ${formatGrosze(sources / 100n)} PLN`);
    }
  });

  const f = offer.funding ?? {};
  const grant = money(f.grantRequested);
  const own = money(f.ownFinancial) + money(f.personalInput) + money(f.inKindInput);
  const other = money(f.benefitPayments) + money(f.otherPublic) + money(f.otherFunds);
  if (blank(f.grantRequested)) add('required', 'funding.grantRequested', 'is required before submission');
  if (sumGrant !== grant) add('funding-grant', 'funding.grantRequested', `The cost lines ask for ${formatGrosze(sumGrant)} PLN of grant; the requested grant is ${formatGrosze(grant)} PLN`);
  if (sumOwn !== own) add('funding-own', 'funding.ownFinancial', `The cost lines' own funds are ${formatGrosze(sumOwn)} PLN; own financial funds, personal and in-kind input add up to ${formatGrosze(own)} PLN`);
  if (sumOther !== other) add('funding-other', 'funding.otherFunds', `The cost lines' other funds are ${formatGrosze(sumOther)} PLN; benefit payments, other public and other funds add up to ${formatGrosze(other)} PLN`);
  if (!blank(f.grantRequested)) {
    if (call.minGrant !== null && compareMoney(formatGrosze(grant), call.minGrant) < 0) add('grant-limits', 'funding.grantRequested', `The call's smallest grant is ${call.minGrant} PLN`);
    if (call.maxGrant !== null && compareMoney(formatGrosze(grant), call.maxGrant) > 0) add('grant-limits', 'funding.grantRequested', `The call's largest grant is ${call.maxGrant} PLN`);
  }
  if (call.form === 'support' && call.ownContributionMin) {
    const total = sumGrant + sumOwn + sumOther;
    // (own + other) / total >= min %, in integers: (own + other) * 10 000 >= total * (min × 100)
    const minHundredths = BigInt(Math.round(call.ownContributionMin * 100));
    if (total > 0n && (sumOwn + sumOther) * 10_000n < total * minHundredths) {
      add('own-contribution', 'funding.ownFinancial', `A support call needs own and other funds of at least ${call.ownContributionMin}% of the total cost (${formatGrosze(total)} PLN); they are ${formatGrosze(sumOwn + sumOther)} PLN`);
    }
  }
  return errors;
}

/** The requested grant as stored beside the content (null while it is not a valid amount). */
export function grantRequestedOf(offer: OfferContent): string | null {
  const value = offer.funding?.grantRequested;
  return blank(value) ? null : addMoney(value as string);
}
