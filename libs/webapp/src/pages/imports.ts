import { DomainError, FORM_LABELS, formatInteger, MODE_LABELS, plural, sha256Hex, STATUS_LABELS, TASKS, type FieldError } from '@app/core';
import { columnsOf, IMPORT_FILE_LIMIT, IMPORT_KINDS, ImportQuery, ImportRejected, ImportsService, IMPORT_ROW_LIMITS, type ImportKind, type Upload } from '@app/imports';
import { CreateNgoDto, LEGAL_FORMS } from '@app/ngos';
import { CreateTaskDto, TASK_FORMS, TASK_MODES, TASK_STATUSES } from '@app/tasks';
import { applyError, emptyForm, errorItems, polishMessage, renderFields, validated, type FieldSpec, type FormState } from '../forms';
import { renderLayout, type Outcome, type PageContext, type UploadedFile, type WebRoutes } from '../http';
import type { WebSessions } from '../sessions';
import { eta, template } from '../views';
import { LEGAL_FORM_LABELS } from './ngos';

/**
 * /app/imports: NGOs or funded tasks from a CSV or XLSX file, through ImportsService as
 * POST /api/v1/imports/{kind} does (its dry run, its all-or-nothing import, its row errors).
 *
 * Two steps without JavaScript, and nothing kept on the server between them: "Sprawdź plik" sends
 * the file for a dry run; when every row is good, the answer shows a second form, "Importuj N
 * wierszy", that asks for the same file again (a browser never re-sends a file by itself) and
 * carries the checked file's SHA-256. The import goes ahead only for that same file; another file
 * gets a dry run of its own instead, so what is imported is always what the official has seen
 * checked. No stored uploads means no table, no clean-up job and nothing to bind to a session;
 * choosing the file once more is the whole cost.
 */

const PATH = '/app/imports';
const KIND_LABELS: Record<ImportKind, string> = { ngos: 'organizacje pozarządowe', tasks: 'zadania publiczne (dotacje)' };
const CREATED: Record<ImportKind, readonly [string, string, string]> = { ngos: ['organizację pozarządową', 'organizacje pozarządowe', 'organizacji pozarządowych'], tasks: TASKS };
const ROWS = ['wiersz', 'wiersze', 'wierszy'] as const;
const MIB = IMPORT_FILE_LIMIT / 1024 / 1024;

const codes = (values: readonly string[], labels: Readonly<Record<string, string>>) => values.map((v) => `${v} (${labels[v] ?? v})`).join(', ');
const DAY = 'data w formacie RRRR-MM-DD, np. 2026-03-01';
const MONEY = 'kwota w złotych z kropką dziesiętną, np. 12500.50';

/** What to write in each column, for the official; the columns themselves come from the API's DTOs. */
const COLUMN_HINTS: Record<ImportKind, Record<string, string>> = {
  ngos: {
    name: 'pełna nazwa organizacji, jak w KRS lub w statucie',
    legalForm: `forma prawna, jeden z kodów: ${codes(LEGAL_FORMS, LEGAL_FORM_LABELS)}`,
    krs: 'numer KRS, 10 cyfr',
    nip: 'NIP, 10 cyfr (kreski są dozwolone)',
    regon: 'REGON, 9 albo 14 cyfr',
    email: 'adres e-mail organizacji',
    website: 'adres strony, zaczynający się od https:// lub http://',
    address: 'adres siedziby',
    spheres: 'kody sfer pożytku publicznego (art. 4 ustawy) rozdzielone średnikiem, np. 1;16;32a',
    publicBenefit: 'status organizacji pożytku publicznego: tak albo nie',
    registeredOn: `dzień rejestracji, ${DAY}`,
  },
  tasks: {
    programId: 'identyfikator programu współpracy (widać go w adresie strony programu)',
    title: 'tytuł zadania',
    sphere: 'kod sfery pożytku publicznego, np. 16',
    mode: `tryb, jeden z kodów: ${codes(TASK_MODES, MODE_LABELS)}`,
    form: `forma, jeden z kodów: ${codes(TASK_FORMS, FORM_LABELS)}`,
    competitionRef: 'oznaczenie konkursu, np. OK-12/2019',
    department: 'wydział, który prowadzi zadanie',
    ngoIds: 'organizacje realizujące: numery KRS albo NIP (lub identyfikatory) rozdzielone średnikiem; pierwsza jest liderem',
    amountRequested: `kwota wnioskowana, ${MONEY}`,
    amountGranted: `kwota przyznana, ${MONEY}`,
    amountSettled: `kwota rozliczona, ${MONEY}`,
    startDate: `dzień rozpoczęcia, ${DAY}`,
    endDate: `dzień zakończenia, ${DAY}`,
    status: `stan, jeden z kodów: ${codes(TASK_STATUSES, STATUS_LABELS)}`,
    beneficiaries: 'liczba odbiorców, liczba całkowita',
  },
};

/** The columns of a file of each kind, as libs/imports reads the header (the Create DTOs of POST /ngos and /tasks), with what to write in each. */
const withHints = (dto: new () => object, hints: Record<string, string>) => columnsOf(dto).map((c) => ({ name: c.name, required: c.required, hint: hints[c.name] ?? '' }));
const COLUMNS = [
  { heading: 'Plik organizacji pozarządowych', columns: withHints(CreateNgoDto, COLUMN_HINTS.ngos) },
  { heading: 'Plik zadań publicznych', columns: withHints(CreateTaskDto, COLUMN_HINTS.tasks) },
].map((k) => ({ ...k, count: plural(k.columns.length, ['kolumna', 'kolumny', 'kolumn']) }));

const KIND_FIELD: FieldSpec = { name: 'kind', label: 'Co zawiera plik', kind: 'select', options: [{ value: '', label: 'Wybierz…' }, ...IMPORT_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] }))] };
const FILE_HINT = `Plik CSV (UTF-8, kolumny rozdzielone przecinkiem albo średnikiem) albo XLSX (pierwszy arkusz), najwyżej ${MIB} MB i ${formatInteger(IMPORT_ROW_LIMITS.ngos)} wierszy organizacji albo ${formatInteger(IMPORT_ROW_LIMITS.tasks)} wierszy zadań. W pierwszym wierszu nazwy kolumn.`;

/** The file control, in the shape of the @field template's (label, hint, message, aria-describedby). */
const FILE_FIELD = template(
  '@import-file',
  `<div class="field<% if (it.error) { %> field-error<% } %>">
<label for="f-file"><%= it.label %></label>
<p class="hint" id="f-file-hint"><%= it.hint %><% if (it.columnsLink) { %> <a href="#kolumny">Jakie kolumny?</a><% } %></p>
<% if (it.error) { %><p class="error-message" id="f-file-error"><span class="visually-hidden">Błąd:</span> <%= it.error %></p><% } %>
<input id="f-file" name="file" type="file" class="w-20" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" aria-describedby="f-file-hint<% if (it.error) { %> f-file-error<% } %>"<% if (it.error) { %> aria-invalid="true"<% } %>>
</div>
`,
);

const PAGE = template(
  '@imports',
  `<h1><%= it.heading %></h1>
<%~ include('@error-summary', { errors: it.errors }) %>
<% if (it.result) { %>
<p role="status"><%= it.result.status %></p>
<% it.result.notes.forEach(function (n) { %><p><%= n %></p><% }) %>
<% if (it.result.table) { %>
<h2 id="bledy">Błędy w pliku</h2>
<p>Wiersz 1 to nagłówek z nazwami kolumn. Popraw te wiersze w arkuszu, zapisz plik i sprawdź go ponownie.</p>
<%~ include('@table', it.result.table) %>
<% } %>
<% } else { %>
<p class="lead">Dodaj do rejestru wiele organizacji albo zadań publicznych naraz. Najpierw sprawdzimy plik, niczego nie zapisując; jeśli wszystkie wiersze są poprawne, zaimportujesz je jednym przyciskiem. Import zapisuje wszystkie wiersze albo żaden.</p>
<% } %>
<% if (it.importForm) { %>
<h2>Import</h2>
<p><%= it.importForm.summary %></p>
<form method="post" action="<%= it.action %>" enctype="multipart/form-data" novalidate>
<input type="hidden" name="_csrf" value="<%= it.csrf %>">
<input type="hidden" name="kind" value="<%= it.importForm.kind %>">
<input type="hidden" name="checked" value="<%= it.importForm.sha256 %>">
<input type="hidden" name="checkedName" value="<%= it.importForm.fileName %>">
<input type="hidden" name="checkedRows" value="<%= it.importForm.rows %>">
<%~ include('@import-file', it.file) %>
<div class="actions"><button type="submit" name="mode" value="import"><%= it.importForm.submit %></button><a href="<%= it.action %>">Sprawdź inny plik</a></div>
</form>
<% } else { %>
<% if (it.result) { %><h2><%= it.checkHeading %></h2><% } %>
<form method="post" action="<%= it.action %>" enctype="multipart/form-data" novalidate>
<input type="hidden" name="_csrf" value="<%= it.csrf %>">
<%~ it.kindField %>
<%~ include('@import-file', it.file) %>
<div class="actions"><button type="submit" name="mode" value="check">Sprawdź plik</button></div>
</form>
<% } %>
<h2 id="kolumny">Kolumny pliku</h2>
<p>W pierwszym wierszu pliku wpisz nazwy kolumn dokładnie tak jak poniżej (wielkość liter nie ma znaczenia); kolejność kolumn jest dowolna, a kolumny nieobowiązkowe można pominąć. Pusta komórka oznacza brak wartości.</p>
<% it.columns.forEach(function (k) { %>
<details>
<summary><%= k.heading %> (<%= k.count %>)</summary>
<ul>
<% k.columns.forEach(function (c) { %><li><code><%= c.name %></code><% if (c.required) { %> (obowiązkowa)<% } %><% if (c.hint) { %> – <%= c.hint %><% } %></li><% }) %>
</ul>
</details>
<% }) %>
`,
);

interface CheckResult {
  kind: ImportKind;
  fileName: string;
  sha256: string;
  /** Data rows in the file; null after a refused import, which does not count them. */
  rows: number | null;
  errors: Array<{ line: number; column: string | null; message: string }>;
  /** A real import that found errors (422), not a dry run. */
  imported: boolean;
  /** Said first: why this is a dry run's answer and not the import asked for. */
  note?: string;
}

// The messages of libs/imports about a file's header and rows, for people; the rest go through
// the forms' wording of the DTOs' messages (forms.ts), which falls back to the API's own text.
const ROW_MESSAGES: Array<[RegExp, (m: RegExpMatchArray) => string]> = [
  [/^must be one of: (.*)$/, (m) => `Wpisz jeden z kodów: ${m[1]}`],
  [/^(is required|must not be null)$/, () => 'Uzupełnij tę komórkę: kolumna jest obowiązkowa'],
  [/^Unknown column; the columns are /, () => 'Nieznana kolumna – sprawdź jej nazwę na liście kolumn pod formularzem'],
  [/^A required column is missing$/, () => 'Brak obowiązkowej kolumny'],
  [/^The column appears more than once$/, () => 'Kolumna występuje w nagłówku więcej niż raz'],
  [/^Column (\d+) holds values but has no name in the header$/, (m) => `Kolumna ${m[1]} ma wartości, ale nie ma nazwy w nagłówku`],
  [/^The row has (\d+) values? beyond the header's (\d+) columns$/, (m) => `Wiersz ma więcej wartości (${m[1]}) niż nagłówek kolumn (${m[2]})`],
  [/^"(.*)": no NGO with this KRS or NIP in this municipality$/, (m) => `„${m[1]}”: w rejestrze gminy nie ma organizacji z takim numerem KRS ani NIP`],
  [/^"(.*)": no NGO with this id in this municipality$/, (m) => `„${m[1]}”: w rejestrze gminy nie ma organizacji o takim identyfikatorze`],
  [/^"(.*)" is neither an NGO id \(UUID\) nor a KRS or NIP number \(10 digits\)$/, (m) => `„${m[1]}” nie jest ani numerem KRS lub NIP (10 cyfr), ani identyfikatorem organizacji`],
  [/^"(.*)" is the KRS of one NGO and the NIP of another; give the NGO's id$/, (m) => `„${m[1]}” to KRS jednej organizacji i NIP innej – wpisz identyfikator organizacji`],
];

function rowMessage(column: string | null, message: string): string {
  // a clash with an earlier row of the same file: "… (line 3 of this file)"
  const earlier = / \(line (\d+) of this file\)$/.exec(message);
  const text = earlier ? message.slice(0, earlier.index) : message;
  const known = ROW_MESSAGES.find(([pattern]) => pattern.test(text));
  const polish = known ? known[1](text.match(known[0])!) : column ? polishMessage(column, { field: column, message: text }) : text;
  return earlier ? `${polish} (tak jak w wierszu ${earlier[1]} tego pliku)` : polish;
}

const LIMITS: Record<string, string> = {
  'import.max-rows': `Plik ma za dużo wierszy: w jednym pliku najwyżej ${formatInteger(IMPORT_ROW_LIMITS.ngos)} organizacji albo ${formatInteger(IMPORT_ROW_LIMITS.tasks)} zadań – podziel go na mniejsze`,
  'import.max-cells': 'Plik ma zbyt wiele komórek – podziel go na mniejsze',
  'import.max-unzipped-size': 'Skoroszyt XLSX jest zbyt duży – podziel go na mniejsze albo zapisz jako CSV',
  'import.max-zip-entries': 'Skoroszyt XLSX jest zbyt duży – podziel go na mniejsze albo zapisz jako CSV',
  'import.max-cell-size': 'Plik ma komórkę dłuższą niż 32 767 znaków',
};

/** A problem with the file as a whole (libs/imports names the field `file`), for the message beside the file field. */
function fileMessage(e: FieldError): string {
  if (e.rule && Object.hasOwn(LIMITS, e.rule)) return LIMITS[e.rule];
  const m = e.message;
  if (m === 'is required') return 'Wybierz plik CSV albo XLSX';
  if (m === 'is empty') return 'Wybrany plik jest pusty';
  if (/^is neither an XLSX workbook nor a CSV file in UTF-8/.test(m)) return 'To nie jest plik XLSX ani CSV w kodowaniu UTF-8 – w arkuszu zapisz go jako „CSV UTF-8” albo jako XLSX';
  if (/^is not a valid XLSX workbook$|^is an XLSX workbook without a worksheet$/.test(m)) return 'Tego skoroszytu XLSX nie da się odczytać – otwórz go i zapisz ponownie';
  if (/^is not a valid CSV file: (.*) at line (\d+)/.test(m)) return `Pliku CSV nie da się odczytać: błąd cudzysłowu w wierszu ${/at line (\d+)/.exec(m)![1]}`;
  if (/^is not a valid CSV file/.test(m)) return 'Pliku CSV nie da się odczytać – sprawdź cudzysłowy';
  if (/header/.test(m) && /line 1|no header/.test(m)) return 'W pierwszym wierszu pliku muszą być nazwy kolumn';
  if (m === 'holds no rows below the header') return 'Plik nie ma żadnego wiersza danych pod nagłówkiem';
  return `Pliku nie można odczytać: ${m}`;
}

/**
 * Errors in the table at most: a file of 100 000 rows with a column wrong on every row would
 * otherwise make a page of 100 000 table rows, too long to read or to load (the API answers all).
 */
const SHOWN_ERRORS = 500;

/** /app/imports: a dry run of a CSV or XLSX file, its rows' errors in a table, then the import (officials, admins). */
export function registerImportPages(routes: WebRoutes, deps: { imports: ImportsService; sessions: WebSessions }): void {
  const { imports, sessions } = deps;

  const page = (ctx: PageContext, state: FormState, result: CheckResult | null, status = 200): Outcome => {
    const bad = result ? new Set(result.errors.filter((e) => e.line > 1).map((e) => e.line)).size : 0;
    const header = result ? result.errors.some((e) => e.line === 1) : false;
    const valid = result !== null && result.rows !== null && result.errors.length === 0 && !result.imported;
    const errors = errorItems(state, [KIND_FIELD, { name: 'file', label: 'Plik', kind: 'text' }]);
    if (result?.errors.length) {
      errors.push({ href: '#bledy', message: `W pliku są błędy (${formatInteger(result.errors.length)}) – zobacz tabelę błędów. Nic nie zapisano.` });
    }
    const kindName = result ? KIND_LABELS[result.kind] : '';
    const body = eta.render(PAGE, {
      heading: result ? (valid ? 'Plik jest poprawny' : result.imported ? 'Nie zaimportowano pliku' : 'Plik ma błędy') : 'Import z pliku CSV lub XLSX',
      errors,
      action: PATH,
      csrf: ctx.session.csrfToken,
      result: result && {
        status:
          result.rows === null
            ? `Plik „${result.fileName}” (${kindName}): wierszy z błędami: ${formatInteger(bad)}${header ? ', błędy są też w nagłówku' : ''}. Nic nie zapisano.`
            : `Plik „${result.fileName}” (${kindName}): ${plural(result.rows, ROWS)} danych${
                valid ? ', wszystkie poprawne. Jeszcze nic nie zapisano.' : `, poprawnych: ${formatInteger(result.rows - bad)}, z błędami: ${formatInteger(bad)}${header ? ', błędy są też w nagłówku' : ''}. Nic nie zapisano.`
              }`,
        notes: [
          ...(result.note ? [result.note] : []),
          ...(result.errors.length > SHOWN_ERRORS
            ? [`Tabela pokazuje pierwsze ${formatInteger(SHOWN_ERRORS)} z ${formatInteger(result.errors.length)} błędów. Popraw je, sprawdź plik ponownie, a zobaczysz następne.`]
            : []),
          ...(result.imported ? ['Import zapisuje wszystkie wiersze albo żaden, a od sprawdzenia pliku dane w rejestrze się zmieniły.'] : []),
        ],
        table: result.errors.length
          ? {
              id: 'bledy-caption',
              caption: `Błędy w pliku „${result.fileName}”`,
              columns: [{ label: 'Wiersz' }, { label: 'Kolumna' }, { label: 'Komunikat' }],
              rows: result.errors.slice(0, SHOWN_ERRORS).map((e) => ({ head: formatInteger(e.line), cells: [e.column ?? '—', rowMessage(e.column, e.message)] })),
            }
          : null,
      },
      importForm: valid && {
        kind: result.kind,
        sha256: result.sha256,
        fileName: result.fileName,
        rows: result.rows,
        summary: `Import doda do rejestru ${plural(result.rows!, CREATED[result.kind])}; każdy nowy wpis trafi też do dziennika zmian. Przeglądarka nie wysyła pliku drugi raz sama: wybierz ponownie ten sam plik, „${result.fileName}”, i naciśnij przycisk poniżej.`,
        submit: `Importuj ${plural(result.rows!, ROWS)}`,
      },
      checkHeading: 'Sprawdź poprawiony plik',
      kindField: renderFields([KIND_FIELD], state),
      file: { label: valid ? 'Ten sam plik jeszcze raz' : 'Plik', hint: valid ? `Plik „${result.fileName}”, który właśnie sprawdziliśmy.` : FILE_HINT, columnsLink: !valid, error: state.errors.file },
      columns: COLUMNS,
    });
    const title = result ? `Import: ${valid ? 'plik jest poprawny' : 'plik ma błędy'}` : 'Import z pliku';
    return { status, html: renderLayout({ title, body, session: ctx.session, section: PATH, hasErrors: errors.length > 0 }) };
  };

  routes.get(PATH, { permission: 'registers.write' }, async (ctx) => page(ctx, emptyForm({ kind: '' }), null));

  routes.post(PATH, { permission: 'registers.write', upload: { field: 'file', maxBytes: IMPORT_FILE_LIMIT } }, async (ctx) => {
    const text = (name: string) => (typeof ctx.body[name] === 'string' ? (ctx.body[name] as string) : '');
    const state = emptyForm({ kind: text('kind') });
    const kind = IMPORT_KINDS.find((k) => k === text('kind'));
    const checked = text('checked');
    // the query the API's controller reads: a dry run unless the import itself was asked for
    const query = await validated(ImportQuery, text('mode') === 'import' ? {} : { dryRun: 'true' });
    let status = 400;
    if (!kind) state.errors.kind = 'Wybierz, co zawiera plik: organizacje czy zadania';
    const file: UploadedFile | null = ctx.file;
    if (!file) state.errors.file = !query.dryRun && text('checkedName') ? `Wybierz ponownie ten sam plik, „${text('checkedName')}”` : 'Wybierz plik CSV albo XLSX';
    else if (file.tooLarge) {
      state.errors.file = `Plik jest większy niż ${MIB} MB – podziel go na mniejsze`;
      status = 413;
    }
    if (!kind || !file || file.tooLarge) {
      // the import form sent without its file: that form again (what it says of the file is what it carried), the message beside the field
      const rows = text('checkedRows');
      if (kind && !query.dryRun && /^[0-9a-f]{64}$/.test(checked) && /^\d{1,6}$/.test(rows) && Number(rows) > 0) {
        return page(ctx, state, { kind, fileName: text('checkedName'), sha256: checked, rows: Number(rows), errors: [], imported: false }, status);
      }
      return page(ctx, state, null, status);
    }

    const upload: Upload = { buffer: file.buffer, fileName: file.fileName, mimeType: file.mimeType, sha256: sha256Hex(file.buffer) };
    const base = { kind, fileName: upload.fileName, sha256: upload.sha256 };
    try {
      if (!query.dryRun && checked === upload.sha256) {
        const { imported } = await imports.import(ctx.actor, kind, upload);
        await sessions.flash(ctx.session, `Zaimportowano ${plural(imported, CREATED[kind])} z pliku „${upload.fileName}”.`);
        return { redirect: PATH };
      }
      const check = await imports.check(ctx.actor, kind, upload);
      // an import of another file than the one checked: that file's dry run instead, for the official to see first
      const note = query.dryRun ? undefined : 'To nie jest plik, który sprawdziliśmy przed chwilą, więc go nie zaimportowaliśmy. Oto wynik sprawdzenia wybranego pliku.';
      return page(ctx, state, { ...base, rows: check.rows, errors: check.errors, imported: false, note }, query.dryRun ? 200 : 409);
    } catch (error) {
      if (error instanceof ImportRejected) return page(ctx, state, { ...base, rows: null, errors: error.importErrors, imported: true }, 422);
      // the file as a whole (unreadable, over a limit): beside the file field, with the API's status
      if (error instanceof DomainError && error.errors?.some((e) => e.field === 'file')) {
        state.errors.file = fileMessage(error.errors.find((e) => e.field === 'file')!);
        return page(ctx, state, null, error.kind === 'validation' ? 400 : 422);
      }
      return page(ctx, state, null, applyError(state, error, [KIND_FIELD]));
    }
  });
}
