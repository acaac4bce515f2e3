import { newNgo, newProgram, usersOfEveryRole, type Tokens } from '../utils/factories';
import { createTestApp, PLATFORM_ADMIN, type TestApp } from '../utils/test-app';
import { signIn } from '../utils/users';

/** Real: HTTP, PostgreSQL. Cooperation programmes and their year rules. */
describe('cooperation programmes', () => {
  let t: TestApp;
  let tokens: Tokens;
  let official: string;
  const count = async () => (await t.db.query('SELECT count(*)::int AS n FROM programs'))[0].n as number;
  const create = (body: Record<string, unknown>) => t.call('POST', '/api/v1/programs', { token: official, body });

  beforeAll(async () => {
    t = await createTestApp();
    tokens = await usersOfEveryRole(t, await signIn(t, PLATFORM_ADMIN.email), 'programs');
    official = tokens.official;
  });
  afterAll(() => t.close());

  /** Inserts a funded task directly (the task API is not part of this register). */
  async function insertTask(programId: string, granted: string, settled: string | null, start = '2020-03-01', end = '2020-05-29') {
    const [municipality] = await t.db.query('SELECT municipality_id FROM programs WHERE id = $1', [programId]);
    await t.db.query(
      `INSERT INTO tasks (municipality_id, program_id, title, sphere, mode, form, department, amount_granted, amount_settled, start_date, end_date, status)
       VALUES ($1, $2, 'Zadanie', '16', 'open-competition', 'support', 'Wydział Kultury', $3, $4, $5, $6, 'settled')`,
      [municipality.municipality_id, programId, granted, settled, start, end],
    );
  }

  it('creates a multi-year programme with annual children, and answers children and totals', async () => {
    const multi = await create(newProgram({ resolutionNumber: 'CXIII/3001/18', adoptedOn: '2018-11-14', spheres: ['1', '16'], plannedBudget: '1500000' }));
    expect(multi.status).toBe(201);
    expect(multi.body).toMatchObject({
      kind: 'multi-year',
      startYear: 2019,
      endYear: 2022,
      parentId: null,
      resolutionNumber: 'CXIII/3001/18',
      adoptedOn: '2018-11-14',
      adoptedOnTime: null,
      spheres: ['1', '16'],
      plannedBudget: '1500000.00',
      archived: false,
      version: 1,
      children: [],
      totals: { tasks: 0, granted: '0.00', settled: '0.00' },
    });
    const y2020 = await create({ title: 'Roczny program 2020', kind: 'annual', startYear: 2020, endYear: 2020, parentId: multi.body.id, adoptedOn: '2019-11-30' });
    const y2019 = await create({ title: 'Roczny program 2019', kind: 'annual', startYear: 2019, endYear: 2019, parentId: multi.body.id, adoptedOn: '2018-12-20' });
    expect(y2020.status).toBe(201);
    expect(y2020.body).toMatchObject({ parentId: multi.body.id, adoptedOnTime: true });
    expect(y2019.body.adoptedOnTime).toBe(false);

    await insertTask(y2020.body.id, '0.10', '0.10');
    await insertTask(y2020.body.id, '0.20', null);
    await insertTask(y2019.body.id, '12500.50', '12000.05', '2019-02-01', '2019-06-30');

    const got = await t.call('GET', `/api/v1/programs/${multi.body.id}`, { token: official });
    expect(got.body.children.map((c: { startYear: number }) => c.startYear)).toEqual([2019, 2020]);
    expect(got.body.totals).toEqual({ tasks: 3, granted: '12500.80', settled: '12000.15' });
    const annual = await t.call('GET', `/api/v1/programs/${y2020.body.id}`, { token: official });
    // "0.10" + "0.20" is stored and summed exactly
    expect(annual.body.totals).toEqual({ tasks: 2, granted: '0.30', settled: '0.10' });
  });

  describe('money', () => {
    it.each([
      ['12500', '12500.00'],
      ['12500.5', '12500.50'],
      ['0.10', '0.10'],
      [0.1, '0.10'],
      [12500.55, '12500.55'],
      ['999999999999.99', '999999999999.99'],
    ])('reads %j as %s and answers it as a two-decimal string', async (input, output) => {
      const r = await create(newProgram({ plannedBudget: input }));
      expect(r.status).toBe(201);
      expect(r.body.plannedBudget).toBe(output);
      const [row] = await t.db.query('SELECT planned_budget::text AS v FROM programs WHERE id = $1', [r.body.id]);
      expect(row.v).toBe(output);
    });

    it.each([['12.345'], [12.345], ['1e3'], ['-5'], ['12,50'], ['1000000000000'], [true], [{}]])('refuses %j with 400', async (input) => {
      const before = await count();
      const r = await create(newProgram({ plannedBudget: input }));
      expect(r.status).toBe(400);
      expect(r.body.errors[0].field).toBe('plannedBudget');
      expect(await count()).toBe(before);
    });
  });

  describe('year rules (422 naming the rule and the field; nothing written)', () => {
    let multi: string;
    let annual: string;
    beforeAll(async () => {
      multi = (await create(newProgram())).body.id;
      annual = (await create({ title: 'Roczny 2021', kind: 'annual', startYear: 2021, endYear: 2021 })).body.id;
    });

    it.each([
      ['program.annual-single-year', 'endYear', () => ({ title: 'x', kind: 'annual', startYear: 2019, endYear: 2020 })],
      ['program.year-order', 'endYear', () => ({ title: 'x', kind: 'multi-year', startYear: 2022, endYear: 2019 })],
      ['program.multi-year-span', 'endYear', () => ({ title: 'x', kind: 'multi-year', startYear: 2019, endYear: 2019 })],
      ['program.inside-parent', 'startYear', () => ({ title: 'x', kind: 'annual', startYear: 2023, endYear: 2023, parentId: multi })],
      ['program.parent-only-annual', 'parentId', () => ({ title: 'x', kind: 'multi-year', startYear: 2019, endYear: 2020, parentId: multi })],
      ['program.parent-multi-year', 'parentId', () => ({ title: 'x', kind: 'annual', startYear: 2021, endYear: 2021, parentId: annual })],
      ['program.parent-exists', 'parentId', () => ({ title: 'x', kind: 'annual', startYear: 2021, endYear: 2021, parentId: '00000000-0000-4000-8000-000000000000' })],
    ])('%s', async (rule, field, body) => {
      const before = await count();
      const r = await create(body());
      expect(r.status).toBe(422);
      expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(r.body).toMatchObject({ title: 'Domain rule broken', status: 422 });
      expect(r.body.errors).toContainEqual({ rule, field, message: expect.any(String) });
      expect(await count()).toBe(before);
    });

    it.each([
      ['startYear', { startYear: 1999 }],
      ['endYear', { endYear: 2101 }],
      ['startYear', { startYear: '2019' }],
      ['kind', { kind: 'biennial' }],
      ['title', { title: '' }],
      ['parentId', { parentId: 'abc' }],
      ['adoptedOn', { adoptedOn: '2018-13-01' }],
      ['spheres.0', { spheres: ['34'] }],
    ])('refuses a bad %s with 400', async (field, override) => {
      const r = await create(newProgram(override));
      expect(r.status).toBe(400);
      expect(r.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('keeps the annual programmes inside the years of an updated parent', async () => {
      const parent = (await create(newProgram())).body;
      await create({ title: 'Roczny 2022', kind: 'annual', startYear: 2022, endYear: 2022, parentId: parent.id });
      const r = await t.call('PATCH', `/api/v1/programs/${parent.id}`, { token: official, body: { version: 1, endYear: 2021 } });
      expect(r.status).toBe(422);
      expect(r.body.errors).toContainEqual({ rule: 'program.children-inside', field: 'startYear', message: expect.any(String) });
      const after = await t.call('GET', `/api/v1/programs/${parent.id}`, { token: official });
      expect(after.body).toMatchObject({ endYear: 2022, version: 1 });
    });

    it('keeps a programme with annual children multi-year', async () => {
      const parent = (await create(newProgram())).body;
      await create({ title: 'Roczny 2020', kind: 'annual', startYear: 2020, endYear: 2020, parentId: parent.id });
      const r = await t.call('PATCH', `/api/v1/programs/${parent.id}`, { token: official, body: { version: 1, kind: 'annual', startYear: 2020, endYear: 2020 } });
      expect(r.status).toBe(422);
      expect(r.body.errors.map((e: { rule: string }) => e.rule)).toContain('program.has-children');
    });

    it('keeps the funded tasks inside the programme\'s years', async () => {
      const p = (await create({ title: 'Roczny 2020', kind: 'annual', startYear: 2020, endYear: 2020 })).body;
      await insertTask(p.id, '100.00', null);
      const r = await t.call('PATCH', `/api/v1/programs/${p.id}`, { token: official, body: { version: 1, startYear: 2021, endYear: 2021 } });
      expect(r.status).toBe(422);
      expect(r.body.errors.map((e: { rule: string }) => e.rule)).toContain('program.tasks-inside');
    });

    it('keeps the non-financial activities inside the programme\'s years', async () => {
      const p = (await create(newProgram({ title: 'Wieloletni 2019–2022' }))).body;
      const activity = await t.call('POST', '/api/v1/activities', {
        token: official,
        body: { programId: p.id, type: 'event', title: 'Tramwaj Praw Człowieka', startDate: '2022-12-10', department: 'Kancelaria Prezydenta Miasta', ngoIds: [] },
      });
      expect(activity.status).toBe(201);
      const r = await t.call('PATCH', `/api/v1/programs/${p.id}`, { token: official, body: { version: 1, endYear: 2021 } });
      expect(r.status).toBe(422);
      expect(r.body.errors.map((e: { rule: string }) => e.rule)).toContain('program.activities-inside');
      expect((await t.call('PATCH', `/api/v1/programs/${p.id}`, { token: official, body: { version: 1, startYear: 2020 } })).status).toBe(200);
    });
  });

  describe('update and archive', () => {
    it('updates with the version read, 409 when stale', async () => {
      const p = (await create(newProgram())).body;
      const ok = await t.call('PATCH', `/api/v1/programs/${p.id}`, { token: official, body: { version: 1, title: 'Nowy tytuł', plannedBudget: null } });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ title: 'Nowy tytuł', plannedBudget: null, version: 2 });
      const stale = await t.call('PATCH', `/api/v1/programs/${p.id}`, { token: official, body: { version: 1, title: 'Stale' } });
      expect(stale.status).toBe(409);
    });

    it('of 8 concurrent PATCHes with one version, exactly one succeeds', async () => {
      const p = (await create(newProgram())).body;
      const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => t.call('PATCH', `/api/v1/programs/${p.id}`, { token: official, body: { version: 1, title: `T${i}` } })));
      expect(answers.map((a) => a.status).sort()).toEqual([200, ...Array(7).fill(409)]);
    });

    it('archives on DELETE and keeps the record', async () => {
      const p = (await create(newProgram())).body;
      const r = await t.call('DELETE', `/api/v1/programs/${p.id}`, { token: official });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ archived: true, archivedAt: expect.any(String) });
      expect((await t.call('GET', `/api/v1/programs/${p.id}`, { token: official })).body.archived).toBe(true);
    });
  });

  describe('list and filters', () => {
    it('filters by kind, year in force, parent and title', async () => {
      const parent = (await create(newProgram({ title: 'Program filtrów 2030–2033', startYear: 2030, endYear: 2033 }))).body;
      await create({ title: 'Program filtrów roczny 2031', kind: 'annual', startYear: 2031, endYear: 2031, parentId: parent.id });
      const titles = async (q: string) => (await t.call('GET', `/api/v1/programs?${q}`, { token: official })).body.items.map((i: { title: string }) => i.title);
      // newest start year first
      expect(await titles('year=2031')).toEqual(['Program filtrów roczny 2031', 'Program filtrów 2030–2033']);
      expect(await titles('year=2032')).toEqual(['Program filtrów 2030–2033']);
      expect(await titles('year=2031&kind=annual')).toEqual(['Program filtrów roczny 2031']);
      expect(await titles(`parentId=${parent.id}`)).toEqual(['Program filtrów roczny 2031']);
      expect(await titles('search=FILTRÓW roczny')).toEqual(['Program filtrów roczny 2031']);
    });

    it('lets every signed-in role read programmes (council resolutions, public documents)', async () => {
      for (const token of [tokens.ngo, tokens.auditor, tokens.admin]) {
        expect((await t.call('GET', '/api/v1/programs', { token })).status).toBe(200);
      }
    });
  });

  it('answers the public-benefit spheres without a token, in the order of the act', async () => {
    const r = await t.call('GET', '/api/v1/spheres');
    expect(r.status).toBe(200);
    expect(r.body).toHaveLength(36);
    expect(r.body.slice(0, 4).map((s: { code: string }) => s.code)).toEqual(['1', '1a', '1b', '2']);
    expect(r.body.at(-1)).toEqual({ code: '33', name: expect.stringContaining('w zakresie określonym w pkt 1–32a'), validFrom: null, validTo: null });
    expect(r.body.find((s: { code: string }) => s.code === '1a').name).toBe('wspieranie rodziny i systemu pieczy zastępczej');
    expect(r.headers.get('cache-control')).not.toBe('no-store');
  });

  it('refuses an NGO sphere that the dictionary does not hold', async () => {
    const r = await t.call('POST', '/api/v1/ngos', { token: official, body: newNgo({ spheres: ['33', '34'] }) });
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([{ field: 'spheres.1', message: '"34" is not a public-benefit sphere code' }]);
  });
});
