import { CallsService, COST_CATEGORIES, FUNDING_KEYS, OffersService, UpdateOfferDto, VersionDto, type CallView, type FundingKey, type OfferView } from '@app/competitions';
import { DomainError, formatDay, formatGrosze, formatInstant, formatPln, FORM_LABELS, label, NotFound, toGrosze, type Actor, type FieldError } from '@app/core';
import { NgosService } from '@app/ngos';
import { differences, formValues, moneyForForm, parsePolishMoney, polishMessage, validated, versionOf, emptyForm, type FieldSpec, type FormState, type Option } from '../forms';
import { messagePage, renderLayout, type Outcome, type PageContext, type WebRoutes } from '../http';
import { everyPage, one } from '../lists';
import type { WebSessions } from '../sessions';
import { eta, STYLESHEET_PATH, template } from '../views';
import { uuid } from './ngos';
import { ngoOption } from './tasks';

/**
 * /app/offers: an NGO's offers in open competitions (competitions.md, "The web app"): its offers
 * and the calls taking offers now; a draft started for a call; the 2018 form (Dz.U. 2018 poz. 2057)
 * section by section, each section a form of its own saved into the draft through the API's DTO
 * and OffersService.update with the version read; the rules submission would find broken shown
 * beside their fields; submission with a confirmation; the submitted offer read-only with its
 * checksum, withdrawal, and a printable confirmation.
 */

export const offerPath = (id: string) => `/app/offers/${id}`;

export const OFFER_STATUS_LABELS: Readonly<Record<string, string>> = {
  draft: 'szkic (niezłożona)',
  submitted: 'złożona',
  accepted: 'przyjęta – spełnia wymogi formalne',
  rejected: 'odrzucona z przyczyn formalnych',
  awarded: 'dotacja przyznana',
  'not-awarded': 'dotacja nieprzyznana',
  withdrawn: 'wycofana',
};
const CALL_STATUS_LABELS: Readonly<Record<string, string>> = { draft: 'projekt', published: 'przyjmuje oferty', closed: 'nabór zakończony', resolved: 'rozstrzygnięty', cancelled: 'unieważniony' };
const CATEGORY_LABELS: Readonly<Record<string, string>> = { action: 'koszty realizacji działań', administrative: 'koszty administracyjne' };
const FUNDING_LABELS: Readonly<Record<FundingKey, string>> = {
  grantRequested: 'Wnioskowana kwota dotacji',
  ownFinancial: 'Wkład własny finansowy',
  personalInput: 'Wkład własny osobowy (w tym praca wolontariuszy)',
  inKindInput: 'Wkład własny rzeczowy',
  benefitPayments: 'Świadczenia pieniężne od odbiorców zadania',
  otherPublic: 'Środki z innych źródeł publicznych',
  otherFunds: 'Pozostałe środki',
};
/** The order of V.B on the form: the grant, own contribution, then the other sources. */
const FUNDING_ORDER: readonly FundingKey[] = ['grantRequested', 'ownFinancial', 'personalInput', 'inKindInput', 'benefitPayments', 'otherPublic', 'otherFunds'];

const PARTNERS = 3;
const EMPTY_ROWS = { schedule: 2, results: 1, costs: 2 } as const;
const MAX_ROWS = { schedule: 100, results: 100, costs: 200 } as const;
type RowList = keyof typeof EMPTY_ROWS;

type SectionKey = 'basic' | 'description' | 'costs' | 'other';
const SECTIONS: Record<SectionKey, string> = {
  basic: 'I–III. Oferent, tytuł, miejsce i termin realizacji zadania',
  description: 'IV. Opis zadania i charakterystyka oferenta',
  costs: 'V. Kalkulacja przewidywanych kosztów',
  other: 'VI. Inne informacje',
};

// ---------------------------------------------------------------- field names and labels

const ROW_FIELDS = {
  schedule: ['name', 'description', 'from', 'to', 'ngoId'],
  results: ['name', 'targetValue', 'monitoring'],
  costs: ['category', 'name', 'unit', 'quantity', 'unitCost', 'fromGrant', 'fromOwn', 'fromOther'],
} as const;
const ROW_NOUN: Record<RowList, string> = { schedule: 'Działanie', results: 'Rezultat', costs: 'Koszt' };
const ROW_LABELS: Record<string, string> = {
  'schedule.name': 'nazwa działania',
  'schedule.description': 'opis',
  'schedule.from': 'od (data)',
  'schedule.to': 'do (data)',
  'schedule.ngoId': 'realizuje',
  'results.name': 'nazwa rezultatu',
  'results.targetValue': 'planowany poziom osiągnięcia',
  'results.monitoring': 'sposób monitorowania',
  'costs.category': 'kategoria',
  'costs.name': 'rodzaj kosztu',
  'costs.unit': 'rodzaj miary',
  'costs.quantity': 'ilość',
  'costs.unitCost': 'koszt jednostkowy (zł)',
  'costs.fromGrant': 'z wnioskowanej dotacji (zł)',
  'costs.fromOwn': 'z wkładu własnego (zł)',
  'costs.fromOther': 'z innych źródeł (zł)',
};
const TEXT_LABELS: Record<string, string> = {
  title: 'Tytuł zadania publicznego',
  place: 'Miejsce realizacji zadania',
  startDate: 'Data rozpoczęcia realizacji zadania',
  endDate: 'Data zakończenia realizacji zadania',
  summary: 'Syntetyczny opis zadania',
  targetGroup: 'Grupa docelowa (odbiorcy zadania)',
  priorActivity: 'Wcześniejsza działalność oferenta w zakresie zadania',
  resources: 'Zasoby kadrowe, rzeczowe i finansowe oferenta',
  volunteers: 'Działania, które będą realizować wolontariusze (nieobowiązkowe)',
  otherInformation: 'Inne informacje istotne dla oceny oferty (nieobowiązkowe)',
};

const rowName = (list: RowList, i: number, key: string) => `${list}[${i}].${key}`;

/** The Polish label of a field of the form, as its messages name it. */
function labelOf(field: string): string {
  const row = /^(schedule|results|costs)\[(\d+)\]\.(\w+)$/.exec(field);
  if (row) return `${ROW_NOUN[row[1] as RowList]} ${Number(row[2]) + 1}: ${ROW_LABELS[`${row[1]}.${row[3]}`] ?? row[3]}`;
  const funding = /^funding\.(\w+)$/.exec(field);
  if (funding) return FUNDING_LABELS[funding[1] as FundingKey] ?? funding[1];
  if (/^ngoIds/.test(field)) return 'Organizacja partnerska';
  return (TEXT_LABELS[field] ?? field).replace(/ \(nieobowiązkowe\)$/, '');
}

// ---------------------------------------------------------------- messages

const pln = (amount: string | undefined) => (amount && /^-?\d+\.\d\d$/.test(amount) ? formatPln(amount) : (amount ?? ''));
const amounts = (message: string) => message.match(/-?\d+\.\d\d(?= PLN)/g) ?? [];

/** The offer's rules (offer.rules.ts), in the words of the form, with the amounts in złoty. */
function offerRuleMessage(e: FieldError, call: CallView | null): string {
  const [a, b] = amounts(e.message);
  const day = /\d{4}-\d{2}-\d{2}/.exec(e.message)?.[0];
  switch (e.rule ?? '') {
    case 'offer.required':
      if (e.field === 'schedule') return 'Dodaj co najmniej jedno działanie do planu i harmonogramu';
      if (e.field === 'results') return 'Dodaj co najmniej jeden zakładany rezultat';
      if (e.field === 'costs') return 'Dodaj co najmniej jedną pozycję do zestawienia kosztów';
      return `Uzupełnij pole „${labelOf(e.field)}” przed złożeniem oferty`;
    case 'offer.dates-order':
      return e.field === 'endDate' ? 'Data zakończenia nie może być wcześniejsza niż data rozpoczęcia' : 'Działanie nie może kończyć się wcześniej, niż się zaczyna';
    case 'offer.dates-in-call':
      return e.field === 'startDate'
        ? `Zadanie może zacząć się najwcześniej ${day ? formatDay(day) : call?.taskStart} – pierwszego dnia okresu realizacji podanego w ogłoszeniu`
        : `Zadanie musi zakończyć się najpóźniej ${day ? formatDay(day) : call?.taskEnd} – ostatniego dnia okresu realizacji podanego w ogłoszeniu`;
    case 'offer.schedule-in-offer':
      return /\.from$/.test(e.field) ? `Działanie może zacząć się najwcześniej w pierwszym dniu zadania (${day ? formatDay(day) : ''})` : `Działanie musi zakończyć się najpóźniej w ostatnim dniu zadania (${day ? formatDay(day) : ''})`;
    case 'offer.schedule-ngo':
      return 'Działanie może realizować tylko jedna z organizacji składających ofertę';
    case 'offer.cost-line-sum':
      return /not a whole number of grosze/.test(e.message)
        ? `Ilość × koszt jednostkowy nie daje pełnych groszy, a dotacja, wkład własny i inne źródła w tej pozycji dają razem ${pln(b ?? a)} – popraw ilość albo koszt jednostkowy`
        : `Ilość × koszt jednostkowy = ${pln(a)}, a dotacja, wkład własny i inne źródła w tej pozycji dają razem ${pln(b)} – te kwoty muszą być równe`;
    case 'offer.funding-grant':
      return `Pozycje kosztorysu przewidują ${pln(a)} z dotacji, a wnioskowana kwota dotacji to ${pln(b)} – te kwoty muszą być równe`;
    case 'offer.funding-own':
      return `Wkład własny w pozycjach kosztorysu to ${pln(a)}, a wkład własny finansowy, osobowy i rzeczowy dają razem ${pln(b)} – te kwoty muszą być równe`;
    case 'offer.funding-other':
      return `Inne źródła w pozycjach kosztorysu to ${pln(a)}, a świadczenia od odbiorców, inne środki publiczne i pozostałe środki dają razem ${pln(b)} – te kwoty muszą być równe`;
    case 'offer.grant-limits':
      return /smallest/.test(e.message) ? `Najmniejsza dotacja w tym konkursie to ${pln(a)}` : `Największa dotacja w tym konkursie to ${pln(a)}`;
    case 'offer.own-contribution': {
      const percent = /at least ([\d.]+)%/.exec(e.message)?.[1] ?? '';
      return `W konkursie na wsparcie zadania wkład własny i inne środki muszą wynosić co najmniej ${percent.replace('.', ',')}% kosztu całkowitego (${pln(a)}); teraz wynoszą ${pln(b)}`;
    }
    case 'offer.ngo-exists':
      return 'Nie ma takiej organizacji w rejestrze gminy albo jest zarchiwizowana';
    case 'offer.deadline':
      return `Termin składania ofert w tym konkursie minął${call ? ` (${formatInstant(new Date(call.offersUntil))})` : ''} – oferty nie można już złożyć`;
    default:
      if (e.message === 'must be a number with at most two decimals') return `Wpisz w polu „${labelOf(e.field)}” liczbę, np. 12 albo 1,5 (najwyżej dwa miejsca po przecinku)`;
      if (e.message === 'Unknown field') return `Pole „${e.field}” nie należy do formularza oferty`;
      return polishMessage(labelOf(e.field), e);
  }
}

// ---------------------------------------------------------------- values of the form

type Values = FormState['values'];
const str = (v: string | string[] | undefined) => (typeof v === 'string' ? v : '');
const quantityForForm = (q: number | null | undefined) => (q === null || q === undefined ? '' : String(q).replace('.', ','));

function sectionValues(o: OfferView, key: SectionKey): Values {
  const v: Values = {};
  if (key === 'basic') {
    Object.assign(v, { title: o.title ?? '', place: o.place ?? '', startDate: o.startDate ?? '', endDate: o.endDate ?? '', ngoIds: o.ngoIds });
  } else if (key === 'description') {
    Object.assign(v, { summary: o.summary ?? '', targetGroup: o.targetGroup ?? '', priorActivity: o.priorActivity ?? '', resources: o.resources ?? '' });
    o.schedule.forEach((s, i) => {
      for (const k of ROW_FIELDS.schedule) v[rowName('schedule', i, k)] = (s[k] as string | null | undefined) ?? '';
    });
    o.results.forEach((r, i) => {
      for (const k of ROW_FIELDS.results) v[rowName('results', i, k)] = r[k] ?? '';
    });
  } else if (key === 'costs') {
    o.costs.forEach((c, i) => {
      v[rowName('costs', i, 'category')] = c.category ?? '';
      v[rowName('costs', i, 'name')] = c.name ?? '';
      v[rowName('costs', i, 'unit')] = c.unit ?? '';
      v[rowName('costs', i, 'quantity')] = quantityForForm(c.quantity);
      for (const k of ['unitCost', 'fromGrant', 'fromOwn', 'fromOther'] as const) v[rowName('costs', i, k)] = moneyForForm(c[k] ?? null);
    });
    for (const k of FUNDING_KEYS) v[`funding.${k}`] = moneyForForm(o.funding[k] ?? null);
  } else {
    Object.assign(v, { volunteers: o.volunteers ?? '', otherInformation: o.otherInformation ?? '' });
  }
  return v;
}

/** How many rows of a list a posted form holds (the highest index named, plus one). */
function postedRows(body: Record<string, unknown>, list: RowList): number {
  let n = 0;
  const pattern = new RegExp(`^${list}\\[(\\d{1,3})\\]\\.`);
  for (const k of Object.keys(body)) {
    const m = pattern.exec(k);
    if (m) n = Math.max(n, Number(m[1]) + 1);
  }
  return Math.min(n, MAX_ROWS[list] + EMPTY_ROWS[list]);
}

/** The fields a section posts, as forms.ts reads them (rows: each field, and the "usuń" checkbox). */
function postedSpecs(key: SectionKey, rows: Record<RowList, number>): FieldSpec[] {
  const t = (name: string): FieldSpec => ({ name, label: labelOf(name), kind: 'text' });
  const rowSpecs = (list: RowList) =>
    Array.from({ length: rows[list] }, (_u, i) => [...ROW_FIELDS[list].map((k) => t(rowName(list, i, k))), { name: rowName(list, i, 'remove'), label: 'usuń', kind: 'checkbox' as const }]).flat();
  switch (key) {
    case 'basic':
      return [t('title'), t('place'), t('startDate'), t('endDate'), { name: 'ngoIds', label: 'Organizacje', kind: 'selects' }];
    case 'description':
      return [t('summary'), t('targetGroup'), ...rowSpecs('schedule'), ...rowSpecs('results'), t('priorActivity'), t('resources')];
    case 'costs':
      return [...rowSpecs('costs'), ...FUNDING_KEYS.map((k) => t(`funding.${k}`))];
    case 'other':
      return [t('volunteers'), t('otherInformation')];
  }
}

const orNull = (s: string) => (s.trim() === '' ? null : s.trim());
const moneyOrNull = (s: string) => (s.trim() === '' ? null : parsePolishMoney(s.trim()));
/** "12", "1,5", "1.5" as the number the DTO takes; anything else as typed, for the DTO to refuse. */
function quantityOf(s: string): number | string | null {
  const compact = s.replace(/[\s\u00a0\u202f]/g, '');
  if (compact === '') return null;
  return /^\d{1,10}([.,]\d{1,2})?$/.test(compact) ? Number(compact.replace(',', '.')) : compact;
}

/**
 * A posted list's rows as the API takes them: rows marked "usuń" and rows left empty are left out;
 * `formIndex[i]` is the form's row of the API's row i (for the messages).
 */
function rowsInput(values: Values, list: RowList, count: number): { rows: Array<Record<string, unknown>>; formIndex: number[] } {
  const rows: Array<Record<string, unknown>> = [];
  const formIndex: number[] = [];
  for (let i = 0; i < count; i++) {
    if (values[rowName(list, i, 'remove')] === 'true') continue;
    const raw = Object.fromEntries(ROW_FIELDS[list].map((k) => [k, str(values[rowName(list, i, k)])]));
    // a category alone is not a row: the empty rows' select starts on "wybierz"
    if (Object.entries(raw).every(([, v]) => v.trim() === '')) continue;
    const row: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(raw)) {
      if (list === 'costs' && k === 'quantity') row[k] = quantityOf(v);
      else if (list === 'costs' && ['unitCost', 'fromGrant', 'fromOwn', 'fromOther'].includes(k)) row[k] = moneyOrNull(v);
      else if (k === 'category') {
        if (v !== '') row[k] = v;
      } else row[k] = orNull(v);
    }
    rows.push(row);
    formIndex.push(i);
  }
  return { rows, formIndex };
}

/** The section's part of UpdateOfferDto, from the posted form, and how to name the API's fields on the form. */
function sectionInput(key: SectionKey, values: Values, rows: Record<RowList, number>, leadId: string): { input: Record<string, unknown>; formField: (apiField: string) => string } {
  const input: Record<string, unknown> = {};
  const maps: Partial<Record<RowList, number[]>> = {};
  const list = (name: RowList) => {
    const r = rowsInput(values, name, rows[name]);
    input[name] = r.rows;
    maps[name] = r.formIndex;
  };
  if (key === 'basic') {
    for (const k of ['title', 'place', 'startDate', 'endDate']) input[k] = orNull(str(values[k]));
    const chosen = (Array.isArray(values.ngoIds) ? values.ngoIds : []).filter((x) => x !== '');
    // the lead is the signed-in NGO: a form naming another lead is refused by the service (403)
    input.ngoIds = chosen.length ? chosen : [leadId];
  } else if (key === 'description') {
    for (const k of ['summary', 'targetGroup', 'priorActivity', 'resources']) input[k] = orNull(str(values[k]));
    list('schedule');
    list('results');
  } else if (key === 'costs') {
    list('costs');
    input.funding = Object.fromEntries(FUNDING_KEYS.map((k) => [k, moneyOrNull(str(values[`funding.${k}`]))]));
  } else {
    for (const k of ['volunteers', 'otherInformation']) input[k] = orNull(str(values[k]));
  }
  const formField = (apiField: string) => {
    // the pipe names a row's field "costs.1.unitCost"; the rules "costs[1].unitCost"
    const m = /^(schedule|results|costs)(?:\.(\d+)|\[(\d+)\])(?:\.(\w+))?$/.exec(apiField);
    if (m) {
      const i = Number(m[2] ?? m[3]);
      const formRow = maps[m[1] as RowList]?.[i] ?? i;
      return m[4] ? rowName(m[1] as RowList, formRow, m[4]) : rowName(m[1] as RowList, 0, ROW_FIELDS[m[1] as RowList][0]);
    }
    const n = /^ngoIds(?:\.(\d+)|\[(\d+)\])?$/.exec(apiField);
    if (n) return `ngoIds.${Math.max(1, Number(n[1] ?? n[2] ?? 1))}`;
    return apiField;
  };
  return { input, formField };
}

/** Where a rule's field is shown: a whole list's message beside its first row's first field; a partner at its select. */
function shownAt(field: string): string {
  if (field === 'schedule' || field === 'results' || field === 'costs') return rowName(field, 0, ROW_FIELDS[field][0]);
  const n = /^ngoIds\[(\d+)\]$/.exec(field);
  if (n) return `ngoIds.${Math.max(1, Number(n[1]))}`;
  return field;
}

function addMessage(errors: Record<string, string>, field: string, message: string): void {
  errors[field] = errors[field] ? `${errors[field]}; ${message}` : message;
}

// ---------------------------------------------------------------- arithmetic shown to the NGO

const grosze = (v: string | null | undefined): bigint | null => {
  if (v === null || v === undefined || v.trim() === '') return null;
  const parsed = parsePolishMoney(v.trim());
  return /^\d{1,12}(\.\d{1,2})?$/.test(parsed) ? toGrosze(parsed) : null;
};
const zl = (g: bigint) => formatPln(formatGrosze(g));

interface LineSums {
  /** quantity × unit cost in 1/10 000 zł, or null when either is missing or not a number. */
  total: bigint | null;
  sources: bigint;
}

function lineOf(values: Values, i: number): LineSums {
  const q = quantityOf(str(values[rowName('costs', i, 'quantity')]));
  const unit = grosze(str(values[rowName('costs', i, 'unitCost')]));
  const sources = ['fromGrant', 'fromOwn', 'fromOther'].reduce((s, k) => s + (grosze(str(values[rowName('costs', i, k)])) ?? 0n), 0n);
  return { total: typeof q === 'number' && unit !== null ? BigInt(Math.round(q * 100)) * unit : null, sources };
}

const wholeGrosze = (t: bigint) => (t % 100n === 0n ? zl(t / 100n) : `${(Number(t) / 10_000).toFixed(4).replace('.', ',')} zł (to nie są pełne grosze)`);

// ---------------------------------------------------------------- templates

const OFFERS_LIST = template(
  '@my-offers',
  `<h1>Moje oferty</h1>
<p class="lead">Oferty Twojej organizacji w otwartych konkursach ofert gminy. Ofertę piszesz po kawałku – każdą część formularza zapisujesz osobno jako szkic – i składasz ją przed terminem naboru.</p>
<h2>Oferty organizacji</h2>
<% if (it.offers.rows.length) { %><%~ include('@table', it.offers) %><% } else { %><p>Organizacja nie ma jeszcze żadnej oferty.</p><% } %>
<h2>Konkursy, w których można teraz złożyć ofertę</h2>
<% if (it.calls.length) { %>
<ul class="call-list">
<% it.calls.forEach(function (c) { %><li>
<p><strong><%= c.number %></strong>: <%= c.title %></p>
<p class="meta">Oferty do <%= c.deadline %> (czas warszawski) · <%= c.form %> · budżet <%= c.budget %><% if (c.limits) { %> · dotacja <%= c.limits %><% } %></p>
<p><a class="button" href="<%= c.href %>">Złóż ofertę<span class="visually-hidden"> w konkursie <%= c.number %></span></a></p>
</li><% }) %>
</ul>
<% } else { %><p>Żaden konkurs nie przyjmuje teraz ofert.</p><% } %>
`,
);

const NEW_OFFER = template(
  '@my-offer-new',
  `<h1>Nowa oferta: <%= it.call.title %></h1>
<%~ include('@facts', { facts: it.facts }) %>
<% if (it.open) { %>
<p>Utworzymy szkic oferty Twojej organizacji w tym konkursie. Szkic widzi tylko Twoja organizacja; możesz go uzupełniać po kawałku, a złożyć przed terminem naboru.</p>
<form method="post" action="/app/offers/new" novalidate>
<input type="hidden" name="_csrf" value="<%= it.csrf %>">
<input type="hidden" name="call" value="<%= it.call.id %>">
<div class="actions"><button type="submit">Rozpocznij ofertę</button><a href="/app/offers">Anuluj</a></div>
</form>
<% } else { %>
<p class="error-message">Ten konkurs nie przyjmuje już ofert.</p>
<p><a href="/app/offers">Wróć do listy ofert</a></p>
<% } %>
`,
);

/** A row of a list (schedule, results, costs): a fieldset with its legend, its fields, the arithmetic, "usuń". */
const ROW = template(
  '@my-offer-row',
  `<fieldset class="offer-row<% if (it.empty) { %> empty-row<% } %>">
<legend><%= it.legend %></legend>
<div class="row-fields"><%~ it.fields %></div>
<% if (it.computed) { %><p class="computed" id="<%= it.computedId %>"><%= it.computed %></p><% } %>
<% if (it.remove) { %><%~ it.remove %><% } %>
</fieldset>
`,
);

const SECTION_FORM = template(
  '@my-offer-section',
  `<section class="offer-section" aria-labelledby="s-<%= it.key %>">
<h2 id="s-<%= it.key %>"><%= it.heading %></h2>
<form method="post" action="<%= it.action %>" novalidate>
<input type="hidden" name="_csrf" value="<%= it.csrf %>">
<input type="hidden" name="version" value="<%= it.version %>">
<%~ it.body %>
<div class="actions"><button type="submit">Zapisz część <%= it.short %></button></div>
</form>
</section>
`,
);

const OFFER = template(
  '@my-offer',
  `<h1><%= it.heading %></h1>
<%~ include('@error-summary', { errors: it.errors }) %>
<% if (it.missing.length) { %>
<section class="notice" aria-labelledby="missing-title"><h2 id="missing-title">Do uzupełnienia przed złożeniem oferty</h2>
<ul><% it.missing.forEach(function (t) { %><li><% if (t.href) { %><a href="<%= t.href %>"><%= t.message %></a><% } else { %><%= t.message %><% } %></li><% }) %></ul></section>
<% } %>
<%~ include('@stale-changes', { changes: it.changes }) %>
<%~ include('@facts', { facts: it.facts }) %>
<% if (it.notice) { %><div class="notice warning-notice"><p><strong><%= it.notice %></strong></p></div><% } %>
<% if (it.problemsCount) { %><p>Do złożenia oferty brakuje jeszcze poprawek: <strong><%= it.problemsCount %></strong>. Każda jest wymieniona na górze strony; błędy w kwotach i datach także przy swoich polach.</p><% } %>
<% if (it.draftReady) { %><p>Oferta spełnia wszystkie reguły konkursu i można ją złożyć.</p><% } %>
<% if (it.editable) { %>
<nav aria-label="Części formularza"><ul>
<% it.sections.forEach(function (s) { %><li><a href="#s-<%= s.key %>"><%= s.heading %></a></li><% }) %>
<li><a href="#s-submit">Złożenie oferty</a></li>
</ul></nav>
<% it.forms.forEach(function (f) { %><%~ f %><% }) %>
<section class="offer-section" aria-labelledby="s-submit">
<h2 id="s-submit">Złożenie oferty</h2>
<% if (it.canSubmit) { %>
<p>Złożonej oferty nie można już zmienić. System sprawdzi wszystkie reguły konkursu; oferta dostanie sumę kontrolną SHA-256, którą zobaczysz na potwierdzeniu do wydruku.</p>
<form method="post" action="<%= it.submitAction %>" novalidate>
<input type="hidden" name="_csrf" value="<%= it.csrf %>">
<input type="hidden" name="version" value="<%= it.version %>">
<%~ it.confirmSubmit %>
<div class="actions"><button type="submit">Złóż ofertę</button></div>
</form>
<% } else { %><p>Ofertę można złożyć do <%= it.deadline %> (czas warszawski).</p><% } %>
</section>
<% } else { %>
<%~ it.readOnly %>
<% } %>
<% if (it.printHref) { %><p class="actions"><a class="button secondary" href="<%= it.printHref %>">Potwierdzenie złożenia oferty do wydruku</a></p><% } %>
<% if (it.canWithdraw) { %>
<section class="offer-section" aria-labelledby="s-withdraw">
<h2 id="s-withdraw">Wycofanie oferty</h2>
<p>Ofertę można wycofać do rozstrzygnięcia konkursu. Wycofanej oferty komisja nie oceni i nie można jej przywrócić.</p>
<form method="post" action="<%= it.withdrawAction %>" novalidate>
<input type="hidden" name="_csrf" value="<%= it.csrf %>">
<input type="hidden" name="version" value="<%= it.version %>">
<%~ it.confirmWithdraw %>
<div class="actions"><button type="submit" class="warning">Wycofaj ofertę</button></div>
</form>
</section>
<% } %>
<p><a href="/app/offers">Wróć do listy ofert</a></p>
`,
);

const READ_ONLY = template(
  '@my-offer-read-only',
  `<h2>I–III. Oferent, tytuł, miejsce i termin</h2>
<%~ include('@facts', { facts: it.basic }) %>
<h2>IV. Opis zadania i charakterystyka oferenta</h2>
<%~ include('@facts', { facts: it.description }) %>
<% if (it.schedule.rows.length) { %><%~ include('@table', it.schedule) %><% } %>
<% if (it.results.rows.length) { %><%~ include('@table', it.results) %><% } %>
<%~ include('@facts', { facts: it.characteristics }) %>
<h2>V. Kalkulacja przewidywanych kosztów</h2>
<% if (it.costs.rows.length) { %><%~ include('@table', it.costs) %><% } %>
<%~ include('@table', it.funding) %>
<h2>VI. Inne informacje</h2>
<%~ include('@facts', { facts: it.other }) %>
`,
);

/** The printable confirmation: a page of its own, no menu, the print stylesheet's rules. */
const PRINT = template(
  '@my-offer-print',
  `<!DOCTYPE html>
<html lang="pl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Potwierdzenie złożenia oferty – <%= it.title %></title>
<link rel="stylesheet" href="<%= it.stylesheet %>">
</head>
<body class="print-page">
<main id="tresc"><div class="wrap">
<p class="no-print"><a href="<%= it.backHref %>">Wróć do oferty</a> · wydrukuj tę stronę poleceniem drukowania przeglądarki (Ctrl+P)</p>
<p><%= it.municipality %></p>
<h1>Potwierdzenie złożenia oferty realizacji zadania publicznego</h1>
<%~ include('@facts', { facts: it.facts }) %>
<h2>Suma kontrolna oferty (SHA-256)</h2>
<p class="checksum-full"><code id="checksum"><%= it.checksum %></code></p>
<p class="hint">Suma kontrolna jest skrótem SHA-256 treści oferty w kanonicznej postaci JSON (RFC 8785). Pozwala sprawdzić, że wydruk lub podpisana kopia odpowiada ofercie zapisanej w systemie.</p>
<h2>Podpisy osób upoważnionych do reprezentowania oferenta(-ów)</h2>
<div class="signatures">
<% it.ngos.forEach(function (n) { %><div class="signature"><p class="signature-line" aria-hidden="true"></p><p><%= n %>: data, podpis i pieczęć</p></div><% }) %>
</div>
</div></main>
</body>
</html>
`,
);

// ---------------------------------------------------------------- the pages

export function registerOfferPages(routes: WebRoutes, deps: { offers: OffersService; calls: CallsService; ngos: NgosService; sessions: WebSessions }): void {
  const { offers, calls, ngos, sessions } = deps;

  /** The partners' names: NgosService.directory, which any role reads (names and register numbers only). */
  const ngoNames = async (actor: Actor, ids: readonly string[]) => {
    const found = await ngos.directory(actor, { ids });
    return new Map([...new Set(ids)].map((id) => [id, found.find((n) => n.id === id)?.name ?? id]));
  };

  const deadlineOf = (call: CallView) => formatInstant(new Date(call.offersUntil));
  const limitsOf = (call: CallView) =>
    call.minGrant && call.maxGrant ? `od ${formatPln(call.minGrant)} do ${formatPln(call.maxGrant)}` : call.minGrant ? `od ${formatPln(call.minGrant)}` : call.maxGrant ? `do ${formatPln(call.maxGrant)}` : '';
  const callFacts = (call: CallView) => [
    { label: 'Konkurs', value: `${call.number}: ${call.title}` },
    { label: 'Forma zlecenia', value: label(FORM_LABELS, call.form) },
    { label: 'Okres realizacji zadania', value: `${formatDay(call.taskStart)} – ${formatDay(call.taskEnd)}` },
    { label: 'Termin składania ofert', value: `${deadlineOf(call)} (czas warszawski)` },
    ...(limitsOf(call) ? [{ label: 'Kwota dotacji', value: limitsOf(call) }] : []),
    ...(call.form === 'support' && call.ownContributionMin ? [{ label: 'Wymagany wkład własny i inne środki', value: `co najmniej ${String(call.ownContributionMin).replace('.', ',')}% kosztu całkowitego` }] : []),
    { label: 'Status konkursu', value: label(CALL_STATUS_LABELS, call.status) },
  ];

  // ------------------------------------------------------------ /app/offers

  routes.get('/app/offers', { permission: 'ngo' }, async (ctx) => {
    const [mine, open] = await Promise.all([
      everyPage((page) => offers.listOwn(ctx.actor, { page, limit: 200 })),
      everyPage((page) => calls.list(ctx.actor, { status: 'published', page, limit: 200 })),
    ]);
    const callsById = new Map(open.map((c) => [c.id, c]));
    for (const id of new Set(mine.map((o) => o.callId))) if (!callsById.has(id)) callsById.set(id, await calls.get(ctx.actor, id));
    const body = eta.render(OFFERS_LIST, {
      offers: {
        id: 'offers-caption',
        caption: 'Oferty, od ostatnio zmienionej',
        columns: [{ label: 'Tytuł zadania' }, { label: 'Konkurs' }, { label: 'Status' }, { label: 'Złożona (czas warszawski)' }, { label: 'Suma kontrolna SHA-256' }],
        rows: mine.map((o) => {
          const call = callsById.get(o.callId);
          return {
            head: o.title || '(bez tytułu)',
            href: offerPath(o.id),
            cells: [call ? `${call.number}: ${call.title}` : o.callId, label(OFFER_STATUS_LABELS, o.status), o.submittedAt ? formatInstant(new Date(o.submittedAt)) : '—', o.checksum ?? '—'],
          };
        }),
      },
      calls: open
        .filter((c) => c.status === 'published')
        .map((c) => ({ number: c.number, title: c.title, deadline: deadlineOf(c), form: label(FORM_LABELS, c.form), budget: formatPln(c.budget), limits: limitsOf(c), href: `/app/offers/new?call=${c.id}` })),
    });
    return { html: renderLayout({ title: 'Moje oferty', body, session: ctx.session, section: '/app/offers' }) };
  });

  // ------------------------------------------------------------ /app/offers/new

  routes.get('/app/offers/new', { permission: 'ngo' }, async (ctx) => {
    const call = await calls.get(ctx.actor, uuid(one(ctx.query.call)));
    const body = eta.render(NEW_OFFER, { call, facts: callFacts(call), open: call.status === 'published', csrf: ctx.session.csrfToken });
    return { status: call.status === 'published' ? 200 : 409, html: renderLayout({ title: `Nowa oferta: ${call.title}`, body, session: ctx.session, section: '/app/offers' }) };
  });

  routes.post('/app/offers/new', { permission: 'ngo' }, async (ctx) => {
    const callId = uuid(one(ctx.body.call));
    const call = await calls.get(ctx.actor, callId);
    try {
      const created = await offers.create(ctx.actor, callId, {});
      await sessions.flash(ctx.session, `Utworzono szkic oferty w konkursie ${call.number}. Uzupełniaj formularz część po części; każdą część zapisz osobno.`);
      return { redirect: offerPath(created.id) };
    } catch (error) {
      if (error instanceof DomainError && error.kind === 'conflict') {
        return messagePage(ctx.session, 409, 'Nie można rozpocząć oferty', ['Ten konkurs nie przyjmuje już ofert (termin naboru minął albo konkurs rozstrzygnięto lub unieważniono).'], { href: '/app/offers', label: 'Wróć do listy ofert' });
      }
      throw error;
    }
  });

  // ------------------------------------------------------------ /app/offers/{id}

  interface Refused {
    /** The section whose posted values are shown again, or the submit/withdraw form. */
    form: SectionKey | 'submit' | 'withdraw';
    state: FormState;
    rows?: Record<RowList, number>;
    /** After a stale version: what someone else saved in the section, beside the user's values. */
    changes?: Array<{ label: string; current: string; yours: string }>;
  }

  const offerPage = async (ctx: PageContext, id: string, refused: Refused | null = null, status = 200): Promise<Outcome> => {
    const offer = await offers.get(ctx.actor, id);
    const call = await calls.get(ctx.actor, offer.callId);
    const lead = ctx.actor.role === 'ngo' && ctx.actor.ngoId === offer.ngoIds[0];
    const open = call.status === 'published';
    const editable = lead && offer.status === 'draft' && open;
    const names = await ngoNames(ctx.actor, offer.ngoIds);
    const ngoList = offer.ngoIds.map((n, i) => `${names.get(n) ?? n}${i === 0 && offer.ngoIds.length > 1 ? ' (lider)' : ''}`).join(', ');

    const facts = [
      { label: 'Konkurs', value: `${call.number}: ${call.title}` },
      { label: 'Termin składania ofert', value: `${deadlineOf(call)} (czas warszawski)` },
      { label: offer.ngoIds.length > 1 ? 'Oferenci (oferta wspólna)' : 'Oferent', value: ngoList },
      { label: 'Status oferty', value: label(OFFER_STATUS_LABELS, offer.status) },
      ...(offer.submittedAt ? [{ label: 'Złożona', value: `${formatInstant(new Date(offer.submittedAt))} (czas warszawski)` }] : []),
      ...(offer.checksum ? [{ label: 'Suma kontrolna SHA-256', value: offer.checksum }] : []),
      ...(offer.formalCheck ? [{ label: 'Ocena formalna', value: `${offer.formalCheck.result === 'accepted' ? 'spełnia wymogi formalne' : 'nie spełnia wymogów formalnych'}${offer.formalCheck.reason ? ` – ${offer.formalCheck.reason}` : ''}` }] : []),
      ...(call.status === 'resolved' && offer.score !== undefined ? [{ label: 'Ocena komisji (średnia punktów)', value: offer.score === null ? 'oferta nie była oceniana' : offer.score.replace('.', ',') }] : []),
      ...(call.status === 'resolved' ? [{ label: 'Przyznana dotacja', value: offer.award ? formatPln(offer.award) : 'nie przyznano' }] : []),
    ];

    let notice = '';
    if (lead && offer.status === 'draft' && !open) notice = `Ten konkurs nie przyjmuje już ofert: termin składania minął ${deadlineOf(call)} (czas warszawski)${call.status === 'cancelled' ? ', a konkurs unieważniono' : ''}. Tego szkicu nie można złożyć.`;
    if (offer.status === 'withdrawn') notice = 'Oferta została wycofana.';

    // the messages: the refused form's, then the draft's broken rules beside their fields
    const errors: Record<string, string> = {};
    const general: string[] = [];
    if (refused) {
      Object.assign(errors, refused.state.errors);
      general.push(...refused.state.general);
    }
    const problems = offer.status === 'draft' ? (offer.problems ?? []) : [];
    const problemSection = (field: string): SectionKey => {
      if (/^(title|place|startDate|endDate|ngoIds)/.test(field)) return 'basic';
      if (/^(costs|funding)/.test(field)) return 'costs';
      if (/^(volunteers|otherInformation)/.test(field)) return 'other';
      return 'description';
    };
    // what a draft still lacks is a list of what is missing until a save or submission is refused: a fresh draft is not an error
    const missing: Array<{ field: string; message: string }> = [];
    if (editable) {
      for (const p of problems) {
        // a refused section shows the user's values; the saved draft's rules are about other rows
        if (refused && refused.form === problemSection(p.field)) continue;
        if (refused?.form === 'submit' && refused.state.errors[shownAt(p.field)]) continue;
        if (!refused && p.rule === 'offer.required') missing.push({ field: shownAt(p.field), message: offerRuleMessage(p, call) });
        else addMessage(errors, shownAt(p.field), offerRuleMessage(p, call));
      }
    }

    const order: Array<{ name: string; id: string }> = [];
    const csrf = ctx.session.csrfToken;
    const field = (spec: FieldSpec, values: Values, opts: { id?: string; value?: string } = {}) => {
      const id = opts.id ?? `f-${spec.name}`;
      order.push({ name: spec.name, id });
      const error = errors[spec.name];
      const value = opts.value ?? str(values[spec.name]);
      const describedBy = [spec.hint || spec.kind === 'date' ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
      return eta.render('@field', {
        ...spec,
        id,
        kind: spec.kind === 'money' || spec.kind === 'integer' || spec.kind === 'date' ? 'text' : spec.kind,
        hint: spec.kind === 'date' ? (spec.hint ?? 'W formacie RRRR-MM-DD, np. 2026-03-01') : spec.hint,
        inputmode: spec.kind === 'money' || spec.kind === 'integer' ? 'decimal' : spec.inputmode,
        width: spec.width ?? (spec.kind === 'money' || spec.kind === 'date' || spec.kind === 'integer' ? 'w-10' : 'w-full'),
        value,
        error,
        describedBy,
        options: spec.options?.map((o) => ({ ...o, selected: o.value === value })),
      });
    };

    const valuesFor = (key: SectionKey): Values => (refused?.form === key ? refused.state.values : sectionValues(offer, key));
    const rowsFor = (key: SectionKey, list: RowList): number => {
      if (refused?.form === key && refused.rows) return refused.rows[list];
      const saved = list === 'schedule' ? offer.schedule.length : list === 'results' ? offer.results.length : offer.costs.length;
      return Math.min(saved + EMPTY_ROWS[list], MAX_ROWS[list]);
    };

    const forms: string[] = [];
    if (editable) {
      const section = (key: SectionKey, short: string, body: string) =>
        eta.render(SECTION_FORM, { key, heading: SECTIONS[key], short, action: `${offerPath(id)}/sections/${key}`, csrf, version: offer.version, body });

      // I–III: the lead and up to three partners (a joint offer), title, place, dates
      {
        const v = valuesFor('basic');
        const chosen = Array.isArray(v.ngoIds) ? v.ngoIds : [];
        const options: Option[] = [{ value: '', label: '— brak —' }, ...(await ngos.directory(ctx.actor))
          .filter((n) => n.id !== ctx.actor.ngoId)
          .map(ngoOption)];
        const partners = Array.from({ length: PARTNERS }, (_u, i) =>
          field({ name: `ngoIds.${i + 1}`, label: `Organizacja partnerska ${i + 1} (nieobowiązkowe)`, kind: 'select', options, hint: i === 0 ? 'Tylko w ofercie wspólnej: organizacje, które realizują zadanie razem z Twoją' : undefined }, {}, { id: `f-ngoIds-${i + 1}`, value: chosen[i + 1] ?? '' }).replace(
            `name="ngoIds.${i + 1}"`,
            'name="ngoIds"',
          ),
        ).join('');
        const body = `<p>Oferent (lider): <strong>${escapeHtml(names.get(ctx.actor.ngoId!) ?? '')}</strong></p><input type="hidden" name="ngoIds" value="${escapeHtml(ctx.actor.ngoId!)}">
<fieldset class="group"><legend>Oferta wspólna</legend>${partners}</fieldset>
${field({ name: 'title', label: TEXT_LABELS.title, kind: 'text' }, v)}
${field({ name: 'place', label: TEXT_LABELS.place, kind: 'text', hint: 'Gmina, dzielnica, adres lub obiekt, w którym zadanie będzie realizowane' }, v)}
${field({ name: 'startDate', label: TEXT_LABELS.startDate, kind: 'date', hint: `W formacie RRRR-MM-DD, nie wcześniej niż ${call.taskStart}` }, v)}
${field({ name: 'endDate', label: TEXT_LABELS.endDate, kind: 'date', hint: `W formacie RRRR-MM-DD, nie później niż ${call.taskEnd}` }, v)}`;
        forms.push(section('basic', 'I–III', body));
      }

      // IV: description, the schedule's and the results' rows, the NGO's characteristics
      {
        const v = valuesFor('description');
        const ngoOptions: Option[] = [{ value: '', label: '— cała oferta —' }, ...offer.ngoIds.map((n) => ({ value: n, label: names.get(n) ?? n }))];
        const rows = (list: 'schedule' | 'results') =>
          Array.from({ length: rowsFor('description', list) }, (_u, i) => {
            const noun = `${ROW_NOUN[list]} ${i + 1}`;
            const saved = i < (list === 'schedule' ? offer.schedule.length : offer.results.length) || refused?.form === 'description';
            const specs: FieldSpec[] =
              list === 'schedule'
                ? [
                    { name: rowName(list, i, 'name'), label: labelOf(rowName(list, i, 'name')), kind: 'text' },
                    { name: rowName(list, i, 'description'), label: labelOf(rowName(list, i, 'description')), kind: 'textarea', optional: true },
                    { name: rowName(list, i, 'from'), label: labelOf(rowName(list, i, 'from')), kind: 'date' },
                    { name: rowName(list, i, 'to'), label: labelOf(rowName(list, i, 'to')), kind: 'date' },
                    ...(offer.ngoIds.length > 1 ? [{ name: rowName(list, i, 'ngoId'), label: labelOf(rowName(list, i, 'ngoId')), kind: 'select' as const, optional: true, options: ngoOptions }] : []),
                  ]
                : [
                    { name: rowName(list, i, 'name'), label: labelOf(rowName(list, i, 'name')), kind: 'text' },
                    { name: rowName(list, i, 'targetValue'), label: labelOf(rowName(list, i, 'targetValue')), kind: 'text', optional: true, hint: 'Np. 60 osób, 20 warsztatów' },
                    { name: rowName(list, i, 'monitoring'), label: labelOf(rowName(list, i, 'monitoring')), kind: 'textarea', optional: true },
                  ];
            return eta.render(ROW, {
              legend: saved && i < (list === 'schedule' ? offer.schedule.length : offer.results.length) ? noun : `${noun} (nowe – wypełnij, aby dodać)`,
              empty: !saved,
              fields: specs.map((s) => field(s, v)).join(''),
              remove: saved ? field({ name: rowName(list, i, 'remove'), label: `Usuń: ${noun.toLowerCase()}`, kind: 'checkbox' }, v) : '',
            });
          }).join('');
        const body = `${field({ name: 'summary', label: TEXT_LABELS.summary, kind: 'textarea', hint: 'Cel zadania, sposób realizacji, najważniejsze działania' }, v)}
${field({ name: 'targetGroup', label: TEXT_LABELS.targetGroup, kind: 'textarea' }, v)}
<h3>Plan i harmonogram działań</h3>
<p class="hint">Zapisane działania, a pod nimi puste, by dodać kolejne. Aby usunąć działanie, zaznacz „Usuń” i zapisz tę część.</p>
${rows('schedule')}
<h3>Zakładane rezultaty</h3>
${rows('results')}
${field({ name: 'priorActivity', label: TEXT_LABELS.priorActivity, kind: 'textarea' }, v)}
${field({ name: 'resources', label: TEXT_LABELS.resources, kind: 'textarea', hint: 'Osoby, sprzęt, lokal i środki, które oferent wykorzysta przy realizacji zadania' }, v)}`;
        forms.push(section('description', 'IV', body));
      }

      // V: the cost lines with their arithmetic, the funding sources, and the sums beside each other
      {
        const v = valuesFor('costs');
        const count = rowsFor('costs', 'costs');
        const categories: Option[] = [{ value: '', label: 'Wybierz…' }, ...COST_CATEGORIES.map((c) => ({ value: c, label: CATEGORY_LABELS[c] }))];
        let sumGrant = 0n;
        let sumOwn = 0n;
        let sumOther = 0n;
        let sumTotal = 0n;
        const byCategory: Record<string, bigint> = { action: 0n, administrative: 0n };
        const lines = Array.from({ length: count }, (_u, i) => {
          const noun = `Koszt ${i + 1}`;
          const savedCount = offer.costs.length;
          const saved = i < savedCount || refused?.form === 'costs';
          const removed = v[rowName('costs', i, 'remove')] === 'true';
          const line = lineOf(v, i);
          const g = (k: string) => grosze(str(v[rowName('costs', i, k)])) ?? 0n;
          let computed = '';
          if (!removed && (line.total !== null || line.sources > 0n)) {
            sumGrant += g('fromGrant');
            sumOwn += g('fromOwn');
            sumOther += g('fromOther');
            if (line.total !== null) {
              sumTotal += line.total;
              const cat = str(v[rowName('costs', i, 'category')]);
              if (cat in byCategory) byCategory[cat] += line.total;
            }
            const total = line.total === null ? 'nie da się policzyć (brak ilości lub kosztu jednostkowego)' : wholeGrosze(line.total);
            const agree = line.total !== null && line.total === line.sources * 100n;
            computed = `Koszt całkowity (ilość × koszt jednostkowy): ${total}. Dotacja + wkład własny + inne źródła: ${zl(line.sources)}${line.total === null ? '' : agree ? ' – zgadza się.' : ' – nie zgadza się z kosztem całkowitym.'}`;
          }
          const specs: FieldSpec[] = [
            { name: rowName('costs', i, 'category'), label: labelOf(rowName('costs', i, 'category')), kind: 'select', options: categories },
            { name: rowName('costs', i, 'name'), label: labelOf(rowName('costs', i, 'name')), kind: 'text' },
            { name: rowName('costs', i, 'unit'), label: labelOf(rowName('costs', i, 'unit')), kind: 'text', width: 'w-10', hint: 'Np. godzina, komplet' },
            { name: rowName('costs', i, 'quantity'), label: labelOf(rowName('costs', i, 'quantity')), kind: 'integer', hint: 'Np. 12 albo 1,5' },
            ...(['unitCost', 'fromGrant', 'fromOwn', 'fromOther'] as const).map((k): FieldSpec => ({ name: rowName('costs', i, k), label: labelOf(rowName('costs', i, k)), kind: 'money' })),
          ];
          return eta.render(ROW, {
            legend: i < savedCount || (refused?.form === 'costs' && saved) ? noun : `${noun} (nowy – wypełnij, aby dodać)`,
            empty: !saved,
            fields: specs.map((s) => field(s, v)).join(''),
            computed,
            computedId: `c-costs-${i}`,
            remove: saved ? field({ name: rowName('costs', i, 'remove'), label: `Usuń: ${noun.toLowerCase()}`, kind: 'checkbox' }, v) : '',
          });
        }).join('');
        const fund = (k: FundingKey) => grosze(str(v[`funding.${k}`])) ?? 0n;
        const fundOwn = fund('ownFinancial') + fund('personalInput') + fund('inKindInput');
        const fundOther = fund('benefitPayments') + fund('otherPublic') + fund('otherFunds');
        const fundTotal = fund('grantRequested') + fundOwn + fundOther;
        const mark = (a: bigint, b: bigint) => (a === b ? 'tak' : 'nie');
        const share = sumGrant + sumOwn + sumOther > 0n ? (Number(((sumOwn + sumOther) * 10_000n) / (sumGrant + sumOwn + sumOther)) / 100).toFixed(2).replace('.', ',') : '0,00';
        const summaryTable = eta.render('@table', {
          id: 'costs-sums-caption',
          caption: 'Podsumowanie: kosztorys (V.A) i źródła finansowania (V.B)',
          columns: [{ label: 'Pozycja' }, { label: 'Według kosztorysu', num: true }, { label: 'Według źródeł finansowania', num: true }, { label: 'Zgodne' }],
          rows: [
            { head: 'Dotacja', cells: [zl(sumGrant), zl(fund('grantRequested')), mark(sumGrant, fund('grantRequested'))] },
            { head: 'Wkład własny (finansowy, osobowy, rzeczowy)', cells: [zl(sumOwn), zl(fundOwn), mark(sumOwn, fundOwn)] },
            { head: 'Inne źródła (świadczenia, środki publiczne, pozostałe)', cells: [zl(sumOther), zl(fundOther), mark(sumOther, fundOther)] },
          ],
          foot: { head: 'Razem', cells: [zl(sumGrant + sumOwn + sumOther), zl(fundTotal), mark(sumGrant + sumOwn + sumOther, fundTotal)] },
        });
        const totals = `<ul class="totals">
<li>Koszty realizacji działań: ${zl(byCategory.action / 100n)}</li>
<li>Koszty administracyjne: ${zl(byCategory.administrative / 100n)}</li>
<li>Koszt całkowity zadania (suma pozycji): ${wholeGrosze(sumTotal)}</li>
${call.form === 'support' && call.ownContributionMin ? `<li>Wkład własny i inne środki: ${share}% kosztu (wymagane co najmniej ${String(call.ownContributionMin).replace('.', ',')}%)</li>` : ''}
</ul>`;
        const body = `<h3>V.A. Zestawienie kosztów realizacji zadania</h3>
<p class="hint">Kwoty w złotych, np. 12 500,50. W każdej pozycji ilość × koszt jednostkowy musi równać się sumie dotacji, wkładu własnego i innych źródeł. Aby usunąć pozycję, zaznacz „Usuń” i zapisz tę część.</p>
${lines}
<h3>V.B. Źródła finansowania kosztów realizacji zadania</h3>
${FUNDING_ORDER.map((k) => field({ name: `funding.${k}`, label: FUNDING_LABELS[k], kind: 'money', optional: k !== 'grantRequested' }, v)).join('')}
<h3>Podsumowanie kalkulacji</h3>
<p class="hint">Wyliczone z wartości w formularzu powyżej; po zapisaniu system sprawdzi je jeszcze raz.</p>
${totals}
${summaryTable}`;
        forms.push(section('costs', 'V', body));
      }

      // VI: other information
      {
        const v = valuesFor('other');
        const body = `${field({ name: 'volunteers', label: TEXT_LABELS.volunteers.replace(' (nieobowiązkowe)', ''), kind: 'textarea', optional: true }, v)}
${field({ name: 'otherInformation', label: TEXT_LABELS.otherInformation.replace(' (nieobowiązkowe)', ''), kind: 'textarea', optional: true, hint: 'Np. partnerzy, dotychczasowa współpraca z gminą, odpłatność działań' }, v)}`;
        forms.push(section('other', 'VI', body));
      }
    }

    const confirmSubmit = editable && open ? field({ name: 'confirm', label: 'Potwierdzam, że dane w ofercie są zgodne z prawdą, i składam ofertę', kind: 'checkbox' }, refused?.form === 'submit' ? refused.state.values : {}, { id: 'f-confirm' }) : '';
    const canWithdraw = lead && ['submitted', 'accepted', 'rejected'].includes(offer.status) && call.status !== 'resolved' && call.status !== 'cancelled';
    const confirmWithdraw = canWithdraw
      ? field({ name: 'confirm', label: 'Tak, wycofuję tę ofertę', kind: 'checkbox' }, refused?.form === 'withdraw' ? refused.state.values : {}, { id: 'f-confirm-withdraw' })
      : '';

    // the error summary: general messages, then every field's in the order of the page; what has no field of its own is general
    const placed = new Set(order.map((o) => o.name));
    const summary: Array<{ href?: string; message: string }> = [
      ...general.map((message) => ({ message })),
      ...Object.entries(errors)
        .filter(([name]) => !placed.has(name))
        .map(([, message]) => ({ message })),
      ...order.filter((o) => errors[o.name]).map((o) => ({ href: `#${o.id}`, message: errors[o.name] })),
    ];
    const seen = new Set<string>();
    const errorList = summary.filter((e) => {
      const k = `${e.href ?? ''}|${e.message}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });

    const missingList = missing.map((item) => {
      const at = order.find((o) => o.name === item.field);
      return { href: at ? `#${at.id}` : undefined, message: item.message };
    });
    const readOnly = editable ? '' : renderReadOnly(offer, names);
    const heading = offer.title ? `Oferta: ${offer.title}` : 'Oferta (bez tytułu)';
    const body = eta.render(OFFER, {
      heading,
      errors: errorList,
      missing: missingList,
      changes: refused?.changes ?? [],
      facts,
      notice,
      problemsCount: editable && problems.length ? problems.length : 0,
      draftReady: editable && problems.length === 0,
      editable,
      sections: (Object.keys(SECTIONS) as SectionKey[]).map((key) => ({ key, heading: SECTIONS[key] })),
      forms,
      canSubmit: editable && open,
      submitAction: `${offerPath(id)}/submit`,
      deadline: deadlineOf(call),
      confirmSubmit,
      version: offer.version,
      csrf,
      readOnly,
      printHref: offer.checksum ? `${offerPath(id)}/print` : null,
      canWithdraw,
      withdrawAction: `${offerPath(id)}/withdraw`,
      confirmWithdraw,
    });
    return { status, html: renderLayout({ title: heading, body, session: ctx.session, section: '/app/offers', hasErrors: !!refused && errorList.length > 0 }) };
  };

  // officials and members read submitted offers here too (as the API lets them); a draft is its NGO's alone (404)
  routes.get('/app/offers/:id', { permission: 'signed-in' }, (ctx) => offerPage(ctx, uuid(ctx.params.id)));

  routes.post('/app/offers/:id/sections/:section', { permission: 'ngo' }, async (ctx) => {
    const id = uuid(ctx.params.id);
    const key = ctx.params.section as SectionKey;
    if (!Object.hasOwn(SECTIONS, key)) throw new NotFound('section');
    const rows = { schedule: postedRows(ctx.body, 'schedule'), results: postedRows(ctx.body, 'results'), costs: postedRows(ctx.body, 'costs') };
    const specs = postedSpecs(key, rows);
    const state = emptyForm(formValues(ctx.body, specs));
    // the partner selects are posted under the one name ngoIds, the lead first (a hidden field)
    const { input, formField } = sectionInput(key, state.values, rows, ctx.actor.ngoId!);
    try {
      const saved = await offers.update(ctx.actor, id, await validated(UpdateOfferDto, { ...input, version: versionOf(ctx.body) }));
      const left = saved.problems?.length ?? 0;
      await sessions.flash(ctx.session, `Zapisano część ${SECTIONS[key].split('.')[0]} szkicu oferty.${left ? ` Do złożenia oferty zostało poprawek: ${left}.` : ' Oferta spełnia wszystkie reguły konkursu – możesz ją złożyć.'}`);
      return { redirect: `${offerPath(id)}#s-${key}` };
    } catch (error) {
      if (!(error instanceof DomainError) || !['validation', 'conflict', 'rule-violation', 'stale-version'].includes(error.kind)) throw error;
      for (const e of error.errors ?? []) {
        const at = formField(e.field);
        if (at === 'version') state.general.push('Formularz nie zawiera wersji szkicu – odśwież stronę i spróbuj ponownie.');
        else addMessage(state.errors, at, offerRuleMessage(e, null));
      }
      if (error.kind === 'stale-version') state.general.push('Ktoś inny zapisał ten szkic, gdy go edytowałeś. Poniżej są Twoje wartości tej części z obecną wersją szkicu – sprawdź je i zapisz ponownie.');
      else if (error.kind === 'conflict') state.general.push('Złożonej oferty nie można już zmieniać.');
      else if (!error.errors?.length) state.general.push(error.message);
      const status = error.kind === 'validation' ? 400 : error.kind === 'rule-violation' ? 422 : 409;
      const changes = error.kind === 'stale-version' ? await staleChanges(ctx.actor, id, key, state.values) : [];
      return offerPage(ctx, id, { form: key, state, rows, changes }, status);
    }
  });

  /** The section's fields whose saved value differs from the one the user sent (money compared as amounts). */
  const staleChanges = async (actor: Actor, id: string, key: SectionKey, yours: Values) => {
    const current = await offers.get(actor, id);
    const saved = sectionValues(current, key);
    const theirs: Values = { ...yours, ...(Array.isArray(yours.ngoIds) ? { ngoIds: yours.ngoIds.filter((x) => x !== '') } : {}) };
    const names = await ngoNames(actor, [...current.ngoIds, ...(Array.isArray(theirs.ngoIds) ? theirs.ngoIds : [])]);
    const fields = [...new Set([...Object.keys(saved), ...Object.keys(theirs)])].filter((name) => !/\.remove$/.test(name));
    const specs: FieldSpec[] = fields.map((name) =>
      name === 'ngoIds'
        ? { name, label: 'Oferenci', kind: 'selects', options: [...names].map(([value, l]) => ({ value, label: l })) }
        : { name, label: labelOf(name), kind: /(unitCost|fromGrant|fromOwn|fromOther)$|^funding\./.test(name) ? 'money' : 'text' },
    );
    return differences(specs, saved, theirs);
  };

  const CONFIRM: FieldSpec[] = [{ name: 'confirm', label: 'Potwierdzenie', kind: 'checkbox' }];

  routes.post('/app/offers/:id/submit', { permission: 'ngo' }, async (ctx) => {
    const id = uuid(ctx.params.id);
    const state = emptyForm(formValues(ctx.body, CONFIRM));
    if (state.values.confirm !== 'true') {
      state.errors.confirm = 'Zaznacz potwierdzenie, aby złożyć ofertę';
      return offerPage(ctx, id, { form: 'submit', state }, 400);
    }
    try {
      const { version } = await validated(VersionDto, { version: versionOf(ctx.body) });
      const submitted = await offers.submit(ctx.actor, id, version);
      await sessions.flash(ctx.session, `Złożono ofertę ${formatInstant(new Date(submitted.submittedAt!))} (czas warszawski). Suma kontrolna: ${submitted.checksum}.`);
      return { redirect: offerPath(id) };
    } catch (error) {
      if (!(error instanceof DomainError) || !['validation', 'conflict', 'rule-violation', 'stale-version'].includes(error.kind)) throw error;
      const call = await offers.get(ctx.actor, id).then((o) => calls.get(ctx.actor, o.callId));
      const deadline = (error.errors ?? []).some((e) => e.rule === 'offer.deadline');
      if (deadline) state.general.push(offerRuleMessage({ rule: 'offer.deadline', field: 'offersUntil', message: '' }, call));
      else if (error.kind === 'rule-violation') {
        state.general.push('Oferty nie złożono: nie spełnia reguł konkursu. Popraw pola opisane poniżej, zapisz je i złóż ofertę ponownie.');
        for (const e of error.errors ?? []) addMessage(state.errors, shownAt(e.field), offerRuleMessage(e, call));
      } else if (error.kind === 'stale-version') state.general.push('Szkic zmienił się od chwili otwarcia tej strony (ktoś go zapisał). Sprawdź go i złóż ofertę ponownie.');
      else if (error.kind === 'conflict') state.general.push('Ta oferta została już złożona albo wycofana.');
      else state.general.push('Formularz nie zawiera wersji szkicu – odśwież stronę i spróbuj ponownie.');
      const status = error.kind === 'validation' ? 400 : error.kind === 'rule-violation' ? 422 : 409;
      return offerPage(ctx, id, { form: 'submit', state }, status);
    }
  });

  routes.post('/app/offers/:id/withdraw', { permission: 'ngo' }, async (ctx) => {
    const id = uuid(ctx.params.id);
    const state = emptyForm(formValues(ctx.body, CONFIRM));
    if (state.values.confirm !== 'true') {
      state.errors.confirm = 'Zaznacz „Tak, wycofuję tę ofertę”, aby ją wycofać';
      return offerPage(ctx, id, { form: 'withdraw', state }, 400);
    }
    try {
      const { version } = await validated(VersionDto, { version: versionOf(ctx.body) });
      await offers.withdraw(ctx.actor, id, version);
      await sessions.flash(ctx.session, 'Wycofano ofertę. Komisja nie będzie jej oceniać.');
      return { redirect: offerPath(id) };
    } catch (error) {
      if (!(error instanceof DomainError) || !['validation', 'conflict', 'stale-version'].includes(error.kind)) throw error;
      state.general.push(error.kind === 'stale-version' ? 'Oferta zmieniła się od chwili otwarcia tej strony. Sprawdź ją i spróbuj ponownie.' : error.kind === 'conflict' ? 'Tej oferty nie można już wycofać (konkurs rozstrzygnięto lub unieważniono albo oferta jest już wycofana).' : 'Formularz nie zawiera wersji oferty – odśwież stronę i spróbuj ponownie.');
      return offerPage(ctx, id, { form: 'withdraw', state }, error.kind === 'validation' ? 400 : 409);
    }
  });

  // the error summary of the confirmation checkboxes links to them (f-confirm, f-confirm-withdraw): offerPage names them

  // ------------------------------------------------------------ /app/offers/{id}/print

  routes.get('/app/offers/:id/print', { permission: 'signed-in' }, async (ctx) => {
    const offer = await offers.get(ctx.actor, uuid(ctx.params.id));
    // the confirmation is of a submitted offer: a draft has none
    if (!offer.checksum || !offer.submittedAt) throw new NotFound('offer confirmation');
    const call = await calls.get(ctx.actor, offer.callId);
    const names = await ngoNames(ctx.actor, offer.ngoIds);
    const sum = (...keys: FundingKey[]) => zl(keys.reduce((s, k) => s + (offer.funding[k] ? toGrosze(offer.funding[k]) : 0n), 0n));
    const html = eta.render(PRINT, {
      stylesheet: STYLESHEET_PATH,
      title: offer.title ?? '',
      backHref: offerPath(offer.id),
      municipality: ctx.session.municipality.name,
      checksum: offer.checksum,
      ngos: offer.ngoIds.map((n) => names.get(n) ?? n),
      facts: [
        { label: 'Konkurs', value: `${call.number}: ${call.title}` },
        { label: 'Forma zlecenia', value: label(FORM_LABELS, call.form) },
        { label: offer.ngoIds.length > 1 ? 'Oferenci (oferta wspólna)' : 'Oferent', value: offer.ngoIds.map((n, i) => `${names.get(n) ?? n}${i === 0 && offer.ngoIds.length > 1 ? ' (lider)' : ''}`).join(', ') },
        { label: 'Tytuł zadania publicznego', value: offer.title ?? '—' },
        { label: 'Termin realizacji', value: offer.startDate && offer.endDate ? `${formatDay(offer.startDate)} – ${formatDay(offer.endDate)}` : '—' },
        { label: 'Koszt całkowity zadania', value: sum(...FUNDING_KEYS) },
        { label: 'Wnioskowana kwota dotacji', value: sum('grantRequested') },
        { label: 'Wkład własny (finansowy, osobowy, rzeczowy)', value: sum('ownFinancial', 'personalInput', 'inKindInput') },
        { label: 'Inne źródła', value: sum('benefitPayments', 'otherPublic', 'otherFunds') },
        { label: 'Data i godzina złożenia', value: `${formatInstant(new Date(offer.submittedAt))} (czas warszawski)` },
        { label: 'Identyfikator oferty', value: offer.id },
      ],
    });
    return { html };
  });
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A submitted (or not editable) offer, section by section, as tables and facts. */
function renderReadOnly(o: OfferView, names: ReadonlyMap<string, string>): string {
  const t = (v: string | null | undefined) => (v === null || v === undefined || v === '' ? '—' : v);
  const money = (v: string | null | undefined) => (v ? formatPln(v) : '—');
  const day = (v: string | null | undefined) => (v ? formatDay(v) : '—');
  return eta.render(READ_ONLY, {
    basic: [
      { label: o.ngoIds.length > 1 ? 'Oferenci' : 'Oferent', value: o.ngoIds.map((n) => names.get(n) ?? n).join(', ') },
      { label: TEXT_LABELS.title, value: t(o.title) },
      { label: TEXT_LABELS.place, value: t(o.place) },
      { label: 'Termin realizacji', value: `${day(o.startDate)} – ${day(o.endDate)}` },
    ],
    description: [
      { label: TEXT_LABELS.summary, value: t(o.summary) },
      { label: TEXT_LABELS.targetGroup, value: t(o.targetGroup) },
    ],
    schedule: {
      id: 'ro-schedule-caption',
      caption: 'Plan i harmonogram działań',
      columns: [{ label: 'Działanie' }, { label: 'Opis' }, { label: 'Od' }, { label: 'Do' }, ...(o.ngoIds.length > 1 ? [{ label: 'Realizuje' }] : [])],
      rows: o.schedule.map((s) => ({ head: t(s.name), cells: [t(s.description), t(s.from), t(s.to), ...(o.ngoIds.length > 1 ? [s.ngoId ? (names.get(s.ngoId) ?? s.ngoId) : '—'] : [])] })),
    },
    results: {
      id: 'ro-results-caption',
      caption: 'Zakładane rezultaty',
      columns: [{ label: 'Rezultat' }, { label: 'Planowany poziom' }, { label: 'Sposób monitorowania' }],
      rows: o.results.map((r) => ({ head: t(r.name), cells: [t(r.targetValue), t(r.monitoring)] })),
    },
    characteristics: [
      { label: TEXT_LABELS.priorActivity, value: t(o.priorActivity) },
      { label: TEXT_LABELS.resources, value: t(o.resources) },
    ],
    costs: {
      id: 'ro-costs-caption',
      caption: 'Zestawienie kosztów (V.A)',
      columns: [
        { label: 'Rodzaj kosztu' },
        { label: 'Kategoria' },
        { label: 'Ilość', num: true },
        { label: 'Miara' },
        { label: 'Koszt jednostkowy', num: true },
        { label: 'Koszt całkowity', num: true },
        { label: 'Z dotacji', num: true },
        { label: 'Z wkładu własnego', num: true },
        { label: 'Z innych źródeł', num: true },
      ],
      rows: o.costs.map((c) => {
        const total = c.quantity !== null && c.quantity !== undefined && c.unitCost ? BigInt(Math.round(c.quantity * 100)) * toGrosze(c.unitCost) : null;
        return {
          head: t(c.name),
          cells: [c.category ? label(CATEGORY_LABELS, c.category) : '—', quantityForForm(c.quantity) || '—', t(c.unit), money(c.unitCost), total === null ? '—' : wholeGrosze(total), money(c.fromGrant), money(c.fromOwn), money(c.fromOther)],
        };
      }),
    },
    funding: {
      id: 'ro-funding-caption',
      caption: 'Źródła finansowania (V.B)',
      columns: [{ label: 'Źródło' }, { label: 'Kwota', num: true }],
      rows: FUNDING_ORDER.map((k) => ({ head: FUNDING_LABELS[k], cells: [money(o.funding[k])] })),
      foot: { head: 'Razem', cells: [zl(FUNDING_KEYS.reduce((s, k) => s + (o.funding[k] ? toGrosze(o.funding[k]) : 0n), 0n))] },
    },
    other: [
      { label: 'Działania wolontariuszy', value: t(o.volunteers) },
      { label: 'Inne informacje', value: t(o.otherInformation) },
    ],
  });
}
