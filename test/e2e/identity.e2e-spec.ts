import { JwtService } from '@nestjs/jwt';
import { newNgo, ROLE_PASSWORD, usersOfEveryRole, type Tokens } from '../utils/factories';
import { createTestApp, PLATFORM_ADMIN, type TestApp } from '../utils/test-app';

/** Real: HTTP, PostgreSQL, argon2id, JWT. Nothing is mocked. */
describe('identity: sign-in, /me, users, municipalities', () => {
  let t: TestApp;
  let admin: string;
  let tokens: Tokens;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.login(PLATFORM_ADMIN.email, PLATFORM_ADMIN.password);
    tokens = await usersOfEveryRole(t, admin, 'identity');
  });
  afterAll(() => t.close());

  describe('POST /api/v1/auth/login', () => {
    it('answers a bearer token', async () => {
      const r = await t.call('POST', '/api/v1/auth/login', { body: { email: PLATFORM_ADMIN.email, password: PLATFORM_ADMIN.password } });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ accessToken: expect.any(String), tokenType: 'Bearer', expiresIn: t.config.tokenTtlSeconds });
      expect(r.headers.get('cache-control')).toBe('no-store');
    });

    it('takes the email in any case', async () => {
      const r = await t.call('POST', '/api/v1/auth/login', { body: { email: PLATFORM_ADMIN.email.toUpperCase(), password: PLATFORM_ADMIN.password } });
      expect(r.status).toBe(200);
    });

    it('gives the same 401 for an unknown email and a wrong password', async () => {
      const unknown = await t.call('POST', '/api/v1/auth/login', { body: { email: 'nobody@test.example', password: 'whatever-1' } });
      const wrong = await t.call('POST', '/api/v1/auth/login', { body: { email: PLATFORM_ADMIN.email, password: 'wrong-password' } });
      expect(unknown.status).toBe(401);
      expect(wrong.status).toBe(401);
      expect(unknown.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const strip = (b: { instance?: string }) => ({ ...b, instance: undefined });
      expect(strip(unknown.body)).toEqual(strip(wrong.body));
    });

    it('names each bad field', async () => {
      const r = await t.call('POST', '/api/v1/auth/login', { body: { email: 'not-an-email' } });
      expect(r.status).toBe(400);
      expect(r.body.errors).toEqual(
        expect.arrayContaining([
          { field: 'email', message: 'must be an email address' },
          { field: 'password', message: 'is required' },
        ]),
      );
    });
  });

  describe('bearer tokens', () => {
    it('refuses a missing, malformed, tampered or expired token with 401', async () => {
      const jwt = t.app.get(JwtService);
      const { iat: _iat, exp: _exp, ...claims } = jwt.decode(tokens.official) as Record<string, unknown>;
      const expired = await jwt.signAsync({ ...claims, exp: Math.floor(Date.now() / 1000) - 60 });
      const [h, p, s] = tokens.official.split('.');
      const elevated = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
      for (const authorization of [undefined, 'Bearer', 'Basic abc', `Bearer ${h}.${elevated}.${s}`, `Bearer ${expired}`, `Bearer ${h}.${p}.${s}x`]) {
        const r = await t.call('GET', '/api/v1/me', { headers: authorization ? { authorization } : {} });
        expect(r.status).toBe(401);
      }
    });
  });

  describe('GET /api/v1/me', () => {
    it('describes the caller and its municipality', async () => {
      const me = await t.call('GET', '/api/v1/me', { token: tokens.official });
      expect(me.status).toBe(200);
      expect(me.body).toEqual({
        id: expect.any(String),
        email: 'official.identity@test.example',
        role: 'official',
        platformAdmin: false,
        municipality: { id: expect.any(String), slug: 'krakow', name: 'Kraków' },
        ngoId: null,
      });
    });

    it('gives an ngo user its NGO', async () => {
      const me = await t.call('GET', '/api/v1/me', { token: tokens.ngo });
      expect(me.body).toMatchObject({ role: 'ngo', ngoId: tokens.ngoId, platformAdmin: false });
    });

    it('marks the first admin as the platform admin', async () => {
      const me = await t.call('GET', '/api/v1/me', { token: admin });
      expect(me.body).toMatchObject({ role: 'admin', platformAdmin: true });
    });
  });

  describe('POST /api/v1/users', () => {
    it('creates a user who can sign in, without ever answering the hash', async () => {
      const r = await t.call('POST', '/api/v1/users', { token: admin, body: { email: 'New.Auditor@Test.example', password: 'long-enough-1', role: 'auditor' } });
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({ email: 'new.auditor@test.example', role: 'auditor', ngoId: null, platformAdmin: false });
      expect(JSON.stringify(r.body)).not.toMatch(/argon2|password/i);
      await expect(t.login('new.auditor@test.example', 'long-enough-1')).resolves.toEqual(expect.any(String));
      const [row] = await t.db.query("SELECT password_hash FROM users WHERE email = 'new.auditor@test.example'");
      expect(row.password_hash).toMatch(/^\$argon2id\$/);
    });

    it('answers 409 for an email in use (in any case)', async () => {
      const r = await t.call('POST', '/api/v1/users', { token: admin, body: { email: 'OFFICIAL.identity@test.example', password: 'long-enough-1', role: 'official' } });
      expect(r.status).toBe(409);
      expect(r.body.errors).toEqual([{ field: 'email', message: 'is already used by another user' }]);
    });

    it.each([
      [{ email: 'x@test.example', password: 'short', role: 'official' }, 'password'],
      [{ email: 'x@test.example', password: 'long-enough-1', role: 'root' }, 'role'],
      [{ email: 'nope', password: 'long-enough-1', role: 'official' }, 'email'],
      [{ email: 'x@test.example', password: 'long-enough-1', role: 'ngo' }, 'ngoId'],
      [{ email: 'x@test.example', password: 'long-enough-1', role: 'official', ngoId: '00000000-0000-4000-8000-000000000000' }, 'ngoId'],
      [{ email: 'x@test.example', password: 'long-enough-1', role: 'ngo', ngoId: 'not-a-uuid' }, 'ngoId'],
      [{ email: 'x@test.example', password: 'long-enough-1', role: 'official', isAdmin: true }, 'isAdmin'],
    ])('refuses %j naming %s', async (body, field) => {
      const before = await t.db.query('SELECT count(*)::int AS n FROM users');
      const r = await t.call('POST', '/api/v1/users', { token: admin, body });
      expect(r.status).toBe(400);
      expect(r.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(await t.db.query('SELECT count(*)::int AS n FROM users')).toEqual(before);
    });

    it('binds an ngo user to an NGO of this municipality only (422 otherwise)', async () => {
      const r = await t.call('POST', '/api/v1/users', { token: admin, body: { email: 'ghost@test.example', password: 'long-enough-1', role: 'ngo', ngoId: '00000000-0000-4000-8000-000000000000' } });
      expect(r.status).toBe(422);
      expect(r.body.errors).toEqual([{ field: 'ngoId', rule: 'user.ngo-exists', message: expect.any(String) }]);
    });

    it('lists the municipality\'s users for an admin', async () => {
      const r = await t.call('GET', '/api/v1/users?limit=2', { token: admin });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ page: 1, limit: 2, total: expect.any(Number) });
      expect(r.body.items).toHaveLength(2);
    });
  });

  describe('POST /api/v1/municipalities', () => {
    const body = (slug: string, teryt: string, email: string) => ({ name: `Gmina ${slug}`, slug, teryt, admin: { email, password: 'municipal-admin-1' } });

    it('lets the platform admin create a municipality with its own admin', async () => {
      const r = await t.call('POST', '/api/v1/municipalities', { token: admin, body: body('wieliczka', '1219063', 'admin@wieliczka.test') });
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({ id: expect.any(String), name: 'Gmina wieliczka', slug: 'wieliczka', teryt: '1219063', admin: { id: expect.any(String), email: 'admin@wieliczka.test' } });
      const token = await t.login('admin@wieliczka.test', 'municipal-admin-1');
      const me = await t.call('GET', '/api/v1/me', { token });
      expect(me.body).toMatchObject({ role: 'admin', platformAdmin: false, municipality: { slug: 'wieliczka' } });
    });

    it('refuses a municipality admin that is not the platform admin (403)', async () => {
      const other = await t.login('admin@wieliczka.test', 'municipal-admin-1');
      const r = await t.call('POST', '/api/v1/municipalities', { token: other, body: body('niepolomice', '1219074', 'a@niepolomice.test') });
      expect(r.status).toBe(403);
    });

    it.each([
      ['slug', body('wieliczka', '1219999', 'b@test.example')],
      ['teryt', body('other-town', '1219063', 'c@test.example')],
    ])('answers 409 naming %s when it is taken, and writes nothing', async (field, b) => {
      const before = await t.db.query('SELECT (SELECT count(*) FROM municipalities)::int AS m, (SELECT count(*) FROM users)::int AS u');
      const r = await t.call('POST', '/api/v1/municipalities', { token: admin, body: b });
      expect(r.status).toBe(409);
      expect(r.body.errors[0].field).toBe(field);
      expect(await t.db.query('SELECT (SELECT count(*) FROM municipalities)::int AS m, (SELECT count(*) FROM users)::int AS u')).toEqual(before);
    });

    it('gives the new municipality\'s admin an email used in another municipality (emails are unique per municipality)', async () => {
      const r = await t.call('POST', '/api/v1/municipalities', { token: admin, body: { ...body('third-town', '1219888', 'admin@wieliczka.test'), admin: { email: 'admin@wieliczka.test', password: 'third-town-admin-1' } } });
      expect(r.status).toBe(201);
      const token = await t.login('admin@wieliczka.test', 'third-town-admin-1');
      expect((await t.call('GET', '/api/v1/me', { token })).body).toMatchObject({ municipality: { slug: 'third-town' } });
    });

    it.each([
      [{ ...body('Bad Slug', '1219063', 'x@test.example') }, 'slug'],
      // the public pages live at /{slug}: a municipality may not take the service's own paths
      [{ ...body('api', '1219063', 'x@test.example') }, 'slug'],
      [{ ...body('health', '1219063', 'x@test.example') }, 'slug'],
      [{ ...body('ok-slug', '12190', 'x@test.example') }, 'teryt'],
      [{ ...body('ok-slug', '1219000', 'x@test.example'), admin: { email: 'x@test.example' } }, 'admin.password'],
      [{ name: 'No admin', slug: 'no-admin', teryt: '1219001' }, 'admin'],
    ])('refuses %j naming %s', async (b, field) => {
      const r = await t.call('POST', '/api/v1/municipalities', { token: admin, body: b });
      expect(r.status).toBe(400);
      expect(r.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });
  });

  it('takes passwords as typed, spaces included', async () => {
    const created = await t.call('POST', '/api/v1/users', { token: admin, body: { email: 'spaces@test.example', password: ' with spaces ', role: 'auditor' } });
    expect(created.status).toBe(201);
    await expect(t.login('spaces@test.example', ' with spaces ')).resolves.toEqual(expect.any(String));
    expect((await t.call('POST', '/api/v1/auth/login', { body: { email: 'spaces@test.example', password: 'with spaces' } })).status).toBe(401);
  });

  it('keeps the ngo user bound to its NGO after the NGO is archived', async () => {
    const ngo = await t.call('POST', '/api/v1/ngos', { token: admin, body: newNgo() });
    await t.call('POST', '/api/v1/users', { token: admin, body: { email: 'ngo2@test.example', password: ROLE_PASSWORD, role: 'ngo', ngoId: ngo.body.id } });
    await t.call('DELETE', `/api/v1/ngos/${ngo.body.id}`, { token: admin });
    const token = await t.login('ngo2@test.example', ROLE_PASSWORD);
    const own = await t.call('GET', `/api/v1/ngos/${ngo.body.id}`, { token });
    expect(own.status).toBe(200);
    expect(own.body.archived).toBe(true);
  });
});

describe('sign-in throttling', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ loginRateLimitPerMinute: 3 });
  });
  afterAll(() => t.close());

  it('answers 429 after LOGIN_RATE_LIMIT attempts a minute for one account, right password or not', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await t.call('POST', '/api/v1/auth/login', { body: { email: PLATFORM_ADMIN.email, password: 'wrong-password' } });
      statuses.push(r.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    const blocked = await t.call('POST', '/api/v1/auth/login', { body: { email: PLATFORM_ADMIN.email, password: PLATFORM_ADMIN.password } });
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(blocked.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(blocked.body).toMatchObject({ status: 429, title: 'Too many requests' });
  });

  it('counts other accounts apart', async () => {
    const r = await t.call('POST', '/api/v1/auth/login', { body: { email: 'someone-else@test.example', password: 'wrong-password' } });
    expect(r.status).toBe(401);
  });

  it('ignores X-Forwarded-For unless TRUST_PROXY says a proxy is in front', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await t.call('POST', '/api/v1/auth/login', { headers: { 'x-forwarded-for': `203.0.113.${i}` }, body: { email: 'spoofer@test.example', password: 'wrong-password' } });
      statuses.push(r.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
  });
});

describe('sign-in throttling per client address', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ loginRateLimitPerMinute: 2 });
  });
  afterAll(() => t.close());

  it('stops one address after 10 × LOGIN_RATE_LIMIT attempts across any accounts', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      statuses.push((await t.call('POST', '/api/v1/auth/login', { body: { email: `sprayed${i}@test.example`, password: 'wrong-password' } })).status);
    }
    expect(statuses.slice(0, 20)).toEqual(Array(20).fill(401));
    expect(statuses[20]).toBe(429);
    // the platform admin, from the same address, is held back too until the minute passes
    expect((await t.call('POST', '/api/v1/auth/login', { body: { email: PLATFORM_ADMIN.email, password: PLATFORM_ADMIN.password } })).status).toBe(429);
  });
});
