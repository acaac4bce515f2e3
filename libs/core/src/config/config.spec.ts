import { ConfigError, loadConfig, nestLogLevels } from './config';

describe('configuration', () => {
  it('has the contract\'s defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 3000,
      host: undefined,
      databaseUrl: undefined,
      municipality: { name: 'Kraków', slug: 'krakow', teryt: '1261011' },
      demoData: undefined,
      scheduler: true,
      trustProxy: false,
      loginRateLimitPerMinute: 10,
      databaseQueryTimeoutMs: 3500,
      reportCompileCron: '0 2 * * *',
      reportOpenCron: '0 3 1 1 *',
      jobsTimeZone: 'Europe/Warsaw',
      nightlyCompileConcurrency: 2,
      nightlyLeaseSeconds: 60,
      passwordHash: { memoryKib: 65_536, passes: 3 },
    });
  });

  it("reads argon2id's cost for new password hashes, never below OWASP's minimum (19 MiB, 2 passes)", () => {
    expect(loadConfig({ PASSWORD_HASH_MEMORY_KIB: '19456', PASSWORD_HASH_PASSES: '2' }).passwordHash).toEqual({ memoryKib: 19_456, passes: 2 });
    expect(loadConfig({ PASSWORD_HASH_MEMORY_KIB: '131072' }).passwordHash).toEqual({ memoryKib: 131_072, passes: 3 });
    expect(() => loadConfig({ PASSWORD_HASH_MEMORY_KIB: '19455' })).toThrow("PASSWORD_HASH_MEMORY_KIB must be a whole number of KiB from 19456 (19 MiB, OWASP's minimum for argon2id) to 4194304 (4 GiB)");
    expect(() => loadConfig({ PASSWORD_HASH_MEMORY_KIB: '64MiB' })).toThrow('PASSWORD_HASH_MEMORY_KIB must be a whole number');
    expect(() => loadConfig({ PASSWORD_HASH_PASSES: '1' })).toThrow("PASSWORD_HASH_PASSES must be a whole number from 2 (OWASP's minimum for argon2id) to 20");
  });

  it('reads the nightly compile\'s concurrency and lease', () => {
    expect(loadConfig({ NIGHTLY_COMPILE_CONCURRENCY: '4', NIGHTLY_LEASE_SECONDS: '5' })).toMatchObject({ nightlyCompileConcurrency: 4, nightlyLeaseSeconds: 5 });
    // each compile holds a pooled connection: the pool must keep some for everything else
    expect(() => loadConfig({ NIGHTLY_COMPILE_CONCURRENCY: '10' })).toThrow('NIGHTLY_COMPILE_CONCURRENCY (10) must be less than DATABASE_POOL_SIZE (10)');
    expect(() => loadConfig({ NIGHTLY_COMPILE_CONCURRENCY: '4', DATABASE_POOL_SIZE: '3' })).toThrow(ConfigError);
    expect(loadConfig({ NIGHTLY_COMPILE_CONCURRENCY: '12', DATABASE_POOL_SIZE: '20' }).nightlyCompileConcurrency).toBe(12);
  });

  it('reads the scheduler\'s cron expressions and time zone', () => {
    const c = loadConfig({ REPORT_COMPILE_CRON: '30 1 * * 1-5', REPORT_OPEN_CRON: '0 0 6 1 1 *', JOBS_TIME_ZONE: 'UTC' });
    expect(c).toMatchObject({ reportCompileCron: '30 1 * * 1-5', reportOpenCron: '0 0 6 1 1 *', jobsTimeZone: 'UTC' });
    // an empty value means the default, as for every other variable
    expect(loadConfig({ REPORT_COMPILE_CRON: '', JOBS_TIME_ZONE: '' })).toMatchObject({ reportCompileCron: '0 2 * * *', jobsTimeZone: 'Europe/Warsaw' });
  });

  it('reads booleans, numbers and the proxy setting', () => {
    const c = loadConfig({ PORT: '8080', DEMO_DATA: 'false', SCHEDULER: '0', TRUST_PROXY: '1', ADMIN_EMAIL: 'Admin@X.example', ADMIN_PASSWORD: 'long-enough' });
    expect(c).toMatchObject({ port: 8080, demoData: false, scheduler: false, trustProxy: 1, adminEmail: 'admin@x.example' });
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.1' }).trustProxy).toBe('10.0.0.0/8, 192.168.1.1');
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ MUNICIPALITY_TERYT: '12' }, 'MUNICIPALITY_TERYT'],
    [{ MUNICIPALITY_SLUG: 'api' }, 'MUNICIPALITY_SLUG'],
    [{ DEMO_DATA: 'maybe' }, 'DEMO_DATA'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ TRUST_PROXY: 'true' }, 'TRUST_PROXY'],
    [{ ADMIN_EMAIL: 'a@b.example' }, 'ADMIN_EMAIL and ADMIN_PASSWORD'],
    [{ ADMIN_EMAIL: 'a@b.example', ADMIN_PASSWORD: 'bad\u0001password' }, 'ADMIN_PASSWORD'],
    [{ REPORT_COMPILE_CRON: 'every night' }, 'REPORT_COMPILE_CRON'],
    [{ REPORT_COMPILE_CRON: '0 25 * * *' }, 'REPORT_COMPILE_CRON'],
    [{ REPORT_OPEN_CRON: '0 3 1 13 *' }, 'REPORT_OPEN_CRON'],
    [{ REPORT_OPEN_CRON: '0 3 1' }, 'REPORT_OPEN_CRON'],
    [{ JOBS_TIME_ZONE: 'Europe/Nowhere' }, 'JOBS_TIME_ZONE'],
    [{ NIGHTLY_COMPILE_CONCURRENCY: '0' }, 'NIGHTLY_COMPILE_CONCURRENCY'],
    [{ NIGHTLY_COMPILE_CONCURRENCY: '17' }, 'NIGHTLY_COMPILE_CONCURRENCY'],
    [{ NIGHTLY_COMPILE_CONCURRENCY: 'two' }, 'NIGHTLY_COMPILE_CONCURRENCY'],
    [{ NIGHTLY_LEASE_SECONDS: '4' }, 'NIGHTLY_LEASE_SECONDS'],
    [{ NIGHTLY_LEASE_SECONDS: '1.5' }, 'NIGHTLY_LEASE_SECONDS'],
  ])('refuses %j with a message naming %s', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(name);
  });

  it('refuses ADMIN_PASSWORD when it is one of the most common passwords', () => {
    expect(() => loadConfig({ ADMIN_EMAIL: 'a@b.example', ADMIN_PASSWORD: 'password123' })).toThrow('ADMIN_PASSWORD is one of the most common passwords');
    expect(() => loadConfig({ ADMIN_EMAIL: 'a@b.example', ADMIN_PASSWORD: 'Qwerty123' })).toThrow(ConfigError);
  });

  describe('token keys', () => {
    const key = 'k'.repeat(32);
    const url = 'postgres://u@db.example/app';

    it('makes the API refuse to start on DATABASE_URL without JWT_SECRET, saying why', () => {
      expect(() => loadConfig({ DATABASE_URL: url }, { signsTokens: true })).toThrow(ConfigError);
      expect(() => loadConfig({ DATABASE_URL: url }, { signsTokens: true })).toThrow(/JWT_SECRET must be set when DATABASE_URL is set[\s\S]*embedded demo/);
      expect(loadConfig({ DATABASE_URL: url, JWT_SECRET: key }, { signsTokens: true }).jwtSecret).toBe(key);
      // the embedded database keeps its generated key; processes that sign nothing (worker, CLI) need none
      expect(loadConfig({}, { signsTokens: true }).jwtSecret).toBeUndefined();
      expect(loadConfig({ DATABASE_URL: url }).databaseUrl).toBe(url);
    });

    it('reads JWT_SECRET_PREVIOUS, which needs JWT_SECRET and the same length', () => {
      expect(loadConfig({ JWT_SECRET: key, JWT_SECRET_PREVIOUS: 'p'.repeat(40) })).toMatchObject({ jwtSecret: key, jwtSecretPrevious: 'p'.repeat(40) });
      expect(() => loadConfig({ JWT_SECRET_PREVIOUS: 'p'.repeat(40) })).toThrow('JWT_SECRET_PREVIOUS needs JWT_SECRET');
      expect(() => loadConfig({ JWT_SECRET: key, JWT_SECRET_PREVIOUS: 'short' })).toThrow('JWT_SECRET_PREVIOUS must be at least 32 characters long');
    });
  });

  it('maps LOG_LEVEL to Nest levels', () => {
    expect(nestLogLevels('silent')).toBe(false);
    expect(nestLogLevels('warn')).toEqual(['fatal', 'error', 'warn']);
    expect(nestLogLevels('info')).toContain('log');
  });
});
