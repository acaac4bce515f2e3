import type { MigrationInterface, QueryRunner } from 'typeorm';
import { replaceSealing } from './1796000000050-DistributionKeys';

/**
 * Large transactions (an import of 100 000 rows) sealed after they commit, in steps (issue 11,
 * point 2). Sealing at commit (1796000000040) holds the chain head's lock while the commit seals
 * the transaction's entries: for 100 000 entries that is seconds, during which every other write
 * of the municipality waits at its own commit. Now:
 *
 * - every entry records the transaction that wrote it (`xact`, set by the insert trigger), and a
 *   commit seals its own transaction's entries only (no longer every unsealed entry it can see);
 * - a transaction that says so (`SET LOCAL audit.seal = 'after-commit'`, libs/audit
 *   sealAfterCommit) is not sealed at commit: its entries commit unsealed, and
 *   audit_seal_committed(m, n) seals up to n committed entries of the municipality under the
 *   head's lock, in a short transaction of its own; the importer
 *   calls it until none is left, and so do the start-up, the minutely job and the verify, so that
 *   entries left by a process that died between its commit and its sealing get their place;
 * - such a transaction's commit records it in audit_seal_queue (by the seal trigger, as the owner),
 *   and only the entries of queued transactions are sealed after commit, a transaction after
 *   another in the order they were queued (their commits), each in insertion order: one inserted with the
 *   seal trigger off is in no queue, stays unsealed, and the verify reports it, as before;
 * - the seal computes the chain in a loop and writes it in one UPDATE, and the commit's remaining
 *   seal trigger firings (one per entry) return at once (a transaction-local note of what was sealed).
 */
export class AuditSealAfterCommit1796000000080 implements MigrationInterface {
  name = 'AuditSealAfterCommit1796000000080';

  async up(q: QueryRunner): Promise<void> {
    const [{ schema }]: Array<{ schema: string }> = await q.query(`SELECT quote_ident(current_schema()) AS schema`);
    await q.query(`ALTER TABLE audit_entries ADD COLUMN xact xid8`);
    // a transaction's unsealed entries, in order; the seal reads no others (the index by insertion order alone would make a
    // commit step over the unsealed entries of an import still running, or waiting for its steps, one by one)
    await q.query(`CREATE INDEX audit_entries_unsealed_xact_idx ON audit_entries (municipality_id, xact, ins) WHERE hash IS NULL`);
    await q.query(`DROP INDEX audit_entries_unsealed_idx`);
    // the committed transactions whose entries wait for the after-commit sealer
    await q.query(`CREATE TABLE audit_seal_queue (municipality_id uuid NOT NULL REFERENCES municipalities (id), xact xid8 NOT NULL, queued_at timestamptz NOT NULL DEFAULT clock_timestamp(), PRIMARY KEY (municipality_id, xact))`);

    // on insert: the instant, the transaction, nothing of the chain; it reads no table, so it needs no owner's rights
    await q.query(`
      CREATE OR REPLACE FUNCTION audit_entries_chain() RETURNS trigger LANGUAGE plpgsql SECURITY INVOKER AS $$
      BEGIN
        NEW.seq := NULL;
        NEW.prev_hash := NULL;
        NEW.hash := NULL;
        NEW.at := date_trunc('milliseconds', now());
        NEW.xact := pg_current_xact_id();
        RETURN NEW;
      END $$`);
    await q.query(`ALTER FUNCTION audit_entries_chain() RESET ALL`);

    // the chain given to `pending` entries of m (in their insertion order) under the head's lock, written in one UPDATE
    await q.query(`
      CREATE FUNCTION audit_seal_entries(m uuid, own boolean, max integer) RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = ${schema}, pg_temp AS $$
      DECLARE
        head audit_heads%ROWTYPE;
        e audit_entries%ROWTYPE;
        x xid8;
        ids uuid[] := '{}';
        seqs bigint[] := '{}';
        prevs text[] := '{}';
        hashes text[] := '{}';
        n integer := 0;
        last bigint;
      BEGIN
        INSERT INTO audit_heads (municipality_id, seq, hash) VALUES (m, 0, repeat('0', 64)) ON CONFLICT DO NOTHING;
        -- the head row's lock orders the municipality's seals: one chain, no gaps, no forks
        SELECT * INTO head FROM audit_heads WHERE municipality_id = m FOR UPDATE;
        LOOP
          -- one transaction's entries: a commit's own, or the queue's oldest (what is still unsealed once the lock is held)
          IF own THEN
            x := pg_current_xact_id();
          ELSE
            SELECT q.xact INTO x FROM audit_seal_queue q WHERE q.municipality_id = m ORDER BY q.queued_at, q.xact LIMIT 1;
            IF NOT FOUND THEN
              RETURN 0;
            END IF;
          END IF;
          FOR e IN SELECT * FROM audit_entries WHERE municipality_id = m AND hash IS NULL AND xact = x ORDER BY xact, ins LIMIT max LOOP
            e.seq := head.seq + 1;
            e.prev_hash := head.hash;
            e.hash := audit_entry_hash(e);
            n := n + 1;
            ids[n] := e.id;
            seqs[n] := e.seq;
            prevs[n] := e.prev_hash;
            hashes[n] := e.hash;
            head.seq := e.seq;
            head.hash := e.hash;
            last := e.ins;
          END LOOP;
          EXIT WHEN n > 0 OR own;
          -- a queued transaction with nothing left to seal leaves the queue
          DELETE FROM audit_seal_queue WHERE municipality_id = m AND xact = x;
        END LOOP;
        IF n = 0 THEN
          RETURN 0;
        END IF;
        PERFORM set_config('audit.sealing', 'on', true);
        IF n = 1 THEN
          -- a single write's entry, the common case, by its key
          UPDATE audit_entries SET seq = seqs[1], prev_hash = prevs[1], hash = hashes[1] WHERE municipality_id = m AND id = ids[1];
        ELSE
          UPDATE audit_entries a SET seq = u.seq, prev_hash = u.prev_hash, hash = u.hash
            FROM unnest(ids, seqs, prevs, hashes) AS u (id, seq, prev_hash, hash)
           WHERE a.municipality_id = m AND a.id = u.id;
        END IF;
        PERFORM set_config('audit.sealing', 'off', true);
        UPDATE audit_heads SET seq = head.seq, hash = head.hash WHERE municipality_id = m;
        IF own THEN
          -- the commit's other seal trigger firings for m see this and return at once
          PERFORM set_config('audit.sealed_' || replace(m::text, '-', ''), last::text, true);
        ELSIF n < max THEN
          -- the queued transaction is sealed whole
          DELETE FROM audit_seal_queue WHERE municipality_id = m AND xact = x;
        END IF;
        RETURN n;
      END $$`);
    // the commit's seal is now audit_seal_entries(m, true, NULL), called by the trigger below
    await q.query(`DROP FUNCTION audit_seal_pending(uuid)`);
    // the after-commit sealer: only what has committed is visible to its own transaction
    await q.query(`CREATE FUNCTION audit_seal_committed(m uuid, max integer) RETURNS integer LANGUAGE sql SECURITY DEFINER SET search_path = ${schema}, pg_temp AS $$ SELECT audit_seal_entries(m, false, max); $$`);
    // at the commit of a transaction sealed after it: the transaction queued, once per municipality
    await q.query(`
      CREATE FUNCTION audit_queue_seal(m uuid) RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = ${schema}, pg_temp AS $$
      BEGIN
        INSERT INTO audit_seal_queue (municipality_id, xact) VALUES (m, pg_current_xact_id()) ON CONFLICT DO NOTHING;
        PERFORM set_config('audit.queued_' || replace(m::text, '-', ''), 'on', true);
      END $$`);
    // callable by the runtime role, as the trigger below runs as it: it seals only what a commit or the after-commit sealer would

    await q.query(`
      CREATE OR REPLACE FUNCTION audit_entries_seal() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        sealed text;
      BEGIN
        IF current_setting('audit.seal', true) = 'after-commit' THEN
          IF current_setting('audit.queued_' || replace(NEW.municipality_id::text, '-', ''), true) IS DISTINCT FROM 'on' THEN
            PERFORM ${schema}.audit_queue_seal(NEW.municipality_id);
          END IF;
          RETURN NULL;
        END IF;
        IF NEW.ins <= coalesce(nullif(current_setting('audit.sealed_' || replace(NEW.municipality_id::text, '-', ''), true), ''), '0')::bigint THEN
          RETURN NULL;
        END IF;
        -- by the key alone (with "hash IS NULL" in the query the planner may pick the unsealed index and scan it whole, for every entry)
        SELECT hash INTO sealed FROM ${schema}.audit_entries WHERE municipality_id = NEW.municipality_id AND id = NEW.id;
        IF FOUND AND sealed IS NULL THEN
          -- the sealing function itself, not a wrapper (a SQL function with its own settings is planned again at every call)
          PERFORM ${schema}.audit_seal_entries(NEW.municipality_id, true, NULL);
        END IF;
        RETURN NULL;
      END $$`);

    await q.query(`
      CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND current_setting('audit.sealing', true) = 'on' AND OLD.hash IS NULL AND NEW.hash IS NOT NULL
           AND (NEW.id, NEW.municipality_id, NEW.at, NEW.actor_id, NEW.actor_email, NEW.action, NEW.entity, NEW.entity_id, NEW.before, NEW.after, NEW.ins, NEW.xact)
               IS NOT DISTINCT FROM (OLD.id, OLD.municipality_id, OLD.at, OLD.actor_id, OLD.actor_email, OLD.action, OLD.entity, OLD.entity_id, OLD.before, OLD.after, OLD.ins, OLD.xact) THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'audit_entries is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    const [{ schema }]: Array<{ schema: string }> = await q.query(`SELECT quote_ident(current_schema()) AS schema`);
    // nothing left waiting for a sealer the earlier design does not have (a call seals one queued transaction)
    await q.query(`DO $$ DECLARE m uuid; BEGIN FOR m IN SELECT id FROM municipalities LOOP WHILE audit_seal_entries(m, false, NULL) > 0 LOOP END LOOP; END LOOP; END $$`);
    await replaceSealing(q, schema, 'municipality_id = m AND id = e.id', 'municipality_id = NEW.municipality_id AND id = NEW.id');
    await q.query(`DROP FUNCTION audit_seal_committed(uuid, integer)`);
    await q.query(`DROP FUNCTION audit_seal_entries(uuid, boolean, integer)`);
    await q.query(`DROP FUNCTION audit_queue_seal(uuid)`);
    await q.query(`DROP TABLE audit_seal_queue`);
    await q.query(`
      CREATE OR REPLACE FUNCTION audit_entries_chain() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = ${schema}, pg_temp AS $$
      BEGIN
        NEW.seq := NULL;
        NEW.prev_hash := NULL;
        NEW.hash := NULL;
        NEW.at := date_trunc('milliseconds', now());
        RETURN NEW;
      END $$`);
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
    await q.query(`CREATE INDEX audit_entries_unsealed_idx ON audit_entries (municipality_id, ins) WHERE hash IS NULL`);
    await q.query(`DROP INDEX audit_entries_unsealed_xact_idx`);
    await q.query(`ALTER TABLE audit_entries DROP COLUMN xact`);
  }
}
