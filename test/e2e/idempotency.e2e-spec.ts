import { newNgo, newProgram, newTask, usersOfEveryRole, type Tokens } from '../utils/factories';
import { createTestApp, PLATFORM_ADMIN, type Answer, type TestApp } from '../utils/test-app';
import { signIn } from '../utils/users';

/** Real: HTTP, PostgreSQL. The contract's Idempotency-Key on writes: replay, reuse with another body, retries racing the first. */
describe('Idempotency-Key', () => {
  let t: TestApp;
  let tokens: Tokens;
  let n = 0;
  const key = () => `key-${Date.now()}-${++n}`;
  const count = async (table: string) => (await t.db.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n as number;
  const postNgo = (body: Record<string, unknown>, idempotencyKey?: string, token = tokens.official): Promise<Answer> =>
    t.call('POST', '/api/v1/ngos', { token, body, headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : {} });

  beforeAll(async () => {
    t = await createTestApp();
    tokens = await usersOfEveryRole(t, await signIn(t, PLATFORM_ADMIN.email), 'idem');
  });
  afterAll(() => t.close());

  it('a retried POST with the same key and body returns the first response and writes nothing new', async () => {
    const k = key();
    const body = newNgo();
    const [ngos, audit] = [await count('ngos'), await count('audit_entries')];
    const first = await postNgo(body, k);
    expect(first.status).toBe(201);
    const second = await postNgo(body, k);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(await count('ngos')).toBe(ngos + 1);
    expect(await count('audit_entries')).toBe(audit + 1);
    // the same body with key order changed is the same request
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    expect((await postNgo(reordered, k)).body.id).toBe(first.body.id);
  });

  it('the same key with another body is 422 and writes nothing', async () => {
    const k = key();
    const first = await postNgo(newNgo(), k);
    const ngos = await count('ngos');
    const other = await postNgo(newNgo(), k);
    expect(other.status).toBe(422);
    expect(other.body.errors).toEqual([expect.objectContaining({ rule: 'idempotency.key-reused', field: 'Idempotency-Key' })]);
    expect(await count('ngos')).toBe(ngos);
    // another route with the same key is another request as well
    const program = await t.call('POST', '/api/v1/programs', { token: tokens.official, body: newProgram(), headers: { 'idempotency-key': k } });
    expect(program.status).toBe(422);
    expect(first.status).toBe(201);
  });

  it('retries that arrive while the first still runs wait for it: one write, every answer the same', async () => {
    const k = key();
    const body = newNgo();
    const ngos = await count('ngos');
    const answers = await Promise.all(Array.from({ length: 8 }, () => postNgo(body, k)));
    expect(await count('ngos')).toBe(ngos + 1);
    const created = answers.filter((r) => r.status === 201);
    // a retry either waited and replayed (201, same body) or gave up waiting (409); never a second write
    expect(created.length + answers.filter((r) => r.status === 409).length).toBe(8);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
  });

  it('parallel retries of a small grant cannot pass the yearly cap twice', async () => {
    const ngo = (await postNgo(newNgo())).body.id;
    const program = (await t.call('POST', '/api/v1/programs', { token: tokens.official, body: newProgram({ kind: 'annual', startYear: 2019, endYear: 2019 }) })).body.id;
    const body = newTask(program, [ngo], { mode: 'small-grant', amountRequested: null, amountGranted: '10000.00', startDate: '2019-05-01', endDate: '2019-06-30' });
    const k = key();
    const answers = await Promise.all(Array.from({ length: 4 }, () => t.call('POST', '/api/v1/tasks', { token: tokens.official, body, headers: { 'idempotency-key': k } })));
    expect(answers.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    const [{ n: tasks }] = await t.db.query('SELECT count(*)::int AS n FROM task_ngos WHERE ngo_id = $1', [ngo]);
    expect(tasks).toBe(1);
  });

  it('a first attempt that failed wrote nothing, key included, so the retry runs afresh', async () => {
    const k = key();
    const bad = await postNgo(newNgo({ nip: '8567346216' }), k);
    expect(bad.status).toBe(400);
    const [{ n: keys }] = await t.db.query('SELECT count(*)::int AS n FROM idempotency_keys WHERE key = $1', [k]);
    expect(keys).toBe(0);
    expect((await postNgo(newNgo(), k)).status).toBe(201);
  });

  it('replays PATCH and DELETE too, so a retried update is not a stale-version 409', async () => {
    const ngo = (await postNgo(newNgo())).body;
    const k = key();
    const first = await t.call('PATCH', `/api/v1/ngos/${ngo.id}`, { token: tokens.official, body: { version: 1, name: 'Nowa nazwa' }, headers: { 'idempotency-key': k } });
    const retry = await t.call('PATCH', `/api/v1/ngos/${ngo.id}`, { token: tokens.official, body: { version: 1, name: 'Nowa nazwa' }, headers: { 'idempotency-key': k } });
    expect([first.status, retry.status]).toEqual([200, 200]);
    expect(retry.body).toEqual(first.body);
    expect(retry.body.version).toBe(2);
    const d = key();
    const archived = await t.call('DELETE', `/api/v1/ngos/${ngo.id}`, { token: tokens.official, headers: { 'idempotency-key': d } });
    const again = await t.call('DELETE', `/api/v1/ngos/${ngo.id}`, { token: tokens.official, headers: { 'idempotency-key': d } });
    expect(again.body).toEqual(archived.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });

  it('keys belong to one user: another user\'s same key is a request of its own', async () => {
    const k = key();
    const mine = await postNgo(newNgo(), k);
    const theirs = await postNgo(newNgo(), k, tokens.admin);
    expect([mine.status, theirs.status]).toEqual([201, 201]);
    expect(theirs.body.id).not.toBe(mine.body.id);
  });

  it('a key is kept 24 hours', async () => {
    const k = key();
    const body = newNgo();
    const first = await postNgo(body, k);
    await t.db.query(`UPDATE idempotency_keys SET created_at = now() - interval '23 hours' WHERE key = $1`, [k]);
    expect((await postNgo(body, k)).body.id).toBe(first.body.id);
    await t.db.query(`UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = $1`, [k]);
    // forgotten: the same body is a new request (and here clashes with the first NGO's KRS)
    const later = await postNgo(body, k);
    expect(later.status).toBe(409);
    expect(later.headers.get('idempotent-replayed')).toBeNull();
  });

  it('a malformed key is 400 and writes nothing', async () => {
    const ngos = await count('ngos');
    for (const bad of ['x'.repeat(256), 'café', 'with space']) {
      const r = await postNgo(newNgo(), bad);
      expect(r.status).toBe(400);
      expect(r.body.errors).toEqual([{ field: 'Idempotency-Key', message: expect.any(String) }]);
    }
    expect(await count('ngos')).toBe(ngos);
  });

  it('many keyed writes at once each hold one connection: more of them than the pool has connections all succeed', async () => {
    expect(t.config.databasePoolSize).toBeLessThan(25);
    const answers = await Promise.all(Array.from({ length: 25 }, () => postNgo(newNgo({ spheres: ['1', '16'] }), key())));
    expect(answers.map((r) => r.status)).toEqual(Array(25).fill(201));
    const commissions = await Promise.all(
      Array.from({ length: 15 }, (_, i) =>
        t.call('POST', '/api/v1/commissions', {
          token: tokens.official,
          body: { name: `Komisja ${i}`, sphere: '16', department: 'Wydział Kultury', termStart: '2019-01-01', termEnd: '2020-12-31' },
          headers: { 'idempotency-key': key() },
        }),
      ),
    );
    expect(commissions.map((r) => r.status)).toEqual(Array(15).fill(201));
  });

  it('writes without the header behave as before', async () => {
    const body = newNgo();
    expect((await postNgo(body)).status).toBe(201);
    expect((await postNgo(body)).status).toBe(409);
  });
});
