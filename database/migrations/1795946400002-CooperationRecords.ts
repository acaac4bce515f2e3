import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Non-financial cooperation, dialogue commissions (members, meetings), idempotency keys and the
 * audit trail. The trail is a hash chain per municipality that the database itself builds (a
 * BEFORE INSERT trigger assigns seq, prev_hash and hash under a lock on the municipality's head
 * row) and keeps append-only (triggers refuse UPDATE, DELETE and TRUNCATE).
 */
export class CooperationRecords1795946400002 implements MigrationInterface {
  name = 'CooperationRecords1795946400002';

  async up(q: QueryRunner): Promise<void> {
    // gist indexes over (uuid, daterange): the exclusion constraint on memberships
    await q.query(`CREATE EXTENSION IF NOT EXISTS btree_gist`);

    await q.query(`CREATE INDEX tasks_status_idx ON tasks (municipality_id, status)`);

    await q.query(`
      CREATE TABLE activities (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        municipality_id uuid NOT NULL REFERENCES municipalities (id),
        program_id uuid NOT NULL,
        type text NOT NULL CHECK (type IN ('consultation', 'information', 'joint-team', 'event', 'training', 'premises', 'promotion', 'other')),
        title text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
        start_date date NOT NULL,
        end_date date,
        department text NOT NULL,
        participants integer CHECK (participants >= 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        CONSTRAINT activities_municipality_id_key UNIQUE (municipality_id, id),
        CONSTRAINT activities_program_fkey FOREIGN KEY (municipality_id, program_id) REFERENCES programs (municipality_id, id),
        CONSTRAINT activities_dates_check CHECK (end_date IS NULL OR start_date <= end_date)
      )`);
    await q.query(`CREATE INDEX activities_start_idx ON activities (municipality_id, start_date)`);
    await q.query(`CREATE INDEX activities_program_idx ON activities (municipality_id, program_id)`);
    await q.query(`
      CREATE TABLE activity_ngos (
        municipality_id uuid NOT NULL,
        activity_id uuid NOT NULL,
        ngo_id uuid NOT NULL,
        position smallint NOT NULL CHECK (position >= 0),
        PRIMARY KEY (activity_id, ngo_id),
        CONSTRAINT activity_ngos_activity_fkey FOREIGN KEY (municipality_id, activity_id) REFERENCES activities (municipality_id, id) ON DELETE CASCADE,
        CONSTRAINT activity_ngos_ngo_fkey FOREIGN KEY (municipality_id, ngo_id) REFERENCES ngos (municipality_id, id)
      )`);
    await q.query(`CREATE INDEX activity_ngos_ngo_idx ON activity_ngos (municipality_id, ngo_id)`);

    await q.query(`
      CREATE TABLE commissions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        municipality_id uuid NOT NULL REFERENCES municipalities (id),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
        sphere text,
        department text NOT NULL,
        term_start date NOT NULL,
        term_end date NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        CONSTRAINT commissions_municipality_id_key UNIQUE (municipality_id, id),
        CONSTRAINT commissions_term_check CHECK (term_start <= term_end)
      )`);
    // one NGO holds at most one membership of a commission at any moment: the database refuses an
    // overlap itself, so two concurrent requests cannot both pass a check made in the application
    await q.query(`
      CREATE TABLE commission_members (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        municipality_id uuid NOT NULL,
        commission_id uuid NOT NULL,
        ngo_id uuid NOT NULL,
        representative text NOT NULL CHECK (length(representative) BETWEEN 1 AND 200),
        role text NOT NULL CHECK (role IN ('chair', 'vice-chair', 'secretary', 'member')),
        from_date date NOT NULL,
        to_date date,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        CONSTRAINT commission_members_municipality_id_key UNIQUE (municipality_id, id),
        CONSTRAINT commission_members_commission_fkey FOREIGN KEY (municipality_id, commission_id) REFERENCES commissions (municipality_id, id),
        CONSTRAINT commission_members_ngo_fkey FOREIGN KEY (municipality_id, ngo_id) REFERENCES ngos (municipality_id, id),
        CONSTRAINT commission_members_dates_check CHECK (to_date IS NULL OR from_date <= to_date),
        CONSTRAINT commission_members_no_overlap EXCLUDE USING gist (commission_id WITH =, ngo_id WITH =, daterange(from_date, to_date, '[]') WITH &&)
      )`);
    await q.query(`CREATE INDEX commission_members_ngo_idx ON commission_members (municipality_id, ngo_id)`);
    await q.query(`
      CREATE TABLE commission_meetings (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        municipality_id uuid NOT NULL,
        commission_id uuid NOT NULL,
        date date NOT NULL,
        title text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        CONSTRAINT commission_meetings_municipality_id_key UNIQUE (municipality_id, id),
        CONSTRAINT commission_meetings_commission_fkey FOREIGN KEY (municipality_id, commission_id) REFERENCES commissions (municipality_id, id)
      )`);
    await q.query(`CREATE INDEX commission_meetings_commission_idx ON commission_meetings (municipality_id, commission_id, date)`);
    await q.query(`
      CREATE TABLE meeting_ngos (
        municipality_id uuid NOT NULL,
        meeting_id uuid NOT NULL,
        ngo_id uuid NOT NULL,
        PRIMARY KEY (meeting_id, ngo_id),
        CONSTRAINT meeting_ngos_meeting_fkey FOREIGN KEY (municipality_id, meeting_id) REFERENCES commission_meetings (municipality_id, id) ON DELETE CASCADE,
        CONSTRAINT meeting_ngos_ngo_fkey FOREIGN KEY (municipality_id, ngo_id) REFERENCES ngos (municipality_id, id)
      )`);

    // The first response to a write carrying an Idempotency-Key, kept 24 h. The row is inserted in
    // the same transaction as the write, so a retry either waits for that transaction or replays it.
    await q.query(`
      CREATE TABLE idempotency_keys (
        municipality_id uuid NOT NULL REFERENCES municipalities (id),
        user_id uuid NOT NULL,
        key text NOT NULL,
        fingerprint text NOT NULL,
        status integer,
        response text,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (municipality_id, user_id, key)
      )`);
    await q.query(`CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at)`);

    await q.query(`
      CREATE TABLE audit_heads (
        municipality_id uuid PRIMARY KEY REFERENCES municipalities (id),
        seq bigint NOT NULL,
        hash text NOT NULL
      )`);
    await q.query(`
      CREATE TABLE audit_entries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        municipality_id uuid NOT NULL REFERENCES municipalities (id),
        seq bigint NOT NULL,
        at timestamptz NOT NULL,
        actor_id uuid,
        actor_email text,
        action text NOT NULL,
        entity text NOT NULL,
        entity_id text,
        before jsonb,
        after jsonb,
        prev_hash text NOT NULL,
        hash text NOT NULL,
        CONSTRAINT audit_entries_seq_key UNIQUE (municipality_id, seq)
      )`);
    await q.query(`CREATE INDEX audit_entries_entity_idx ON audit_entries (municipality_id, entity, entity_id)`);

    // What an entry's hash covers: every column but id and hash, as one JSON array in jsonb's text
    // form (deterministic), the instant in UTC with microseconds.
    await q.query(`
      CREATE FUNCTION audit_entry_hash(e audit_entries) RETURNS text LANGUAGE sql STABLE AS $$
        SELECT encode(sha256(convert_to(jsonb_build_array(
          e.municipality_id::text, e.seq, to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
          e.actor_id::text, e.actor_email, e.action, e.entity, e.entity_id, e.before, e.after, e.prev_hash
        )::text, 'UTF8')), 'hex')
      $$`);
    await q.query(`
      CREATE FUNCTION audit_entries_chain() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        head audit_heads%ROWTYPE;
      BEGIN
        INSERT INTO audit_heads (municipality_id, seq, hash) VALUES (NEW.municipality_id, 0, repeat('0', 64)) ON CONFLICT DO NOTHING;
        -- the head row's lock orders the municipality's writers: one chain, no gaps, no forks
        SELECT * INTO head FROM audit_heads WHERE municipality_id = NEW.municipality_id FOR UPDATE;
        NEW.seq := head.seq + 1;
        NEW.prev_hash := head.hash;
        NEW.at := date_trunc('milliseconds', now());
        NEW.hash := audit_entry_hash(NEW);
        UPDATE audit_heads SET seq = NEW.seq, hash = NEW.hash WHERE municipality_id = NEW.municipality_id;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER audit_entries_chain BEFORE INSERT ON audit_entries FOR EACH ROW EXECUTE FUNCTION audit_entries_chain()`);
    await q.query(`
      CREATE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_entries is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()`);
    await q.query(`CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only()`);
    await q.query(`
      CREATE FUNCTION audit_heads_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'UPDATE' OR NEW.municipality_id <> OLD.municipality_id OR NEW.seq <> OLD.seq + 1 THEN
          RAISE EXCEPTION 'audit_heads only moves forward: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER audit_heads_forward_only BEFORE UPDATE OR DELETE ON audit_heads FOR EACH ROW EXECUTE FUNCTION audit_heads_forward_only()`);
    await q.query(`CREATE TRIGGER audit_heads_no_truncate BEFORE TRUNCATE ON audit_heads FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['audit_entries', 'audit_heads', 'idempotency_keys', 'meeting_ngos', 'commission_meetings', 'commission_members', 'commissions', 'activity_ngos', 'activities']) {
      await q.query(`DROP TABLE IF EXISTS ${table} CASCADE`);
    }
    for (const fn of ['audit_heads_forward_only()', 'audit_entries_append_only()', 'audit_entries_chain()']) await q.query(`DROP FUNCTION IF EXISTS ${fn}`);
    await q.query(`DROP INDEX IF EXISTS tasks_status_idx`);
  }
}
