import { createTestApp, PLATFORM_ADMIN, type TestApp } from '../utils/test-app';

describe('smoke', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('is ready and signs in the platform admin', async () => {
    expect((await t.call('GET', '/health/ready')).status).toBe(200);
    const token = await t.login(PLATFORM_ADMIN.email, PLATFORM_ADMIN.password);
    const me = await t.call('GET', '/api/v1/me', { token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ email: PLATFORM_ADMIN.email, role: 'admin', platformAdmin: true, municipality: { slug: 'krakow', name: 'Kraków' }, ngoId: null });
  });
});
