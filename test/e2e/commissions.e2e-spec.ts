import { newCommission, newMember, newNgo, usersOfEveryRole, type Tokens } from '../utils/factories';
import { createTestApp, PLATFORM_ADMIN, type Answer, type TestApp } from '../utils/test-app';
import { createMunicipality, signIn } from '../utils/users';

const UNKNOWN = '00000000-0000-4000-8000-000000000000';
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const FIXED_TERM = { termStart: '2019-01-01', termEnd: '2022-12-31' };

/** Real: HTTP, PostgreSQL. Dialogue commissions, their members and meetings, and an NGO's memberships. */
describe('dialogue commissions', () => {
  let t: TestApp;
  let a: Tokens; // Kraków
  let b: Tokens; // Wieliczka
  let official: string;
  let today: string;

  beforeAll(async () => {
    t = await createTestApp();
    const platformAdmin = await signIn(t, PLATFORM_ADMIN.email);
    a = await usersOfEveryRole(t, platformAdmin, 'kdo');
    const wieliczka = await createMunicipality(t, platformAdmin, { name: 'Wieliczka', slug: 'wieliczka', teryt: '1219063', adminEmail: 'admin@wieliczka.test' });
    b = await usersOfEveryRole(t, wieliczka.admin, 'kdo-wieliczka');
    official = a.official;
    [{ today }] = await t.db.query(`SELECT to_char((now() AT TIME ZONE 'Europe/Warsaw')::date, 'YYYY-MM-DD') AS today`);
  });
  afterAll(() => t.close());

  const createCommission = (body: Record<string, unknown> = newCommission(), token = official) => t.call('POST', '/api/v1/commissions', { token, body });
  const commission = async (overrides: Record<string, unknown> = {}) => {
    const r = await createCommission(newCommission(overrides));
    if (r.status !== 201) throw new Error(`could not create the commission: ${r.text}`);
    return r.body as { id: string; termStart: string; termEnd: string; version: number; name: string };
  };
  const ngo = async (overrides: Record<string, unknown> = {}, token = official) => {
    const r = await t.call('POST', '/api/v1/ngos', { token, body: newNgo(overrides) });
    if (r.status !== 201) throw new Error(`could not create the NGO: ${r.text}`);
    return r.body as { id: string; name: string; krs: string };
  };
  const addMember = (commissionId: string, body: Record<string, unknown>, token = official, headers?: Record<string, string>) =>
    t.call('POST', `/api/v1/commissions/${commissionId}/members`, { token, body, headers });
  const member = async (commissionId: string, body: Record<string, unknown>) => {
    const r = await addMember(commissionId, body);
    if (r.status !== 201) throw new Error(`could not add the member: ${r.text}`);
    return r.body as { id: string; version: number; from: string; to: string | null };
  };
  const members = async (commissionId: string, query = '', token = official) => t.call('GET', `/api/v1/commissions/${commissionId}/members${query}`, { token });
  const memberIds = async (commissionId: string, query = '') => ((await members(commissionId, query)).body.items as Array<{ id: string }>).map((m) => m.id);
  const endMember = (commissionId: string, memberId: string, query = '', token = official) => t.call('DELETE', `/api/v1/commissions/${commissionId}/members/${memberId}${query}`, { token });
  const patchMember = (commissionId: string, memberId: string, body: Record<string, unknown>) =>
    t.call('PATCH', `/api/v1/commissions/${commissionId}/members/${memberId}`, { token: official, body });
  const addMeeting = (commissionId: string, body: Record<string, unknown>, token = official) => t.call('POST', `/api/v1/commissions/${commissionId}/meetings`, { token, body });

  /** Row counts and a digest of every row of the commission tables, and the audit trail's length: what a refused write must leave alone. */
  const state = async () =>
    (
      await t.db.query(`SELECT
        (SELECT count(*) FROM commissions)::int AS commissions,
        (SELECT count(*) FROM commission_members)::int AS members,
        (SELECT count(*) FROM commission_meetings)::int AS meetings,
        (SELECT count(*) FROM meeting_ngos)::int AS present,
        (SELECT count(*) FROM audit_entries)::int AS audit,
        (SELECT md5(coalesce(string_agg(c::text, ',' ORDER BY c.id), '')) FROM commissions c) AS commissions_digest,
        (SELECT md5(coalesce(string_agg(m::text, ',' ORDER BY m.id), '')) FROM commission_members m) AS members_digest`)
    )[0] as Record<string, number | string>;

  const auditOf = async (entity: string, id: string) =>
    (await t.db.query(`SELECT action, actor_email, before, after FROM audit_entries WHERE entity = $1 AND entity_id = $2 ORDER BY seq`, [entity, id])) as Array<{
      action: string;
      actor_email: string;
      before: any;
      after: any;
    }>;

  function expectRule(r: Answer, rule: string, field: string) {
    expect(r.status).toBe(422);
    expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(r.body).toMatchObject({ title: 'Domain rule broken', status: 422 });
    expect(r.body.errors).toContainEqual({ rule, field, message: expect.any(String) });
  }

  describe('commissions', () => {
    it('creates a commission, answers every field, and audits it', async () => {
      const r = await createCommission({
        name: ' Komisja Dialogu Obywatelskiego ds. Kultury ',
        sphere: '16',
        department: 'Wydział Kultury i Dziedzictwa Narodowego',
        ...FIXED_TERM,
      });
      expect(r.status).toBe(201);
      expect(r.body).toEqual({
        id: expect.any(String),
        name: 'Komisja Dialogu Obywatelskiego ds. Kultury',
        sphere: '16',
        department: 'Wydział Kultury i Dziedzictwa Narodowego',
        termStart: '2019-01-01',
        termEnd: '2022-12-31',
        version: 1,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect((await t.call('GET', `/api/v1/commissions/${r.body.id}`, { token: official })).body).toEqual(r.body);
      expect(await auditOf('commission', r.body.id)).toEqual([{ action: 'create', actor_email: 'official.kdo@test.example', before: null, after: r.body }]);
    });

    it('needs no sphere, and a one-day term is a term', async () => {
      const r = await createCommission(newCommission({ termStart: '2020-05-05', termEnd: '2020-05-05' }));
      expect(r.status).toBe(201);
      expect(r.body.sphere).toBeNull();
    });

    it.each([
      ['name', { name: '' }],
      ['name', { name: 'x'.repeat(301) }],
      ['department', { department: undefined }],
      ['termStart', { termStart: '2019-02-30' }],
      ['termEnd', { termEnd: '31.12.2022' }],
      ['sphere', { sphere: 'x!' }],
      ['sphere', { sphere: '99' }],
      ['version', { version: 1 }],
    ])('refuses a bad %s with 400 and writes nothing', async (field, override) => {
      const before = await state();
      const r = await createCommission(newCommission(override));
      expect(r.status).toBe(400);
      expect(r.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(await state()).toEqual(before);
    });

    it('commission.term-order: refuses a term that ends before it starts, and writes nothing', async () => {
      const before = await state();
      expectRule(await createCommission(newCommission({ termStart: '2022-01-01', termEnd: '2021-12-31' })), 'commission.term-order', 'termEnd');
      expect(await state()).toEqual(before);
    });

    it('updates with the version read, 409 when stale, and audits before and after', async () => {
      const c = await commission();
      const ok = await t.call('PATCH', `/api/v1/commissions/${c.id}`, { token: official, body: { version: 1, name: 'KDO ds. Seniorów', sphere: '10' } });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ name: 'KDO ds. Seniorów', sphere: '10', version: 2, termStart: c.termStart });
      const cleared = await t.call('PATCH', `/api/v1/commissions/${c.id}`, { token: official, body: { version: 2, sphere: null } });
      expect(cleared.body).toMatchObject({ sphere: null, version: 3 });
      const before = await state();
      const stale = await t.call('PATCH', `/api/v1/commissions/${c.id}`, { token: official, body: { version: 1, name: 'Stale' } });
      expect(stale.status).toBe(409);
      expect(await state()).toEqual(before);
      const trail = await auditOf('commission', c.id);
      expect(trail.map((e) => e.action)).toEqual(['create', 'update', 'update']);
      expect(trail[1]).toMatchObject({ before: c, after: ok.body });
    });

    it('commission.term-order on update, against the merged record', async () => {
      const c = await commission(FIXED_TERM);
      const before = await state();
      expectRule(await t.call('PATCH', `/api/v1/commissions/${c.id}`, { token: official, body: { version: 1, termStart: '2023-01-01' } }), 'commission.term-order', 'termEnd');
      expect(await state()).toEqual(before);
    });

    it('keeps every membership and meeting inside a shrunk term', async () => {
      const c = await commission(FIXED_TERM);
      const n = await ngo();
      await member(c.id, newMember(n.id, { from: '2019-01-01', to: '2022-12-31' }));
      const patch = (body: Record<string, unknown>) => t.call('PATCH', `/api/v1/commissions/${c.id}`, { token: official, body: { version: 1, ...body } });
      let before = await state();
      expectRule(await patch({ termStart: '2019-01-02' }), 'commission.members-inside', 'termStart');
      expectRule(await patch({ termEnd: '2022-12-30' }), 'commission.members-inside', 'termEnd');
      expect(await state()).toEqual(before);

      const m = await t.call('GET', `/api/v1/commissions/${c.id}/members`, { token: official });
      await patchMember(c.id, m.body.items[0].id, { version: 1, from: '2020-01-01', to: null });
      expect((await addMeeting(c.id, { date: '2019-06-01', title: 'Posiedzenie inauguracyjne' })).status).toBe(201);
      expect((await addMeeting(c.id, { date: '2022-12-31', title: 'Posiedzenie zamykające' })).status).toBe(201);
      before = await state();
      expectRule(await patch({ termStart: '2019-07-01' }), 'commission.meetings-inside', 'termStart');
      expectRule(await patch({ termEnd: '2022-12-30' }), 'commission.meetings-inside', 'termEnd');
      expect(await state()).toEqual(before);
      // an open-ended membership does not stand in the way of an earlier term end
      const ok = await patch({ termStart: '2019-06-01', termEnd: '2022-12-31', name: 'Węższa kadencja' });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ termStart: '2019-06-01', version: 2 });
    });

    it('answers 404 for an unknown or malformed id, and has no DELETE', async () => {
      expect((await t.call('GET', `/api/v1/commissions/${UNKNOWN}`, { token: official })).status).toBe(404);
      expect((await t.call('PATCH', `/api/v1/commissions/${UNKNOWN}`, { token: official, body: { version: 1 } })).status).toBe(404);
      const bad = await t.call('GET', '/api/v1/commissions/123', { token: official });
      expect(bad.status).toBe(400);
      expect(bad.body.errors).toEqual([{ field: 'id', message: 'must be a UUID' }]);
      const c = await commission();
      expect((await t.call('DELETE', `/api/v1/commissions/${c.id}`, { token: official })).status).toBe(404);
      expect((await t.call('GET', `/api/v1/commissions/${c.id}`, { token: official })).status).toBe(200);
    });

    describe('list and filters', () => {
      beforeAll(async () => {
        await commission({ name: 'KDO Filtrów ds. Sportu', sphere: '17', department: 'Wydział Sportu', termStart: '2015-01-01', termEnd: '2018-12-31' });
        await commission({ name: 'KDO Filtrów ds. Ekologii', sphere: '18', department: 'Wydział Kształtowania Środowiska', termStart: '2019-01-01', termEnd: '2022-12-31' });
        await commission({ name: 'KDO Filtrów ds. Turystyki', sphere: '19', department: 'Wydział Sportu', termStart: '2018-06-01', termEnd: '2019-05-31' });
      });
      const names = async (q: string) => {
        const r = await t.call('GET', `/api/v1/commissions?${q.includes('search=') ? q : `search=Filtrów&${q}`}`, { token: official });
        expect(r.status).toBe(200);
        return (r.body.items as Array<{ name: string }>).map((i) => i.name);
      };

      it('filters by a day inside the term (both ends included), newest term first', async () => {
        expect(await names('on=2019-01-01')).toEqual(['KDO Filtrów ds. Ekologii', 'KDO Filtrów ds. Turystyki']);
        expect(await names('on=2018-12-31')).toEqual(['KDO Filtrów ds. Turystyki', 'KDO Filtrów ds. Sportu']);
        expect(await names('on=2019-05-31')).toEqual(['KDO Filtrów ds. Ekologii', 'KDO Filtrów ds. Turystyki']);
        expect(await names('on=2019-06-01')).toEqual(['KDO Filtrów ds. Ekologii']);
        expect(await names('on=2014-12-31')).toEqual([]);
      });

      it('filters by name, sphere and department', async () => {
        expect(await names('search=filtrów ds. ekol')).toEqual(['KDO Filtrów ds. Ekologii']);
        expect(await names('sphere=17')).toEqual(['KDO Filtrów ds. Sportu']);
        expect(await names('department=wydział sportu')).toEqual(['KDO Filtrów ds. Turystyki', 'KDO Filtrów ds. Sportu']);
        expect((await t.call('GET', '/api/v1/commissions?search=%25', { token: official })).body.total).toBe(0);
      });

      it('pages with total, page and limit', async () => {
        const r = await t.call('GET', '/api/v1/commissions?search=Filtrów&page=2&limit=2', { token: official });
        expect(r.body).toMatchObject({ total: 3, page: 2, limit: 2 });
        expect(r.body.items).toHaveLength(1);
      });

      it.each(['on=2019-13-01', 'sphere=x!', 'limit=0', 'unknown=1'])('refuses ?%s with 400', async (q) => {
        expect((await t.call('GET', `/api/v1/commissions?${q}`, { token: official })).status).toBe(400);
      });
    });
  });

  describe('members', () => {
    it('adds a member and answers it with its NGO, active today, and audits it', async () => {
      const c = await commission();
      const n = await ngo({ name: 'Fundacja Członkowska' });
      const r = await addMember(c.id, newMember(n.id, { representative: ' Jan Kowalski ', role: 'chair' }));
      expect(r.status).toBe(201);
      expect(r.body).toEqual({
        id: expect.any(String),
        commissionId: c.id,
        ngoId: n.id,
        ngo: { id: n.id, name: 'Fundacja Członkowska', krs: n.krs },
        representative: 'Jan Kowalski',
        role: 'chair',
        from: c.termStart,
        to: null,
        active: true,
        version: 1,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect((await members(c.id)).body).toEqual({ items: [r.body], total: 1, page: 1, limit: 50 });
      expect(await auditOf('member', r.body.id)).toEqual([{ action: 'create', actor_email: 'official.kdo@test.example', before: null, after: r.body }]);
    });

    it('answers active: false before the first and after the last day', async () => {
      const c = await commission();
      const past = await member(c.id, newMember((await ngo()).id, { from: c.termStart, to: addDays(today, -1) }));
      const future = await member(c.id, newMember((await ngo()).id, { from: addDays(today, 1) }));
      const lastDay = await member(c.id, newMember((await ngo()).id, { from: c.termStart, to: today }));
      const firstDay = await member(c.id, newMember((await ngo()).id, { from: today }));
      const active = Object.fromEntries(((await members(c.id)).body.items as Array<{ id: string; active: boolean }>).map((m) => [m.id, m.active]));
      expect(active).toEqual({ [past.id]: false, [future.id]: false, [lastDay.id]: true, [firstDay.id]: true });
    });

    it('lists every membership, or with ?on= those active that day (first and last day included)', async () => {
      const c = await commission(FIXED_TERM);
      const n = await ngo();
      const early = await member(c.id, newMember(n.id, { from: '2019-03-01', to: '2019-05-31' }));
      const later = await member(c.id, newMember(n.id, { from: '2020-01-01' }));
      const other = await member(c.id, newMember((await ngo()).id, { from: '2019-05-31', to: '2019-06-30', role: 'secretary' }));
      expect((await memberIds(c.id)).sort()).toEqual([early.id, later.id, other.id].sort());
      expect(await memberIds(c.id, '?on=2019-02-28')).toEqual([]);
      expect(await memberIds(c.id, '?on=2019-03-01')).toEqual([early.id]);
      expect(await memberIds(c.id, '?on=2019-04-15')).toEqual([early.id]);
      // the secretary first: members come in the order of their roles
      expect(await memberIds(c.id, '?on=2019-05-31')).toEqual([other.id, early.id]);
      expect(await memberIds(c.id, '?on=2019-06-01')).toEqual([other.id]);
      expect(await memberIds(c.id, '?on=2019-12-31')).toEqual([]);
      expect(await memberIds(c.id, '?on=2020-01-01')).toEqual([later.id]);
      expect(await memberIds(c.id, '?on=2022-12-31')).toEqual([later.id]);
      // an open-ended membership ends with the commission's term
      expect(await memberIds(c.id, '?on=2030-01-01')).toEqual([]);
      expect((await members(c.id, '?on=2019-02-30')).status).toBe(400);
      expect((await members(UNKNOWN)).status).toBe(404);
    });

    it('changes representative, role and dates with the version read; 409 when stale', async () => {
      const c = await commission(FIXED_TERM);
      const m = await member(c.id, newMember((await ngo()).id, { from: '2019-01-01' }));
      const r = await patchMember(c.id, m.id, { version: 1, representative: 'Ewa Zielińska', role: 'vice-chair', from: '2019-02-01', to: '2020-12-31' });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ representative: 'Ewa Zielińska', role: 'vice-chair', from: '2019-02-01', to: '2020-12-31', active: false, version: 2 });
      const opened = await patchMember(c.id, m.id, { version: 2, to: null });
      expect(opened.body).toMatchObject({ to: null, version: 3 });
      const elsewhere = await commission();
      const before = await state();
      expect((await patchMember(c.id, m.id, { version: 2, role: 'chair' })).status).toBe(409);
      expect((await patchMember(c.id, m.id, { version: 3, ngoId: UNKNOWN })).status).toBe(400);
      expect((await patchMember(c.id, UNKNOWN, { version: 1, role: 'chair' })).status).toBe(404);
      // a member of another commission is not a member of this one
      expect((await patchMember(elsewhere.id, m.id, { version: 3, role: 'chair' })).status).toBe(404);
      expect(await state()).toEqual(before);
      const trail = await auditOf('member', m.id);
      expect(trail.map((e) => e.action)).toEqual(['create', 'update', 'update']);
      expect(trail[1]).toMatchObject({ before: { representative: 'Anna Nowak', role: 'member', version: 1 }, after: r.body });
    });

    it.each([
      ['ngoId', { ngoId: 'abc' }],
      ['representative', { representative: '' }],
      ['role', { role: 'boss' }],
      ['from', { from: '2019-02-30' }],
      ['to', { to: 20191231 }],
      ['active', { active: true }],
    ])('refuses a bad %s with 400 and writes nothing', async (field, override) => {
      const c = await commission();
      const n = await ngo();
      const before = await state();
      const r = await addMember(c.id, newMember(n.id, override));
      expect(r.status).toBe(400);
      expect(r.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(await state()).toEqual(before);
    });

    describe('rules (422 naming the rule and the field; nothing written)', () => {
      let c: { id: string };
      let n: { id: string };
      let archived: { id: string };
      let foreign: { id: string };
      beforeAll(async () => {
        c = await commission(FIXED_TERM);
        n = await ngo();
        archived = await ngo();
        await t.call('DELETE', `/api/v1/ngos/${archived.id}`, { token: official });
        foreign = await ngo({}, b.official);
      });

      it.each([
        ['member.ngo-exists', 'ngoId', () => newMember(UNKNOWN, { from: '2019-01-01' })],
        ['member.ngo-exists', 'ngoId', () => newMember(foreign.id, { from: '2019-01-01' })],
        ['member.ngo-archived', 'ngoId', () => newMember(archived.id, { from: '2019-01-01' })],
        ['member.dates-order', 'to', () => newMember(n.id, { from: '2020-01-02', to: '2020-01-01' })],
        ['member.inside-term', 'from', () => newMember(n.id, { from: '2018-12-31' })],
        ['member.inside-term', 'from', () => newMember(n.id, { from: '2023-01-01' })],
        ['member.inside-term', 'to', () => newMember(n.id, { from: '2022-01-01', to: '2023-01-01' })],
      ])('%s (%s) on add', async (rule, field, body) => {
        const before = await state();
        expectRule(await addMember(c.id, body()), rule, field);
        expect(await state()).toEqual(before);
      });

      it.each([
        ['member.dates-order', 'to', { to: '2019-12-31' }],
        ['member.dates-order', 'to', { from: '2021-01-01', to: '2020-12-31' }],
        ['member.inside-term', 'from', { from: '2018-06-01' }],
        ['member.inside-term', 'to', { to: '2023-06-30' }],
      ])('%s (%s) on update, against the merged record', async (rule, field, change) => {
        const m = await member(c.id, newMember((await ngo()).id, { from: '2020-01-01', to: '2020-12-31' }));
        const before = await state();
        expectRule(await patchMember(c.id, m.id, { version: 1, ...change }), rule, field);
        expect(await state()).toEqual(before);
      });

      it('lets an archived NGO keep the membership it has', async () => {
        const keeper = await ngo();
        const m = await member(c.id, newMember(keeper.id, { from: '2019-01-01' }));
        await t.call('DELETE', `/api/v1/ngos/${keeper.id}`, { token: official });
        expect((await patchMember(c.id, m.id, { version: 1, representative: 'Nowa osoba' })).status).toBe(200);
        expect((await endMember(c.id, m.id, '?on=2021-06-30')).status).toBe(200);
      });
    });

    describe('overlap: one NGO holds at most one membership of a commission at any moment (409)', () => {
      let c: { id: string };
      beforeAll(async () => {
        c = await commission(FIXED_TERM);
      });

      it('counts a membership ending on day D and another starting on D as overlapping; D+1 is fine', async () => {
        const n = await ngo();
        await member(c.id, newMember(n.id, { from: '2019-01-01', to: '2019-06-30' }));
        const before = await state();
        const touching = await addMember(c.id, newMember(n.id, { from: '2019-06-30', to: '2019-12-31' }));
        expect(touching.status).toBe(409);
        expect(touching.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(touching.body.errors).toEqual([{ field: 'from', message: expect.any(String) }]);
        const around = await addMember(c.id, newMember(n.id, { from: '2019-02-01', to: '2019-03-01' }));
        expect(around.status).toBe(409);
        expect(await state()).toEqual(before);
        expect((await addMember(c.id, newMember(n.id, { from: '2019-07-01', to: '2019-12-31' }))).status).toBe(201);
        // another NGO on the same days is another membership
        expect((await addMember(c.id, newMember((await ngo()).id, { from: '2019-06-30', to: '2019-12-31' }))).status).toBe(201);
      });

      it('lets an open-ended membership overlap everything after its start', async () => {
        const n = await ngo();
        await member(c.id, newMember(n.id, { from: '2020-01-01' }));
        const before = await state();
        expect((await addMember(c.id, newMember(n.id, { from: '2022-12-31' }))).status).toBe(409);
        expect((await addMember(c.id, newMember(n.id, { from: '2019-01-01' }))).status).toBe(409);
        expect(await state()).toEqual(before);
        expect((await addMember(c.id, newMember(n.id, { from: '2019-01-01', to: '2019-12-31' }))).status).toBe(201);
      });

      it('refuses an update that makes two memberships overlap', async () => {
        const n = await ngo();
        await member(c.id, newMember(n.id, { from: '2019-01-01', to: '2019-12-31' }));
        const second = await member(c.id, newMember(n.id, { from: '2020-01-01', to: '2020-12-31' }));
        const before = await state();
        const r = await patchMember(c.id, second.id, { version: 1, from: '2019-12-31' });
        expect(r.status).toBe(409);
        expect(r.body.errors).toEqual([{ field: 'from', message: expect.any(String) }]);
        expect(await state()).toEqual(before);
      });

      it('refuses the overlap inside an Idempotency-Key transaction too, and replays a successful add', async () => {
        const n = await ngo();
        const headers = { 'idempotency-key': `kdo-member-${n.id}` };
        const first = await addMember(c.id, newMember(n.id, { from: '2021-01-01' }), official, headers);
        const again = await addMember(c.id, newMember(n.id, { from: '2021-01-01' }), official, headers);
        expect(first.status).toBe(201);
        expect(again.status).toBe(201);
        expect(again.body).toEqual(first.body);
        const before = await state();
        const clash = await addMember(c.id, newMember(n.id, { from: '2022-01-01' }), official, { 'idempotency-key': `kdo-clash-${n.id}` });
        expect(clash.status).toBe(409);
        expect(await state()).toEqual(before);
      });

      it('of 10 concurrent overlapping adds of one NGO, exactly one is written', async () => {
        const n = await ngo();
        const before = await state();
        const answers = await Promise.all(
          Array.from({ length: 10 }, (_, i) => addMember(c.id, newMember(n.id, { from: `2019-0${(i % 9) + 1}-01`, representative: `Osoba ${i}` }))),
        );
        expect(answers.map((r) => r.status).sort()).toEqual([201, ...Array(9).fill(409)]);
        for (const r of answers.filter((x) => x.status === 409)) expect(r.body.errors).toEqual([{ field: 'from', message: expect.any(String) }]);
        const [{ n: rows }] = await t.db.query('SELECT count(*)::int AS n FROM commission_members WHERE commission_id = $1 AND ngo_id = $2', [c.id, n.id]);
        expect(rows).toBe(1);
        expect(await state()).toMatchObject({ members: (before.members as number) + 1, audit: (before.audit as number) + 1 });
      });
    });

    describe('ending (DELETE)', () => {
      it('ends today by default: today becomes the last day, the row stays, the trail records "end"', async () => {
        const c = await commission();
        const m = await member(c.id, newMember((await ngo()).id));
        const r = await endMember(c.id, m.id);
        expect(r.status).toBe(200);
        // today is the last day of membership, so the NGO is still a member today
        expect(r.body).toMatchObject({ id: m.id, from: m.from, to: today, active: true, version: 2 });
        expect(await memberIds(c.id)).toEqual([m.id]);
        expect(await memberIds(c.id, `?on=${today}`)).toEqual([m.id]);
        expect(await memberIds(c.id, `?on=${addDays(today, 1)}`)).toEqual([]);
        const trail = await auditOf('member', m.id);
        expect(trail.map((e) => e.action)).toEqual(['create', 'end']);
        expect(trail[1].before).toMatchObject({ id: m.id, to: null, version: 1 });
        expect(trail[1].after).toEqual(r.body);
        const [row] = await t.db.query(`SELECT to_date FROM commission_members WHERE id = $1`, [m.id]);
        expect(row.to_date).toBe(today);
      });

      it('an open-ended membership lasts until the term ends: not active after it, and ending it then closes it on the last day of the term', async () => {
        const c = await commission(FIXED_TERM);
        const m = await member(c.id, newMember((await ngo()).id, { from: '2020-01-01' }));
        expect(m).toMatchObject({ to: null, active: false });
        expect(await memberIds(c.id, `?on=${FIXED_TERM.termEnd}`)).toEqual([m.id]);
        expect(await memberIds(c.id, `?on=${addDays(FIXED_TERM.termEnd, 1)}`)).toEqual([]);
        const r = await endMember(c.id, m.id);
        expect(r.status).toBe(200);
        expect(r.body).toMatchObject({ to: FIXED_TERM.termEnd, active: false, version: 2 });
      });

      it('ends at ?on=, shortens an end that lies later, and leaves an equal end alone', async () => {
        const c = await commission(FIXED_TERM);
        const m = await member(c.id, newMember((await ngo()).id, { from: '2019-01-01', to: '2021-12-31' }));
        const r = await endMember(c.id, m.id, '?on=2020-06-30');
        expect(r.status).toBe(200);
        expect(r.body).toMatchObject({ to: '2020-06-30', active: false, version: 2 });
        const before = await state();
        const same = await endMember(c.id, m.id, '?on=2020-06-30');
        expect(same.status).toBe(200);
        expect(same.body).toMatchObject({ to: '2020-06-30', version: 2 });
        expect(await state()).toEqual(before);
        const oneDay = await member(c.id, newMember((await ngo()).id, { from: '2020-03-01' }));
        expect((await endMember(c.id, oneDay.id, '?on=2020-03-01')).body).toMatchObject({ from: '2020-03-01', to: '2020-03-01' });
      });

      it.each([
        ['member.end-before-start', 'to', { from: '2020-03-01' }, '?on=2020-02-29'],
        ['member.already-ended', 'to', { from: '2020-03-01', to: '2020-06-30' }, '?on=2020-07-01'],
        ['member.inside-term', 'to', { from: '2020-03-01' }, '?on=2023-01-01'],
      ])('%s (%s)', async (rule, field, dates, query) => {
        const c = await commission(FIXED_TERM);
        const m = await member(c.id, newMember((await ngo()).id, dates));
        const before = await state();
        expectRule(await endMember(c.id, m.id, query), rule, field);
        expect(await state()).toEqual(before);
      });

      it('answers 400 for a bad day and 404 for an unknown member', async () => {
        const c = await commission();
        const m = await member(c.id, newMember((await ngo()).id));
        expect((await endMember(c.id, m.id, '?on=tomorrow')).status).toBe(400);
        expect((await endMember(c.id, UNKNOWN)).status).toBe(404);
        expect((await endMember(UNKNOWN, m.id)).status).toBe(404);
      });
    });
  });

  describe('meetings', () => {
    let c: { id: string };
    let n1: { id: string; name: string };
    let n2: { id: string; name: string };
    beforeAll(async () => {
      c = await commission(FIXED_TERM);
      n1 = await ngo({ name: 'A Stowarzyszenie Obecne' });
      n2 = await ngo({ name: 'B Fundacja Obecna' });
    });

    it('records a meeting with the NGOs present, and audits it', async () => {
      const r = await addMeeting(c.id, { date: '2020-03-12', title: 'Opinia o projekcie programu współpracy', ngoIdsPresent: [n2.id, n1.id] });
      expect(r.status).toBe(201);
      expect(r.body).toEqual({
        id: expect.any(String),
        commissionId: c.id,
        date: '2020-03-12',
        title: 'Opinia o projekcie programu współpracy',
        ngoIdsPresent: [n1.id, n2.id],
        version: 1,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect(await auditOf('meeting', r.body.id)).toEqual([{ action: 'create', actor_email: 'official.kdo@test.example', before: null, after: r.body }]);
      const bare = await addMeeting(c.id, { date: '2021-01-15', title: 'Posiedzenie' });
      expect(bare.body.ngoIdsPresent).toEqual([]);
    });

    it('lists meetings newest first, by year', async () => {
      await addMeeting(c.id, { date: '2019-01-01', title: 'Pierwsze' });
      await addMeeting(c.id, { date: '2019-12-31', title: 'Ostatnie w roku' });
      const dates = async (q = '') => ((await t.call('GET', `/api/v1/commissions/${c.id}/meetings${q}`, { token: official })).body.items as Array<{ date: string }>).map((m) => m.date);
      expect(await dates()).toEqual(['2021-01-15', '2020-03-12', '2019-12-31', '2019-01-01']);
      expect(await dates('?year=2019')).toEqual(['2019-12-31', '2019-01-01']);
      expect(await dates('?year=2018')).toEqual([]);
      expect((await t.call('GET', `/api/v1/commissions/${c.id}/meetings?year=twenty`, { token: official })).status).toBe(400);
      expect((await t.call('GET', `/api/v1/commissions/${UNKNOWN}/meetings`, { token: official })).status).toBe(404);
    });

    it.each([
      ['meeting.date-in-term', 'date', () => ({ date: '2018-12-31', title: 'Za wcześnie' })],
      ['meeting.date-in-term', 'date', () => ({ date: '2023-01-01', title: 'Za późno' })],
      ['meeting.ngo-exists', 'ngoIdsPresent.1', () => ({ date: '2020-01-01', title: 'Nieznana', ngoIdsPresent: [n1.id, UNKNOWN] })],
    ])('%s (%s)', async (rule, field, body) => {
      const before = await state();
      expectRule(await addMeeting(c.id, body()), rule, field);
      expect(await state()).toEqual(before);
    });

    it.each([
      ['ngoIdsPresent', () => ({ date: '2020-01-01', title: 'Dwa razy', ngoIdsPresent: [n1.id, n1.id] })],
      ['ngoIdsPresent', () => ({ date: '2020-01-01', title: 'Dwa razy', ngoIdsPresent: [n1.id, n1.id.toUpperCase()] })],
      ['ngoIdsPresent', () => ({ date: '2020-01-01', title: 'Nie lista', ngoIdsPresent: n1.id })],
      ['ngoIdsPresent', () => ({ date: '2020-01-01', title: 'Nie UUID', ngoIdsPresent: ['abc'] })],
      ['date', () => ({ date: '2020-02-30', title: 'Zła data' })],
      ['title', () => ({ date: '2020-01-01', title: '' })],
    ])('refuses a bad %s with 400 and writes nothing', async (field, body) => {
      const before = await state();
      const r = await addMeeting(c.id, body());
      expect(r.status).toBe(400);
      expect(r.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(await state()).toEqual(before);
    });
  });

  describe("an NGO's memberships", () => {
    let n: { id: string };
    let c1: { id: string; name: string };
    let c2: { id: string; name: string };
    let past: { id: string };
    let current: { id: string };
    let other: { id: string };
    beforeAll(async () => {
      n = { id: a.ngoId };
      c1 = await commission({ name: 'KDO ds. Członkostw 1' });
      c2 = await commission({ name: 'KDO ds. Członkostw 2' });
      past = await member(c1.id, newMember(n.id, { to: addDays(today, -1), role: 'secretary', representative: 'Piotr Wiśniewski' }));
      current = await member(c2.id, newMember(n.id, { from: addDays(today, -1), role: 'chair' }));
      other = await ngo();
      await member(c1.id, newMember(other.id));
    });

    it('lists every membership of the NGO, newest start first, with active', async () => {
      const r = await t.call('GET', `/api/v1/ngos/${n.id}/memberships`, { token: official });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({
        items: [
          { id: current.id, commission: { id: c2.id, name: c2.name }, representative: 'Anna Nowak', role: 'chair', from: addDays(today, -1), to: null, active: true },
          { id: past.id, commission: { id: c1.id, name: c1.name }, representative: 'Piotr Wiśniewski', role: 'secretary', from: newMember(n.id).from, to: addDays(today, -1), active: false },
        ],
        total: 2,
        page: 1,
        limit: 50,
      });
      expect((await t.call('GET', `/api/v1/ngos/${n.id}/memberships?limit=1&page=2`, { token: official })).body.items.map((i: { id: string }) => i.id)).toEqual([past.id]);
    });

    it('answers the same at /me/memberships for the NGO signed in', async () => {
      const mine = await t.call('GET', '/api/v1/me/memberships', { token: a.ngo });
      expect(mine.status).toBe(200);
      expect(mine.body).toEqual((await t.call('GET', `/api/v1/ngos/${n.id}/memberships`, { token: a.ngo })).body);
    });

    it('refuses /me/memberships to an account with no NGO, with a clear message', async () => {
      const r = await t.call('GET', '/api/v1/me/memberships', { token: official });
      expect(r.status).toBe(403);
      expect(r.body.detail).toMatch(/NGO account/);
    });

    it("gives an ngo account 403 for another NGO's memberships, 404 for an unknown or foreign NGO", async () => {
      expect((await t.call('GET', `/api/v1/ngos/${other.id}/memberships`, { token: a.ngo })).status).toBe(403);
      expect((await t.call('GET', `/api/v1/ngos/${UNKNOWN}/memberships`, { token: a.ngo })).status).toBe(404);
      expect((await t.call('GET', `/api/v1/ngos/${b.ngoId}/memberships`, { token: a.ngo })).status).toBe(404);
      expect((await t.call('GET', `/api/v1/ngos/${b.ngoId}/memberships`, { token: official })).status).toBe(404);
      expect((await t.call('GET', `/api/v1/ngos/${other.id}/memberships`, { token: a.auditor })).status).toBe(200);
    });
  });

  describe('the ngo role: own NGO only', () => {
    let mine: { id: string; name: string };
    let ended: { id: string; name: string };
    let notMine: { id: string; name: string };
    beforeAll(async () => {
      mine = await commission({ name: 'KDO Roli NGO Moja' });
      ended = await commission({ name: 'KDO Roli NGO Dawna' });
      notMine = await commission({ name: 'KDO Roli NGO Cudza' });
      await member(mine.id, newMember(a.ngoId, { from: today }));
      const gone = await member(ended.id, newMember(a.ngoId));
      await endMember(ended.id, gone.id, `?on=${addDays(today, -10)}`);
      await member(notMine.id, newMember((await ngo()).id));
      await addMeeting(mine.id, { date: today, title: 'Posiedzenie', ngoIdsPresent: [a.ngoId] });
      await addMeeting(notMine.id, { date: today, title: 'Posiedzenie cudze' });
    });

    it('lists only the commissions its NGO holds or held a membership of', async () => {
      const r = await t.call('GET', '/api/v1/commissions?limit=200', { token: a.ngo });
      expect(r.status).toBe(200);
      const ids = r.body.items.map((i: { id: string }) => i.id);
      expect(ids).toEqual(expect.arrayContaining([mine.id, ended.id]));
      expect(ids).not.toContain(notMine.id);
      const [{ n }] = await t.db.query('SELECT count(DISTINCT commission_id)::int AS n FROM commission_members WHERE ngo_id = $1', [a.ngoId]);
      expect(r.body.total).toBe(n);
    });

    it('reads those commissions with their members and meetings', async () => {
      for (const c of [mine, ended]) {
        expect((await t.call('GET', `/api/v1/commissions/${c.id}`, { token: a.ngo })).status).toBe(200);
        expect((await t.call('GET', `/api/v1/commissions/${c.id}/members`, { token: a.ngo })).status).toBe(200);
        expect((await t.call('GET', `/api/v1/commissions/${c.id}/meetings`, { token: a.ngo })).status).toBe(200);
      }
      const meetings = await t.call('GET', `/api/v1/commissions/${mine.id}/meetings`, { token: a.ngo });
      expect(meetings.body.items[0].ngoIdsPresent).toEqual([a.ngoId]);
    });

    it('gets 403 for another commission of its municipality, without its data', async () => {
      for (const path of ['', '/members', '/meetings']) {
        const r = await t.call('GET', `/api/v1/commissions/${notMine.id}${path}`, { token: a.ngo });
        expect(r.status).toBe(403);
        expect(r.text).not.toContain(notMine.name);
      }
    });

    it("gets 404 for another municipality's commission", async () => {
      const foreign = (await createCommission(newCommission(), b.official)).body;
      for (const path of ['', '/members', '/meetings']) {
        expect((await t.call('GET', `/api/v1/commissions/${foreign.id}${path}`, { token: a.ngo })).status).toBe(404);
      }
    });
  });

  describe('tenant isolation', () => {
    let c: { id: string; name: string };
    let m: { id: string };
    let aNgo: { id: string };
    beforeAll(async () => {
      c = await commission({ name: 'Krakowska KDO Tajna' });
      aNgo = await ngo();
      m = await member(c.id, newMember(aNgo.id));
    });

    it.each(['official', 'auditor', 'admin', 'ngo'] as const)("gives the other municipality's %s 404 for its commission, members and meetings", async (role) => {
      for (const path of [`/api/v1/commissions/${c.id}`, `/api/v1/commissions/${c.id}/members`, `/api/v1/commissions/${c.id}/meetings`, `/api/v1/ngos/${aNgo.id}/memberships`]) {
        const r = await t.call('GET', path, { token: b[role] });
        expect(r.status).toBe(404);
        expect(r.text).not.toContain('Krakow');
      }
    });

    it('refuses their writes with 404 and leaves everything as it was', async () => {
      const before = await state();
      const token = b.official;
      expect((await t.call('PATCH', `/api/v1/commissions/${c.id}`, { token, body: { version: 1, name: 'Hijacked' } })).status).toBe(404);
      expect((await addMember(c.id, newMember(b.ngoId), token)).status).toBe(404);
      expect((await t.call('PATCH', `/api/v1/commissions/${c.id}/members/${m.id}`, { token, body: { version: 1, role: 'chair' } })).status).toBe(404);
      expect((await endMember(c.id, m.id, '', token)).status).toBe(404);
      expect((await addMeeting(c.id, { date: today, title: 'Obce' }, token)).status).toBe(404);
      expect(await state()).toEqual(before);
    });

    it('treats an NGO of the other municipality inside a body as unknown (422), and writes nothing', async () => {
      const theirs = (await createCommission(newCommission(), b.official)).body;
      const before = await state();
      expectRule(await addMember(theirs.id, newMember(aNgo.id), b.official), 'member.ngo-exists', 'ngoId');
      expectRule(await addMeeting(theirs.id, { date: today, title: 'Obce', ngoIdsPresent: [b.ngoId, aNgo.id] }, b.official), 'meeting.ngo-exists', 'ngoIdsPresent.1');
      expect(await state()).toEqual(before);
    });

    it("never lists the other municipality's commissions", async () => {
      const r = await t.call('GET', '/api/v1/commissions?limit=200', { token: b.admin });
      expect(r.status).toBe(200);
      expect(r.text).not.toContain(c.id);
      expect(r.text).not.toContain('Krakowska');
    });
  });

  describe('permissions: each role against each route', () => {
    type Who = 'public' | 'ngo' | 'auditor' | 'official' | 'admin';
    const WHO: Who[] = ['public', 'ngo', 'auditor', 'official', 'admin'];
    const READERS: Who[] = ['ngo', 'auditor', 'official', 'admin'];
    const WRITERS: Who[] = ['official', 'admin'];
    let own: { id: string };
    let foreignToNgo: { id: string };
    let otherNgo: { id: string };
    beforeAll(async () => {
      own = await commission();
      foreignToNgo = await commission();
      await member(own.id, newMember(a.ngoId));
      otherNgo = await ngo();
    });
    const freshMember = async () => (await member(own.id, newMember((await ngo()).id))).id;

    const base = (id: string) => `/api/v1/commissions/${id}`;
    const ROUTES: Array<[string, Who[], (token: string | undefined) => Promise<{ status: number }>]> = [
      ['GET /commissions', READERS, (token) => t.call('GET', '/api/v1/commissions', { token })],
      ['GET /commissions/{own}', READERS, (token) => t.call('GET', base(own.id), { token })],
      ['GET /commissions/{another}', ['auditor', 'official', 'admin'], (token) => t.call('GET', base(foreignToNgo.id), { token })],
      ['POST /commissions', WRITERS, (token) => t.call('POST', '/api/v1/commissions', { token, body: newCommission() })],
      ['PATCH /commissions/{id}', WRITERS, async (token) => t.call('PATCH', base((await commission()).id), { token, body: { version: 1, name: 'Zmieniona' } })],
      ['GET /commissions/{own}/members', READERS, (token) => t.call('GET', `${base(own.id)}/members`, { token })],
      ['GET /commissions/{another}/members', ['auditor', 'official', 'admin'], (token) => t.call('GET', `${base(foreignToNgo.id)}/members`, { token })],
      ['POST /commissions/{id}/members', WRITERS, async (token) => t.call('POST', `${base(own.id)}/members`, { token, body: newMember((await ngo()).id) })],
      ['PATCH /commissions/{id}/members/{memberId}', WRITERS, async (token) => t.call('PATCH', `${base(own.id)}/members/${await freshMember()}`, { token, body: { version: 1, role: 'secretary' } })],
      ['DELETE /commissions/{id}/members/{memberId}', WRITERS, async (token) => t.call('DELETE', `${base(own.id)}/members/${await freshMember()}`, { token })],
      ['GET /commissions/{own}/meetings', READERS, (token) => t.call('GET', `${base(own.id)}/meetings`, { token })],
      ['GET /commissions/{another}/meetings', ['auditor', 'official', 'admin'], (token) => t.call('GET', `${base(foreignToNgo.id)}/meetings`, { token })],
      ['POST /commissions/{id}/meetings', WRITERS, (token) => t.call('POST', `${base(own.id)}/meetings`, { token, body: { date: today, title: 'Posiedzenie' } })],
      ['GET /ngos/{own}/memberships', READERS, (token) => t.call('GET', `/api/v1/ngos/${a.ngoId}/memberships`, { token })],
      ['GET /ngos/{another}/memberships', ['auditor', 'official', 'admin'], (token) => t.call('GET', `/api/v1/ngos/${otherNgo.id}/memberships`, { token })],
      ['GET /me/memberships', ['ngo'], (token) => t.call('GET', '/api/v1/me/memberships', { token })],
    ];
    const cases = ROUTES.flatMap(([name, allowed, call]) => WHO.map((who) => [name, who, allowed, call] as const));

    it.each(cases)('%s as %s', async (_name, who, allowed, call) => {
      const token = who === 'public' ? undefined : a[who];
      const r = await call(token);
      if (allowed.includes(who)) {
        expect(r.status).toBeGreaterThanOrEqual(200);
        expect(r.status).toBeLessThan(300);
      } else {
        expect(r.status).toBe(who === 'public' ? 401 : 403);
      }
    });

    it('changes nothing on a refused write', async () => {
      const m = await freshMember();
      const before = await state();
      for (const token of [undefined, a.ngo, a.auditor]) {
        await t.call('POST', '/api/v1/commissions', { token, body: newCommission() });
        await t.call('PATCH', base(own.id), { token, body: { version: 1, name: 'Nope' } });
        await t.call('POST', `${base(own.id)}/members`, { token, body: newMember(otherNgo.id) });
        await t.call('PATCH', `${base(own.id)}/members/${m}`, { token, body: { version: 1, role: 'chair' } });
        await t.call('DELETE', `${base(own.id)}/members/${m}`, { token });
        await t.call('POST', `${base(own.id)}/meetings`, { token, body: { date: today, title: 'Nope' } });
      }
      expect(await state()).toEqual(before);
    });
  });
});
