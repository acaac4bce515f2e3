import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit trail without a lock for the length of every transaction (issue 11).
 *
 * Before: a BEFORE INSERT trigger gave each entry its place in the municipality's chain at once,
 * taking the chain head's row lock, which the transaction then held until it ended; every other
 * write of the municipality waited behind it (a 10 000-row import held them all for its 20–30 s).
 *
 * Now an entry is inserted unsealed (no seq, prev_hash or hash; `ins` keeps the order of
 * insertion) and takes no lock. A deferred constraint trigger seals the transaction's entries
 * while it commits: the first of them to fire takes the head's lock, gives every unsealed entry of
 * that municipality the transaction can see (its own: another transaction's unsealed entries are
 * not committed, and a committed one is always sealed) its seq, prev_hash and hash in insertion
 * order, moves the head once, and the rest find theirs sealed. So the head is locked from the
 * start of the commit to its end, not from the first audited write; entries still commit or roll
 * back with the writes they describe (a rolled-back savepoint takes its entries and their trigger
 * events with it); a crash before the commit loses both, after it neither. Whatever locks the
 * head (a report's publication) still keeps every other write from committing meanwhile.
 *
 * The sealing UPDATE is the one change the append-only trigger lets through: only inside the
 * sealing function (a transaction-local setting it raises), only of an unsealed row, only of seq,
 * prev_hash and hash. The runtime role has no UPDATE right on the table at all (runtime-grants.ts);
 * the function runs as the schema's owner with a fixed search_path, like the chain trigger before it.
 */
export class AuditSealAtCommit1796000000040 implements MigrationInterface {
  name = 'AuditSealAtCommit1796000000040';

  async up(q: QueryRunner): Promise<void> {
    const [{ schema }]: Array<{ schema: string }> = await q.query(`SELECT quote_ident(current_schema()) AS schema`);
    await q.query(`ALTER TABLE audit_entries ADD COLUMN ins bigint GENERATED ALWAYS AS IDENTITY`);
    await q.query(`ALTER TABLE audit_entries ALTER COLUMN seq DROP NOT NULL, ALTER COLUMN prev_hash DROP NOT NULL, ALTER COLUMN hash DROP NOT NULL`);
    // the unsealed entries of a municipality, found by the sealer; empty outside a committing transaction
    await q.query(`CREATE INDEX audit_entries_unsealed_idx ON audit_entries (municipality_id, ins) WHERE hash IS NULL`);

    // on insert: the instant (as before) and nothing of the chain, whatever the caller sent
    await q.query(`
      CREATE OR REPLACE FUNCTION audit_entries_chain() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = ${schema}, pg_temp AS $$
      BEGIN
        NEW.seq := NULL;
        NEW.prev_hash := NULL;
        NEW.hash := NULL;
        NEW.at := date_trunc('milliseconds', now());
        RETURN NEW;
      END $$`);

    // the sealing itself, as the schema's owner, in one call per commit (its search_path set once): every
    // unsealed entry of the municipality the transaction can see, in insertion order
    await q.query(`
      CREATE FUNCTION audit_seal_pending(m uuid) RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = ${schema}, pg_temp AS $$
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
          UPDATE audit_entries SET seq = e.seq, prev_hash = e.prev_hash, hash = e.hash WHERE id = e.id;
          head.seq := e.seq;
          head.hash := e.hash;
          sealed := sealed + 1;
        END LOOP;
        PERFORM set_config('audit.sealing', 'off', true);
        IF sealed > 0 THEN
          UPDATE audit_heads SET seq = head.seq, hash = head.hash WHERE municipality_id = m;
        END IF;
      END $$`);
    // callable by the runtime role (the seal trigger runs as it): it can only seal what its own transaction wrote, as the commit would
    // fires for every entry at commit: the first of a transaction's entries seals them all, the
    // others (one look-up each) find theirs sealed. Not SECURITY DEFINER and without a search_path
    // of its own (each would cost every firing): its names are the schema's, written out
    await q.query(`
      CREATE FUNCTION audit_entries_seal() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        sealed text;
      BEGIN
        -- by the key alone (with "hash IS NULL" in the query the planner may pick the unsealed index and scan it whole, for every entry)
        SELECT hash INTO sealed FROM ${schema}.audit_entries WHERE id = NEW.id;
        IF FOUND AND sealed IS NULL THEN
          PERFORM ${schema}.audit_seal_pending(NEW.municipality_id);
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE CONSTRAINT TRIGGER audit_entries_seal AFTER INSERT ON audit_entries DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit_entries_seal()`);

    await q.query(`
      CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND current_setting('audit.sealing', true) = 'on' AND OLD.hash IS NULL AND NEW.hash IS NOT NULL
           AND (NEW.id, NEW.municipality_id, NEW.at, NEW.actor_id, NEW.actor_email, NEW.action, NEW.entity, NEW.entity_id, NEW.before, NEW.after, NEW.ins)
               IS NOT DISTINCT FROM (OLD.id, OLD.municipality_id, OLD.at, OLD.actor_id, OLD.actor_email, OLD.action, OLD.entity, OLD.entity_id, OLD.before, OLD.after, OLD.ins) THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'audit_entries is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    // the head moves forward by a whole commit's entries at once
    await q.query(`
      CREATE OR REPLACE FUNCTION audit_heads_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'UPDATE' OR NEW.municipality_id <> OLD.municipality_id OR NEW.seq < OLD.seq OR (NEW.seq = OLD.seq AND NEW.hash <> OLD.hash) THEN
          RAISE EXCEPTION 'audit_heads only moves forward: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    const [{ schema }]: Array<{ schema: string }> = await q.query(`SELECT quote_ident(current_schema()) AS schema`);
    await q.query(`DROP TRIGGER audit_entries_seal ON audit_entries`);
    await q.query(`DROP FUNCTION audit_entries_seal()`);
    await q.query(`DROP FUNCTION audit_seal_pending(uuid)`);
    await q.query(`
      CREATE OR REPLACE FUNCTION audit_heads_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'UPDATE' OR NEW.municipality_id <> OLD.municipality_id OR NEW.seq <> OLD.seq + 1 THEN
          RAISE EXCEPTION 'audit_heads only moves forward: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_entries is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION audit_entries_chain() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = ${schema}, pg_temp AS $$
      DECLARE
        head audit_heads%ROWTYPE;
      BEGIN
        INSERT INTO audit_heads (municipality_id, seq, hash) VALUES (NEW.municipality_id, 0, repeat('0', 64)) ON CONFLICT DO NOTHING;
        SELECT * INTO head FROM audit_heads WHERE municipality_id = NEW.municipality_id FOR UPDATE;
        NEW.seq := head.seq + 1;
        NEW.prev_hash := head.hash;
        NEW.at := date_trunc('milliseconds', now());
        NEW.hash := audit_entry_hash(NEW);
        UPDATE audit_heads SET seq = NEW.seq, hash = NEW.hash WHERE municipality_id = NEW.municipality_id;
        RETURN NEW;
      END $$`);
    await q.query(`DROP INDEX audit_entries_unsealed_idx`);
    await q.query(`ALTER TABLE audit_entries ALTER COLUMN seq SET NOT NULL, ALTER COLUMN prev_hash SET NOT NULL, ALTER COLUMN hash SET NOT NULL`);
    await q.query(`ALTER TABLE audit_entries DROP COLUMN ins`);
  }
}
