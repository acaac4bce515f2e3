import { checkKrs, checkNip, checkRegon, checkTeryt } from '@app/core';
import { SMALL_GRANT_MAX_DAYS } from '@app/tasks';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { builtProgram } from '../utils/program';
import { createTestApp, createTestDatabase } from '../utils/test-app';

/**
 * `demo:national` as `npm run cli` runs it (the run's build, a child process, no terminal) on
 * throwaway databases cloned from the migrated template. Real: PostgreSQL with every constraint,
 * COPY, the report compile and the public 360Giving file of the API over the loaded rows.
 */
const SCALE = 0.002; // 5 gminy, 1 powiat, 1 województwo; 600 NGOs, 2 000 tasks
const TABLES = ['municipalities', 'programs', 'ngos', 'tasks', 'task_ngos', 'activities', 'activity_ngos', 'commissions', 'commission_members', 'commission_meetings', 'meeting_ngos'];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}
type Db = Awaited<ReturnType<typeof createTestDatabase>>;

describe('demo:national', () => {
  let BUILD: string;
  const dbs: Db[] = [];
  const clients: Client[] = [];
  let first: Run;
  let loaded: { rows: Record<string, number>; selfGovernments: Record<string, number>; slugs: { first: string; last: string } };
  let a: Client;

  function cli(databaseUrl: string, args: string[]): Promise<Run> {
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' };
    for (const name of ['ADMIN_EMAIL', 'ADMIN_PASSWORD', 'MUNICIPALITY_SLUG', 'DEMO_DATA']) delete env[name];
    const child = spawn(process.execPath, [join(BUILD, 'apps/cli/src/main.js'), ...args], { cwd: BUILD, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    return new Promise((done) => child.on('close', (code) => done({ code, stdout, stderr })));
  }

  async function database(): Promise<{ db: Db; client: Client }> {
    const db = await createTestDatabase();
    dbs.push(db);
    const client = new Client({ connectionString: db.url });
    await client.connect();
    clients.push(client);
    return { db, client };
  }

  /** The MD5 of a few tables' contents in a fixed order (created_at and updated_at aside: the load's own time). */
  async function digest(c: Client): Promise<string> {
    const { rows } = await c.query(`
      SELECT md5(string_agg(x, E'\\n' ORDER BY x)) AS digest FROM (
        SELECT concat_ws('|', id, name, slug, teryt) AS x FROM municipalities
        UNION ALL SELECT concat_ws('|', id, municipality_id, name, legal_form, krs, nip, regon, address, spheres::text, public_benefit, registered_on) FROM ngos
        UNION ALL SELECT concat_ws('|', id, program_id, title, sphere, mode, form, department, competition_ref, amount_requested, amount_granted, amount_settled, start_date, end_date, status, beneficiaries) FROM tasks
        UNION ALL SELECT concat_ws('|', task_id, ngo_id, position) FROM task_ngos
        UNION ALL SELECT concat_ws('|', id, commission_id, ngo_id, representative, role, from_date, to_date) FROM commission_members
      ) rows`);
    return rows[0].digest;
  }

  const count = async (c: Client, table: string) => Number((await c.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n);

  beforeAll(async () => {
    BUILD = await builtProgram();
    ({ client: a } = await database());
    first = await cli(dbs[0].url, ['demo:national', '--scale', String(SCALE), '--json', '--no-progress']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    loaded = JSON.parse(first.stdout);
  }, 120_000);

  afterAll(async () => {
    for (const c of clients) await c.end();
    for (const db of dbs) await db.drop();
  });

  it('loads counts proportional to the scale, as the database counts them', async () => {
    expect(loaded.selfGovernments).toEqual({ gmina: 5, powiat: 1, wojewodztwo: 1 });
    expect(loaded.rows.municipalities).toBe(7);
    expect(loaded.rows.programs).toBe(7 * 5); // a multi-year one and four annual ones each
    expect(loaded.rows.ngos).toBe(Math.round(300_000 * SCALE));
    expect(loaded.rows.tasks).toBe(Math.round(1_000_000 * SCALE));
    for (const table of TABLES) expect({ table, n: await count(a, table) }).toEqual({ table, n: loaded.rows[table] });
    expect(loaded.rows.task_ngos).toBeGreaterThan(loaded.rows.tasks);
    expect(loaded.rows.task_ngos).toBeLessThan(loaded.rows.tasks * 1.5);
    for (const table of ['activities', 'commissions', 'commission_members', 'commission_meetings', 'meeting_ngos']) expect(loaded.rows[table]).toBeGreaterThan(0);

    // twice the scale, twice the rows
    const { db, client } = await database();
    const double = await cli(db.url, ['demo:national', '--scale', String(2 * SCALE), '--json', '--no-progress']);
    expect(double.code).toBe(0);
    const rows = JSON.parse(double.stdout).rows;
    expect(rows.ngos).toBe(2 * loaded.rows.ngos);
    expect(rows.tasks).toBe(2 * loaded.rows.tasks);
    expect(rows.municipalities).toBe(Math.round(2477 * 2 * SCALE) + Math.round(314 * 2 * SCALE) + 1);
    expect(await count(client, 'tasks')).toBe(rows.tasks);
  }, 60_000);

  it('gives every NGO a valid KRS, NIP and REGON, unique in the whole set, and every self-government a valid, unique TERYT', async () => {
    const { rows: ngos } = await a.query(`SELECT krs, nip, regon FROM ngos`);
    expect(ngos.length).toBe(loaded.rows.ngos);
    const bad = ngos.filter((n) => checkKrs(n.krs) !== 'ok' || checkNip(n.nip) !== 'ok' || checkRegon(n.regon) !== 'ok');
    expect(bad).toEqual([]);
    for (const field of ['krs', 'nip', 'regon']) expect(new Set(ngos.map((n) => n[field])).size).toBe(ngos.length);
    expect(ngos.some((n) => n.regon.length === 14)).toBe(true);
    const { rows: jsts } = await a.query(`SELECT teryt, slug, name FROM municipalities`);
    expect(jsts.filter((j) => checkTeryt(j.teryt) !== 'ok')).toEqual([]);
    expect(new Set(jsts.map((j) => j.teryt)).size).toBe(jsts.length);
  });

  it('keeps the domain rules: amounts, dates in the programme year, small grants (art. 19a), 1–3 NGOs a task', async () => {
    const broken = await a.query(`
      SELECT t.id, t.mode, t.amount_requested, t.amount_granted, t.amount_settled, t.start_date, t.end_date FROM tasks t JOIN programs p ON p.municipality_id = t.municipality_id AND p.id = t.program_id
       WHERE p.kind <> 'annual' OR extract(year FROM t.start_date) <> p.start_year OR extract(year FROM t.end_date) <> p.start_year OR t.end_date < t.start_date
          OR t.amount_settled > t.amount_granted OR t.amount_granted > t.amount_requested
          OR (t.mode = 'small-grant' AND (t.amount_granted > 10000 OR t.end_date - t.start_date + 1 > ${SMALL_GRANT_MAX_DAYS}))
          OR (t.status IN ('planned', 'contracted', 'in-progress') AND t.amount_settled IS NOT NULL)
          OR (t.status IN ('settled', 'terminated') AND t.amount_settled IS NULL)`);
    expect(broken.rows).toEqual([]);
    const cap = await a.query(`
      SELECT tn.ngo_id, extract(year FROM t.start_date) AS year, sum(t.amount_granted)::text AS total FROM tasks t JOIN task_ngos tn ON tn.municipality_id = t.municipality_id AND tn.task_id = t.id
       WHERE t.mode = 'small-grant' GROUP BY 1, 2 HAVING sum(t.amount_granted) > 20000`);
    expect(cap.rows).toEqual([]);
    const links = await a.query(`SELECT count(*)::int AS n FROM tasks t WHERE (SELECT count(*) FROM task_ngos tn WHERE tn.municipality_id = t.municipality_id AND tn.task_id = t.id) NOT BETWEEN 1 AND 3`);
    expect(links.rows[0].n).toBe(0);
    const statuses = (await a.query(`SELECT DISTINCT status FROM tasks ORDER BY 1`)).rows.map((r) => r.status);
    expect(statuses).toEqual(['contracted', 'in-progress', 'planned', 'settled', 'terminated']);
    // numeric(14,2) read back as text: two decimals, never a float's tail
    const money = await a.query(`SELECT count(*)::int AS n FROM tasks WHERE amount_granted::text !~ '^[0-9]+\\.[0-9]{2}$'`);
    expect(money.rows[0].n).toBe(0);
  });

  it('writes nothing to the audit trail (as the demo data)', async () => {
    expect(await count(a, 'audit_entries')).toBe(0);
  });

  it('gives the same rows for the same seed, and others for another seed', async () => {
    const { db, client } = await database();
    const again = await cli(db.url, ['demo:national', '--scale', String(SCALE), '--no-progress']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/loaded a national data set \(scale 0\.002, seed 2807\) in [\d.]+ s: 5 gminy, 1 powiaty, 1 województwa\n\s+municipalities\s+7\n/);
    expect(await digest(client)).toBe(await digest(a));

    const other = await database();
    expect((await cli(other.db.url, ['demo:national', '--scale', String(SCALE), '--seed', '7', '--no-progress'])).code).toBe(0);
    expect(await digest(other.client)).not.toBe(await digest(a));
  }, 60_000);

  it('refuses a second load into the same database with exit 1, writing nothing', async () => {
    const before = await digest(a);
    const run = await cli(dbs[0].url, ['demo:national', '--scale', String(SCALE), '--no-progress']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: the database already holds a national data set, or a municipality in its way \("[a-z0-9-]+", TERYT \d{7}\); nothing was written/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(await digest(a)).toBe(before);
  });

  it('is read by the application: a year compiles, publishes, and its open-data file lists the counted tasks', async () => {
    const slug = loaded.slugs.last;
    const compiled = await cli(dbs[0].url, ['report:compile', '2025', '-m', slug, '--json']);
    expect(compiled.code).toBe(0);
    const report = JSON.parse(compiled.stdout);
    const { rows } = await a.query(
      `SELECT count(*)::int AS n, coalesce(sum(amount_granted), 0)::numeric(14,2)::text AS granted FROM tasks t JOIN municipalities m ON m.id = t.municipality_id
        WHERE m.slug = $1 AND extract(year FROM t.start_date) = 2025 AND t.status <> 'planned'`,
      [slug],
    );
    expect(rows[0].n).toBeGreaterThan(0);
    expect(report.summary.tasks.count).toBe(rows[0].n);
    expect(report.summary.tasks.granted).toBe(rows[0].granted);
    expect((await cli(dbs[0].url, ['report:publish', '2025', '-m', slug])).code).toBe(0);

    const t = await createTestApp({}, { databaseUrl: dbs[0].url });
    try {
      const grants = await t.call('GET', `/api/v1/public/${slug}/grants/2025.json`);
      expect(grants.status).toBe(200);
      expect(grants.body.grants).toHaveLength(rows[0].n);
    } finally {
      await t.close();
    }
  }, 60_000);
});
