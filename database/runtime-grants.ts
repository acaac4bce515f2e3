import type { DataSource } from 'typeorm';

/**
 * What the runtime role (DATABASE_URL) may do in a two-role deployment, granted by the schema's
 * owner (DATABASE_MIGRATION_URL) after the migrations on every start, so tables of new migrations
 * are covered without anyone's help: read and write the domain tables, only read the migrations,
 * only append to the audit trail. No ownership, so no ALTER, DROP, DISABLE TRIGGER or CREATE OR
 * REPLACE FUNCTION. audit_heads: INSERT, as the reports create a head before locking it (a trigger
 * lets a head start only at seq 0), and UPDATE of municipality_id alone, which SELECT … FOR UPDATE
 * requires and a trigger refuses to carry out; seq and hash move only inside the chain trigger,
 * which runs as the owner.
 */
export async function grantRuntimeRole(ds: DataSource, role: string, warn: (message: string) => void): Promise<void> {
  const [{ schema, grantee, superuser, owner }]: Array<{ schema: string; grantee: string; superuser: boolean | null; owner: boolean | null }> = await ds.query(
    `SELECT quote_ident(current_schema()) AS schema, quote_ident($1) AS grantee,
            (SELECT rolsuper FROM pg_roles WHERE rolname = $1) AS superuser,
            (SELECT pg_has_role($1, relowner, 'USAGE') FROM pg_class WHERE oid = to_regclass('audit_entries')) AS owner`,
    [role],
  );
  if (superuser === null) throw new Error(`the runtime role "${role}" (DATABASE_URL) does not exist`);
  if (superuser || owner) warn(`the runtime role "${role}" (DATABASE_URL) is ${superuser ? 'a superuser' : 'the owner (or a member of it) of the tables'}: it can disable the audit trail's triggers; give it a role of its own (database/roles.sql)`);
  await ds.transaction(async (em) => {
    for (const sql of [
      `GRANT USAGE ON SCHEMA ${schema} TO ${grantee}`,
      `REVOKE ALL ON ALL TABLES IN SCHEMA ${schema} FROM ${grantee}`,
      `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO ${grantee}`,
      `REVOKE INSERT, UPDATE, DELETE ON migrations, audit_entries, audit_heads, audit_seal_queue FROM ${grantee}`,
      `GRANT INSERT ON audit_entries TO ${grantee}`,
      `GRANT INSERT, UPDATE (municipality_id) ON audit_heads TO ${grantee}`,
      `REVOKE ALL ON ALL SEQUENCES IN SCHEMA ${schema} FROM ${grantee}`,
      `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${schema} TO ${grantee}`,
      // tables that migrations run outside the application (npm run migration:run) create are usable before the next start
      `ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${grantee}`,
      `ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT USAGE, SELECT ON SEQUENCES TO ${grantee}`,
    ]) {
      await em.query(sql);
    }
  });
}
