import { newActivity, newNgo, newProgram, ROLE_PASSWORD, usersOfEveryRole, type Tokens } from '../utils/factories';
import { createTestApp, PLATFORM_ADMIN, type TestApp } from '../utils/test-app';
import { signIn } from '../utils/users';

const UNKNOWN = '00000000-0000-4000-8000-000000000000';

/** Real: HTTP, PostgreSQL. Non-financial cooperation (art. 5) and its rules. */
describe('activities', () => {
  let t: TestApp;
  let tokens: Tokens;
  let official: string;
  let program: { id: string };
  let ngoA: string;
  let ngoB: string;

  const create = (body: Record<string, unknown>, token = official) => t.call('POST', '/api/v1/activities', { token, body });
  const patch = (id: string, body: Record<string, unknown>, token = official) => t.call('PATCH', `/api/v1/activities/${id}`, { token, body });
  const get = (id: string, token = official) => t.call('GET', `/api/v1/activities/${id}`, { token });
  /** What a refused write must leave untouched: the rows and the audit trail. */
  const counts = async () =>
    (await t.db.query('SELECT (SELECT count(*) FROM activities)::int AS activities, (SELECT count(*) FROM activity_ngos)::int AS links, (SELECT count(*) FROM audit_entries)::int AS audit'))[0] as {
      activities: number;
      links: number;
      audit: number;
    };
  const newNgoId = async (token = official) => (await t.call('POST', '/api/v1/ngos', { token, body: newNgo() })).body.id as string;
  const newProgramId = async (overrides: Record<string, unknown> = {}, token = official) => (await t.call('POST', '/api/v1/programs', { token, body: newProgram(overrides) })).body.id as string;

  beforeAll(async () => {
    t = await createTestApp();
    tokens = await usersOfEveryRole(t, await signIn(t, PLATFORM_ADMIN.email), 'activities');
    official = tokens.official;
    program = { id: await newProgramId() };
    ngoA = await newNgoId();
    ngoB = await newNgoId();
  });
  afterAll(() => t.close());

  describe('create, read, update', () => {
    it('round-trips every field of the contract, keeping the order of the NGOs', async () => {
      const r = await create({
        programId: program.id,
        type: 'joint-team',
        title: '  Zespół ds. programu współpracy ',
        startDate: '2019-03-01',
        endDate: '2019-12-31',
        department: 'Wydział Polityki Społecznej i Zdrowia',
        ngoIds: [ngoB, ngoA],
        participants: 14,
      });
      expect(r.status).toBe(201);
      expect(r.body).toEqual({
        id: expect.any(String),
        programId: program.id,
        type: 'joint-team',
        title: 'Zespół ds. programu współpracy',
        startDate: '2019-03-01',
        endDate: '2019-12-31',
        department: 'Wydział Polityki Społecznej i Zdrowia',
        ngoIds: [ngoB, ngoA],
        participants: 14,
        version: 1,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect((await get(r.body.id)).body).toEqual(r.body);
      const listed = await t.call('GET', `/api/v1/activities?programId=${program.id}&limit=200`, { token: official });
      expect(listed.body.items).toContainEqual(r.body);

      const annual = await newProgramId({ title: 'Roczny 2021', kind: 'annual', startYear: 2021, endYear: 2021 });
      const p = await patch(r.body.id, {
        version: 1,
        programId: annual,
        type: 'event',
        title: 'Tramwaj Praw Człowieka',
        startDate: '2021-12-10',
        endDate: null,
        department: 'Wydział Kultury',
        ngoIds: [ngoA, tokens.ngoId],
        participants: null,
      });
      expect(p.status).toBe(200);
      expect(p.body).toEqual({
        ...r.body,
        programId: annual,
        type: 'event',
        title: 'Tramwaj Praw Człowieka',
        startDate: '2021-12-10',
        endDate: null,
        department: 'Wydział Kultury',
        ngoIds: [ngoA, tokens.ngoId],
        participants: null,
        version: 2,
        updatedAt: expect.any(String),
      });
      expect((await get(r.body.id)).body).toEqual(p.body);
      const rows = await t.db.query('SELECT ngo_id::text AS id, position FROM activity_ngos WHERE activity_id = $1 ORDER BY position', [r.body.id]);
      expect(rows).toEqual([
        { id: ngoA, position: 0 },
        { id: tokens.ngoId, position: 1 },
      ]);
    });

    it('needs only programme, type, title, start date and department', async () => {
      const { ngoIds: _ngoIds, ...body } = newActivity(program.id);
      const r = await create(body);
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({ endDate: null, ngoIds: [], participants: null, version: 1 });
    });

    it('changes only what a PATCH carries, and keeps the NGOs unless ngoIds is given', async () => {
      const a = (await create(newActivity(program.id, { ngoIds: [ngoA], endDate: '2020-10-02', participants: 3 }))).body;
      const r = await patch(a.id, { version: 1, title: 'Nowy tytuł' });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ title: 'Nowy tytuł', ngoIds: [ngoA], endDate: '2020-10-02', participants: 3, version: 2 });
      const cleared = await patch(a.id, { version: 2, ngoIds: [] });
      expect(cleared.body).toMatchObject({ ngoIds: [], version: 3 });
      expect(await t.db.query('SELECT 1 FROM activity_ngos WHERE activity_id = $1', [a.id])).toEqual([]);
    });

    it('answers 409 for a stale version and keeps the newer data', async () => {
      const a = (await create(newActivity(program.id))).body;
      expect((await patch(a.id, { version: 1, title: 'First' })).status).toBe(200);
      const before = await counts();
      const stale = await patch(a.id, { version: 1, title: 'Second' });
      expect(stale.status).toBe(409);
      expect(stale.body).toMatchObject({ title: 'Stale version', status: 409 });
      expect((await get(a.id)).body).toMatchObject({ title: 'First', version: 2 });
      expect(await counts()).toEqual(before);
    });

    it('of 8 concurrent PATCHes with one version, exactly one succeeds', async () => {
      const a = (await create(newActivity(program.id))).body;
      const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => patch(a.id, { version: 1, title: `T${i}`, ngoIds: [i % 2 ? ngoA : ngoB] })));
      expect(answers.map((x) => x.status).sort()).toEqual([200, ...Array(7).fill(409)]);
      const winner = answers.find((x) => x.status === 200)!.body;
      expect((await get(a.id)).body).toEqual(winner);
    });

    it('answers 404 for an unknown id and 400 for a malformed one', async () => {
      expect((await get(UNKNOWN)).status).toBe(404);
      expect((await patch(UNKNOWN, { version: 1, title: 'x' })).status).toBe(404);
      const bad = await get('123');
      expect(bad.status).toBe(400);
      expect(bad.body.errors).toEqual([{ field: 'id', message: 'must be a UUID' }]);
    });

    it('has no DELETE', async () => {
      const a = (await create(newActivity(program.id))).body;
      expect((await t.call('DELETE', `/api/v1/activities/${a.id}`, { token: official })).status).toBe(404);
      expect((await get(a.id)).status).toBe(200);
    });

    it('replays a write with the same Idempotency-Key instead of writing twice', async () => {
      const before = await counts();
      const headers = { 'idempotency-key': 'activity-create-1' };
      const body = newActivity(program.id, { ngoIds: [ngoA] });
      const first = await t.call('POST', '/api/v1/activities', { token: official, body, headers });
      const again = await t.call('POST', '/api/v1/activities', { token: official, body, headers });
      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(again.body).toEqual(first.body);
      expect(await counts()).toEqual({ activities: before.activities + 1, links: before.links + 1, audit: before.audit + 1 });
    });
  });

  describe('the audit trail', () => {
    it('records the create and the update, with the views before and after', async () => {
      const created = (await create(newActivity(program.id, { ngoIds: [ngoA] }))).body;
      const updated = (await patch(created.id, { version: 1, participants: 40, ngoIds: [ngoB, ngoA] })).body;
      const r = await t.call('GET', `/api/v1/audit?entity=activity&entityId=${created.id}`, { token: tokens.auditor });
      expect(r.status).toBe(200);
      expect(r.body.total).toBe(2);
      // newest first
      const [update, creation] = r.body.items;
      expect(creation).toMatchObject({ action: 'create', entity: 'activity', entityId: created.id, before: null, after: created, actor: { email: `official.activities@test.example` } });
      expect(update).toMatchObject({ action: 'update', entity: 'activity', entityId: created.id, before: created, after: updated });
      expect(update.seq).toBeGreaterThan(creation.seq);
      expect(update.prevHash).toBe(creation.hash);
      expect((await t.call('GET', '/api/v1/audit/verify', { token: tokens.auditor })).body).toMatchObject({ valid: true });
    });
  });

  describe('rules (422 naming the rule and the field; nothing written)', () => {
    let archivedProgram: string;
    let archivedNgo: string;
    beforeAll(async () => {
      archivedProgram = await newProgramId();
      await t.call('DELETE', `/api/v1/programs/${archivedProgram}`, { token: official });
      archivedNgo = await newNgoId();
      await t.call('DELETE', `/api/v1/ngos/${archivedNgo}`, { token: official });
    });

    it.each([
      ['activity.program-exists', 'programId', () => ({ programId: UNKNOWN })],
      ['activity.program-archived', 'programId', () => ({ programId: archivedProgram })],
      ['activity.dates-in-program', 'startDate', () => ({ startDate: '2018-12-31' })],
      ['activity.dates-in-program', 'startDate', () => ({ startDate: '2023-01-01' })],
      ['activity.dates-in-program', 'endDate', () => ({ startDate: '2022-12-01', endDate: '2023-01-01' })],
      ['activity.dates-order', 'endDate', () => ({ startDate: '2020-05-02', endDate: '2020-05-01' })],
      ['activity.ngo-exists', 'ngoIds.1', () => ({ ngoIds: [ngoA, UNKNOWN] })],
      ['activity.ngo-archived', 'ngoIds.0', () => ({ ngoIds: [archivedNgo, ngoA] })],
    ])('%s (%s) on create', async (rule, field, override) => {
      const before = await counts();
      const r = await create(newActivity(program.id, override()));
      expect(r.status).toBe(422);
      expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(r.body).toMatchObject({ title: 'Domain rule broken', status: 422 });
      expect(r.body.errors).toContainEqual({ rule, field, message: expect.any(String) });
      expect(await counts()).toEqual(before);
    });

    it('names every broken rule at once', async () => {
      const r = await create(newActivity(program.id, { startDate: '2023-02-01', endDate: '2023-01-01', ngoIds: [UNKNOWN, archivedNgo] }));
      expect(r.status).toBe(422);
      expect(r.body.errors.map((e: { rule: string; field: string }) => `${e.rule} ${e.field}`).sort()).toEqual([
        'activity.dates-in-program endDate',
        'activity.dates-in-program startDate',
        'activity.dates-order endDate',
        'activity.ngo-archived ngoIds.1',
        'activity.ngo-exists ngoIds.0',
      ]);
    });

    describe('on PATCH, against the record as it would become', () => {
      let a: { id: string; version: number };
      beforeAll(async () => {
        a = (await create(newActivity(program.id, { startDate: '2020-03-01', endDate: '2020-03-31', ngoIds: [ngoA] }))).body;
      });

      it.each([
        ['activity.dates-order', 'endDate', () => ({ endDate: '2020-02-28' })],
        ['activity.dates-order', 'endDate', () => ({ startDate: '2020-04-01' })],
        ['activity.dates-in-program', 'endDate', () => ({ endDate: '2023-01-01' })],
        ['activity.program-exists', 'programId', () => ({ programId: UNKNOWN })],
        ['activity.program-archived', 'programId', () => ({ programId: archivedProgram })],
        ['activity.ngo-exists', 'ngoIds.1', () => ({ ngoIds: [ngoA, UNKNOWN] })],
        ['activity.ngo-archived', 'ngoIds.1', () => ({ ngoIds: [ngoA, archivedNgo] })],
      ])('%s (%s)', async (rule, field, override) => {
        const before = await counts();
        const r = await patch(a.id, { version: 1, ...override() });
        expect(r.status).toBe(422);
        expect(r.body.errors).toContainEqual({ rule, field, message: expect.any(String) });
        expect(await counts()).toEqual(before);
        expect((await get(a.id)).body).toMatchObject({ version: 1, startDate: '2020-03-01', endDate: '2020-03-31', ngoIds: [ngoA], programId: program.id });
      });

      it('checks the dates against a new programme\'s years', async () => {
        const annual = await newProgramId({ title: 'Roczny 2022', kind: 'annual', startYear: 2022, endYear: 2022 });
        const r = await patch(a.id, { version: 1, programId: annual });
        expect(r.status).toBe(422);
        expect(r.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['endDate', 'startDate']);
      });
    });

    it('keeps an NGO that was archived after it took part, and the programme it already belongs to', async () => {
      const ngo = await newNgoId();
      const programId = await newProgramId();
      const a = (await create(newActivity(programId, { ngoIds: [ngo] }))).body;
      await t.call('DELETE', `/api/v1/ngos/${ngo}`, { token: official });
      await t.call('DELETE', `/api/v1/programs/${programId}`, { token: official });
      const r = await patch(a.id, { version: 1, participants: 12, programId: programId.toUpperCase(), ngoIds: [ngoA, ngo.toUpperCase()] });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ participants: 12, ngoIds: [ngoA, ngo], programId });
    });
  });

  describe('validation (400 naming the field; nothing written)', () => {
    it.each([
      ['type', { type: 'picnic' }],
      ['type', { type: null }],
      ['programId', { programId: 'abc' }],
      ['programId', { programId: undefined }],
      ['title', { title: '' }],
      ['title', { title: 'x'.repeat(501) }],
      ['department', { department: 'x'.repeat(201) }],
      ['department', { department: '  ' }],
      ['startDate', { startDate: '2020-02-30' }],
      ['startDate', { startDate: '01.10.2020' }],
      ['startDate', { startDate: undefined }],
      ['endDate', { endDate: '2020-13-01' }],
      ['participants', { participants: -1 }],
      ['participants', { participants: 1.5 }],
      ['participants', { participants: '12' }],
      ['participants', { participants: 3_000_000_000 }],
      ['ngoIds', { ngoIds: 'x' }],
      ['ngoIds', { ngoIds: null }],
      ['ngoIds', { ngoIds: ['abc'] }],
      ['ngoIds', { ngoIds: Array.from({ length: 201 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`) }],
      ['version', { version: 1 }],
      ['id', { id: UNKNOWN }],
    ])('%s: %j', async (field, override) => {
      const before = await counts();
      const r = await create(newActivity(program.id, override));
      expect(r.status).toBe(400);
      expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(r.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(await counts()).toEqual(before);
    });

    it('refuses duplicate NGOs, whatever their case', async () => {
      const before = await counts();
      for (const ngoIds of [[ngoA, ngoA], [ngoA, ngoA.toUpperCase()]]) {
        const r = await create(newActivity(program.id, { ngoIds }));
        expect(r.status).toBe(400);
        expect(r.body.errors).toEqual([{ field: 'ngoIds', message: 'must not repeat an id' }]);
      }
      expect(await counts()).toEqual(before);
    });

    it('refuses malformed JSON and a body that is not an object', async () => {
      expect((await t.call('POST', '/api/v1/activities', { token: official, rawBody: '{"title":' })).status).toBe(400);
      expect((await t.call('POST', '/api/v1/activities', { token: official, body: [] })).status).toBe(400);
    });

    it('wants the version on PATCH and refuses null for required fields', async () => {
      const a = (await create(newActivity(program.id))).body;
      const before = await counts();
      const noVersion = await patch(a.id, { title: 'x' });
      expect(noVersion.status).toBe(400);
      expect(noVersion.body.errors).toContainEqual({ field: 'version', message: 'is required' });
      for (const field of ['title', 'type', 'programId', 'startDate', 'department', 'ngoIds']) {
        const r = await patch(a.id, { version: 1, [field]: null });
        expect(r.status).toBe(400);
        expect(r.body.errors).toContainEqual({ field, message: 'must not be null' });
      }
      const dup = await patch(a.id, { version: 1, ngoIds: [ngoB, ngoB] });
      expect(dup.status).toBe(400);
      expect(await counts()).toEqual(before);
    });

    it.each(['year=abc', 'year=1999', 'type=picnic', 'ngoId=abc', 'programId=1', 'search=a%00b', 'limit=0', 'page=0', 'unknown=1'])('refuses ?%s with 400', async (q) => {
      const r = await t.call('GET', `/api/v1/activities?${q}`, { token: official });
      expect(r.status).toBe(400);
    });
  });

  describe('list and filters', () => {
    let p2030: string;
    let annual2031: string;
    let ngoF: string;
    const titles = async (q: string, token = official) => {
      const r = await t.call('GET', `/api/v1/activities?${q}`, { token });
      expect(r.status).toBe(200);
      return r.body.items.map((i: { title: string }) => i.title) as string[];
    };

    beforeAll(async () => {
      p2030 = await newProgramId({ title: 'Program filtrów', startYear: 2030, endYear: 2033 });
      annual2031 = await newProgramId({ title: 'Roczny filtrów', kind: 'annual', startYear: 2031, endYear: 2031 });
      ngoF = await newNgoId();
      const add = async (body: Record<string, unknown>) => expect((await create({ department: 'Wydział Filtrów', ngoIds: [], ...body })).status).toBe(201);
      await add({ programId: p2030, type: 'training', title: 'Szkolenie B', startDate: '2030-05-01', ngoIds: [ngoF] });
      await add({ programId: p2030, type: 'training', title: 'Szkolenie A', startDate: '2030-05-01' });
      await add({ programId: p2030, type: 'premises', title: 'Użyczenie sali w Centrum Obywatelskim', startDate: '2030-01-01', endDate: '2033-12-31', department: 'Centrum Obywatelskie', ngoIds: [ngoA, ngoF] });
      await add({ programId: annual2031, type: 'promotion', title: 'Promocja 1,5% podatku', startDate: '2031-12-31' });
      await add({ programId: p2030, type: 'event', title: 'Tydzień Osób z Niepełnosprawnościami', startDate: '2032-06-01', participants: 500 });
    });

    it('orders by start date (newest first), then title', async () => {
      expect(await titles(`programId=${p2030}`)).toEqual(['Tydzień Osób z Niepełnosprawnościami', 'Szkolenie A', 'Szkolenie B', 'Użyczenie sali w Centrum Obywatelskim']);
    });

    it('filters by the start date\'s year', async () => {
      expect(await titles('year=2030')).toEqual(['Szkolenie A', 'Szkolenie B', 'Użyczenie sali w Centrum Obywatelskim']);
      expect(await titles('year=2031')).toEqual(['Promocja 1,5% podatku']);
      expect(await titles('year=2033')).toEqual([]);
    });

    it('filters by programme, NGO, type, department and title', async () => {
      expect(await titles(`programId=${annual2031}`)).toEqual(['Promocja 1,5% podatku']);
      expect(await titles(`ngoId=${ngoF}`)).toEqual(['Szkolenie B', 'Użyczenie sali w Centrum Obywatelskim']);
      expect(await titles(`ngoId=${ngoF}&type=premises`)).toEqual(['Użyczenie sali w Centrum Obywatelskim']);
      expect(await titles('type=training&year=2030')).toEqual(['Szkolenie A', 'Szkolenie B']);
      expect(await titles(`department=${encodeURIComponent('Centrum Obywatelskie')}`)).toEqual(['Użyczenie sali w Centrum Obywatelskim']);
      expect(await titles(`department=${encodeURIComponent('Wydział Filtrów')}&year=2032`)).toEqual(['Tydzień Osób z Niepełnosprawnościami']);
      expect(await titles(`search=${encodeURIComponent('centrum OBYWATELSKIM')}`)).toEqual(['Użyczenie sali w Centrum Obywatelskim']);
      expect(await titles(`search=${encodeURIComponent('1,5%')}`)).toEqual(['Promocja 1,5% podatku']);
      expect(await titles(`search=${encodeURIComponent('%')}&year=2030`)).toEqual([]);
    });

    it('pages with total, page and limit', async () => {
      const r = await t.call('GET', `/api/v1/activities?programId=${p2030}&page=2&limit=3`, { token: official });
      expect(r.body).toMatchObject({ total: 4, page: 2, limit: 3 });
      expect(r.body.items.map((i: { title: string }) => i.title)).toEqual(['Użyczenie sali w Centrum Obywatelskim']);
      expect((await t.call('GET', '/api/v1/activities?limit=1000', { token: official })).body.limit).toBe(200);
    });
  });

  describe('the ngo role', () => {
    let own: { id: string };
    let other: { id: string };
    beforeAll(async () => {
      own = (await create(newActivity(program.id, { title: 'Wspólne z własną', ngoIds: [ngoA, tokens.ngoId] }))).body;
      other = (await create(newActivity(program.id, { title: 'Cudza', ngoIds: [ngoB] }))).body;
    });

    it('lists only the activities its NGO takes part in', async () => {
      const r = await t.call('GET', '/api/v1/activities?limit=200', { token: tokens.ngo });
      expect(r.status).toBe(200);
      expect(r.body.items.length).toBeGreaterThan(0);
      expect(r.body.total).toBe(r.body.items.length);
      expect(r.body.items.every((i: { ngoIds: string[] }) => i.ngoIds.includes(tokens.ngoId))).toBe(true);
      expect(r.body.items.map((i: { id: string }) => i.id)).toContain(own.id);
      expect(r.text).not.toContain(other.id);
      const [{ n }] = await t.db.query('SELECT count(*)::int AS n FROM activity_ngos WHERE ngo_id = $1', [tokens.ngoId]);
      expect(r.body.total).toBe(n);
    });

    it('may filter by its own NGO, not by another (403)', async () => {
      expect((await t.call('GET', `/api/v1/activities?ngoId=${tokens.ngoId}`, { token: tokens.ngo })).status).toBe(200);
      expect((await t.call('GET', `/api/v1/activities?ngoId=${tokens.ngoId.toUpperCase()}`, { token: tokens.ngo })).status).toBe(200);
      const r = await t.call('GET', `/api/v1/activities?ngoId=${ngoB}`, { token: tokens.ngo });
      expect(r.status).toBe(403);
    });

    it('reads an activity of its NGO, and gets 403 for another one', async () => {
      expect((await get(own.id, tokens.ngo)).body).toMatchObject({ id: own.id, ngoIds: [ngoA, tokens.ngoId] });
      const r = await get(other.id, tokens.ngo);
      expect(r.status).toBe(403);
      expect(r.text).not.toContain('Cudza');
      expect((await get(UNKNOWN, tokens.ngo)).status).toBe(404);
    });

    it('cannot write, not even an activity of its own NGO', async () => {
      const before = await counts();
      expect((await patch(own.id, { version: 1, title: 'Mine' }, tokens.ngo)).status).toBe(403);
      expect((await create(newActivity(program.id, { ngoIds: [tokens.ngoId] }), tokens.ngo)).status).toBe(403);
      expect(await counts()).toEqual(before);
    });
  });

  describe('tenancy', () => {
    let b: Tokens;
    let ours: { id: string; title: string; version: number };
    let theirProgram: string;
    let theirNgo: string;

    beforeAll(async () => {
      const platformAdmin = await signIn(t, PLATFORM_ADMIN.email);
      const m = await t.call('POST', '/api/v1/municipalities', { token: platformAdmin, body: { name: 'Wieliczka', slug: 'wieliczka', teryt: '1219063', admin: { email: 'admin@wieliczka.test', password: ROLE_PASSWORD } } });
      expect(m.status).toBe(201);
      b = await usersOfEveryRole(t, await signIn(t, 'admin@wieliczka.test'), 'wieliczka');
      ours = (await create(newActivity(program.id, { title: 'Krakowskie konsultacje', ngoIds: [ngoA] }))).body;
      theirProgram = await newProgramId({ title: 'Wielicki program' }, b.official);
      theirNgo = b.ngoId;
    });

    it.each(['official', 'auditor', 'admin', 'ngo'] as const)('gives the other municipality\'s %s 404 for our activity', async (role) => {
      const r = await get(ours.id, b[role]);
      expect(r.status).toBe(404);
      expect(r.text).not.toContain('Krakow');
    });

    it('never lists our activities there', async () => {
      for (const q of ['limit=200', `programId=${program.id}`, `ngoId=${ngoA}`, 'search=Krakowskie']) {
        const r = await t.call('GET', `/api/v1/activities?${q}`, { token: b.admin });
        expect(r.status).toBe(200);
        expect(r.body.total).toBe(0);
      }
    });

    it('treats ids of the other municipality as unknown and writes nothing', async () => {
      const before = await counts();
      expect((await patch(ours.id, { version: 1, title: 'Hijacked' }, b.official)).status).toBe(404);
      const theirs = await create(newActivity(theirProgram), official);
      expect(theirs.status).toBe(422);
      expect(theirs.body.errors).toEqual([{ rule: 'activity.program-exists', field: 'programId', message: 'No programme with this id in this municipality' }]);
      const theirNgoInOurs = await create(newActivity(program.id, { ngoIds: [theirNgo] }), official);
      expect(theirNgoInOurs.status).toBe(422);
      expect(theirNgoInOurs.body.errors).toEqual([{ rule: 'activity.ngo-exists', field: 'ngoIds.0', message: 'No NGO with this id in this municipality' }]);
      const moved = await patch(ours.id, { version: 1, programId: theirProgram, ngoIds: [ngoA, theirNgo] });
      expect(moved.status).toBe(422);
      expect(moved.body.errors.map((e: { rule: string }) => e.rule).sort()).toEqual(['activity.ngo-exists', 'activity.program-exists']);
      const ourProgramThere = await create(newActivity(program.id, { ngoIds: [ngoA] }), b.official);
      expect(ourProgramThere.status).toBe(422);
      expect(ourProgramThere.body.errors.map((e: { rule: string }) => e.rule).sort()).toEqual(['activity.ngo-exists', 'activity.program-exists']);
      expect(await counts()).toEqual(before);
      expect((await get(ours.id)).body).toMatchObject({ title: 'Krakowskie konsultacje', version: 1, programId: program.id, ngoIds: [ngoA] });
    });

    it('writes in its own municipality as usual', async () => {
      const r = await create(newActivity(theirProgram, { ngoIds: [theirNgo] }), b.official);
      expect(r.status).toBe(201);
      expect((await get(r.body.id)).status).toBe(404);
    });
  });

  describe('permissions: each role against each route', () => {
    type Who = 'public' | 'ngo' | 'auditor' | 'official' | 'admin';
    const WHO: Who[] = ['public', 'ngo', 'auditor', 'official', 'admin'];
    const READERS: Who[] = ['ngo', 'auditor', 'official', 'admin'];
    const WRITERS: Who[] = ['official', 'admin'];
    let ownActivity: string;
    let otherActivity: string;
    const fresh = async () => (await create(newActivity(program.id))).body.id as string;

    const ROUTES: Array<{ name: string; allowed: Who[]; call: (token: string | undefined) => Promise<{ status: number }> }> = [
      { name: 'GET /activities', allowed: READERS, call: (token) => t.call('GET', '/api/v1/activities', { token }) },
      { name: 'GET /activities?ngoId={own NGO}', allowed: READERS, call: (token) => t.call('GET', `/api/v1/activities?ngoId=${tokens.ngoId}`, { token }) },
      { name: 'GET /activities?ngoId={another NGO}', allowed: ['auditor', 'official', 'admin'], call: (token) => t.call('GET', `/api/v1/activities?ngoId=${ngoB}`, { token }) },
      { name: 'GET /activities/{own NGO\'s}', allowed: READERS, call: (token) => t.call('GET', `/api/v1/activities/${ownActivity}`, { token }) },
      { name: 'GET /activities/{another NGO\'s}', allowed: ['auditor', 'official', 'admin'], call: (token) => t.call('GET', `/api/v1/activities/${otherActivity}`, { token }) },
      { name: 'POST /activities', allowed: WRITERS, call: (token) => t.call('POST', '/api/v1/activities', { token, body: newActivity(program.id) }) },
      { name: 'PATCH /activities/{id}', allowed: WRITERS, call: async (token) => t.call('PATCH', `/api/v1/activities/${await fresh()}`, { token, body: { version: 1, title: 'Renamed' } }) },
      {
        name: 'PATCH /activities/{own NGO\'s}',
        allowed: WRITERS,
        call: async (token) => t.call('PATCH', `/api/v1/activities/${(await create(newActivity(program.id, { ngoIds: [tokens.ngoId] }))).body.id}`, { token, body: { version: 1, title: 'Renamed' } }),
      },
    ];

    beforeAll(async () => {
      ownActivity = (await create(newActivity(program.id, { ngoIds: [tokens.ngoId] }))).body.id;
      otherActivity = (await create(newActivity(program.id, { ngoIds: [ngoB] }))).body.id;
    });

    it.each(ROUTES.flatMap((route) => WHO.map((who) => [route.name, who, route] as const)))('%s as %s', async (_name, who, route) => {
      const token = who === 'public' ? undefined : tokens[who];
      const r = await route.call(token);
      if (route.allowed.includes(who)) {
        expect(r.status).toBeGreaterThanOrEqual(200);
        expect(r.status).toBeLessThan(300);
      } else {
        expect(r.status).toBe(who === 'public' ? 401 : 403);
      }
    });

    it('changes nothing on a refused write', async () => {
      const before = await counts();
      for (const token of [undefined, tokens.ngo, tokens.auditor, 'not-a-token']) {
        await t.call('POST', '/api/v1/activities', { token, body: newActivity(program.id) });
        await t.call('PATCH', `/api/v1/activities/${ownActivity}`, { token, body: { version: 1, title: 'Nope' } });
      }
      expect(await counts()).toEqual(before);
      expect((await get(ownActivity)).body).toMatchObject({ version: 1 });
    });
  });
});
