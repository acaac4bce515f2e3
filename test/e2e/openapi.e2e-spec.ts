import { createTestApp, type TestApp } from '../utils/test-app';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

interface Response {
  description?: string;
  content?: Record<string, unknown>;
}
interface Operation {
  summary?: string;
  security?: unknown[];
  responses?: Record<string, Response>;
}

/** The OpenAPI document: every operation says what it does and which errors it answers. */
describe('OpenAPI document', () => {
  let t: TestApp;
  let operations: Array<{ name: string; path: string; operation: Operation }>;

  beforeAll(async () => {
    t = await createTestApp();
    const r = await t.call('GET', '/api/docs-json');
    expect(r.status).toBe(200);
    const paths = r.body.paths as Record<string, Record<string, Operation>>;
    operations = Object.entries(paths).flatMap(([path, item]) =>
      METHODS.filter((method) => item[method]).map((method) => ({ name: `${method.toUpperCase()} ${path}`, path, operation: item[method] })),
    );
  });
  afterAll(() => t.close());

  const statuses = (operation: Operation) => Object.keys(operation.responses ?? {});
  const needsToken = (operation: Operation) => Boolean(operation.security?.length);

  it('documents the whole API', () => {
    expect(operations.length).toBeGreaterThanOrEqual(55);
  });

  it('gives every operation a summary', () => {
    expect(operations.filter(({ operation }) => !operation.summary?.trim()).map(({ name }) => name)).toEqual([]);
  });

  it('documents at least one 4xx answer of every operation but the health probes', () => {
    // The probes take no parameter, body or token, so they answer 200 or (ready) 503 and no 4xx at all:
    // a 4xx documented there would be untrue.
    const probes = ['GET /health/live', 'GET /health/ready'];
    const missing = operations.filter(({ name, operation }) => !probes.includes(name) && !statuses(operation).some((s) => /^4\d\d$/.test(s)));
    expect(missing.map(({ name }) => name)).toEqual([]);
  });

  it('documents 401 and 403 on every operation that needs a token', () => {
    const missing = operations.filter(({ operation }) => needsToken(operation) && !(statuses(operation).includes('401') && statuses(operation).includes('403')));
    expect(missing.map(({ name }) => name)).toEqual([]);
  });

  it('documents no 403 on public operations, and 401 only where a sign-in is refused', () => {
    const wrong = operations.filter(({ name, operation }) => {
      if (needsToken(operation)) return false;
      return statuses(operation).includes('403') || (statuses(operation).includes('401') && name !== 'POST /api/v1/auth/login');
    });
    expect(wrong.map(({ name }) => name)).toEqual([]);
  });

  it('marks the public operations as public and the others as needing a token', () => {
    const names = (wanted: boolean) => operations.filter(({ operation }) => needsToken(operation) === wanted).map(({ name }) => name);
    expect(names(false)).toEqual(
      expect.arrayContaining(['GET /api/v1/public/{slug}/reports/{year}', 'GET /api/v1/spheres', 'POST /api/v1/auth/login', 'GET /health/live', 'GET /health/ready']),
    );
    expect(names(true)).toEqual(expect.arrayContaining(['GET /api/v1/ngos', 'POST /api/v1/auth/logout', 'GET /api/v1/me', 'GET /api/v1/reports/{year}/export']));
  });

  it('documents 429 on the sign-in', () => {
    expect(operations.find(({ name }) => name === 'POST /api/v1/auth/login')?.operation.responses).toHaveProperty('429');
  });

  it('documents 503 on every operation but the liveness probe', () => {
    const missing = operations.filter(({ path, operation }) => path !== '/health/live' && !statuses(operation).includes('503'));
    expect(missing.map(({ name }) => name)).toEqual([]);
    expect(statuses(operations.find(({ name }) => name === 'GET /health/live')!.operation)).not.toContain('503');
  });

  it('describes every error answer as problem details', () => {
    const bad = operations.flatMap(({ name, operation }) =>
      Object.entries(operation.responses ?? {})
        .filter(([status, response]) => /^[45]\d\d$/.test(status) && (!response.description?.trim() || !response.content?.['application/problem+json']))
        .map(([status]) => `${name} ${status}`),
    );
    expect(bad).toEqual([]);
  });
});
