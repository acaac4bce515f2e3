import { newNgo } from '../utils/factories';
import { createTestApp, PLATFORM_ADMIN, type TestApp } from '../utils/test-app';

/** The contract's general rules: problem details, limits, headers, OpenAPI, health. */
describe('HTTP behaviour', () => {
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    t = await createTestApp();
    token = await t.login(PLATFORM_ADMIN.email, PLATFORM_ADMIN.password);
  });
  afterAll(() => t.close());

  const expectProblem = (r: { status: number; headers: Headers; body: any; text: string }, status: number) => {
    expect(r.status).toBe(status);
    expect(r.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(r.body).toEqual(expect.objectContaining({ type: expect.stringMatching(/^https:\/\/.+\/problems\/[a-z-]+$/), title: expect.any(String), status }));
    // no stack trace, no SQL, no driver detail
    expect(r.text).not.toMatch(/\bat \S+ \(|node_modules|SELECT|INSERT|UPDATE|QueryFailedError|duplicate key|violates/i);
  };

  it('answers malformed JSON with a 400 problem', async () => {
    const r = await t.call('POST', '/api/v1/ngos', { token, rawBody: '{"name": "x",' });
    expectProblem(r, 400);
  });

  it.each([['[1, 2]'], ['"text"'], ['42'], ['null']])('answers a JSON body that is not an object (%s) with a 400 problem', async (rawBody) => {
    const r = await t.call('POST', '/api/v1/ngos', { token, rawBody });
    expectProblem(r, 400);
  });

  it('answers a body over 1 MiB with a 413 problem and writes nothing', async () => {
    const before = (await t.db.query('SELECT count(*)::int AS n FROM ngos'))[0].n;
    const r = await t.call('POST', '/api/v1/ngos', { token, body: newNgo({ address: 'x'.repeat(1024 * 1024) }) });
    expectProblem(r, 413);
    expect((await t.db.query('SELECT count(*)::int AS n FROM ngos'))[0].n).toBe(before);
  });

  it('answers an unknown route and an unsupported content type with problems', async () => {
    expectProblem(await t.call('GET', '/api/v1/nothing-here', { token }), 404);
    expectProblem(await t.call('POST', '/api/v1/ngos', { token, rawBody: 'name=x', headers: { 'content-type': 'text/csv' } }), 415);
  });

  it('answers a uniqueness clash with a 409 problem that hides the SQL', async () => {
    const body = newNgo();
    await t.call('POST', '/api/v1/ngos', { token, body });
    expectProblem(await t.call('POST', '/api/v1/ngos', { token, body }), 409);
  });

  it('answers 401 and 403 as problems', async () => {
    expectProblem(await t.call('GET', '/api/v1/ngos'), 401);
    const ngo = (await t.call('POST', '/api/v1/ngos', { token, body: newNgo() })).body;
    await t.call('POST', '/api/v1/users', { token, body: { email: 'ngo-http@test.example', password: 'long-enough-1', role: 'ngo', ngoId: ngo.id } });
    const ngoToken = await t.login('ngo-http@test.example', 'long-enough-1');
    expectProblem(await t.call('POST', '/api/v1/ngos', { token: ngoToken, body: newNgo() }), 403);
  });

  it('sends Cache-Control: no-store on signed-in answers, and not on the public dictionary', async () => {
    for (const path of ['/api/v1/me', '/api/v1/ngos', '/api/v1/programs']) {
      expect((await t.call('GET', path, { token })).headers.get('cache-control')).toBe('no-store');
    }
    expect((await t.call('GET', '/api/v1/ngos')).headers.get('cache-control')).toBe('no-store');
    expect((await t.call('GET', '/api/v1/spheres')).headers.get('cache-control')).toBeNull();
  });

  it('sends X-Content-Type-Options: nosniff and no X-Powered-By on every answer', async () => {
    for (const r of [
      await t.call('GET', '/api/v1/spheres'),
      await t.call('GET', '/api/v1/me', { token }),
      await t.call('GET', '/api/v1/nothing'),
      await t.call('POST', '/api/v1/ngos', { token, rawBody: '{' }),
      await t.call('GET', '/health/live'),
      await t.call('GET', '/api/docs'),
    ]) {
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('serves the OpenAPI document, generated from the DTOs, and Swagger UI', async () => {
    const doc = await t.call('GET', '/api/docs-json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    for (const path of ['/api/v1/auth/login', '/api/v1/me', '/api/v1/users', '/api/v1/municipalities', '/api/v1/spheres', '/api/v1/ngos', '/api/v1/ngos/{id}', '/api/v1/programs', '/api/v1/programs/{id}']) {
      expect(doc.body.paths).toHaveProperty([path]);
    }
    const createNgo = doc.body.components.schemas.CreateNgoDto;
    expect(createNgo.required).toEqual(expect.arrayContaining(['name', 'legalForm']));
    expect(createNgo.properties.legalForm.enum).toEqual(['association', 'foundation', 'church-entity', 'cooperative', 'other']);
    expect(doc.body.components.schemas.NgoView.properties).toHaveProperty('version');
    expect(doc.body.components.securitySchemes).toHaveProperty('bearer');
    const ui = await t.call('GET', '/api/docs');
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger');
  });

  it('answers health: live and ready', async () => {
    expect(await t.call('GET', '/health/live')).toMatchObject({ status: 200, body: { status: 'ok' } });
    const ready = await t.call('GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' }, migrations: { status: 'up' } } });
  });

  it('echoes a sane X-Request-Id and makes one otherwise', async () => {
    expect((await t.call('GET', '/health/live', { headers: { 'x-request-id': 'trace-42' } })).headers.get('x-request-id')).toBe('trace-42');
    expect((await t.call('GET', '/health/live', { headers: { 'x-request-id': 'bad id with spaces' } })).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
