import { APP_CONFIG, LOCKS, type AppConfig, type LockName } from '@app/core';
import { CallsService } from '@app/competitions';
import { ReportsService } from '@app/reports';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource, QueryRunner } from 'typeorm';
import { errorMessage, jobErrorSummary } from './job-errors';
import type { JobName, JobRunItem, RunReport } from './job-runs';
import { NightlyCompileService } from './nightly-compile.service';

type ItemOutcome = JobRunItem['outcome'];

export { jobErrorSummary } from './job-errors';

/** The calendar year of an instant in a time zone (1 January 00:30 in Warsaw is still 31 December in UTC). */
export function yearIn(timeZone: string, at: Date): number {
  return Number(new Intl.DateTimeFormat('en', { timeZone, year: 'numeric' }).format(at));
}

/** "3 compiled, 1 skipped": a run's items counted by outcome, in the order first met. */
function outcomeSummary(items: JobRunItem[]): string {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.outcome, (counts.get(item.outcome) ?? 0) + 1);
  return [...counts].map(([outcome, n]) => `${n} ${outcome}`).join(', ');
}

/** How long a tick's nightly run waits for the lock that another process holds while it writes the tick's work list. */
const NIGHTLY_LOCK_WAIT_MS = 30_000;
const NIGHTLY_LOCK_POLL_MS = 50;

/** The run's connection died, and its session-level lock with it: another process may now start a run, so this one stops. */
class RunLostItsLock extends Error {}

/**
 * One run of a job: its id, and the `job_runs` rows of its items. The rows are written on the
 * connection that holds the run's advisory lock, so a row written is a proof that the lock was
 * still held; a run whose connection died cannot write and stops.
 */
class Run {
  readonly id = randomUUID();
  readonly items: JobRunItem[] = [];

  constructor(
    private readonly lockConnection: QueryRunner,
    private readonly ds: DataSource,
    private readonly logger: Logger,
  ) {}

  /** Records the item as running, runs it, and records how it ended; a failure is recorded and the run goes on. */
  async item(job: JobName, municipalityId: string | null, year: number | null, work: () => Promise<ItemOutcome>): Promise<void> {
    let id: string;
    try {
      [{ id }] = await this.lockConnection.query(`INSERT INTO job_runs (run_id, job, municipality_id, year, outcome) VALUES ($1, $2, $3, $4, 'running') RETURNING id`, [
        this.id,
        job,
        municipalityId,
        year,
      ]);
    } catch (error) {
      throw new RunLostItsLock(`could not record the start of ${job}: ${errorMessage(error)}`);
    }
    let outcome: ItemOutcome;
    let error: string | null = null;
    try {
      outcome = await work();
    } catch (failure) {
      outcome = 'failed';
      error = jobErrorSummary(failure);
      this.logger.warn(`${job} of municipality ${municipalityId ?? '-'}${year ? `, ${year}` : ''} failed: ${failure instanceof Error ? (failure.stack ?? failure.message) : String(failure)}`);
    }
    const finish = `UPDATE job_runs SET outcome = $2, error = $3, finished_at = clock_timestamp() WHERE id = $1`;
    try {
      await this.lockConnection.query(finish, [id, outcome, error]);
    } catch (lost) {
      // the item itself ended (a compile commits on its own connection): record it through the pool, then stop the run
      await this.ds.query(finish, [id, outcome, error]).catch(() => undefined);
      throw new RunLostItsLock(`could not record the end of ${job}: ${errorMessage(lost)}`);
    }
    this.items.push({ id, job, municipalityId, year, outcome, error });
  }
}

/**
 * The report jobs. A cron only calls runNightly()/runYearly(); each run first takes its advisory
 * lock with pg_try_advisory_lock on one dedicated connection. The yearly and minutely runs hold
 * it for the whole run, so of several processes whose crons fire together exactly one runs and
 * the others skip (and record nothing). The nightly run holds it only while it writes its work
 * list; the compiles are then shared by every process with the scheduler (NightlyCompileService).
 * Every item is idempotent: a compile skips an unchanged input (its fingerprint), an open skips a
 * year that has a report, so a run that died halfway is simply run again.
 */
@Injectable()
export class ReportJobsService implements OnModuleDestroy {
  private readonly logger = new Logger('ReportJobs');
  private readonly inFlight = new Set<Promise<unknown>>();
  private stopping = false;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly reports: ReportsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly calls: CallsService,
    private readonly compiles: NightlyCompileService,
  ) {}

  /**
   * The nightly job: recompiles every report (of every municipality, every year that has one)
   * whose input changed since its last compile, each in its own transaction; then deletes the
   * idempotency keys older than 24 h (older than `now` - 24 h). `tick`: the cron's instant that
   * asked for it (see claimTick); without it (a run asked for by hand) the lock alone decides.
   *
   * The process that takes the nightly lock and claims the tick writes the run's work list (one
   * `queued` item per report, NightlyCompileService.enqueue) and purges the keys, releases the
   * lock, and then works on the list with every other process with the scheduler: the tick's
   * other processes wait for the lock, find the tick claimed, and join the run. A run is not
   * started while another still has items left: the process joins that one instead. Resolves
   * when none of the run's items is queued or running (or the process is stopping).
   */
  runNightly(now?: Date, tick?: Date): Promise<RunReport> {
    return this.tracked('nightly', () => this.nightly(now, tick));
  }

  private async nightly(now: Date | undefined, tick: Date | undefined): Promise<RunReport> {
    const started = Date.now();
    const begun = await this.beginNightly(now, tick);
    if (begun.kind === 'skipped') return { ran: false };
    if (begun.kind === 'joined') {
      await this.compiles.finish(begun.runId);
      return { ran: false, joined: begun.runId };
    }
    await this.compiles.finish(begun.runId);
    const items = await this.compiles.items(begun.runId);
    const [{ processes }]: Array<{ processes: number }> = await this.ds.query(
      `SELECT count(DISTINCT claimed_by)::int AS processes FROM job_runs WHERE run_id = $1 AND job = 'compile-report'`,
      [begun.runId],
    );
    const summary = outcomeSummary(items);
    const left = begun.queued - items.filter((i) => i.job === 'compile-report').length;
    this.logger.log(`nightly run ${begun.runId} finished in ${Date.now() - started} ms: ${summary} (compiled by ${processes} process(es))${left > 0 ? `; ${left} item(s) left for the other processes (this one is stopping)` : ''}`);
    return { ran: true, runId: begun.runId, items };
  }

  /**
   * Under the nightly lock: joins a run still under way, or the tick's run when another process
   * claimed the tick; else claims the tick, writes the work list and purges the old idempotency
   * keys (both recorded on the lock's connection). A run by hand tries the lock once; a tick's
   * run waits for it (another process is writing that tick's list, which takes a moment).
   */
  private async beginNightly(now: Date | undefined, tick: Date | undefined): Promise<{ kind: 'skipped' } | { kind: 'joined'; runId: string } | { kind: 'started'; runId: string; queued: number }> {
    const key = LOCKS.nightlyReports.toString();
    const connection = this.ds.createQueryRunner();
    try {
      await connection.connect();
      let locked = false;
      for (const deadline = Date.now() + (tick ? NIGHTLY_LOCK_WAIT_MS : 0); ; ) {
        [{ locked }] = await connection.query('SELECT pg_try_advisory_lock($1::bigint) AS locked', [key]);
        if (locked || Date.now() >= deadline || this.stopping) break;
        await sleep(NIGHTLY_LOCK_POLL_MS);
      }
      if (!locked) {
        this.logger[tick ? 'warn' : 'debug'](`nightly run skipped: another process holds the nightlyReports lock${tick ? ` (for over ${NIGHTLY_LOCK_WAIT_MS / 1000} s)` : ''}`);
        return { kind: 'skipped' };
      }
      try {
        if (tick) {
          const [claimed]: Array<{ run_id: string }> = await connection.query(`SELECT run_id FROM job_ticks WHERE job = 'nightly' AND tick = $1`, [tick]);
          if (claimed) {
            this.logger.debug(`nightly run of ${tick.toISOString()} started by another process: joining run ${claimed.run_id}`);
            return { kind: 'joined', runId: claimed.run_id };
          }
        }
        const pending = await this.compiles.pendingRun(connection);
        if (pending) {
          this.logger.log(`nightly run ${pending.runId} is still under way (${pending.left} item(s) left): joining it${tick ? ` instead of starting the run of ${tick.toISOString()}` : ''}`);
          return { kind: 'joined', runId: pending.runId };
        }
        const run = new Run(connection, this.ds, this.logger);
        // under the lock, and the tick seen unclaimed just now: the claim cannot fail but for a broken connection
        if (tick && !(await this.claimTick(connection, 'nightly', tick, run.id))) throw new RunLostItsLock(`could not claim the nightly tick of ${tick.toISOString()}`);
        let queued: number;
        try {
          queued = await this.compiles.enqueue(connection, run.id);
        } catch (error) {
          throw new RunLostItsLock(`could not write the nightly work list: ${errorMessage(error)}`);
        }
        this.logger.log(`nightly run ${run.id}: ${queued} report(s) queued`);
        await run.item('purge-idempotency-keys', null, null, async () => {
          const [, deleted]: [unknown, number] = await this.ds.query(`DELETE FROM idempotency_keys WHERE created_at < coalesce($1::timestamptz, now()) - interval '24 hours'`, [
            now?.toISOString() ?? null,
          ]);
          this.logger.debug(`deleted ${deleted} idempotency key(s) older than 24 h`);
          return 'done';
        });
        return { kind: 'started', runId: run.id, queued };
      } finally {
        await connection.query('SELECT pg_advisory_unlock($1::bigint)', [key]).catch((error: unknown) => this.logger.warn(`could not release the nightlyReports lock: ${errorMessage(error)}`));
      }
    } finally {
      await connection.release();
    }
  }

  /**
   * The yearly job: opens the draft of the year just ended (the year before `now`'s year in
   * JOBS_TIME_ZONE) for every municipality that has no report of it yet; 'skipped' where one exists.
   */
  runYearly(now?: Date, tick?: Date): Promise<RunReport> {
    const year = yearIn(this.config.jobsTimeZone, now ?? tick ?? new Date()) - 1;
    return this.locked('yearlyReports', 'yearly', tick, async (run) => {
      for (const municipalityId of await this.municipalities()) {
        await run.item('open-report', municipalityId, year, async () => ((await this.reports.open(municipalityId, year)) === 'opened' ? 'opened' : 'skipped'));
      }
    });
  }

  /**
   * The minutely job: records the calls whose offer deadline has passed (competitions.md: readers
   * already treat them as closed by the clock; this writes status `closed` and one audit entry per
   * call, CallsService.recordClosed). One item per municipality that had such a call; a tick with
   * none records no item (its claim in job_ticks is all it leaves). Idempotent: a call is recorded once.
   */
  runCloseCalls(tick?: Date): Promise<RunReport> {
    return this.locked('closeCalls', 'close-calls', tick, async (run) => {
      const due: Array<{ municipality_id: string }> = await this.ds.query(
        `SELECT DISTINCT municipality_id::text FROM calls WHERE status = 'published' AND offers_until <= clock_timestamp() ORDER BY 1`,
      );
      for (const { municipality_id: municipalityId } of due) {
        await run.item('close-calls', municipalityId, null, async () => ((await this.calls.recordClosed(municipalityId)) > 0 ? 'done' : 'skipped'));
      }
    });
  }

  /** A shutdown waits for a run in progress, so that its items end recorded; no new run starts meanwhile. */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    await this.compiles.stop();
    await Promise.allSettled([...this.inFlight]);
  }

  private async municipalities(): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.ds.query(`SELECT id FROM municipalities ORDER BY created_at, id`);
    return rows.map((r) => r.id);
  }

  private locked(lock: LockName, label: string, tick: Date | undefined, body: (run: Run) => Promise<void>): Promise<RunReport> {
    return this.tracked(label, () => this.underLock(lock, label, tick, body));
  }

  /** A run the shutdown waits for; none starts once the process is stopping. */
  private tracked(label: string, start: () => Promise<RunReport>): Promise<RunReport> {
    if (this.stopping) {
      this.logger.debug(`${label} run not started: shutting down`);
      return Promise.resolve({ ran: false });
    }
    const running = start();
    this.inFlight.add(running);
    void running.finally(() => this.inFlight.delete(running)).catch(() => undefined);
    return running;
  }

  /**
   * The run of one scheduled tick, claimed on the lock's connection while holding the lock: the
   * lock stops two runs at once, the claim a second run of the same tick by a process whose cron
   * fired after the first run had ended (another host's clock a little behind, a busy event loop).
   * Claims older than a week are deleted by the next claim of the job.
   */
  private async claimTick(connection: QueryRunner, label: string, tick: Date, runId: string): Promise<boolean> {
    const claimed: unknown[] = await connection.query(`INSERT INTO job_ticks (job, tick, run_id, claimed_by) VALUES ($1, $2, $3, $4) ON CONFLICT (job, tick) DO NOTHING RETURNING 1`, [
      label,
      tick,
      runId,
      `${hostname()}:${process.pid}`,
    ]);
    if (claimed.length) await connection.query(`DELETE FROM job_ticks WHERE job = $1 AND tick < $2::timestamptz - interval '7 days'`, [label, tick]);
    return claimed.length > 0;
  }

  private async underLock(lock: LockName, label: string, tick: Date | undefined, body: (run: Run) => Promise<void>): Promise<RunReport> {
    const key = LOCKS[lock].toString();
    const connection = this.ds.createQueryRunner();
    try {
      await connection.connect();
      const [{ locked }]: Array<{ locked: boolean }> = await connection.query('SELECT pg_try_advisory_lock($1::bigint) AS locked', [key]);
      if (!locked) {
        this.logger.debug(`${label} run skipped: another process holds the ${lock} lock`);
        return { ran: false };
      }
      try {
        const run = new Run(connection, this.ds, this.logger);
        if (tick && !(await this.claimTick(connection, label, tick, run.id))) {
          this.logger.debug(`${label} run skipped: the tick of ${tick.toISOString()} was run by another process`);
          return { ran: false };
        }
        const started = Date.now();
        await body(run);
        const summary = outcomeSummary(run.items) || 'nothing to do';
        // a run with nothing to record (the minutely close-calls, most minutes) is not worth a log line
        const line = `${label} run ${run.id} finished in ${Date.now() - started} ms: ${summary}`;
        if (run.items.length) this.logger.log(line);
        else this.logger.debug(line);
        return { ran: true, runId: run.id, items: run.items };
      } finally {
        // a failed unlock means the connection is gone, and the session's lock with it
        await connection.query('SELECT pg_advisory_unlock($1::bigint)', [key]).catch((error: unknown) => this.logger.warn(`could not release the ${lock} lock: ${errorMessage(error)}`));
      }
    } finally {
      await connection.release();
    }
  }
}
