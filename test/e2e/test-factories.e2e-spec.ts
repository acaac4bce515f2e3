import { JwtService } from '@nestjs/jwt';
import { newNgo, usersOfEveryRole } from '../utils/factories';
import { createTestApp, PLATFORM_ADMIN, type TestApp } from '../utils/test-app';
import { createMunicipality, createUser, signIn, TEST_PASSWORD } from '../utils/users';

/**
 * The factories that stand in for POST /users, POST /municipalities and POST /auth/login in the
 * other specs (test/utils/users.ts) must leave what the API leaves: the same rows, the same audit
 * entries, tokens with the same claims, and a password the real sign-in accepts.
 */
describe('the test factories of users', () => {
  let t: TestApp;
  let platform: string;

  const claims = (token: string) => {
    const { iat, exp, ...rest } = t.app.get(JwtService).decode<Record<string, unknown>>(token);
    expect(typeof iat).toBe('number');
    expect(exp).toBe((iat as number) + t.config.tokenTtlSeconds);
    return rest;
  };
  const auditOf = async (userId: string) =>
    (await t.db.query(`SELECT actor_id, actor_email, action, entity, after FROM audit_entries WHERE entity = 'user' AND entity_id = $1`, [userId])) as Array<Record<string, any>>;

  beforeAll(async () => {
    t = await createTestApp();
    platform = await t.login(PLATFORM_ADMIN.email, PLATFORM_ADMIN.password);
  });
  afterAll(() => t.close());

  it('signIn gives the token POST /auth/login gives', async () => {
    expect(claims(await signIn(t, PLATFORM_ADMIN.email))).toEqual(claims(platform));
  });

  it('createUser writes the user and the audit entry POST /users writes, and the user signs in with TEST_PASSWORD', async () => {
    const ngo = (await t.call('POST', '/api/v1/ngos', { token: platform, body: newNgo() })).body;
    const viaApi = await t.call('POST', '/api/v1/users', { token: platform, body: { email: 'api.made@test.example', password: TEST_PASSWORD, role: 'ngo', ngoId: ngo.id } });
    expect(viaApi.status).toBe(201);
    const made = await createUser(t, platform, { email: 'Factory.Made@test.example', role: 'ngo', ngoId: ngo.id });

    const viewOf = async (id: string) => (await t.call('GET', `/api/v1/users/${id}`, { token: platform })).body;
    const [apiView, madeView] = [await viewOf(viaApi.body.id), await viewOf(made.id)];
    const differing = ['id', 'email', 'createdAt'];
    const without = (v: Record<string, unknown>) => Object.fromEntries(Object.entries(v).filter(([k]) => !differing.includes(k)));
    expect(without(madeView)).toEqual(without(apiView));
    expect(madeView.email).toBe('factory.made@test.example');

    const [apiEntry] = await auditOf(viaApi.body.id);
    const [madeEntry] = await auditOf(made.id);
    expect(madeEntry).toEqual({ ...apiEntry, after: { ...apiEntry.after, id: made.id, email: 'factory.made@test.example', createdAt: madeView.createdAt } });
    expect(madeEntry.after).toEqual(madeView);

    const real = await t.login('factory.made@test.example', TEST_PASSWORD);
    expect(claims(made.token)).toEqual(claims(real));
    expect((await t.call('GET', '/api/v1/me', { token: made.token })).body).toMatchObject({ id: made.id, role: 'ngo', ngoId: ngo.id });
  });

  it('usersOfEveryRole gives working tokens of each role in the admin\'s municipality', async () => {
    const tokens = await usersOfEveryRole(t, platform, 'factories');
    for (const role of ['official', 'auditor', 'ngo'] as const) {
      const me = (await t.call('GET', '/api/v1/me', { token: tokens[role] })).body;
      expect(me).toMatchObject({ email: `${role}.factories@test.example`, role, municipality: { slug: 'krakow' }, ngoId: role === 'ngo' ? tokens.ngoId : null });
    }
  });

  it('createMunicipality leaves what POST /municipalities leaves, and its admin signs in with TEST_PASSWORD', async () => {
    const viaApi = await t.call('POST', '/api/v1/municipalities', { token: platform, body: { name: 'Gmina Api', slug: 'api-made', teryt: '1206011', admin: { email: 'admin@api-made.test', password: TEST_PASSWORD } } });
    expect(viaApi.status).toBe(201);
    const made = await createMunicipality(t, platform, { name: 'Gmina Fabryczna', slug: 'factory-made', teryt: '1206022', adminEmail: 'admin@factory-made.test' });
    const trail = async (municipalityId: string) =>
      (await t.db.query(`SELECT actor_id, actor_email, action, entity, after - 'id' - 'name' - 'slug' - 'teryt' - 'email' AS after FROM audit_entries WHERE municipality_id = $1 ORDER BY seq`, [municipalityId])) as unknown[];
    expect(await trail(made.id)).toEqual(await trail(viaApi.body.id));
    const real = await t.login('admin@factory-made.test', TEST_PASSWORD);
    expect(claims(made.admin)).toEqual(claims(real));
  });
});
