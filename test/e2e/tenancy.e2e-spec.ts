import { newNgo, newProgram, ROLE_PASSWORD, usersOfEveryRole, type Tokens } from '../utils/factories';
import { createTestApp, PLATFORM_ADMIN, type TestApp } from '../utils/test-app';
import { createMunicipality, signIn } from '../utils/users';

/** Two municipalities on one deployment: a token only ever sees its own. */
describe('tenant isolation', () => {
  let t: TestApp;
  let a: Tokens; // Kraków
  let b: Tokens; // Wieliczka
  let aNgo: { id: string; krs: string; nip: string; name: string };
  let aProgram: { id: string; title: string };

  beforeAll(async () => {
    t = await createTestApp();
    const platformAdmin = await signIn(t, PLATFORM_ADMIN.email);
    a = await usersOfEveryRole(t, platformAdmin, 'krakow');
    const wieliczka = await createMunicipality(t, platformAdmin, { name: 'Wieliczka', slug: 'wieliczka', teryt: '1219063', adminEmail: 'admin@wieliczka.test' });
    b = await usersOfEveryRole(t, wieliczka.admin, 'wieliczka');
    aNgo = (await t.call('POST', '/api/v1/ngos', { token: a.official, body: newNgo({ name: 'Krakowska Fundacja Tajna' }) })).body;
    aProgram = (await t.call('POST', '/api/v1/programs', { token: a.official, body: newProgram({ title: 'Krakowski program' }) })).body;
  });
  afterAll(() => t.close());

  it.each(['official', 'auditor', 'admin'] as const)('gives the other municipality\'s %s 404 for its NGO and programme', async (role) => {
    const token = b[role];
    for (const path of [`/api/v1/ngos/${aNgo.id}`, `/api/v1/programs/${aProgram.id}`]) {
      const r = await t.call('GET', path, { token });
      expect(r.status).toBe(404);
      expect(r.text).not.toContain('Krakow');
    }
  });

  it('gives the other municipality\'s ngo user 404, not 403', async () => {
    expect((await t.call('GET', `/api/v1/ngos/${aNgo.id}`, { token: b.ngo })).status).toBe(404);
  });

  it('never lists the other municipality\'s records', async () => {
    for (const path of ['/api/v1/ngos?limit=200', `/api/v1/ngos?search=${aNgo.krs}`, '/api/v1/ngos?search=Tajna', '/api/v1/programs?limit=200', '/api/v1/users?limit=200']) {
      const r = await t.call('GET', path, { token: b.admin });
      expect(r.status).toBe(200);
      expect(r.text).not.toContain(aNgo.id);
      expect(r.text).not.toContain('Krak');
    }
  });

  it('refuses to change or archive them (404) and leaves them as they were', async () => {
    expect((await t.call('PATCH', `/api/v1/ngos/${aNgo.id}`, { token: b.official, body: { version: 1, name: 'Hijacked' } })).status).toBe(404);
    expect((await t.call('DELETE', `/api/v1/ngos/${aNgo.id}`, { token: b.official })).status).toBe(404);
    expect((await t.call('PATCH', `/api/v1/programs/${aProgram.id}`, { token: b.official, body: { version: 1, title: 'Hijacked' } })).status).toBe(404);
    expect((await t.call('DELETE', `/api/v1/programs/${aProgram.id}`, { token: b.official })).status).toBe(404);
    const ngo = await t.call('GET', `/api/v1/ngos/${aNgo.id}`, { token: a.official });
    expect(ngo.body).toMatchObject({ name: 'Krakowska Fundacja Tajna', archived: false, version: 1 });
    const program = await t.call('GET', `/api/v1/programs/${aProgram.id}`, { token: a.official });
    expect(program.body).toMatchObject({ title: 'Krakowski program', archived: false, version: 1 });
  });

  it('treats an id of the other municipality inside a body as unknown, and writes nothing', async () => {
    const before = await t.db.query('SELECT (SELECT count(*) FROM programs)::int AS p, (SELECT count(*) FROM users)::int AS u');
    const child = await t.call('POST', '/api/v1/programs', { token: b.official, body: { title: 'Roczny', kind: 'annual', startYear: 2020, endYear: 2020, parentId: aProgram.id } });
    expect(child.status).toBe(422);
    expect(child.body.errors).toEqual([{ rule: 'program.parent-exists', field: 'parentId', message: 'No programme with this id in this municipality' }]);
    const user = await t.call('POST', '/api/v1/users', { token: b.admin, body: { email: 'spy@test.example', password: ROLE_PASSWORD, role: 'ngo', ngoId: aNgo.id } });
    expect(user.status).toBe(422);
    expect(await t.db.query('SELECT (SELECT count(*) FROM programs)::int AS p, (SELECT count(*) FROM users)::int AS u')).toEqual(before);
  });

  it('keeps KRS and NIP unique per municipality, not across them', async () => {
    const same = await t.call('POST', '/api/v1/ngos', { token: b.official, body: newNgo({ krs: aNgo.krs, nip: aNgo.nip }) });
    expect(same.status).toBe(201);
  });

  it('refuses a cross-tenant reference in the database itself, should a bug slip past the API', async () => {
    const [wieliczka] = await t.db.query("SELECT id FROM municipalities WHERE slug = 'wieliczka'");
    await expect(
      t.db.query(`INSERT INTO programs (municipality_id, title, kind, start_year, end_year, parent_id) VALUES ($1, 'x', 'annual', 2020, 2020, $2)`, [wieliczka.id, aProgram.id]),
    ).rejects.toThrow(/programs_parent_fkey/);
  });

  it('answers each caller its own municipality in /me', async () => {
    expect((await t.call('GET', '/api/v1/me', { token: a.official })).body.municipality.slug).toBe('krakow');
    expect((await t.call('GET', '/api/v1/me', { token: b.official })).body.municipality.slug).toBe('wieliczka');
  });
});
