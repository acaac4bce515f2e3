import { freePort } from '@app/core';
import { CLOSE_CALLS_CRON, CRON_NAMES, ReportJobsScheduler, ReportJobsService, type JobRunItem, type RunReport } from '@app/jobs';
import { ModulesContainer } from '@nestjs/core';
import { SchedulerRegistry } from '@nestjs/schedule';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { newProgram, newTask, usersOfEveryRole, type Tokens } from '../utils/factories';
import { createTestApp, createTestDatabase, PLATFORM_ADMIN, type TestApp } from '../utils/test-app';
import { createMunicipality, signIn } from '../utils/users';
import { builtProgram } from '../utils/program';

/**
 * Real: PostgreSQL (advisory locks, transactions, pg_terminate_backend), HTTP for GET /jobs, two
 * application instances over one database, and the built worker as a child process. The runs are
 * started by calling the service, as the cron's tick does; the crons themselves are only inspected.
 * Each test makes its own municipality and looks at its rows only, since every run covers them all.
 */
describe('report jobs', () => {
  let a: TestApp;
  let b: TestApp;
  let platformAdmin: string;
  let serial = 0;

  interface Municipality {
    id: string;
    tokens: Tokens;
    annual2019: string;
  }

  const jobsOf = (t: TestApp) => t.app.get(ReportJobsService);
  const ran = (report: RunReport) => {
    if (!report.ran) throw new Error('expected the run to hold the lock');
    return report;
  };
  const itemsOf = (report: RunReport, municipalityId: string): Array<Pick<JobRunItem, 'job' | 'year' | 'outcome'>> =>
    ran(report)
      .items.filter((i) => i.municipalityId === municipalityId)
      .map(({ job, year, outcome }) => ({ job, year, outcome }));
  const report = async (m: Municipality, year: number): Promise<{ compiled_at: string; content_hash: string } | undefined> =>
    (await a.db.query(`SELECT compiled_at::text, content_hash FROM reports WHERE municipality_id = $1 AND year = $2`, [m.id, year]))[0];

  async function municipality(tag: string): Promise<Municipality> {
    serial += 1;
    const slug = `jobs-${tag}-${serial}`;
    const created = await createMunicipality(a, platformAdmin, { name: `Gmina ${slug}`, slug, teryt: String(9_100_000 + serial), adminEmail: `admin.${slug}@test.example` });
    const tokens = await usersOfEveryRole(a, created.admin, slug);
    const multiYear = await a.call('POST', '/api/v1/programs', { token: tokens.official, body: newProgram() });
    const annual = await a.call('POST', '/api/v1/programs', {
      token: tokens.official,
      body: newProgram({ title: 'Roczny 2019', kind: 'annual', startYear: 2019, endYear: 2019, parentId: multiYear.body.id }),
    });
    expect(annual.status).toBe(201);
    const [{ id }] = await a.db.query('SELECT id FROM municipalities WHERE slug = $1', [slug]);
    return { id, tokens, annual2019: annual.body.id };
  }

  /** A change of the year's input: a funded task of 2019, through the API. */
  async function addTask(m: Municipality, title = 'Zadanie'): Promise<void> {
    const r = await a.call('POST', '/api/v1/tasks', { token: m.tokens.official, body: newTask(m.annual2019, [m.tokens.ngoId], { title: `${title} ${++serial}` }) });
    expect(r.status).toBe(201);
  }

  async function compile(m: Municipality, year: number): Promise<void> {
    const r = await a.call('POST', `/api/v1/reports/${year}/compile`, { token: m.tokens.official });
    expect(r.status).toBe(200);
  }

  beforeAll(async () => {
    a = await createTestApp({ scheduler: true });
    // a second application instance (its own pool, its own scheduler) over the same database; its query
    // deadline is long, so that a compile the crash test holds waiting is still waiting when it is killed
    b = await createTestApp({ databaseQueryTimeoutMs: 60_000 }, { databaseUrl: a.databaseUrl });
    platformAdmin = await signIn(a, PLATFORM_ADMIN.email);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close(); // drops the database
  });

  it('runs the nightly job once when two instances fire together: one compile per changed report, the other run skipped by the lock', async () => {
    const m = await municipality('lock');
    await addTask(m);
    await compile(m, 2019);
    await compile(m, 2020);
    await addTask(m); // 2019 changed since its compile; 2020 did not
    const before = { 2019: await report(m, 2019), 2020: await report(m, 2020) };
    const [{ since }] = await a.db.query('SELECT clock_timestamp()::text AS since');

    const results = await Promise.all([jobsOf(a).runNightly(), jobsOf(b).runNightly()]);

    expect(results.map((r) => r.ran).sort()).toEqual([false, true]);
    const winner = ran(results.find((r) => r.ran)!);
    expect(itemsOf(winner, m.id)).toEqual([
      { job: 'compile-report', year: 2019, outcome: 'compiled' },
      { job: 'compile-report', year: 2020, outcome: 'skipped' },
    ]);
    // the losing run recorded nothing at all
    const runs = await a.db.query('SELECT DISTINCT run_id FROM job_runs WHERE started_at >= $1::timestamptz', [since]);
    expect(runs).toEqual([{ run_id: winner.runId }]);
    const rows = await a.db.query('SELECT job, year, outcome, error, finished_at IS NOT NULL AS finished FROM job_runs WHERE municipality_id = $1 ORDER BY year', [m.id]);
    expect(rows).toEqual([
      { job: 'compile-report', year: 2019, outcome: 'compiled', error: null, finished: true },
      { job: 'compile-report', year: 2020, outcome: 'skipped', error: null, finished: true },
    ]);
    // the compile happened once, and only where the input changed
    expect((await report(m, 2019))!.compiled_at).not.toBe(before[2019]!.compiled_at);
    expect(await report(m, 2020)).toEqual(before[2020]);
    // the lock is free again: the next run takes it
    expect((await jobsOf(b).runNightly()).ran).toBe(true);
  });

  it('skips a report whose input is unchanged (fingerprint) and compiles it again after a change', async () => {
    const m = await municipality('fingerprint');
    await addTask(m);
    await compile(m, 2019);
    const compiled = await report(m, 2019);

    expect(itemsOf(await jobsOf(a).runNightly(), m.id)).toEqual([{ job: 'compile-report', year: 2019, outcome: 'skipped' }]);
    expect(await report(m, 2019)).toEqual(compiled);

    await addTask(m, 'Nowe zadanie');
    expect(itemsOf(await jobsOf(a).runNightly(), m.id)).toEqual([{ job: 'compile-report', year: 2019, outcome: 'compiled' }]);
    const recompiled = await report(m, 2019);
    expect(recompiled!.compiled_at).not.toBe(compiled!.compiled_at);
    expect(recompiled!.content_hash).not.toBe(compiled!.content_hash); // one more task granted
    const view = await a.call('GET', '/api/v1/reports/2019', { token: m.tokens.official });
    expect(view.body).toMatchObject({ contentHash: recompiled!.content_hash, summary: { tasks: { count: 2 } } });

    expect(itemsOf(await jobsOf(a).runNightly(), m.id)).toEqual([{ job: 'compile-report', year: 2019, outcome: 'skipped' }]);
  });

  it('deletes the idempotency keys older than 24 h in the nightly run, recorded as its own item', async () => {
    const m = await municipality('purge');
    const insert = (key: string, age: string) =>
      a.db.query(`INSERT INTO idempotency_keys (municipality_id, user_id, key, fingerprint, status, response, created_at) VALUES ($1, gen_random_uuid(), $2, 'f', 201, '{}', now() - $3::interval)`, [
        m.id,
        key,
        age,
      ]);
    await insert('old', '25 hours');
    await insert('fresh', '23 hours');

    const run = ran(await jobsOf(a).runNightly());

    expect(run.items.filter((i) => i.job === 'purge-idempotency-keys')).toEqual([expect.objectContaining({ municipalityId: null, year: null, outcome: 'done', error: null })]);
    expect(await a.db.query('SELECT key FROM idempotency_keys WHERE municipality_id = $1', [m.id])).toEqual([{ key: 'fresh' }]);
    const [row] = await a.db.query(`SELECT outcome, finished_at IS NOT NULL AS finished FROM job_runs WHERE run_id = $1 AND job = 'purge-idempotency-keys'`, [run.runId]);
    expect(row).toEqual({ outcome: 'done', finished: true });
  });

  it('opens the draft of the year just ended (in JOBS_TIME_ZONE) once; a second run skips it', async () => {
    const m = await municipality('yearly');
    await addTask(m);

    // 23:30 UTC on 31 December is already 1 January in Warsaw: the year just ended is 2019
    const first = await jobsOf(a).runYearly(new Date('2019-12-31T23:30:00Z'));
    expect(itemsOf(first, m.id)).toEqual([{ job: 'open-report', year: 2019, outcome: 'opened' }]);
    const opened = await report(m, 2019);
    expect(opened).toBeDefined();
    const view = await a.call('GET', '/api/v1/reports/2019', { token: m.tokens.official });
    expect(view.body).toMatchObject({ year: 2019, status: 'draft', revision: 0, summary: { tasks: { count: 1, granted: '50000.00' } } });
    expect(await report(m, 2018)).toBeUndefined();

    const second = await jobsOf(a).runYearly(new Date('2020-01-01T02:00:00Z'));
    expect(itemsOf(second, m.id)).toEqual([{ job: 'open-report', year: 2019, outcome: 'skipped' }]);
    expect(await report(m, 2019)).toEqual(opened);
  });

  it('leaves the previous compile intact when the compiling connection dies mid-compile, records the failure and goes on', async () => {
    const m = await municipality('crash');
    const other = await municipality('crash-other');
    await addTask(m);
    await compile(m, 2019);
    await compile(other, 2019);
    const previous = await report(m, 2019);
    await addTask(m); // the next run recompiles m's 2019 ...
    await addTask(other); // ... and other's, after m's (municipalities run in the order they were created)

    // another connection holds the report's row, so the compile stops at its write, its summary already computed
    const blocker = new Client({ connectionString: a.databaseUrl });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT 1 FROM reports WHERE municipality_id = $1 AND year = 2019 FOR UPDATE', [m.id]);
      const [{ pid: blockerPid }] = (await blocker.query('SELECT pg_backend_pid() AS pid')).rows;
      const running = jobsOf(b).runNightly();
      let compiling: number | undefined;
      for (const deadline = Date.now() + 15_000; !compiling && Date.now() < deadline; ) {
        const waiting: Array<{ pid: number }> = await a.db.query('SELECT pid FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))', [blockerPid]);
        compiling = waiting[0]?.pid;
        if (!compiling) await new Promise((r) => setTimeout(r, 10));
      }
      expect(compiling).toBeDefined();
      await a.db.query('SELECT pg_terminate_backend($1)', [compiling]);
      await blocker.query('ROLLBACK');

      const run = ran(await running);
      const failed = run.items.find((i) => i.municipalityId === m.id)!;
      expect(failed).toMatchObject({ job: 'compile-report', year: 2019, outcome: 'failed' });
      // the code of the failure, not the database's words
      expect(failed.error).toMatch(/connection.*57P01/);
      // the run went on with the next item
      expect(itemsOf(run, other.id)).toEqual([{ job: 'compile-report', year: 2019, outcome: 'compiled' }]);
    } finally {
      await blocker.end();
    }

    expect(await report(m, 2019)).toEqual(previous);
    const [row] = await a.db.query(`SELECT outcome, error, finished_at IS NOT NULL AS finished FROM job_runs WHERE municipality_id = $1`, [m.id]);
    expect(row).toMatchObject({ outcome: 'failed', finished: true });
    expect(row.error).toBeTruthy();

    // the next night catches up
    expect(itemsOf(await jobsOf(a).runNightly(), m.id)).toEqual([{ job: 'compile-report', year: 2019, outcome: 'compiled' }]);
    expect((await report(m, 2019))!.compiled_at).not.toBe(previous!.compiled_at);
  });

  it('records a compile the database refuses by its code and class, and GET /jobs shows no database text', async () => {
    const m = await municipality('refused');
    await addTask(m);
    await compile(m, 2019);
    await addTask(m);
    // the database now refuses any write of this municipality's reports, with its own words ("new row for relation ... violates check constraint ...")
    await a.db.query(`ALTER TABLE reports ADD CONSTRAINT jobs_spec_refuses CHECK (municipality_id <> '${m.id}') NOT VALID`);
    try {
      const failed = ran(await jobsOf(a).runNightly()).items.find((i) => i.municipalityId === m.id)!;
      expect(failed).toMatchObject({ job: 'compile-report', year: 2019, outcome: 'failed' });
      expect(failed.error).toBe('The database refused the work (SQLSTATE 23514)');
    } finally {
      await a.db.query('ALTER TABLE reports DROP CONSTRAINT jobs_spec_refuses');
    }
    const listed = await a.call('GET', '/api/v1/jobs?outcome=failed', { token: m.tokens.official });
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([expect.objectContaining({ job: 'compile-report', year: 2019, outcome: 'failed', error: 'The database refused the work (SQLSTATE 23514)' })]);
    expect(listed.text).not.toMatch(/relation|violates|constraint|jobs_spec_refuses|reports"|INSERT|UPDATE|SELECT|QueryFailedError/i);
    const [row] = await a.db.query(`SELECT error FROM job_runs WHERE municipality_id = $1 AND outcome = 'failed'`, [m.id]);
    expect(row.error).toBe('The database refused the work (SQLSTATE 23514)');
  });

  describe('GET /api/v1/jobs', () => {
    let m: Municipality;
    let other: Municipality;

    beforeAll(async () => {
      m = await municipality('list');
      other = await municipality('list-other');
      for (const x of [m, other]) {
        await addTask(x);
        await compile(x, 2019);
      }
      await addTask(m);
      await jobsOf(a).runNightly(); // m: compiled
      await jobsOf(a).runNightly(); // m: skipped
      await jobsOf(a).runYearly(new Date('2021-01-01T12:00:00Z')); // m: 2020 opened
    });

    it('answers officials and admins, refuses auditors and NGOs (403) and anonymous callers (401)', async () => {
      for (const token of [m.tokens.official, m.tokens.admin]) expect((await a.call('GET', '/api/v1/jobs', { token })).status).toBe(200);
      for (const token of [m.tokens.auditor, m.tokens.ngo]) {
        const r = await a.call('GET', '/api/v1/jobs', { token });
        expect(r.status).toBe(403);
        expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
      }
      expect((await a.call('GET', '/api/v1/jobs')).status).toBe(401);
    });

    it('lists the caller\'s municipality\'s runs only, newest first, paged', async () => {
      const r = await a.call('GET', '/api/v1/jobs', { token: m.tokens.official });
      const mine: Array<{ id: string }> = await a.db.query('SELECT id FROM job_runs WHERE municipality_id = $1', [m.id]);
      expect(r.body).toMatchObject({ total: mine.length, page: 1, limit: 50 });
      expect(r.body.items.map((i: { id: string }) => i.id).sort()).toEqual(mine.map((x) => x.id).sort());
      expect(r.body.items.map(({ job, year, outcome }: JobRunItem) => ({ job, year, outcome }))).toEqual([
        { job: 'open-report', year: 2020, outcome: 'opened' },
        { job: 'compile-report', year: 2019, outcome: 'skipped' },
        { job: 'compile-report', year: 2019, outcome: 'compiled' },
      ]);
      const first = r.body.items[0];
      expect(Object.keys(first).sort()).toEqual(['error', 'finishedAt', 'id', 'job', 'outcome', 'runId', 'startedAt', 'year']);
      expect(first.startedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(Date.parse(first.finishedAt)).toBeGreaterThanOrEqual(Date.parse(first.startedAt));
      const started = r.body.items.map((i: { startedAt: string }) => Date.parse(i.startedAt));
      expect([...started].sort((x, y) => y - x)).toEqual(started);

      // another municipality's runs are not listed, and the other way round
      const theirs = await a.call('GET', '/api/v1/jobs', { token: other.tokens.official });
      const theirIds = new Set(theirs.body.items.map((i: { id: string }) => i.id));
      expect(theirs.body.total).toBeGreaterThan(0);
      expect(r.body.items.some((i: { id: string }) => theirIds.has(i.id))).toBe(false);
      // the housekeeping items belong to no municipality and are listed to none
      const platform = await a.call('GET', '/api/v1/jobs?job=purge-idempotency-keys', { token: platformAdmin });
      expect(platform.body).toMatchObject({ items: [], total: 0 });

      const page = await a.call('GET', '/api/v1/jobs?limit=1&page=2', { token: m.tokens.official });
      expect(page.body).toMatchObject({ total: 3, page: 2, limit: 1, items: [{ id: r.body.items[1].id }] });
    });

    it('filters by job and outcome, and refuses unknown values (400)', async () => {
      const compiled = await a.call('GET', '/api/v1/jobs?job=compile-report&outcome=compiled', { token: m.tokens.official });
      expect(compiled.body).toMatchObject({ total: 1, items: [{ job: 'compile-report', year: 2019, outcome: 'compiled', error: null }] });
      const opened = await a.call('GET', '/api/v1/jobs?job=open-report', { token: m.tokens.official });
      expect(opened.body.items.map((i: JobRunItem) => i.outcome)).toEqual(['opened']);
      for (const query of ['job=nightly', 'outcome=exploded']) {
        const r = await a.call('GET', `/api/v1/jobs?${query}`, { token: m.tokens.official });
        expect(r.status).toBe(400);
        expect(r.body.errors[0].field).toBe(query.split('=')[0]);
      }
    });
  });

  describe('the crons', () => {
    const crons = (t: TestApp) =>
      [...t.app.get(SchedulerRegistry).getCronJobs()].map(([name, job]) => ({ name, source: job.cronTime.source, timeZone: job.cronTime.timeZone, active: job.isActive })).sort((x, y) => x.name.localeCompare(y.name));

    it('are registered with the defaults: 02:00 nightly, 1 January 03:00 and closing calls every minute, Europe/Warsaw', () => {
      expect(crons(a)).toEqual([
        { name: CRON_NAMES.closeCalls, source: CLOSE_CALLS_CRON, timeZone: 'Europe/Warsaw', active: true },
        { name: CRON_NAMES.nightly, source: '0 2 * * *', timeZone: 'Europe/Warsaw', active: true },
        { name: CRON_NAMES.yearly, source: '0 3 1 1 *', timeZone: 'Europe/Warsaw', active: true },
      ]);
      const next = a.app.get(SchedulerRegistry).getCronJob(CRON_NAMES.nightly).nextDate();
      expect([next.hour, next.minute, next.zoneName]).toEqual([2, 0, 'Europe/Warsaw']);
    });

    it('follow the configured expressions and time zone', async () => {
      const c = await createTestApp({ scheduler: true, reportCompileCron: '15 4 * * *', reportOpenCron: '0 5 2 1 *', jobsTimeZone: 'America/New_York' }, { databaseUrl: a.databaseUrl });
      try {
        expect(crons(c)).toEqual([
          { name: CRON_NAMES.closeCalls, source: CLOSE_CALLS_CRON, timeZone: 'America/New_York', active: true },
          { name: CRON_NAMES.nightly, source: '15 4 * * *', timeZone: 'America/New_York', active: true },
          { name: CRON_NAMES.yearly, source: '0 5 2 1 *', timeZone: 'America/New_York', active: true },
        ]);
        const next = c.app.get(SchedulerRegistry).getCronJob(CRON_NAMES.yearly).nextDate();
        expect([next.month, next.day, next.hour, next.minute]).toEqual([1, 2, 5, 0]);
      } finally {
        await c.close();
      }
    });

    it('are not registered with SCHEDULER=false, while GET /jobs still answers', async () => {
      const c = await createTestApp({ scheduler: false }, { databaseUrl: a.databaseUrl });
      try {
        // the schedule module is not even loaded (asking the app for a missing provider would end the process)
        const modules = [...c.app.get(ModulesContainer).values()];
        expect(modules.some((module) => module.providers.has(SchedulerRegistry))).toBe(false);
        expect(modules.some((module) => module.providers.has(ReportJobsScheduler))).toBe(false);
        const admin = await signIn(c, PLATFORM_ADMIN.email);
        expect((await c.call('GET', '/api/v1/jobs', { token: admin })).status).toBe(200);
      } finally {
        await c.close();
      }
    });
  });
});

/** The worker as `npm run worker` runs it: the run's build of the project (test/utils/program.ts), started as its own process. */
describe('the worker process', () => {
  let BUILD: string;
  const children: ChildProcess[] = [];

  function startWorker(env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
    const base: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'info', ...env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete base[k];
    // run from the build directory, so that a developer's .env cannot fill in what the test leaves out
    const child = spawn(process.execPath, [join(BUILD, 'apps/worker/src/main.js')], { cwd: BUILD, env: base, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    return { child, output: () => out, exited: new Promise((done) => child.on('exit', (code) => done(code))) };
  }

  async function waitFor(pattern: RegExp, run: ReturnType<typeof startWorker>, ms = 30_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pattern.test(run.output())) {
      if (run.child.exitCode !== null) throw new Error(`exited early:\n${run.output()}`);
      if (Date.now() > deadline) throw new Error(`no ${pattern} within ${ms} ms:\n${run.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  beforeAll(async () => {
    BUILD = await builtProgram();
  }, 300_000);

  afterAll(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('starts on DATABASE_URL, logs that the scheduler is running, runs its nightly cron, and exits 0 on SIGTERM', async () => {
    const db = await createTestDatabase();
    try {
      // every second, so that the test sees a run; PORT is irrelevant: the worker opens no port
      const worker = startWorker({ DATABASE_URL: db.url, REPORT_COMPILE_CRON: '* * * * * *', PORT: String(await freePort()) });
      await waitFor(/the scheduler is running \(Europe\/Warsaw\): nightly compile "\* \* \* \* \* \*"/, worker);
      await waitFor(/nightly run [0-9a-f-]{36} finished/, worker, 15_000);
      const check = new Client({ connectionString: db.url });
      await check.connect();
      try {
        const { rows } = await check.query(`SELECT job, outcome FROM job_runs WHERE job = 'purge-idempotency-keys' LIMIT 1`);
        expect(rows).toEqual([{ job: 'purge-idempotency-keys', outcome: 'done' }]);
      } finally {
        await check.end();
      }
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
      expect(worker.output()).toMatch(/SIGTERM: shutting down/);
    } finally {
      await db.drop();
    }
  }, 60_000);

  it('refuses to start without DATABASE_URL, saying why', async () => {
    const worker = startWorker({ DATABASE_URL: undefined });
    expect(await worker.exited).not.toBe(0);
    expect(worker.output()).toMatch(/needs DATABASE_URL[\s\S]*never starts an embedded database/);
  });
});
