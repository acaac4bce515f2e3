import { Client } from 'pg';
import { createTestDatabase } from '../utils/test-app';

/**
 * Ready for a distributed PostgreSQL (Citus, distributed by municipality_id): read from the
 * migrated schema's catalog. A tenant table carries municipality_id in its primary key, in every
 * unique or exclusion constraint, and on both sides of every foreign key to another tenant table,
 * paired with the other side's municipality_id (so all of a municipality's rows live on one node
 * and every key check stays on it). Tables that are not a tenant's data are listed here, each
 * with its reason; a table added later is a tenant table unless it is added to a list.
 */

/** Replicated to every node (Citus reference tables): small, global, read by every municipality. */
const REFERENCE_TABLES: Record<string, string> = {
  // the tenants themselves: the distribution key's own table (one row per municipality; every tenant table refers to it)
  municipalities: 'the tenants',
  // the art. 4 ust. 1 dictionary, the same for every municipality (a few dozen rows, changed by migrations)
  spheres: 'dictionary',
  // the deployment's own settings (a handful of keys), not a municipality's
  app_settings: 'deployment settings',
};

/** Global tables that are not replicated: in Citus they stay on the coordinator (local tables). */
const COORDINATOR_TABLES: Record<string, string> = {
  // keyed by the email typed at sign-in, before any municipality is known, whether or not an account has it
  login_backoff: 'sign-in back-off per email',
  // the scheduler's log, written by the one process holding the run's advisory lock: its
  // housekeeping items (the purge of idempotency keys) belong to no municipality (municipality_id NULL)
  job_runs: 'scheduler log',
  // the sign-in rate limits' counters, keyed by (a hash of) the client's address and the email typed (migration 1796000000030)
  rate_limit_hits: 'sign-in rate-limit counters',
  // the scheduler's claim of each cron tick, a run over every municipality (migration 1796000000030)
  job_ticks: 'scheduler tick claims',
};

/** TypeORM's record of applied migrations. */
const IGNORED = ['migrations'];

interface Table {
  name: string;
  municipalityColumn: boolean;
  municipalityNotNull: boolean;
}

interface Key {
  name: string;
  kind: 'p' | 'u' | 'x' | 'f' | 'i';
  table: string;
  columns: string[];
  refTable: string | null;
  refColumns: string[];
  /** an exclusion constraint's operator per column */
  operators: string[];
}

const TABLES_SQL = `
  SELECT c.relname AS name, a.attnum IS NOT NULL AS "municipalityColumn", coalesce(a.attnotnull, false) AS "municipalityNotNull"
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'municipality_id' AND NOT a.attisdropped
   WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
   ORDER BY c.relname`;

// a column list in key order; an expression's place (attnum 0) shows as "(expression)"
const columnsOf = (keys: string, relation: string) => `
  ARRAY(SELECT coalesce(a.attname::text, '(expression)') FROM unnest(${keys}) WITH ORDINALITY k(attnum, i)
          LEFT JOIN pg_attribute a ON a.attrelid = ${relation} AND a.attnum = k.attnum ORDER BY k.i)`;

const CONSTRAINTS_SQL = `
  SELECT con.conname AS name, con.contype::text AS kind, t.relname AS table, ft.relname AS "refTable",
         ${columnsOf('con.conkey', 'con.conrelid')} AS columns,
         coalesce(${columnsOf('con.confkey', 'con.confrelid')}, '{}') AS "refColumns",
         coalesce(ARRAY(SELECT o.oprname::text FROM unnest(con.conexclop) WITH ORDINALITY x(op, i) JOIN pg_operator o ON o.oid = x.op ORDER BY x.i), '{}') AS operators
    FROM pg_constraint con
    JOIN pg_class t ON t.oid = con.conrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
    LEFT JOIN pg_class ft ON ft.oid = con.confrelid
   WHERE n.nspname = 'public' AND con.contype IN ('p', 'u', 'x', 'f')
  UNION ALL
  -- unique indexes made by CREATE UNIQUE INDEX (a constraint's own index is checked as the constraint)
  SELECT i.relname, 'i', t.relname, NULL,
         ARRAY(SELECT coalesce(a.attname::text, '(expression)') FROM unnest(x.indkey::int2[]) WITH ORDINALITY k(attnum, i)
                 LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum WHERE k.i <= x.indnkeyatts ORDER BY k.i),
         '{}', '{}'
    FROM pg_index x
    JOIN pg_class i ON i.oid = x.indexrelid
    JOIN pg_class t ON t.oid = x.indrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
   WHERE n.nspname = 'public' AND x.indisunique AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.contype IN ('p', 'u', 'x'))
   ORDER BY 3, 1`;

type Kind = 'tenant' | 'reference' | 'coordinator';

/** Every way the schema in `client`'s database breaks distribution by municipality_id, one line each, naming the table and the constraint. */
async function distributionViolations(client: Client): Promise<{ kinds: Map<string, Kind>; violations: string[] }> {
  const tables = (await client.query<Table>(TABLES_SQL)).rows.filter((t) => !IGNORED.includes(t.name));
  const keys = (await client.query<Key>(CONSTRAINTS_SQL)).rows;
  const kinds = new Map<string, Kind>(tables.map((t) => [t.name, t.name in REFERENCE_TABLES ? 'reference' : t.name in COORDINATOR_TABLES ? 'coordinator' : 'tenant']));
  const violations: string[] = [];

  for (const name of [...Object.keys(REFERENCE_TABLES), ...Object.keys(COORDINATOR_TABLES)]) {
    if (!kinds.has(name)) violations.push(`${name}: listed as global but no such table`);
  }
  for (const table of tables) {
    const kind = kinds.get(table.name);
    if (kind === 'reference' && table.municipalityColumn) violations.push(`${table.name}: a reference table with a municipality_id column (a tenant's data?)`);
    if (kind !== 'tenant') continue;
    if (!table.municipalityColumn) violations.push(`${table.name}: a tenant table without municipality_id`);
    else if (!table.municipalityNotNull) violations.push(`${table.name}: municipality_id may be NULL`);
    if (!keys.some((k) => k.table === table.name && k.kind === 'p')) violations.push(`${table.name}: no primary key`);
  }

  for (const key of keys) {
    const kind = kinds.get(key.table);
    if (!kind) continue;
    const cols = `(${key.columns.join(', ')})`;
    const at = key.columns.indexOf('municipality_id');
    if (key.kind === 'f') {
      const refKind = kinds.get(key.refTable!);
      const target = `${key.refTable} (${key.refColumns.join(', ')})`;
      if (refKind === 'tenant' && kind !== 'tenant') {
        violations.push(`${key.table}: foreign key ${key.name} ${cols} from a ${kind} table to the tenant table ${target}`);
      } else if (refKind === 'coordinator' && kind !== 'coordinator') {
        violations.push(`${key.table}: foreign key ${key.name} ${cols} from a ${kind} table to the coordinator table ${target}`);
      } else if (refKind === 'tenant' && (at < 0 || key.refColumns[at] !== 'municipality_id')) {
        violations.push(`${key.table}: foreign key ${key.name} ${cols} → ${target} does not pair municipality_id with municipality_id`);
      }
    } else if (kind === 'tenant') {
      const what = { p: 'primary key', u: 'unique constraint', x: 'exclusion constraint', i: 'unique index' }[key.kind];
      if (at < 0) violations.push(`${key.table}: ${what} ${key.name} ${cols} lacks municipality_id`);
      else if (key.kind === 'x' && key.operators[at] !== '=') violations.push(`${key.table}: ${what} ${key.name} compares municipality_id with ${key.operators[at]}, not =`);
    }
  }
  return { kinds, violations };
}

describe('the schema, ready for distribution by municipality_id', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let client: Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    client = new Client({ connectionString: database.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await database?.drop();
  });

  it('keys every tenant table by municipality_id, and no global table refers to a tenant table', async () => {
    const { kinds, violations } = await distributionViolations(client);
    expect(violations).toEqual([]);
    // not vacuous: the domain's tables are read as tenant tables
    const tenant = [...kinds].filter(([, kind]) => kind === 'tenant').map(([name]) => name);
    expect(tenant).toEqual(expect.arrayContaining(['ngos', 'users', 'programs', 'tasks', 'task_ngos', 'audit_entries', 'audit_heads', 'reports', 'web_sessions']));
  });

  it('names the table and the constraint that break it', async () => {
    await client.query('BEGIN');
    try {
      await client.query(`CREATE TABLE probe_parent (id uuid PRIMARY KEY, municipality_id uuid NOT NULL REFERENCES municipalities (id))`);
      await client.query(`
        CREATE TABLE probe_child (
          municipality_id uuid NOT NULL, id uuid NOT NULL, parent_id uuid REFERENCES probe_parent (id), code text,
          PRIMARY KEY (municipality_id, id), CONSTRAINT probe_child_code_key UNIQUE (code))`);
      await client.query(`ALTER TABLE app_settings ADD COLUMN probe uuid, ADD CONSTRAINT app_settings_probe_fkey FOREIGN KEY (probe, probe) REFERENCES probe_child (municipality_id, id)`);
      const { violations } = await distributionViolations(client);
      expect(violations).toEqual(
        expect.arrayContaining([
          'probe_parent: primary key probe_parent_pkey (id) lacks municipality_id',
          'probe_child: unique constraint probe_child_code_key (code) lacks municipality_id',
          'probe_child: foreign key probe_child_parent_id_fkey (parent_id) → probe_parent (id) does not pair municipality_id with municipality_id',
          'app_settings: foreign key app_settings_probe_fkey (probe, probe) from a reference table to the tenant table probe_child (municipality_id, id)',
        ]),
      );
    } finally {
      await client.query('ROLLBACK');
    }
  });
});
