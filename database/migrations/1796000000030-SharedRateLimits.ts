import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What several instances (API processes and the worker over one database) must share beyond the
 * sessions and the sign-in back-off:
 * - rate_limit_hits: the sign-in rate limits' counters (@fastify/rate-limit's store,
 *   libs/identity/src/rate-limit-store.ts), one row per counter and fixed window, so a limit
 *   reached through requests spread over the instances holds on all of them. The key is the
 *   SHA-256 of the counter's name (the route and the client's address, or the address and the
 *   email typed), so the table holds neither addresses nor emails. Rows whose window has ended are
 *   deleted now and then by the writers (the window_ends_at index keeps that cheap).
 * - job_ticks: one row per scheduled tick of a job (its cron's instant), claimed by the process
 *   that runs it (libs/jobs; claimed_by: host and process id): the advisory lock alone stops two runs at once, not a second run
 *   by a process whose cron fired a moment after the first run ended. Rows older than a week go.
 *
 * Both are global tables, not a municipality's data: a rate-limit counter is keyed by the client's
 * address and the account typed at sign-in, before any municipality is known; a tick belongs to
 * a run over every municipality. Neither carries municipality_id (in Citus: coordinator tables).
 */
export class SharedRateLimits1796000000030 implements MigrationInterface {
  name = 'SharedRateLimits1796000000030';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE rate_limit_hits (
        key bytea PRIMARY KEY CHECK (length(key) = 32),
        hits integer NOT NULL CHECK (hits > 0),
        window_ends_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX rate_limit_hits_window_idx ON rate_limit_hits (window_ends_at)`);
    await q.query(`
      CREATE TABLE job_ticks (
        job text NOT NULL,
        tick timestamptz NOT NULL,
        run_id uuid NOT NULL,
        claimed_by text NOT NULL,
        claimed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (job, tick)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE job_ticks`);
    await q.query(`DROP TABLE rate_limit_hits`);
  }
}
