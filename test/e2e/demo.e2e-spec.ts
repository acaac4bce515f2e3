import { prepareDatabase } from '@app/database';
import { taskRuleErrors } from '@app/tasks';
import { createTestApp, createTestDatabase, testConfig, type TestApp } from '../utils/test-app';

const DEMO_PASSWORD = 'krakow-demo-2019';

/** Real: the demo data as `npm start` loads them on first start, read through the API. */
describe('demo data', () => {
  let t: TestApp;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;

  beforeAll(async () => {
    db = await createTestDatabase();
    await prepareDatabase(db.url, testConfig({ adminEmail: undefined, adminPassword: undefined }), true);
    t = await createTestApp({}, { databaseUrl: db.url });
  });
  afterAll(async () => {
    await t.close();
    await db.drop();
  });

  it('holds funded tasks, activities and commissions of 2019 that obey the domain rules', async () => {
    const official = await t.login('official@krakow.example', DEMO_PASSWORD);
    const tasks = await t.call('GET', '/api/v1/tasks?year=2019&limit=200', { token: official });
    expect(tasks.body.total).toBe(11);
    for (const task of tasks.body.items) expect(taskRuleErrors(task, { startYear: 2019, endYear: 2019 })).toEqual([]);
    const activities = await t.call('GET', '/api/v1/activities?year=2019', { token: official });
    expect(activities.body.items.map((a: { title: string }) => a.title)).toContain('Tramwaj Praw Człowieka');
    const commissions = await t.call('GET', '/api/v1/commissions?on=2019-06-01', { token: official });
    expect(commissions.body.total).toBe(2);
  });

  it('gives the demo ngo account its own memberships and tasks', async () => {
    const ngo = await t.login('ngo@krakow.example', DEMO_PASSWORD);
    const memberships = await t.call('GET', '/api/v1/me/memberships', { token: ngo });
    expect(memberships.status).toBe(200);
    expect(memberships.body.items).toEqual([expect.objectContaining({ commission: expect.objectContaining({ name: 'Komisja Dialogu Obywatelskiego ds. Seniorów' }), role: 'chair' })]);
    const tasks = await t.call('GET', '/api/v1/tasks', { token: ngo });
    expect(tasks.body.total).toBeGreaterThan(0);
  });

  it('starts an intact audit trail', async () => {
    const auditor = await t.login('auditor@krakow.example', DEMO_PASSWORD);
    expect((await t.call('GET', '/api/v1/audit/verify', { token: auditor })).body).toMatchObject({ valid: true, firstBroken: null });
  });
});
