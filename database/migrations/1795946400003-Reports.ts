import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Annual reports: the newest compile of each year (the draft), the published revisions frozen
 * as they were (summary, task list, charts; the database refuses to change them), and the
 * scheduler's runs.
 */
export class Reports1795946400003 implements MigrationInterface {
  name = 'Reports1795946400003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE reports (
        municipality_id uuid NOT NULL REFERENCES municipalities (id),
        year integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
        compiled_at timestamptz NOT NULL,
        summary jsonb NOT NULL,
        content_hash text NOT NULL,
        input_fingerprint text NOT NULL,
        revision integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (municipality_id, year)
      )`);
    await q.query(`
      CREATE TABLE report_revisions (
        municipality_id uuid NOT NULL,
        year integer NOT NULL,
        revision integer NOT NULL CHECK (revision >= 1),
        compiled_at timestamptz NOT NULL,
        published_at timestamptz NOT NULL DEFAULT now(),
        published_by uuid,
        published_by_email text,
        summary jsonb NOT NULL,
        content_hash text NOT NULL,
        input_fingerprint text NOT NULL,
        charts jsonb NOT NULL DEFAULT '[]',
        details jsonb NOT NULL DEFAULT '{}',
        tasks integer NOT NULL,
        PRIMARY KEY (municipality_id, year, revision),
        CONSTRAINT report_revisions_report_fkey FOREIGN KEY (municipality_id, year) REFERENCES reports (municipality_id, year)
      )`);
    // the transparency table of a revision: one row per funded task, as it stood at publication
    await q.query(`
      CREATE TABLE report_revision_tasks (
        municipality_id uuid NOT NULL,
        year integer NOT NULL,
        revision integer NOT NULL,
        position integer NOT NULL,
        task_id uuid NOT NULL,
        title text NOT NULL,
        sphere text NOT NULL,
        mode text NOT NULL,
        form text NOT NULL,
        department text NOT NULL,
        competition_ref text,
        amount_requested numeric(14,2),
        amount_granted numeric(14,2) NOT NULL,
        amount_settled numeric(14,2),
        start_date date NOT NULL,
        end_date date NOT NULL,
        status text NOT NULL,
        beneficiaries integer,
        ngos jsonb NOT NULL,
        program_id uuid NOT NULL,
        program_title text NOT NULL,
        PRIMARY KEY (municipality_id, year, revision, position),
        CONSTRAINT report_revision_tasks_revision_fkey FOREIGN KEY (municipality_id, year, revision) REFERENCES report_revisions (municipality_id, year, revision)
      )`);
    await q.query(`
      CREATE FUNCTION report_revisions_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is frozen: a published revision never changes (% refused)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    for (const table of ['report_revisions', 'report_revision_tasks']) {
      await q.query(`CREATE TRIGGER ${table}_frozen BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION report_revisions_frozen()`);
      await q.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION report_revisions_frozen()`);
    }

    await q.query(`
      CREATE TABLE job_runs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        run_id uuid NOT NULL,
        job text NOT NULL,
        municipality_id uuid REFERENCES municipalities (id),
        year integer,
        started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        finished_at timestamptz,
        outcome text NOT NULL CHECK (outcome IN ('running', 'compiled', 'skipped', 'opened', 'failed', 'done')),
        error text
      )`);
    await q.query(`CREATE INDEX job_runs_municipality_idx ON job_runs (municipality_id, started_at DESC)`);
    await q.query(`CREATE INDEX job_runs_run_idx ON job_runs (run_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['job_runs', 'report_revision_tasks', 'report_revisions', 'reports']) await q.query(`DROP TABLE IF EXISTS ${table}`);
    await q.query(`DROP FUNCTION IF EXISTS report_revisions_frozen()`);
  }
}
