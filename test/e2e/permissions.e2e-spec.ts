import { newNgo, newProgram, usersOfEveryRole, type Tokens } from '../utils/factories';
import { createTestApp, PLATFORM_ADMIN, type TestApp } from '../utils/test-app';
import { createMunicipality, signIn } from '../utils/users';

type Who = 'public' | 'ngo' | 'auditor' | 'official' | 'admin';
const WHO: Who[] = ['public', 'ngo', 'auditor', 'official', 'admin'];

interface Route {
  name: string;
  /** the roles the contract's permission table admits; everyone else gets 403 (401 without a token) */
  allowed: Who[];
  call(t: TestApp, token: string | undefined, ctx: Ctx): Promise<{ status: number }>;
}

interface Ctx {
  tokens: Tokens;
  ngoId: string;
  programId: string;
  userId: string;
  fresh: { ngo(): Promise<string>; program(): Promise<string> };
  seq: () => number;
}

/** The contract's permission table, route by route (../shared/api-contract.md, "Permissions"). */
const ROUTES: Route[] = [
  { name: 'GET /spheres', allowed: WHO, call: (t, token) => t.call('GET', '/api/v1/spheres', { token }) },
  { name: 'GET /me', allowed: ['ngo', 'auditor', 'official', 'admin'], call: (t, token) => t.call('GET', '/api/v1/me', { token }) },
  { name: 'GET /ngos', allowed: ['ngo', 'auditor', 'official', 'admin'], call: (t, token) => t.call('GET', '/api/v1/ngos', { token }) },
  { name: 'GET /ngos/{own NGO}', allowed: ['ngo', 'auditor', 'official', 'admin'], call: (t, token, c) => t.call('GET', `/api/v1/ngos/${c.tokens.ngoId}`, { token }) },
  { name: 'GET /ngos/{another NGO}', allowed: ['auditor', 'official', 'admin'], call: (t, token, c) => t.call('GET', `/api/v1/ngos/${c.ngoId}`, { token }) },
  { name: 'POST /ngos', allowed: ['official', 'admin'], call: (t, token) => t.call('POST', '/api/v1/ngos', { token, body: newNgo() }) },
  { name: 'PATCH /ngos/{id}', allowed: ['official', 'admin'], call: async (t, token, c) => t.call('PATCH', `/api/v1/ngos/${await c.fresh.ngo()}`, { token, body: { version: 1, name: `Renamed ${c.seq()}` } }) },
  { name: 'DELETE /ngos/{id}', allowed: ['official', 'admin'], call: async (t, token, c) => t.call('DELETE', `/api/v1/ngos/${await c.fresh.ngo()}`, { token }) },
  { name: 'GET /programs', allowed: ['ngo', 'auditor', 'official', 'admin'], call: (t, token) => t.call('GET', '/api/v1/programs', { token }) },
  { name: 'GET /programs/{id}', allowed: ['ngo', 'auditor', 'official', 'admin'], call: (t, token, c) => t.call('GET', `/api/v1/programs/${c.programId}`, { token }) },
  { name: 'POST /programs', allowed: ['official', 'admin'], call: (t, token) => t.call('POST', '/api/v1/programs', { token, body: newProgram() }) },
  { name: 'PATCH /programs/{id}', allowed: ['official', 'admin'], call: async (t, token, c) => t.call('PATCH', `/api/v1/programs/${await c.fresh.program()}`, { token, body: { version: 1, title: 'Renamed' } }) },
  { name: 'DELETE /programs/{id}', allowed: ['official', 'admin'], call: async (t, token, c) => t.call('DELETE', `/api/v1/programs/${await c.fresh.program()}`, { token }) },
  { name: 'GET /users', allowed: ['admin'], call: (t, token) => t.call('GET', '/api/v1/users', { token }) },
  { name: 'GET /users/{id}', allowed: ['admin'], call: (t, token, c) => t.call('GET', `/api/v1/users/${c.userId}`, { token }) },
  { name: 'POST /users', allowed: ['admin'], call: (t, token, c) => t.call('POST', '/api/v1/users', { token, body: { email: `perm${c.seq()}@test.example`, password: 'long-enough-1', role: 'auditor' } }) },
  // the municipality admin of this test is not the platform admin: see the platform-admin test below
  { name: 'GET /municipalities', allowed: [], call: (t, token) => t.call('GET', '/api/v1/municipalities', { token }) },
  { name: 'POST /municipalities', allowed: [], call: (t, token, c) => t.call('POST', '/api/v1/municipalities', { token, body: { name: 'X', slug: `x-${c.seq()}`, teryt: String(1000000 + c.seq()), admin: { email: `m${c.seq()}@test.example`, password: 'long-enough-1' } } }) },
];

describe('permissions: each role against each route', () => {
  let t: TestApp;
  let ctx: Ctx;
  let platformAdmin: string;

  beforeAll(async () => {
    t = await createTestApp();
    platformAdmin = await signIn(t, PLATFORM_ADMIN.email);
    // a second municipality whose admin is an ordinary admin
    const { admin } = await createMunicipality(t, platformAdmin, { name: 'Gmina Perm', slug: 'perm', teryt: '1299999', adminEmail: 'admin@perm.test' });
    const tokens = await usersOfEveryRole(t, admin, 'perm');
    let n = 0;
    const seq = () => ++n;
    const fresh = {
      ngo: async () => (await t.call('POST', '/api/v1/ngos', { token: admin, body: newNgo() })).body.id as string,
      program: async () => (await t.call('POST', '/api/v1/programs', { token: admin, body: newProgram() })).body.id as string,
    };
    const users = await t.call('GET', '/api/v1/users', { token: admin });
    ctx = { tokens, ngoId: await fresh.ngo(), programId: await fresh.program(), userId: users.body.items[0].id, fresh, seq };
  });
  afterAll(() => t.close());

  const cases = ROUTES.flatMap((route) => WHO.map((who) => [route.name, who, route] as const));

  it.each(cases)('%s as %s', async (_name, who, route) => {
    const token = who === 'public' ? undefined : ctx.tokens[who];
    const r = await route.call(t, token, ctx);
    if (route.allowed.includes(who)) {
      expect(r.status).toBeGreaterThanOrEqual(200);
      expect(r.status).toBeLessThan(300);
    } else {
      expect(r.status).toBe(who === 'public' ? 401 : 403);
    }
  });

  it('lets only the platform admin manage municipalities', async () => {
    expect((await t.call('GET', '/api/v1/municipalities', { token: platformAdmin })).status).toBe(200);
  });

  it('changes nothing on a refused write', async () => {
    const before = await t.db.query('SELECT (SELECT count(*) FROM ngos)::int AS n, (SELECT count(*) FROM programs)::int AS p, (SELECT count(*) FROM users)::int AS u');
    for (const token of [undefined, ctx.tokens.ngo, ctx.tokens.auditor]) {
      await t.call('POST', '/api/v1/ngos', { token, body: newNgo() });
      await t.call('POST', '/api/v1/programs', { token, body: newProgram() });
      await t.call('PATCH', `/api/v1/ngos/${ctx.ngoId}`, { token, body: { version: 1, name: 'Nope' } });
      await t.call('DELETE', `/api/v1/programs/${ctx.programId}`, { token });
    }
    await t.call('POST', '/api/v1/users', { token: ctx.tokens.official, body: { email: 'sneaky@test.example', password: 'long-enough-1', role: 'admin' } });
    const after = await t.db.query('SELECT (SELECT count(*) FROM ngos)::int AS n, (SELECT count(*) FROM programs)::int AS p, (SELECT count(*) FROM users)::int AS u');
    expect(after).toEqual(before);
    expect((await t.call('GET', `/api/v1/ngos/${ctx.ngoId}`, { token: ctx.tokens.official })).body.name).not.toBe('Nope');
    expect((await t.call('GET', `/api/v1/programs/${ctx.programId}`, { token: ctx.tokens.official })).body.archived).toBe(false);
  });
});
