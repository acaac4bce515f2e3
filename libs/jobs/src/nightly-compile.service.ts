import { APP_CONFIG, type AppConfig } from '@app/core';
import { ReportsService, type CompileOutcome } from '@app/reports';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { errorMessage, jobErrorSummary } from './job-errors';
import type { JobRunItem } from './job-runs';

/** An item taken more often than this (each taker stopped before recording it: killed, out of memory) is recorded `failed`, not tried again. */
export const NIGHTLY_MAX_ATTEMPTS = 3;
/** How often a process with nothing to take looks again while other processes' items still run (they end, or their lease expires). */
const IDLE_POLL_MS = 500;
/** How often a process working on a run logs the run's progress. */
const PROGRESS_EVERY_MS = 30_000;

const PENDING = `job = 'compile-report' AND outcome IN ('queued', 'running')`;

interface Claimed {
  id: string;
  runId: string;
  municipalityId: string;
  year: number;
  claim: string;
  attempts: number;
  /** The process whose lease on the item had expired when this one took it; null for a queued item. */
  previous: string | null;
}

/** The item was taken from this process (its lease expired and another process took it): this process may neither record nor commit it. */
export class ClaimLost extends Error {}

export interface RunProgress {
  runId: string;
  total: number;
  queued: number;
  running: number;
  done: number;
}

/**
 * The nightly compile's shared work list (README "The scheduled jobs and the worker"). A run is
 * one `job_runs` row per report (municipality, year), written `queued` by the process that started
 * the run (enqueue). Every process with the scheduler works on the queued items of any run
 * (drain): it takes one item at a time per slot (NIGHTLY_COMPILE_CONCURRENCY slots) with
 * `FOR UPDATE SKIP LOCKED`, marks it `running` with its own claim and a lease (NIGHTLY_LEASE_SECONDS),
 * renews the lease of what it holds every third of that, and writes the outcome inside the
 * compile's own transaction only where the claim is still its own, so that a compile commits if
 * and only if its item is recorded by the process that did it. An item whose lease expired (its
 * process died, or stalled longer than the lease) is taken again by any process; the first
 * taker, should it wake, can then neither record nor commit it (ClaimLost), and the report's row
 * lock (ReportsService.compile) makes the two compiles run one after the other, never both.
 */
@Injectable()
export class NightlyCompileService implements OnModuleDestroy {
  private readonly logger = new Logger('NightlyCompile');
  /** `host:pid`, as job_ticks.claimed_by */
  readonly claimer = `${hostname()}:${process.pid}`;
  private readonly held = new Set<string>();
  private drainer?: Promise<void>;
  private stopping = false;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly reports: ReportsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Writes the run's work list in one statement: an item per report of every municipality, in
   * the order of the municipalities' creation and then the years, leaving out the reports that
   * an earlier run still has queued or running. On the connection that holds the nightly lock.
   */
  async enqueue(connection: QueryRunner, runId: string): Promise<number> {
    const [{ queued }]: Array<{ queued: number }> = await connection.query(
      `WITH queued AS (
         INSERT INTO job_runs (run_id, job, municipality_id, year, outcome)
         SELECT $1, 'compile-report', r.municipality_id, r.year, 'queued'
           FROM reports r JOIN municipalities m ON m.id = r.municipality_id
          WHERE NOT EXISTS (SELECT 1 FROM job_runs p
                             WHERE p.job = 'compile-report' AND p.outcome IN ('queued', 'running') AND p.municipality_id = r.municipality_id AND p.year = r.year)
          ORDER BY m.created_at, m.id, r.year
         RETURNING 1)
       SELECT count(*)::int AS queued FROM queued`,
      [runId],
    );
    return queued;
  }

  /** A run that still has items queued or running (the oldest), if any. */
  async pendingRun(connection: QueryRunner | DataSource = this.ds): Promise<{ runId: string; left: number } | null> {
    const [row]: Array<{ run_id: string; left: number }> = await connection.query(
      `SELECT run_id, count(*)::int AS left FROM job_runs WHERE ${PENDING} GROUP BY run_id ORDER BY min(started_at) LIMIT 1`,
    );
    return row ? { runId: row.run_id, left: row.left } : null;
  }

  /** Works on the run's items (and any other run's) until none of the run's is queued or running, or the process is stopping. */
  async finish(runId: string): Promise<void> {
    for (;;) {
      await this.drain();
      if (this.stopping) return;
      const [{ left }]: Array<{ left: number }> = await this.ds.query(`SELECT count(*)::int AS left FROM job_runs WHERE run_id = $1 AND outcome IN ('queued', 'running')`, [runId]);
      if (!left) return;
      await sleep(IDLE_POLL_MS);
    }
  }

  /**
   * On start and every minute (the scheduler): when an item waits (queued, or running under an
   * expired lease: its process died), this process works on the list. Never throws.
   */
  resume(): void {
    if (this.stopping || this.drainer) return;
    void (async () => {
      const [{ waiting }]: Array<{ waiting: boolean }> = await this.ds.query(
        `SELECT EXISTS (SELECT 1 FROM job_runs WHERE ${PENDING} AND (outcome = 'queued' OR lease_until < clock_timestamp())) AS waiting`,
      );
      if (!waiting) return;
      this.logger.log('nightly items are waiting (a run left unfinished, or a process that stopped mid-item): working on them');
      await this.drain();
    })().catch((error: unknown) => this.logger.warn(`could not resume the nightly compile: ${errorMessage(error)}`));
  }

  /** The run's items that ended, in the order of the municipalities' creation and the years; the housekeeping after. */
  async items(runId: string): Promise<JobRunItem[]> {
    const rows: Array<{ id: string; job: JobRunItem['job']; municipality_id: string | null; year: number | null; outcome: JobRunItem['outcome']; error: string | null }> = await this.ds.query(
      `SELECT j.id, j.job, j.municipality_id, j.year, j.outcome, j.error
         FROM job_runs j LEFT JOIN municipalities m ON m.id = j.municipality_id
        WHERE j.run_id = $1 AND j.outcome NOT IN ('queued', 'running')
        ORDER BY j.job <> 'compile-report', m.created_at, m.id, j.year, j.started_at`,
      [runId],
    );
    return rows.map((r) => ({ id: r.id, job: r.job, municipalityId: r.municipality_id, year: r.year, outcome: r.outcome, error: r.error }));
  }

  /** Counts of the run's items by state: what GET /jobs lists item by item, summed. */
  async progress(runId: string): Promise<RunProgress> {
    const [row]: Array<{ total: number; queued: number; running: number }> = await this.ds.query(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE outcome = 'queued')::int AS queued, count(*) FILTER (WHERE outcome = 'running')::int AS running
         FROM job_runs WHERE run_id = $1 AND job = 'compile-report'`,
      [runId],
    );
    return { runId, ...row, done: row.total - row.queued - row.running };
  }

  /** No item is taken any more; the ones in hand end recorded. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.drainer?.catch(() => undefined);
  }

  onModuleDestroy(): Promise<void> {
    return this.stop();
  }

  /** One drain at a time per process: its slots take items until nothing is queued or running anywhere. */
  private drain(): Promise<void> {
    if (this.stopping) return Promise.resolve();
    this.drainer ??= this.drainAll().finally(() => (this.drainer = undefined));
    return this.drainer;
  }

  private async drainAll(): Promise<void> {
    const leaseMs = this.config.nightlyLeaseSeconds * 1000;
    const renewal = setInterval(() => void this.renew(), Math.max(1000, Math.floor(leaseMs / 3)));
    const progress = setInterval(() => void this.logProgress(), PROGRESS_EVERY_MS);
    try {
      await Promise.all(Array.from({ length: this.config.nightlyCompileConcurrency }, () => this.slot()));
    } finally {
      clearInterval(renewal);
      clearInterval(progress);
    }
  }

  private async slot(): Promise<void> {
    try {
      while (!this.stopping) {
        const item = await this.take();
        if (item) {
          await this.work(item);
          continue;
        }
        // nothing to take: wait while items still run elsewhere (they end, or their lease expires and they are taken again)
        const [{ running }]: Array<{ running: number }> = await this.ds.query(`SELECT count(*)::int AS running FROM job_runs WHERE job = 'compile-report' AND outcome = 'running'`);
        if (!running) return;
        await sleep(IDLE_POLL_MS);
      }
    } catch (error) {
      // the database went away: what this slot held is left to its lease; the next resume() goes on
      this.logger.warn(`a nightly compile slot stopped: ${errorMessage(error)}`);
    }
  }

  /** Takes the oldest queued item, or one whose lease expired, under a new claim of this process. */
  private async take(): Promise<Claimed | null> {
    const claim = randomUUID();
    const [rows]: [Array<{ id: string; run_id: string; municipality_id: string; year: number; attempts: number; previous: string | null }>, number] = await this.ds.query(
      `WITH next AS (
         SELECT id, CASE WHEN outcome = 'running' THEN claimed_by END AS previous FROM job_runs
          WHERE ${PENDING} AND (outcome = 'queued' OR lease_until < clock_timestamp())
          ORDER BY job, started_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
       UPDATE job_runs j
          SET outcome = 'running', claimed_by = $1, claim = $2, lease_until = clock_timestamp() + make_interval(secs => $3), attempts = j.attempts + 1, started_at = clock_timestamp()
         FROM next WHERE j.id = next.id
       RETURNING j.id, j.run_id, j.municipality_id, j.year, j.attempts, next.previous`,
      [this.claimer, claim, this.config.nightlyLeaseSeconds],
    );
    const row = rows[0];
    if (!row) return null;
    this.held.add(claim);
    return { id: row.id, runId: row.run_id, municipalityId: row.municipality_id, year: row.year, claim, attempts: row.attempts, previous: row.previous };
  }

  private async work(item: Claimed): Promise<void> {
    const what = `compile-report of municipality ${item.municipalityId}, ${item.year} (run ${item.runId})`;
    try {
      if (item.previous) this.logger.warn(`${what}: the lease of ${item.previous} expired before it recorded the item; taken over (attempt ${item.attempts})`);
      if (item.attempts > NIGHTLY_MAX_ATTEMPTS) {
        await this.record(this.ds.manager, item, 'failed', `Taken ${NIGHTLY_MAX_ATTEMPTS} times by processes that stopped before finishing it; not tried again`);
        return;
      }
      try {
        await this.reports.compile(item.municipalityId, item.year, { onlyIfChanged: true, record: (em, outcome) => this.record(em, item, outcome, null) });
      } catch (failure) {
        if (failure instanceof ClaimLost) throw failure;
        this.logger.warn(`${what} failed: ${failure instanceof Error ? (failure.stack ?? failure.message) : String(failure)}`);
        await this.record(this.ds.manager, item, 'failed', jobErrorSummary(failure));
      }
    } catch (error) {
      if (error instanceof ClaimLost) this.logger.warn(`${what}: ${error.message}`);
      // not recorded (the database is unreachable): the lease expires and another taker records it
      else this.logger.error(`${what}: the outcome could not be recorded: ${errorMessage(error)}`);
    } finally {
      this.held.delete(item.claim);
    }
  }

  /** Records the item's outcome where this process's claim still holds it; inside a compile's transaction, a lost claim undoes the compile. */
  private async record(em: EntityManager, item: Claimed, outcome: CompileOutcome | 'failed', error: string | null): Promise<void> {
    const [rows]: [unknown[], number] = await em.query(
      `UPDATE job_runs SET outcome = $3, error = $4, finished_at = clock_timestamp(), lease_until = NULL
        WHERE id = $1 AND claim = $2 AND outcome = 'running' RETURNING id`,
      [item.id, item.claim, outcome, error],
    );
    if (!rows.length) throw new ClaimLost(`the item was taken by another process after this one's lease expired; this one's ${outcome === 'failed' ? 'failure' : 'compile'} is not recorded`);
  }

  private async renew(): Promise<void> {
    if (!this.held.size) return;
    await this.ds
      .query(`UPDATE job_runs SET lease_until = clock_timestamp() + make_interval(secs => $2) WHERE claim = ANY($1::uuid[]) AND outcome = 'running'`, [
        [...this.held],
        this.config.nightlyLeaseSeconds,
      ])
      .catch((error: unknown) => this.logger.warn(`could not renew the lease of ${this.held.size} nightly item(s): ${errorMessage(error)}`));
  }

  private async logProgress(): Promise<void> {
    try {
      const runs: Array<{ run_id: string }> = await this.ds.query(`SELECT DISTINCT run_id FROM job_runs WHERE ${PENDING}`);
      for (const { run_id } of runs) {
        const p = await this.progress(run_id);
        this.logger.log(`nightly run ${run_id}: ${p.done} of ${p.total} done, ${p.running} running, ${p.queued} queued`);
      }
    } catch (error) {
      this.logger.warn(`could not read the nightly progress: ${errorMessage(error)}`);
    }
  }
}
