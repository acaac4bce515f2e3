import { AppValidationPipe, DomainError, formatPln, type FieldError } from '@app/core';
import { eta } from './views';

/**
 * Forms of the web app: what a field looks like, how a posted form becomes the API's JSON input,
 * and how the API's answers (the same DTO validation, the same services) become Polish messages
 * beside their fields. A rule is written once, in the DTOs and services; only its wording for
 * people lives here.
 */
export type FieldKind = 'text' | 'email' | 'url' | 'date' | 'password' | 'select' | 'textarea' | 'checkbox' | 'checkboxes' | 'money' | 'integer' | 'selects';

export interface Option {
  value: string;
  label: string;
}

export interface FieldSpec {
  /** The API's JSON field name, which is also the control's `name`. */
  name: string;
  label: string;
  kind: FieldKind;
  hint?: string;
  /** Marked "(nieobowiązkowe)"; an empty value is sent as null (cleared). */
  optional?: boolean;
  options?: readonly Option[];
  /** `selects`: how many selects of the same name (the first required, the rest may stay empty). */
  count?: number;
  /** `selects`: the labels of the second and later selects. */
  moreLabel?: string;
  width?: 'w-full' | 'w-20' | 'w-10';
  autocomplete?: string;
  inputmode?: 'numeric' | 'decimal' | 'email' | 'url';
  spellcheck?: false;
}

/** What the user entered (kept when the form is shown again) and the messages by field. */
export interface FormState {
  values: Record<string, string | string[]>;
  errors: Record<string, string>;
  /** Messages not tied to one field (a conflict, a stale version). */
  general: string[];
}

export const emptyForm = (values: Record<string, string | string[]> = {}): FormState => ({ values, errors: {}, general: [] });

export const fieldId = (name: string) => `f-${name}`;

/** A posted form's values as strings (a repeated name as a list), with Fastify's parsed body as input. */
export function formValues(body: unknown, specs: readonly FieldSpec[]): Record<string, string | string[]> {
  const posted = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const values: Record<string, string | string[]> = {};
  const text = (v: unknown) => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '');
  for (const spec of specs) {
    const v = posted[spec.name];
    if (spec.kind === 'checkboxes' || spec.kind === 'selects') values[spec.name] = (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string');
    else if (spec.kind === 'checkbox') values[spec.name] = text(v) === 'true' ? 'true' : 'false';
    else values[spec.name] = text(v);
  }
  return values;
}

/**
 * "12 500,50", "12500.50", "12 500 zł": the money people type, as the API's "12500.50"; anything
 * else is passed on as typed, for the DTO to refuse with its message.
 */
export function parsePolishMoney(input: string): string {
  const compact = input.replace(/[\s\u00a0\u202f]/g, '').replace(/zł$/i, '');
  if (/^\d+(,\d{1,2})?$/.test(compact)) return compact.replace(',', '.');
  if (/^\d{1,3}(\.\d{3})+(,\d{1,2})?$/.test(compact)) return compact.replace(/\./g, '').replace(',', '.');
  return compact || input;
}

/** "12500.00" as the form shows it: "12 500,00". */
export const moneyForForm = (amount: string | null) => (amount === null ? '' : formatPln(amount).replace(/\s*zł$/, ''));

/**
 * The JSON body the API would receive for this form. An empty field is null: an optional one is
 * cleared on an edit; a required one is refused by the DTO ("must not be null"), on an edit too,
 * where leaving it out would keep the old value and report the emptied field as saved.
 */
export function toInput(values: FormState['values'], specs: readonly FieldSpec[]): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const spec of specs) {
    const v = values[spec.name];
    if (spec.kind === 'checkboxes') input[spec.name] = Array.isArray(v) ? v : [];
    // the chosen ones, in order; an empty list clears it (and a required one says so)
    else if (spec.kind === 'selects') input[spec.name] = (Array.isArray(v) ? v : []).filter((x) => x !== '');
    else if (spec.kind === 'checkbox') input[spec.name] = v === 'true';
    else {
      const s = typeof v === 'string' ? (spec.kind === 'password' ? v : v.trim()) : '';
      if (s === '') input[spec.name] = null;
      else input[spec.name] = spec.kind === 'money' ? parsePolishMoney(s) : spec.kind === 'integer' && /^\d{1,9}$/.test(s) ? Number(s) : s;
    }
  }
  return input;
}

/** The hidden `version` of an edit form, as the number the API's DTOs take (anything else is left for the DTO to refuse). */
export function versionOf(body: Record<string, unknown>): number | string | undefined {
  const v = body.version;
  return typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : typeof v === 'string' ? v : undefined;
}

const pipe = new AppValidationPipe();

/** The API's validation of a DTO, as its global pipe runs it: the typed DTO, or a ValidationFailed. */
export async function validated<T>(dto: new () => T, input: Record<string, unknown>): Promise<T> {
  return (await pipe.transform(input, { type: 'body', metatype: dto })) as T;
}

// The API's messages, worded for people. Unknown messages fall back to a generic one with the API's text.
const MESSAGES: Array<[RegExp, (label: string, m: RegExpMatchArray) => string]> = [
  [/^(is required|must not be null)$/, (l) => `Uzupełnij pole „${l}”`],
  [/^must be at most (\d+) characters long$/, (l, m) => `Pole „${l}” może mieć najwyżej ${m[1]} znaków`],
  [/^must be at least (\d+) characters long$/, (l, m) => `Pole „${l}” musi mieć co najmniej ${m[1]} znaków`],
  [/^must be one of/, (l) => `Wybierz wartość pola „${l}” z listy`],
  [/^must be an email address$/, () => 'Wpisz adres e-mail w poprawnym formacie, np. biuro@fundacja.pl'],
  [/^must be an http\(s\) address$/, () => 'Wpisz adres strony zaczynający się od https:// lub http://'],
  [/^must be a date in the form YYYY-MM-DD$/, (l) => `Wpisz datę „${l}” w formacie RRRR-MM-DD, np. 2026-03-01`],
  [/^(KRS|NIP|REGON|TERYT) checksum is invalid$/, (_l, m) => `Numer ${m[1]} ma błędną cyfrę kontrolną – sprawdź, czy nie ma w nim literówki`],
  [/^(KRS|NIP) must be 10 digits$/, (_l, m) => `Numer ${m[1]} musi mieć 10 cyfr`],
  [/^REGON must be 9 or 14 digits$/, () => 'Numer REGON musi mieć 9 albo 14 cyfr'],
  [/^TERYT must be 7 digits$/, () => 'Kod TERYT musi mieć 7 cyfr'],
  [/^must be an amount in PLN/, (l) => `Wpisz kwotę „${l}” w złotych, np. 12 500,50`],
  [/^must be at least (\d+\.\d\d)$/, (l, m) => `Kwota „${l}” musi wynosić co najmniej ${formatPln(m[1])}`],
  [/^must be at least (\d+)$/, (l, m) => `Pole „${l}” musi wynosić co najmniej ${m[1]}`],
  [/^must be at most (\d+)$/, (l, m) => `Pole „${l}” może wynosić najwyżej ${m[1]}`],
  [/^must be an integer$/, (l) => `Wpisz w polu „${l}” liczbę całkowitą, np. 120`],
  [/^must hold at least 1 id$/, (l) => `Wybierz co najmniej jedną pozycję w polu „${l}”`],
  [/^must not repeat an id$/, (l) => `Ta sama pozycja powtarza się w polu „${l}”`],
  [/^must not repeat an NGO$/, (l) => `Ta sama organizacja jest wybrana więcej niż raz w polu „${l}”`],
  [/^overlaps another membership of this NGO in this commission$/, () => 'Ta organizacja jest już członkiem tej komisji w części tych dni'],
  [/^must not contain control characters$/, (l) => `Usuń znaki sterujące z pola „${l}”`],
  [/^is one of the most common passwords/, () => 'To hasło jest jednym z najczęściej używanych – wybierz inne'],
  [/^is already registered$/, (l) => `Organizacja z takim numerem (${l}) jest już w rejestrze`],
  [/^is required for the ngo role$/, () => 'Wybierz organizację: konto z rolą „organizacja” musi mieć ją przypisaną'],
  [/^is only allowed for the ngo role$/, () => 'Organizację można przypisać tylko kontu z rolą „organizacja”'],
  [/^is already used by another user$/, () => 'Ten adres e-mail ma już inne konto w tej gminie'],
];

/** Rule breaks (422) by the rule's code: the law's wording, for the official. */
const RULES: Record<string, (e: FieldError) => string> = {
  'task.dates-order': () => 'Data zakończenia nie może być wcześniejsza niż data rozpoczęcia',
  'task.dates-in-program': () => 'Daty zadania muszą mieścić się w latach programu współpracy',
  'task.small-grant-amount': () => 'Mały grant (art. 19a ustawy) może wynosić najwyżej 10 000,00 zł',
  'task.small-grant-duration': () => 'Mały grant (art. 19a ustawy) może trwać najwyżej 90 dni',
  'task.small-grant-yearly-cap': () => 'Ta organizacja przekroczyłaby 20 000,00 zł małych grantów w roku (art. 19a ust. 4 ustawy)',
  'task.settled-within-granted': () => 'Kwota rozliczona nie może przekraczać kwoty przyznanej',
  'task.granted-within-requested': () => 'Kwota przyznana nie może przekraczać kwoty wnioskowanej',
  'task.status-forward': () => 'Status może zmienić się tylko naprzód albo na „rozwiązane”',
  'task.program-archived': () => 'Ten program jest zarchiwizowany',
  'task.sphere-in-force': () => 'Ta sfera pożytku publicznego nie obowiązywała w dniu rozpoczęcia zadania',
  'task.ngo-exists': () => 'Nie ma takiej organizacji w rejestrze gminy',
  'task.ngo-archived': () => 'Ta organizacja jest zarchiwizowana',
  'user.current-password': () => 'To nie jest Twoje obecne hasło',
  'user.self-demotion': () => 'Nie możesz zmienić roli własnego konta',
  'user.self-deactivation': () => 'Nie możesz wyłączyć własnego konta',
  'user.platform-admin': () => 'Administrator platformy musi pozostać aktywnym administratorem',
  'user.ngo-exists': () => 'Nie ma takiej organizacji w rejestrze gminy',
  'program.year-order': () => 'Rok zakończenia nie może być wcześniejszy niż rok rozpoczęcia',
  'program.annual-single-year': () => 'Program roczny obejmuje jeden rok: rok zakończenia musi być równy rokowi rozpoczęcia',
  'program.multi-year-span': () => 'Program wieloletni obejmuje co najmniej dwa lata',
  'program.parent-only-annual': () => 'Tylko program roczny może należeć do programu wieloletniego',
  'program.parent-exists': () => 'Nie ma takiego programu wieloletniego w gminie',
  'program.parent-multi-year': () => 'Program nadrzędny musi być programem wieloletnim',
  'program.inside-parent': () => 'Rok programu rocznego musi mieścić się w latach programu wieloletniego',
  'program.has-children': () => 'Program, który ma programy roczne, musi pozostać wieloletni',
  'program.children-inside': () => 'Programy roczne tego programu wypadłyby poza jego lata',
  'program.tasks-inside': () => 'Zadania tego programu wypadłyby poza jego lata',
  'program.activities-inside': () => 'Działania tego programu wypadłyby poza jego lata',
  'program.archived': () => 'Program jest zarchiwizowany i nie można go zmieniać',
  'program.parent-self': () => 'Program nie może być swoim własnym programem nadrzędnym',
  'activity.dates-in-program': () => 'Daty działania muszą mieścić się w latach programu współpracy',
  'activity.dates-order': () => 'Data zakończenia nie może być wcześniejsza niż data rozpoczęcia',
  'activity.program-archived': () => 'Ten program jest zarchiwizowany',
  'activity.program-exists': () => 'Nie ma takiego programu w gminie',
  'commission.term-order': () => 'Koniec kadencji nie może być wcześniejszy niż jej początek',
  'commission.members-inside': (e) => `Członkostwa w komisji (${/^\d+/.exec(e.message)?.[0] ?? 'niektóre'}) wypadłyby poza tak zmienioną kadencję – najpierw zmień ich daty`,
  'commission.meetings-inside': (e) => `Posiedzenia komisji (${/^\d+/.exec(e.message)?.[0] ?? 'niektóre'}) wypadłyby poza tak zmienioną kadencję`,
  'member.ngo-exists': () => 'Nie ma takiej organizacji w rejestrze gminy',
  'member.ngo-archived': () => 'Ta organizacja jest zarchiwizowana i nie może zostać członkiem komisji',
  'member.dates-order': () => 'Ostatni dzień członkostwa nie może być wcześniejszy niż pierwszy',
  'member.inside-term': (e) => {
    const [a, b] = e.message.match(/\d{4}-\d{2}-\d{2}/g) ?? [];
    return e.field === 'from' ? `Członkostwo musi zaczynać się w czasie kadencji komisji (od ${a} do ${b})` : `Członkostwo może trwać najdłużej do końca kadencji komisji (${a})`;
  },
  'member.end-before-start': (e) => `Członkostwo zaczyna się ${/\d{4}-\d{2}-\d{2}/.exec(e.message)?.[0]}; nie może skończyć się wcześniej`,
  'member.already-ended': (e) => `To członkostwo skończyło się już ${/\d{4}-\d{2}-\d{2}/.exec(e.message)?.[0]}`,
  'meeting.date-in-term': (e) => {
    const [a, b] = e.message.match(/\d{4}-\d{2}-\d{2}/g) ?? [];
    return `Posiedzenie musi odbyć się w czasie kadencji komisji (od ${a} do ${b})`;
  },
  'meeting.ngo-exists': () => 'Nie ma takiej organizacji w rejestrze gminy',
  'ngo.archived': () => 'Organizacja jest zarchiwizowana i nie można jej zmieniać',
  'two-factor.code': () => 'To nie jest aktualny kod z aplikacji ani niewykorzystany kod odzyskiwania – wpisz nowy kod',
  'two-factor.already-on': () => 'Logowanie dwuetapowe jest już włączone',
  'two-factor.off': () => 'Logowanie dwuetapowe nie jest włączone dla tego konta',
  'two-factor.required': () => 'Twoja gmina wymaga logowania dwuetapowego dla Twojej roli – nie możesz go wyłączyć',
  'two-factor.admin-first': () => 'Najpierw włącz logowanie dwuetapowe dla własnego konta, potem wymagaj go od innych',
};

export function polishMessage(label: string, error: FieldError): string {
  if (error.rule && Object.hasOwn(RULES, error.rule)) return RULES[error.rule](error);
  for (const [pattern, message] of MESSAGES) {
    const m = pattern.exec(error.message);
    if (m) return message(label, m);
  }
  return `Pole „${label}”: ${error.message}`;
}

/**
 * Puts an error the API would answer with onto the form: messages beside their fields, the rest
 * at the top. Returns the HTTP status the API gives for it (400, 409, 422), or rethrows what is
 * not a domain error about the input.
 */
export function applyError(state: FormState, error: unknown, specs: readonly FieldSpec[]): number {
  if (!(error instanceof DomainError) || !['validation', 'conflict', 'rule-violation', 'stale-version'].includes(error.kind)) throw error;
  const labels = new Map(specs.map((s) => [s.name, s.label]));
  for (const e of error.errors ?? []) {
    const name = e.field.split('.')[0];
    const spec = specs.find((s) => s.name === name);
    const message = spec?.kind === 'select' && /^(is required|must not be null)$/.test(e.message) ? `Wybierz: ${spec.label.toLowerCase()}` : polishMessage(labels.get(name) ?? name, e);
    if (labels.has(name)) state.errors[name] ??= message;
    else state.general.push(message);
  }
  if (error.kind === 'stale-version') state.general.push('Ktoś inny zmienił ten rekord, gdy go edytowałeś. Poniżej są jego obecne dane z Twoimi zmianami – sprawdź je i zapisz ponownie.');
  else if (!error.errors?.length) state.general.push(error.kind === 'conflict' ? 'Tego nie można zapisać: koliduje z istniejącym rekordem.' : error.message);
  return error.kind === 'validation' ? 400 : error.kind === 'rule-violation' ? 422 : 409;
}

export const hasErrors = (state: FormState) => state.general.length > 0 || Object.keys(state.errors).length > 0;

/** The error summary's items: the general messages, then each field's, linked to its control. */
export function errorItems(state: FormState, specs: readonly FieldSpec[]): Array<{ href?: string; message: string }> {
  return [...state.general.map((message) => ({ message })), ...specs.filter((s) => state.errors[s.name]).map((s) => ({ href: `#${fieldId(s.name)}`, message: state.errors[s.name] }))];
}

/** What someone else saved that differs from what this user submits: field, saved value, theirs. */
export function differences(fields: readonly FieldSpec[], current: FormState['values'], yours: FormState['values']) {
  const show = (f: FieldSpec, v: string | string[] | undefined): string => {
    if (Array.isArray(v)) return v.map((x) => f.options?.find((o) => o.value === x)?.label ?? x).join(', ') || '—';
    if (f.kind === 'checkbox') return v === 'true' ? 'tak' : 'nie';
    if (f.options) return f.options.find((o) => o.value === v)?.label ?? v ?? '—';
    return v === undefined || v === '' ? '—' : v;
  };
  const normal = (f: FieldSpec, v: string | string[] | undefined) => (f.kind === 'money' && typeof v === 'string' ? parsePolishMoney(v) : show(f, v));
  return fields.filter((f) => normal(f, current[f.name]) !== normal(f, yours[f.name])).map((f) => ({ label: f.label, current: show(f, current[f.name]), yours: show(f, yours[f.name]) }));
}

/** The fields' markup, with values kept and messages beside their fields. */
export function renderFields(specs: readonly FieldSpec[], state: FormState): string {
  return specs
    .map((spec) => {
      const id = fieldId(spec.name);
      const error = state.errors[spec.name];
      const value = state.values[spec.name];
      const selected = new Set(Array.isArray(value) ? value : [value ?? '']);
      const describedBy = [spec.hint || spec.kind === 'date' ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
      if (spec.kind === 'selects') {
        const chosen = Array.isArray(value) ? value : [];
        return Array.from({ length: spec.count ?? 1 }, (_unused, i) =>
          eta.render('@field', {
            ...spec,
            id: i === 0 ? id : `${id}-${i}`,
            label: i === 0 ? spec.label : `${spec.moreLabel ?? spec.label} ${i}`,
            kind: 'select',
            optional: i > 0,
            hint: i === 0 ? spec.hint : undefined,
            error: i === 0 ? error : undefined,
            describedBy: i === 0 ? describedBy : '',
            options: [...(i > 0 || spec.optional ? [{ value: '', label: '— brak —' }] : []), ...(spec.options ?? [])].map((o) => ({ ...o, selected: (chosen[i] ?? '') === o.value })),
          }),
        ).join('');
      }
      return eta.render('@field', {
        ...spec,
        id,
        // dates as text in the form YYYY-MM-DD (the GOV.UK habit): a browser's date picker follows the
        // system's locale, not the page's, and may ask for month before day
        kind: spec.kind === 'money' || spec.kind === 'integer' || spec.kind === 'date' ? 'text' : spec.kind,
        hint: spec.kind === 'date' ? (spec.hint ?? 'W formacie RRRR-MM-DD, np. 2026-03-01') : spec.hint,
        inputmode: spec.kind === 'money' ? 'decimal' : spec.kind === 'integer' ? 'numeric' : spec.inputmode,
        width: spec.width ?? (spec.kind === 'money' || spec.kind === 'date' || spec.kind === 'integer' ? 'w-10' : 'w-full'),
        value: Array.isArray(value) ? '' : (value ?? ''),
        error,
        describedBy,
        options: spec.options?.map((o) => ({ ...o, selected: selected.has(o.value) })),
      });
    })
    .join('');
}
