import ExcelJS from 'exceljs';
import { randomBytes } from 'node:crypto';
import { newNgo, newProgram, ROLE_PASSWORD, uniqueIdentifiers, usersOfEveryRole, type Tokens } from '../utils/factories';
import { createTestApp, PLATFORM_ADMIN, type Answer, type TestApp } from '../utils/test-app';
import { signIn } from '../utils/users';
import { xlsxParts, zip } from '../utils/zip';

/**
 * Real: HTTP (multipart bodies built with fetch's FormData and Blob), PostgreSQL, the services'
 * rules and the audit trail. POST /imports/{kind}: CSV and XLSX files of NGOs and funded tasks,
 * all or nothing, dry runs, errors by line and column, many rows in one transaction (the largest
 * files, 10 000 rows of each kind, are timed and checked in the benchmark: test/bench/import.bench.ts).
 */
describe('imports', () => {
  let t: TestApp;
  let tokens: Tokens;
  let official: string;
  let annual2019: string;

  type Row = Record<string, string | number | boolean | Date | null>;

  /** RFC 4180: a cell with the delimiter, a quote or a line break is quoted, its quotes doubled. */
  const csv = (rows: Array<Array<string | number>>, delimiter = ',', eol = '\n') =>
    rows.map((r) => r.map((c) => (/["\r\n,;]/.test(String(c)) ? `"${String(c).replaceAll('"', '""')}"` : String(c))).join(delimiter)).join(eol) + eol;
  const csvOf = (header: string[], rows: Row[], delimiter = ',') => csv([header, ...rows.map((r) => header.map((h) => (r[h] === undefined || r[h] === null ? '' : String(r[h]))))], delimiter);

  async function xlsxOf(header: string[], rows: Row[]): Promise<Buffer> {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Import');
    sheet.addRow(header);
    for (const row of rows) sheet.addRow(header.map((h) => row[h] ?? null));
    return Buffer.from(await workbook.xlsx.writeBuffer());
  }

  interface SendOptions {
    token?: string | null;
    name?: string;
    type?: string;
    field?: string;
    dryRun?: boolean;
    headers?: Record<string, string>;
  }

  /** POST /imports/{kind} with `file` as the form's one file part. */
  async function send(kind: string, file: string | Buffer | null, o: SendOptions = {}): Promise<Answer> {
    const form = new FormData();
    if (file !== null) {
      const blob = new Blob([typeof file === 'string' ? file : new Uint8Array(file)], { type: o.type ?? (typeof file === 'string' ? 'text/csv' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet') });
      form.append(o.field ?? 'file', blob, o.name ?? (typeof file === 'string' ? 'import.csv' : 'import.xlsx'));
    }
    const headers: Record<string, string> = { ...o.headers };
    const token = o.token === undefined ? official : o.token;
    if (token) headers.authorization = `Bearer ${token}`;
    const response = await fetch(`${t.url}/api/v1/imports/${kind}${o.dryRun ? '?dryRun=true' : ''}`, { method: 'POST', headers, body: form });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: /json/.test(response.headers.get('content-type') ?? '') && text ? JSON.parse(text) : text, text };
  }

  const state = async () => {
    const [row] = await t.db.query(
      `SELECT (SELECT count(*)::int FROM ngos) AS ngos, (SELECT count(*)::int FROM tasks) AS tasks,
              (SELECT count(*)::int FROM task_ngos) AS links, (SELECT count(*)::int FROM audit_entries) AS audit`,
    );
    return row as { ngos: number; tasks: number; links: number; audit: number };
  };

  /** Sends an import expected to write nothing, and checks that it wrote nothing. */
  async function writesNothing(send: () => Promise<Answer>, status: number): Promise<Answer> {
    const before = await state();
    const r = await send();
    expect(r.status).toBe(status);
    if (status >= 400) expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await state()).toEqual(before);
    return r;
  }

  const ngoByKrs = async (krs: string) => (await t.db.query('SELECT * FROM ngos WHERE krs = $1', [krs]))[0];
  const NGO_HEADER = ['name', 'legalForm', 'krs', 'nip', 'regon', 'email', 'website', 'address', 'spheres', 'publicBenefit', 'registeredOn'];
  const TASK_HEADER = ['programId', 'title', 'sphere', 'mode', 'form', 'competitionRef', 'department', 'ngoIds', 'amountRequested', 'amountGranted', 'amountSettled', 'startDate', 'endDate', 'status', 'beneficiaries'];
  const taskRow = (ngoIds: string, overrides: Row = {}): Row => ({
    programId: annual2019,
    title: 'Prowadzenie Klubu Seniora',
    sphere: '16',
    mode: 'open-competition',
    form: 'support',
    department: 'Wydział Kultury i Dziedzictwa Narodowego',
    ngoIds,
    amountRequested: '60000',
    amountGranted: '50000.00',
    startDate: '2019-03-01',
    endDate: '2019-11-30',
    status: 'contracted',
    ...overrides,
  });

  beforeAll(async () => {
    t = await createTestApp();
    tokens = await usersOfEveryRole(t, await signIn(t, PLATFORM_ADMIN.email), 'imports');
    official = tokens.official;
    const multiYear = (await t.call('POST', '/api/v1/programs', { token: official, body: newProgram() })).body.id;
    annual2019 = (await t.call('POST', '/api/v1/programs', { token: official, body: newProgram({ title: 'Roczny 2019', kind: 'annual', startYear: 2019, endYear: 2019, parentId: multiYear }) })).body.id;
  });
  afterAll(() => t.close());

  describe('NGOs', () => {
    it('imports a CSV: Polish letters, quoted commas and quotes, lists, booleans, every row audited, and the import itself', async () => {
      const [a, b] = [uniqueIdentifiers(), uniqueIdentifiers()];
      const file = csvOf(NGO_HEADER, [
        { name: 'Fundacja "Źródło" Łódź, Kraków', legalForm: 'foundation', krs: a.krs, nip: a.nip, regon: a.regon, email: 'biuro@zrodlo.example', website: 'https://zrodlo.example', address: 'ul. Reymonta 20, 30-059 Kraków', spheres: '1;16', publicBenefit: 'true', registeredOn: '2006-01-30' },
        { name: 'Stowarzyszenie Przyjaciół Nowej Huty', legalForm: 'association', krs: b.krs, nip: `${b.nip.slice(0, 3)}-${b.nip.slice(3, 6)}-${b.nip.slice(6, 8)}-${b.nip.slice(8)}`, spheres: '16', publicBenefit: 'false' },
        { name: 'Koło Gospodyń Wiejskich w Bieżanowie', legalForm: 'other' },
      ]);
      const before = await state();
      const r = await send('ngos', file, { name: 'organizacje żółte.csv' });
      expect(r.status).toBe(201);
      expect(r.body).toEqual({ imported: 3 });
      expect(await state()).toMatchObject({ ngos: before.ngos + 3, audit: before.audit + 4 });
      expect(await ngoByKrs(a.krs)).toMatchObject({ name: 'Fundacja "Źródło" Łódź, Kraków', legal_form: 'foundation', nip: a.nip, regon: a.regon, address: 'ul. Reymonta 20, 30-059 Kraków', spheres: ['1', '16'], public_benefit: true, registered_on: '2006-01-30' });
      expect(await ngoByKrs(b.krs)).toMatchObject({ nip: b.nip, spheres: ['16'], public_benefit: false, email: null, registered_on: null });
      const entries = await t.db.query(`SELECT action, entity, entity_id, after FROM audit_entries ORDER BY seq DESC LIMIT 4`);
      expect(entries[0]).toEqual({ action: 'import', entity: 'ngo', entity_id: null, after: { kind: 'ngos', rows: 3, fileName: 'organizacje żółte.csv', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } });
      expect(entries.slice(1).map((e: { action: string; entity: string }) => `${e.action} ${e.entity}`)).toEqual(['create ngo', 'create ngo', 'create ngo']);
      expect(entries[3].after).toMatchObject({ name: 'Fundacja "Źródło" Łódź, Kraków', krs: a.krs });
      const verify = await t.call('GET', '/api/v1/audit/verify', { token: official });
      expect(verify.body).toMatchObject({ valid: true });
    });

    it('reads a semicolon-delimited CSV with a BOM and CRLF line ends (Excel set to Polish), tak/nie, any case of the column names', async () => {
      const a = uniqueIdentifiers();
      const file = `\ufeff${csv(
        [
          ['Name', 'LEGALFORM', 'krs', 'spheres', 'publicBenefit', 'address'],
          ['Fundacja Śląska; oddział Kraków', 'foundation', a.krs, '1;16;32a', 'Tak', 'ul. Długa 1\nm. 2'],
        ],
        ';',
        '\r\n',
      )}`;
      const r = await send('ngos', file);
      expect(r.status).toBe(201);
      expect(await ngoByKrs(a.krs)).toMatchObject({ name: 'Fundacja Śląska; oddział Kraków', spheres: ['1', '16', '32a'], public_benefit: true, address: 'ul. Długa 1\nm. 2' });
    });

    it('imports an XLSX (the first sheet): typed cells, a KRS and REGON that lost their leading zeros, dates, booleans', async () => {
      const a = uniqueIdentifiers();
      const krs = `00000${a.krs.slice(5)}`;
      const file = await xlsxOf(NGO_HEADER, [
        { name: 'Fundacja Wisła', legalForm: 'foundation', krs: Number(krs), nip: Number(a.nip), regon: 144992, spheres: 16, publicBenefit: true, registeredOn: new Date(Date.UTC(2010, 4, 12)) },
        { name: 'Stowarzyszenie Żak', legalForm: 'association', website: 'https://zak.example', publicBenefit: 'nie' },
      ]);
      const before = await state();
      const r = await send('ngos', file, { name: 'ngos.xlsx' });
      expect(r.status).toBe(201);
      expect(r.body).toEqual({ imported: 2 });
      expect(await state()).toMatchObject({ ngos: before.ngos + 2, audit: before.audit + 3 });
      expect(await ngoByKrs(krs)).toMatchObject({ name: 'Fundacja Wisła', nip: a.nip, regon: '000144992', spheres: ['16'], public_benefit: true, registered_on: '2010-05-12' });
    });

    it('refuses a file with bad rows of every kind with 422, listing each by line and column, and writes nothing', async () => {
      const taken = (await t.call('POST', '/api/v1/ngos', { token: official, body: newNgo() })).body;
      const [a, b, c] = [uniqueIdentifiers(), uniqueIdentifiers(), uniqueIdentifiers()];
      const file = csv([
        ['name', 'legalForm', 'krs', 'nip', 'email', 'spheres', 'address', 'foundedBy'],
        ['Fundacja Dobra', 'foundation', a.krs, a.nip, '', '', '', ''], // 2: good
        ['Fundacja Zła Suma', 'foundation', b.krs, '8567346216', '', '', '', ''], // 3: NIP checksum
        ['', 'association', c.krs, '', '', '', '', ''], // 4: no name
        ['Fundacja Dobra Bis', 'foundation', a.krs, '', '', '', '', ''], // 5: the KRS of line 2
        ['Fundacja Zajęta', 'foundation', taken.krs, '', '', '', '', ''], // 6: a KRS registered already
        ['Fundacja Wielowierszowa', 'company', '', '', 'not-an-email', '', 'ul. Długa 1\nKraków', ''], // 7-8: two bad cells
        ['Fundacja Sfer', 'foundation', '', '', '', '16;99', '', '', 'extra'], // 9: no such sphere, a cell beyond the header
      ]);
      const r = await writesNothing(() => send('ngos', file), 422);
      expect(r.body).toMatchObject({ status: 422, title: 'Domain rule broken', detail: '7 lines of the file are invalid; nothing was imported' });
      expect(r.body.errors).toEqual([
        { line: 1, column: 'foundedBy', message: expect.stringMatching(/^Unknown column; the columns are name, legalForm, krs, nip/) },
        { line: 3, column: 'nip', message: 'NIP checksum is invalid' },
        { line: 4, column: 'name', message: 'is required' },
        { line: 5, column: 'krs', message: 'is already registered (line 2 of this file)' },
        { line: 6, column: 'krs', message: 'is already registered' },
        { line: 7, column: 'legalForm', message: 'must be one of: association, foundation, church-entity, cooperative, other' },
        { line: 7, column: 'email', message: 'must be an email address' },
        { line: 9, column: 'spheres', message: '"99" is not a public-benefit sphere code' },
        { line: 9, column: null, message: 'The row has 1 value beyond the header\'s 8 columns' },
      ]);
    });

    it('reports a missing required column once, at line 1, not on every row', async () => {
      const r = await writesNothing(() => send('ngos', csv([['name', 'krs'], ['Fundacja A', '12345'], ['Fundacja B', '']])), 422);
      expect(r.body.errors).toEqual([
        { line: 1, column: 'legalForm', message: 'A required column is missing' },
        { line: 2, column: 'krs', message: 'KRS must be 10 digits' },
      ]);
    });

    it('dry run: a good file answers 200 { valid: true, rows, errors: [] } and writes nothing', async () => {
      const file = csvOf(NGO_HEADER, [newNgo(), newNgo()].map((n) => ({ ...n, spheres: '1;16', publicBenefit: 'false' }) as Row));
      const r = await writesNothing(() => send('ngos', file, { dryRun: true }), 200);
      expect(r.body).toEqual({ valid: true, rows: 2, errors: [] });
    });

    it('dry run: a bad file answers 200 { valid: false, rows, errors } and writes nothing', async () => {
      const a = uniqueIdentifiers();
      const taken = (await t.call('POST', '/api/v1/ngos', { token: official, body: newNgo() })).body;
      // each clash makes the database refuse the row and the rows before it are applied again: line 2 is still there for line 5
      const file = csv([
        ['name', 'legalForm', 'krs', 'nip'],
        ['Fundacja A', 'foundation', a.krs, ''],
        ['Fundacja B', 'foundation', a.krs, ''],
        ['Fundacja C', 'foundation', '', taken.nip],
        ['Fundacja D', 'foundation', a.krs, ''],
        ['Fundacja E', 'x', '', ''],
      ]);
      const r = await writesNothing(() => send('ngos', file, { dryRun: true }), 200);
      expect(r.body).toEqual({
        valid: false,
        rows: 5,
        errors: [
          { line: 3, column: 'krs', message: 'is already registered (line 2 of this file)' },
          { line: 4, column: 'nip', message: 'is already registered' },
          { line: 5, column: 'krs', message: 'is already registered (line 2 of this file)' },
          { line: 6, column: 'legalForm', message: 'must be one of: association, foundation, church-entity, cooperative, other' },
        ],
      });
    });
  });

  describe('funded tasks', () => {
    it('imports tasks whose NGOs are given by id, KRS and NIP, the lead first', async () => {
      const [x, y, z] = [newNgo(), newNgo(), newNgo()];
      const ids = [];
      for (const n of [x, y, z]) ids.push((await t.call('POST', '/api/v1/ngos', { token: official, body: n })).body.id as string);
      const nipWithDashes = `${String(z.nip).slice(0, 3)}-${String(z.nip).slice(3, 6)}-${String(z.nip).slice(6, 8)}-${String(z.nip).slice(8)}`;
      const file = csvOf(TASK_HEADER, [
        taskRow(`${ids[0].toUpperCase()}; ${y.krs}`, { title: 'Zadanie pierwsze', beneficiaries: '120', amountSettled: '49999.99', status: 'settled' }),
        taskRow(`${nipWithDashes};${x.krs}`, { title: 'Zadanie drugie', mode: 'small-grant', amountRequested: '', amountGranted: '9500', startDate: '2019-03-01', endDate: '2019-05-29' }),
      ]);
      const before = await state();
      const r = await send('tasks', file);
      expect(r.status).toBe(201);
      expect(r.body).toEqual({ imported: 2 });
      expect(await state()).toMatchObject({ tasks: before.tasks + 2, links: before.links + 4, audit: before.audit + 3 });
      const list = await t.call('GET', `/api/v1/tasks?programId=${annual2019}&limit=200`, { token: official });
      const first = list.body.items.find((i: { title: string }) => i.title === 'Zadanie pierwsze');
      const second = list.body.items.find((i: { title: string }) => i.title === 'Zadanie drugie');
      expect(first).toMatchObject({ ngoIds: [ids[0], ids[1]], amountRequested: '60000.00', amountGranted: '50000.00', amountSettled: '49999.99', beneficiaries: 120, status: 'settled' });
      expect(second).toMatchObject({ ngoIds: [ids[2], ids[0]], mode: 'small-grant', amountRequested: null, amountGranted: '9500.00' });
      const [entry] = await t.db.query(`SELECT action, entity, after FROM audit_entries ORDER BY seq DESC LIMIT 1`);
      expect(entry).toMatchObject({ action: 'import', entity: 'task', after: { kind: 'tasks', rows: 2 } });
    });

    it('refuses bad task rows (the small-grant rules, unknown NGOs, bad values) with 422 by line and column, and writes nothing', async () => {
      const ngo = (await t.call('POST', '/api/v1/ngos', { token: official, body: newNgo() })).body;
      const unknown = uniqueIdentifiers();
      const file = csvOf(TASK_HEADER, [
        taskRow(ngo.krs, { title: 'Dobre' }), // 2
        taskRow(ngo.id, { mode: 'small-grant', amountRequested: '', amountGranted: '10000.01', startDate: '2019-03-01', endDate: '2019-05-30' }), // 3: both art. 19a limits
        taskRow(`${ngo.id};${unknown.krs};abc`, {}), // 4: an unknown KRS, a token that is nothing
        taskRow(unknown.nip, { amountGranted: '12 500,00', startDate: '2020-01-01', endDate: '2020-02-01' }), // 5: unknown NIP, money written the Polish way
        taskRow(ngo.nip, { startDate: '2020-01-01', endDate: '2020-03-01', programId: '00000000-0000-4000-8000-000000000000' }), // 6: no such programme
        taskRow(ngo.id, { startDate: '2018-12-31', amountSettled: '50000.01' }), // 7: outside the programme, settled > granted
      ]);
      const r = await writesNothing(() => send('tasks', file), 422);
      expect(r.body.errors).toEqual([
        { line: 3, column: 'amountGranted', message: 'A small grant is at most 10000.00 PLN (art. 19a)' },
        { line: 3, column: 'endDate', message: 'A small grant lasts at most 90 days (art. 19a); this one lasts 91' },
        { line: 4, column: 'ngoIds', message: `"${unknown.krs}": no NGO with this KRS or NIP in this municipality` },
        { line: 4, column: 'ngoIds', message: '"abc" is neither an NGO id (UUID) nor a KRS or NIP number (10 digits)' },
        { line: 5, column: 'ngoIds', message: `"${unknown.nip}": no NGO with this KRS or NIP in this municipality` },
        { line: 5, column: 'amountGranted', message: 'must be an amount in PLN with at most two decimals, e.g. "12500.00"' },
        { line: 6, column: 'programId', message: 'No programme with this id in this municipality' },
        { line: 7, column: 'amountSettled', message: 'The settled amount exceeds the granted amount' },
        { line: 7, column: 'startDate', message: 'The start date lies outside the programme\'s year(s) 2019' },
      ]);
    });

    it('refuses a number that is the KRS of one NGO and the NIP of another', async () => {
      const number = uniqueIdentifiers().nip; // a valid NIP, and ten digits like any KRS
      await t.call('POST', '/api/v1/ngos', { token: official, body: newNgo({ krs: number }) });
      await t.call('POST', '/api/v1/ngos', { token: official, body: newNgo({ nip: number }) });
      const r = await writesNothing(() => send('tasks', csvOf(TASK_HEADER, [taskRow(number)])), 422);
      expect(r.body.errors).toEqual([{ line: 2, column: 'ngoIds', message: `"${number}" is the KRS of one NGO and the NIP of another; give the NGO's id` }]);
    });

    it('counts the small-grant yearly cap across the rows of one file', async () => {
      const ngo = (await t.call('POST', '/api/v1/ngos', { token: official, body: newNgo() })).body;
      const small = { mode: 'small-grant', amountRequested: '', amountGranted: '10000', startDate: '2019-03-01', endDate: '2019-05-29' };
      const file = csvOf(TASK_HEADER, [taskRow(ngo.krs, small), taskRow(ngo.krs, small), taskRow(ngo.krs, { ...small, amountGranted: '0.01' })]);
      const r = await writesNothing(() => send('tasks', file, { dryRun: true }), 200);
      expect(r.body).toEqual({
        valid: false,
        rows: 3,
        errors: [{ line: 4, column: 'amountGranted', message: `the NGO "${ngo.krs}" has 20000.00 PLN of small grants in 2019 already; with this one it would exceed 20000.00 PLN` }],
      });
    });
  });

  describe('funded tasks in bulk (chunks of 2 000 rows, libs/imports/src/bulk.ts)', () => {
    it('audits each imported task as POST /tasks would: the same view as GET /tasks/{id}, in the order of the file', async () => {
      const [x, y] = [newNgo(), newNgo()];
      for (const n of [x, y]) await t.call('POST', '/api/v1/ngos', { token: official, body: n });
      const titles = ['Bulk pierwsze', 'Bulk drugie', 'Bulk trzecie'];
      const file = csvOf(TASK_HEADER, [
        taskRow(`${x.krs};${y.krs}`, { title: titles[0], competitionRef: 'OK-1/2019', amountSettled: '1.5', status: 'settled', beneficiaries: '7' }),
        taskRow(String(y.krs), { title: titles[1], mode: 'small-grant', amountRequested: '', amountGranted: '100', startDate: '2019-06-01', endDate: '2019-06-30' }),
        taskRow(String(x.krs), { title: titles[2], sphere: '1', status: 'planned' }),
      ]);
      expect((await send('tasks', file)).status).toBe(201);
      const entries: Array<{ entity_id: string; after: Record<string, unknown> }> = await t.db.query(
        `SELECT entity_id, after FROM audit_entries WHERE entity = 'task' AND action = 'create' AND after->>'title' = ANY($1) ORDER BY seq`,
        [titles],
      );
      expect(entries.map((e) => e.after.title)).toEqual(titles);
      for (const entry of entries) {
        const view = (await t.call('GET', `/api/v1/tasks/${entry.entity_id}`, { token: official })).body;
        expect(entry.after).toEqual(view);
      }
    });

    it('carries the yearly cap from chunk to chunk, counting small grants already in the register', async () => {
      const ngo = (await t.call('POST', '/api/v1/ngos', { token: official, body: newNgo() })).body;
      const other = (await t.call('POST', '/api/v1/ngos', { token: official, body: newNgo() })).body;
      const small = { mode: 'small-grant', amountRequested: '', startDate: '2019-03-01', endDate: '2019-05-29' };
      // 5 000.00 PLN already granted through the API
      expect((await t.call('POST', '/api/v1/tasks', { token: official, body: { ...taskRow('', small), ngoIds: [ngo.id], amountGranted: '5000.00', amountRequested: null } })).status).toBe(201);
      const rows = [
        taskRow(ngo.krs, { ...small, amountGranted: '10000' }), // line 2: 15 000
        ...Array.from({ length: 2500 }, (_, i) => taskRow(other.krs, { title: `Wypełniacz ${i}` })), // lines 3–2502: the first chunk ends at line 2001
        taskRow(ngo.krs, { ...small, amountGranted: '5000', startDate: '2019-07-01', endDate: '2019-07-31' }), // line 2503: 20 000, allowed
        taskRow(ngo.krs, { ...small, amountGranted: '0.01', startDate: '2019-08-01', endDate: '2019-08-02' }), // line 2504: over
        taskRow(ngo.krs, { ...small, amountGranted: '10000', startDate: '2020-03-01', endDate: '2020-03-02', programId: annual2019 }), // line 2505: another year, outside the programme
      ];
      const r = await writesNothing(() => send('tasks', csvOf(TASK_HEADER, rows), { dryRun: true }), 200);
      expect(r.body).toEqual({
        valid: false,
        rows: 2504,
        errors: [
          { line: 2504, column: 'amountGranted', message: `the NGO "${ngo.krs}" has 20000.00 PLN of small grants in 2019 already; with this one it would exceed 20000.00 PLN` },
          { line: 2505, column: 'startDate', message: 'The start date lies outside the programme\'s year(s) 2019' },
          { line: 2505, column: 'endDate', message: 'The end date lies outside the programme\'s year(s) 2019' },
        ],
      });
      // without the bad rows it imports whole: 2 502 tasks, each audited, and the import
      const before = await state();
      expect((await send('tasks', csvOf(TASK_HEADER, rows.slice(0, -2)))).body).toEqual({ imported: 2502 });
      expect(await state()).toMatchObject({ tasks: before.tasks + 2502, links: before.links + 2502, audit: before.audit + 2503 });
    }, 60_000);

    it('goes row by row when the database refuses a row the rules passed, naming it, and writes nothing', async () => {
      const ngo = (await t.call('POST', '/api/v1/ngos', { token: official, body: newNgo() })).body;
      // a rule the service does not know of, as a later migration might add
      await t.db.query(`ALTER TABLE tasks ADD CONSTRAINT tasks_test_title_check CHECK (title <> 'Tytuł zakazany')`);
      try {
        const file = csvOf(TASK_HEADER, [taskRow(ngo.krs, { title: 'Dozwolony' }), taskRow(ngo.krs, { title: 'Tytuł zakazany' }), taskRow(ngo.krs, { title: 'Też dozwolony' })]);
        const r = await writesNothing(() => send('tasks', file), 422);
        expect(r.body.errors).toEqual([{ line: 3, column: null, message: expect.any(String) }]);
        const good = await send('tasks', csvOf(TASK_HEADER, [taskRow(ngo.krs, { title: 'Dozwolony' })]));
        expect(good.body).toEqual({ imported: 1 });
      } finally {
        await t.db.query(`ALTER TABLE tasks DROP CONSTRAINT tasks_test_title_check`);
      }
    });
  });

  it('is described in the OpenAPI document as a multipart upload', async () => {
    const doc = await t.call('GET', '/api/docs-json');
    const post = doc.body.paths['/api/v1/imports/{kind}'].post;
    expect(post.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'kind', in: 'path', schema: expect.objectContaining({ enum: ['ngos', 'tasks'] }) }), expect.objectContaining({ name: 'dryRun', in: 'query' })]));
    expect(post.requestBody.content['multipart/form-data'].schema).toMatchObject({ required: ['file'], properties: { file: { type: 'string', format: 'binary' } } });
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['200', '201', '400', '401', '403', '413', '422']));
  });

  describe('who may import', () => {
    const file = () => csv([['name', 'legalForm', 'krs'], ['Fundacja Uprawnień', 'foundation', uniqueIdentifiers().krs]]);

    it('lets an official and an admin import', async () => {
      expect((await send('ngos', file(), { token: tokens.official })).status).toBe(201);
      expect((await send('ngos', file(), { token: tokens.admin })).status).toBe(201);
    });

    it.each([
      ['an auditor', 'auditor', 403],
      ['an ngo account', 'ngo', 403],
      ['the public', null, 401],
    ] as const)('refuses %s (%s) and writes nothing', async (_who, role, status) => {
      await writesNothing(() => send('ngos', file(), { token: role ? tokens[role] : null }), status);
      await writesNothing(() => send('ngos', file(), { token: role ? tokens[role] : null, dryRun: true }), status);
    });
  });

  describe('tenancy', () => {
    it('treats an NGO or programme of another municipality as unknown, and writes nothing', async () => {
      const platformAdmin = await signIn(t, PLATFORM_ADMIN.email);
      const created = await t.call('POST', '/api/v1/municipalities', { token: platformAdmin, body: { name: 'Wieliczka', slug: 'wieliczka', teryt: '1219063', admin: { email: 'admin@wieliczka.test', password: ROLE_PASSWORD } } });
      expect(created.status).toBe(201);
      const other = await usersOfEveryRole(t, await signIn(t, 'admin@wieliczka.test'), 'wieliczka');
      const theirs = (await t.call('POST', '/api/v1/ngos', { token: other.official, body: newNgo() })).body;
      const ours = (await t.call('POST', '/api/v1/ngos', { token: official, body: newNgo() })).body;
      const file = csvOf(TASK_HEADER, [taskRow(`${ours.id};${theirs.id}`), taskRow(theirs.krs), taskRow(theirs.nip), taskRow(ours.krs)]);
      const r = await writesNothing(() => send('tasks', file), 422);
      expect(r.body.errors).toEqual([
        { line: 2, column: 'ngoIds', message: `"${theirs.id}": no NGO with this id in this municipality` },
        { line: 3, column: 'ngoIds', message: `"${theirs.krs}": no NGO with this KRS or NIP in this municipality` },
        { line: 4, column: 'ngoIds', message: `"${theirs.nip}": no NGO with this KRS or NIP in this municipality` },
      ]);
      expect(r.text).not.toContain('Wieliczka');
      // and the other way round: Kraków's programme and NGO are unknown to Wieliczka
      const back = await writesNothing(() => send('tasks', csvOf(TASK_HEADER, [taskRow(theirs.id), taskRow(ours.krs)]), { token: other.official }), 422);
      expect(back.body.errors).toEqual([
        { line: 2, column: 'programId', message: 'No programme with this id in this municipality' },
        { line: 3, column: 'ngoIds', message: `"${ours.krs}": no NGO with this KRS or NIP in this municipality` },
      ]);
      // an NGO file of Wieliczka may hold a KRS registered in Kraków: uniqueness is per municipality
      expect((await send('ngos', csv([['name', 'legalForm', 'krs'], ['Fundacja Wielicka', 'foundation', ours.krs]]), { token: other.official })).status).toBe(201);
    });
  });

  describe('refused requests', () => {
    const good = () => csv([['name', 'legalForm'], ['Fundacja Prawidłowa', 'foundation']]);
    const namesField = (r: Answer, field: string) => expect(r.body.errors).toEqual([expect.objectContaining({ field })]);

    it('answers 413 for a file over 40 MiB', async () => {
      const big = `name,legalForm\n${'x'.repeat(40 * 1024 * 1024)}`;
      const r = await writesNothing(() => send('ngos', big), 413);
      expect(r.body).toMatchObject({ status: 413, title: 'Payload too large', detail: 'The file is larger than 40 MiB' });
    });

    it('answers 400 naming file when there is no file, another field, or more than the file', async () => {
      namesField(await writesNothing(() => send('ngos', null), 400), 'file');
      const other = await writesNothing(() => send('ngos', good(), { field: 'upload' }), 400);
      namesField(other, 'file');
      expect(other.body.errors[0].message).toContain('"upload"');
      const form = new FormData();
      form.append('note', 'a text field');
      form.append('file', new Blob([good()]), 'ngos.csv');
      const extra = await writesNothing(() => fetch(`${t.url}/api/v1/imports/ngos`, { method: 'POST', headers: { authorization: `Bearer ${official}` }, body: form }).then(async (r) => ({ status: r.status, headers: r.headers, body: JSON.parse(await r.text()), text: '' })), 400);
      namesField(extra, 'file');
    });

    it('answers 400 naming file for a body that is not multipart, and 415 for a raw CSV body', async () => {
      namesField(await writesNothing(() => t.call('POST', '/api/v1/imports/ngos', { token: official, body: { file: 'name,legalForm' } }), 400), 'file');
      const raw = await writesNothing(() => t.call('POST', '/api/v1/imports/ngos', { token: official, rawBody: good(), headers: { 'content-type': 'text/csv' } }), 415);
      expect(raw.body).toMatchObject({ status: 415 });
    });

    it('answers 400 naming file for a file that is neither CSV nor XLSX, or holds no rows', async () => {
      const garbage = await writesNothing(() => send('ngos', randomBytes(4096), { name: 'photo.jpg', type: 'image/jpeg' }), 400);
      namesField(garbage, 'file');
      expect(garbage.body.errors[0].message).toMatch(/neither an XLSX workbook nor a CSV file/);
      const windows1250 = Buffer.concat([Buffer.from('name,legalForm\nFundacja '), Buffer.from([0xa3, 0xb9, 0x6b, 0x61]), Buffer.from(',foundation\n')]);
      expect((await writesNothing(() => send('ngos', windows1250, { name: 'ngos.csv', type: 'text/csv' }), 400)).body.errors[0].message).toMatch(/UTF-8/);
      const fakeXlsx = await writesNothing(() => send('ngos', Buffer.from('PK\u0003\u0004 this is not a workbook'), { name: 'ngos.xlsx' }), 400);
      expect(fakeXlsx.body.errors).toEqual([{ field: 'file', message: 'is not a valid XLSX workbook' }]);
      expect((await writesNothing(() => send('ngos', 'name,legalForm\n'), 400)).body.errors).toEqual([{ field: 'file', message: 'holds no rows below the header' }]);
      expect((await writesNothing(() => send('ngos', 'name,legalForm\n"Fundacja "Cudzysłów"",other\n'), 400)).body.errors[0].message).toMatch(/^is not a valid CSV file/);
    });

    it('answers 422 naming file and the limit for more than 10 000 NGO rows, or more than 100 000 task rows', async () => {
      const file = csv([['name', 'legalForm'], ...Array.from({ length: 10_001 }, (_, i) => [`Fundacja ${i}`, 'foundation'])]);
      const r = await writesNothing(() => send('ngos', file), 422);
      expect(r.body.errors).toEqual([{ field: 'file', rule: 'import.max-rows', message: 'holds more than 10000 rows; one file may hold at most 10000: split it' }]);
      const tasks = csv([['title'], ...Array.from({ length: 100_001 }, (_, i) => [`Zadanie ${i}`])]);
      const refused = await writesNothing(() => send('tasks', tasks), 422);
      expect(refused.body.errors).toEqual([{ field: 'file', rule: 'import.max-rows', message: 'holds more than 100000 rows; one file may hold at most 100000: split it' }]);
    }, 60_000);

    it('answers 400 naming kind for an unknown kind, and dryRun for a bad flag', async () => {
      namesField(await writesNothing(() => send('programs', good()), 400), 'kind');
      const flag = await writesNothing(() => send('ngos?dryRun=maybe', good()), 400);
      expect(flag.body.errors).toContainEqual({ field: 'dryRun', message: 'must be true or false' });
    });
  });

  describe('hostile files: the limits are enforced while reading, and the service keeps answering', () => {
    /**
     * Sends the attack and, while it is under way, asks GET /health/live again and again (at
     * least three times), each answer 200. `during` counts the answers that came before the
     * attack's own: a server that held its event loop for the whole attack would answer none.
     * Then the attack's answer must be the 4xx problem naming the limit, nothing written, and the
     * process still answering.
     */
    async function attack(upload: () => Promise<Answer>, status: number): Promise<{ answer: Answer; during: number }> {
      const before = await state();
      let settled = false;
      const sent = upload().finally(() => {
        settled = true;
      });
      let probes = 0;
      let during = 0;
      while (!settled || probes < 3) {
        const live = await t.call('GET', '/health/live');
        expect(live.status).toBe(200);
        probes++;
        if (!settled) during++;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const answer = await sent;
      expect(answer.status).toBe(status);
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await state()).toEqual(before);
      expect((await t.call('GET', '/health/live')).status).toBe(200);
      return { answer, during };
    }

    it('a CSV of 2 MiB of "a" lines (a million rows), as a dry run: 422 naming the row limit at once', async () => {
      const file = `name,legalForm\n${'a\n'.repeat(1024 * 1024)}`;
      const { answer } = await attack(() => send('ngos', file, { dryRun: true, name: 'attack.csv' }), 422);
      expect(answer.body).toMatchObject({ status: 422, errors: [{ field: 'file', rule: 'import.max-rows', message: 'holds more than 10000 rows; one file may hold at most 10000: split it' }] });
    }, 60_000);

    const unzipped = { field: 'file', rule: 'import.max-unzipped-size', message: 'expands to more than 100 MiB when unzipped; a workbook may expand to at most 100 MiB: split it' };
    // sheet1.xml: a header row, then 600 MiB of blank rows and white space, which compress about a thousandfold
    const bomb = { head: '<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row>', unit: `<row/>${' '.repeat(512 * 1024 - 6)}`, times: 1200, tail: '' };

    it('an XLSX of about 600 KB whose sheet inflates to 600 MiB while its ZIP declares 1 KB: 422 naming the inflated-size limit', async () => {
      const file = zip(xlsxParts(bomb, { declaredSheetSize: 1000 }));
      expect(file.length).toBeLessThan(1024 * 1024);
      const { answer, during } = await attack(() => send('ngos', file, { name: 'attack.xlsx' }), 422);
      expect(answer.body).toMatchObject({ status: 422, errors: [unzipped] });
      expect(during).toBeGreaterThanOrEqual(1);
    }, 60_000);

    it('the same XLSX declaring its true size: refused before inflating', async () => {
      const { answer } = await attack(() => send('ngos', zip(xlsxParts(bomb)), { dryRun: true, name: 'attack.xlsx' }), 422);
      expect(answer.body.errors).toEqual([unzipped]);
    }, 60_000);

    it('a CSV line of two million delimiters: 422 naming the cell limit', async () => {
      const { answer, during } = await attack(() => send('ngos', `name,legalForm\nx${','.repeat(2_000_000)}\n`, { dryRun: true }), 422);
      expect(during).toBeGreaterThanOrEqual(1);
      expect(answer.body.errors).toEqual([{ field: 'file', rule: 'import.max-cells', message: 'holds more than 2000000 cells; one file may hold at most 2000000: split it' }]);
    }, 60_000);
  });

  describe('with an Idempotency-Key', () => {
    it('imports once: the same key and file replay the answer; the same key with another file is 422', async () => {
      const key = `import-${randomBytes(6).toString('hex')}`;
      const file = csv([['name', 'legalForm', 'krs'], ['Fundacja Jednorazowa', 'foundation', uniqueIdentifiers().krs]]);
      const before = await state();
      const first = await send('ngos', file, { headers: { 'idempotency-key': key } });
      expect(first.status).toBe(201);
      const second = await send('ngos', file, { headers: { 'idempotency-key': key } });
      expect(second).toMatchObject({ status: 201, body: { imported: 1 } });
      expect(second.headers.get('idempotent-replayed')).toBe('true');
      expect(await state()).toMatchObject({ ngos: before.ngos + 1, audit: before.audit + 2 });
      const other = await writesNothing(() => send('ngos', file.replace('Jednorazowa', 'Inna'), { headers: { 'idempotency-key': key } }), 422);
      expect(other.body.errors).toEqual([expect.objectContaining({ field: 'Idempotency-Key', rule: 'idempotency.key-reused' })]);
    });

    it('runs inside the key\'s transaction: a bad file and a dry run write nothing', async () => {
      const a = uniqueIdentifiers();
      const bad = csv([['name', 'legalForm', 'krs'], ['Fundacja A', 'foundation', a.krs], ['Fundacja B', 'foundation', a.krs]]);
      const r = await writesNothing(() => send('ngos', bad, { headers: { 'idempotency-key': `bad-${a.krs}` } }), 422);
      expect(r.body.errors).toEqual([{ line: 3, column: 'krs', message: 'is already registered (line 2 of this file)' }]);
      const dry = await writesNothing(() => send('ngos', bad, { dryRun: true, headers: { 'idempotency-key': `dry-${a.krs}` } }), 200);
      expect(dry.body).toMatchObject({ valid: false, rows: 2 });
      const good = await send('ngos', csv([['name', 'legalForm', 'krs'], ['Fundacja A', 'foundation', a.krs]]), { headers: { 'idempotency-key': `good-${a.krs}` } });
      expect(good.status).toBe(201);
      expect(await ngoByKrs(a.krs)).toMatchObject({ name: 'Fundacja A' });
    });
  });

  describe('many rows in one transaction', () => {
    const N = 500;
    let krsNumbers: string[] = [];

    it('imports 500 NGOs, all in one transaction, each with its audit entry', async () => {
      const rows = Array.from({ length: N }, (_, i) => ({ ...newNgo({ name: `Organizacja Pożytku Publicznego nr ${i + 1}` }), spheres: '1;16', publicBenefit: i % 2 ? 'true' : 'false' }) as Row);
      krsNumbers = rows.map((r) => String(r.krs));
      const before = await state();
      const started = Date.now();
      const r = await send('ngos', csvOf(NGO_HEADER, rows), { name: `ngos-${N}.csv` });
      const ms = Date.now() - started;
      console.log(`import of ${N} NGO rows: ${ms} ms`);
      expect(r.status).toBe(201);
      expect(r.body).toEqual({ imported: N });
      expect(await state()).toMatchObject({ ngos: before.ngos + N, audit: before.audit + N + 1 });
      // now() is the transaction's start: one value for every row and audit entry of one transaction
      const [one] = await t.db.query(`SELECT count(DISTINCT n.created_at)::int AS stamps, count(*)::int AS n FROM ngos n WHERE n.krs = ANY($1::bpchar[])`, [krsNumbers]);
      expect(one).toEqual({ stamps: 1, n: N });
      const [audit] = await t.db.query(`SELECT count(DISTINCT at)::int AS stamps, count(*)::int AS n FROM audit_entries WHERE seq > (SELECT max(seq) FROM audit_entries) - $1`, [N + 1]);
      expect(audit).toEqual({ stamps: 1, n: N + 1 });
    }, 120_000);

    it('imports 500 funded tasks, their NGOs given by KRS', async () => {
      expect(krsNumbers).toHaveLength(N);
      const rows = Array.from({ length: N }, (_, i) => taskRow(`${krsNumbers[i]};${krsNumbers[(i + 1) % N]}`, { title: `Zadanie publiczne nr ${i + 1}`, sphere: i % 2 ? '16' : '1' }));
      const before = await state();
      const started = Date.now();
      const r = await send('tasks', csvOf(TASK_HEADER, rows, ';'), { name: `tasks-${N}.csv` });
      const ms = Date.now() - started;
      console.log(`import of ${N} task rows: ${ms} ms`);
      expect(r.status).toBe(201);
      expect(r.body).toEqual({ imported: N });
      expect(await state()).toMatchObject({ tasks: before.tasks + N, links: before.links + 2 * N, audit: before.audit + N + 1 });
    }, 120_000);
  });
});
