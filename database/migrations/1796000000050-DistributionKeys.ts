import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Tables whose key was `id` beside a UNIQUE (municipality_id, id) that the composite foreign keys pointed at. */
const KEYED_BY_ID = ['ngos', 'programs', 'tasks', 'activities', 'commissions', 'commission_members', 'commission_meetings'];

/** The link tables: their key and uniqueness gain municipality_id in front. */
const LINKS: ReadonlyArray<{ table: string; key: string }> = [
  { table: 'task_ngos', key: 'task_id, ngo_id' },
  { table: 'activity_ngos', key: 'activity_id, ngo_id' },
  { table: 'meeting_ngos', key: 'meeting_id, ngo_id' },
];

/**
 * Ready for a distributed PostgreSQL (Citus, distributed by municipality_id): every tenant
 * table's primary key, unique and exclusion constraints start with municipality_id, and every
 * foreign key between tenant tables pairs municipality_id with municipality_id, so that a
 * municipality's rows and every check between them can live on one node
 * (test/e2e/distribution.e2e-spec.ts reads the catalog and holds the schema to it).
 *
 * - ngos, programs, tasks, activities, commissions, commission_members, commission_meetings:
 *   PRIMARY KEY (municipality_id, id) in place of (id) and of the UNIQUE (municipality_id, id)
 *   beside it; the foreign keys that pointed at that unique constraint are dropped and made
 *   again as they were (pg_get_constraintdef: same columns, same ON DELETE), now on the key.
 * - users: PRIMARY KEY (municipality_id, id); web_sessions and recovery_codes point at it with
 *   (municipality_id, user_id), ON DELETE CASCADE as before.
 * - web_sessions: PRIMARY KEY (municipality_id, id), and a plain index on id for the one look-up
 *   that knows only the cookie (its id is the SHA-256 of 32 random bytes: unique by construction).
 * - audit_entries: PRIMARY KEY (municipality_id, id); the sealing functions find an entry by
 *   (municipality_id, id) (they are replaced with the same rights: SECURITY DEFINER, fixed search_path).
 * - task_ngos, activity_ngos, meeting_ngos: PRIMARY KEY (municipality_id, …); task_ngos' position
 *   is unique per (municipality_id, task_id).
 * - commission_members_no_overlap compares municipality_id with = as well.
 * Every id is still unique on its own (gen_random_uuid()); the constraints only no longer say so.
 */
export class DistributionKeys1796000000050 implements MigrationInterface {
  name = 'DistributionKeys1796000000050';

  async up(q: QueryRunner): Promise<void> {
    const schema = await currentSchema(q);
    for (const table of KEYED_BY_ID) {
      await withReferencesDropped(q, table, () =>
        q.query(`ALTER TABLE ${table} DROP CONSTRAINT ${table}_municipality_id_key, DROP CONSTRAINT ${table}_pkey, ADD CONSTRAINT ${table}_pkey PRIMARY KEY (municipality_id, id)`),
      );
    }

    // a session whose municipality is not its user's could not be resolved anyway: it goes, the rest must match their user
    await q.query(`DELETE FROM web_sessions s WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = s.user_id AND u.municipality_id = s.municipality_id)`);
    await q.query(`ALTER TABLE web_sessions DROP CONSTRAINT web_sessions_user_id_fkey`);
    await q.query(`ALTER TABLE recovery_codes DROP CONSTRAINT recovery_codes_user_id_fkey`);
    await q.query(`ALTER TABLE users DROP CONSTRAINT users_pkey, ADD CONSTRAINT users_pkey PRIMARY KEY (municipality_id, id)`);
    await q.query(
      `ALTER TABLE web_sessions ADD CONSTRAINT web_sessions_user_id_fkey FOREIGN KEY (municipality_id, user_id) REFERENCES users (municipality_id, id) ON DELETE CASCADE`,
    );
    await q.query(
      `ALTER TABLE recovery_codes ADD CONSTRAINT recovery_codes_user_id_fkey FOREIGN KEY (municipality_id, user_id) REFERENCES users (municipality_id, id) ON DELETE CASCADE`,
    );
    await q.query(`DROP INDEX web_sessions_user_idx`);
    await q.query(`CREATE INDEX web_sessions_user_idx ON web_sessions (municipality_id, user_id)`);
    await q.query(`ALTER TABLE web_sessions DROP CONSTRAINT web_sessions_pkey, ADD CONSTRAINT web_sessions_pkey PRIMARY KEY (municipality_id, id)`);
    // the cookie names the session, not its municipality
    await q.query(`CREATE INDEX web_sessions_id_idx ON web_sessions (id)`);

    await q.query(`ALTER TABLE audit_entries DROP CONSTRAINT audit_entries_pkey, ADD CONSTRAINT audit_entries_pkey PRIMARY KEY (municipality_id, id)`);
    await replaceSealing(q, schema, 'municipality_id = m AND id = e.id', 'municipality_id = NEW.municipality_id AND id = NEW.id');

    for (const { table, key } of LINKS) {
      await q.query(`ALTER TABLE ${table} DROP CONSTRAINT ${table}_pkey, ADD CONSTRAINT ${table}_pkey PRIMARY KEY (municipality_id, ${key})`);
    }
    await q.query(`ALTER TABLE task_ngos DROP CONSTRAINT task_ngos_position_key, ADD CONSTRAINT task_ngos_position_key UNIQUE (municipality_id, task_id, position)`);

    await q.query(`
      ALTER TABLE commission_members DROP CONSTRAINT commission_members_no_overlap,
        ADD CONSTRAINT commission_members_no_overlap EXCLUDE USING gist (municipality_id WITH =, commission_id WITH =, ngo_id WITH =, daterange(from_date, to_date, '[]') WITH &&)`);
  }

  async down(q: QueryRunner): Promise<void> {
    const schema = await currentSchema(q);
    await q.query(`
      ALTER TABLE commission_members DROP CONSTRAINT commission_members_no_overlap,
        ADD CONSTRAINT commission_members_no_overlap EXCLUDE USING gist (commission_id WITH =, ngo_id WITH =, daterange(from_date, to_date, '[]') WITH &&)`);

    await q.query(`ALTER TABLE task_ngos DROP CONSTRAINT task_ngos_position_key, ADD CONSTRAINT task_ngos_position_key UNIQUE (task_id, position)`);
    for (const { table, key } of LINKS) {
      await q.query(`ALTER TABLE ${table} DROP CONSTRAINT ${table}_pkey, ADD CONSTRAINT ${table}_pkey PRIMARY KEY (${key})`);
    }

    await replaceSealing(q, schema, 'id = e.id', 'id = NEW.id');
    await q.query(`ALTER TABLE audit_entries DROP CONSTRAINT audit_entries_pkey, ADD CONSTRAINT audit_entries_pkey PRIMARY KEY (id)`);

    await q.query(`DROP INDEX web_sessions_id_idx`);
    await q.query(`ALTER TABLE web_sessions DROP CONSTRAINT web_sessions_pkey, ADD CONSTRAINT web_sessions_pkey PRIMARY KEY (id)`);
    await q.query(`DROP INDEX web_sessions_user_idx`);
    await q.query(`CREATE INDEX web_sessions_user_idx ON web_sessions (user_id)`);
    await q.query(`ALTER TABLE web_sessions DROP CONSTRAINT web_sessions_user_id_fkey`);
    await q.query(`ALTER TABLE recovery_codes DROP CONSTRAINT recovery_codes_user_id_fkey`);
    await q.query(`ALTER TABLE users DROP CONSTRAINT users_pkey, ADD CONSTRAINT users_pkey PRIMARY KEY (id)`);
    await q.query(`ALTER TABLE web_sessions ADD CONSTRAINT web_sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE`);
    await q.query(`ALTER TABLE recovery_codes ADD CONSTRAINT recovery_codes_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE`);

    for (const table of [...KEYED_BY_ID].reverse()) {
      await withReferencesDropped(q, table, () =>
        q.query(`ALTER TABLE ${table} DROP CONSTRAINT ${table}_pkey, ADD CONSTRAINT ${table}_pkey PRIMARY KEY (id), ADD CONSTRAINT ${table}_municipality_id_key UNIQUE (municipality_id, id)`),
      );
    }
  }
}

async function currentSchema(q: QueryRunner): Promise<string> {
  const [{ schema }]: Array<{ schema: string }> = await q.query(`SELECT quote_ident(current_schema()) AS schema`);
  return schema;
}

/**
 * Drops the foreign keys that point at `table` (they depend on the unique index being replaced),
 * runs `change`, and makes them again exactly as they were defined.
 */
async function withReferencesDropped(q: QueryRunner, table: string, change: () => Promise<unknown>): Promise<void> {
  const references: Array<{ source: string; name: string; definition: string }> = await q.query(
    `SELECT conrelid::regclass::text AS source, quote_ident(conname) AS name, pg_get_constraintdef(oid) AS definition
       FROM pg_constraint WHERE contype = 'f' AND confrelid = $1::regclass ORDER BY 1, 2`,
    [table],
  );
  for (const r of references) await q.query(`ALTER TABLE ${r.source} DROP CONSTRAINT ${r.name}`);
  await change();
  for (const r of references) await q.query(`ALTER TABLE ${r.source} ADD CONSTRAINT ${r.name} ${r.definition}`);
}

/**
 * audit_seal_pending and audit_entries_seal (AuditSealAtCommit1796000000040) as they were, but for
 * how they find one entry: `sealRow` in the sealing UPDATE, `checkRow` in the trigger's look-up.
 */
export async function replaceSealing(q: QueryRunner, schema: string, sealRow: string, checkRow: string): Promise<void> {
  await q.query(`
      CREATE OR REPLACE FUNCTION audit_seal_pending(m uuid) RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = ${schema}, pg_temp AS $$
      DECLARE
        head audit_heads%ROWTYPE;
        e audit_entries%ROWTYPE;
        sealed integer := 0;
      BEGIN
        INSERT INTO audit_heads (municipality_id, seq, hash) VALUES (m, 0, repeat('0', 64)) ON CONFLICT DO NOTHING;
        -- the head row's lock orders the municipality's commits: one chain, no gaps, no forks
        SELECT * INTO head FROM audit_heads WHERE municipality_id = m FOR UPDATE;
        PERFORM set_config('audit.sealing', 'on', true);
        FOR e IN SELECT * FROM audit_entries WHERE municipality_id = m AND hash IS NULL ORDER BY ins LOOP
          e.seq := head.seq + 1;
          e.prev_hash := head.hash;
          e.hash := audit_entry_hash(e);
          -- one row by its key: a plan that does not depend on what the statistics think of a table just filled
          UPDATE audit_entries SET seq = e.seq, prev_hash = e.prev_hash, hash = e.hash WHERE ${sealRow};
          head.seq := e.seq;
          head.hash := e.hash;
          sealed := sealed + 1;
        END LOOP;
        PERFORM set_config('audit.sealing', 'off', true);
        IF sealed > 0 THEN
          UPDATE audit_heads SET seq = head.seq, hash = head.hash WHERE municipality_id = m;
        END IF;
      END $$`);
  await q.query(`
      CREATE OR REPLACE FUNCTION audit_entries_seal() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        sealed text;
      BEGIN
        -- by the key alone (with "hash IS NULL" in the query the planner may pick the unsealed index and scan it whole, for every entry)
        SELECT hash INTO sealed FROM ${schema}.audit_entries WHERE ${checkRow};
        IF FOUND AND sealed IS NULL THEN
          PERFORM ${schema}.audit_seal_pending(NEW.municipality_id);
        END IF;
        RETURN NULL;
      END $$`);
}
