import type { MigrationInterface, QueryRunner } from 'typeorm';

const CHAIN_BODY = `
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
      END`;

/**
 * The two-role deployment: the runtime role may only INSERT into audit_entries and has no right
 * to move audit_heads itself, so the chain trigger runs as the schema's owner (SECURITY DEFINER,
 * with a search_path fixed to the schema, so no object of the caller's can stand in for ours).
 * A head may only be created at its start (seq 0, the zero hash): a role that may insert heads
 * (reports lock the head, creating it first) cannot plant one further on.
 */
export class AuditRoles1796000000004 implements MigrationInterface {
  name = 'AuditRoles1796000000004';

  async up(q: QueryRunner): Promise<void> {
    const [{ schema }]: Array<{ schema: string }> = await q.query(`SELECT quote_ident(current_schema()) AS schema`);
    await q.query(`CREATE OR REPLACE FUNCTION audit_entries_chain() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = ${schema}, pg_temp AS $$${CHAIN_BODY} $$`);
    await q.query(`REVOKE ALL ON FUNCTION audit_entries_chain() FROM PUBLIC`);
    await q.query(`
      CREATE FUNCTION audit_heads_start_at_zero() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.seq <> 0 OR NEW.hash <> repeat('0', 64) THEN
          RAISE EXCEPTION 'audit_heads start at seq 0 and the zero hash: INSERT refused' USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER audit_heads_start_at_zero BEFORE INSERT ON audit_heads FOR EACH ROW EXECUTE FUNCTION audit_heads_start_at_zero()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS audit_heads_start_at_zero ON audit_heads`);
    await q.query(`DROP FUNCTION IF EXISTS audit_heads_start_at_zero()`);
    await q.query(`CREATE OR REPLACE FUNCTION audit_entries_chain() RETURNS trigger LANGUAGE plpgsql SECURITY INVOKER AS $$${CHAIN_BODY} $$`);
    await q.query(`ALTER FUNCTION audit_entries_chain() RESET search_path`);
    await q.query(`GRANT EXECUTE ON FUNCTION audit_entries_chain() TO PUBLIC`);
  }
}
