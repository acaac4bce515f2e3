/**
 * The 360Giving Data Standard (1.4) form of a published revision's funded tasks: one grant per
 * row of report_revision_tasks. Pure functions, no I/O; the README's "Open data" section maps
 * each field to its source.
 */

import type { FrozenNgo } from '@app/reports';

/** The version written in the package's `version` (major.minor, as the package schema asks). */
export const STANDARD_VERSION = '1.4';

/** The NGO of a revision row, as frozen at publication (report_revision_tasks.ngos; the first is the lead). */
export type { FrozenNgo };

/** One row of a revision's task list with the programme it was funded under, both as frozen at publication. */
export interface GrantSource {
  taskId: string;
  title: string;
  sphere: string;
  mode: string;
  form: string;
  department: string;
  competitionRef: string | null;
  /** two decimals, as PostgreSQL prints numeric(14,2) */
  amountGranted: string;
  /** YYYY-MM-DD */
  startDate: string;
  /** YYYY-MM-DD */
  endDate: string;
  ngos: FrozenNgo[];
  programme: { id: string; title: string } | null;
}

/** What every grant of one file shares. */
export interface GrantContext {
  /** the 360Giving publisher prefix, e.g. "360G-gmina1261011" */
  prefix: string;
  funder: { id: string; name: string };
  municipality: { name: string; teryt: string };
  /** the public-benefit spheres valid in the report's year: code → name */
  sphereNames: ReadonlyMap<string, string>;
  /** when the revision was published (the grants' dateModified) */
  publishedAt: Date;
}

export interface Organization {
  id: string;
  name: string;
  department?: string;
}

export interface Grant {
  id: string;
  title: string;
  description: string;
  currency: 'PLN';
  amountAwarded: number;
  awardDate: string;
  plannedDates: Array<{ startDate: string; endDate: string; duration: number }>;
  recipientOrganization: Organization[];
  fundingOrganization: Organization[];
  grantProgramme?: Array<{ code: string; title: string }>;
  classifications: Array<{ vocabulary: string; code: string; title: string | null }>;
  fromOpenCall: 'Yes' | 'No';
  beneficiaryLocation: Array<{ name: string; countryCode: 'PL'; geoCode: string; description: string }>;
  dateModified: string;
}

export interface PackageHeader {
  version: string;
  title: string;
  description: string;
  identifier: string;
  issued: string;
  modified: string;
  publisher: { name: string; identifier: string };
  license: string;
}

export const SPHERE_VOCABULARY = 'Sfery zadań publicznych (art. 4 ust. 1 ustawy o działalności pożytku publicznego i o wolontariacie)';

const ACT = 'ustawy o działalności pożytku publicznego i o wolontariacie';
const MONEY = /^\d{1,12}\.\d{2}$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * The organisation identifier of an NGO (org-id.guide lists): KRS, the register NGOs are entered
 * in, first; then NIP; then REGON. An NGO with none of them gets an internal identifier under
 * the publisher prefix, as 360Giving's guidance asks for organisations without a registration number.
 */
export function ngoOrgId(ngo: FrozenNgo, prefix: string): string {
  if (ngo.krs) return `PL-KRS-${ngo.krs}`;
  if (ngo.nip) return `PL-NIP-${ngo.nip}`;
  if (ngo.regon) return `PL-REGON-${ngo.regon}`;
  return `${prefix}-org-${ngo.id}`;
}

/** "Stowarzyszenie A (KRS 0000123456)": the name with the identifier a reader can look up. */
function ngoLabel(ngo: FrozenNgo): string {
  const register = ngo.krs ? `KRS ${ngo.krs}` : ngo.nip ? `NIP ${ngo.nip}` : ngo.regon ? `REGON ${ngo.regon}` : null;
  return register ? `${ngo.name} (${register})` : ngo.name;
}

/** 360Giving's grant identifier: the publisher prefix and the task's id. */
export function grantId(prefix: string, taskId: string): string {
  return `${prefix}-${taskId}`;
}

/**
 * The amount as a JSON number. A numeric(14,2) has at most 14 significant digits, which a double
 * holds exactly as the shortest decimal, so the number's text is the amount's (trailing zeros aside).
 */
export function amountNumber(amount: string): number {
  if (!MONEY.test(amount)) throw new TypeError(`not a non-negative two-decimal amount: ${amount}`);
  const n = Number(amount);
  if (n.toFixed(2) !== amount) throw new TypeError(`the amount ${amount} does not survive as a number`);
  return n;
}

function utcDay(day: string): Date {
  const m = DAY.exec(day);
  if (!m) throw new TypeError(`not a YYYY-MM-DD day: ${day}`);
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
}

function addMonths(d: Date, months: number): Date {
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + months;
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, m, Math.min(d.getUTCDate(), last)));
}

const DAY_MS = 86_400_000;

/**
 * The length of the period from `start` to `end` (both days included) in months, as 360Giving's
 * plannedDates.duration asks: whole calendar months, and the days left over as a fraction of the
 * month they fall in, to one decimal. 1 March–30 November → 9; 1 May–30 June → 2; 1–15 May → 0.5.
 */
export function durationInMonths(start: string, end: string): number {
  const from = utcDay(start);
  const after = new Date(utcDay(end).getTime() + DAY_MS); // the day after the last day
  if (after <= from) throw new RangeError(`the period ${start}–${end} ends before it starts`);
  let months = (after.getUTCFullYear() - from.getUTCFullYear()) * 12 + (after.getUTCMonth() - from.getUTCMonth());
  if (addMonths(from, months) > after) months -= 1;
  const anchor = addMonths(from, months);
  const monthLength = (addMonths(anchor, 1).getTime() - anchor.getTime()) / DAY_MS;
  const leftover = (after.getTime() - anchor.getTime()) / DAY_MS;
  return Math.round((months + leftover / monthLength) * 10) / 10;
}

function modePhrase(mode: string, competitionRef: string | null): string {
  switch (mode) {
    case 'open-competition':
      return competitionRef ? `w trybie otwartego konkursu ofert (konkurs ${competitionRef})` : 'w trybie otwartego konkursu ofert';
    case 'small-grant':
      return `z pominięciem otwartego konkursu ofert (mały grant, art. 19a ${ACT})`;
    case 'local-initiative':
      return `w ramach inicjatywy lokalnej (art. 19b ${ACT})`;
    case 'other-act':
      return 'na podstawie przepisów innej ustawy';
    default:
      return `w trybie „${mode}”`;
  }
}

function formPhrase(form: string): string {
  switch (form) {
    case 'support':
      return 'w formie wspierania';
    case 'entrustment':
      return 'w formie powierzenia';
    default:
      return `w formie „${form}”`;
  }
}

/**
 * The grant's description (required by the standard), one Polish paragraph from the task: its
 * form, its mode (and competition), the department that commissioned it, the lead NGO and the partners.
 */
export function describeTask(task: Pick<GrantSource, 'title' | 'mode' | 'form' | 'department' | 'competitionRef' | 'ngos'>): string {
  const [lead, ...partners] = task.ngos;
  const sentences = [
    `Zadanie publiczne „${task.title}” zlecone ${formPhrase(task.form)} ${modePhrase(task.mode, task.competitionRef)}.`,
    `Wydział zlecający: ${task.department}.`,
  ];
  if (lead) sentences.push(`Realizator: ${ngoLabel(lead)}.`);
  if (partners.length === 1) sentences.push(`Partner: ${ngoLabel(partners[0])}.`);
  if (partners.length > 1) sentences.push(`Partnerzy: ${partners.map(ngoLabel).join(', ')}.`);
  return sentences.join(' ');
}

/**
 * One grant. The recipient is the lead NGO only: 360Giving's tools read one recipient per grant
 * (the flat form's "Recipient Org" columns) and would credit the whole amount to every listed
 * organisation; the partners are named, with their identifiers, in the description.
 */
export function toGrant(task: GrantSource, ctx: GrantContext): Grant {
  const lead = task.ngos[0];
  if (!lead) throw new TypeError(`task ${task.taskId} has no NGO`);
  return {
    id: grantId(ctx.prefix, task.taskId),
    title: task.title,
    description: describeTask(task),
    currency: 'PLN',
    amountAwarded: amountNumber(task.amountGranted),
    // the data hold no date of the award decision: the task's start date is the best available
    awardDate: task.startDate,
    plannedDates: [{ startDate: task.startDate, endDate: task.endDate, duration: durationInMonths(task.startDate, task.endDate) }],
    recipientOrganization: [{ id: ngoOrgId(lead, ctx.prefix), name: lead.name }],
    fundingOrganization: [{ id: ctx.funder.id, name: ctx.funder.name, department: task.department }],
    ...(task.programme ? { grantProgramme: [{ code: task.programme.id, title: task.programme.title }] } : {}),
    classifications: [{ vocabulary: SPHERE_VOCABULARY, code: task.sphere, title: ctx.sphereNames.get(task.sphere) ?? null }],
    fromOpenCall: task.mode === 'open-competition' ? 'Yes' : 'No',
    beneficiaryLocation: [
      { name: ctx.municipality.name, countryCode: 'PL', geoCode: ctx.municipality.teryt, description: 'Obszar gminy; geoCode to jej kod terytorialny TERYT (TERC).' },
    ],
    dateModified: ctx.publishedAt.toISOString(),
  };
}

/** The package's own fields (everything but `grants`). */
export function packageHeader(p: {
  prefix: string;
  funder: { id: string; name: string };
  year: number;
  revision: number;
  publishedAt: Date;
  license: string;
}): PackageHeader {
  const published = p.publishedAt.toISOString();
  return {
    version: STANDARD_VERSION,
    title: `Dotacje dla organizacji pozarządowych: ${p.funder.name}, ${p.year} r. (wersja ${p.revision})`,
    description:
      `Zadania publiczne zlecone organizacjom pozarządowym w ${p.year} r., według opublikowanego sprawozdania ` +
      `z realizacji programu współpracy (wersja ${p.revision}); jedna pozycja na zadanie.`,
    identifier: `${p.prefix}-${p.year}-v${p.revision}`,
    issued: published,
    modified: published,
    publisher: { name: p.funder.name, identifier: p.funder.id },
    license: p.license,
  };
}

/** `2019.json` → 2019; any other name (or a year outside 2000–2100) → null. */
export function yearOfFileName(file: string): number | null {
  const m = /^(\d{4})\.json$/.exec(file);
  if (!m) return null;
  const year = Number(m[1]);
  return year >= 2000 && year <= 2100 ? year : null;
}
