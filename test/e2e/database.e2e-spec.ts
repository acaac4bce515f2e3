import { dataSourceOptions, migrateUnderLock } from '@app/core';
import { DEMO_NGO_COUNT, migrations, prepareDatabase } from '@app/database';
import { DataSource } from 'typeorm';
import { TcpProxy } from '../utils/tcp-proxy';
import { createEmptyDatabase, createTestApp, createTestDatabase, PLATFORM_ADMIN, testConfig, type TestApp } from '../utils/test-app';
import { signIn } from '../utils/users';

const quiet = () => undefined;

/** Real PostgreSQL: the start-up under the advisory lock, and life without the database. */
describe('database start-up', () => {
  it('applies the migrations once when two processes start together', async () => {
    const db = await createEmptyDatabase();
    const sources = [0, 1].map(() => new DataSource(dataSourceOptions({ url: db.url, migrations, poolSize: 2 })));
    try {
      await Promise.all(sources.map((s) => s.initialize()));
      const applied = await Promise.all(sources.map((s) => migrateUnderLock(s, undefined, () => undefined)));
      // one process applied them all, the other found nothing left to do
      expect(applied.map((a) => a.length).sort()).toEqual([0, migrations.length]);
      const rows = await sources[0].query('SELECT name, count(*)::int AS n FROM migrations GROUP BY name');
      expect(rows).toHaveLength(migrations.length);
      expect(rows.every((r: { n: number }) => r.n === 1)).toBe(true);
      expect(await sources[0].showMigrations()).toBe(false);
    } finally {
      for (const s of sources) if (s.isInitialized) await s.destroy();
      await db.drop();
    }
  });

  it('creates the default municipality and its admin once when two processes start together', async () => {
    const db = await createEmptyDatabase();
    try {
      const config = testConfig();
      const results = await Promise.all([prepareDatabase(db.url, config, false, quiet), prepareDatabase(db.url, config, false, quiet)]);
      expect(results.map((r) => r.firstStart).sort()).toEqual(['already-set-up', 'created']);
      const check = new DataSource(dataSourceOptions({ url: db.url, poolSize: 1 }));
      await check.initialize();
      const [counts] = await check.query('SELECT (SELECT count(*) FROM municipalities)::int AS m, (SELECT count(*) FROM users)::int AS u');
      const [admin] = await check.query('SELECT u.email, u.role, u.platform_admin, m.slug, m.teryt, m.name FROM users u JOIN municipalities m ON m.id = u.municipality_id');
      await check.destroy();
      expect(counts).toEqual({ m: 1, u: 1 });
      expect(admin).toEqual({ email: PLATFORM_ADMIN.email, role: 'admin', platform_admin: true, slug: 'krakow', teryt: '1261011', name: 'Kraków' });
    } finally {
      await db.drop();
    }
  });

  it('loads the demo data on first start when asked, and only then', async () => {
    const db = await createEmptyDatabase();
    try {
      const config = testConfig({ adminEmail: undefined, adminPassword: undefined });
      expect((await prepareDatabase(db.url, config, true, quiet)).firstStart).toBe('created-with-demo');
      expect((await prepareDatabase(db.url, config, true, quiet)).firstStart).toBe('already-set-up');
      const check = new DataSource(dataSourceOptions({ url: db.url, poolSize: 1 }));
      await check.initialize();
      const [counts] = await check.query(
        "SELECT (SELECT count(*) FROM ngos)::int AS ngos, (SELECT count(*) FROM programs WHERE kind = 'annual')::int AS annual, (SELECT count(*) FROM users)::int AS users",
      );
      await check.destroy();
      expect(counts).toEqual({ ngos: DEMO_NGO_COUNT, annual: 9, users: 4 }); // 2019–2026, and next year's for the demo's open call
    } finally {
      await db.drop();
    }
  });
});

describe('while the database is unreachable', () => {
  let proxy: TcpProxy;
  let t: TestApp;
  let token: string;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;

  beforeAll(async () => {
    database = await createTestDatabase();
    const target = new URL(database.url);
    proxy = await new TcpProxy(target.hostname, Number(target.port || 5432)).start();
    t = await createTestApp({}, { databaseUrl: proxy.through(database.url) });
    token = await signIn(t, PLATFORM_ADMIN.email);
  });
  afterAll(async () => {
    await t.close();
    await proxy.stop();
    await database.drop();
  });

  const timed = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
    const started = Date.now();
    const result = await fn();
    return [result, Date.now() - started];
  };

  async function recoversWithin(ms: number): Promise<number> {
    const started = Date.now();
    while (Date.now() - started < ms) {
      const [ready, api] = await Promise.all([t.call('GET', '/health/ready'), t.call('GET', '/api/v1/ngos', { token })]);
      if (ready.status === 200 && api.status === 200) return Date.now() - started;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`did not recover within ${ms} ms`);
  }

  it.each(['blackhole', 'refuse'] as const)('answers 503 quickly when the network %ss, and recovers by itself', async (mode) => {
    expect((await t.call('GET', '/api/v1/ngos', { token })).status).toBe(200);
    proxy.setMode(mode);

    const [ready, readyMs] = await timed(() => t.call('GET', '/health/ready'));
    expect(ready.status).toBe(503);
    expect(ready.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(readyMs).toBeLessThan(2000);

    const [api, apiMs] = await timed(() => t.call('GET', '/api/v1/ngos', { token }));
    expect(api.status).toBe(503);
    expect(api.body).toMatchObject({ status: 503, title: 'Service unavailable' });
    expect(api.text).not.toMatch(/ECONN|timeout exceeded|127\.0\.0\.1/);
    expect(apiMs).toBeLessThan(5000);

    expect((await t.call('GET', '/health/live')).status).toBe(200);

    proxy.setMode('open');
    expect(await recoversWithin(5000)).toBeLessThan(5000);
  });

  it('answers 503 within 5 s over connections that went silent (half-open), reads and writes, and recovers', async () => {
    // fill the pool with open connections first
    await Promise.all(Array.from({ length: 6 }, () => t.call('GET', '/api/v1/ngos', { token })));
    const before = (await t.db.query('SELECT count(*)::int AS n FROM ngos').catch(() => [{ n: -1 }]))[0].n;
    proxy.setMode('silence');

    const [read, readMs] = await timed(() => t.call('GET', '/api/v1/ngos', { token }));
    expect(read.status).toBe(503);
    expect(readMs).toBeLessThan(5000);
    const [write, writeMs] = await timed(() => t.call('POST', '/api/v1/ngos', { token, body: { name: 'Written during the outage', legalForm: 'other' } }));
    expect(write.status).toBe(503);
    expect(writeMs).toBeLessThan(5000);
    const [ready, readyMs] = await timed(() => t.call('GET', '/health/ready'));
    expect(ready.status).toBe(503);
    expect(readyMs).toBeLessThan(2000);

    proxy.setMode('open'); // the silent connections stay dead; new ones work
    expect(await recoversWithin(5000)).toBeLessThan(5000);
    const after = await t.call('GET', '/api/v1/ngos?search=during the outage', { token });
    expect(after.body.total).toBe(0);
    expect(before).toBeGreaterThanOrEqual(0);
  });
});
