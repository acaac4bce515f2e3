import { freePort } from '@app/core';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { newNgo, newProgram, newTask } from '../utils/factories';
import { builtProgram, startProgram, waitReady, type Running } from '../utils/program';
import { createTestDatabase, PLATFORM_ADMIN, TEST_JWT_SECRET } from '../utils/test-app';
import { TEST_PASSWORD } from '../utils/users';
import { WebClient } from '../utils/web-client';

/**
 * Several instances over one database, as a deployment runs them: three API processes (A, B, C)
 * and a worker, each the run's build of the program started as a child process, with the
 * scheduler on in all four (its nightly cron every second). Real: the processes, HTTP,
 * PostgreSQL (sessions, the back-off, the rate limits' counters, LISTEN/NOTIFY, advisory locks
 * and tick claims). Nothing is shared between the processes but the database.
 */
const LIMIT = 6; // LOGIN_RATE_LIMIT: per account and address a minute (per address: 10 × LIMIT)

interface Instance {
  name: string;
  url: string;
  run: Running;
}

interface Answer {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

async function call(base: string, method: string, path: string, o: { token?: string; body?: unknown } = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(base + path, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: /json/.test(response.headers.get('content-type') ?? '') && text ? JSON.parse(text) : text };
}

const login = (i: Instance, email: string, password: string) => call(i.url, 'POST', '/api/v1/auth/login', { body: { email, password } });

describe('three API instances and a worker over one database', () => {
  let BUILD: string;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let check: Client;
  let a: Instance;
  let b: Instance;
  let c: Instance;
  const children: ChildProcess[] = [];
  let admin: string;

  function env(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    const e: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: db.url,
      JWT_SECRET: TEST_JWT_SECRET,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      SCHEDULER: 'true',
      REPORT_COMPILE_CRON: '* * * * * *',
      LOGIN_RATE_LIMIT: String(LIMIT),
      DEMO_DATA: 'false',
      ...extra,
    };
    delete e.ADMIN_EMAIL;
    delete e.ADMIN_PASSWORD;
    return e;
  }

  async function startApi(name: string): Promise<Instance> {
    const port = await freePort();
    const run = startProgram(BUILD, env({ PORT: String(port) }));
    children.push(run.child);
    await waitReady(port, run, 60_000);
    return { name, url: `http://127.0.0.1:${port}`, run };
  }

  function startWorker(): { child: ChildProcess; output: () => string } {
    const child = spawn(process.execPath, [join(BUILD, 'apps/worker/src/main.js')], { cwd: BUILD, env: env({ PORT: '1' }), stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    return { child, output: () => out };
  }

  async function newOfficial(tag: string): Promise<string> {
    const email = `${tag}.${process.pid}@instances.test.example`;
    const r = await call(a.url, 'POST', '/api/v1/users', { token: admin, body: { email, password: TEST_PASSWORD, role: 'official' } });
    expect(r.status).toBe(201);
    return email;
  }

  beforeAll(async () => {
    [BUILD, db] = await Promise.all([builtProgram(), createTestDatabase({ firstStarted: true })]);
    check = new Client({ connectionString: db.url });
    await check.connect();
    const worker = startWorker();
    [a, b, c] = await Promise.all([startApi('A'), startApi('B'), startApi('C')]);
    if (worker.child.exitCode !== null) throw new Error(`the worker exited:\n${worker.output()}`);
    const signedIn = await login(a, PLATFORM_ADMIN.email, PLATFORM_ADMIN.password);
    expect(signedIn.status).toBe(200);
    admin = signedIn.body.accessToken;
  }, 300_000);

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await check?.end();
    await db?.drop();
  });

  it('serves a web session opened on A from B and C, and sign-out on B ends it on A', async () => {
    const email = await newOfficial('session');
    const onA = new WebClient(a.url);
    await onA.signIn(email, TEST_PASSWORD);
    expect((await onA.get('/app')).status).toBe(200);

    const elsewhere = (i: Instance) => {
      const web = new WebClient(i.url);
      for (const [k, v] of onA.cookies) web.cookies.set(k, v);
      return web;
    };
    const onB = elsewhere(b);
    const onC = elsewhere(c);
    for (const web of [onB, onC]) {
      const page = await web.get('/app');
      expect(page.status).toBe(200);
      expect(page.text).toContain(email);
    }

    // sign-out on B, with B's page's CSRF token (the session's, kept in the database)
    expect((await onB.post('/app/logout', {})).status).toBe(303);
    for (const web of [onA, onC]) {
      const page = await web.get('/app');
      expect(page.status).toBe(303);
      expect(page.location).toMatch(/^\/app\/login/);
    }
  });

  it('counts the per-account rate limit across instances: the limit reached over A, B and C gives 429 wherever the next attempt goes', async () => {
    const email = await newOfficial('limit');
    const spread = [a, b, c];
    // right passwords, so the back-off (failures only) has no part in it
    for (let n = 0; n < LIMIT; n++) expect((await login(spread[n % 3], email, TEST_PASSWORD)).status).toBe(200);
    for (const i of spread) {
      const r = await login(i, email, TEST_PASSWORD);
      expect(r.status).toBe(429);
      expect(r.body.detail).toMatch(/^Too many sign-in attempts/);
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // the counters are rows in PostgreSQL, keyed by hashes (no address, no email)
    const rows = await check.query(`SELECT hits FROM rate_limit_hits WHERE window_ends_at > now() ORDER BY hits DESC LIMIT 1`);
    expect(rows.rows[0].hits).toBeGreaterThan(LIMIT);
    expect((await check.query(`SELECT 1 FROM rate_limit_hits WHERE position(convert_to($1, 'UTF8') IN key) > 0`, [email])).rowCount).toBe(0);
  });

  it('counts the sign-in back-off across instances: 5 failures spread over A, B, C make the next attempt wait on any of them', async () => {
    const email = await newOfficial('backoff');
    const order = [a, b, c, a, b];
    for (const i of order) expect((await login(i, email, 'not-the-password')).status).toBe(401);
    const blocked = await login(c, email, TEST_PASSWORD);
    expect(blocked.status).toBe(429);
    expect(blocked.body.detail).toMatch(/^Too many failed sign-ins for this account/);
    expect(blocked.headers.get('retry-after')).toBe('1');
  });

  it('shows a report published through A on the public pages of B and C at once (by the cluster event, not the 30 s revalidation), their caches holding the older revision', async () => {
    const email = await newOfficial('publisher');
    const signedIn = await login(a, email, TEST_PASSWORD);
    expect(signedIn.status).toBe(200);
    const token = signedIn.body.accessToken;
    const post = async (path: string, body?: unknown) => {
      const r = await call(a.url, 'POST', path, { token, body });
      expect([200, 201]).toContain(r.status);
      return r.body;
    };
    const ngo = await post('/api/v1/ngos', newNgo());
    const program = await post('/api/v1/programs', newProgram());
    await post('/api/v1/tasks', newTask(program.id, [ngo.id], { title: 'Pierwsze zadanie' }));
    await post('/api/v1/reports/2019/compile');
    expect((await post('/api/v1/reports/2019/publish')).revision).toBe(1);

    const page = (i: Instance) => call(i.url, 'GET', '/krakow/reports/2019');
    for (const i of [b, c]) {
      const first = await page(i);
      expect(first.status).toBe(200);
      expect(first.text).toContain('Wersja 1,');
      expect((await page(i)).text).toContain('Wersja 1,'); // served from the cache
    }

    await post('/api/v1/tasks', newTask(program.id, [ngo.id], { title: 'Drugie zadanie' }));
    await post('/api/v1/reports/2019/compile');
    expect((await post('/api/v1/reports/2019/publish')).revision).toBe(2);
    const answered = Date.now();

    const seen = await Promise.all(
      [b, c].map(async (i) => {
        for (;;) {
          const r = await page(i);
          if (r.text.includes('Wersja 2,')) return Date.now() - answered;
          if (Date.now() - answered > 10_000) return Infinity;
          await new Promise((done) => setTimeout(done, 20));
        }
      }),
    );
    // the cluster event, not the revalidation (which would take up to 30 s); the margin is wide, for a loaded machine
    expect(seen.every((ms) => ms <= 10_000)).toBe(true);
  });

  it('runs the nightly job once per tick although its cron fires every second in all four processes', async () => {
    // a few ticks more, then stop every process (SIGTERM: a run in progress ends recorded)
    const ticks = async () => Number((await check.query(`SELECT count(*) FROM job_ticks WHERE job = 'nightly'`)).rows[0].count);
    const deadline = Date.now() + 10_000;
    while ((await ticks()) < 4 && Date.now() < deadline) await new Promise((done) => setTimeout(done, 200));
    const pids = children.map((child) => child.pid);
    const exits = await Promise.all(
      children.map(
        (child) =>
          new Promise<number | null>((done) => {
            if (child.exitCode !== null) return done(child.exitCode);
            child.once('exit', (code) => done(code));
            child.kill('SIGTERM');
          }),
      ),
    );
    expect(exits).toEqual([0, 0, 0, 0]);

    const claimed = (await check.query(`SELECT tick, run_id, claimed_by FROM job_ticks WHERE job = 'nightly' ORDER BY tick`)).rows as Array<{ tick: Date; run_id: string; claimed_by: string }>;
    const runs = (
      await check.query(
        `SELECT run_id, count(*) FILTER (WHERE job = 'purge-idempotency-keys')::int AS purges FROM job_runs WHERE job IN ('compile-report', 'purge-idempotency-keys') GROUP BY run_id`,
      )
    ).rows as Array<{ run_id: string; purges: number }>;
    expect(claimed.length).toBeGreaterThanOrEqual(4);
    // one run per tick, each tick a whole second of its own, and no run without a tick
    expect(new Set(claimed.map((t) => t.tick.getTime())).size).toBe(claimed.length);
    for (const t of claimed) expect(t.tick.getMilliseconds()).toBe(0);
    expect(runs.map((r) => r.run_id).sort()).toEqual(claimed.map((t) => t.run_id).sort());
    for (const r of runs) expect(r.purges).toBe(1);
    // claimed by the processes of this test (host:pid)
    for (const t of claimed) expect(pids).toContain(Number(t.claimed_by.split(':').pop()));
  }, 30_000);
});
