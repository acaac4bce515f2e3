import { newNgo, uniqueIdentifiers, usersOfEveryRole, type Tokens } from '../utils/factories';
import { createTestApp, PLATFORM_ADMIN, type TestApp } from '../utils/test-app';
import { signIn } from '../utils/users';

/** Real: HTTP, PostgreSQL. The NGO register of the contract. */
describe('NGOs', () => {
  let t: TestApp;
  let tokens: Tokens;
  let official: string;
  const count = async () => (await t.db.query('SELECT count(*)::int AS n FROM ngos'))[0].n as number;

  beforeAll(async () => {
    t = await createTestApp();
    tokens = await usersOfEveryRole(t, await signIn(t, PLATFORM_ADMIN.email), 'ngos');
    official = tokens.official;
  });
  afterAll(() => t.close());

  const create = (body: Record<string, unknown>, token = official) => t.call('POST', '/api/v1/ngos', { token, body });

  describe('create', () => {
    it('creates an NGO and answers every field of the contract', async () => {
      const ids = uniqueIdentifiers();
      const r = await create({
        name: '  Fundacja Teatr w Podgórzu ',
        legalForm: 'foundation',
        krs: ids.krs,
        nip: `${ids.nip.slice(0, 3)}-${ids.nip.slice(3, 6)}-${ids.nip.slice(6, 8)}-${ids.nip.slice(8)}`,
        regon: ids.regon,
        email: 'biuro@teatr.example',
        website: 'https://teatr.example',
        address: 'ul. Limanowskiego 1, Kraków',
        spheres: ['16', '14'],
        publicBenefit: true,
        registeredOn: '2006-01-30',
      });
      expect(r.status).toBe(201);
      expect(r.body).toEqual({
        id: expect.any(String),
        name: 'Fundacja Teatr w Podgórzu',
        legalForm: 'foundation',
        krs: ids.krs,
        nip: ids.nip,
        regon: ids.regon,
        email: 'biuro@teatr.example',
        website: 'https://teatr.example',
        address: 'ul. Limanowskiego 1, Kraków',
        spheres: ['16', '14'],
        publicBenefit: true,
        registeredOn: '2006-01-30',
        archived: false,
        archivedAt: null,
        version: 1,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      const got = await t.call('GET', `/api/v1/ngos/${r.body.id}`, { token: official });
      expect(got.body).toEqual(r.body);
    });

    it('needs only a name and a legal form', async () => {
      const r = await create({ name: 'Koło Gospodyń Wiejskich w Bieżanowie', legalForm: 'other' });
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({ krs: null, nip: null, regon: null, spheres: [], publicBenefit: false, registeredOn: null });
    });

    it.each(['8567346215', '5211355116', '5840304472', '7010098470'])('accepts the valid NIP %s', async (nip) => {
      const r = await create(newNgo({ nip }));
      expect(r.status).toBe(201);
    });

    it.each(['192598184', '123456785', '12345678512347', '000144992'])('accepts the valid REGON %s', async (regon) => {
      const r = await create(newNgo({ regon }));
      expect(r.status).toBe(201);
    });

    it('keeps the leading zeros of a KRS number', async () => {
      const r = await create(newNgo({ krs: '0000000042' }));
      expect(r.body.krs).toBe('0000000042');
    });
  });

  describe('validation: each rule refuses its bad value with 400, names the field, and writes nothing', () => {
    it.each([
      ['name', { name: '' }, 'must not be empty'],
      ['name', { name: 'x'.repeat(501) }, 'must be at most 500 characters long'],
      ['name', { name: 42 }, 'must be a string'],
      ['name', { name: 'Fundacja\u0000' }, 'must not contain control characters'],
      ['name', { name: `${'a'.repeat(500)}\ufe0f` }, 'must be at most 500 characters long'],
      ['legalForm', { legalForm: 'company' }, 'must be one of: association, foundation, church-entity, cooperative, other'],
      ['krs', { krs: '12345' }, 'KRS must be 10 digits'],
      ['krs', { krs: '000012345X' }, 'KRS must be 10 digits'],
      ['nip', { nip: '8567346216' }, 'NIP checksum is invalid'],
      ['nip', { nip: '856734621' }, 'NIP must be 10 digits'],
      ['nip', { nip: 8567346215 }, 'NIP must be 10 digits'],
      ['regon', { regon: '192598183' }, 'REGON checksum is invalid'],
      ['regon', { regon: '12345678612342' }, 'REGON checksum is invalid'],
      ['regon', { regon: '12345678512348' }, 'REGON checksum is invalid'],
      ['regon', { regon: '1234567' }, 'REGON must be 9 or 14 digits'],
      ['email', { email: 'not-an-email' }, 'must be an email address'],
      ['website', { website: 'javascript:alert(1)' }, 'must be an http(s) address'],
      ['website', { website: 'https://x.example/a\u0000b' }, 'must not contain control characters'],
      ['email', { email: '"a\u0001b"@x.example' }, 'must not contain control characters'],
      ['address', { address: 'x'.repeat(1001) }, 'must be at most 1000 characters long'],
      ['spheres', { spheres: '16' }, 'must be a list of sphere codes'],
      ['spheres', { spheres: ['16', '16'] }, 'must not repeat a code'],
      ['spheres', { spheres: ['sixteen'] }, 'must hold sphere codes such as "1", "1a" or "32a"'],
      ['spheres.1', { spheres: ['16', '99'] }, '"99" is not a public-benefit sphere code'],
      ['publicBenefit', { publicBenefit: 'yes' }, 'must be a boolean'],
      ['registeredOn', { registeredOn: '2019-02-30' }, 'must be a date in the form YYYY-MM-DD'],
      ['registeredOn', { registeredOn: '30.01.2006' }, 'must be a date in the form YYYY-MM-DD'],
      ['registeredOn', { registeredOn: '0000-01-01' }, 'must be a date in the form YYYY-MM-DD'],
      ['archived', { archived: true }, 'Unknown field'],
      ['id', { id: '00000000-0000-4000-8000-000000000000' }, 'Unknown field'],
    ])('%s: %j', async (field, override, message) => {
      const before = await count();
      const r = await create(newNgo(override));
      expect(r.status).toBe(400);
      expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(r.body).toMatchObject({ title: 'Validation failed', status: 400 });
      expect(r.body.errors).toContainEqual({ field, message });
      expect(await count()).toBe(before);
    });

    it('names every bad field at once', async () => {
      const r = await create({ name: '', legalForm: 'x', nip: '8567346216', regon: '1', foo: 1 });
      expect(r.status).toBe(400);
      expect(r.body.detail).toBe('5 fields are invalid');
      expect(r.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['foo', 'legalForm', 'name', 'nip', 'regon']);
    });

    it('wants name and legalForm', async () => {
      const r = await create({});
      expect(r.body.errors).toEqual(
        expect.arrayContaining([
          { field: 'name', message: 'is required' },
          { field: 'legalForm', message: 'is required' },
        ]),
      );
    });
  });

  describe('uniqueness', () => {
    it('answers 409 for a KRS or a NIP registered already, archived NGOs included', async () => {
      const first = await create(newNgo());
      await t.call('DELETE', `/api/v1/ngos/${first.body.id}`, { token: official });
      const before = await count();
      const sameKrs = await create(newNgo({ krs: first.body.krs }));
      const sameNip = await create(newNgo({ nip: first.body.nip }));
      expect(sameKrs.status).toBe(409);
      expect(sameKrs.body.errors).toEqual([{ field: 'krs', message: 'is already registered' }]);
      expect(sameNip.status).toBe(409);
      expect(sameNip.body.errors).toEqual([{ field: 'nip', message: 'is already registered' }]);
      expect(await count()).toBe(before);
    });

    it('answers 409 when an update takes another NGO\'s KRS', async () => {
      const a = await create(newNgo());
      const b = await create(newNgo());
      const r = await t.call('PATCH', `/api/v1/ngos/${b.body.id}`, { token: official, body: { version: 1, krs: a.body.krs } });
      expect(r.status).toBe(409);
      expect((await t.call('GET', `/api/v1/ngos/${b.body.id}`, { token: official })).body).toMatchObject({ krs: b.body.krs, version: 1 });
    });
  });

  describe('update', () => {
    it('changes the given fields, clears nulls, and moves the version on', async () => {
      const n = await create(newNgo({ email: 'a@b.example' }));
      const r = await t.call('PATCH', `/api/v1/ngos/${n.body.id}`, { token: official, body: { version: 1, name: 'Nowa nazwa', email: null, spheres: ['1a'] } });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ name: 'Nowa nazwa', email: null, spheres: ['1a'], krs: n.body.krs, legalForm: 'association', version: 2 });
    });

    it('needs the version, and refuses null for a required field', async () => {
      const n = await create(newNgo());
      const noVersion = await t.call('PATCH', `/api/v1/ngos/${n.body.id}`, { token: official, body: { name: 'X' } });
      expect(noVersion.status).toBe(400);
      expect(noVersion.body.errors).toContainEqual({ field: 'version', message: 'is required' });
      const nullName = await t.call('PATCH', `/api/v1/ngos/${n.body.id}`, { token: official, body: { version: 1, name: null } });
      expect(nullName.status).toBe(400);
      expect(nullName.body.errors).toContainEqual({ field: 'name', message: 'must not be null' });
    });

    it('answers 409 for a stale version and keeps the newer data', async () => {
      const n = await create(newNgo());
      expect((await t.call('PATCH', `/api/v1/ngos/${n.body.id}`, { token: official, body: { version: 1, name: 'First' } })).status).toBe(200);
      const stale = await t.call('PATCH', `/api/v1/ngos/${n.body.id}`, { token: official, body: { version: 1, name: 'Second' } });
      expect(stale.status).toBe(409);
      expect(stale.body).toMatchObject({ title: 'Stale version', status: 409 });
      expect((await t.call('GET', `/api/v1/ngos/${n.body.id}`, { token: official })).body).toMatchObject({ name: 'First', version: 2 });
    });

    it('of 10 concurrent PATCHes with one version, exactly one succeeds and the rest get 409', async () => {
      const n = await create(newNgo());
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) => t.call('PATCH', `/api/v1/ngos/${n.body.id}`, { token: official, body: { version: 1, name: `Writer ${i}` } })),
      );
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses).toEqual([200, ...Array(9).fill(409)]);
      const winner = answers.find((a) => a.status === 200)!.body.name;
      expect((await t.call('GET', `/api/v1/ngos/${n.body.id}`, { token: official })).body).toMatchObject({ name: winner, version: 2 });
    });

    it('refuses a version beyond the database integer with 400, not 500', async () => {
      const n = await create(newNgo());
      const r = await t.call('PATCH', `/api/v1/ngos/${n.body.id}`, { token: official, body: { version: 1e20, name: 'X' } });
      expect(r.status).toBe(400);
      expect(r.body.errors).toEqual([{ field: 'version', message: 'must be at most 2147483647' }]);
    });

    it('answers 404 for an unknown id and 400 for a malformed one', async () => {
      expect((await t.call('PATCH', '/api/v1/ngos/00000000-0000-4000-8000-000000000000', { token: official, body: { version: 1 } })).status).toBe(404);
      const bad = await t.call('GET', '/api/v1/ngos/123', { token: official });
      expect(bad.status).toBe(400);
      expect(bad.body.errors).toEqual([{ field: 'id', message: 'must be a UUID' }]);
    });
  });

  describe('archive (DELETE)', () => {
    it('archives instead of deleting, and refuses later changes with 422', async () => {
      const n = await create(newNgo());
      const r = await t.call('DELETE', `/api/v1/ngos/${n.body.id}`, { token: official });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ id: n.body.id, archived: true, archivedAt: expect.any(String), version: 2 });
      const again = await t.call('DELETE', `/api/v1/ngos/${n.body.id}`, { token: official });
      expect(again.body).toMatchObject({ archived: true, version: 2, archivedAt: r.body.archivedAt });
      const [row] = await t.db.query('SELECT name FROM ngos WHERE id = $1', [n.body.id]);
      expect(row.name).toBe(n.body.name);
      const patch = await t.call('PATCH', `/api/v1/ngos/${n.body.id}`, { token: official, body: { version: 2, name: 'Zombie' } });
      expect(patch.status).toBe(422);
      expect(patch.body.errors).toEqual([{ field: 'id', rule: 'ngo.archived', message: 'An archived NGO cannot be changed' }]);
    });
  });

  describe('list and filters', () => {
    let culture: { id: string; krs: string; nip: string };
    beforeAll(async () => {
      culture = (await create(newNgo({ name: 'Towarzystwo Filtrów Kultury', spheres: ['32a'] }))).body;
      const archived = (await create(newNgo({ name: 'Towarzystwo Filtrów Archiwalnych', spheres: ['32a'] }))).body;
      await t.call('DELETE', `/api/v1/ngos/${archived.id}`, { token: official });
    });

    const names = (r: { body: { items: Array<{ name: string }> } }) => r.body.items.map((i) => i.name);

    it('pages with total, page and limit', async () => {
      const r = await t.call('GET', '/api/v1/ngos?page=2&limit=3', { token: official });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ page: 2, limit: 3, total: await count() });
      expect(r.body.items).toHaveLength(3);
    });

    it('caps the limit at 200', async () => {
      const [{ municipality_id: m }] = await t.db.query('SELECT municipality_id FROM ngos LIMIT 1');
      await t.db.query(`INSERT INTO ngos (municipality_id, name, legal_form) SELECT $1, 'Masowa ' || g, 'other' FROM generate_series(1, 210) g`, [m]);
      const r = await t.call('GET', '/api/v1/ngos?limit=1000', { token: official });
      expect(r.body.limit).toBe(200);
      expect(r.body.items).toHaveLength(200);
      expect(r.body.total).toBeGreaterThan(210);
    });

    it.each(['limit=0', 'limit=abc', 'limit=99999999999', 'page=0', 'page=-1', 'archived=maybe', 'sphere=x!', 'search=a%00b', 'unknown=1'])('refuses ?%s with 400', async (q) => {
      expect((await t.call('GET', `/api/v1/ngos?${q}`, { token: official })).status).toBe(400);
    });

    it('searches names (case-insensitive), KRS and NIP', async () => {
      expect(names(await t.call('GET', '/api/v1/ngos?search=filtrów kultury', { token: official }))).toEqual(['Towarzystwo Filtrów Kultury']);
      expect(names(await t.call('GET', `/api/v1/ngos?search=${culture.krs}`, { token: official }))).toEqual(['Towarzystwo Filtrów Kultury']);
      expect(names(await t.call('GET', `/api/v1/ngos?search=${culture.nip}`, { token: official }))).toEqual(['Towarzystwo Filtrów Kultury']);
      expect((await t.call('GET', '/api/v1/ngos?search=%25', { token: official })).body.total).toBe(0);
    });

    it('filters by sphere and by archived', async () => {
      expect(names(await t.call('GET', '/api/v1/ngos?sphere=32a', { token: official })).sort()).toEqual(['Towarzystwo Filtrów Archiwalnych', 'Towarzystwo Filtrów Kultury']);
      expect(names(await t.call('GET', '/api/v1/ngos?sphere=32a&archived=false', { token: official }))).toEqual(['Towarzystwo Filtrów Kultury']);
      expect(names(await t.call('GET', '/api/v1/ngos?sphere=32a&archived=true', { token: official }))).toEqual(['Towarzystwo Filtrów Archiwalnych']);
    });
  });

  describe('the ngo role', () => {
    it('lists only its own NGO', async () => {
      const r = await t.call('GET', '/api/v1/ngos?limit=200', { token: tokens.ngo });
      expect(r.status).toBe(200);
      expect(r.body.total).toBe(1);
      expect(r.body.items.map((i: { id: string }) => i.id)).toEqual([tokens.ngoId]);
    });

    it('reads its own NGO, and gets 403 for another NGO of the municipality', async () => {
      expect((await t.call('GET', `/api/v1/ngos/${tokens.ngoId}`, { token: tokens.ngo })).status).toBe(200);
      const other = await create(newNgo());
      const r = await t.call('GET', `/api/v1/ngos/${other.body.id}`, { token: tokens.ngo });
      expect(r.status).toBe(403);
      expect(r.body.detail).not.toContain(other.body.name);
    });

    it('cannot write, not even its own NGO', async () => {
      expect((await t.call('PATCH', `/api/v1/ngos/${tokens.ngoId}`, { token: tokens.ngo, body: { version: 1, name: 'Mine' } })).status).toBe(403);
      expect((await create(newNgo(), tokens.ngo)).status).toBe(403);
    });
  });
});
