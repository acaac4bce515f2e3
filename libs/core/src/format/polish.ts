/**
 * How the public pages and the charts speak Polish: money, dates, counts and the Polish names of
 * the contract's codes. Pure functions, no I/O.
 */

const MONEY = /^-?\d+\.\d{2}$/;
// Intl formats a decimal string exactly (ECMA-402 NumberFormat v3), so no amount passes through a float.
const PLN = new Intl.NumberFormat('pl-PL', { style: 'currency', currency: 'PLN', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const INTEGER = new Intl.NumberFormat('pl-PL', { maximumFractionDigits: 0 });

/** "1250000.00" → "1 250 000,00 zł" (no-break spaces, CLDR's Polish grouping: none below 10 000). */
export function formatPln(amount: string): string {
  if (!MONEY.test(amount)) throw new TypeError(`not a two-decimal money string: ${amount}`);
  return PLN.format(amount as `${number}`);
}

export function formatInteger(n: number): string {
  return INTEGER.format(n);
}

const PLURAL = new Intl.PluralRules('pl-PL');

/** A count with its noun in the right Polish form: plural(5, ['zadanie', 'zadania', 'zadań']) → "5 zadań". */
export function plural(n: number, forms: readonly [one: string, few: string, many: string]): string {
  const rule = PLURAL.select(n);
  const noun = rule === 'one' ? forms[0] : rule === 'few' ? forms[1] : forms[2];
  return `${formatInteger(n)}\u00a0${noun}`;
}

export const TASKS: readonly [string, string, string] = ['zadanie', 'zadania', 'zadań'];
export const SPHERES: readonly [string, string, string] = ['sfera', 'sfery', 'sfer'];
export const DEPARTMENTS: readonly [string, string, string] = ['wydział', 'wydziały', 'wydziałów'];

const DATE_LONG = new Intl.DateTimeFormat('pl-PL', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
const WARSAW_DAY = new Intl.DateTimeFormat('pl-PL', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Warsaw' });
const WARSAW_TIME = new Intl.DateTimeFormat('pl-PL', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'Europe/Warsaw' });

/** "2019-03-01" → "1 marca 2019". */
export function formatDay(day: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new TypeError(`not a YYYY-MM-DD day: ${day}`);
  return DATE_LONG.format(new Date(`${day}T00:00:00Z`));
}

const WARSAW_ISO_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Warsaw', year: 'numeric', month: '2-digit', day: '2-digit' });

/** Today as a Polish municipality lives it (Europe/Warsaw), "YYYY-MM-DD": the day statutory deadlines and memberships count. */
export function warsawToday(now = new Date()): string {
  return WARSAW_ISO_DAY.format(now);
}

/** An instant as Kraków reads it (Europe/Warsaw): "12 marca 2020 r., godz. 14:05". */
export function formatInstant(instant: Date): string {
  return `${WARSAW_DAY.format(instant)} r., godz. ${WARSAW_TIME.format(instant)}`;
}

export const MODE_LABELS: Readonly<Record<string, string>> = {
  'open-competition': 'otwarty konkurs ofert',
  'small-grant': 'mały grant',
  'local-initiative': 'inicjatywa lokalna',
  'other-act': 'inny tryb',
};
export const MODE_ORDER = Object.keys(MODE_LABELS);

export const FORM_LABELS: Readonly<Record<string, string>> = {
  support: 'wspieranie',
  entrustment: 'powierzenie',
};
export const FORM_ORDER = Object.keys(FORM_LABELS);

export const ACTIVITY_LABELS: Readonly<Record<string, string>> = {
  consultation: 'konsultacje',
  information: 'wymiana informacji',
  'joint-team': 'zespoły wspólne',
  event: 'wydarzenia',
  training: 'szkolenia',
  premises: 'udostępnienie lokali',
  promotion: 'promocja',
  other: 'inne formy',
};
export const ACTIVITY_ORDER = Object.keys(ACTIVITY_LABELS);

export const ROLE_LABELS: Readonly<Record<string, string>> = {
  chair: 'przewodniczący',
  'vice-chair': 'wiceprzewodniczący',
  secretary: 'sekretarz',
  member: 'członek',
};

export const STATUS_LABELS: Readonly<Record<string, string>> = {
  planned: 'planowane',
  contracted: 'umowa zawarta',
  'in-progress': 'w realizacji',
  settled: 'rozliczone',
  terminated: 'rozwiązane',
};

/** The Polish name of a code, or the code itself when the dictionary does not know it. */
export function label(labels: Readonly<Record<string, string>>, code: string): string {
  return Object.hasOwn(labels, code) ? labels[code] : code;
}

export function capitalise(text: string): string {
  return text.charAt(0).toLocaleUpperCase('pl-PL') + text.slice(1);
}

const COLLATOR = new Intl.Collator('pl-PL');
/** Polish alphabetical order (ą after a, ł after l, …). */
export const comparePl = (a: string, b: string): number => COLLATOR.compare(a, b);
