import { ConfigError, loadConfig } from '@app/core';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Client, type DatabaseError } from 'pg';
import { urlWithDatabase, withAdminClient } from '../setup/test-database';
import { newNgo } from '../utils/factories';
import { createTestApp, PLATFORM_ADMIN, type TestApp } from '../utils/test-app';
import { signIn } from '../utils/users';

/**
 * database/roles.sql as psql runs it (its :"identifier" and :'literal' variables, its \connect),
 * statement by statement on the test server's admin connection: the server may be the embedded
 * PostgreSQL, which comes without psql.
 */
async function runRolesScript(adminUrl: string, vars: Record<string, string>): Promise<void> {
  const lines = readFileSync('database/roles.sql', 'utf8').split('\n');
  const value = (name: string) => {
    if (!(name in vars)) throw new Error(`roles.sql uses the variable ${name}, which the test does not set`);
    return vars[name];
  };
  const interpolate = (sql: string) =>
    sql.replace(/:(["'])(\w+)\1/g, (_, quote: string, name: string) => (quote === '"' ? `"${value(name).replace(/"/g, '""')}"` : `'${value(name).replace(/'/g, "''")}'`));
  let client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    let statement = '';
    for (const line of lines) {
      if (/^\s*(--.*)?$/.test(line)) continue;
      const connect = /^\\connect\s+:"(\w+)"\s*$/.exec(line);
      if (connect) {
        await client.end();
        client = new Client({ connectionString: urlWithDatabase(adminUrl, value(connect[1])) });
        await client.connect();
        continue;
      }
      statement += `${line}\n`;
      if (line.trimEnd().endsWith(';')) {
        await client.query(interpolate(statement));
        statement = '';
      }
    }
    expect(statement).toBe('');
  } finally {
    await client.end();
  }
}

function withCredentials(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = user;
  u.password = password;
  return u.toString();
}

/**
 * Real: the deployment of database/roles.sql on the test server, with two roles of its own. The
 * service migrates as the owner (DATABASE_MIGRATION_URL) and runs as the application role
 * (DATABASE_URL), which can append to the audit trail and nothing more.
 */
describe('the two-role deployment', () => {
  const suffix = randomBytes(4).toString('hex');
  const owner = `ngo_test_owner_${suffix}`;
  const runtime = `ngo_test_app_${suffix}`;
  const database = `${process.env.TEST_TEMPLATE_DB!.replace(/_tmpl$/, '')}_r${suffix}`;
  const passwords = { owner: `owner-${randomBytes(6).toString('hex')}`, app: `app'"-${randomBytes(6).toString('hex')}` };
  const base = process.env.TEST_DB_URL_BASE!.replace('__db__', database);
  const ownerUrl = withCredentials(base, owner, passwords.owner);
  const runtimeUrl = withCredentials(base, runtime, passwords.app);
  let t: TestApp;
  let app: Client;

  beforeAll(async () => {
    await runRolesScript(process.env.TEST_ADMIN_URL!, { database, owner, owner_password: passwords.owner, app: runtime, app_password: passwords.app });
    t = await createTestApp({ databaseMigrationUrl: ownerUrl }, { databaseUrl: runtimeUrl });
    app = new Client({ connectionString: runtimeUrl });
    await app.connect();
  });

  afterAll(async () => {
    await app?.end();
    await t?.close();
    await withAdminClient(process.env.TEST_ADMIN_URL!, async (c) => {
      await c.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await c.query(`DROP ROLE IF EXISTS "${runtime}"`);
      await c.query(`DROP ROLE IF EXISTS "${owner}"`);
    });
  });

  it('reads DATABASE_MIGRATION_URL, and only with DATABASE_URL', () => {
    expect(loadConfig({ DATABASE_URL: runtimeUrl, DATABASE_MIGRATION_URL: ownerUrl })).toMatchObject({ databaseUrl: runtimeUrl, databaseMigrationUrl: ownerUrl });
    expect(() => loadConfig({ DATABASE_MIGRATION_URL: ownerUrl })).toThrow(ConfigError);
    expect(() => loadConfig({ DATABASE_URL: runtimeUrl, DATABASE_MIGRATION_URL: 'mysql://x' })).toThrow(/DATABASE_MIGRATION_URL must be a postgres:\/\/ URL/);
  });

  it('migrates as the owner and serves as the application role: sign-in, writes, their audit entries, reports, a valid chain', async () => {
    const [me] = await t.db.query(`SELECT current_user AS role, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser`);
    expect(me).toEqual({ role: runtime, superuser: false });
    const [tables] = await t.db.query(`SELECT count(*)::int AS n, bool_and(pg_get_userbyid(c.relowner) = $1) AS owned FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'`, [owner]);
    expect(tables).toEqual({ n: expect.any(Number), owned: true });

    expect((await t.call('GET', '/health/ready')).status).toBe(200);
    const token = await t.login(PLATFORM_ADMIN.email, PLATFORM_ADMIN.password);
    const ngo = await t.call('POST', '/api/v1/ngos', { token, body: newNgo({ name: 'Stowarzyszenie Dwóch Ról' }) });
    expect(ngo.status).toBe(201);
    expect((await t.call('PATCH', `/api/v1/ngos/${ngo.body.id}`, { token, body: { version: 1, name: 'Stowarzyszenie Dwóch Ról II' } })).status).toBe(200);
    const trail = await t.call('GET', `/api/v1/audit?entity=ngo&entityId=${ngo.body.id}`, { token });
    expect(trail.body.items.map((e: { action: string }) => e.action)).toEqual(['update', 'create']);
    // the reports create and lock the chain's head as the application role
    expect((await t.call('POST', '/api/v1/reports/2019/compile', { token })).status).toBe(200);
    expect((await t.call('POST', '/api/v1/reports/2019/publish', { token, body: {} })).status).toBe(200);

    const verify = await t.call('GET', '/api/v1/audit/verify', { token });
    expect(verify.status).toBe(200);
    const [head] = await t.db.query(`SELECT seq::int AS seq, hash FROM audit_heads h JOIN municipalities m ON m.id = h.municipality_id WHERE m.slug = 'krakow'`);
    expect(verify.body).toEqual({ valid: true, entries: head.seq, firstBroken: null, headHash: head.hash, headSeq: head.seq });
    expect(head.seq).toBeGreaterThanOrEqual(5);
  });

  it('refuses the application role every way to rewrite the trail: triggers, functions, rows, the head', async () => {
    const refused = async (sql: string, message: RegExp) => {
      const error = (await app.query(sql).then(
        () => undefined,
        (e: DatabaseError) => e,
      )) as DatabaseError | undefined;
      expect({ sql, code: error?.code, message: error?.message }).toEqual({ sql, code: '42501', message: expect.stringMatching(message) });
    };
    const [before] = (await app.query(`SELECT h.seq, h.hash, (SELECT count(*)::int FROM audit_entries) AS n FROM audit_heads h JOIN municipalities m ON m.id = h.municipality_id WHERE m.slug = 'krakow'`)).rows;

    await refused('ALTER TABLE audit_entries DISABLE TRIGGER ALL', /must be owner of table audit_entries/);
    await refused('ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only', /must be owner of table audit_entries/);
    await refused('DROP TRIGGER audit_entries_append_only ON audit_entries', /must be owner of (table|relation) audit_entries/);
    await refused('DROP TRIGGER audit_entries_chain ON audit_entries', /must be owner of (table|relation) audit_entries/);
    await refused('ALTER TABLE audit_heads DISABLE TRIGGER audit_heads_forward_only', /must be owner of table audit_heads/);
    await refused('ALTER TABLE audit_entries OWNER TO CURRENT_USER', /must be owner of table audit_entries/);
    await refused(`CREATE OR REPLACE FUNCTION audit_entry_hash(e audit_entries) RETURNS text LANGUAGE sql STABLE AS $$ SELECT e.hash $$`, /permission denied for schema public|must be owner of function audit_entry_hash/);
    await refused('ALTER FUNCTION audit_entries_chain() SECURITY INVOKER', /must be owner of function audit_entries_chain/);
    await refused(`CREATE TRIGGER sneak BEFORE INSERT ON audit_entries FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()`, /permission denied for table audit_entries/);
    await refused(`SET session_replication_role = replica`, /permission denied to set parameter "session_replication_role"/);
    await refused(`UPDATE audit_entries SET actor_email = 'ghost@example.org'`, /permission denied for table audit_entries/);
    await refused(`DELETE FROM audit_entries`, /permission denied for table audit_entries/);
    await refused(`TRUNCATE audit_entries`, /permission denied for table audit_entries/);
    await refused(`UPDATE audit_heads SET seq = seq + 1, hash = repeat('f', 64)`, /permission denied for table audit_heads/);
    await refused(`UPDATE audit_heads SET hash = repeat('f', 64)`, /permission denied for table audit_heads/);
    await refused(`DELETE FROM audit_heads`, /permission denied for table audit_heads/);
    await refused(`TRUNCATE audit_heads`, /permission denied for table audit_heads/);
    await refused(`UPDATE migrations SET name = name`, /permission denied for table migrations/);
    // a head may be created by the application role (the reports do) only at its start
    const { rows } = await app.query(`INSERT INTO municipalities (name, slug, teryt) VALUES ('Gmina Nowa', 'nowa-${suffix}', '1206033') RETURNING id`);
    await refused(`INSERT INTO audit_heads (municipality_id, seq, hash) VALUES ('${rows[0].id}', 7, repeat('f', 64))`, /audit_heads start at seq 0/);

    const [after] = (await app.query(`SELECT h.seq, h.hash, (SELECT count(*)::int FROM audit_entries) AS n FROM audit_heads h JOIN municipalities m ON m.id = h.municipality_id WHERE m.slug = 'krakow'`)).rows;
    expect(after).toEqual(before);
    const token = await signIn(t, PLATFORM_ADMIN.email);
    expect((await t.call('GET', '/api/v1/audit/verify', { token })).body).toMatchObject({ valid: true, headSeq: Number(before.seq), headHash: before.hash });
  });

  it('grants the application role the tables a later migration creates', async () => {
    const ownerClient = new Client({ connectionString: ownerUrl });
    await ownerClient.connect();
    try {
      await ownerClient.query('CREATE TABLE later_things (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL)');
    } finally {
      await ownerClient.end();
    }
    expect((await app.query(`INSERT INTO later_things (name) VALUES ('x') RETURNING id`)).rows).toEqual([{ id: 1 }]);
    await expect(app.query('DROP TABLE later_things')).rejects.toThrow(/must be owner of table later_things/);
  });
});
