import ExcelJS from 'exceljs';
import { createHash } from 'node:crypto';
import { newNgo, uniqueIdentifiers } from '../utils/factories';
import { createTestApp, PLATFORM_ADMIN, type TestApp } from '../utils/test-app';
import { createUser, signIn, TEST_PASSWORD } from '../utils/users';
import { textOf, WebClient, type FilePart } from '../utils/web-client';

/**
 * Real: HTTP (multipart bodies built with fetch's FormData, as a browser sends the form), the
 * sessions table, PostgreSQL, ImportsService behind the page. /app/imports: a dry run of a CSV or
 * XLSX file, its rows' errors in a table, then the import of the same file, all or nothing.
 */
describe('the web app: imports', () => {
  let t: TestApp;
  let admin: string;
  let official: { id: string; email: string; token: string };
  let auditor: { id: string; email: string; token: string };

  const NGO_HEADER = ['name', 'legalForm', 'krs', 'nip', 'spheres', 'publicBenefit'];
  type Row = Record<string, string | number | boolean | null>;
  const csvOf = (rows: Row[], header = NGO_HEADER) =>
    [header, ...rows.map((r) => header.map((h) => (r[h] === undefined || r[h] === null ? '' : String(r[h]))))].map((cells) => cells.map((c) => (/[",\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c)).join(',')).join('\n') + '\n';
  const csvFile = (content: string, name = 'organizacje.csv'): FilePart => ({ name, content, type: 'text/csv' });
  async function xlsxFile(rows: Row[], name = 'organizacje.xlsx'): Promise<FilePart> {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Organizacje');
    sheet.addRow(NGO_HEADER);
    for (const row of rows) sheet.addRow(NGO_HEADER.map((h) => row[h] ?? null));
    return { name, content: Buffer.from(await workbook.xlsx.writeBuffer()), type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' };
  }
  const sha256 = (file: FilePart) => createHash('sha256').update(file.content).digest('hex');
  const goodRow = (name: string): Row => {
    const id = uniqueIdentifiers();
    return { name, legalForm: 'foundation', krs: id.krs, nip: id.nip, spheres: '1;16', publicBenefit: 'tak' };
  };

  const state = async () => {
    const [row] = await t.db.query(`SELECT (SELECT count(*)::int FROM ngos) AS ngos, (SELECT count(*)::int FROM tasks) AS tasks, (SELECT count(*)::int FROM audit_entries) AS audit`);
    return row as { ngos: number; tasks: number; audit: number };
  };
  /** The rows of the errors table: [line, column, message]. */
  const errorRows = (html: string) =>
    [...(/<table>[\s\S]*?<caption id="bledy-caption">[\s\S]*?<\/table>/.exec(html)?.[0] ?? '').matchAll(/<tr><th scope="row">([^<]*)<\/th><td[^>]*>([^<]*)<\/td><td>([^<]*)<\/td><\/tr>/g)].map((m) => [m[1], m[2], m[3]]);

  beforeAll(async () => {
    t = await createTestApp({ loginRateLimitPerMinute: 1000 });
    admin = await signIn(t, PLATFORM_ADMIN.email);
    official = await createUser(t, admin, { email: 'official@imports.web.test.example', role: 'official' });
    auditor = await createUser(t, admin, { email: 'auditor@imports.web.test.example', role: 'auditor' });
  }, 60_000);

  afterAll(() => t?.close());

  /** An official's browser on the import page (its token read from the form). */
  async function onImportPage(email = official.email): Promise<WebClient> {
    const web = new WebClient(t.url);
    await web.signIn(email, TEST_PASSWORD);
    expect((await web.get('/app/imports')).status).toBe(200);
    return web;
  }

  it('shows officials the upload form: the kind, the file with its formats, limits and columns, the token first; in the menu after the reports', async () => {
    const web = await onImportPage();
    const page = await web.get('/app/imports');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.text.match(/<h1>/g)).toHaveLength(1);
    expect(page.text).toContain('<h1>Import z pliku CSV lub XLSX</h1>');
    const form = /<form method="post" action="\/app\/imports" enctype="multipart\/form-data" novalidate>([\s\S]*?)<\/form>/.exec(page.text)?.[1] ?? '';
    expect(form.indexOf('name="_csrf"')).toBeGreaterThanOrEqual(0);
    expect(form.indexOf('name="_csrf"')).toBeLessThan(form.indexOf('type="file"'));
    expect(form).toContain('<label for="f-kind">Co zawiera plik</label>');
    expect(form).toContain('<option value="ngos">organizacje pozarządowe</option>');
    expect(form).toContain('<option value="tasks">zadania publiczne (dotacje)</option>');
    expect(form).toContain('<label for="f-file">Plik</label>');
    expect(form).toMatch(/<input id="f-file" name="file" type="file" class="w-20" accept="[^"]*\.csv,\.xlsx[^"]*" aria-describedby="f-file-hint">/);
    expect(textOf(form, 'f-file-hint')).toBe('Plik CSV (UTF-8, kolumny rozdzielone przecinkiem albo średnikiem) albo XLSX (pierwszy arkusz), najwyżej 40 MB i 10 000 wierszy organizacji albo 100 000 wierszy zadań. W pierwszym wierszu nazwy kolumn. Jakie kolumny?');
    expect(form).toContain('<button type="submit" name="mode" value="check">Sprawdź plik</button>');
    // the columns, from the API's DTOs
    expect(page.text).toContain('<li><code>name</code> (obowiązkowa) – pełna nazwa organizacji, jak w KRS lub w statucie</li>');
    expect(page.text).toContain('<li><code>krs</code> – numer KRS, 10 cyfr</li>');
    expect(page.text).toMatch(/<li><code>ngoIds<\/code> \(obowiązkowa\) – organizacje realizujące/);
    expect(page.text).toMatch(/<li><code>amountGranted<\/code> \(obowiązkowa\)/);
    expect(page.text).toMatch(/href="\/app\/reports">Sprawozdania<\/a><\/li><li><a href="\/app\/imports" aria-current="page">Import<\/a>/);

    const auditorWeb = new WebClient(t.url);
    await auditorWeb.signIn(auditor.email, TEST_PASSWORD);
    expect((await auditorWeb.get('/app')).text).not.toContain('href="/app/imports"');
  });

  it('a dry run of a CSV with two bad rows lists both in the errors table, in Polish, and writes nothing', async () => {
    const web = await onImportPage();
    const file = csvFile(csvOf([goodRow('Fundacja Dobra'), { ...goodRow('Fundacja Zła NIP'), nip: '1234567890' }, { ...goodRow('Spółka Zła'), legalForm: 'spolka' }, goodRow('Fundacja Też Dobra')]));
    const before = await state();
    const answer = await web.postMultipart('/app/imports', { kind: 'ngos', file, mode: 'check' });
    expect(answer.status).toBe(200);
    expect(await state()).toEqual(before);
    expect(answer.text).toContain('<h1>Plik ma błędy</h1>');
    expect(answer.text).toContain('<title>Błąd: Import: plik ma błędy');
    expect(answer.text).toMatch(/<p role="status">Plik „organizacje\.csv” \(organizacje pozarządowe\): 4\u00a0wiersze danych, poprawnych: 2, z błędami: 2\. Nic nie zapisano\.<\/p>/);
    // the summary links to the table, which scrolls inside its labelled region
    expect(answer.text).toMatch(/<div class="error-summary" role="alert"[\s\S]*<a href="#bledy">W pliku są błędy \(2\)/);
    expect(answer.text).toContain('<div class="table-wrap" role="region" aria-labelledby="bledy-caption" tabindex="0">');
    expect(answer.text).toContain('<caption id="bledy-caption">Błędy w pliku „organizacje.csv”</caption>');
    expect(answer.text).toMatch(/<th scope="col">Wiersz<\/th><th scope="col">Kolumna<\/th><th scope="col">Komunikat<\/th>/);
    expect(errorRows(answer.text)).toEqual([
      ['3', 'nip', 'Numer NIP ma błędną cyfrę kontrolną – sprawdź, czy nie ma w nim literówki'],
      ['4', 'legalForm', 'Wpisz jeden z kodów: association, foundation, church-entity, cooperative, other'],
    ]);
    // no import button for a file with errors: the form to check the corrected file, its kind kept
    expect(answer.text).not.toContain('value="import"');
    expect(answer.text).toContain('<h2>Sprawdź poprawiony plik</h2>');
    expect(answer.text).toContain('<option value="ngos" selected>organizacje pozarządowe</option>');
  });

  it('a file with more than 500 errors: the table shows the first 500 and says how many there are; the summary counts them all', async () => {
    const web = await onImportPage();
    const rows = Array.from({ length: 600 }, (_, i) => ({ ...goodRow(`Fundacja nr ${i}`), legalForm: 'spółka' }));
    const answer = await web.postMultipart('/app/imports', { kind: 'ngos', file: csvFile(csvOf(rows)), mode: 'check' });
    expect(answer.status).toBe(200);
    expect(errorRows(answer.text)).toHaveLength(500);
    expect(errorRows(answer.text)[499][0]).toBe('501');
    expect(answer.text).toContain('<a href="#bledy">W pliku są błędy (600)');
    expect(answer.text).toContain('<p>Tabela pokazuje pierwsze 500 z 600 błędów. Popraw je, sprawdź plik ponownie, a zobaczysz następne.</p>');
  });

  it('a valid CSV: the dry run writes nothing and offers "Importuj N wierszy" for the same file; the import writes every row and its audit entries, then a one-time confirmation', async () => {
    const web = await onImportPage();
    const rows = [goodRow('Fundacja „Źródło”, Łódź'), goodRow('Stowarzyszenie Przyjaciół Nowej Huty'), goodRow('Koło Gospodyń Wiejskich w Bieżanowie')];
    const file = csvFile(csvOf(rows), 'nowe organizacje.csv');
    const before = await state();
    const checked = await web.postMultipart('/app/imports', { kind: 'ngos', file, mode: 'check' });
    expect(checked.status).toBe(200);
    expect(await state()).toEqual(before);
    expect(checked.text).toContain('<h1>Plik jest poprawny</h1>');
    expect(checked.text).not.toContain('role="alert"');
    expect(checked.text).toContain('<p role="status">Plik „nowe organizacje.csv” (organizacje pozarządowe): 3\u00a0wiersze danych, wszystkie poprawne. Jeszcze nic nie zapisano.</p>');
    expect(checked.text).toContain('Import doda do rejestru 3\u00a0organizacje pozarządowe');
    const form = /<form method="post" action="\/app\/imports" enctype="multipart\/form-data" novalidate>([\s\S]*?)<\/form>/.exec(checked.text)?.[1] ?? '';
    expect(form).toContain('<input type="hidden" name="kind" value="ngos">');
    expect(form).toContain(`<input type="hidden" name="checked" value="${sha256(file)}">`);
    expect(form).toContain('<input type="hidden" name="checkedName" value="nowe organizacje.csv">');
    expect(form).toContain('<input type="hidden" name="checkedRows" value="3">');
    expect(form).toContain('<label for="f-file">Ten sam plik jeszcze raz</label>');
    expect(form).toContain('<button type="submit" name="mode" value="import">Importuj 3\u00a0wiersze</button>');

    const imported = await web.postMultipart('/app/imports', { kind: 'ngos', checked: sha256(file), file, mode: 'import' });
    expect([imported.status, imported.location]).toEqual([303, '/app/imports']);
    const after = await state();
    expect(after).toEqual({ ...before, ngos: before.ngos + 3, audit: before.audit + 4 });
    const names = await t.db.query(`SELECT name FROM ngos WHERE krs = ANY($1) ORDER BY krs`, [rows.map((r) => r.krs)]);
    expect(names.map((n: { name: string }) => n.name)).toEqual(rows.map((r) => r.name));
    const entries = await t.db.query(`SELECT action, entity, after FROM audit_entries ORDER BY seq DESC LIMIT 4`);
    expect(entries.map((e: { action: string; entity: string }) => `${e.action} ${e.entity}`)).toEqual(['import ngo', 'create ngo', 'create ngo', 'create ngo']);
    expect(entries[0].after).toEqual({ kind: 'ngos', rows: 3, fileName: 'nowe organizacje.csv', sha256: sha256(file) });

    const next = await web.get('/app/imports');
    expect(next.text).toContain('<div class="notice" role="status"><p>Zaimportowano 3\u00a0organizacje pozarządowe z pliku „nowe organizacje.csv”.</p></div>');
    expect((await web.get('/app/imports')).text).not.toContain('Zaimportowano');
  });

  it('an XLSX works too: its dry run, then its import', async () => {
    const web = await onImportPage();
    const rows = [goodRow('Fundacja Wisła'), goodRow('Stowarzyszenie Żak')];
    const file = await xlsxFile([{ ...rows[0], krs: Number(rows[0].krs), publicBenefit: true }, { ...rows[1], publicBenefit: false }]);
    const before = await state();
    const checked = await web.postMultipart('/app/imports', { kind: 'ngos', file, mode: 'check' });
    expect(checked.status).toBe(200);
    expect(checked.text).toContain('<p role="status">Plik „organizacje.xlsx” (organizacje pozarządowe): 2\u00a0wiersze danych, wszystkie poprawne. Jeszcze nic nie zapisano.</p>');
    expect(await state()).toEqual(before);
    const imported = await web.postMultipart('/app/imports', { kind: 'ngos', checked: sha256(file), file, mode: 'import' });
    expect(imported.status).toBe(303);
    expect(await state()).toEqual({ ...before, ngos: before.ngos + 2, audit: before.audit + 3 });
    const saved = await t.db.query(`SELECT krs, public_benefit FROM ngos WHERE krs = ANY($1) ORDER BY name`, [rows.map((r) => r.krs)]);
    expect(saved).toEqual([
      { krs: rows[0].krs, public_benefit: true },
      { krs: rows[1].krs, public_benefit: false },
    ]);
    expect((await web.get('/app/imports')).text).toContain('Zaimportowano 2\u00a0organizacje pozarządowe z pliku „organizacje.xlsx”.');
  });

  it('no file chosen: 400, the message beside the file field and in the summary, the kind kept', async () => {
    const web = await onImportPage();
    const before = await state();
    const answer = await web.postMultipart('/app/imports', { kind: 'tasks', file: { name: '', content: '' }, mode: 'check' });
    expect(answer.status).toBe(400);
    expect(textOf(answer.text, 'f-file-error')).toBe('Błąd: Wybierz plik CSV albo XLSX');
    expect(answer.text).toMatch(/<input id="f-file" name="file" type="file" [^>]*aria-describedby="f-file-hint f-file-error" aria-invalid="true">/);
    expect(answer.text).toMatch(/role="alert"[\s\S]*<a href="#f-file">Wybierz plik CSV albo XLSX<\/a>/);
    expect(answer.text).toContain('<option value="tasks" selected>zadania publiczne (dotacje)</option>');
    expect(answer.text).toContain('<title>Błąd: Import z pliku');
    // no kind either: both messages
    const neither = await web.postMultipart('/app/imports', { file: { name: '', content: '' }, mode: 'check' });
    expect(neither.status).toBe(400);
    expect(textOf(neither.text, 'f-kind-error')).toBe('Błąd: Wybierz, co zawiera plik: organizacje czy zadania');
    // "Importuj" pressed without choosing the checked file again: the import form again, the message beside its field
    const again = await web.postMultipart('/app/imports', { kind: 'ngos', checked: 'a'.repeat(64), checkedName: 'organizacje.csv', checkedRows: '3', file: { name: '', content: '' }, mode: 'import' });
    expect(again.status).toBe(400);
    expect(textOf(again.text, 'f-file-error')).toBe('Błąd: Wybierz ponownie ten sam plik, „organizacje.csv”');
    expect(again.text).toContain('<button type="submit" name="mode" value="import">Importuj 3\u00a0wiersze</button>');
    expect(again.text).toContain(`<input type="hidden" name="checked" value="${'a'.repeat(64)}">`);
    expect(await state()).toEqual(before);
  });

  it('a file that is neither CSV nor XLSX, or an empty one: 400 with the reason beside the file field; nothing written', async () => {
    const web = await onImportPage();
    const before = await state();
    const binary = await web.postMultipart('/app/imports', { kind: 'ngos', file: { name: 'zdjecie.png', content: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0xfe, 0x00, 0x01]), type: 'image/png' }, mode: 'check' });
    expect(binary.status).toBe(400);
    expect(textOf(binary.text, 'f-file-error')).toBe('Błąd: To nie jest plik XLSX ani CSV w kodowaniu UTF-8 – w arkuszu zapisz go jako „CSV UTF-8” albo jako XLSX');
    const headerOnly = await web.postMultipart('/app/imports', { kind: 'ngos', file: csvFile(csvOf([])), mode: 'check' });
    expect(headerOnly.status).toBe(400);
    expect(textOf(headerOnly.text, 'f-file-error')).toBe('Błąd: Plik nie ma żadnego wiersza danych pod nagłówkiem');
    expect(await state()).toEqual(before);
  });

  it('a file over 40 MiB: 413 with the limit beside the file field; nothing written', async () => {
    const web = await onImportPage();
    const before = await state();
    const answer = await web.postMultipart('/app/imports', { kind: 'ngos', file: csvFile('a'.repeat(40 * 1024 * 1024 + 1)), mode: 'check' });
    expect(answer.status).toBe(413);
    expect(textOf(answer.text, 'f-file-error')).toBe('Błąd: Plik jest większy niż 40 MB – podziel go na mniejsze');
    expect(await state()).toEqual(before);
  });

  it('imports only the file it checked: another file gets its own dry run (409), nothing written', async () => {
    const web = await onImportPage();
    const first = csvFile(csvOf([goodRow('Fundacja Sprawdzona')]));
    const other = csvFile(csvOf([goodRow('Fundacja Podmieniona'), goodRow('Fundacja Druga')]));
    await web.postMultipart('/app/imports', { kind: 'ngos', file: first, mode: 'check' });
    const before = await state();
    const answer = await web.postMultipart('/app/imports', { kind: 'ngos', checked: sha256(first), file: other, mode: 'import' });
    expect(answer.status).toBe(409);
    expect(await state()).toEqual(before);
    expect(answer.text).toContain('To nie jest plik, który sprawdziliśmy przed chwilą, więc go nie zaimportowaliśmy.');
    expect(answer.text).toContain(`<input type="hidden" name="checked" value="${sha256(other)}">`);
    expect(answer.text).toContain('Importuj 2\u00a0wiersze');
  });

  it('an import that finds errors after a clean dry run (the register changed meanwhile): 422, the errors table, nothing written', async () => {
    const web = await onImportPage();
    const row = goodRow('Fundacja Wyprzedzona');
    const file = csvFile(csvOf([goodRow('Fundacja Niewinna'), row]));
    expect((await web.postMultipart('/app/imports', { kind: 'ngos', file, mode: 'check' })).status).toBe(200);
    // someone registers the same KRS through the API in between
    expect((await t.call('POST', '/api/v1/ngos', { token: official.token, body: newNgo({ name: 'Fundacja Szybsza', krs: row.krs }) })).status).toBe(201);
    const before = await state();
    const answer = await web.postMultipart('/app/imports', { kind: 'ngos', checked: sha256(file), file, mode: 'import' });
    expect(answer.status).toBe(422);
    expect(await state()).toEqual(before);
    expect(answer.text).toContain('<h1>Nie zaimportowano pliku</h1>');
    expect(answer.text).toContain('<p role="status">Plik „organizacje.csv” (organizacje pozarządowe): wierszy z błędami: 1. Nic nie zapisano.</p>');
    expect(errorRows(answer.text)).toEqual([['3', 'krs', 'Organizacja z takim numerem (krs) jest już w rejestrze']]);
    expect(answer.text).not.toContain('value="import"');
  });

  it('an auditor may not open the page nor send a file (403), and nothing is written', async () => {
    const web = new WebClient(t.url);
    await web.signIn(auditor.email, TEST_PASSWORD);
    const page = await web.get('/app/imports');
    expect(page.status).toBe(403);
    expect(page.text).toContain('Ta strona nie jest dostępna dla Twojej roli.');
    await web.get('/app');
    const before = await state();
    const answer = await web.postMultipart('/app/imports', { kind: 'ngos', file: csvFile(csvOf([goodRow('Fundacja Audytora')])), mode: 'check' });
    expect(answer.status).toBe(403);
    const imported = await web.postMultipart('/app/imports', { kind: 'ngos', file: csvFile(csvOf([goodRow('Fundacja Audytora')])), mode: 'import' });
    expect(imported.status).toBe(403);
    expect(await state()).toEqual(before);
  });

  it('refuses an upload without its token, with the token after the file, or from another origin (403), and writes nothing', async () => {
    const web = await onImportPage();
    const file = csvFile(csvOf([goodRow('Fundacja Podstępna')]));
    const importFields = { kind: 'ngos', checked: sha256(file), file, mode: 'import' };
    const before = await state();
    const answers = [
      await web.postMultipart('/app/imports', importFields, { csrf: null }),
      await web.postMultipart('/app/imports', importFields, { csrf: 'x'.repeat(web.csrf.length) }),
      // a token the page gave, but sent after the file: the file must not be read before the token is checked
      await web.postMultipart('/app/imports', { kind: 'ngos', checked: sha256(file), file, _csrf: web.csrf, mode: 'import' }, { csrf: null }),
      await web.postMultipart('/app/imports', importFields, { origin: 'https://evil.example' }),
      await web.postMultipart('/app/imports', importFields, { origin: null }),
    ];
    expect(answers.map((a) => a.status)).toEqual([403, 403, 403, 403, 403]);
    for (const a of answers.slice(0, 3)) expect(a.text).toContain('Nie zapisano zmian');
    expect(await state()).toEqual(before);
    // and the same browser's proper form goes through: the refusals were about the token and origin alone
    expect((await web.postMultipart('/app/imports', importFields)).status).toBe(303);
    expect((await state()).ngos).toBe(before.ngos + 1);
  });
});
