import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { FORM_LABELS, MODE_LABELS, STATUS_LABELS } from '@app/core';
import { newNgo, newProgram, newTask } from '../utils/factories';
import { createTestApp, PLATFORM_ADMIN, type Answer, type TestApp } from '../utils/test-app';
import { createMunicipality, signIn } from '../utils/users';

/**
 * Real: HTTP, PostgreSQL, the files as a user's reader sees them (csv-parse, exceljs, JSON.parse).
 * Annual report exports: a published revision of tasks whose titles and NGO names carry Polish
 * letters, commas, quotes, line breaks and formula-like starts, read back and compared with the
 * data as the API reports it; the digest, the headers, drafts against revisions, refusals,
 * permissions, tenancy and the audit trail.
 */

const COLUMNS = [
  'position', 'taskId', 'title', 'sphere', 'mode', 'form', 'department', 'competitionRef', 'amountRequested', 'amountGranted', 'amountSettled',
  'startDate', 'endDate', 'status', 'beneficiaries', 'ngoNames', 'ngoKrs', 'ngoNip', 'ngoRegon', 'leadNgo',
];
/** The same columns' headers in the files people read (XLSX, and CSV with semicolons). */
const LABELS = [
  'Lp.', 'Identyfikator zadania', 'Tytuł zadania', 'Sfera', 'Tryb', 'Forma', 'Wydział', 'Numer konkursu', 'Kwota wnioskowana', 'Kwota przyznana', 'Kwota rozliczona',
  'Data rozpoczęcia', 'Data zakończenia', 'Status', 'Liczba odbiorców', 'Organizacje', 'KRS', 'NIP', 'REGON', 'Organizacja wiodąca',
];
const MONEY_COLUMNS = ['amountRequested', 'amountGranted', 'amountSettled'];
const CODE_LABELS: Record<string, Readonly<Record<string, string>>> = { mode: MODE_LABELS, form: FORM_LABELS, status: STATUS_LABELS };

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const MONEY_FORMAT = '#,##0.00 "zł"';

/** The rule spelled out independently of the code: a text starting with = + - @ tab or CR gets a leading quote. */
const neutral = (text: string) => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);

interface Ngo {
  id: string;
  name: string;
  krs: string | null;
  nip: string | null;
  regon: string | null;
}
interface Task {
  id: string;
  title: string;
  sphere: string;
  mode: string;
  form: string;
  department: string;
  competitionRef: string | null;
  amountRequested: string | null;
  amountGranted: string;
  amountSettled: string | null;
  startDate: string;
  endDate: string;
  status: string;
  beneficiaries: number | null;
  ngoIds: string[];
  programId: string;
  version: number;
}
interface Download {
  status: number;
  headers: Headers;
  body: Buffer;
  text: string;
}

const sha256 = (body: Buffer) => createHash('sha256').update(body).digest();

describe('annual report exports', () => {
  let t: TestApp;
  let admin: string;
  let official: string;
  let auditor: string;
  let ngoToken: string;
  let platform: string;
  const ngos = new Map<string, Ngo>();
  /** the counted tasks of 2019 as the API reports them */
  let tasks: Task[] = [];
  let published: { contentHash: string; summary: unknown; compiledAt: string; publishedAt: string };
  let publishedCsv: Download;

  const ok = (r: Answer, status = 201) => {
    if (r.status !== status) throw new Error(`${r.status} ${r.text}`);
    return r.body;
  };
  const post = (token: string, path: string, body: unknown) => t.call('POST', `/api/v1${path}`, { token, body });
  const get = (token: string, path: string) => t.call('GET', `/api/v1${path}`, { token });

  /** GET with the body as bytes (t.call reads text, which would spoil an XLSX); `null`: no token. */
  const download = async (query: string, token: string | null = auditor, year = 2019): Promise<Download> => {
    const response = await fetch(`${t.url}/api/v1/reports/${year}/export${query}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const body = Buffer.from(await response.arrayBuffer());
    return { status: response.status, headers: response.headers, body, text: body.toString('utf8') };
  };

  /** A task's row as the CSV should hold it, from the API's own view of the task and its NGOs. */
  const csvRow = (task: Task, position: number): string[] => {
    const its = task.ngoIds.map((id) => ngos.get(id)!);
    const joined = (pick: (n: Ngo) => string | null) => its.map((n) => pick(n) ?? '').join('; ');
    return [
      String(position), task.id, neutral(task.title), task.sphere, task.mode, task.form, neutral(task.department), neutral(task.competitionRef ?? ''),
      task.amountRequested ?? '', task.amountGranted, task.amountSettled ?? '', task.startDate, task.endDate, task.status,
      task.beneficiaries === null ? '' : String(task.beneficiaries),
      neutral(joined((n) => n.name)), joined((n) => n.krs), joined((n) => n.nip), joined((n) => n.regon), neutral(its[0].name),
    ];
  };

  /** The positions as the frozen revision holds them (its order is the database's: department, title, start, id). */
  const frozenOrder = async (municipalitySlug = 'eksportowa', revision = 1): Promise<string[]> =>
    (
      await t.db.query(
        `SELECT v.task_id FROM report_revision_tasks v JOIN municipalities m ON m.id = v.municipality_id WHERE m.slug = $1 AND v.year = 2019 AND v.revision = $2 ORDER BY v.position`,
        [municipalitySlug, revision],
      )
    ).map((r: { task_id: string }) => r.task_id);

  const byId = (id: string) => tasks.find((x) => x.id === id)!;

  beforeAll(async () => {
    t = await createTestApp();
    platform = await signIn(t, PLATFORM_ADMIN.email);
    ({ admin } = await createMunicipality(t, platform, { name: 'Gmina Eksportowa', slug: 'eksportowa', teryt: '1201011', adminEmail: 'admin@eksportowa.test' }));
    const own = ok(await post(admin, '/ngos', newNgo({ name: 'NGO użytkownika' })));
    for (const [role, email] of [['official', 'o@eksportowa.test'], ['auditor', 'a@eksportowa.test'], ['ngo', 'n@eksportowa.test']] as const) {
      ok(await post(admin, '/users', { email, password: 'long-enough-1', role, ngoId: role === 'ngo' ? own.id : undefined }));
    }
    official = await signIn(t, 'o@eksportowa.test');
    auditor = await signIn(t, 'a@eksportowa.test');
    ngoToken = await signIn(t, 'n@eksportowa.test');

    const ngo = async (overrides: Record<string, unknown>) => {
      const created = ok(await post(official, '/ngos', newNgo(overrides)));
      ngos.set(created.id, { id: created.id, name: created.name, krs: created.krs ?? null, nip: created.nip ?? null, regon: created.regon ?? null });
      return created.id as string;
    };
    const a = await ngo({ name: 'Stowarzyszenie „Zażółć gęślą jaźń”' });
    const b = await ngo({ name: 'Fundacja "Cytat", z przecinkiem', krs: undefined });
    const c = await ngo({ name: '=HYPERLINK("http://example.com")', nip: undefined, regon: undefined });
    const d = await ngo({ name: 'Koło Gospodyń Wiejskich w Łące\nz drugą linią' });

    const multi = ok(await post(official, '/programs', newProgram()));
    const annual = ok(await post(official, '/programs', newProgram({ title: 'Roczny program współpracy 2019', kind: 'annual', startYear: 2019, endYear: 2019, parentId: multi.id })));
    const ids: string[] = [];
    const task = async (ngoIds: string[], overrides: Record<string, unknown>) => {
      const created = ok(await post(official, '/tasks', newTask(annual.id, ngoIds, overrides)));
      ids.push(created.id);
      return created.id as string;
    };
    await task([a, b], { title: 'Zadanie, z przecinkiem', competitionRef: 'OK-1/2019', amountRequested: '200000.00', amountGranted: '150000.10', amountSettled: '149999.99', status: 'settled', beneficiaries: 120 });
    await task([b], { title: 'Tytuł z "cudzysłowem" i ""podwójnym""', amountRequested: null, amountGranted: '0.10' });
    await task([a, b, c], { title: 'Dwie linie\nw tytule,\r\ni trzecia', form: 'entrustment', sphere: '1a', department: 'Miejski Ośrodek Pomocy Społecznej' });
    await task([c], { title: '=SUM(A1:A2)', mode: 'small-grant', amountRequested: '10000.00', amountGranted: '9999.99', startDate: '2019-05-01', endDate: '2019-06-30', status: 'settled', amountSettled: '9000.00' });
    await task([a], { title: '+48 12 345 67 89', mode: 'local-initiative', department: '+Wydział z plusem' });
    await task([a, d], { title: '-10% kosztów', mode: 'other-act', competitionRef: '-ref' });
    await task([d], { title: '@SUM(1)', status: 'in-progress', beneficiaries: 0 });
    const tabbed = await task([a], { title: 'z tabulatorem', status: 'terminated', amountSettled: '1.00' });
    await task([b], { title: 'Zażółć gęślą jaźń; średnik', department: 'Wydział Kultury i Dziedzictwa Narodowego' });
    // not counted: planned
    await task([a], { title: 'Zaplanowane', status: 'planned' });
    // the API trims text; a title starting with a tab comes from elsewhere (an import, an older system)
    await t.db.query(`UPDATE tasks SET title = E'\\tz tabulatorem', updated_at = now(), version = version + 1 WHERE id = $1`, [tabbed]);

    for (const id of ids) {
      const found = ok(await get(official, `/tasks/${id}`), 200);
      if (found.status !== 'planned') tasks.push(found);
    }
    expect(byId(tabbed).title).toBe('\tz tabulatorem');

    const compiled = ok(await post(official, '/reports/2019/compile', {}), 200);
    ok(await post(official, '/reports/2019/publish', { contentHash: compiled.contentHash }), 200);
    const listed = ok(await get(auditor, '/reports'), 200).find((r: { year: number }) => r.year === 2019);
    published = { contentHash: compiled.contentHash, summary: compiled.summary, compiledAt: compiled.compiledAt, publishedAt: listed.publishedAt };
    expect(listed.revision).toBe(1);
  });
  afterAll(() => t.close());

  it('exports the newest published revision as CSV: a header row, one row per task with every column, all NGOs in one cell, formulas neutralised', async () => {
    publishedCsv = await download('?format=csv');
    expect(publishedCsv.status).toBe(200);
    expect(publishedCsv.body[0]).not.toBe(0xef); // no BOM in plain CSV
    expect(publishedCsv.text.startsWith(`${COLUMNS.join(',')}\r\n`)).toBe(true);
    const [header, ...rows]: string[][] = parse(publishedCsv.body);
    expect(header).toEqual(COLUMNS);
    expect(rows.map((r) => r[0])).toEqual(rows.map((_r, i) => String(i + 1)));
    expect(rows.map((r) => r[1])).toEqual(await frozenOrder());
    expect(rows).toEqual(rows.map((r, i) => csvRow(byId(r[1]), i + 1)));
    expect(rows).toHaveLength(tasks.length);

    // spelled out, so that a reader sees what survives and what is neutralised
    const row = (title: string) => rows.find((r) => r[1] === tasks.find((x) => x.title === title)!.id)!;
    expect(row('Dwie linie\nw tytule,\r\ni trzecia')[2]).toBe('Dwie linie\nw tytule,\r\ni trzecia');
    expect(row('Dwie linie\nw tytule,\r\ni trzecia')[15]).toBe('Stowarzyszenie „Zażółć gęślą jaźń”; Fundacja "Cytat", z przecinkiem; =HYPERLINK("http://example.com")');
    expect(row('Dwie linie\nw tytule,\r\ni trzecia')[16]).toBe(`${ngos.get(tasks.find((x) => x.title.startsWith('Dwie'))!.ngoIds[0])!.krs}; ; ${ngos.get(tasks.find((x) => x.title.startsWith('Dwie'))!.ngoIds[2])!.krs}`);
    expect(row('Tytuł z "cudzysłowem" i ""podwójnym""')[2]).toBe('Tytuł z "cudzysłowem" i ""podwójnym""');
    expect(row('=SUM(A1:A2)')[2]).toBe("'=SUM(A1:A2)");
    expect(row('=SUM(A1:A2)')[15]).toBe('\'=HYPERLINK("http://example.com")');
    expect(row('=SUM(A1:A2)')[19]).toBe('\'=HYPERLINK("http://example.com")');
    expect(row('+48 12 345 67 89')[2]).toBe("'+48 12 345 67 89");
    expect(row('+48 12 345 67 89')[6]).toBe("'+Wydział z plusem");
    expect(row('-10% kosztów')[2]).toBe("'-10% kosztów");
    expect(row('-10% kosztów')[7]).toBe("'-ref");
    expect(row('@SUM(1)')[2]).toBe("'@SUM(1)");
    expect(row('\tz tabulatorem')[2]).toBe("'\tz tabulatorem");
    // the raw text: quotes doubled inside a quoted field, CRLF between records
    expect(publishedCsv.text).toContain('"Tytuł z ""cudzysłowem"" i """"podwójnym"""""');
    expect(publishedCsv.text.split('\r\n')).toHaveLength(tasks.length + 3); // header, rows, an embedded CRLF, the empty end
  });

  it('carries the SHA-256 of the body (Repr-Digest), its length, the file name and no-store, for every format', async () => {
    const cases: Array<[string, string, string]> = [
      ['?format=csv', 'text/csv; charset=utf-8', 'raport-eksportowa-2019-r1.csv'],
      ['?format=csv&delimiter=semicolon', 'text/csv; charset=utf-8', 'raport-eksportowa-2019-r1.csv'],
      ['?format=csv&table=summary', 'text/csv; charset=utf-8', 'raport-eksportowa-2019-r1-podsumowanie.csv'],
      ['?format=xlsx', XLSX_TYPE, 'raport-eksportowa-2019-r1.xlsx'],
      ['?format=json', 'application/json; charset=utf-8', 'raport-eksportowa-2019-r1.json'],
      ['?format=json&revision=draft', 'application/json; charset=utf-8', 'raport-eksportowa-2019-rdraft.json'],
    ];
    for (const [query, type, name] of cases) {
      const r = await download(query);
      expect([query, r.status]).toEqual([query, 200]);
      expect(r.headers.get('repr-digest')).toBe(`sha-256=:${sha256(r.body).toString('base64')}:`);
      expect(r.headers.get('content-length')).toBe(String(r.body.length));
      expect(r.headers.get('content-type')).toBe(type);
      expect(r.headers.get('content-disposition')).toBe(`attachment; filename="${name}"`);
      expect(r.headers.get('cache-control')).toBe('no-store');
      expect(r.headers.get('content-encoding')).toBeNull();
    }
  });

  it('writes CSV for spreadsheets set to Polish: semicolons, a UTF-8 BOM, Polish headers and labels, decimal commas; the same data', async () => {
    const r = await download('?format=csv&delimiter=semicolon');
    expect([...r.body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(r.text.slice(1).startsWith(`${LABELS.join(';')}\r\n`)).toBe(true);
    const [, ...semicolon]: string[][] = parse(r.body, { delimiter: ';', bom: true });
    const [, ...comma]: string[][] = parse(publishedCsv.body);
    const forPeople = comma.map((row) =>
      row.map((value, j) => {
        const name = COLUMNS[j];
        if (MONEY_COLUMNS.includes(name)) return value.replace('.', ',');
        return CODE_LABELS[name]?.[value] ?? value;
      }),
    );
    expect(semicolon).toEqual(forPeople);
    expect(semicolon.some((row) => /^\d+,\d\d$/.test(row[COLUMNS.indexOf('amountGranted')]))).toBe(true);
    // a field holding the delimiter is quoted
    expect(r.text).toContain('"Zażółć gęślą jaźń; średnik"');
  });

  it('exports the summary as its own CSV table: figure, key, count, granted, settled', async () => {
    const r = await download('?format=csv&table=summary');
    const [header, ...rows]: string[][] = parse(r.body);
    expect(header).toEqual(['figure', 'key', 'count', 'granted', 'settled']);
    const s = published.summary as {
      programmes: Array<{ title: string }>;
      tasks: { count: number; granted: string; settled: string; ngosFunded: number; competitions: number; byMode: Record<string, { count: number; granted: string }>; bySphere: Record<string, { count: number; granted: string }>; byDepartment: Record<string, { count: number; granted: string }> };
      activities: { count: number; byType: Record<string, number> };
      ngos: { registered: number; cooperating: number };
    };
    expect(rows).toContainEqual(['tasks', '', String(s.tasks.count), s.tasks.granted, s.tasks.settled]);
    expect(rows).toContainEqual(['tasks.ngosFunded', '', String(s.tasks.ngosFunded), '', '']);
    expect(rows).toContainEqual(['tasks.competitions', '', String(s.tasks.competitions), '', '']);
    expect(rows).toContainEqual(['ngos.cooperating', '', String(s.ngos.cooperating), '', '']);
    expect(rows.filter((x) => x[0] === 'programmes').map((x) => x[1])).toEqual(s.programmes.map((p) => p.title));
    for (const [figure, object] of [['tasks.byMode', s.tasks.byMode], ['tasks.bySphere', s.tasks.bySphere], ['tasks.byDepartment', s.tasks.byDepartment]] as const) {
      const mine = rows.filter((x) => x[0] === figure);
      expect(Object.fromEntries(mine.map((x) => [x[1].replace(/^'/, ''), { count: Number(x[2]), granted: x[3] }]))).toEqual(object);
    }
    // a department starting with + is neutralised here too
    expect(rows).toContainEqual(['tasks.byDepartment', "'+Wydział z plusem", '1', '50000.00', '']);
    expect(Object.fromEntries(rows.filter((x) => x[0] === 'activities.byType').map((x) => [x[1], Number(x[2])]))).toEqual(s.activities.byType);
    expect(r.headers.get('repr-digest')).toBe(`sha-256=:${sha256(r.body).toString('base64')}:`);
  });

  it('exports XLSX: a summary sheet and a task sheet, amounts as number cells in złoty, dates as date cells, text neutralised, a bold frozen header', async () => {
    const r = await download('?format=xlsx');
    expect(r.status).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(r.body as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((w) => w.name)).toEqual(['Podsumowanie', 'Zadania']);

    const sheet = workbook.getWorksheet('Zadania')!;
    const header = sheet.getRow(1);
    expect((header.values as unknown[]).slice(1)).toEqual(LABELS);
    expect(header.getCell(1).font?.bold).toBe(true);
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.actualRowCount).toBe(tasks.length + 1);
    const col = (name: string) => COLUMNS.indexOf(name) + 1;
    const order = await frozenOrder();
    for (let i = 0; i < tasks.length; i++) {
      const row = sheet.getRow(i + 2);
      const task = byId(String(row.getCell(col('taskId')).value));
      expect(task.id).toBe(order[i]);
      expect(row.getCell(col('position')).value).toBe(i + 1);
      expect(row.getCell(col('title')).value).toBe(neutral(task.title).replace(/\r\n/g, '\n'));
      for (const name of ['amountRequested', 'amountGranted', 'amountSettled'] as const) {
        const cell = row.getCell(col(name));
        expect([name, cell.value]).toEqual([name, task[name] === null ? null : Number(task[name])]);
        if (task[name] !== null) {
          expect(cell.type).toBe(ExcelJS.ValueType.Number);
          expect(cell.numFmt).toBe(MONEY_FORMAT);
          expect((cell.value as number).toFixed(2)).toBe(task[name]);
        }
      }
      expect(row.getCell(col('startDate')).value).toEqual(new Date(`${task.startDate}T00:00:00Z`));
      expect(row.getCell(col('endDate')).value).toEqual(new Date(`${task.endDate}T00:00:00Z`));
      expect(row.getCell(col('beneficiaries')).value).toBe(task.beneficiaries);
      expect([row.getCell(col('mode')).value, row.getCell(col('form')).value, row.getCell(col('status')).value]).toEqual([MODE_LABELS[task.mode], FORM_LABELS[task.form], STATUS_LABELS[task.status]]);
      const its = task.ngoIds.map((id) => ngos.get(id)!);
      expect(row.getCell(col('ngoNames')).value).toBe(neutral(its.map((n) => n.name).join('; ')));
      expect(row.getCell(col('leadNgo')).value).toBe(neutral(its[0].name));
    }
    const titles = tasks.map((_x, i) => String(sheet.getRow(i + 2).getCell(col('title')).value));
    expect(titles).toEqual(expect.arrayContaining(["'=SUM(A1:A2)", "'+48 12 345 67 89", "'-10% kosztów", "'@SUM(1)", "'\tz tabulatorem", 'Zażółć gęślą jaźń; średnik']));

    const summary = workbook.getWorksheet('Podsumowanie')!;
    const cells: unknown[][] = [];
    summary.eachRow((row) => cells.push((row.values as unknown[]).slice(1)));
    expect(cells).toContainEqual(['contentHash', published.contentHash]);
    expect(cells).toContainEqual(['revision', '1']);
    const s = published.summary as { tasks: { count: number; granted: string; settled: string } };
    expect(cells).toContainEqual(['tasks', s.tasks.count, Number(s.tasks.granted), Number(s.tasks.settled)]);
    expect(cells).toContainEqual(["'+Wydział z plusem", 1, 50000]);
    let moneyFormatted = false;
    summary.eachRow((row) => row.eachCell((cell) => (moneyFormatted ||= cell.value === Number(s.tasks.granted) && cell.numFmt === MONEY_FORMAT)));
    expect(moneyFormatted).toBe(true);
  });

  it('exports JSON: the revision, its contentHash and summary, and every task as data', async () => {
    const r = await download('?format=json');
    expect(r.status).toBe(200);
    const body = JSON.parse(r.text);
    const order = await frozenOrder();
    expect(body).toEqual({
      year: 2019,
      revision: 1,
      status: 'published',
      publishedAt: published.publishedAt,
      compiledAt: published.compiledAt,
      contentHash: published.contentHash,
      municipality: { slug: 'eksportowa', name: 'Gmina Eksportowa', teryt: '1201011' },
      summary: published.summary,
      tasks: order.map((id, i) => {
        const task = byId(id);
        return {
          position: i + 1,
          taskId: id,
          title: task.title, // JSON is data, not a spreadsheet: nothing neutralised
          sphere: task.sphere,
          mode: task.mode,
          form: task.form,
          department: task.department,
          competitionRef: task.competitionRef ?? null,
          amountRequested: task.amountRequested ?? null,
          amountGranted: task.amountGranted,
          amountSettled: task.amountSettled ?? null,
          startDate: task.startDate,
          endDate: task.endDate,
          status: task.status,
          beneficiaries: task.beneficiaries ?? null,
          ngos: task.ngoIds.map((ngoId) => ngos.get(ngoId)),
          programId: task.programId,
          programTitle: 'Roczny program współpracy 2019',
        };
      }),
    });
    expect(createHash('sha256').update(JSON.stringify(canonical(body.summary))).digest('hex')).toBe(body.contentHash);
  });

  it('keeps a published export as it was after the data change; the draft export shows the change', async () => {
    const first = tasks.find((x) => x.title === 'Zadanie, z przecinkiem')!;
    const current = ok(await get(official, `/tasks/${first.id}`), 200);
    ok(await t.call('PATCH', `/api/v1/tasks/${first.id}`, { token: official, body: { version: current.version, title: 'Tytuł zmieniony po publikacji' } }), 200);

    const again = await download('?format=csv');
    expect(again.body.equals(publishedCsv.body)).toBe(true);
    expect(again.headers.get('repr-digest')).toBe(publishedCsv.headers.get('repr-digest'));
    expect((await download('?format=csv&revision=1')).body.equals(publishedCsv.body)).toBe(true);

    const draft = await download('?format=csv&revision=draft');
    expect(draft.status).toBe(200);
    expect(draft.headers.get('content-disposition')).toBe('attachment; filename="raport-eksportowa-2019-rdraft.csv"');
    const rows: string[][] = parse(draft.body, { from_line: 2 });
    expect(rows.find((x) => x[1] === first.id)![2]).toBe('Tytuł zmieniony po publikacji');
    expect(draft.text).not.toContain('Zadanie, z przecinkiem');
    expect(rows).toHaveLength(tasks.length);

    const json = JSON.parse((await download('?format=json&revision=draft')).text);
    const newest = ok(await get(auditor, '/reports/2019'), 200);
    expect(json).toMatchObject({ year: 2019, revision: 'draft', status: 'draft', publishedAt: null, compiledAt: newest.compiledAt, contentHash: newest.contentHash });
    expect(json.tasks.find((x: { taskId: string }) => x.taskId === first.id).title).toBe('Tytuł zmieniony po publikacji');
    const xlsx = await download('?format=xlsx&revision=draft');
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get('content-disposition')).toBe('attachment; filename="raport-eksportowa-2019-rdraft.xlsx"');
  });

  it('answers 404 (problem+json) when nothing is published, for an unknown revision, and for a draft of a year never compiled', async () => {
    const expect404 = async (query: string, year: number) => {
      const r = await download(query, auditor, year);
      expect([query, year, r.status]).toEqual([query, year, 404]);
      expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(r.headers.get('repr-digest')).toBeNull();
    };
    await expect404('?format=csv', 2018);
    await expect404('?format=csv&revision=draft', 2018);
    ok(await post(official, '/reports/2018/compile', {}), 200);
    await expect404('?format=json', 2018);
    await expect404('?format=csv&revision=1', 2018);
    await expect404('?format=xlsx&revision=2', 2019);
    // compiled but not published: the draft exports, with a header row and no tasks
    const draft = await download('?format=csv&revision=draft', auditor, 2018);
    expect(draft.status).toBe(200);
    expect(draft.text).toBe(`${COLUMNS.join(',')}\r\n`);
  });

  it('refuses bad parameters with 400', async () => {
    for (const query of [
      '',
      '?format=pdf',
      '?format=CSV',
      '?format=csv&delimiter=tab',
      '?format=csv&delimiter=',
      '?format=csv&revision=0',
      '?format=csv&revision=-1',
      '?format=csv&revision=1.5',
      '?format=csv&revision=abc',
      '?format=csv&revision=99999999999',
      '?format=csv&table=all',
      '?format=json&delimiter=semicolon',
      '?format=xlsx&table=summary',
      '?format=csv&extra=1',
    ]) {
      const r = await download(query);
      expect([query, r.status]).toEqual([query, 400]);
      expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    expect((await download('?format=csv', auditor, 19)).status).toBe(400);
  });

  it('lets auditors, officials and admins export; not ngo accounts (403) nor the public (401)', async () => {
    const cases: Array<[string, string | null, number]> = [
      ['auditor', auditor, 200],
      ['official', official, 200],
      ['admin', admin, 200],
      ['ngo', ngoToken, 403],
      ['public', null, 401],
    ];
    for (const [who, token, status] of cases) expect([who, (await download('?format=json', token)).status]).toEqual([who, status]);
  });

  it('gives another municipality\'s admin its own report, never ours', async () => {
    // Kraków (the platform admin's municipality) publishes a 2019 report of its own
    const ngo = ok(await post(platform, '/ngos', newNgo({ name: 'Krakowska Fundacja' })));
    const program = ok(await post(platform, '/programs', newProgram({ title: 'Krakowski program' })));
    const krakowTask = ok(await post(platform, '/tasks', newTask(program.id, [ngo.id], { title: 'Zadanie krakowskie' })));
    ok(await post(platform, '/reports/2019/compile', {}), 200);
    ok(await post(platform, '/reports/2019/publish', {}), 200);

    const theirs = await download('?format=csv', platform);
    expect(theirs.status).toBe(200);
    expect(theirs.headers.get('content-disposition')).toBe('attachment; filename="raport-krakow-2019-r1.csv"');
    const rows: string[][] = parse(theirs.body, { from_line: 2 });
    expect(rows.map((r) => r[1])).toEqual([krakowTask.id]);
    for (const task of tasks) expect(theirs.text).not.toContain(task.id);
    const draft = await download('?format=json&revision=draft', platform);
    expect(JSON.parse(draft.text).tasks.map((x: { taskId: string }) => x.taskId)).toEqual([krakowTask.id]);

    const ours = await download('?format=csv');
    expect(ours.text).not.toContain(krakowTask.id);
    expect(ours.text).not.toContain('Krakowska');
  });

  it('records every export in the audit trail (format, revision, rows, SHA-256), and nothing for a refused one', async () => {
    const exports = async () => ok(await get(auditor, '/audit?entity=report&action=export&limit=200'), 200);
    const before = await exports();
    const r = await download('?format=csv&delimiter=semicolon');
    const after = await exports();
    expect(after.total).toBe(before.total + 1);
    expect(after.items[0]).toMatchObject({
      action: 'export',
      entity: 'report',
      entityId: '2019',
      actor: { email: 'a@eksportowa.test' },
      after: { year: 2019, revision: 1, format: 'csv', table: 'tasks', delimiter: 'semicolon', rows: tasks.length, sha256: sha256(r.body).toString('hex') },
    });
    const json = await download('?format=json&revision=draft', official);
    const third = await exports();
    expect(third.total).toBe(before.total + 2);
    expect(third.items[0]).toMatchObject({ actor: { email: 'o@eksportowa.test' }, after: { year: 2019, revision: 'draft', format: 'json', rows: tasks.length, sha256: sha256(json.body).toString('hex') } });
    expect(third.items[0].after.table).toBeUndefined();

    await download('?format=csv', auditor, 2017);
    await download('?format=pdf');
    await download('?format=csv', ngoToken);
    expect((await exports()).total).toBe(before.total + 2);
    expect(ok(await get(auditor, '/audit/verify'), 200)).toMatchObject({ valid: true });
  });

  it('lets anyone download a published revision without signing in: the same bytes and digest, no audit entry, never a draft', async () => {
    const entries = async () => Number((await t.db.query(`SELECT count(*) AS n FROM audit_entries WHERE action = 'export'`))[0].n);
    const before = await entries();
    for (const query of ['?format=csv', '?format=csv&delimiter=semicolon', '?format=xlsx', '?format=json', '?format=xlsx&revision=1']) {
      const response = await fetch(`${t.url}/api/v1/public/eksportowa/reports/2019/export${query}`);
      const body = Buffer.from(await response.arrayBuffer());
      expect([query, response.status]).toEqual([query, 200]);
      const signedIn = await download(query);
      expect([query, sha256(body).toString('hex')]).toEqual([query, sha256(signedIn.body).toString('hex')]);
      expect(response.headers.get('repr-digest')).toBe(signedIn.headers.get('repr-digest'));
    }
    // the signed-in downloads above were recorded; the public ones were not
    expect(await entries()).toBe(before + 5);
    const draft = await fetch(`${t.url}/api/v1/public/eksportowa/reports/2019/export?format=csv&revision=draft`);
    expect(draft.status).toBe(400);
    expect(draft.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await fetch(`${t.url}/api/v1/public/nowhere/reports/2019/export?format=csv`)).status).toBe(404);
    expect((await fetch(`${t.url}/api/v1/public/eksportowa/reports/2018/export?format=csv`)).status).toBe(404);
    expect((await fetch(`${t.url}/api/v1/public/eksportowa/reports/2019/export?format=pdf`)).status).toBe(400);
  });

  it('makes no export and no audit entry for a HEAD request', async () => {
    const [{ n: before }] = await t.db.query(`SELECT count(*)::int AS n FROM audit_entries WHERE action = 'export'`);
    const head = await fetch(`${t.url}/api/v1/reports/2019/export?format=csv`, { method: 'HEAD', headers: { authorization: `Bearer ${auditor}` } });
    expect(head.status).toBe(400);
    const [{ n: after }] = await t.db.query(`SELECT count(*)::int AS n FROM audit_entries WHERE action = 'export'`);
    expect(after).toBe(before);
  });

  it('leaves no temporary file behind', async () => {
    await download('?format=xlsx');
    let left: string[] = [];
    for (let i = 0; i < 20; i++) {
      left = (await readdir(tmpdir())).filter((f) => f.startsWith('ngo-tracker-export-'));
      if (!left.length) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(left).toEqual([]);
  });
});

/** The contract's canonical JSON: keys sorted at every level. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  return value;
}
