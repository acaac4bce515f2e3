import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The nightly compile as a shared work list (libs/jobs, README "The scheduled jobs and the
 * worker"): the process that claims the tick writes one `job_runs` row per (municipality, year)
 * with outcome `queued`; every process with the scheduler takes items one at a time
 * (`FOR UPDATE SKIP LOCKED`), marks them `running` under a claim of its own and a lease, and
 * records the outcome in the compile's own transaction only while the claim is still its own.
 *
 * - claimed_by: the process that holds (or last held) the item, `host:pid`.
 * - claim: a fresh id per taking of the item; the outcome is written only where it still matches,
 *   so a process whose item was taken from it (its lease expired) cannot record, nor commit, it.
 * - lease_until: the claimer renews it while the item runs; past it, any process queues the item again.
 * - attempts: how many times the item was taken; one taken too often (each taker died mid-item) is
 *   recorded `failed` instead of being tried again.
 * - job_runs_pending_idx: what the takers and the progress counts read, the queued and running
 *   items only (a small part of the table once the run is done).
 */
export class NightlyWorkList1796000000070 implements MigrationInterface {
  name = 'NightlyWorkList1796000000070';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE job_runs DROP CONSTRAINT job_runs_outcome_check`);
    await q.query(`ALTER TABLE job_runs ADD CONSTRAINT job_runs_outcome_check CHECK (outcome IN ('queued', 'running', 'compiled', 'skipped', 'opened', 'failed', 'done'))`);
    await q.query(`
      ALTER TABLE job_runs
        ADD COLUMN claimed_by text,
        ADD COLUMN claim uuid,
        ADD COLUMN lease_until timestamptz,
        ADD COLUMN attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0)`);
    await q.query(`CREATE INDEX job_runs_pending_idx ON job_runs (job, started_at, id) WHERE outcome IN ('queued', 'running')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX job_runs_pending_idx`);
    await q.query(`UPDATE job_runs SET outcome = 'failed', error = 'not run: the work list was removed (migration reverted)', finished_at = clock_timestamp() WHERE outcome = 'queued'`);
    await q.query(`ALTER TABLE job_runs DROP COLUMN claimed_by, DROP COLUMN claim, DROP COLUMN lease_until, DROP COLUMN attempts`);
    await q.query(`ALTER TABLE job_runs DROP CONSTRAINT job_runs_outcome_check`);
    await q.query(`ALTER TABLE job_runs ADD CONSTRAINT job_runs_outcome_check CHECK (outcome IN ('running', 'compiled', 'skipped', 'opened', 'failed', 'done'))`);
  }
}
