import { newNgo, newProgram, newTask, usersOfEveryRole, type Tokens } from '../utils/factories';
import { createTestApp, PLATFORM_ADMIN, type Answer, type TestApp } from '../utils/test-app';
import { signIn } from '../utils/users';

/** Real: HTTP, PostgreSQL. Funded tasks: fields, filters, every domain rule, the concurrent small-grant cap, the ngo role. */
describe('funded tasks', () => {
  let t: TestApp;
  let tokens: Tokens;
  let official: string;
  let multiYear: string;
  let annual2019: string;
  let annual2020: string;

  const state = async () => {
    const [row] = await t.db.query(
      `SELECT (SELECT count(*)::int FROM tasks) AS tasks, (SELECT count(*)::int FROM task_ngos) AS links,
              (SELECT count(*)::int FROM audit_entries) AS audit,
              (SELECT coalesce(sum(version), 0)::int FROM tasks) AS versions`,
    );
    return row as { tasks: number; links: number; audit: number; versions: number };
  };
  const post = (body: Record<string, unknown>, token = official) => t.call('POST', '/api/v1/tasks', { token, body });
  const patch = (id: string, body: Record<string, unknown>, token = official) => t.call('PATCH', `/api/v1/tasks/${id}`, { token, body });
  const ngo = async (overrides: Record<string, unknown> = {}) => {
    const r = await t.call('POST', '/api/v1/ngos', { token: official, body: newNgo(overrides) });
    expect(r.status).toBe(201);
    return r.body.id as string;
  };
  const rules = (r: Answer) => (r.body.errors ?? []).map((e: { rule?: string; field: string }) => `${e.rule}:${e.field}`);

  /** Sends a write expected to be refused, and checks that it changed nothing: no task, no NGO link, no version, no audit entry. */
  async function refused(send: () => Promise<Answer>, status: number): Promise<Answer> {
    const before = await state();
    const r = await send();
    expect(r.status).toBe(status);
    expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(await state()).toEqual(before);
    return r;
  }

  beforeAll(async () => {
    t = await createTestApp();
    tokens = await usersOfEveryRole(t, await signIn(t, PLATFORM_ADMIN.email), 'tasks');
    official = tokens.official;
    multiYear = (await t.call('POST', '/api/v1/programs', { token: official, body: newProgram() })).body.id;
    annual2019 = (await t.call('POST', '/api/v1/programs', { token: official, body: newProgram({ title: 'Roczny 2019', kind: 'annual', startYear: 2019, endYear: 2019, parentId: multiYear }) })).body.id;
    annual2020 = (await t.call('POST', '/api/v1/programs', { token: official, body: newProgram({ title: 'Roczny 2020', kind: 'annual', startYear: 2020, endYear: 2020, parentId: multiYear }) })).body.id;
  });
  afterAll(() => t.close());

  it('creates a task with every field, keeps the NGOs in order (the first is the lead) and answers money as two-decimal strings', async () => {
    const [lead, partner] = [await ngo(), await ngo()];
    const r = await post(
      newTask(annual2019, [lead, partner], {
        competitionRef: 'OK-7/2019',
        amountRequested: 15000,
        amountGranted: '12500.5',
        amountSettled: '12000.05',
        status: 'settled',
        beneficiaries: 120,
      }),
    );
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      programId: annual2019,
      mode: 'open-competition',
      form: 'support',
      sphere: '16',
      competitionRef: 'OK-7/2019',
      department: 'Wydział Kultury i Dziedzictwa Narodowego',
      ngoIds: [lead, partner],
      amountRequested: '15000.00',
      amountGranted: '12500.50',
      amountSettled: '12000.05',
      startDate: '2019-03-01',
      endDate: '2019-11-30',
      status: 'settled',
      beneficiaries: 120,
      version: 1,
    });
    const got = await t.call('GET', `/api/v1/tasks/${r.body.id}`, { token: tokens.auditor });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(r.body);
    const reordered = await patch(r.body.id, { version: 1, ngoIds: [partner, lead] });
    expect(reordered.status).toBe(200);
    expect(reordered.body).toMatchObject({ ngoIds: [partner, lead], version: 2 });
  });

  it('filters by year, programme, NGO (lead or partner), sphere, mode, status, department and title', async () => {
    const [a, b] = [await ngo(), await ngo()];
    const dept = `Wydział Filtrów ${Date.now()}`;
    const t1 = (await post(newTask(annual2019, [a], { department: dept, sphere: '1a', title: 'Klub Seniora Filtr' }))).body.id;
    const t2 = (await post(newTask(annual2020, [b, a], { department: dept, mode: 'small-grant', amountGranted: '5000.00', amountRequested: null, startDate: '2020-04-01', endDate: '2020-05-30', status: 'planned' }))).body.id;
    const t3 = (await post(newTask(multiYear, [b], { department: dept, startDate: '2021-01-10', endDate: '2022-06-30', form: 'entrustment', status: 'in-progress' }))).body.id;
    const ids = async (query: string) => ((await t.call('GET', `/api/v1/tasks?department=${encodeURIComponent(dept)}&${query}`, { token: official })).body.items as Array<{ id: string }>).map((x) => x.id);
    expect(await ids('')).toEqual([t3, t2, t1]); // newest start first
    expect(await ids('year=2019')).toEqual([t1]);
    expect(await ids('year=2021')).toEqual([t3]);
    expect(await ids(`programId=${annual2020}`)).toEqual([t2]);
    expect(await ids(`ngoId=${a}`)).toEqual([t2, t1]);
    expect(await ids(`ngoId=${b}`)).toEqual([t3, t2]);
    expect(await ids('sphere=1a')).toEqual([t1]);
    expect(await ids('mode=small-grant')).toEqual([t2]);
    expect(await ids('status=in-progress')).toEqual([t3]);
    expect(await ids('search=seniora%20filtr')).toEqual([t1]);
    const page = await t.call('GET', `/api/v1/tasks?department=${encodeURIComponent(dept)}&limit=2&page=2`, { token: official });
    expect(page.body).toMatchObject({ total: 3, page: 2, limit: 2, items: [{ id: t1 }] });
    expect((await t.call('GET', '/api/v1/tasks?mode=grant', { token: official })).status).toBe(400);
    expect((await t.call('GET', '/api/v1/tasks?year=19', { token: official })).status).toBe(400);
  });

  describe('input that is not well-formed is 400 and writes nothing', () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['three decimals', { amountGranted: 12.345 }, 'amountGranted'],
      ['a negative amount', { amountGranted: '-1.00' }, 'amountGranted'],
      ['an unknown mode', { mode: 'grant' }, 'mode'],
      ['an unknown form', { form: 'gift' }, 'form'],
      ['an unknown status', { status: 'done' }, 'status'],
      ['no NGO', { ngoIds: [] }, 'ngoIds'],
      ['a repeated NGO', { ngoIds: ['8d3c2b1a-0000-4000-8000-000000000001', '8d3c2b1a-0000-4000-8000-000000000001'] }, 'ngoIds'],
      ['an NGO id that is no UUID', { ngoIds: ['x'] }, 'ngoIds'],
      ['a date that does not exist', { startDate: '2019-02-30' }, 'startDate'],
      ['an unknown field', { colour: 'red' }, 'colour'],
      ['a sphere code of the wrong shape', { sphere: 'abc' }, 'sphere'],
      ['an unknown sphere', { sphere: '99' }, 'sphere'],
      ['a negative number of beneficiaries', { beneficiaries: -1 }, 'beneficiaries'],
    ];
    it.each(cases)('%s', async (_name, overrides, field) => {
      const a = await ngo();
      const r = await refused(() => post(newTask(annual2019, [a], overrides)), 400);
      expect(r.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('a missing required field', async () => {
      const body = newTask(annual2019, [await ngo()]);
      delete body.department;
      const r = await refused(() => post(body), 400);
      expect(r.body.errors).toEqual([{ field: 'department', message: 'is required' }]);
    });
  });

  describe('each domain rule is a 422 that names the rule and the field, and writes nothing', () => {
    it('the programme must exist in this municipality and be active', async () => {
      const a = await ngo();
      expect(rules(await refused(() => post(newTask('0b9c6f2e-1111-4222-8333-444455556666', [a])), 422))).toEqual(['task.program-exists:programId']);
      const archived = (await t.call('POST', '/api/v1/programs', { token: official, body: newProgram({ title: 'Archiwalny', kind: 'annual', startYear: 2019, endYear: 2019 }) })).body.id;
      await t.call('DELETE', `/api/v1/programs/${archived}`, { token: official });
      expect(rules(await refused(() => post(newTask(archived, [a])), 422))).toEqual(['task.program-archived:programId']);
    });

    it('the dates lie inside the programme year, in order', async () => {
      const a = await ngo();
      expect(rules(await refused(() => post(newTask(annual2019, [a], { startDate: '2018-12-31' })), 422))).toEqual(['task.dates-in-program:startDate']);
      expect(rules(await refused(() => post(newTask(annual2019, [a], { endDate: '2020-01-01' })), 422))).toEqual(['task.dates-in-program:endDate']);
      expect(rules(await refused(() => post(newTask(annual2019, [a], { startDate: '2019-06-01', endDate: '2019-05-31' })), 422))).toEqual(['task.dates-order:endDate']);
      // a multi-year programme takes a task spanning its years
      expect((await post(newTask(multiYear, [a], { startDate: '2019-06-01', endDate: '2022-12-31' }))).status).toBe(201);
      expect(rules(await refused(() => post(newTask(multiYear, [a], { startDate: '2019-06-01', endDate: '2023-01-01' })), 422))).toEqual(['task.dates-in-program:endDate']);
    });

    it('a small grant is at most 10 000.00 PLN and 90 days, both days counted', async () => {
      const a = await ngo();
      const small = { mode: 'small-grant', amountRequested: null, startDate: '2019-03-01', endDate: '2019-05-29' };
      expect(rules(await refused(() => post(newTask(annual2019, [a], { ...small, amountGranted: '10000.01' })), 422))).toEqual(['task.small-grant-amount:amountGranted']);
      expect(rules(await refused(() => post(newTask(annual2019, [a], { ...small, amountGranted: '100.00', endDate: '2019-05-30' })), 422))).toEqual(['task.small-grant-duration:endDate']);
      const ok = await post(newTask(annual2019, [a], { ...small, amountGranted: '10000.00' }));
      expect(ok.status).toBe(201);
      // an update is held to the same rules
      expect(rules(await refused(() => patch(ok.body.id, { version: 1, endDate: '2019-06-15' }), 422))).toEqual(['task.small-grant-duration:endDate']);
    });

    it('small grants to one NGO total at most 20 000.00 PLN in a calendar year, partners included', async () => {
      const [a, b] = [await ngo(), await ngo()];
      const small = (o: Record<string, unknown>) => newTask(annual2019, [a], { mode: 'small-grant', amountRequested: null, startDate: '2019-03-01', endDate: '2019-04-30', ...o });
      expect((await post(small({ amountGranted: '10000.00' }))).status).toBe(201);
      expect((await post(small({ amountGranted: '9999.99', ngoIds: [b, a] }))).status).toBe(201);
      const over = await refused(() => post(small({ amountGranted: '0.02' })), 422);
      expect(rules(over)).toEqual(['task.small-grant-yearly-cap:amountGranted']);
      expect(over.body.errors[0].message).toMatch(/19999\.99/);
      expect((await post(small({ amountGranted: '0.01' }))).status).toBe(201);
      // another year starts afresh
      expect((await post(small({ programId: annual2020, amountGranted: '10000.00', startDate: '2020-03-01', endDate: '2020-04-30' }))).status).toBe(201);
      // other modes do not count towards the cap
      expect((await post(newTask(annual2019, [a], { amountGranted: '50000.00' }))).status).toBe(201);
      // an update that raises an amount over the cap is refused too
      const b2 = await ngo();
      const one = (await post(small({ ngoIds: [b2], amountGranted: '10000.00' }))).body;
      await post(small({ ngoIds: [b2], amountGranted: '5000.00' }));
      const three = (await post(small({ ngoIds: [b2], amountGranted: '4000.00' }))).body;
      expect(rules(await refused(() => patch(three.id, { version: 1, amountGranted: '5000.01' }), 422))).toEqual(['task.small-grant-yearly-cap:amountGranted']);
      // changing a grant does not count it twice
      expect((await patch(one.id, { version: 1, amountGranted: '11000.00' })).status).toBe(422);
      expect((await patch(one.id, { version: 1, amountGranted: '10000.00', title: 'Ten sam grant' })).status).toBe(200);
    });

    it('settled ≤ granted ≤ requested', async () => {
      const a = await ngo();
      expect(rules(await refused(() => post(newTask(annual2019, [a], { amountGranted: '1000.00', amountSettled: '1000.01' })), 422))).toEqual(['task.settled-within-granted:amountSettled']);
      expect(rules(await refused(() => post(newTask(annual2019, [a], { amountRequested: '1000.00', amountGranted: '1000.01' })), 422))).toEqual(['task.granted-within-requested:amountGranted']);
      const ok = (await post(newTask(annual2019, [a], { amountRequested: '1000.00', amountGranted: '900.00' }))).body;
      expect(rules(await refused(() => patch(ok.id, { version: 1, amountSettled: '900.01' }), 422))).toEqual(['task.settled-within-granted:amountSettled']);
      expect(rules(await refused(() => patch(ok.id, { version: 1, amountRequested: '899.99' }), 422))).toEqual(['task.granted-within-requested:amountGranted']);
    });

    it('the status moves forward only (steps may be skipped), or to terminated from anything but settled', async () => {
      const a = await ngo();
      const task = (await post(newTask(annual2019, [a], { status: 'planned' }))).body;
      const move = async (status: string, version: number) => patch(task.id, { version, status });
      expect((await move('in-progress', 1)).status).toBe(200);
      expect(rules(await refused(() => move('contracted', 2), 422))).toEqual(['task.status-forward:status']);
      expect(rules(await refused(() => move('planned', 2), 422))).toEqual(['task.status-forward:status']);
      expect((await move('settled', 2)).status).toBe(200);
      expect(rules(await refused(() => move('terminated', 3), 422))).toEqual(['task.status-forward:status']);

      const other = (await post(newTask(annual2019, [a], { status: 'contracted' }))).body;
      expect((await patch(other.id, { version: 1, status: 'terminated' })).status).toBe(200);
      expect(rules(await refused(() => patch(other.id, { version: 2, status: 'in-progress' }), 422))).toEqual(['task.status-forward:status']);
      // historic data may be logged as settled at once
      expect((await post(newTask(annual2019, [a], { status: 'settled', amountSettled: '100.00' }))).status).toBe(201);
    });

    it('every NGO must exist in this municipality, and a new one must be active', async () => {
      const [a, gone] = [await ngo(), await ngo()];
      await t.call('DELETE', `/api/v1/ngos/${gone}`, { token: official });
      expect(rules(await refused(() => post(newTask(annual2019, [a, '0b9c6f2e-1111-4222-8333-444455556666'])), 422))).toEqual(['task.ngo-exists:ngoIds.1']);
      expect(rules(await refused(() => post(newTask(annual2019, [gone])), 422))).toEqual(['task.ngo-archived:ngoIds.0']);
      // a task keeps an NGO archived after it was granted
      const b = await ngo();
      const task = (await post(newTask(annual2019, [b]))).body;
      await t.call('DELETE', `/api/v1/ngos/${b}`, { token: official });
      expect((await patch(task.id, { version: 1, status: 'settled' })).status).toBe(200);
    });

    it('reports every broken rule of one request together', async () => {
      const a = await ngo();
      const r = await refused(() => post(newTask(annual2019, [a], { mode: 'small-grant', amountRequested: '5000.00', amountGranted: '12000.00', amountSettled: '12000.01', endDate: '2020-02-01' })), 422);
      expect(rules(r).sort()).toEqual(
        ['task.dates-in-program:endDate', 'task.granted-within-requested:amountGranted', 'task.settled-within-granted:amountSettled', 'task.small-grant-amount:amountGranted', 'task.small-grant-duration:endDate'].sort(),
      );
    });
  });

  describe('concurrent writes', () => {
    it('two parallel small grants that together break the yearly cap: exactly one succeeds', async () => {
      const a = await ngo();
      const small = (amount: string) => newTask(annual2019, [a], { mode: 'small-grant', amountRequested: null, amountGranted: amount, startDate: '2019-09-01', endDate: '2019-10-31' });
      expect((await post(small('5000.00'))).status).toBe(201);
      const answers = await Promise.all([post(small('10000.00')), post(small('10000.00'))]);
      expect(answers.map((r) => r.status).sort()).toEqual([201, 422]);
      const [{ total }] = await t.db.query(
        `SELECT sum(t.amount_granted)::text AS total FROM tasks t JOIN task_ngos n ON n.task_id = t.id WHERE n.ngo_id = $1 AND t.mode = 'small-grant'`,
        [a],
      );
      expect(total).toBe('15000.00');
    });

    it('six parallel small grants of 8 000.00 to one NGO: exactly two succeed', async () => {
      const a = await ngo();
      const answers = await Promise.all(
        Array.from({ length: 6 }, () => post(newTask(annual2020, [a], { mode: 'small-grant', amountRequested: null, amountGranted: '8000.00', startDate: '2020-09-01', endDate: '2020-10-31' }))),
      );
      expect(answers.filter((r) => r.status === 201)).toHaveLength(2);
      expect(answers.filter((r) => r.status === 422)).toHaveLength(4);
    });

    it('a stale version is 409; of parallel updates carrying one version exactly one wins', async () => {
      const task = (await post(newTask(annual2019, [await ngo()]))).body;
      expect((await patch(task.id, { version: 1, title: 'Pierwsza zmiana' })).status).toBe(200);
      const stale = await refused(() => patch(task.id, { version: 1, title: 'Spóźniona zmiana' }), 409);
      expect(stale.body.type).toMatch(/stale-version$/);
      // a stale version is 409 even when the change would also break a rule
      expect((await refused(() => patch(task.id, { version: 1, status: 'planned' }), 409)).body.type).toMatch(/stale-version$/);
      const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => patch(task.id, { version: 2, title: `Równoległa ${i}` })));
      expect(answers.filter((r) => r.status === 200)).toHaveLength(1);
      expect(answers.filter((r) => r.status === 409)).toHaveLength(7);
    });
  });

  it('records create and update in the audit trail with before and after', async () => {
    const task = (await post(newTask(annual2019, [await ngo()]))).body;
    await patch(task.id, { version: 1, amountSettled: '100.00' });
    const trail = await t.call('GET', `/api/v1/audit?entity=task&entityId=${task.id}`, { token: tokens.auditor });
    expect(trail.status).toBe(200);
    expect(trail.body.items.map((e: { action: string }) => e.action)).toEqual(['update', 'create']);
    const [update, create] = trail.body.items;
    expect(create).toMatchObject({ before: null, after: { id: task.id, amountSettled: null, version: 1 } });
    expect(update).toMatchObject({ before: { amountSettled: null, version: 1 }, after: { amountSettled: '100.00', version: 2 } });
    expect(update.actor.email).toBe('official.tasks@test.example');
  });

  describe('an ngo account reads its own NGO\'s tasks only', () => {
    let own: string;
    let foreign: string;
    beforeAll(async () => {
      const other = await ngo();
      own = (await post(newTask(annual2019, [other, tokens.ngoId], { title: 'Zadanie partnerskie' }))).body.id;
      foreign = (await post(newTask(annual2019, [other], { title: 'Zadanie cudze' }))).body.id;
    });

    it('lists only tasks its NGO carries out, as lead or partner', async () => {
      const list = await t.call('GET', '/api/v1/tasks?limit=200', { token: tokens.ngo });
      expect(list.status).toBe(200);
      expect(list.body.items.length).toBeGreaterThan(0);
      expect(list.body.items.every((x: { ngoIds: string[] }) => x.ngoIds.includes(tokens.ngoId))).toBe(true);
      expect(list.body.items.map((x: { id: string }) => x.id)).toContain(own);
      expect((await t.call('GET', `/api/v1/tasks?ngoId=${tokens.ngoId}`, { token: tokens.ngo })).status).toBe(200);
    });

    it('sees programme totals over its own NGO\'s tasks only', async () => {
      const program = (await t.call('POST', '/api/v1/programs', { token: official, body: newProgram({ title: 'Roczny sum', kind: 'annual', startYear: 2019, endYear: 2019 }) })).body.id;
      await post(newTask(program, [tokens.ngoId], { amountGranted: '50000.00' }));
      await post(newTask(program, [await ngo()], { amountGranted: '30000.00' }));
      expect((await t.call('GET', `/api/v1/programs/${program}`, { token: tokens.ngo })).body.totals).toEqual({ tasks: 1, granted: '50000.00', settled: '0.00' });
      expect((await t.call('GET', `/api/v1/programs/${program}`, { token: official })).body.totals).toEqual({ tasks: 2, granted: '80000.00', settled: '0.00' });
    });

    it('reads its own task (200), another NGO\'s is 403, a list filtered by another NGO is 403', async () => {
      expect((await t.call('GET', `/api/v1/tasks/${own}`, { token: tokens.ngo })).status).toBe(200);
      expect((await t.call('GET', `/api/v1/tasks/${foreign}`, { token: tokens.ngo })).status).toBe(403);
      const other = (await t.call('GET', `/api/v1/tasks/${foreign}`, { token: official })).body.ngoIds[0];
      expect((await t.call('GET', `/api/v1/tasks?ngoId=${other}`, { token: tokens.ngo })).status).toBe(403);
    });
  });

  describe('another municipality', () => {
    let theirs: { token: string; programId: string; ngoId: string; taskId: string };
    beforeAll(async () => {
      const platform = await signIn(t, PLATFORM_ADMIN.email);
      await t.call('POST', '/api/v1/municipalities', { token: platform, body: { name: 'Gmina Wieliczka', slug: 'wieliczka-tasks', teryt: '1219064', admin: { email: 'admin@wieliczka-tasks.test', password: 'long-enough-1' } } });
      const token = await signIn(t, 'admin@wieliczka-tasks.test');
      const programId = (await t.call('POST', '/api/v1/programs', { token, body: newProgram({ kind: 'annual', startYear: 2019, endYear: 2019 }) })).body.id;
      const ngoId = (await t.call('POST', '/api/v1/ngos', { token, body: newNgo() })).body.id;
      const taskId = (await t.call('POST', '/api/v1/tasks', { token, body: newTask(programId, [ngoId]) })).body.id;
      theirs = { token, programId, ngoId, taskId };
    });

    it('its task is 404 to us, and ours to them; lists never mix', async () => {
      expect((await t.call('GET', `/api/v1/tasks/${theirs.taskId}`, { token: official })).status).toBe(404);
      expect((await patch(theirs.taskId, { version: 1, title: 'Przejęte' })).status).toBe(404);
      const ours = (await post(newTask(annual2019, [await ngo()]))).body.id;
      expect((await t.call('GET', `/api/v1/tasks/${ours}`, { token: theirs.token })).status).toBe(404);
      const list = await t.call('GET', '/api/v1/tasks?limit=200', { token: theirs.token });
      expect(list.body.items.map((x: { id: string }) => x.id)).toEqual([theirs.taskId]);
    });

    it('its programme or NGO inside our request is unknown (422), never a write', async () => {
      expect(rules(await refused(() => post(newTask(theirs.programId, [tokens.ngoId])), 422))).toEqual(['task.program-exists:programId']);
      expect(rules(await refused(() => post(newTask(annual2019, [theirs.ngoId])), 422))).toEqual(['task.ngo-exists:ngoIds.0']);
    });
  });

  describe('permissions (the contract\'s table)', () => {
    type Who = 'public' | 'ngo' | 'auditor' | 'official' | 'admin';
    const WHO: Who[] = ['public', 'ngo', 'auditor', 'official', 'admin'];
    const token = (who: Who) => (who === 'public' ? undefined : tokens[who]);
    let taskOfOwnNgo: string;
    let taskOfAnother: string;
    beforeAll(async () => {
      taskOfOwnNgo = (await post(newTask(annual2019, [tokens.ngoId]))).body.id;
      taskOfAnother = (await post(newTask(annual2019, [await ngo()]))).body.id;
    });
    const routes: Array<[string, Who[], (who: Who) => Promise<Answer>]> = [
      ['GET /tasks', ['ngo', 'auditor', 'official', 'admin'], (who) => t.call('GET', '/api/v1/tasks', { token: token(who) })],
      ['GET /tasks/{task of own NGO}', ['ngo', 'auditor', 'official', 'admin'], (who) => t.call('GET', `/api/v1/tasks/${taskOfOwnNgo}`, { token: token(who) })],
      ['GET /tasks/{task of another NGO}', ['auditor', 'official', 'admin'], (who) => t.call('GET', `/api/v1/tasks/${taskOfAnother}`, { token: token(who) })],
      ['POST /tasks', ['official', 'admin'], async (who) => t.call('POST', '/api/v1/tasks', { token: token(who), body: newTask(annual2019, [await ngo()]) })],
      [
        'PATCH /tasks/{id}',
        ['official', 'admin'],
        async (who) => {
          const task = (await post(newTask(annual2019, [tokens.ngoId]))).body;
          return t.call('PATCH', `/api/v1/tasks/${task.id}`, { token: token(who), body: { version: 1, title: 'Zmieniony' } });
        },
      ],
    ];
    const cases = routes.flatMap(([name, allowed, send]) => WHO.map((who) => [name, who, allowed, send] as const));
    it.each(cases)('%s as %s', async (_name, who, allowed, send) => {
      const before = await state();
      const r = await send(who);
      if (allowed.includes(who)) {
        expect(r.status).toBeGreaterThanOrEqual(200);
        expect(r.status).toBeLessThan(300);
      } else {
        expect(r.status).toBe(who === 'public' ? 401 : 403);
        if (_name.startsWith('POST')) expect((await state()).tasks).toBe(before.tasks);
      }
    });
  });
});
