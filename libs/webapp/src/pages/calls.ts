import {
  AddMemberDto,
  CALL_FORMS,
  CALL_STATUSES,
  CallQuery,
  CallsService,
  CANCELLATION_REASONS,
  CancelCallDto,
  CommissionAccess,
  CreateCallDto,
  DeclarationDto,
  defaultCriteria,
  FormalCheckDto,
  OffersService,
  ResolveCallDto,
  ScoresDto,
  UpdateCallDto,
  VersionDto,
  type CallMemberView,
  type CallView,
  type OfferView,
  type RankingItem,
} from '@app/competitions';
import { DomainError, Forbidden, FORM_LABELS, formatDay, formatInstant, formatInteger, formatPln, label, roleHas, type Actor, type FieldError } from '@app/core';
import { UsersService } from '@app/identity';
import { NgosService } from '@app/ngos';
import { ProgramsService } from '@app/programs';
import { SpheresService } from '@app/spheres';
import { differences, emptyForm, fieldId, formValues, moneyForForm, parsePolishMoney, polishMessage, renderFields, validated, versionOf, type FieldSpec, type FormState, type Option } from '../forms';
import { messagePage, renderLayout, type Outcome, type PageContext, type WebRoutes } from '../http';
import { codeOptions, everyPage, filteredPage, FILTERED_LIST, one, pager, selectFilter } from '../lists';
import type { WebSessions } from '../sessions';
import { eta, template } from '../views';
import { uuid } from './ngos';
import { programOptions } from './programs';
import { allNgos, ngoOption, taskPath } from './tasks';

export const callPath = (id: string) => `/app/calls/${id}`;

export const CALL_STATUS_LABELS: Readonly<Record<string, string>> = {
  draft: 'szkic',
  published: 'ogłoszony – przyjmuje oferty',
  closed: 'zamknięty',
  resolved: 'rozstrzygnięty',
  cancelled: 'unieważniony',
};

export const OFFER_STATUS_LABELS: Readonly<Record<string, string>> = {
  draft: 'robocza',
  submitted: 'złożona, czeka na ocenę formalną',
  accepted: 'spełnia wymogi formalne',
  rejected: 'odrzucona z przyczyn formalnych',
  awarded: 'dotacja przyznana',
  'not-awarded': 'bez dotacji',
  withdrawn: 'wycofana',
};

// art. 18a ustawy
const CANCELLATION_LABELS: Readonly<Record<string, string>> = {
  'no-offers': 'nie złożono żadnej oferty',
  'no-valid-offers': 'żadna ze złożonych ofert nie spełnia wymogów zawartych w ogłoszeniu',
};

const MEMBER_ROLE_LABELS: Readonly<Record<string, string>> = { chair: 'przewodniczący', member: 'członek' };
const USER_ROLE_LABELS: Readonly<Record<string, string>> = { admin: 'administrator', official: 'urzędnik', ngo: 'osoba wskazana przez organizację' };

const choose = (labels: Readonly<Record<string, string>>, codes: readonly string[]): Option[] => [{ value: '', label: 'Wybierz…' }, ...codeOptions(labels, codes)];
const money = (amount: string | null | undefined) => (amount ? formatPln(amount) : '—');
const offerTitle = (title: string | null) => title ?? '(oferta bez tytułu)';
/** A long text of the announcement as paragraphs (no inline styles under the CSP, so no pre-line). */
const paragraphs = (text: string) => text.split(/\n\s*\n|\r?\n/).map((p) => p.trim()).filter(Boolean);

// ---------------------------------------------------------------------------------------------
// The deadline: a Warsaw day and time on the form, an instant with its offset in the API.

const WARSAW_OFFSET = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Warsaw', timeZoneName: 'longOffset' });
const WARSAW_PARTS = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Warsaw', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** Europe/Warsaw's offset at an instant, in minutes (+60 in winter, +120 in summer). */
function warsawOffsetMinutes(at: number): number {
  const name = WARSAW_OFFSET.formatToParts(new Date(at)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

/**
 * "2026-03-29" and "15:30" in Warsaw as an ISO instant with the offset in force then
 * ("2026-03-29T15:30:00+02:00"); null when the day or time is not well-formed (the form says so).
 */
export function warsawInstant(day: string, time: string): string | null {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  const t = /^(\d{1,2})[:.](\d{2})$/.exec(time);
  if (!d || !t || Number(t[1]) > 23 || Number(t[2]) > 59) return null;
  const local = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]), Number(t[1]), Number(t[2]));
  if (Number.isNaN(local) || new Date(local).toISOString().slice(0, 10) !== day) return null;
  // the offset of the instant this wall-clock time names (twice: the first guess may sit across a DST change)
  let offset = warsawOffsetMinutes(local - warsawOffsetMinutes(local) * 60_000);
  offset = warsawOffsetMinutes(local - offset * 60_000);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${day}T${t[1].padStart(2, '0')}:${t[2]}:00${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** An instant as the form shows it: its Warsaw day and time. */
export function warsawDayAndTime(instant: string): { day: string; time: string } {
  const parts = Object.fromEntries(WARSAW_PARTS.formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
  return { day: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}

const deadline = (c: Pick<CallView, 'offersUntil'>) => formatInstant(new Date(c.offersUntil));

// ---------------------------------------------------------------------------------------------
// The API's answers about calls, in Polish.

const amountIn = (message: string, n = 0) => {
  const found = message.match(/\d+\.\d{2}/g) ?? [];
  return found[n] ? formatPln(found[n]) : '';
};
const daysIn = (message: string) => message.match(/\d{4}-\d{2}-\d{2}/g) ?? [];

const CALL_RULES: Record<string, (e: FieldError) => string> = {
  'call.program-exists': () => 'Nie ma takiego programu w gminie',
  'call.program-annual': () => 'Konkurs realizuje program roczny – wybierz program roczny, nie wieloletni',
  'call.program-archived': () => 'Ten program jest zarchiwizowany',
  'call.task-dates-order': () => 'Koniec realizacji zadania nie może być wcześniejszy niż jej początek',
  'call.task-dates-in-programme': (e) => `Termin realizacji zadania musi mieścić się w roku programu rocznego (${/\d{4}/.exec(e.message)?.[0] ?? ''})`,
  'call.decision-after-deadline': () => 'Termin wyboru ofert nie może być wcześniejszy niż termin składania ofert',
  'call.grant-limits': (e) =>
    /smaller/.test(e.message)
      ? 'Najwyższa dotacja nie może być niższa niż najniższa'
      : e.field === 'maxGrant'
        ? 'Najwyższa dotacja nie może przekraczać środków przeznaczonych na konkurs'
        : 'Najniższa dotacja nie może przekraczać środków przeznaczonych na konkurs',
  'call.own-contribution-support-only': () => 'Wkładu własnego można wymagać tylko w konkursie na wspieranie zadania',
  'call.criteria-unique': () => 'Ten kod kryterium już się powtarza – każde kryterium musi mieć inny kod',
  'call.offer-period-21-days': (e) => {
    const [published, earliest] = daysIn(e.message);
    return `Oferty przyjmuje się co najmniej 21 dni od dnia ogłoszenia konkursu (art. 13 ust. 1 ustawy): przy ogłoszeniu ${published ? formatDay(published) : 'dzisiaj'} termin składania ofert może przypaść najwcześniej ${earliest ? formatDay(earliest) : 'za 21 dni'}`;
  },
  'call.cancel-no-offers': () => 'W konkursie złożono oferty, więc nie można go unieważnić z powodu braku ofert',
  'call.cancel-no-valid-offers': (e) =>
    /await/.test(e.message) ? 'Nie wszystkie oferty przeszły ocenę formalną – najpierw ją zapisz' : 'Co najmniej jedna oferta spełnia wymogi formalne, więc ten powód unieważnienia nie zachodzi',
  'call.offers-unchecked': (e) => `Nie wszystkie oferty przeszły ocenę formalną (czeka: ${/^\d+/.exec(e.message)?.[0] ?? 'kilka'}) – najpierw ją zapisz`,
  'call.award-once': () => 'Ta oferta jest wybrana więcej niż raz',
  'call.award-offer': () => 'Nie ma takiej złożonej oferty w tym konkursie',
  'call.award-accepted': () => 'Dotację można przyznać tylko ofercie, która spełnia wymogi formalne',
  'call.award-within-request': (e) => `Dotacja nie może przekraczać kwoty, o którą wnosi oferta (${amountIn(e.message)})`,
  'call.awards-within-budget': (e) => `Suma dotacji (${amountIn(e.message, 0)}) przekracza środki przeznaczone na konkurs (${amountIn(e.message, 1)})`,
  'call.awards-required': () => 'Wpisz dotację co najmniej jednej ofercie; gdy żadna oferta nie spełnia wymogów, konkurs się unieważnia',
  'call.member-user': (e) => (/deactivated/.test(e.message) ? 'To konto jest wyłączone' : 'Nie ma takiego użytkownika w gminie'),
  'call.member-role': () => 'Audytor nie może być członkiem komisji konkursowej',
  'call.member-ngo': (e) => (/Name the NGO/.test(e.message) ? 'Wskaż organizację, która zgłosiła tę osobę' : 'Nie ma takiej organizacji w rejestrze gminy'),
  'call.member-bidder': () => 'W komisji nie może zasiadać osoba wskazana przez organizację biorącą udział w konkursie ani działająca w jej imieniu (art. 15 ust. 2d ustawy)',
  'call.declaration-offer': () => 'Nie ma takiej złożonej oferty w tym konkursie',
  'offer.rejection-reason': () => 'Podaj powód odrzucenia oferty',
  'score.criterion': () => 'To nie jest kryterium tego konkursu',
  'score.criterion-once': () => 'To kryterium jest ocenione dwa razy',
  'score.max-points': (e) => `Najwyżej ${/at most (\d+)/.exec(e.message)?.[1] ?? ''} pkt`,
  'score.every-criterion': (e) => `Oceń każde kryterium: brak oceny za „${/^"([^"]+)"/.exec(e.message)?.[1] ?? ''}”`,
};

/** Conflicts (409) the calls' services answer with, worded for people. */
const CONFLICTS: Array<[RegExp, (m: RegExpMatchArray) => string]> = [
  [/^A call numbered "(.*)" exists already$/, (m) => `Konkurs o numerze „${m[1]}” już istnieje w gminie`],
  [/announcement is frozen/, () => 'Ogłoszony konkurs nie może być już zmieniany'],
  [/^The call is still taking offers$/, () => 'Konkurs jeszcze przyjmuje oferty'],
  [/^A call can be cancelled once its deadline has passed/, () => 'Konkurs można unieważnić dopiero po upływie terminu składania ofert'],
  [/^The formal check starts when the deadline has passed$/, () => 'Ocenę formalną zapisuje się po upływie terminu składania ofert'],
  [/^A (\S+) offer is not checked$/, () => 'Tej oferty nie poddaje się już ocenie formalnej'],
  [/^The person sits on this commission already$/, () => 'Ta osoba jest już członkiem komisji'],
  [/^The member has scored offers/, () => 'Ten członek komisji ocenił już oferty – jego karty ocen zostają w aktach, więc nie można go usunąć'],
  [/^The declaration is filed once the deadline/, () => 'Oświadczenie składa się po upływie terminu składania ofert'],
  [/^The declaration is filed already$/, () => 'Oświadczenie zostało już złożone'],
  [/^Offers are scored once the deadline has passed$/, () => 'Oferty ocenia się po upływie terminu składania ofert'],
  [/^Only an offer accepted at the formal check is scored$/, () => 'Ocenia się tylko oferty, które spełniają wymogi formalne'],
  [/^The call is resolved already$/, () => 'Konkurs jest już rozstrzygnięty'],
  [/^The call is (\w+)( already)?$/, (m) => `Konkurs ma już status: ${label(CALL_STATUS_LABELS, m[1])}`],
];

/** The calls' DTOs' own messages that forms.ts does not word. */
const CALL_MESSAGES: Array<[RegExp, (label: string) => string]> = [
  [/^must be a number with at most two decimals$/, (l) => `Wpisz w polu „${l}” liczbę, najwyżej z dwoma miejscami po przecinku, np. 7,5`],
  [/^must be lower-case letters, digits and dashes$/, () => 'Kod kryterium może zawierać tylko małe litery bez polskich znaków, cyfry i łączniki, np. jakosc-dzialan'],
  [/^must hold at least one criterion$/, () => 'Wpisz co najmniej jedno kryterium albo wybierz kryteria ustawowe'],
  [/^must hold at most 30 criteria$/, () => 'Konkurs może mieć najwyżej 30 kryteriów'],
];

function callMessage(labelText: string, e: FieldError): string {
  if (e.rule && Object.hasOwn(CALL_RULES, e.rule)) return CALL_RULES[e.rule](e);
  const own = CALL_MESSAGES.find(([re]) => re.test(e.message));
  return own ? own[1](labelText) : polishMessage(labelText, e);
}

/**
 * Like forms.ts's applyError, with the calls' rules in Polish and the API's field names mapped to
 * the form's (`offersUntil` → the deadline's day field, `awards[1].amount` → that offer's amount).
 */
function applyCallError(state: FormState, error: unknown, specs: readonly FieldSpec[], rename: (field: string) => string = (f) => f): number {
  if (!(error instanceof DomainError) || !['validation', 'conflict', 'rule-violation', 'stale-version'].includes(error.kind)) throw error;
  for (const e of error.errors ?? []) {
    // the DTO names a list's item `scores.0.points`, the services' rules `scores[0].points`: one form for both
    const name = rename(e.field.replace(/\.(\d+)(?=\.|$)/g, '[$1]'));
    const spec = specs.find((s) => s.name === name) ?? specs.find((s) => s.name === name.split(/[.[]/)[0]);
    const message = spec?.kind === 'select' && /^(is required|must not be null)$/.test(e.message) ? `Wybierz: ${spec.label.toLowerCase()}` : callMessage(spec?.label ?? name, e);
    if (spec) state.errors[spec.name] ??= message;
    else state.general.push(message);
  }
  if (error.kind === 'stale-version') state.general.push('Ktoś inny zmienił ten konkurs w międzyczasie. Poniżej są jego obecne dane z Twoimi zmianami – sprawdź je i zapisz ponownie.');
  else if (!error.errors?.length) {
    const known = CONFLICTS.map(([re, say]) => [re.exec(error.message), say] as const).find(([m]) => m);
    const message = known ? known[1](known[0]!) : error.message;
    if (/^A call numbered/.test(error.message) && specs.some((s) => s.name === 'number')) state.errors.number ??= message;
    else state.general.push(message);
  }
  return error.kind === 'validation' ? 400 : error.kind === 'rule-violation' ? 422 : 409;
}

// ---------------------------------------------------------------------------------------------
// Templates

/** The criteria of the call form: the statutory ones, or the rows below. */
const CRITERIA_FIELDS = template(
  '@call-criteria',
  `<div class="field<% if (it.modeError) { %> field-error<% } %>">
<fieldset aria-describedby="f-criteriaMode-hint<% if (it.modeError) { %> f-criteriaMode-error<% } %>">
<legend>Kryteria oceny ofert</legend>
<p class="hint" id="f-criteriaMode-hint">Bez zmian konkurs stosuje kryteria z art. 15 ust. 1 ustawy (przy powierzeniu – bez udziału środków własnych). Możesz też wpisać własne kryteria poniżej.</p>
<% if (it.modeError) { %><p class="error-message" id="f-criteriaMode-error"><span class="visually-hidden">Błąd:</span> <%= it.modeError %></p><% } %>
<ul class="checks">
<li class="check"><input type="radio" id="f-criteriaMode" name="criteriaMode" value="default"<% if (it.mode !== 'custom') { %> checked<% } %>><label for="f-criteriaMode">Kryteria ustawowe (art. 15 ust. 1)</label></li>
<li class="check"><input type="radio" id="f-criteriaMode-1" name="criteriaMode" value="custom"<% if (it.mode === 'custom') { %> checked<% } %>><label for="f-criteriaMode-1">Własne kryteria (wiersze poniżej)</label></li>
</ul>
</fieldset>
</div>
<% it.rows.forEach(function (r, i) { %>
<fieldset class="field criterion">
<legend>Kryterium <%= i + 1 %></legend>
<% r.fields.forEach(function (f) { %>
<div class="field<% if (f.error) { %> field-error<% } %>">
<label for="<%= f.id %>"><%= f.label %><span class="visually-hidden"> – kryterium <%= i + 1 %></span></label>
<% if (f.hint) { %><p class="hint" id="<%= f.id %>-hint"><%= f.hint %></p><% } %>
<% if (f.error) { %><p class="error-message" id="<%= f.id %>-error"><span class="visually-hidden">Błąd:</span> <%= f.error %></p><% } %>
<input id="<%= f.id %>" name="<%= f.name %>" type="text" value="<%= f.value %>" class="<%= f.width %>"<% if (f.inputmode) { %> inputmode="<%= f.inputmode %>"<% } %><% if (f.describedBy) { %> aria-describedby="<%= f.describedBy %>"<% } %><% if (f.error) { %> aria-invalid="true"<% } %>>
</div>
<% }) %>
</fieldset>
<% }) %>
`,
);

const CALL_FORM = template(
  '@call-form',
  `<h1><%= it.heading %></h1>
<%~ include('@error-summary', { errors: it.errors }) %>
<%~ include('@stale-changes', { changes: it.changes }) %>
<p>Ogłoszenie zawiera wszystko, czego wymaga art. 13 ust. 2 ustawy. Konkurs zapisuje się jako szkic; ogłaszasz go na jego stronie.</p>
<form method="post" action="<%= it.action %>" novalidate>
<input type="hidden" name="_csrf" value="<%= it.csrf %>">
<% if (it.version) { %><input type="hidden" name="version" value="<%= it.version %>"><% } %>
<%~ it.fields %>
<%~ it.criteria %>
<div class="actions"><button type="submit"><%= it.submit %></button><a href="<%= it.cancelHref %>">Anuluj</a></div>
</form>
`,
);

const RECORD = template(
  '@call',
  `<h1><%= it.title %></h1>
<%~ include('@error-summary', { errors: it.errors }) %>
<%~ include('@facts', { facts: it.facts }) %>
<% if (it.actions.length) { %><p class="actions"><% it.actions.forEach(function (a) { %><a class="button<% if (a.secondary) { %> secondary<% } %>" href="<%= a.href %>"><%= a.label %></a><% }) %></p><% } %>
<% if (it.publish) { %>
<section aria-labelledby="publish-heading">
<h2 id="publish-heading">Ogłoszenie konkursu</h2>
<div class="field<% if (it.publish.error) { %> field-error<% } %>" id="publish-deadline">
<p><strong>Termin składania ofert:</strong> <%= it.publish.deadline %></p>
<p class="hint" id="publish-deadline-hint">Oferty przyjmuje się co najmniej 21 dni od dnia ogłoszenia (art. 13 ust. 1 ustawy). Po ogłoszeniu treści ogłoszenia nie można już zmienić.</p>
<% if (it.publish.error) { %><p class="error-message" id="publish-deadline-error"><span class="visually-hidden">Błąd:</span> <%= it.publish.error %> <a href="<%= it.publish.editHref %>#f-offersUntilDate">Zmień termin składania ofert</a></p><% } %>
</div>
<form method="post" action="<%= it.publish.action %>" novalidate>
<input type="hidden" name="_csrf" value="<%= it.csrf %>">
<input type="hidden" name="version" value="<%= it.publish.version %>">
<button type="submit" aria-describedby="publish-deadline-hint">Ogłoś konkurs</button>
</form>
</section>
<% } %>
<% if (it.cancellation) { %>
<h2>Unieważnienie konkursu</h2>
<p><strong>Powód (art. 18a ustawy):</strong> <%= it.cancellation.reason %></p>
<% it.cancellation.justification.forEach(function (p) { %><p><%= p %></p><% }) %>
<% } %>
<% if (it.results) { %>
<h2>Wyniki konkursu</h2>
<% if (it.results.rows.length) { %><%~ include('@table', it.results) %><% } else { %><p>Żadnej ofercie nie przyznano dotacji.</p><% } %>
<% } %>
<h2>Zasady przyznawania dotacji</h2>
<% it.grantRules.forEach(function (p) { %><p><%= p %></p><% }) %>
<h2>Tryb i kryteria wyboru ofert</h2>
<% it.selectionProcedure.forEach(function (p) { %><p><%= p %></p><% }) %>
<%~ include('@table', it.criteria) %>
<h2>Zadania tego rodzaju w roku bieżącym i poprzednim</h2>
<p class="hint">Art. 13 ust. 2 pkt 7 ustawy: zadania publiczne tego samego rodzaju (tej samej sfery) zlecone przez gminę i koszty ich realizacji<% if (it.priorFrozen) { %>, według stanu z dnia ogłoszenia<% } %>.</p>
<%~ include('@table', it.priorSpend) %>
<% if (it.commission) { %>
<h2 id="commission">Komisja konkursowa</h2>
<% if (it.commission.table.rows.length) { %><%~ include('@table', it.commission.table) %><% } else { %><p>Komisja nie ma jeszcze członków.</p><% } %>
<% if (it.commission.removals.length) { %>
<h3>Usuń członka komisji</h3>
<p class="hint">Członka, który ocenił już oferty, nie można usunąć: jego karty ocen zostają w aktach.</p>
<ul class="plain">
<% it.commission.removals.forEach(function (r) { %><li><form method="post" action="<%= r.action %>" class="inline"><input type="hidden" name="_csrf" value="<%= it.csrf %>"><button type="submit" class="secondary">Usuń z komisji: <%= r.email %></button></form></li><% }) %>
</ul>
<% } %>
<% if (it.commission.addFields) { %>
<h3 id="add-member-heading">Dodaj członka komisji</h3>
<form method="post" action="<%= it.commission.addAction %>" aria-labelledby="add-member-heading" novalidate>
<input type="hidden" name="_csrf" value="<%= it.csrf %>">
<%~ it.commission.addFields %>
<div class="actions"><button type="submit">Dodaj członka komisji</button></div>
</form>
<% } %>
<% } %>
<% if (it.undeclared) { %>
<h2 id="offers">Złożone oferty</h2>
<p>Jesteś członkiem komisji konkursowej: oferty, ich ocenę formalną, ranking i rozstrzygnięcie zobaczysz po złożeniu oświadczenia o bezstronności (art. 15 ust. 2f ustawy). <a href="<%= it.undeclared %>">Złóż oświadczenie</a></p>
<% } %>
<% if (it.offers) { %>
<h2 id="offers">Złożone oferty</h2>
<% if (it.offers.table.rows.length) { %><%~ include('@table', it.offers.table) %><% } else { %><p>W konkursie nie złożono żadnej oferty.</p><% } %>
<% if (it.offers.checks.length) { %>
<h3>Ocena formalna</h3>
<p class="hint">Zapisz dla każdej oferty, czy spełnia wymogi formalne ogłoszenia; odrzucenie wymaga podania powodu. Zapisaną ocenę można zmienić do rozstrzygnięcia konkursu.</p>
<% it.offers.checks.forEach(function (c) { %>
<form method="post" action="<%= c.action %>" novalidate class="formal-check" aria-labelledby="<%= c.id %>-heading">
<h4 id="<%= c.id %>-heading"><%= c.title %></h4>
<p><%= c.ngos %>; wnioskowana dotacja: <%= c.requested %>. Obecnie: <%= c.status %>.</p>
<input type="hidden" name="_csrf" value="<%= it.csrf %>">
<div class="field<% if (c.resultError) { %> field-error<% } %>">
<fieldset<% if (c.resultError) { %> aria-describedby="<%= c.id %>-result-error"<% } %>>
<legend>Wynik oceny formalnej<span class="visually-hidden"> – <%= c.title %></span></legend>
<% if (c.resultError) { %><p class="error-message" id="<%= c.id %>-result-error"><span class="visually-hidden">Błąd:</span> <%= c.resultError %></p><% } %>
<ul class="checks">
<li class="check"><input type="radio" id="<%= c.id %>-result" name="result" value="accepted"<% if (c.result === 'accepted') { %> checked<% } %>><label for="<%= c.id %>-result">Spełnia wymogi formalne</label></li>
<li class="check"><input type="radio" id="<%= c.id %>-result-1" name="result" value="rejected"<% if (c.result === 'rejected') { %> checked<% } %>><label for="<%= c.id %>-result-1">Odrzucona z przyczyn formalnych</label></li>
</ul>
</fieldset>
</div>
<div class="field<% if (c.reasonError) { %> field-error<% } %>">
<label for="<%= c.id %>-reason">Powód odrzucenia albo uwagi<span class="visually-hidden"> – <%= c.title %></span></label>
<p class="hint" id="<%= c.id %>-reason-hint">Wymagany przy odrzuceniu, np. „oferta nie zawiera podpisów osób upoważnionych”</p>
<% if (c.reasonError) { %><p class="error-message" id="<%= c.id %>-reason-error"><span class="visually-hidden">Błąd:</span> <%= c.reasonError %></p><% } %>
<textarea id="<%= c.id %>-reason" name="reason" rows="2" aria-describedby="<%= c.id %>-reason-hint<% if (c.reasonError) { %> <%= c.id %>-reason-error<% } %>"<% if (c.reasonError) { %> aria-invalid="true"<% } %>><%= c.reason %></textarea>
</div>
<div class="actions"><button type="submit">Zapisz ocenę formalną</button></div>
</form>
<% }) %>
<% } %>
<% } %>
<% if (it.ranking) { %>
<h2 id="ranking">Ranking ofert</h2>
<p class="hint">Oferty spełniające wymogi formalne według średniej sumy punktów z kart ocen członków komisji.</p>
<% if (it.ranking.rows.length) { %><%~ include('@table', it.ranking) %><% } else { %><p>Żadna oferta nie przeszła jeszcze oceny formalnej.</p><% } %>
<% } %>
<% if (it.resolve) { %>
<h2 id="resolve-heading">Rozstrzygnięcie konkursu</h2>
<p>Wpisz kwotę dotacji dla ofert, które ją otrzymają; pozostałe zostaw puste. Każda kwota najwyżej do wnioskowanej, ich suma najwyżej do <%= it.resolve.budget %>. Rozstrzygnięcie tworzy zlecone zadania i nie można go cofnąć.</p>
<form method="post" action="<%= it.resolve.action %>" aria-labelledby="resolve-heading" novalidate>
<input type="hidden" name="_csrf" value="<%= it.csrf %>">
<% if (it.resolve.error) { %><p class="error-message" id="f-awards"><span class="visually-hidden">Błąd:</span> <%= it.resolve.error %></p><% } %>
<%~ it.resolve.fields %>
<div class="actions"><button type="submit">Rozstrzygnij konkurs</button></div>
</form>
<% } %>
<% if (it.cancel) { %>
<h2 id="cancel-heading">Unieważnienie konkursu</h2>
<p>Konkurs unieważnia się, gdy nie złożono żadnej oferty albo żadna nie spełnia wymogów ogłoszenia (art. 18a ustawy). Unieważnienie ogłasza się wraz z jego powodem.</p>
<form method="post" action="<%= it.cancel.action %>" aria-labelledby="cancel-heading" novalidate>
<input type="hidden" name="_csrf" value="<%= it.csrf %>">
<%~ it.cancel.fields %>
<div class="actions"><button type="submit" class="warning">Unieważnij konkurs</button></div>
</form>
<% } %>
`,
);

const SCORING = template(
  '@call-scoring',
  `<h1>Ocena ofert: <%= it.title %></h1>
<%~ include('@error-summary', { errors: it.errors }) %>
<p><a href="<%= it.callHref %>">Konkurs <%= it.number %></a> · termin składania ofert: <%= it.deadline %> · status: <%= it.status %></p>
<% if (it.waiting) { %>
<p>Oświadczenie o bezstronności złożysz, a oferty ocenisz po upływie terminu składania ofert.</p>
<% } else if (it.declaration) { %>
<h2 id="declaration-heading">Oświadczenie członka komisji</h2>
<p>Zanim zobaczysz oferty, złóż oświadczenie (art. 15 ust. 2f ustawy w związku z art. 24 Kodeksu postępowania administracyjnego). Zaznacz oferty, co do których zachodzą okoliczności wyłączające Cię z ich oceny – np. jesteś członkiem organizacji, która ją złożyła, albo pozostajesz z nią w takim stosunku prawnym lub faktycznym, że może to budzić wątpliwości co do Twojej bezstronności. Jeśli takich ofert nie ma, nie zaznaczaj żadnej. Ofert zaznaczonych nie będziesz oceniać.</p>
<form method="post" action="<%= it.declaration.action %>" aria-labelledby="declaration-heading" novalidate>
<input type="hidden" name="_csrf" value="<%= it.csrf %>">
<% if (it.declaration.offers.length) { %>
<div class="field<% if (it.declaration.conflictsError) { %> field-error<% } %>">
<fieldset aria-describedby="f-conflicts-hint<% if (it.declaration.conflictsError) { %> f-conflicts-error<% } %>">
<legend id="f-conflicts-legend">Oferty, z którymi mam konflikt interesów</legend>
<p class="hint" id="f-conflicts-hint">Tytuł oferty i organizacje, które ją złożyły</p>
<% if (it.declaration.conflictsError) { %><p class="error-message" id="f-conflicts-error"><span class="visually-hidden">Błąd:</span> <%= it.declaration.conflictsError %></p><% } %>
<ul class="checks single">
<% it.declaration.offers.forEach(function (o, i) { %><li class="check"><input type="checkbox" id="<%= i === 0 ? 'f-conflicts' : 'f-conflicts-' + i %>" name="conflicts" value="<%= o.id %>"<% if (o.checked) { %> checked<% } %>><label for="<%= i === 0 ? 'f-conflicts' : 'f-conflicts-' + i %>"><%= o.label %></label></li><% }) %>
</ul>
</fieldset>
</div>
<% } else { %>
<p>W konkursie nie złożono żadnej oferty.</p>
<% } %>
<div class="field<% if (it.declaration.confirmError) { %> field-error<% } %>">
<% if (it.declaration.confirmError) { %><p class="error-message" id="f-confirm-error"><span class="visually-hidden">Błąd:</span> <%= it.declaration.confirmError %></p><% } %>
<div class="check"><input type="checkbox" id="f-confirm" name="confirm" value="true"<% if (it.declaration.confirmed) { %> checked<% } %><% if (it.declaration.confirmError) { %> aria-describedby="f-confirm-error" aria-invalid="true"<% } %>><label for="f-confirm">Oświadczam, że wobec ofert niezaznaczonych powyżej nie zachodzą okoliczności wyłączające mnie z ich oceny, i znam odpowiedzialność za złożenie nieprawdziwego oświadczenia.</label></div>
</div>
<div class="actions"><button type="submit">Złóż oświadczenie</button></div>
</form>
<% } else { %>
<p role="status">Oświadczenie złożone <%= it.declaredAt %><% if (it.conflictCount) { %>; wyłączono Cię z oceny ofert: <%= it.conflictCount %><% } else { %>; bez konfliktu interesów<% } %>.</p>
<% if (!it.cards.length) { %><p>Nie ma ofert do oceny: żadna oferta, którą możesz ocenić, nie przeszła jeszcze oceny formalnej.</p><% } %>
<% it.cards.forEach(function (c) { %>
<section class="scoring-card" aria-labelledby="<%= c.id %>-heading">
<h2 id="<%= c.id %>-heading"><%= c.title %></h2>
<%~ include('@facts', { facts: c.facts }) %>
<% if (c.summary.length) { %><h3>Opis zadania</h3><% c.summary.forEach(function (p) { %><p><%= p %></p><% }) %><% } %>
<% if (c.saved) { %><p class="notice" id="<%= c.id %>-saved">Twoja zapisana ocena: <strong><%= c.saved %></strong>.</p><% } %>
<% if (c.form) { %>
<form method="post" action="<%= c.form.action %>" novalidate aria-labelledby="<%= c.id %>-heading">
<input type="hidden" name="_csrf" value="<%= it.csrf %>">
<% c.form.fields.forEach(function (f) { %>
<fieldset class="field criterion">
<legend><%= f.name %></legend>
<div class="field<% if (f.pointsError) { %> field-error<% } %>">
<label for="<%= f.pointsId %>">Punkty (od 0 do <%= f.max %>)<span class="visually-hidden"> – <%= f.name %></span></label>
<% if (f.pointsError) { %><p class="error-message" id="<%= f.pointsId %>-error"><span class="visually-hidden">Błąd:</span> <%= f.pointsError %></p><% } %>
<input id="<%= f.pointsId %>" name="points.<%= f.code %>" type="text" inputmode="decimal" value="<%= f.points %>" class="w-10"<% if (f.pointsError) { %> aria-describedby="<%= f.pointsId %>-error" aria-invalid="true"<% } %>>
</div>
<div class="field<% if (f.commentError) { %> field-error<% } %>">
<label for="<%= f.commentId %>">Uzasadnienie (nieobowiązkowe)<span class="visually-hidden"> – <%= f.name %></span></label>
<% if (f.commentError) { %><p class="error-message" id="<%= f.commentId %>-error"><span class="visually-hidden">Błąd:</span> <%= f.commentError %></p><% } %>
<textarea id="<%= f.commentId %>" name="comment.<%= f.code %>" rows="2"<% if (f.commentError) { %> aria-describedby="<%= f.commentId %>-error" aria-invalid="true"<% } %>><%= f.comment %></textarea>
</div>
</fieldset>
<% }) %>
<div class="actions"><button type="submit">Zapisz ocenę</button></div>
</form>
<% } else if (c.card) { %>
<%~ include('@table', c.card) %>
<% } %>
</section>
<% }) %>
<% } %>
`,
);

// ---------------------------------------------------------------------------------------------

type Refused =
  | { form: 'publish' | 'member' | 'resolve' | 'cancel'; state: FormState }
  | { form: 'check'; offerId: string; state: FormState };

export interface CallPagesDeps {
  calls: CallsService;
  offers: OffersService;
  commission: CommissionAccess;
  programs: ProgramsService;
  spheres: SpheresService;
  ngos: NgosService;
  users: UsersService;
  sessions: WebSessions;
}

/**
 * /app/calls: open competitions (otwarty konkurs ofert, art. 11–19 of the Act). The list (NGO
 * accounts see announced calls, to start an offer); the announcement's create and edit forms
 * (drafts); the call's page with its actions by state for officials and admins (publish, the
 * commission, the formal checks, the ranking, resolve, cancel), read-only for auditors; and
 * /app/calls/{id}/scoring, where a commission member files the declaration and scores offers.
 */
export function registerCallPages(routes: WebRoutes, deps: CallPagesDeps): void {
  const { calls, offers, commission, programs, spheres, ngos, users, sessions } = deps;
  const canWrite = (actor: Actor) => roleHas(actor.role, 'registers.write');
  const sphereNames = async () => new Map((await spheres.list({ all: true })).map((s) => [s.code, s.name]));

  // ---- the list ------------------------------------------------------------------------------

  routes.get('/app/calls', { permission: 'registers.read' }, async (ctx) => {
    const raw = Object.fromEntries(['status', 'year', 'search', 'page'].map((k) => [k, one(ctx.query[k])])) as Record<string, string | undefined>;
    const { page, ...filters } = raw;
    const { result, problem } = await filteredPage(CallQuery, filters, page, (query: CallQuery) => calls.list(ctx.actor, query));
    const statuses = ctx.actor.role === 'ngo' ? CALL_STATUSES.filter((s) => s !== 'draft') : CALL_STATUSES;
    const body = eta.render(FILTERED_LIST, {
      heading: 'Otwarte konkursy ofert',
      lead: ctx.actor.role === 'ngo' ? 'Konkursy ogłoszone przez gminę. Ofertę złożysz na stronie konkursu, który przyjmuje oferty; swoje oferty znajdziesz w menu „Moje oferty”.' : null,
      add: canWrite(ctx.actor) ? { href: '/app/calls/new', label: 'Nowy konkurs' } : null,
      action: '/app/calls',
      searchLabel: 'Szukaj konkursów',
      filters: [
        { name: 'search', label: 'Tytuł albo numer', kind: 'search', value: filters.search ?? '', width: 'w-20' },
        { name: 'year', label: 'Rok programu', kind: 'text', value: filters.year ?? '', inputmode: 'numeric' },
        selectFilter('status', 'Status', codeOptions(CALL_STATUS_LABELS, statuses), filters.status),
      ],
      problem,
      found: result.total === 0 ? 'Nie znaleziono żadnego konkursu.' : `Znaleziono: ${formatInteger(result.total)}.`,
      table: {
        id: 'calls-caption',
        caption: 'Konkursy, od najpóźniejszego terminu składania ofert',
        columns: [{ label: 'Tytuł' }, { label: 'Numer' }, { label: 'Termin składania ofert' }, { label: 'Środki', num: true }, { label: 'Status' }],
        rows: result.items.map((c) => ({ head: c.title, href: callPath(c.id), cells: [c.number, deadline(c), formatPln(c.budget), label(CALL_STATUS_LABELS, c.status)] })),
      },
      pager: pager('/app/calls', filters, result),
    });
    return { html: renderLayout({ title: 'Konkursy ofert', body, session: ctx.session, section: '/app/calls' }) };
  });

  // ---- create and edit a draft -----------------------------------------------------------------

  const CRITERIA_ROWS = 8;
  const fields = async (actor: Actor): Promise<FieldSpec[]> => [
    { name: 'programId', label: 'Program współpracy', kind: 'select', options: [{ value: '', label: 'Wybierz…' }, ...(await programOptions(programs, actor))], hint: 'Roczny program współpracy, który konkurs realizuje' },
    { name: 'number', label: 'Numer konkursu', kind: 'text', width: 'w-20', hint: 'Niepowtarzalny w gminie, np. OK-2026-12', spellcheck: false },
    { name: 'title', label: 'Tytuł konkursu', kind: 'text', hint: 'Rodzaj zadania (art. 13 ust. 2 pkt 1), np. Wspieranie aktywności seniorów w 2026 roku' },
    { name: 'sphere', label: 'Sfera pożytku publicznego', kind: 'select', options: [{ value: '', label: 'Wybierz…' }, ...[...(await sphereNames())].map(([code, name]) => ({ value: code, label: `${code}. ${name}` }))], hint: 'Art. 4 ustawy; według niej liczy się też wydatki na zadania tego rodzaju w latach poprzednich (art. 13 ust. 2 pkt 7)' },
    { name: 'form', label: 'Forma zlecenia', kind: 'select', options: choose(FORM_LABELS, CALL_FORMS), hint: 'Wspieranie – z dofinansowaniem i wkładem własnym organizacji; powierzenie – z pełnym finansowaniem (art. 5 ust. 4 pkt 2)' },
    { name: 'department', label: 'Wydział', kind: 'text', width: 'w-20', hint: 'Wydział urzędu, który prowadzi konkurs' },
    { name: 'budget', label: 'Środki przeznaczone na konkurs', kind: 'money', hint: 'Wysokość środków publicznych na realizację zadania (art. 13 ust. 2 pkt 2), w złotych, np. 100 000,00' },
    { name: 'taskStart', label: 'Początek realizacji zadania', kind: 'date', hint: 'Termin realizacji zadania (art. 13 ust. 2 pkt 4), w formacie RRRR-MM-DD' },
    { name: 'taskEnd', label: 'Koniec realizacji zadania', kind: 'date', hint: 'W formacie RRRR-MM-DD, w roku programu' },
    { name: 'offersUntilDate', label: 'Termin składania ofert – dzień', kind: 'date', hint: 'Art. 13 ust. 2 pkt 5; co najmniej 21 dni po dniu ogłoszenia (art. 13 ust. 1), w formacie RRRR-MM-DD' },
    { name: 'offersUntilTime', label: 'Termin składania ofert – godzina', kind: 'text', width: 'w-10', inputmode: 'numeric', hint: 'Czasu polskiego, w formacie GG:MM, np. 15:30' },
    { name: 'decisionBy', label: 'Termin wyboru ofert', kind: 'date', hint: 'Dzień, do którego nastąpi wybór ofert (art. 13 ust. 2 pkt 6), w formacie RRRR-MM-DD' },
    { name: 'grantRules', label: 'Zasady przyznawania dotacji', kind: 'textarea', hint: 'Art. 13 ust. 2 pkt 3 oraz warunki realizacji zadania (pkt 4)' },
    { name: 'selectionProcedure', label: 'Tryb wyboru ofert', kind: 'textarea', hint: 'Tryb i termin dokonania wyboru ofert (art. 13 ust. 2 pkt 6), np. skład i sposób pracy komisji konkursowej' },
    { name: 'minGrant', label: 'Najniższa dotacja', kind: 'money', optional: true, hint: 'W złotych; puste – bez dolnej granicy' },
    { name: 'maxGrant', label: 'Najwyższa dotacja', kind: 'money', optional: true, hint: 'W złotych; puste – do wysokości środków konkursu' },
    { name: 'ownContributionMin', label: 'Minimalny wkład własny (%)', kind: 'text', width: 'w-10', inputmode: 'decimal', optional: true, hint: 'Tylko przy wspieraniu: procent całkowitego kosztu zadania, np. 10' },
  ];
  /** The criteria rows' fields, named as the API's list: `criteria[0].code`, … */
  const criterionFields = (i: number): FieldSpec[] => [
    { name: `criteria[${i}].code`, label: 'Kod', kind: 'text', width: 'w-10', hint: i === 0 ? 'Małe litery, cyfry i łączniki, np. feasibility' : undefined },
    { name: `criteria[${i}].name`, label: 'Nazwa kryterium', kind: 'text' },
    { name: `criteria[${i}].maxPoints`, label: 'Najwyższa liczba punktów', kind: 'integer', hint: i === 0 ? 'Od 1 do 100' : undefined },
  ];
  const criteriaSpecs = (): FieldSpec[] => [
    { name: 'criteriaMode', label: 'Kryteria oceny ofert', kind: 'select', options: [] },
    ...Array.from({ length: CRITERIA_ROWS }, (_u, i) => criterionFields(i)).flat(),
  ];
  const allSpecs = async (actor: Actor) => [...(await fields(actor)), ...criteriaSpecs()];

  const isDefault = (c: Pick<CallView, 'form' | 'criteria'>) => JSON.stringify(c.criteria) === JSON.stringify(defaultCriteria(c.form));
  const valuesOf = (c: CallView): FormState['values'] => {
    const { day, time } = warsawDayAndTime(c.offersUntil);
    const values: FormState['values'] = {
      programId: c.programId,
      number: c.number,
      title: c.title,
      sphere: c.sphere,
      form: c.form,
      department: c.department,
      budget: moneyForForm(c.budget),
      taskStart: c.taskStart,
      taskEnd: c.taskEnd,
      offersUntilDate: day,
      offersUntilTime: time,
      decisionBy: c.decisionBy,
      grantRules: c.grantRules,
      selectionProcedure: c.selectionProcedure,
      minGrant: moneyForForm(c.minGrant),
      maxGrant: moneyForForm(c.maxGrant),
      ownContributionMin: c.ownContributionMin === null ? '' : String(c.ownContributionMin).replace('.', ','),
      criteriaMode: isDefault(c) ? 'default' : 'custom',
    };
    c.criteria.forEach((k, i) => {
      values[`criteria[${i}].code`] = k.code;
      values[`criteria[${i}].name`] = k.name;
      values[`criteria[${i}].maxPoints`] = String(k.maxPoints);
    });
    return values;
  };
  const newValues = (): FormState['values'] => {
    const values: FormState['values'] = { criteriaMode: 'default', offersUntilTime: '15:30' };
    defaultCriteria('support').forEach((k, i) => {
      values[`criteria[${i}].code`] = k.code;
      values[`criteria[${i}].name`] = k.name;
      values[`criteria[${i}].maxPoints`] = String(k.maxPoints);
    });
    return values;
  };

  /** The form's values as the API's JSON; `rows` maps the sent criteria's positions to the form's rows. */
  const callInput = (values: FormState['values'], specs: readonly FieldSpec[], update: boolean): { input: Record<string, unknown>; rows: number[] } => {
    const str = (name: string) => (typeof values[name] === 'string' ? (values[name] as string).trim() : '');
    const input: Record<string, unknown> = {};
    for (const spec of specs) {
      if (spec.name.startsWith('criteria') || spec.name.startsWith('offersUntil') || spec.name === 'ownContributionMin') continue;
      const s = spec.kind === 'textarea' ? (typeof values[spec.name] === 'string' ? (values[spec.name] as string) : '') : str(spec.name);
      input[spec.name] = s.trim() === '' ? null : spec.kind === 'money' ? parsePolishMoney(s) : s;
    }
    const day = str('offersUntilDate');
    const time = str('offersUntilTime');
    // an unreadable day or time goes as null (refused by the DTO), its own message put beside it by deadlineErrors()
    input.offersUntil = day || time ? warsawInstant(day, time) : null;
    const percent = str('ownContributionMin').replace(',', '.');
    input.ownContributionMin = percent === '' ? null : /^\d{1,3}(\.\d{1,2})?$/.test(percent) ? Number(percent) : percent;
    const rows: number[] = [];
    if (str('criteriaMode') === 'custom') {
      const criteria: Array<Record<string, unknown>> = [];
      for (let i = 0; i < CRITERIA_ROWS; i++) {
        const code = str(`criteria[${i}].code`);
        const name = str(`criteria[${i}].name`);
        const max = str(`criteria[${i}].maxPoints`);
        if (!code && !name && !max) continue;
        rows.push(i);
        criteria.push({ code: code || null, name: name || null, maxPoints: /^\d{1,9}$/.test(max) ? Number(max) : max || null });
      }
      input.criteria = criteria;
    } else if (update) {
      // the statutory criteria of the form chosen (a draft's custom ones are replaced)
      input.criteria = defaultCriteria(str('form') === 'entrustment' ? 'entrustment' : 'support');
    }
    return { input, rows };
  };
  /** The deadline's own messages, when its day or time cannot be read (they replace the DTO's "is required"). */
  const deadlineErrors = (state: FormState) => {
    const day = String(state.values.offersUntilDate ?? '').trim();
    const time = String(state.values.offersUntilTime ?? '').trim();
    if (!day && !time) return;
    if (!day) state.errors.offersUntilDate = 'Uzupełnij pole „Termin składania ofert – dzień”';
    else if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || !warsawInstant(day, '12:00')) state.errors.offersUntilDate = 'Wpisz dzień terminu składania ofert w formacie RRRR-MM-DD, np. 2026-03-01';
    else delete state.errors.offersUntilDate;
    if (!warsawInstant(/^\d{4}-\d{2}-\d{2}$/.test(day) && warsawInstant(day, '12:00') ? day : '2026-01-01', time)) state.errors.offersUntilTime = 'Wpisz godzinę terminu składania ofert w formacie GG:MM, np. 15:30';
  };
  const renameCallField = (rows: number[]) => (field: string) => {
    if (field === 'offersUntil') return 'offersUntilDate';
    if (field === 'criteria') return 'criteriaMode';
    const m = /^criteria\[(\d+)\]\.?(\w+)?/.exec(field);
    if (m) return rows[Number(m[1])] === undefined ? 'criteriaMode' : `criteria[${rows[Number(m[1])]}].${m[2] ?? 'code'}`;
    return field;
  };

  const formPage = async (ctx: PageContext, state: FormState, o: { heading: string; action: string; submit: string; cancelHref: string; version?: number; changes?: unknown[] }, status = 200): Promise<Outcome> => {
    const specs = await fields(ctx.actor);
    const rowsShown = Math.max(CRITERIA_ROWS, 0);
    const rows = Array.from({ length: rowsShown }, (_u, i) => ({
      fields: criterionFields(i).map((f) => {
        const id = fieldId(f.name.replace(/[[\].]+/g, '-').replace(/-$/, ''));
        const error = state.errors[f.name];
        return {
          ...f,
          id,
          value: typeof state.values[f.name] === 'string' ? state.values[f.name] : '',
          error,
          width: f.width ?? 'w-full',
          inputmode: f.kind === 'integer' ? 'numeric' : undefined,
          describedBy: [f.hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' '),
        };
      }),
    }));
    const criteria = eta.render(CRITERIA_FIELDS, { mode: state.values.criteriaMode === 'custom' ? 'custom' : 'default', modeError: state.errors.criteriaMode, rows });
    const errors = [
      ...state.general.map((message) => ({ message })),
      ...specs.filter((s) => state.errors[s.name]).map((s) => ({ href: `#${fieldId(s.name)}`, message: state.errors[s.name] })),
      ...(state.errors.criteriaMode ? [{ href: '#f-criteriaMode', message: state.errors.criteriaMode }] : []),
      ...rows.flatMap((r, i) => r.fields.filter((f) => f.error).map((f) => ({ href: `#${f.id}`, message: `Kryterium ${i + 1}: ${f.error}` }))),
    ];
    const body = eta.render(CALL_FORM, { ...o, changes: o.changes ?? [], csrf: ctx.session.csrfToken, errors, fields: renderFields(specs, state), criteria });
    return { status, html: renderLayout({ title: o.heading, body, session: ctx.session, section: '/app/calls', hasErrors: errors.length > 0 }) };
  };
  const createOptions = { heading: 'Nowy otwarty konkurs ofert', action: '/app/calls/new', submit: 'Zapisz szkic konkursu', cancelHref: '/app/calls' };
  const editOptions = (c: CallView) => ({ heading: `Zmień ogłoszenie: ${c.title}`, action: `${callPath(c.id)}/edit`, submit: 'Zapisz zmiany', cancelHref: callPath(c.id), version: c.version });

  routes.get('/app/calls/new', { permission: 'registers.write' }, (ctx) => formPage(ctx, emptyForm(newValues()), createOptions));

  routes.post('/app/calls/new', { permission: 'registers.write' }, async (ctx) => {
    const specs = await allSpecs(ctx.actor);
    const state = emptyForm(formValues(ctx.body, specs));
    const { input, rows } = callInput(state.values, specs, false);
    try {
      const created = await calls.create(ctx.actor, await validated(CreateCallDto, input));
      await sessions.flash(ctx.session, `Zapisano szkic konkursu „${created.title}”. Sprawdź ogłoszenie i ogłoś konkurs.`);
      return { redirect: callPath(created.id) };
    } catch (error) {
      const status = applyCallError(state, error, specs, renameCallField(rows));
      deadlineErrors(state);
      return formPage(ctx, state, createOptions, status);
    }
  });

  routes.get('/app/calls/:id/edit', { permission: 'registers.write' }, async (ctx) => {
    const call = await calls.get(ctx.actor, uuid(ctx.params.id));
    if (call.status !== 'draft') return messagePage(ctx.session, 409, 'Ogłoszenia nie można zmienić', ['Konkurs jest już ogłoszony: treść ogłoszenia nie może się zmienić.'], { href: callPath(call.id), label: 'Wróć do konkursu' });
    return formPage(ctx, emptyForm(valuesOf(call)), editOptions(call));
  });

  routes.post('/app/calls/:id/edit', { permission: 'registers.write' }, async (ctx) => {
    const id = uuid(ctx.params.id);
    const specs = await allSpecs(ctx.actor);
    const state = emptyForm(formValues(ctx.body, specs));
    const { input, rows } = callInput(state.values, specs, true);
    try {
      const saved = await calls.update(ctx.actor, id, await validated(UpdateCallDto, { ...input, version: versionOf(ctx.body) }));
      await sessions.flash(ctx.session, `Zapisano zmiany ogłoszenia „${saved.title}”.`);
      return { redirect: callPath(saved.id) };
    } catch (error) {
      const status = applyCallError(state, error, specs, renameCallField(rows));
      deadlineErrors(state);
      const current = await calls.get(ctx.actor, id);
      const stale = status === 409 && versionOf(ctx.body) !== current.version;
      return formPage(ctx, state, { ...editOptions(current), changes: stale ? differences(specs, valuesOf(current), state.values) : [] }, status);
    }
  });

  // ---- the call's page -------------------------------------------------------------------------

  const memberSpecs = (userOptions: readonly Option[], ngoOptions: readonly Option[]): FieldSpec[] => [
    { name: 'userId', label: 'Osoba', kind: 'select', options: [{ value: '', label: 'Wybierz…' }, ...userOptions], hint: 'Urzędnik albo osoba wskazana przez organizację (konto z rolą „organizacja”)' },
    { name: 'role', label: 'Funkcja w komisji', kind: 'select', options: codeOptions(MEMBER_ROLE_LABELS, ['member', 'chair']) },
    { name: 'nominatedBy', label: 'Organizacja, która wskazała osobę', kind: 'select', optional: true, options: [{ value: '', label: '— brak (urzędnik) —' }, ...ngoOptions], hint: 'Dla konta organizacji domyślnie jego organizacja' },
  ];
  const awardSpecs = (accepted: readonly RankingItem[]): FieldSpec[] =>
    accepted.map((r) => ({
      name: `amount.${r.offerId}`,
      label: `Dotacja: ${offerTitle(r.title)} (${r.ngoNames.join(', ')})`,
      kind: 'money',
      optional: true,
      hint: `Wnioskowana kwota: ${money(r.grantRequested)}${r.score ? `; średnia ocen: ${r.score.replace('.', ',')} pkt` : ''}. Puste – bez dotacji`,
    }));
  const cancelSpecs: FieldSpec[] = [
    { name: 'reason', label: 'Powód unieważnienia', kind: 'select', options: choose(CANCELLATION_LABELS, CANCELLATION_REASONS) },
    { name: 'justification', label: 'Uzasadnienie', kind: 'textarea', hint: 'Ogłasza się je razem z unieważnieniem' },
  ];
  const checkSpecs: FieldSpec[] = [
    { name: 'result', label: 'Wynik oceny formalnej', kind: 'select', options: [] },
    { name: 'reason', label: 'Powód odrzucenia albo uwagi', kind: 'textarea', optional: true },
  ];

  /** Who may sit on a commission: active officials, admins and ngo accounts of the municipality. */
  const candidates = async (actor: Actor) => (await everyPage((page) => users.list(actor, { page, limit: 200 }))).filter((u) => u.active && u.role !== 'auditor');

  /** The NGO names of ids (the register's active NGOs, then any other one by itself). */
  const ngoNamer = async (actor: Actor, ids: readonly string[]) => {
    const names = new Map((await allNgos(ngos, actor)).map((n) => [n.id, n.name]));
    for (const id of ids.filter((x) => !names.has(x))) names.set(id, (await ngos.get(actor, id)).name);
    return names;
  };

  /** Whether the actor sits on the call's commission (declaration() is refused to anyone else). */
  const seatOf = async (actor: Actor, id: string) => {
    try {
      return await commission.declaration(actor, id);
    } catch (error) {
      if (error instanceof Forbidden) return null;
      throw error;
    }
  };

  const record = async (ctx: PageContext, id: string, refused: Refused | null = null, status = 200): Promise<Outcome> => {
    const c = await calls.get(ctx.actor, id);
    const staff = ctx.actor.role !== 'ngo';
    const writer = canWrite(ctx.actor);
    const [names, program, seat] = await Promise.all([sphereNames(), programs.get(ctx.actor, c.programId).catch(() => null), seatOf(ctx.actor, id)]);
    const afterDeadline = c.status === 'closed' || c.status === 'resolved' || c.status === 'cancelled';

    const facts = [
      { label: 'Numer', value: c.number },
      { label: 'Status', value: label(CALL_STATUS_LABELS, c.status) },
      { label: 'Program', value: program ? program.title : '—' },
      { label: 'Rodzaj zadania (sfera)', value: `${c.sphere}. ${names.get(c.sphere) ?? ''}`.trim() },
      { label: 'Forma zlecenia', value: label(FORM_LABELS, c.form) },
      { label: 'Wydział', value: c.department },
      { label: 'Środki na realizację zadania', value: formatPln(c.budget) },
      { label: 'Termin realizacji zadania', value: `${formatDay(c.taskStart)} – ${formatDay(c.taskEnd)}` },
      { label: 'Termin składania ofert', value: deadline(c) },
      { label: 'Termin wyboru ofert', value: formatDay(c.decisionBy) },
      { label: 'Najniższa dotacja', value: money(c.minGrant) },
      { label: 'Najwyższa dotacja', value: money(c.maxGrant) },
      ...(c.form === 'support' ? [{ label: 'Minimalny wkład własny', value: c.ownContributionMin === null ? '—' : `${String(c.ownContributionMin).replace('.', ',')}% kosztu zadania` }] : []),
      { label: 'Ogłoszono', value: c.publishedAt ? formatInstant(new Date(c.publishedAt)) : 'jeszcze nie (szkic)' },
      ...(c.resolvedAt ? [{ label: 'Rozstrzygnięto', value: formatInstant(new Date(c.resolvedAt)) }] : []),
    ];

    const actions: Array<{ href: string; label: string; secondary?: boolean }> = [];
    if (writer && c.status === 'draft') actions.push({ href: `${callPath(id)}/edit`, label: 'Zmień ogłoszenie' });
    if (seat) actions.push({ href: `${callPath(id)}/scoring`, label: 'Oświadczenie i ocena ofert (komisja)', secondary: writer });
    if (ctx.actor.role === 'ngo' && c.status === 'published') actions.push({ href: `/app/offers/new?call=${id}`, label: 'Złóż ofertę' });

    const errors: Array<{ href?: string; message: string }> = [];
    let publish = null;
    if (writer && c.status === 'draft') {
      const error = refused?.form === 'publish' ? refused.state.errors.offersUntil : undefined;
      if (refused?.form === 'publish') errors.push(...refused.state.general.map((message) => ({ message })), ...(error ? [{ href: '#publish-deadline', message: error }] : []));
      publish = { deadline: deadline(c), error, editHref: `${callPath(id)}/edit`, action: `${callPath(id)}/publish`, version: c.version };
    }

    // the commission: officials and auditors read it; writers change it until the call is over
    let commissionBlock = null;
    if (staff) {
      const members: CallMemberView[] = await commission.members(ctx.actor, id);
      const nominators = await ngoNamer(ctx.actor, members.map((m) => m.nominatedBy).filter((x): x is string => !!x));
      const open = writer && c.status !== 'resolved' && c.status !== 'cancelled';
      let addFields = '';
      if (open) {
        const taken = new Set(members.map((m) => m.userId));
        const people = (await candidates(ctx.actor)).filter((u) => !taken.has(u.id));
        const registered = await allNgos(ngos, ctx.actor);
        const ngoNames = new Map(registered.map((n) => [n.id, n.name]));
        const userOptions = people.map((u) => ({ value: u.id, label: `${u.email} (${label(USER_ROLE_LABELS, u.role)}${u.ngoId && ngoNames.has(u.ngoId) ? `: ${ngoNames.get(u.ngoId)}` : ''})` }));
        const specs = memberSpecs(userOptions, registered.map(ngoOption));
        const state = refused?.form === 'member' ? refused.state : emptyForm({ role: 'member' });
        if (refused?.form === 'member') errors.push(...refused.state.general.map((message) => ({ message })), ...specs.filter((s) => state.errors[s.name]).map((s) => ({ href: `#${fieldId(s.name)}`, message: state.errors[s.name] })));
        addFields = renderFields(specs, state);
      }
      commissionBlock = {
        table: {
          id: 'commission-caption',
          caption: 'Członkowie komisji konkursowej',
          columns: [{ label: 'Osoba' }, { label: 'Funkcja' }, { label: 'Wskazana przez' }, { label: 'Oświadczenie' }, { label: 'Uwagi' }],
          rows: members.map((m) => ({
            head: m.email,
            cells: [
              label(MEMBER_ROLE_LABELS, m.role),
              m.nominatedBy ? (nominators.get(m.nominatedBy) ?? '—') : 'urząd',
              m.declaredAt ? `złożone ${formatInstant(new Date(m.declaredAt))}${m.conflicts.length ? `; wyłączenia: ${m.conflicts.length}` : ''}` : 'nie złożone',
              m.suspendedAt ? 'zawieszony: organizacja, która go wskazała, złożyła ofertę (art. 15 ust. 2d)' : '—',
            ],
          })),
        },
        removals: open ? members.map((m) => ({ email: m.email, action: `${callPath(id)}/commission/${m.id}/remove` })) : [],
        addAction: `${callPath(id)}/commission`,
        addFields,
      };
    }

    // the offers, once the deadline has passed
    let offersBlock = null;
    let rankingTable = null;
    let resolveBlock = null;
    let cancelBlock = null;
    let results = null;
    // a member of the commission reads no offer before the declaration (art. 15 ust. 2f), an official running the call neither
    const undeclared = !!seat && !seat.declaredAt;
    if (staff && afterDeadline && !undeclared) {
      const list: OfferView[] = await everyPage((page) => offers.listOfCall(ctx.actor, id, { page, limit: 200 }));
      const submitted = list.filter((o) => o.status !== 'draft' && o.status !== 'withdrawn');
      const ngoNames = await ngoNamer(ctx.actor, [...new Set(list.flatMap((o) => o.ngoIds))]);
      const ngosOf = (o: OfferView) => o.ngoIds.map((n) => ngoNames.get(n) ?? n);
      offersBlock = {
        table: {
          id: 'offers-caption',
          caption: 'Oferty złożone w konkursie',
          columns: [{ label: 'Tytuł' }, { label: 'Organizacje' }, { label: 'Złożona' }, { label: 'Wnioskowana dotacja', num: true }, { label: 'Status' }, { label: 'Ocena formalna' }],
          rows: list.map((o) => ({
            head: offerTitle(o.title),
            cells: [
              ngosOf(o),
              o.submittedAt ? formatInstant(new Date(o.submittedAt)) : '—',
              money(o.funding?.grantRequested),
              label(OFFER_STATUS_LABELS, o.status),
              o.formalCheck ? `${o.formalCheck.result === 'accepted' ? 'spełnia wymogi' : 'odrzucona'}${o.formalCheck.reason ? `: ${o.formalCheck.reason}` : ''}` : '—',
            ],
          })),
        },
        checks:
          writer && c.status === 'closed'
            ? submitted
                .filter((o) => ['submitted', 'accepted', 'rejected'].includes(o.status))
                .map((o) => {
                  const mine = refused?.form === 'check' && refused.offerId === o.id ? refused.state : null;
                  const cid = `check-${o.id}`;
                  if (mine) {
                    errors.push(...mine.general.map((message) => ({ message })));
                    if (mine.errors.result) errors.push({ href: `#${cid}-result`, message: mine.errors.result });
                    if (mine.errors.reason) errors.push({ href: `#${cid}-reason`, message: mine.errors.reason });
                  }
                  return {
                    id: cid,
                    action: `${callPath(id)}/offers/${o.id}/formal-check`,
                    title: offerTitle(o.title),
                    ngos: ngosOf(o).join(', '),
                    requested: money(o.funding?.grantRequested),
                    status: label(OFFER_STATUS_LABELS, o.status),
                    result: mine ? mine.values.result : (o.formalCheck?.result ?? ''),
                    reason: mine ? mine.values.reason : (o.formalCheck?.reason ?? ''),
                    resultError: mine?.errors.result,
                    reasonError: mine?.errors.reason,
                  };
                })
            : [],
      };

      const ranking = await commission.ranking(ctx.actor, id);
      rankingTable = {
        id: 'ranking-caption',
        caption: 'Ranking ofert według średniej oceny',
        columns: [{ label: 'Miejsce' }, { label: 'Oferta' }, { label: 'Organizacje' }, { label: 'Średnia ocen', num: true }, { label: 'Karty ocen', num: true }, { label: 'Wnioskowana dotacja', num: true }, { label: 'Przyznana dotacja', num: true }],
        rows: ranking.map((r) => ({
          head: String(r.position),
          cells: [offerTitle(r.title), r.ngoNames, r.score ? `${r.score.replace('.', ',')} pkt` : 'bez ocen', formatInteger(r.cards), money(r.grantRequested), money(r.award)],
        })),
      };

      if (writer && c.status === 'closed') {
        const accepted = ranking.filter((r) => r.status === 'accepted');
        const specs = awardSpecs(accepted);
        const state = refused?.form === 'resolve' ? refused.state : emptyForm();
        if (refused?.form === 'resolve') {
          errors.push(...state.general.map((message) => ({ message })));
          if (state.errors.awards) errors.push({ href: '#f-awards', message: state.errors.awards });
          errors.push(...specs.filter((s) => state.errors[s.name]).map((s) => ({ href: `#${fieldId(s.name)}`, message: state.errors[s.name] })));
        }
        if (accepted.length) resolveBlock = { action: `${callPath(id)}/resolve`, budget: formatPln(c.budget), fields: renderFields(specs, state), error: state.errors.awards };
        const cancelState = refused?.form === 'cancel' ? refused.state : emptyForm();
        if (refused?.form === 'cancel') errors.push(...cancelState.general.map((message) => ({ message })), ...cancelSpecs.filter((s) => cancelState.errors[s.name]).map((s) => ({ href: `#${fieldId(s.name)}`, message: cancelState.errors[s.name] })));
        cancelBlock = { action: `${callPath(id)}/cancel`, fields: renderFields(cancelSpecs, cancelState) };
      }

      if (c.status === 'resolved') {
        const scores = new Map(ranking.map((r) => [r.offerId, r.score]));
        const weighed = list.filter((o) => o.status === 'awarded' || o.status === 'not-awarded').sort((a, b) => Number(scores.get(b.id) ?? -1) - Number(scores.get(a.id) ?? -1));
        results = {
          id: 'results-caption',
          caption: 'Oferty ocenione przez komisję i przyznane dotacje; tytuł dotowanej oferty prowadzi do zleconego zadania',
          columns: [{ label: 'Oferta' }, { label: 'Organizacje' }, { label: 'Średnia ocen', num: true }, { label: 'Przyznana dotacja', num: true }],
          rows: weighed.map((o) => ({
            head: offerTitle(o.title),
            href: o.taskId ? taskPath(o.taskId) : undefined,
            cells: [ngosOf(o), scores.get(o.id) ? `${scores.get(o.id)!.replace('.', ',')} pkt` : 'bez ocen', o.award ? formatPln(o.award) : 'bez dotacji'],
          })),
        };
      }
    }

    const body = eta.render(RECORD, {
      title: c.title,
      csrf: ctx.session.csrfToken,
      errors,
      facts,
      actions,
      publish,
      undeclared: staff && afterDeadline && undeclared ? `${callPath(id)}/scoring` : null,
      cancellation: c.cancellation ? { reason: label(CANCELLATION_LABELS, c.cancellation.reason), justification: paragraphs(c.cancellation.justification) } : null,
      results,
      grantRules: paragraphs(c.grantRules),
      selectionProcedure: paragraphs(c.selectionProcedure),
      criteria: {
        id: 'criteria-caption',
        caption: 'Kryteria oceny ofert',
        columns: [{ label: 'Kryterium' }, { label: 'Najwyżej punktów', num: true }],
        rows: c.criteria.map((k) => ({ head: k.name, cells: [formatInteger(k.maxPoints)] })),
        foot: { head: 'Razem', cells: [formatInteger(c.criteria.reduce((s, k) => s + k.maxPoints, 0))] },
      },
      priorFrozen: !!c.publishedAt,
      priorSpend: {
        id: 'prior-caption',
        caption: `Zadania sfery ${c.sphere} zlecone w latach ${c.priorSpend.previousYear.year}–${c.priorSpend.currentYear.year}`,
        columns: [{ label: 'Rok' }, { label: 'Liczba zadań', num: true }, { label: 'Koszt (kwoty przyznane)', num: true }],
        rows: [c.priorSpend.currentYear, c.priorSpend.previousYear].map((y) => ({ head: String(y.year), cells: [formatInteger(y.tasks), formatPln(y.granted)] })),
      },
      commission: commissionBlock,
      offers: offersBlock,
      ranking: rankingTable,
      resolve: resolveBlock,
      cancel: cancelBlock,
    });
    return { status, html: renderLayout({ title: c.title, body, session: ctx.session, section: '/app/calls', hasErrors: errors.length > 0 }) };
  };

  routes.get('/app/calls/:id', { permission: 'registers.read' }, (ctx) => record(ctx, uuid(ctx.params.id)));

  routes.post('/app/calls/:id/publish', { permission: 'registers.write' }, async (ctx) => {
    const id = uuid(ctx.params.id);
    const state = emptyForm();
    try {
      const published = await calls.publish(ctx.actor, id, (await validated(VersionDto, { version: versionOf(ctx.body) })).version);
      await sessions.flash(ctx.session, `Ogłoszono konkurs „${published.title}”. Oferty przyjmowane są do ${deadline(published)}.`);
      return { redirect: callPath(id) };
    } catch (error) {
      const status = applyCallError(state, error, [{ name: 'offersUntil', label: 'Termin składania ofert', kind: 'text' }]);
      return record(ctx, id, { form: 'publish', state }, status);
    }
  });

  routes.post('/app/calls/:id/commission', { permission: 'registers.write' }, async (ctx) => {
    const id = uuid(ctx.params.id);
    const specs = memberSpecs([], []);
    const state = emptyForm(formValues(ctx.body, specs));
    try {
      const input = { userId: String(state.values.userId).trim() || null, role: String(state.values.role).trim() || undefined, nominatedBy: String(state.values.nominatedBy).trim() || undefined };
      const added = await commission.add(ctx.actor, id, await validated(AddMemberDto, input));
      await sessions.flash(ctx.session, `Dodano do komisji: ${added.email} (${label(MEMBER_ROLE_LABELS, added.role)}).`);
      return { redirect: `${callPath(id)}#commission` };
    } catch (error) {
      return record(ctx, id, { form: 'member', state }, applyCallError(state, error, specs));
    }
  });

  routes.post('/app/calls/:id/commission/:memberId/remove', { permission: 'registers.write' }, async (ctx) => {
    const id = uuid(ctx.params.id);
    const state = emptyForm({ role: 'member' });
    try {
      await commission.remove(ctx.actor, id, uuid(ctx.params.memberId));
      await sessions.flash(ctx.session, 'Usunięto członka komisji.');
      return { redirect: `${callPath(id)}#commission` };
    } catch (error) {
      return record(ctx, id, { form: 'member', state }, applyCallError(state, error, []));
    }
  });

  routes.post('/app/calls/:id/offers/:offerId/formal-check', { permission: 'registers.write' }, async (ctx) => {
    const id = uuid(ctx.params.id);
    const offerId = uuid(ctx.params.offerId);
    const state = emptyForm(formValues(ctx.body, checkSpecs));
    try {
      const reason = String(state.values.reason);
      const checked = await offers.formalCheck(ctx.actor, offerId, await validated(FormalCheckDto, { result: String(state.values.result) || null, reason: reason.trim() ? reason : null }));
      await sessions.flash(ctx.session, `Zapisano ocenę formalną oferty „${offerTitle(checked.title)}”: ${label(OFFER_STATUS_LABELS, checked.status)}.`);
      return { redirect: `${callPath(id)}#offers` };
    } catch (error) {
      const status = applyCallError(state, error, checkSpecs);
      if (state.errors.result && /Wybierz wartość|Wybierz:/.test(state.errors.result)) state.errors.result = 'Wybierz wynik oceny formalnej';
      return record(ctx, id, { form: 'check', offerId, state }, status);
    }
  });

  routes.post('/app/calls/:id/resolve', { permission: 'registers.write' }, async (ctx) => {
    const id = uuid(ctx.params.id);
    const ranking = await commission.ranking(ctx.actor, id);
    const specs = awardSpecs(ranking.filter((r) => r.status === 'accepted'));
    const state = emptyForm(formValues(ctx.body, specs));
    const awarded = specs.map((s) => ({ name: s.name, amount: String(state.values[s.name]).trim() })).filter((a) => a.amount !== '');
    try {
      const input = { awards: awarded.map((a) => ({ offerId: a.name.slice('amount.'.length), amount: parsePolishMoney(a.amount) })) };
      const resolved = await calls.resolve(ctx.actor, id, await validated(ResolveCallDto, input));
      await sessions.flash(ctx.session, `Rozstrzygnięto konkurs „${resolved.title}”: przyznano ${formatInteger(awarded.length)} ${awarded.length === 1 ? 'dotację' : awarded.length % 10 >= 2 && awarded.length % 10 <= 4 && (awarded.length % 100 < 10 || awarded.length % 100 >= 20) ? 'dotacje' : 'dotacji'}; zlecone zadania są zapisane.`);
      return { redirect: callPath(id) };
    } catch (error) {
      const rename = (field: string) => {
        const m = /^awards\[(\d+)\]/.exec(field);
        return m ? (awarded[Number(m[1])]?.name ?? 'awards') : field;
      };
      const status = applyCallError(state, error, [...specs, { name: 'awards', label: 'Dotacje', kind: 'text' }], rename);
      return record(ctx, id, { form: 'resolve', state }, status);
    }
  });

  routes.post('/app/calls/:id/cancel', { permission: 'registers.write' }, async (ctx) => {
    const id = uuid(ctx.params.id);
    const state = emptyForm(formValues(ctx.body, cancelSpecs));
    try {
      const justification = String(state.values.justification);
      const cancelled = await calls.cancel(ctx.actor, id, await validated(CancelCallDto, { reason: String(state.values.reason) || null, justification: justification.trim() ? justification : null }));
      await sessions.flash(ctx.session, `Unieważniono konkurs „${cancelled.title}”.`);
      return { redirect: callPath(id) };
    } catch (error) {
      return record(ctx, id, { form: 'cancel', state }, applyCallError(state, error, cancelSpecs));
    }
  });

  // ---- the member's scoring page -----------------------------------------------------------------

  type ScoringRefused = { form: 'declaration'; state: FormState } | { form: 'card'; offerId: string; state: FormState };

  const scoring = async (ctx: PageContext, id: string, refused: ScoringRefused | null = null, status = 200): Promise<Outcome> => {
    const c = await calls.get(ctx.actor, id);
    const seat = await seatOf(ctx.actor, id);
    if (!seat) return messagePage(ctx.session, 403, 'Brak dostępu', ['Tę stronę widzą tylko członkowie komisji konkursowej tego konkursu.'], { href: callPath(id), label: 'Wróć do konkursu' });
    const errors: Array<{ href?: string; message: string }> = [];
    const waiting = c.status === 'published' || c.status === 'draft';
    let declaration = null;
    let cards: unknown[] = [];
    if (!waiting && !seat.declaredAt) {
      const state = refused?.form === 'declaration' ? refused.state : emptyForm({ conflicts: [], confirm: 'false' });
      const chosen = new Set(Array.isArray(state.values.conflicts) ? state.values.conflicts : []);
      if (refused?.form === 'declaration') {
        errors.push(...state.general.map((message) => ({ message })));
        if (state.errors.conflicts) errors.push({ href: '#f-conflicts', message: state.errors.conflicts });
        if (state.errors.confirm) errors.push({ href: '#f-confirm', message: state.errors.confirm });
      }
      if (c.status === 'closed') {
        declaration = {
          action: `${callPath(id)}/scoring/declaration`,
          offers: seat.offers.map((o) => ({ id: o.id, label: `${offerTitle(o.title)} – ${o.ngoNames.join(', ')}`, checked: chosen.has(o.id) })),
          confirmed: state.values.confirm === 'true',
          conflictsError: state.errors.conflicts,
          confirmError: state.errors.confirm,
        };
      }
    } else if (!waiting) {
      const visible: OfferView[] = (await everyPage((page) => offers.listOfCall(ctx.actor, id, { page, limit: 200 }))).filter((o) => ['accepted', 'awarded', 'not-awarded'].includes(o.status));
      const ngoNames = new Map(seat.offers.map((o) => [o.id, o.ngoNames]));
      cards = await Promise.all(
        visible.map(async (o) => {
          const card = await commission.card(ctx.actor, o.id);
          const cid = `o-${o.id}`;
          const mine = refused?.form === 'card' && refused.offerId === o.id ? refused.state : null;
          const open = c.status === 'closed' && o.status === 'accepted';
          const fieldsOfCard = c.criteria.map((k) => {
            const saved = card?.scores.find((s) => s.code === k.code);
            const pointsId = `${cid}-points-${k.code}`;
            const commentId = `${cid}-comment-${k.code}`;
            const pointsError = mine?.errors[`points.${k.code}`];
            const commentError = mine?.errors[`comment.${k.code}`];
            const named = (message: string) => (message.includes(k.name) ? message : `${k.name}: ${message}`);
            if (pointsError) errors.push({ href: `#${pointsId}`, message: named(pointsError) });
            if (commentError) errors.push({ href: `#${commentId}`, message: named(commentError) });
            return {
              code: k.code,
              name: k.name,
              max: k.maxPoints,
              pointsId,
              commentId,
              points: mine ? mine.values[`points.${k.code}`] : saved ? String(saved.points).replace('.', ',') : '',
              comment: mine ? mine.values[`comment.${k.code}`] : (saved?.comment ?? ''),
              pointsError,
              commentError,
            };
          });
          if (mine) errors.push(...mine.general.map((message) => ({ message })));
          return {
            id: cid,
            title: offerTitle(o.title),
            facts: [
              { label: 'Organizacje', value: (ngoNames.get(o.id) ?? []).join(', ') || '—' },
              { label: 'Miejsce realizacji', value: o.place ?? '—' },
              { label: 'Grupa odbiorców', value: o.targetGroup ?? '—' },
              { label: 'Termin realizacji', value: o.startDate && o.endDate ? `${formatDay(o.startDate)} – ${formatDay(o.endDate)}` : '—' },
              { label: 'Wnioskowana dotacja', value: money(o.funding?.grantRequested) },
              { label: 'Status', value: label(OFFER_STATUS_LABELS, o.status) },
            ],
            summary: o.summary ? paragraphs(o.summary) : [],
            saved: card ? `${card.total.replace('.', ',')} pkt na ${formatInteger(c.criteria.reduce((s, k) => s + k.maxPoints, 0))} możliwych` : null,
            form: open ? { action: `${callPath(id)}/scoring/${o.id}`, fields: fieldsOfCard } : null,
            card:
              !open && card
                ? {
                    id: `${cid}-card`,
                    caption: 'Twoja karta oceny',
                    columns: [{ label: 'Kryterium' }, { label: 'Punkty', num: true }, { label: 'Uzasadnienie' }],
                    rows: c.criteria.map((k) => {
                      const s = card.scores.find((x) => x.code === k.code);
                      return { head: k.name, cells: [s ? `${String(s.points).replace('.', ',')} / ${k.maxPoints}` : '—', s?.comment ?? '—'] };
                    }),
                  }
                : null,
          };
        }),
      );
    }
    const body = eta.render(SCORING, {
      title: c.title,
      number: c.number,
      callHref: callPath(id),
      deadline: deadline(c),
      status: label(CALL_STATUS_LABELS, c.status),
      csrf: ctx.session.csrfToken,
      errors,
      waiting,
      declaration,
      declaredAt: seat.declaredAt ? formatInstant(new Date(seat.declaredAt)) : '',
      conflictCount: seat.conflicts.length,
      cards,
    });
    return { status, html: renderLayout({ title: `Ocena ofert: ${c.title}`, body, session: ctx.session, section: '/app/calls', hasErrors: errors.length > 0 }) };
  };

  routes.get('/app/calls/:id/scoring', { permission: 'signed-in' }, (ctx) => scoring(ctx, uuid(ctx.params.id)));

  const declarationSpecs: FieldSpec[] = [
    { name: 'conflicts', label: 'Oferty, z którymi mam konflikt interesów', kind: 'checkboxes' },
    { name: 'confirm', label: 'Potwierdzenie oświadczenia', kind: 'checkbox' },
  ];

  routes.post('/app/calls/:id/scoring/declaration', { permission: 'signed-in' }, async (ctx) => {
    const id = uuid(ctx.params.id);
    const state = emptyForm(formValues(ctx.body, declarationSpecs));
    try {
      if (state.values.confirm !== 'true') {
        state.errors.confirm = 'Zaznacz potwierdzenie, aby złożyć oświadczenie';
        return await scoring(ctx, id, { form: 'declaration', state }, 400);
      }
      const filed = await commission.declare(ctx.actor, id, await validated(DeclarationDto, { conflicts: state.values.conflicts }));
      await sessions.flash(ctx.session, filed.conflicts.length ? `Złożono oświadczenie; wyłączono Cię z oceny ofert: ${formatInteger(filed.conflicts.length)}.` : 'Złożono oświadczenie o braku konfliktu interesów. Możesz oceniać oferty.');
      return { redirect: `${callPath(id)}/scoring` };
    } catch (error) {
      return scoring(ctx, id, { form: 'declaration', state }, applyCallError(state, error, declarationSpecs, (f) => f.replace(/\[\d+\]$/, '')));
    }
  });

  routes.post('/app/calls/:id/scoring/:offerId', { permission: 'signed-in' }, async (ctx) => {
    const id = uuid(ctx.params.id);
    const offerId = uuid(ctx.params.offerId);
    const c = await calls.get(ctx.actor, id);
    const specs: FieldSpec[] = c.criteria.flatMap((k) => [
      { name: `points.${k.code}`, label: k.name, kind: 'text' as const },
      { name: `comment.${k.code}`, label: `${k.name} – uzasadnienie`, kind: 'textarea' as const },
    ]);
    const state = emptyForm(formValues(ctx.body, specs));
    try {
      const scores = c.criteria.map((k) => {
        const raw = String(state.values[`points.${k.code}`]).trim().replace(',', '.');
        const comment = String(state.values[`comment.${k.code}`]);
        return { code: k.code, points: raw === '' ? null : /^\d{1,3}(\.\d{1,2})?$/.test(raw) ? Number(raw) : raw, comment: comment.trim() ? comment : null };
      });
      const saved = await offers.score(ctx.actor, offerId, await validated(ScoresDto, { scores }));
      await sessions.flash(ctx.session, `Zapisano Twoją ocenę oferty: ${saved.total.replace('.', ',')} pkt.`);
      return { redirect: `${callPath(id)}/scoring#o-${offerId}-heading` };
    } catch (error) {
      const rename = (field: string) => {
        const m = /^scores\[(\d+)\]\.(\w+)/.exec(field);
        if (!m) return field;
        const code = c.criteria[Number(m[1])]?.code;
        return code ? `${m[2] === 'comment' ? 'comment' : 'points'}.${code}` : field;
      };
      const status = applyCallError(state, error, specs, rename);
      // the DTO's first message for a word is "must be at least 0": say what is wrong instead
      for (const k of c.criteria) {
        const raw = String(state.values[`points.${k.code}`]).trim().replace(',', '.');
        if (raw !== '' && !/^\d+(\.\d+)?$/.test(raw)) state.errors[`points.${k.code}`] = `Wpisz w polu „${k.name}” liczbę, najwyżej z dwoma miejscami po przecinku, np. 7,5`;
      }
      return scoring(ctx, id, { form: 'card', offerId, state }, status);
    }
  });
}

