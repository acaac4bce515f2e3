import { checkKrs, checkNip, checkRegon, toGrosze, warsawToday } from '@app/core';
import { prepareDatabase } from '@app/database';
import { SMALL_GRANT_YEARLY_MAX, taskRuleErrors, type TaskShape } from '@app/tasks';
import { withAdminClient } from '../setup/test-database';
import { createTestApp, createTestDatabase, testConfig, type TestApp } from '../utils/test-app';

const DEMO_PASSWORD = 'krakow-demo-2019';
const demoConfig = () => testConfig({ adminEmail: undefined, adminPassword: undefined });

type Task = TaskShape & { id: string; programId: string; title: string; sphere: string; form: string; department: string; ngoIds: string[]; competitionRef: string | null };

/** Real: the demo data as `npm start` loads them on first start, read through the API. */
describe('demo data', () => {
  let t: TestApp;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let official: string;

  /** Every item of a paged list (200 a page). */
  async function all<T>(path: string): Promise<T[]> {
    const items: T[] = [];
    for (let page = 1; ; page++) {
      const answer = await t.call('GET', `${path}${path.includes('?') ? '&' : '?'}limit=200&page=${page}`, { token: official });
      expect(answer.status).toBe(200);
      items.push(...answer.body.items);
      if (items.length >= answer.body.total || answer.body.items.length === 0) return items;
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    await prepareDatabase(db.url, demoConfig(), true);
    t = await createTestApp({}, { databaseUrl: db.url });
    official = await t.login('official@krakow.example', DEMO_PASSWORD);
  });
  afterAll(async () => {
    await t.close();
    await db.drop();
  });

  it('registers about 170 NGOs with valid identifiers', async () => {
    const ngos = await all<{ name: string; krs: string; nip: string; regon: string }>('/api/v1/ngos');
    expect(ngos.length).toBeGreaterThanOrEqual(150);
    expect(ngos.length).toBeLessThanOrEqual(180);
    expect(new Set(ngos.map((n) => n.name)).size).toBe(ngos.length);
    for (const n of ngos) expect([n.name, checkKrs(n.krs), checkNip(n.nip), checkRegon(n.regon)]).toEqual([n.name, 'ok', 'ok', 'ok']);
  });

  it('holds funded tasks that all obey the domain rules, the small-grant yearly cap included', async () => {
    const programmes = await all<{ id: string; kind: string; startYear: number; endYear: number }>('/api/v1/programs');
    // the open call's task lies in next year: the demo adds that year's annual programme when it has none
    const next = Number(warsawToday().slice(0, 4)) + 1;
    expect(programmes.map((p) => `${p.kind} ${p.startYear}-${p.endYear}`).sort()).toEqual([
      'annual 2019-2019', 'annual 2020-2020', 'annual 2021-2021', 'annual 2022-2022', 'annual 2023-2023', 'annual 2024-2024', 'annual 2025-2025', 'annual 2026-2026',
      ...(next > 2026 ? [`annual ${next}-${next}`] : []),
      'multi-year 2019-2022', 'multi-year 2023-2026',
    ]);
    const years = new Map(programmes.map((p) => [p.id, p]));
    const tasks = await all<Task>('/api/v1/tasks');
    for (const task of tasks) expect([task.title, taskRuleErrors(task, years.get(task.programId)!)]).toEqual([task.title, []]);

    // art. 19a: at most 20 000.00 PLN of small grants to one NGO (lead or partner) in a calendar year, whatever their status
    const smallGrants = new Map<string, bigint>();
    for (const task of tasks.filter((x) => x.mode === 'small-grant')) {
      for (const ngo of task.ngoIds) {
        const key = `${task.startDate.slice(0, 4)} ${ngo}`;
        smallGrants.set(key, (smallGrants.get(key) ?? 0n) + toGrosze(task.amountGranted));
      }
    }
    expect(smallGrants.size).toBeGreaterThan(40);
    const over = [...smallGrants].filter(([, sum]) => sum > toGrosze(SMALL_GRANT_YEARLY_MAX));
    expect(over).toEqual([]);

    const of2019 = tasks.filter((x) => x.startDate.startsWith('2019'));
    expect(of2019.length).toBeGreaterThanOrEqual(200);
    expect(of2019.length).toBeLessThanOrEqual(300);
    expect(tasks.some((x) => x.startDate.startsWith('2020'))).toBe(true);
    expect(tasks.some((x) => x.startDate.startsWith('2021'))).toBe(true);
    const statuses = new Set(of2019.map((x) => x.status));
    expect([...statuses].sort()).toEqual(['planned', 'settled', 'terminated']);
    for (const task of of2019.filter((x) => x.mode === 'open-competition')) expect(task.competitionRef).toMatch(/^OK-\d+\/2019$/);
  });

  it('reaches up to 2026: a 2023–2026 programme with tasks every year, and commissions in their term at the end of 2026, with past members too', async () => {
    const tasks = await all<Task>('/api/v1/tasks?year=2026');
    expect(tasks.length).toBeGreaterThanOrEqual(30);
    for (const year of [2023, 2024, 2025]) expect([year, (await t.call('GET', `/api/v1/tasks?year=${year}&limit=1`, { token: official })).body.total > 20]).toEqual([year, true]);
    expect(new Set(tasks.map((x) => x.status))).toEqual(new Set(['settled', 'terminated', 'in-progress']));
    // a day late in the term (the demo is fixed data; its newest term ends with 2026)
    const today = '2026-12-01';
    const current = await t.call('GET', `/api/v1/commissions?on=${today}&limit=200`, { token: official });
    expect(current.body.total).toBeGreaterThanOrEqual(10);
    const [{ past }] = await t.db.query(`SELECT count(*)::int AS past FROM commission_members m JOIN commissions c ON c.id = m.commission_id WHERE c.term_start = '2023-01-01' AND m.to_date < $1`, [today]);
    expect(past).toBeGreaterThan(0);
  });

  it('publishes the 2019 report on first start: tasks across modes, forms, spheres and departments, and the 114 commission NGOs', async () => {
    const open = await t.call('GET', '/api/v1/public/krakow/reports/2019');
    expect(open.status).toBe(200);
    expect(open.body).toMatchObject({ year: 2019, revision: 1 });
    const { tasks, commissions, activities } = open.body.summary;
    expect(commissions.memberNgos).toBe(114);
    expect(commissions.count).toBeGreaterThanOrEqual(15);
    expect(commissions.meetings).toBeGreaterThan(30);
    for (const mode of ['open-competition', 'small-grant', 'local-initiative', 'other-act']) expect([mode, tasks.byMode[mode].count > 0]).toEqual([mode, true]);
    for (const form of ['support', 'entrustment']) expect([form, tasks.byForm[form].count > 0]).toEqual([form, true]);
    expect(Object.keys(tasks.bySphere).length).toBeGreaterThanOrEqual(10);
    expect(Object.keys(tasks.byDepartment).length).toBeGreaterThanOrEqual(8);
    expect(tasks.competitions).toBeGreaterThanOrEqual(20);
    expect(activities.count).toBeGreaterThanOrEqual(15);

    // the summary counts what the API lists: the tasks of 2019 past `planned`
    const counted = (await all<Task>('/api/v1/tasks?year=2019')).filter((x) => x.status !== 'planned');
    expect(tasks.count).toBe(counted.length);
    const granted = counted.reduce((sum, x) => sum + toGrosze(x.amountGranted), 0n);
    expect(toGrosze(tasks.granted)).toBe(granted);
  });

  it('holds the non-financial cooperation the 2019 report names', async () => {
    const activities = await all<{ type: string; title: string; startDate: string }>('/api/v1/activities?year=2019');
    expect(activities.length).toBeGreaterThanOrEqual(15);
    expect(activities).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'event', title: 'Tramwaj Praw Człowieka', startDate: '2019-12-10' }),
        expect.objectContaining({ type: 'event', title: expect.stringContaining('Tydzień Osób Niepełnosprawnych „Kocham Kraków z wzajemnością”') }),
        expect.objectContaining({ type: 'premises', title: expect.stringMatching(/Centrum Obywatelskiego.*Reymonta 20/) }),
      ]),
    );
    const commissions = await t.call('GET', '/api/v1/commissions?on=2019-06-01&limit=200', { token: official });
    expect(commissions.body.total).toBe(18);
  });

  it('gives the demo ngo account its own memberships and tasks', async () => {
    const ngo = await t.login('ngo@krakow.example', DEMO_PASSWORD);
    const memberships = await t.call('GET', '/api/v1/me/memberships', { token: ngo });
    expect(memberships.status).toBe(200);
    expect(memberships.body.items).toEqual([expect.objectContaining({ commission: expect.objectContaining({ name: 'Komisja Dialogu Obywatelskiego ds. Seniorów' }), role: 'chair' })]);
    const tasks = await t.call('GET', '/api/v1/tasks', { token: ngo });
    expect(tasks.body.total).toBeGreaterThan(0);
  });

  it('holds three open competitions: one open now for 30 days, one resolved into the 2025 sport tasks, one cancelled for want of offers', async () => {
    const list = await t.call('GET', '/api/v1/public/krakow/calls');
    expect(list.status).toBe(200);
    const calls: Array<{ id: string; number: string; status: string; offersUntil: string; taskStart: string; offers: number }> = list.body.items;
    expect(calls.map((c) => [c.number, c.status])).toEqual([
      [`OK-3/${Number(warsawToday().slice(0, 4)) + 1}`, 'published'],
      ['OK-9/2025', 'resolved'],
      ['OK-37/2026', 'cancelled'],
    ]);
    const days = (Date.parse(calls[0].offersUntil) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29);
    expect(days).toBeLessThanOrEqual(30);
    // the resolution's results are the funded tasks of OK-9/2025
    const resolved = (await t.call('GET', `/api/v1/public/krakow/calls/${calls[1].id}`)).body;
    const tasks = (await all<Task & { amountGranted: string }>('/api/v1/tasks?year=2025')).filter((x) => x.competitionRef === 'OK-9/2025');
    const awarded = resolved.results.filter((r: { amount: string | null }) => r.amount !== null);
    expect(awarded.map((r: { title: string; amount: string }) => [r.title, r.amount]).sort()).toEqual(tasks.map((x) => [x.title, x.amountGranted]).sort());
    expect(resolved.results.length).toBe(awarded.length + 2);
    const [{ linked }] = await t.db.query(`SELECT count(*)::int AS linked FROM offers o JOIN tasks t ON t.id = o.task_id WHERE o.status = 'awarded' AND t.competition_ref = 'OK-9/2025' AND t.amount_granted = o.award`);
    expect(linked).toBe(tasks.length);
    expect((await t.call('GET', `/api/v1/public/krakow/calls/${calls[2].id}`)).body.cancellation).toMatchObject({ reason: 'no-offers' });
  });

  it('starts an intact audit trail', async () => {
    const auditor = await t.login('auditor@krakow.example', DEMO_PASSWORD);
    expect((await t.call('GET', '/api/v1/audit/verify', { token: auditor })).body).toMatchObject({ valid: true, firstBroken: null });
  });

  it('is the same on every first start: a second fresh database publishes the same contentHash', async () => {
    const published = (await t.call('GET', '/api/v1/public/krakow/reports/2019')).body.contentHash;
    const other = await createTestDatabase();
    try {
      expect((await prepareDatabase(other.url, demoConfig(), true)).firstStart).toBe('created-with-demo');
      const rows = await withAdminClient(other.url, (c) => c.query<{ content_hash: string }>('SELECT content_hash FROM report_revisions WHERE year = 2019 AND revision = 1'));
      expect(rows.rows).toEqual([{ content_hash: published }]);
    } finally {
      await other.drop();
    }
  });
});
