import { connect } from 'node:net';
import { newCommission, newNgo, newProgram } from '../utils/factories';
import { createTestApp, PLATFORM_ADMIN, type TestApp } from '../utils/test-app';
import { signIn } from '../utils/users';

/** The contract's general rules: problem details, limits, headers, OpenAPI, health. */
describe('HTTP behaviour', () => {
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    t = await createTestApp();
    token = await signIn(t, PLATFORM_ADMIN.email);
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

  /** Sends bytes as they are (fetch refuses a malformed request) and returns the status, headers and body. */
  const raw = (request: string) =>
    new Promise<{ status: number; headers: Headers; body: any; text: string }>((resolve, reject) => {
      const socket = connect(Number(new URL(t.url).port), '127.0.0.1');
      let data = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk) => (data += chunk));
      socket.on('error', reject);
      socket.setTimeout(5000, () => socket.destroy(new Error(`no answer within 5 s; got: ${data}`)));
      socket.on('end', () => {
        const [head, ...rest] = data.split('\r\n\r\n');
        const [statusLine, ...lines] = head.split('\r\n');
        const headers = new Headers(lines.map((line) => [line.slice(0, line.indexOf(':')).trim(), line.slice(line.indexOf(':') + 1).trim()] as [string, string]));
        const text = rest.join('\r\n\r\n');
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: the assertions say so
        }
        resolve({ status: Number(statusLine.split(' ')[1]), headers, body, text });
      });
      socket.write(request);
    });

  describe('the framework\'s own errors are problem details too', () => {
    const longId = 'a'.repeat(2048);
    const cases: Array<[name: string, status: number, send: () => Promise<{ status: number; headers: Headers; body: any; text: string }>]> = [
      ['a 2 kB path parameter', 414, () => t.call('GET', `/api/v1/ngos/${longId}`, { token })],
      ['a path parameter just over 1 kB', 414, () => t.call('PATCH', `/api/v1/ngos/${'a'.repeat(1025)}`, { token, body: { version: 1 } })],
      ['a 2 kB parameter of a public page', 414, () => t.call('GET', `/${longId}/reports/2019`)],
      ['a malformed percent-encoding in the path', 400, () => t.call('GET', '/api/v1/ngos/%E0%A4%A', { token })],
      ['an unknown route', 404, () => t.call('GET', '/api/v1/nothing-here', { token })],
      ['an unknown route outside the prefix', 404, () => t.call('GET', '/api/nothing')],
      ['an unknown health route', 404, () => t.call('GET', '/health/nothing')],
      ['a method a route does not have', 404, () => t.call('PUT', '/api/v1/ngos', { token, body: {} })],
      ['OPTIONS on an API route', 404, () => t.call('OPTIONS', '/api/v1/ngos')],
      ['HEAD of an unknown route', 404, () => t.call('HEAD', '/api/v1/nothing-here')],
      ['HEAD without a token', 401, () => t.call('HEAD', '/api/v1/ngos')],
      ['POST to a health route', 404, () => t.call('POST', '/health/live', { body: {} })],
      ['an unsupported media type', 415, () => t.call('POST', '/api/v1/ngos', { token, rawBody: 'name=x', headers: { 'content-type': 'text/csv' } })],
      ['a malformed content type', 400, () => t.call('POST', '/api/v1/ngos', { token, rawBody: '{}', headers: { 'content-type': 'application/json; charset' } })],
      ['a body without a content type', 415, () => t.call('POST', '/api/v1/ngos', { token, rawBody: '{}', headers: { 'content-type': '' } })],
      ['an empty JSON body', 400, () => t.call('POST', '/api/v1/ngos', { token, rawBody: '' , headers: { 'content-type': 'application/json', 'content-length': '0' } })],
      ['malformed JSON', 400, () => t.call('POST', '/api/v1/ngos', { token, rawBody: '{"name": "x",' })],
      ['a prototype key in JSON', 400, () => t.call('POST', '/api/v1/ngos', { token, rawBody: '{"__proto__": {"x": 1}}' })],
      ['a body over 1 MiB', 413, () => t.call('POST', '/api/v1/ngos', { token, rawBody: JSON.stringify({ name: 'x'.repeat(1024 * 1024) }) })],
      [
        'a declared length over 1 MiB',
        413,
        () => raw(`POST /api/v1/ngos HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 2000000\r\nConnection: close\r\n\r\n{}`),
      ],
      ['a raw malformed URL', 400, () => raw('GET /api/v1/ngos/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')],
    ];
    it.each(cases)('%s: %i problem+json', async (_name, status, send) => {
      const r = await send();
      expect(r.status).toBe(status);
      expect(r.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
      if (r.text) {
        expectProblem(r, status);
        expect(r.body.code).toBeUndefined();
        expect(r.text).not.toMatch(/FST_|statusCode/);
      }
    });

    it('keeps the HTML 404 of a public page', async () => {
      const r = await t.call('GET', '/no-such-municipality');
      expect(r.status).toBe(404);
      expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    });

    it('accepts a path parameter of exactly 1 kB as far as the router goes (the id is then refused as a field)', async () => {
      const r = await t.call('GET', `/api/v1/ngos/${'a'.repeat(1024)}`, { token });
      expectProblem(r, 400);
    });
  });

  describe('JSON nested deeper than 32 levels', () => {
    /** `{"a":{"a":…{"a":1}…}}` with `depth` objects, as the value of `field` beside the other fields. */
    const nested = (depth: number) => '{"a":'.repeat(depth - 1) + '{"a":1}' + '}'.repeat(depth - 1);
    const body = (field: string, depth: number, rest: Record<string, unknown>) => `{${JSON.stringify(rest).slice(1, -1)}${Object.keys(rest).length ? ',' : ''}"${field}":${nested(depth - 1)}}`;
    let ids: { ngo: string; program: string; commission: string };

    beforeAll(async () => {
      ids = {
        ngo: (await t.call('POST', '/api/v1/ngos', { token, body: newNgo() })).body.id,
        program: (await t.call('POST', '/api/v1/programs', { token, body: newProgram() })).body.id,
        commission: (await t.call('POST', '/api/v1/commissions', { token, body: newCommission() })).body.id,
      };
      expect(Object.values(ids).every(Boolean)).toBe(true);
    });

    const route = (method: string, path: () => string) => ({ method, path });
    const targets: Array<[string, { method: string; path: () => string }]> = [
      ['PATCH /ngos/{id}', route('PATCH', () => `/api/v1/ngos/${ids.ngo}`)],
      ['PATCH /programs/{id}', route('PATCH', () => `/api/v1/programs/${ids.program}`)],
      ['POST /activities', route('POST', () => '/api/v1/activities')],
      ['PATCH /commissions/{id}', route('PATCH', () => `/api/v1/commissions/${ids.commission}`)],
      ['POST /commissions/{id}/meetings', route('POST', () => `/api/v1/commissions/${ids.commission}/meetings`)],
    ];

    it.each(targets)('%s: 3 000 and 33 levels are a 400 problem naming the limit; 32 levels are not refused for depth', async (_name, { method, path }) => {
      for (const depth of [3000, 33]) {
        const r = await t.call(method, path(), { token, rawBody: body('name', depth, { version: 1 }) });
        expectProblem(r, 400);
        expect(r.body.detail).toMatch(/32 levels/);
      }
      const arrays = await t.call(method, path(), { token, rawBody: '['.repeat(3000) + ']'.repeat(3000) });
      expectProblem(arrays, 400);
      expect(arrays.body.detail).toMatch(/32 levels/);
      // 32 levels pass the parser: then the field is refused by validation, by name
      const r = await t.call(method, path(), { token, rawBody: body('name', 32, { version: 1 }) });
      expectProblem(r, 400);
      expect(r.body.detail ?? '').not.toMatch(/32 levels/);
      expect(r.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: expect.stringMatching(/^name/) })]));
    });

    it('counts brackets inside strings as text, not as depth', async () => {
      const r = await t.call('PATCH', `/api/v1/ngos/${ids.ngo}`, { token, rawBody: JSON.stringify({ address: '{['.repeat(200) + '\\"{', version: 1 }) });
      expect(r.status).not.toBe(500);
      expect(r.body.detail ?? '').not.toMatch(/32 levels/);
    });
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
    const ngoToken = await signIn(t, 'ngo-http@test.example');
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
