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
    });
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
    [{ DEMO_DATA: 'maybe' }, 'DEMO_DATA'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ TRUST_PROXY: 'true' }, 'TRUST_PROXY'],
    [{ ADMIN_EMAIL: 'a@b.example' }, 'ADMIN_EMAIL and ADMIN_PASSWORD'],
    [{ ADMIN_EMAIL: 'a@b.example', ADMIN_PASSWORD: 'bad\u0001password' }, 'ADMIN_PASSWORD'],
  ])('refuses %j with a message naming %s', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(name);
  });

  it('maps LOG_LEVEL to Nest levels', () => {
    expect(nestLogLevels('silent')).toBe(false);
    expect(nestLogLevels('warn')).toEqual(['fatal', 'error', 'warn']);
    expect(nestLogLevels('info')).toContain('log');
  });
});
