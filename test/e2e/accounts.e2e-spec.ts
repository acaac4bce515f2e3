import { DEMO_PASSWORD, prepareDatabase } from '@app/database';
import { JwtService } from '@nestjs/jwt';
import { setTimeout as sleep } from 'node:timers/promises';
import { newNgo } from '../utils/factories';
import { createEmptyDatabase, createTestApp, PLATFORM_ADMIN, testConfig, type Answer, type TestApp } from '../utils/test-app';

/**
 * Real: HTTP, PostgreSQL, argon2id, JWT, and two (or more) instances of the application on one
 * database, as a deployment behind a load balancer runs them. Nothing is mocked.
 * Accounts: revocation (PATCH /users, logout, password change), key rotation, the sign-in
 * back-off shared by instances, common passwords, and emails that are unique per municipality.
 */
describe('accounts and tokens', () => {
  let a: TestApp;
  let b: TestApp;
  let admin: string;

  const ok = <T = any>(r: Answer<T>, status = 201): T => {
    if (r.status !== status) throw new Error(`expected ${status}, got ${r.status} ${r.text}`);
    return r.body;
  };
  const newUser = async (email: string, role: string, password = 'long-enough-1') => {
    const user = ok(await a.call('POST', '/api/v1/users', { token: admin, body: { email, password, role } }));
    return { user, token: await a.login(email, password) };
  };
  const exportsWritten = async () => (await a.db.query(`SELECT count(*)::int AS n FROM audit_entries WHERE action = 'export'`))[0].n as number;

  beforeAll(async () => {
    // the rate limits' counters are shared by the instances (identity and instances specs test them); here the back-off is
    a = await createTestApp({ loginRateLimitPerMinute: 1000 });
    b = await createTestApp({ loginRateLimitPerMinute: 1000 }, { databaseUrl: a.databaseUrl });
    admin = await a.login(PLATFORM_ADMIN.email, PLATFORM_ADMIN.password);
    ok(await a.call('POST', '/api/v1/reports/2019/compile', { token: admin }), 200);
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  describe('revocation', () => {
    it('PATCH active=false: the auditor\'s token is refused on both instances, exports nothing, and the auditor cannot sign in', async () => {
      const { user, token } = await newUser('deactivated.auditor@test.example', 'auditor');
      expect((await b.call('GET', '/api/v1/reports/2019/export?format=csv&revision=draft', { token })).status).toBe(200);
      const before = await exportsWritten();

      const patched = await a.call('PATCH', `/api/v1/users/${user.id}`, { token: admin, body: { active: false, version: user.version } });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ id: user.id, active: false, role: 'auditor', version: user.version + 1 });

      for (const instance of [a, b]) {
        const r = await instance.call('GET', '/api/v1/reports/2019/export?format=csv&revision=draft', { token });
        expect(r.status).toBe(401);
        expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      }
      expect(await exportsWritten()).toBe(before);
      expect((await b.call('POST', '/api/v1/auth/login', { body: { email: 'deactivated.auditor@test.example', password: 'long-enough-1' } })).status).toBe(401);

      const [entry] = await a.db.query(`SELECT actor_email, before, after FROM audit_entries WHERE entity = 'user' AND entity_id = $1 AND action = 'update'`, [user.id]);
      expect(entry).toMatchObject({ actor_email: PLATFORM_ADMIN.email, before: { active: true }, after: { active: false } });

      // reactivated, the user signs in again; the old token stays refused
      ok(await a.call('PATCH', `/api/v1/users/${user.id}`, { token: admin, body: { active: true, version: user.version + 1 } }), 200);
      await expect(b.login('deactivated.auditor@test.example', 'long-enough-1')).resolves.toEqual(expect.any(String));
      expect((await b.call('GET', '/api/v1/me', { token })).status).toBe(401);
    });

    it('PATCH role: the earlier token is refused on the other instance; a new sign-in carries the new role', async () => {
      const { user, token } = await newUser('promoted@test.example', 'auditor');
      expect((await b.call('GET', '/api/v1/me', { token })).body.role).toBe('auditor');
      const r = await a.call('PATCH', `/api/v1/users/${user.id}`, { token: admin, body: { role: 'official', version: user.version } });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ role: 'official', ngoId: null });
      expect((await b.call('GET', '/api/v1/me', { token })).status).toBe(401);
      const fresh = await b.login('promoted@test.example', 'long-enough-1');
      expect((await a.call('GET', '/api/v1/me', { token: fresh })).body.role).toBe('official');
    });

    it('a PATCH that changes nothing that matters keeps the tokens', async () => {
      const { user, token } = await newUser('unchanged@test.example', 'official');
      ok(await a.call('PATCH', `/api/v1/users/${user.id}`, { token: admin, body: { role: 'official', active: true, version: user.version } }), 200);
      expect((await b.call('GET', '/api/v1/me', { token })).status).toBe(200);
    });

    it('POST /auth/logout: 204, and every earlier token of the user is refused on both instances', async () => {
      const { token } = await newUser('leaving@test.example', 'official');
      const other = await b.login('leaving@test.example', 'long-enough-1');
      const r = await b.call('POST', '/api/v1/auth/logout', { token });
      expect(r.status).toBe(204);
      for (const instance of [a, b]) {
        expect((await instance.call('GET', '/api/v1/me', { token })).status).toBe(401);
        expect((await instance.call('GET', '/api/v1/me', { token: other })).status).toBe(401);
      }
      expect((await a.call('POST', '/api/v1/auth/logout', { token })).status).toBe(401);
      const again = await a.login('leaving@test.example', 'long-enough-1');
      expect((await b.call('GET', '/api/v1/me', { token: again })).status).toBe(200);
    });

    it('POST /me/password: the current password must be right; the new one is used from now on and the earlier tokens are refused', async () => {
      const { token } = await newUser('changer@test.example', 'official');
      const wrong = await a.call('POST', '/api/v1/me/password', { token, body: { currentPassword: 'not-my-password', newPassword: 'a-new-password-1' } });
      expect(wrong.status).toBe(422);
      expect(wrong.body.errors).toEqual([{ field: 'currentPassword', rule: 'user.current-password', message: expect.any(String) }]);
      const common = await a.call('POST', '/api/v1/me/password', { token, body: { currentPassword: 'long-enough-1', newPassword: 'qwerty123' } });
      expect(common.status).toBe(400);
      expect(common.body.errors).toEqual([{ field: 'newPassword', message: expect.stringMatching(/common/) }]);
      expect((await b.call('GET', '/api/v1/me', { token })).status).toBe(200);

      const r = await a.call('POST', '/api/v1/me/password', { token, body: { currentPassword: 'long-enough-1', newPassword: 'a-new-password-1' } });
      expect(r.status).toBe(204);
      expect((await b.call('GET', '/api/v1/me', { token })).status).toBe(401);
      expect((await b.call('POST', '/api/v1/auth/login', { body: { email: 'changer@test.example', password: 'long-enough-1' } })).status).toBe(401);
      await expect(b.login('changer@test.example', 'a-new-password-1')).resolves.toEqual(expect.any(String));
      const [entry] = await a.db.query(`SELECT after FROM audit_entries WHERE entity = 'user' AND action = 'update' AND actor_email = 'changer@test.example'`);
      expect(entry.after).toEqual({ id: expect.any(String), passwordChanged: true });
      expect(JSON.stringify(entry)).not.toMatch(/a-new-password-1|argon2/);
    });
  });

  describe('PATCH /api/v1/users/{id}', () => {
    it('binds a user to an NGO when the role becomes ngo, and clears it when it stops being ngo', async () => {
      const ngo = ok(await a.call('POST', '/api/v1/ngos', { token: admin, body: newNgo({ name: 'NGO konta' }) }));
      const { user } = await newUser('switcher@test.example', 'official');
      const noNgo = await a.call('PATCH', `/api/v1/users/${user.id}`, { token: admin, body: { role: 'ngo', version: user.version } });
      expect(noNgo.status).toBe(400);
      expect(noNgo.body.errors).toEqual([{ field: 'ngoId', message: 'is required for the ngo role' }]);
      const made = ok(await a.call('PATCH', `/api/v1/users/${user.id}`, { token: admin, body: { role: 'ngo', ngoId: ngo.id, version: user.version } }), 200);
      expect(made).toMatchObject({ role: 'ngo', ngoId: ngo.id });
      const back = ok(await a.call('PATCH', `/api/v1/users/${user.id}`, { token: admin, body: { role: 'auditor', version: made.version } }), 200);
      expect(back).toMatchObject({ role: 'auditor', ngoId: null });
    });

    it('refuses an admin demoting or deactivating themselves (422), a stale version (409), another municipality\'s user (404), and writes nothing', async () => {
      const me = ok(await a.call('GET', '/api/v1/me', { token: admin }), 200);
      const self = ok(await a.call('GET', `/api/v1/users/${me.id}`, { token: admin }), 200);
      const before = await a.db.query('SELECT role, active, version, token_version FROM users WHERE id = $1', [me.id]);

      const demote = await a.call('PATCH', `/api/v1/users/${me.id}`, { token: admin, body: { role: 'official', version: self.version } });
      expect(demote.status).toBe(422);
      expect(demote.body.errors).toEqual([{ field: 'role', rule: 'user.self-demotion', message: expect.any(String) }]);
      const deactivate = await a.call('PATCH', `/api/v1/users/${me.id}`, { token: admin, body: { active: false, version: self.version } });
      expect(deactivate.status).toBe(422);
      expect(deactivate.body.errors).toEqual([{ field: 'active', rule: 'user.self-deactivation', message: expect.any(String) }]);
      expect(await a.db.query('SELECT role, active, version, token_version FROM users WHERE id = $1', [me.id])).toEqual(before);

      const { user } = await newUser('stale@test.example', 'official');
      ok(await a.call('PATCH', `/api/v1/users/${user.id}`, { token: admin, body: { role: 'auditor', version: user.version } }), 200);
      const stale = await a.call('PATCH', `/api/v1/users/${user.id}`, { token: admin, body: { role: 'official', version: user.version } });
      expect(stale.status).toBe(409);

      const other = ok(await a.call('POST', '/api/v1/municipalities', { token: admin, body: { name: 'Gmina Obca', slug: 'obca', teryt: '1219901', admin: { email: 'admin@obca.test', password: 'long-enough-1' } } }));
      const foreign = await a.call('PATCH', `/api/v1/users/${other.admin.id}`, { token: admin, body: { active: false, version: 1 } });
      expect(foreign.status).toBe(404);
      expect((await a.db.query('SELECT active FROM users WHERE id = $1', [other.admin.id]))[0].active).toBe(true);

      const junk = await a.call('PATCH', `/api/v1/users/${user.id}`, { token: admin, body: { active: 'no', email: 'x@test.example' } });
      expect(junk.status).toBe(400);
      expect(junk.body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['active', 'version', 'email']));
    });

    it('keeps the platform admin an active admin whoever asks', async () => {
      const platform = ok(await a.call('GET', '/api/v1/me', { token: admin }), 200);
      const { token: second } = await newUser('second.admin@test.example', 'admin');
      const view = ok(await a.call('GET', `/api/v1/users/${platform.id}`, { token: second }), 200);
      const r = await a.call('PATCH', `/api/v1/users/${platform.id}`, { token: second, body: { active: false, version: view.version } });
      expect(r.status).toBe(422);
      expect(r.body.errors[0]).toMatchObject({ field: 'active', rule: 'user.platform-admin' });
    });

    it('is for admins only', async () => {
      const { user, token } = await newUser('nosy@test.example', 'official');
      expect((await a.call('PATCH', `/api/v1/users/${user.id}`, { token, body: { role: 'admin', version: user.version } })).status).toBe(403);
    });
  });

  describe('common passwords', () => {
    it.each([
      ['POST /users', '/api/v1/users', { email: 'weak@test.example', password: 'password123', role: 'official' }, 'password'],
      ['POST /users (capitalised)', '/api/v1/users', { email: 'weak@test.example', password: 'Password123', role: 'official' }, 'password'],
      ['POST /municipalities', '/api/v1/municipalities', { name: 'Gmina Słaba', slug: 'slaba', teryt: '1219902', admin: { email: 'a@slaba.test', password: 'iloveyou' } }, 'admin.password'],
    ])('%s refuses one with 400 naming the field, and writes nothing', async (_name, path, body, field) => {
      const count = () => a.db.query('SELECT (SELECT count(*) FROM users)::int AS u, (SELECT count(*) FROM municipalities)::int AS m');
      const before = await count();
      const r = await a.call('POST', path, { token: admin, body });
      expect(r.status).toBe(400);
      expect(r.body.errors).toEqual([{ field, message: 'is one of the most common passwords; choose another' }]);
      expect(await count()).toEqual(before);
    });
  });

  describe('emails are unique within a municipality', () => {
    it('answers 409 only for an email taken in the admin\'s own municipality', async () => {
      ok(await a.call('POST', '/api/v1/municipalities', { token: admin, body: { name: 'Gmina Sąsiednia', slug: 'sasiednia', teryt: '1219903', admin: { email: 'admin@sasiednia.test', password: 'long-enough-1' } } }));
      const neighbour = await a.login('admin@sasiednia.test', 'long-enough-1');
      ok(await a.call('POST', '/api/v1/users', { token: neighbour, body: { email: 'shared@test.example', password: 'neighbour-pass-1', role: 'official' } }));

      // the Kraków admin learns nothing about the neighbour's users
      const here = await a.call('POST', '/api/v1/users', { token: admin, body: { email: 'Shared@test.example', password: 'krakow-pass-1', role: 'auditor' } });
      expect(here.status).toBe(201);
      const twice = await a.call('POST', '/api/v1/users', { token: admin, body: { email: 'shared@test.example', password: 'krakow-pass-1', role: 'auditor' } });
      expect(twice.status).toBe(409);
      expect(twice.body.errors).toEqual([{ field: 'email', message: 'is already used by another user' }]);

      // each password signs in to its own municipality
      const me = async (password: string, municipality?: string) => {
        const r = await b.call('POST', '/api/v1/auth/login', { body: { email: 'shared@test.example', password, ...(municipality ? { municipality } : {}) } });
        return r.status === 200 ? (await b.call('GET', '/api/v1/me', { token: r.body.accessToken })).body.municipality.slug : r.status;
      };
      expect(await me('neighbour-pass-1')).toBe('sasiednia');
      expect(await me('krakow-pass-1')).toBe('krakow');
      expect(await me('krakow-pass-1', 'sasiednia')).toBe(401);
    });

    it('asks for the municipality when one email and password open accounts in two', async () => {
      ok(await a.call('POST', '/api/v1/municipalities', { token: admin, body: { name: 'Gmina Bliźniacza', slug: 'blizniacza', teryt: '1219904', admin: { email: 'twin@test.example', password: 'twin-password-1' } } }));
      ok(await a.call('POST', '/api/v1/users', { token: admin, body: { email: 'twin@test.example', password: 'twin-password-1', role: 'official' } }));
      const unknown = await a.call('POST', '/api/v1/auth/login', { body: { email: 'nobody-at-all@test.example', password: 'twin-password-1' } });
      const ambiguous = await a.call('POST', '/api/v1/auth/login', { body: { email: 'twin@test.example', password: 'twin-password-1' } });
      expect(ambiguous.status).toBe(401);
      expect({ ...ambiguous.body, instance: undefined }).toEqual({ ...unknown.body, instance: undefined });
      const chosen = await a.call('POST', '/api/v1/auth/login', { body: { email: 'twin@test.example', password: 'twin-password-1', municipality: 'blizniacza' } });
      expect(chosen.status).toBe(200);
      expect((await a.call('GET', '/api/v1/me', { token: chosen.body.accessToken })).body).toMatchObject({ role: 'admin', municipality: { slug: 'blizniacza' } });
    });
  });

  describe('the sign-in back-off, shared by the instances', () => {
    const attempt = (instance: TestApp, email: string, password: string) => instance.call('POST', '/api/v1/auth/login', { body: { email, password } });

    it('after 5 failures on either instance, answers 429 with Retry-After on both, the right password included, until the wait is over', async () => {
      await newUser('guarded@test.example', 'official', 'guarded-pass-1');
      const statuses: number[] = [];
      for (const instance of [a, b, a, b, a]) statuses.push((await attempt(instance, 'guarded@test.example', 'wrong-password')).status);
      expect(statuses).toEqual([401, 401, 401, 401, 401]);

      const blocked = await attempt(b, 'guarded@test.example', 'guarded-pass-1');
      expect(blocked.status).toBe(429);
      expect(blocked.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const wait = Number(blocked.headers.get('retry-after'));
      expect(wait).toBeGreaterThanOrEqual(1);
      expect(wait).toBeLessThanOrEqual(2);
      expect((await attempt(a, 'GUARDED@test.example', 'guarded-pass-1')).status).toBe(429);

      await sleep(wait * 1000 + 100);
      expect((await attempt(a, 'guarded@test.example', 'wrong-password')).status).toBe(401);
      // the sixth failure doubles the wait
      const longer = await attempt(b, 'guarded@test.example', 'guarded-pass-1');
      expect(longer.status).toBe(429);
      const second = Number(longer.headers.get('retry-after'));
      expect(second).toBeGreaterThanOrEqual(1);
      expect(second).toBeLessThanOrEqual(2);
      await sleep(second * 1000 + 100);
      expect((await attempt(b, 'guarded@test.example', 'guarded-pass-1')).status).toBe(200);
      // a success ends the streak
      expect((await a.db.query(`SELECT count(*)::int AS n FROM login_backoff WHERE email = 'guarded@test.example'`))[0].n).toBe(0);
    });

    it('treats an email without an account the same way, so the answer reveals nothing', async () => {
      const statuses: number[] = [];
      for (const instance of [a, b, a, b, a, b]) statuses.push((await attempt(instance, 'no-such-account@test.example', 'wrong-password')).status);
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    });
  });

  describe('signing keys', () => {
    it('accepts tokens of JWT_SECRET_PREVIOUS while it is set, and refuses them once it is dropped', async () => {
      const jwt = a.app.get(JwtService);
      const oldToken = await a.login(PLATFORM_ADMIN.email, PLATFORM_ADMIN.password);
      const newKey = 'the-next-jwt-secret-abcdefghijklmnopqrstuvwxyz';
      const rotating = await createTestApp({ jwtSecret: newKey, jwtSecretPrevious: a.config.jwtSecret }, { databaseUrl: a.databaseUrl });
      const rotated = await createTestApp({ jwtSecret: newKey, jwtSecretPrevious: undefined }, { databaseUrl: a.databaseUrl });
      try {
        expect((await rotating.call('GET', '/api/v1/me', { token: oldToken })).status).toBe(200);
        const newToken = await rotating.login(PLATFORM_ADMIN.email, PLATFORM_ADMIN.password);
        // signed with the new key, which the old instance does not know
        await expect(jwt.verifyAsync(newToken)).rejects.toThrow();
        expect((await rotated.call('GET', '/api/v1/me', { token: newToken })).status).toBe(200);
        expect((await rotated.call('GET', '/api/v1/me', { token: oldToken })).status).toBe(401);
      } finally {
        await rotated.close();
        await rotating.close();
      }
    });
  });
});

describe('demo data on a database other than the embedded one', () => {
  it('gives each demo account a random password, returned once to be printed, and never the published one', async () => {
    const db = await createEmptyDatabase();
    try {
      const config = testConfig({ adminEmail: undefined, adminPassword: undefined });
      const prepared = await prepareDatabase(db.url, config, true, undefined, 'random');
      expect(prepared.firstStart).toBe('created-with-demo');
      expect(prepared.demoSignIns.map((d) => d.email).sort()).toEqual(['admin@krakow.example', 'auditor@krakow.example', 'ngo@krakow.example', 'official@krakow.example']);
      const passwords = new Set(prepared.demoSignIns.map((d) => d.password));
      expect(passwords.size).toBe(4);
      for (const p of passwords) expect(p).toMatch(/^[\w-]{32}$/);

      const t = await createTestApp({ adminEmail: undefined, adminPassword: undefined }, { databaseUrl: db.url });
      try {
        const official = prepared.demoSignIns.find((d) => d.email === 'official@krakow.example')!;
        expect((await t.call('POST', '/api/v1/auth/login', { body: { email: official.email, password: DEMO_PASSWORD } })).status).toBe(401);
        expect((await t.call('POST', '/api/v1/auth/login', { body: { email: 'admin@krakow.example', password: DEMO_PASSWORD } })).status).toBe(401);
        await expect(t.login(official.email, official.password)).resolves.toEqual(expect.any(String));
        // a restart prints nothing again: the passwords are kept nowhere in clear
        expect((await prepareDatabase(db.url, config, true, undefined, 'random')).demoSignIns).toEqual([]);
        const [{ n }] = await t.db.query('SELECT count(*)::int AS n FROM app_settings WHERE value = ANY($1::text[])', [[...passwords]]);
        expect(n).toBe(0);
      } finally {
        await t.close();
      }
    } finally {
      await db.drop();
    }
  });
});
