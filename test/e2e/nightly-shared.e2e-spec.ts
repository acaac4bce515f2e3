import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { builtProgram } from '../utils/program';
import { createTestDatabase } from '../utils/test-app';

/**
 * The nightly compile shared by several worker processes: the run's build of the program
 * (`npm run worker`) started as child processes over one database, each with the nightly cron set
 * to fire once, at the same second. Real: the processes, PostgreSQL (advisory lock, tick claims,
 * FOR UPDATE SKIP LOCKED, leases), the compile, SIGKILL. The data: `demo:national` at a small
 * scale (the CLI of the same build), and a stale draft for each (municipality, year), as a draft
 * opened before the data arrived. A trigger of this test's own on `reports` logs every committed
 * compile, so "compiled once" is counted by the database, not inferred from job_runs.
 */
const SCALE = 0.01; // 28 self-governments: 112 reports
const YEARS = [2023, 2024, 2025, 2026];
const STALE = 'stale';
const START_MARGIN_MS = 12_000;

interface Worker {
  child: ChildProcess;
  output: () => string;
  exited: Promise<void>;
}

describe('the nightly compile shared by worker processes', () => {
  let BUILD: string;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let check: Client;
  const children: ChildProcess[] = [];

  function startWorker(cron: string, extra: NodeJS.ProcessEnv = {}): Worker {
    // a long query deadline (DATABASE_QUERY_TIMEOUT, 3.5 s by default), as jobs.e2e-spec's crash test has: a compile waits for a row the test holds
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: 'info', REPORT_COMPILE_CRON: cron, JOBS_TIME_ZONE: 'UTC', DATABASE_QUERY_TIMEOUT: '60000', ...extra };
    for (const name of ['ADMIN_EMAIL', 'ADMIN_PASSWORD', 'DEMO_DATA']) delete env[name];
    const child = spawn(process.execPath, [join(BUILD, 'apps/worker/src/main.js')], { cwd: BUILD, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    return { child, output: () => out, exited: new Promise((done) => child.once('exit', () => done())) };
  }

  /** A tick `margin` ms ahead (whole second, UTC) and the six-field cron that fires at it once. */
  function nextTick(margin: number): { tick: Date; cron: string } {
    const tick = new Date(Math.ceil((Date.now() + margin) / 1000) * 1000);
    return { tick, cron: `${tick.getUTCSeconds()} ${tick.getUTCMinutes()} ${tick.getUTCHours()} ${tick.getUTCDate()} ${tick.getUTCMonth() + 1} *` };
  }

  /**
   * `n` workers whose nightly cron fires once, at the same second. On a loaded machine a worker
   * may start after that second (its cron would then wait a year): then all are stopped and
   * started again with a longer margin.
   */
  async function startTogether(n: number, extra: NodeJS.ProcessEnv = {}): Promise<{ workers: Worker[]; tick: Date }> {
    for (const margin of [START_MARGIN_MS, 2 * START_MARGIN_MS, 4 * START_MARGIN_MS]) {
      const { tick, cron } = nextTick(margin);
      const workers = Array.from({ length: n }, () => startWorker(cron, extra));
      const ready = (w: Worker) => /the scheduler is running/.test(w.output());
      while (Date.now() < tick.getTime() - 500 && !workers.every(ready) && workers.every((w) => w.child.exitCode === null)) await new Promise((done) => setTimeout(done, 100));
      if (workers.every(ready)) return { workers, tick };
      for (const w of workers) w.child.kill('SIGKILL');
      await Promise.all(workers.map((w) => w.exited));
      if (workers.some((w) => w.child.exitCode !== null && w.child.signalCode === null)) throw new Error(`a worker exited:\n${workers.map((w) => w.output()).join('\n----\n')}`);
    }
    throw new Error(`the workers did not start within ${4 * START_MARGIN_MS} ms`);
  }

  async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, ms: number, workers: Worker[]): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await probe();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms:\n${workers.map((w) => w.output().slice(-2000)).join('\n----\n')}`);
      await new Promise((done) => setTimeout(done, 100));
    }
  }

  const runOfTick = (tick: Date) => async () => (await check.query(`SELECT run_id FROM job_ticks WHERE job = 'nightly' AND tick = $1`, [tick])).rows[0]?.run_id as string | undefined;
  const runEnded = (runId: string) => async () =>
    Number((await check.query(`SELECT count(*) FROM job_runs WHERE run_id = $1 AND outcome IN ('queued', 'running')`, [runId])).rows[0].count) === 0;

  async function staleDrafts(): Promise<number> {
    await check.query('TRUNCATE compile_log');
    const { rowCount } = await check.query(
      `INSERT INTO reports (municipality_id, year, compiled_at, summary, content_hash, input_fingerprint)
       SELECT m.id, y, now() - interval '1 day', '{}'::jsonb, $2, $2 FROM municipalities m CROSS JOIN unnest($1::int[]) AS y
       ON CONFLICT (municipality_id, year) DO UPDATE SET input_fingerprint = EXCLUDED.input_fingerprint, compiled_at = EXCLUDED.compiled_at`,
      [YEARS, STALE],
    );
    await check.query('TRUNCATE compile_log'); // the stale drafts' own writes are not compiles
    return rowCount ?? 0;
  }

  /** What the run left: per report its items and committed compiles; the run's outcomes; who took what. */
  async function afterRun(runId: string) {
    const perReport = (
      await check.query(
        `SELECT r.municipality_id, r.year, r.input_fingerprint,
                (SELECT count(*)::int FROM job_runs j WHERE j.run_id = $1 AND j.municipality_id = r.municipality_id AND j.year = r.year) AS items,
                (SELECT count(*)::int FROM compile_log c WHERE c.municipality_id = r.municipality_id AND c.year = r.year) AS compiles
           FROM reports r`,
        [runId],
      )
    ).rows as Array<{ municipality_id: string; year: number; input_fingerprint: string; items: number; compiles: number }>;
    const outcomes = Object.fromEntries(
      (await check.query(`SELECT outcome, count(*)::int AS n FROM job_runs WHERE run_id = $1 AND job = 'compile-report' GROUP BY 1`, [runId])).rows.map((r) => [r.outcome, r.n]),
    );
    const takers = (await check.query(`SELECT claimed_by, count(*)::int AS n FROM job_runs WHERE run_id = $1 AND job = 'compile-report' GROUP BY 1`, [runId])).rows as Array<{ claimed_by: string; n: number }>;
    const purges = Number((await check.query(`SELECT count(*) FROM job_runs WHERE run_id = $1 AND job = 'purge-idempotency-keys'`, [runId])).rows[0].count);
    return { perReport, outcomes, takers, purges };
  }

  beforeAll(async () => {
    [BUILD, db] = await Promise.all([builtProgram(), createTestDatabase({ firstStarted: true })]);
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: 'warn' };
    for (const name of ['ADMIN_EMAIL', 'ADMIN_PASSWORD', 'MUNICIPALITY_SLUG', 'DEMO_DATA']) delete env[name];
    const load = spawn(process.execPath, [join(BUILD, 'apps/cli/src/main.js'), 'demo:national', '--scale', String(SCALE), '--no-progress'], { cwd: BUILD, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    load.stdout.on('data', (d) => (out += d));
    load.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((done) => load.on('close', done));
    if (code !== 0) throw new Error(`demo:national exited with ${code}:\n${out}`);
    check = new Client({ connectionString: db.url });
    await check.connect();
    await check.query(`CREATE TABLE compile_log (municipality_id uuid, year int, at timestamptz DEFAULT clock_timestamp())`);
    await check.query(`CREATE FUNCTION log_compile() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO compile_log (municipality_id, year) VALUES (NEW.municipality_id, NEW.year); RETURN NEW; END $$`);
    await check.query(`CREATE TRIGGER log_compile AFTER INSERT OR UPDATE ON reports FOR EACH ROW EXECUTE FUNCTION log_compile()`);
  }, 300_000);

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await check?.end();
    await db?.drop();
  });

  it('three workers whose cron fires together share one run: every report compiled exactly once, by more than one process, the purge once', async () => {
    const reports = await staleDrafts();
    expect(reports).toBeGreaterThanOrEqual(100);
    const { workers, tick } = await startTogether(3);
    try {
      const runId = await until('the tick claimed', runOfTick(tick), START_MARGIN_MS + 30_000, workers);
      await until('the run ended', runEnded(runId), 60_000, workers);

      const { perReport, outcomes, takers, purges } = await afterRun(runId);
      expect(perReport).toHaveLength(reports);
      for (const r of perReport) expect({ ...r, items: r.items, compiles: r.compiles }).toEqual({ ...r, items: 1, compiles: 1 });
      expect(perReport.every((r) => r.input_fingerprint !== STALE)).toBe(true);
      expect(outcomes).toEqual({ compiled: reports });
      expect(purges).toBe(1);
      // the work was shared: every item was taken by one of these processes, and by more than one of them
      const pids = workers.map((w) => w.child.pid);
      for (const t of takers) expect(pids).toContain(Number(t.claimed_by.split(':').pop()));
      expect(takers.length).toBeGreaterThan(1);
      // one run: the tick's
      expect(Number((await check.query(`SELECT count(DISTINCT run_id) FROM job_runs WHERE job = 'compile-report'`)).rows[0].count)).toBe(1);
    } finally {
      for (const w of workers) w.child.kill('SIGTERM');
      await Promise.all(workers.map((w) => w.exited));
    }
    for (const w of workers) expect(w.child.exitCode).toBe(0);
  }, 240_000);

  it('finishes the run when a worker is killed mid-item: its item is taken again after the lease, none lost, none compiled twice', async () => {
    const reports = await staleDrafts();
    // one report's row held by this test, so that the compile of it waits (its item running) until the test lets go
    const [held] = (await check.query(`SELECT municipality_id, year FROM reports ORDER BY municipality_id, year OFFSET 5 LIMIT 1`)).rows as Array<{ municipality_id: string; year: number }>;
    const blocker = new Client({ connectionString: db.url });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query(`SELECT 1 FROM reports WHERE municipality_id = $1 AND year = $2 FOR UPDATE`, [held.municipality_id, held.year]);
    const { workers, tick } = await startTogether(2, { NIGHTLY_LEASE_SECONDS: '5' }).catch(async (error: unknown) => {
      await blocker.end();
      throw error;
    });
    try {
      const runId = await until('the tick claimed', runOfTick(tick), START_MARGIN_MS + 30_000, workers);
      // the held item is running in one of the workers (waiting for the row), and every other item has ended
      const holder = await until(
        'the held item running and the rest of the run done',
        async () => {
          const { rows } = await check.query(
            `SELECT claimed_by, (SELECT count(*)::int FROM job_runs WHERE run_id = $1 AND outcome IN ('queued', 'running')) AS left
               FROM job_runs WHERE run_id = $1 AND municipality_id = $2 AND year = $3 AND outcome = 'running'`,
            [runId, held.municipality_id, held.year],
          );
          return rows[0]?.left === 1 ? (rows[0].claimed_by as string) : undefined;
        },
        60_000,
        workers,
      );
      const victim = workers.find((w) => w.child.pid === Number(holder.split(':').pop()))!;
      const survivor = workers.find((w) => w !== victim)!;
      victim.child.kill('SIGKILL');
      await victim.exited;
      await blocker.query('ROLLBACK');

      // the survivor (idle, waiting for the run's last item) takes it once its lease expires, and compiles it
      await until('the run ended', runEnded(runId), 30_000, workers);
      const { perReport, outcomes, purges } = await afterRun(runId);
      expect(perReport).toHaveLength(reports);
      for (const r of perReport) expect({ ...r, items: r.items, compiles: r.compiles }).toEqual({ ...r, items: 1, compiles: 1 });
      expect(outcomes).toEqual({ compiled: reports });
      expect(purges).toBe(1);
      const [item] = (await check.query(`SELECT outcome, claimed_by, attempts, finished_at IS NOT NULL AS finished FROM job_runs WHERE run_id = $1 AND municipality_id = $2 AND year = $3`, [
        runId,
        held.municipality_id,
        held.year,
      ])).rows;
      expect(item).toEqual({ outcome: 'compiled', claimed_by: expect.stringMatching(new RegExp(`:${survivor.child.pid}$`)), attempts: 2, finished: true });
      expect(survivor.output()).toMatch(new RegExp(`the lease of ${holder.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} expired before it recorded the item; taken over`));
    } finally {
      await blocker.end();
      for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
      await Promise.all(workers.map((w) => w.exited));
    }
  }, 240_000);

  it('compiles an item once when its lease runs out under a live process: the stalled compile cannot record, so it rolls back, and the taker\'s commits', async () => {
    const reports = await staleDrafts();
    const [held] = (await check.query(`SELECT municipality_id, year FROM reports ORDER BY municipality_id, year OFFSET 9 LIMIT 1`)).rows as Array<{ municipality_id: string; year: number }>;
    const blocker = new Client({ connectionString: db.url });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query(`SELECT 1 FROM reports WHERE municipality_id = $1 AND year = $2 FOR UPDATE`, [held.municipality_id, held.year]);
    const [{ pid: blockerPid }] = (await blocker.query('SELECT pg_backend_pid() AS pid')).rows;
    const { workers, tick } = await startTogether(2, { NIGHTLY_LEASE_SECONDS: '5', NIGHTLY_COMPILE_CONCURRENCY: '1' }).catch(async (error: unknown) => {
      await blocker.end();
      throw error;
    });
    let stalled: Worker | undefined;
    try {
      const runId = await until('the tick claimed', runOfTick(tick), START_MARGIN_MS + 30_000, workers);
      const holder = await until(
        'the held item running',
        async () =>
          (await check.query(`SELECT claimed_by FROM job_runs WHERE run_id = $1 AND municipality_id = $2 AND year = $3 AND outcome = 'running'`, [runId, held.municipality_id, held.year])).rows[0]
            ?.claimed_by as string | undefined,
        60_000,
        workers,
      );
      await until('its compile waiting for the row', async () => (await check.query('SELECT 1 FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))', [blockerPid])).rowCount, 30_000, workers);
      stalled = workers.find((w) => w.child.pid === Number(holder.split(':').pop()))!;
      const taker = workers.find((w) => w !== stalled)!;
      // the holder stalls (no renewal, no progress) while its compile waits for the row; the test lets go of the row,
      // so the stalled compile's transaction now holds it, its lease runs out and the other worker takes the item
      stalled.child.kill('SIGSTOP');
      await blocker.query('ROLLBACK');
      await until(
        'the item taken by the other worker',
        async () =>
          (await check.query(`SELECT 1 FROM job_runs WHERE run_id = $1 AND municipality_id = $2 AND year = $3 AND attempts = 2 AND claimed_by <> $4`, [runId, held.municipality_id, held.year, holder]))
            .rowCount,
        30_000,
        workers,
      );
      // the taker's compile waits for the row that the stalled compile holds; the stalled one wakes, finds its claim gone and rolls back
      stalled.child.kill('SIGCONT');
      await until('the run ended', runEnded(runId), 30_000, workers);
      await until('the stalled worker saying so', async () => /this one's compile is not recorded/.test(stalled!.output()), 10_000, workers);

      const { perReport, outcomes } = await afterRun(runId);
      expect(perReport).toHaveLength(reports);
      for (const r of perReport) expect({ ...r, items: r.items, compiles: r.compiles }).toEqual({ ...r, items: 1, compiles: 1 });
      expect(outcomes).toEqual({ compiled: reports });
      const [item] = (await check.query(`SELECT outcome, claimed_by, attempts FROM job_runs WHERE run_id = $1 AND municipality_id = $2 AND year = $3`, [runId, held.municipality_id, held.year])).rows;
      expect(item).toEqual({ outcome: 'compiled', claimed_by: expect.stringMatching(new RegExp(`:${taker.child.pid}$`)), attempts: 2 });
    } finally {
      if (stalled?.child.exitCode === null) stalled.child.kill('SIGCONT');
      await blocker.end();
      for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
      await Promise.all(workers.map((w) => w.exited));
    }
    for (const w of workers) expect(w.child.exitCode).toBe(0);
  }, 240_000);
});
