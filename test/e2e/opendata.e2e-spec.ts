import { BATCH_SIZE } from '@app/opendata';
import { newNgo, newProgram, newTask, uniqueIdentifiers } from '../utils/factories';
import { createTestApp, PLATFORM_ADMIN, type Answer, type TestApp } from '../utils/test-app';
import { createMunicipality, signIn } from '../utils/users';

/**
 * Real: HTTP, PostgreSQL. The 360Giving open data (GET /api/v1/public/{slug}/grants/{year}.json):
 * a known data set (NGOs identified by KRS, by NIP only, by REGON only and by nothing; tasks of
 * every mode; Polish letters), compiled and published, then the package read field by field
 * against the standard's required fields and formats, the revision lifecycle, 404s and caching.
 */

const SLUG = 'lacko-zrodla';
const TERYT = '1218042';
const NAME = 'Gmina Łącko-Źródła';
const PREFIX = `360G-gmina${TERYT}`;
const OTHER = { slug: 'druga-gmina', teryt: '1201022', name: 'Gmina Żółkiewka Druga' };
const OTHER_REGON = uniqueIdentifiers().regon;

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const ISO_DAY = /^\d{4}-(0[1-9]|1[012])-(0[1-9]|[12]\d|3[01])$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const ORG_ID = /^PL-(KRS|NIP|REGON)-\d+$/;

interface Ngo {
  id: string;
  name: string;
  krs: string | null;
  nip: string | null;
  regon: string | null;
}

interface MadeTask {
  id: string;
  title: string;
  mode: string;
  form: string;
  sphere: string;
  department: string;
  competitionRef: string | null;
  amountGranted: string;
  startDate: string;
  endDate: string;
  ngos: Ngo[];
  programme: { id: string; title: string };
  version: number;
}

interface Grant {
  id: string;
  title: string;
  description: string;
  currency: string;
  amountAwarded: number;
  awardDate: string;
  plannedDates: Array<{ startDate: string; endDate: string; duration: number }>;
  recipientOrganization: Array<{ id: string; name: string }>;
  fundingOrganization: Array<{ id: string; name: string; department?: string }>;
  grantProgramme?: Array<{ code: string; title: string }>;
  classifications: Array<{ vocabulary: string; code: string; title: string | null }>;
  fromOpenCall: string;
  beneficiaryLocation: Array<{ name: string; countryCode: string; geoCode: string; geoCodeType?: string }>;
  dateModified: string;
}

describe('open data: 360Giving grants', () => {
  let t: TestApp;
  let admin: string;
  let annual: { id: string; title: string };
  let multi: { id: string; title: string };
  const ngos: Record<'krs' | 'nipOnly' | 'regonOnly' | 'none' | 'partner', Ngo> = {} as never;
  const tasks: MadeTask[] = [];
  let first: Answer;
  let firstHash: string;

  const ok = (r: Answer, status = 201) => {
    if (r.status !== status) throw new Error(`${r.status} ${r.text}`);
    return r.body;
  };
  const api = {
    post: (path: string, body: unknown, token = admin) => t.call('POST', `/api/v1${path}`, { token, body }),
    patch: (path: string, body: unknown, token = admin) => t.call('PATCH', `/api/v1${path}`, { token, body }),
  };
  const file = (path: string, headers: Record<string, string> = {}, token?: string) => t.call('GET', `/api/v1/public/${path}`, { headers, token });
  const grantsOf = (r: Answer): Grant[] => r.body.grants;
  const madeTask = async (programme: { id: string; title: string }, lead: Ngo, partners: Ngo[], o: Record<string, unknown>) => {
    const created = ok(await api.post('/tasks', newTask(programme.id, [lead.id, ...partners.map((p) => p.id)], { amountRequested: null, ...o })));
    const task: MadeTask = { ...created, ngos: [lead, ...partners], programme };
    if (created.status !== 'planned' && created.startDate.startsWith('2019')) tasks.push(task);
    return task;
  };

  beforeAll(async () => {
    // the second municipality has its funder identifier configured; the first takes the default
    process.env.OPEN_DATA_FUNDER_ID = `${OTHER.teryt}=PL-REGON-${OTHER_REGON}`;
    try {
      t = await createTestApp();
    } finally {
      delete process.env.OPEN_DATA_FUNDER_ID;
    }
    const platform = await signIn(t, PLATFORM_ADMIN.email);
    ({ admin } = await createMunicipality(t, platform, { name: NAME, slug: SLUG, teryt: TERYT, adminEmail: 'admin@lacko.test' }));

    const ngo = async (name: string, ids: Partial<Record<'krs' | 'nip' | 'regon', string | null>>, legalForm = 'association'): Promise<Ngo> => {
      const created = ok(await api.post('/ngos', newNgo({ name, legalForm, krs: null, nip: null, regon: null, ...ids })));
      return { id: created.id, name: created.name, krs: created.krs, nip: created.nip, regon: created.regon };
    };
    const all = uniqueIdentifiers();
    ngos.krs = await ngo('Stowarzyszenie „Źródło” – Łącko', all);
    ngos.nipOnly = await ngo('Fundacja Żółta Łąka', { nip: uniqueIdentifiers().nip }, 'foundation');
    ngos.regonOnly = await ngo('Koło Gospodyń Wiejskich w Łącku', { regon: uniqueIdentifiers().regon }, 'other');
    ngos.none = await ngo('Grupa nieformalna „Ślęża”', {}, 'other');
    ngos.partner = await ngo('Towarzystwo Przyjaciół Źródeł', { krs: uniqueIdentifiers().krs });

    const m = ok(await api.post('/programs', newProgram({ title: 'Wieloletni program współpracy Gminy Łącko-Źródła 2019–2022' })));
    multi = { id: m.id, title: m.title };
    const a = ok(await api.post('/programs', newProgram({ title: 'Roczny program współpracy na 2019 r.', kind: 'annual', startYear: 2019, endYear: 2019, parentId: m.id })));
    annual = { id: a.id, title: a.title };

    await madeTask(annual, ngos.krs, [ngos.nipOnly, ngos.partner, ngos.none], {
      title: 'Klub Seniora „Złota Jesień” – zajęcia dla osób starszych',
      competitionRef: 'OK-7/2019',
      amountGranted: '150000.10',
      sphere: '1',
      department: 'Wydział Polityki Społecznej i Zdrowia',
      startDate: '2019-03-01',
      endDate: '2019-11-30',
    });
    await madeTask(annual, ngos.nipOnly, [], {
      title: 'Warsztaty ekologiczne nad źródłem',
      mode: 'small-grant',
      amountGranted: '9999.99',
      sphere: '18',
      startDate: '2019-05-01',
      endDate: '2019-06-30',
    });
    await madeTask(annual, ngos.regonOnly, [], {
      title: 'Odnowienie świetlicy wiejskiej',
      mode: 'local-initiative',
      form: 'entrustment',
      amountGranted: '12000.00',
      sphere: '16',
      startDate: '2019-06-01',
      endDate: '2019-09-30',
    });
    await madeTask(multi, ngos.partner, [ngos.krs], {
      title: 'Nieodpłatna pomoc prawna',
      mode: 'other-act',
      form: 'entrustment',
      amountGranted: '420000.00',
      sphere: '1b',
      department: 'Wydział Spraw Społecznych',
      startDate: '2019-01-02',
      endDate: '2019-12-31',
    });
    await madeTask(annual, ngos.none, [], { title: 'Festyn „Święto Łąki”', competitionRef: 'OK-8/2019', amountGranted: '0.10', sphere: '16', startDate: '2019-06-15', endDate: '2019-06-15' });
    // not in the 2019 file: planned, or starting in 2020
    await madeTask(annual, ngos.krs, [], { amountGranted: '77777.77', status: 'planned' });
    await madeTask(ok(await api.post('/programs', newProgram({ title: 'Roczny 2020', kind: 'annual', startYear: 2020, endYear: 2020, parentId: m.id }))), ngos.krs, [], {
      amountGranted: '5555.55',
      startDate: '2020-03-01',
      endDate: '2020-11-30',
    });

    const compiled = ok(await api.post('/reports/2019/compile', {}), 200);
    ok(await api.post('/reports/2019/publish', { contentHash: compiled.contentHash }), 200);
    firstHash = compiled.contentHash;
    // 2018 compiled but never published
    ok(await api.post('/reports/2018/compile', {}), 200);
    first = await file(`${SLUG}/grants/2019.json`);
  });
  afterAll(() => t.close());

  it('serves the newest published revision without sign-in, as a 360Giving package with cache-friendly headers', async () => {
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(first.headers.get('cache-control')).toBe('public, max-age=300');
    expect(first.headers.get('etag')).toMatch(new RegExp(`^W/"${firstHash}\\.1\\.[0-9a-f]{12}"$`));
    expect(new Date(first.headers.get('last-modified')!).getTime()).not.toBeNaN();
    const body = first.body;
    expect(Object.keys(body)).toEqual(['version', 'title', 'description', 'identifier', 'issued', 'modified', 'publisher', 'license', 'grants']);
    expect(body.version).toMatch(/^\d+\.\d+$/);
    expect(body.version).toBe('1.4');
    expect(body.publisher).toEqual({ name: NAME, identifier: PREFIX });
    expect(body.identifier).toBe(`${PREFIX}-2019-v1`);
    expect(body.title).toContain(NAME);
    expect(body.license).toBe('https://creativecommons.org/licenses/by/4.0/');
    expect(body.issued).toMatch(ISO_DATE_TIME);
    expect(body.modified).toBe(body.issued);
    expect(new Date(body.issued).toUTCString()).toBe(first.headers.get('last-modified'));
    expect(Array.isArray(body.grants)).toBe(true);
  });

  it('lists one grant per task of the revision, in its order, and nothing else', async () => {
    const rows: Array<{ task_id: string }> = await t.db.query(
      `SELECT rt.task_id FROM report_revision_tasks rt JOIN municipalities m ON m.id = rt.municipality_id WHERE m.slug = $1 AND rt.year = 2019 AND rt.revision = 1 ORDER BY rt.position`,
      [SLUG],
    );
    expect(rows).toHaveLength(5);
    expect(grantsOf(first).map((g) => g.id)).toEqual(rows.map((r) => `${PREFIX}-${r.task_id}`));
    expect(new Set(grantsOf(first).map((g) => g.id)).size).toBe(5);
    expect(grantsOf(first).map((g) => g.id).sort()).toEqual(tasks.map((task) => `${PREFIX}-${task.id}`).sort());
  });

  it('gives every grant the standard\'s required fields, with their types and formats', () => {
    for (const g of grantsOf(first)) {
      expect(g.id).toMatch(new RegExp(`^360G-[A-Za-z0-9_-]+-${UUID}$`));
      expect(typeof g.title).toBe('string');
      expect(g.title.length).toBeGreaterThan(0);
      expect(typeof g.description).toBe('string');
      expect(g.description.length).toBeGreaterThan(0);
      expect(g.currency).toBe('PLN');
      expect(typeof g.amountAwarded).toBe('number');
      expect(g.awardDate).toMatch(ISO_DAY);
      expect(Number.isNaN(Date.parse(g.awardDate))).toBe(false);
      expect(g.recipientOrganization).toHaveLength(1);
      expect(g.fundingOrganization).toHaveLength(1);
      for (const org of [...g.recipientOrganization, ...g.fundingOrganization]) {
        expect(typeof org.id).toBe('string');
        expect(typeof org.name).toBe('string');
      }
      for (const d of g.plannedDates) {
        expect(d.startDate).toMatch(ISO_DAY);
        expect(d.endDate).toMatch(ISO_DAY);
        expect(typeof d.duration).toBe('number');
        expect(d.duration).toBeGreaterThanOrEqual(0);
      }
      expect(['Yes', 'No']).toContain(g.fromOpenCall);
      expect(g.dateModified).toMatch(ISO_DATE_TIME);
      // geoCodeType is a closed UK codelist with no code for TERYT: left out rather than invented
      expect(g.beneficiaryLocation[0]).not.toHaveProperty('geoCodeType');
    }
  });

  it('maps each task field by field: amounts exact, dates, organisations, programme, sphere, open call, location', async () => {
    const spheres: Array<{ code: string; name: string }> = await t.db.query(`SELECT DISTINCT ON (code) code, name FROM spheres ORDER BY code, valid_from DESC NULLS LAST`);
    const sphereName = new Map(spheres.map((s) => [s.code, s.name]));
    const byId = new Map(grantsOf(first).map((g) => [g.id, g]));
    const durations: Record<string, number> = { '2019-03-01': 9, '2019-05-01': 2, '2019-06-01': 4, '2019-01-02': 12, '2019-06-15': 0 };
    for (const task of tasks) {
      const g = byId.get(`${PREFIX}-${task.id}`)!;
      expect(g.title).toBe(task.title);
      expect(g.amountAwarded.toFixed(2)).toBe(task.amountGranted);
      expect(first.text).toContain(`"amountAwarded":${Number(task.amountGranted)},`);
      expect(g.awardDate).toBe(task.startDate);
      expect(g.plannedDates).toHaveLength(1);
      expect(g.plannedDates[0]).toMatchObject({ startDate: task.startDate, endDate: task.endDate });
      expect(Math.round(g.plannedDates[0].duration)).toBe(durations[task.startDate]);
      const lead = task.ngos[0];
      expect(g.recipientOrganization[0].name).toBe(lead.name);
      const expectedId = lead.krs ? `PL-KRS-${lead.krs}` : lead.nip ? `PL-NIP-${lead.nip}` : lead.regon ? `PL-REGON-${lead.regon}` : `${PREFIX}-org-${lead.id}`;
      expect(g.recipientOrganization[0].id).toBe(expectedId);
      if (lead !== ngos.none) expect(g.recipientOrganization[0].id).toMatch(ORG_ID);
      expect(g.fundingOrganization).toEqual([{ id: PREFIX, name: NAME, department: task.department }]);
      expect(g.grantProgramme).toEqual([{ code: task.programme.id, title: task.programme.title }]);
      expect(g.classifications).toEqual([{ vocabulary: expect.stringContaining('art. 4'), code: task.sphere, title: sphereName.get(task.sphere) }]);
      expect(g.fromOpenCall).toBe(task.mode === 'open-competition' ? 'Yes' : 'No');
      expect(g.beneficiaryLocation).toEqual([expect.objectContaining({ name: NAME, countryCode: 'PL', geoCode: TERYT })]);
      expect(g.dateModified).toBe(first.body.issued);
      expect(g.description).toContain(`„${task.title}”`);
      expect(g.description).toContain(task.department);
      for (const n of task.ngos) expect(g.description).toContain(n.name);
    }
    // the identifier kinds, and the phrases of mode and form, spelled out once
    const [senior, eco, hall, legal, fest] = tasks.map((task) => byId.get(`${PREFIX}-${task.id}`)!);
    expect(senior.recipientOrganization[0].id).toBe(`PL-KRS-${ngos.krs.krs}`);
    expect(eco.recipientOrganization[0].id).toBe(`PL-NIP-${ngos.nipOnly.nip}`);
    expect(hall.recipientOrganization[0].id).toBe(`PL-REGON-${ngos.regonOnly.regon}`);
    expect(fest.recipientOrganization[0].id).toMatch(new RegExp(`^${PREFIX}-org-${UUID}$`));
    expect(senior.description).toBe(
      'Zadanie publiczne „Klub Seniora „Złota Jesień” – zajęcia dla osób starszych” zlecone w formie wspierania w trybie otwartego konkursu ofert (konkurs OK-7/2019). ' +
        'Wydział zlecający: Wydział Polityki Społecznej i Zdrowia. ' +
        `Realizator: Stowarzyszenie „Źródło” – Łącko (KRS ${ngos.krs.krs}). ` +
        `Partnerzy: Fundacja Żółta Łąka (NIP ${ngos.nipOnly.nip}), Towarzystwo Przyjaciół Źródeł (KRS ${ngos.partner.krs}), Grupa nieformalna „Ślęża”.`,
    );
    expect(eco.description).toContain('z pominięciem otwartego konkursu ofert (mały grant, art. 19a');
    expect(hall.description).toContain('w formie powierzenia w ramach inicjatywy lokalnej (art. 19b');
    expect(legal.description).toContain('na podstawie przepisów innej ustawy');
    expect(legal.description).toContain(`Partner: Stowarzyszenie „Źródło” – Łącko (KRS ${ngos.krs.krs}).`);
    expect(legal.grantProgramme).toEqual([{ code: multi.id, title: multi.title }]);
    expect(senior.grantProgramme).toEqual([{ code: annual.id, title: annual.title }]);
    expect(senior.amountAwarded).toBe(150000.1);
    expect(fest.amountAwarded).toBe(0.1);
    expect(legal.plannedDates[0].duration).toBe(12);
    expect(fest.plannedDates[0].duration).toBe(0);
    expect(senior.plannedDates[0].duration).toBe(9);
  });

  it('answers 304 to a matching If-None-Match, and the same file to a signed-in reader', async () => {
    const etag = first.headers.get('etag')!;
    const again = await file(`${SLUG}/grants/2019.json`, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
    expect(again.headers.get('cache-control')).toBe('public, max-age=300');
    expect((await file(`${SLUG}/grants/2019.json`, { 'if-none-match': `"other", ${etag.replace(/^W\//, '')}` })).status).toBe(304);
    expect((await file(`${SLUG}/grants/2019.json`, { 'if-none-match': '"other"' })).status).toBe(200);
    const signedIn = await file(`${SLUG}/grants/2019.json`, {}, admin);
    expect(signedIn.status).toBe(200);
    expect(signedIn.text).toBe(first.text);
  });

  it('answers 404 problems, never cached, for an unknown municipality, an unpublished year, a bad file name and a year without tasks', async () => {
    for (const path of [
      `nieznana/grants/2019.json`,
      `${SLUG}/grants/2018.json`,
      `${SLUG}/grants/2017.json`,
      `${SLUG}/grants/2019.xml`,
      `${SLUG}/grants/2019`,
      `${SLUG}/grants/abcd.json`,
      `${SLUG}/grants/19.json`,
      `${SLUG}/grants/1999.json`,
      `${SLUG}/grants/2019.json.gz`,
      `Not_A_Slug/grants/2019.json`,
    ]) {
      const r = await file(path);
      expect([path, r.status]).toEqual([path, 404]);
      expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(r.body).toMatchObject({ status: 404 });
      expect(r.headers.get('cache-control')).toBe('no-store');
    }
    // a published year without a funded task: a 360Giving package needs at least one grant
    ok(await api.post('/reports/2018/publish', {}), 200);
    const empty = await file(`${SLUG}/grants/2018.json`);
    expect(empty.status).toBe(404);
    expect(empty.body.detail).toMatch(/lists no funded task/);
    expect((await t.call('GET', `/api/v1/public/${SLUG}/reports/2018`)).status).toBe(200);
  });

  it('keeps serving the published revision while the data change, and the new revision\'s grants once it is published', async () => {
    const [senior, eco] = tasks;
    ok(await api.patch(`/tasks/${eco.id}`, { version: eco.version, amountGranted: '8888.88', title: 'Warsztaty ekologiczne nad źródłem (zmienione)' }), 200);
    const added = await madeTask(annual, ngos.partner, [], { title: 'Nowe zadanie: Żywa biblioteka', amountGranted: '2500.05', sphere: '16' });
    // not published yet: the file is the first revision's, byte for byte
    const unchanged = await file(`${SLUG}/grants/2019.json`);
    expect(unchanged.text).toBe(first.text);
    expect(unchanged.headers.get('etag')).toBe(first.headers.get('etag'));

    const published = ok(await api.post('/reports/2019/publish', {}), 200);
    expect(published.revision).toBe(2);
    const second = await file(`${SLUG}/grants/2019.json`);
    expect(second.status).toBe(200);
    expect(second.headers.get('etag')).toMatch(new RegExp(`^W/"${published.contentHash}\\.2\\.[0-9a-f]{12}"$`));
    expect(second.headers.get('etag')).not.toBe(first.headers.get('etag'));
    expect((await file(`${SLUG}/grants/2019.json`, { 'if-none-match': first.headers.get('etag')! })).status).toBe(200);
    expect(second.body.identifier).toBe(`${PREFIX}-2019-v2`);
    const grants = grantsOf(second);
    expect(grants).toHaveLength(6);
    const byId = new Map(grants.map((g) => [g.id, g]));
    expect(byId.get(`${PREFIX}-${eco.id}`)).toMatchObject({ amountAwarded: 8888.88, title: 'Warsztaty ekologiczne nad źródłem (zmienione)' });
    expect(byId.get(`${PREFIX}-${added.id}`)).toMatchObject({ amountAwarded: 2500.05, recipientOrganization: [{ id: `PL-KRS-${ngos.partner.krs}`, name: ngos.partner.name }] });
    expect(byId.get(`${PREFIX}-${senior.id}`)!.amountAwarded).toBe(150000.1);
    for (const g of grants) expect(g.dateModified).toBe(second.body.issued);
  });

  it('identifies a funder by its configured organisation identifier (OPEN_DATA_FUNDER_ID)', async () => {
    const platform = await signIn(t, PLATFORM_ADMIN.email);
    ok(await t.call('POST', '/api/v1/municipalities', { token: platform, body: { ...OTHER, admin: { email: 'admin@druga.test', password: 'long-enough-1' } } }));
    const other = await signIn(t, 'admin@druga.test');
    const n = ok(await api.post('/ngos', newNgo({ name: 'Stowarzyszenie Ścieżka' }), other));
    const p = ok(await api.post('/programs', newProgram({ title: 'Roczny program 2019', kind: 'annual', startYear: 2019, endYear: 2019 }), other));
    const task = ok(await api.post('/tasks', newTask(p.id, [n.id], { amountGranted: '1234567.89', amountRequested: null }), other));
    ok(await api.post('/reports/2019/compile', {}, other), 200);
    ok(await api.post('/reports/2019/publish', {}, other), 200);

    const r = await file(`${OTHER.slug}/grants/2019.json`);
    expect(r.status).toBe(200);
    const funderId = `PL-REGON-${OTHER_REGON}`;
    expect(r.body.publisher).toEqual({ name: OTHER.name, identifier: funderId });
    expect(grantsOf(r)).toHaveLength(1);
    const [g] = grantsOf(r);
    expect(g.id).toBe(`360G-gmina${OTHER.teryt}-${task.id}`);
    expect(g.fundingOrganization).toEqual([{ id: funderId, name: OTHER.name, department: task.department }]);
    expect(g.fundingOrganization[0].id).toMatch(ORG_ID);
    expect(g.amountAwarded).toBe(1234567.89);
    expect(g.beneficiaryLocation[0]).toMatchObject({ name: OTHER.name, geoCode: OTHER.teryt });
    // the first municipality still takes the default
    expect(grantsOf(await file(`${SLUG}/grants/2019.json`))[0].fundingOrganization[0].id).toBe(PREFIX);
  });

  it('writes a file of more tasks than one read holds, each once, in order, with the exact total', async () => {
    const platform = await signIn(t, PLATFORM_ADMIN.email);
    ok(await t.call('POST', '/api/v1/municipalities', { token: platform, body: { name: 'Gmina Wielka', slug: 'wielka', teryt: '1465011', admin: { email: 'admin@wielka.test', password: 'long-enough-1' } } }));
    const big = await signIn(t, 'admin@wielka.test');
    const n = ok(await api.post('/ngos', newNgo({ name: 'Fundacja Wielka' }), big));
    const p = ok(await api.post('/programs', newProgram({ title: 'Roczny 2019', kind: 'annual', startYear: 2019, endYear: 2019 }), big));
    // exactly two full reads: the third finds nothing
    const count = 2 * BATCH_SIZE;
    await t.db.query(
      `WITH made AS (
         INSERT INTO tasks (municipality_id, program_id, title, sphere, mode, form, department, amount_granted, start_date, end_date, status)
         SELECT m.id, $2, 'Zadanie nr ' || g, '16', (ARRAY['open-competition', 'small-grant', 'local-initiative', 'other-act'])[1 + g % 4], 'support',
                'Wydział ' || (g % 7), (g * 13.37)::numeric(14,2), date '2019-01-01' + (g % 200), date '2019-07-20' + (g % 150), 'contracted'
           FROM municipalities m, generate_series(1, $4::int) g WHERE m.slug = $1
         RETURNING id, municipality_id)
       INSERT INTO task_ngos (municipality_id, task_id, ngo_id, position) SELECT municipality_id, id, $3, 0 FROM made`,
      ['wielka', p.id, n.id, count],
    );
    ok(await api.post('/reports/2019/compile', {}, big), 200);
    const published = ok(await api.post('/reports/2019/publish', {}, big), 200);
    expect(published.summary.tasks.count).toBe(count);

    const r = await file('wielka/grants/2019.json');
    expect(r.status).toBe(200);
    const grants = grantsOf(r);
    expect(grants).toHaveLength(count);
    const rows: Array<{ task_id: string }> = await t.db.query(
      `SELECT rt.task_id FROM report_revision_tasks rt JOIN municipalities m ON m.id = rt.municipality_id WHERE m.slug = 'wielka' AND rt.year = 2019 ORDER BY rt.position`,
    );
    expect(grants.map((g) => g.id)).toEqual(rows.map((row) => `360G-gmina1465011-${row.task_id}`));
    const total = grants.reduce((sum, g) => sum + BigInt(g.amountAwarded.toFixed(2).replace('.', '')), 0n);
    expect(`${total / 100n}.${String(total % 100n).padStart(2, '0')}`).toBe(published.summary.tasks.granted);
    expect(grants.filter((g) => g.fromOpenCall === 'Yes')).toHaveLength(published.summary.tasks.byMode['open-competition'].count);
  });
});
