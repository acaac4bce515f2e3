import independentJcs from 'canonicalize';
import { createHash } from 'node:crypto';
import { newNgo, newProgram, newTask } from '../utils/factories';
import { createTestApp, PLATFORM_ADMIN, type Answer, type TestApp } from '../utils/test-app';
import { createMunicipality, signIn } from '../utils/users';

/**
 * Real: HTTP, PostgreSQL. Annual reports: a known data set, every summary figure checked against
 * values computed here from what the test created, the draft → published lifecycle, frozen revisions.
 */

interface Made {
  ngos: Array<{ id: string; registeredOn: string | null; archivedBefore2020: boolean }>;
  tasks: Array<{ mode: string; form: string; sphere: string; department: string; competitionRef: string | null; granted: string; settled: string | null; startYear: number; status: string; ngoIds: string[] }>;
  activities: Array<{ type: string; startYear: number; ngoIds: string[] }>;
  commissions: Array<{ termStart: string; termEnd: string; members: Array<{ ngoId: string; from: string; to: string | null }>; meetings: string[] }>;
}

const grosze = (amount: string) => BigInt(amount.replace('.', ''));
const money = (g: bigint) => `${g / 100n}.${String(g % 100n).padStart(2, '0')}`;

/** The summary of `year` computed from what the test made: the definitions of domain.md, in plain TypeScript. */
function expectedSummary(made: Made, year: number, programmes: unknown[]) {
  const tasks = made.tasks.filter((t) => t.startYear === year && t.status !== 'planned');
  const sum = (list: typeof tasks, pick: (t: (typeof tasks)[number]) => string | null) => money(list.reduce((s, t) => s + grosze(pick(t) ?? '0.00'), 0n));
  const by = (keys: string[], key: (t: (typeof tasks)[number]) => string) =>
    Object.fromEntries(keys.map((k) => [k, { count: tasks.filter((t) => key(t) === k).length, granted: sum(tasks.filter((t) => key(t) === k), (t) => t.granted) }]));
  const distinct = <T>(xs: T[]) => [...new Set(xs)];
  const taskNgos = distinct(tasks.flatMap((t) => t.ngoIds));
  const activities = made.activities.filter((a) => a.startYear === year);
  const activityNgos = distinct(activities.flatMap((a) => a.ngoIds));
  const [y0, y1] = [`${year}-01-01`, `${year}-12-31`];
  const commissions = made.commissions.filter((c) => c.termStart <= y1 && c.termEnd >= y0);
  const memberNgos = distinct(commissions.flatMap((c) => c.members.filter((m) => m.from <= y1 && (m.to === null || m.to >= y0)).map((m) => m.ngoId)));
  return {
    programmes,
    tasks: {
      count: tasks.length,
      ngosFunded: taskNgos.length,
      granted: sum(tasks, (t) => t.granted),
      settled: sum(tasks, (t) => t.settled),
      competitions: distinct(tasks.filter((t) => t.mode === 'open-competition' && t.competitionRef).map((t) => t.competitionRef)).length,
      byMode: by(['open-competition', 'small-grant', 'local-initiative', 'other-act'], (t) => t.mode),
      byForm: by(['support', 'entrustment'], (t) => t.form),
      bySphere: by(distinct(tasks.map((t) => t.sphere)), (t) => t.sphere),
      byDepartment: by(distinct(tasks.map((t) => t.department)), (t) => t.department),
    },
    activities: {
      count: activities.length,
      byType: Object.fromEntries(['consultation', 'information', 'joint-team', 'event', 'training', 'premises', 'promotion', 'other'].map((k) => [k, activities.filter((a) => a.type === k).length])),
      ngos: activityNgos.length,
    },
    commissions: { count: commissions.length, memberNgos: memberNgos.length, meetings: made.commissions.flatMap((c) => c.meetings).filter((d) => d >= y0 && d <= y1).length },
    ngos: {
      registered: made.ngos.filter((n) => (n.registeredOn === null || n.registeredOn <= y1) && !n.archivedBefore2020).length,
      cooperating: distinct([...taskNgos, ...activityNgos, ...memberNgos]).length,
    },
  };
}

/** The contract's contentHash: SHA-256 of the RFC 8785 (JCS) form, by an implementation independent of the application's. */
function canonicalHash(value: unknown): string {
  return createHash('sha256').update(independentJcs(value)!, 'utf8').digest('hex');
}

describe('annual reports', () => {
  let t: TestApp;
  let official: string;
  let auditor: string;
  let ngoToken: string;
  let admin: string;
  let annual2019: string;
  let programmes2019: unknown[];
  const made: Made = { ngos: [], tasks: [], activities: [], commissions: [] };

  const ok = (r: Answer, status = 201) => {
    if (r.status !== status) throw new Error(`${r.status} ${r.text}`);
    return r.body;
  };
  const as = (token: string) => ({
    post: (path: string, body: unknown) => t.call('POST', `/api/v1${path}`, { token, body }),
    get: (path: string) => t.call('GET', `/api/v1${path}`, { token }),
  });

  beforeAll(async () => {
    t = await createTestApp();
    const platform = await signIn(t, PLATFORM_ADMIN.email);
    ({ admin } = await createMunicipality(t, platform, { name: 'Gmina Raportowa', slug: 'raportowa', teryt: '1201011', adminEmail: 'admin@raportowa.test' }));
    const ngoOfUser = ok(await as(admin).post('/ngos', newNgo({ registeredOn: '2010-01-01' })));
    made.ngos.push({ id: ngoOfUser.id, registeredOn: '2010-01-01', archivedBefore2020: false });
    for (const [role, email] of [['official', 'o@raportowa.test'], ['auditor', 'a@raportowa.test'], ['ngo', 'n@raportowa.test']] as const) {
      ok(await as(admin).post('/users', { email, password: 'long-enough-1', role, ngoId: role === 'ngo' ? ngoOfUser.id : undefined }));
    }
    official = await signIn(t, 'o@raportowa.test');
    auditor = await signIn(t, 'a@raportowa.test');
    ngoToken = await signIn(t, 'n@raportowa.test');
    const api = as(official);

    // NGOs: registered before, during and after 2019, one without a date, one archived (now: so it counts for 2019, registered at its end)
    for (const registeredOn of ['2001-05-05', '2019-06-30', '2020-02-01', null, '2015-01-01', '2018-03-03', '2012-12-12']) {
      const n = ok(await api.post('/ngos', newNgo({ registeredOn })));
      made.ngos.push({ id: n.id, registeredOn, archivedBefore2020: false });
    }
    const archived = ok(await api.post('/ngos', newNgo({ registeredOn: '2005-01-01' })));
    made.ngos.push({ id: archived.id, registeredOn: '2005-01-01', archivedBefore2020: false });
    const [a, b, c, d, e, f, g] = made.ngos.slice(1).map((n) => n.id);

    const multi = ok(await api.post('/programs', newProgram()));
    annual2019 = ok(await api.post('/programs', newProgram({ title: 'Roczny 2019', kind: 'annual', startYear: 2019, endYear: 2019, parentId: multi.id }))).id;
    const annual2020 = ok(await api.post('/programs', newProgram({ title: 'Roczny 2020', kind: 'annual', startYear: 2020, endYear: 2020, parentId: multi.id }))).id;
    programmes2019 = [
      { id: multi.id, title: multi.title, kind: 'multi-year', startYear: 2019, endYear: 2022 },
      { id: annual2019, title: 'Roczny 2019', kind: 'annual', startYear: 2019, endYear: 2019 },
    ];

    const task = async (program: string, ngoIds: string[], o: Record<string, unknown>) => {
      const body = newTask(program, ngoIds, { amountRequested: null, ...o });
      const created = ok(await api.post('/tasks', body));
      made.tasks.push({
        mode: created.mode,
        form: created.form,
        sphere: created.sphere,
        department: created.department,
        competitionRef: created.competitionRef,
        granted: created.amountGranted,
        settled: created.amountSettled,
        startYear: Number(created.startDate.slice(0, 4)),
        status: created.status,
        ngoIds,
      });
    };
    await task(annual2019, [a, b], { competitionRef: 'OK-1/2019', amountGranted: '150000.10', amountSettled: '149999.99', status: 'settled', sphere: '10', department: 'Wydział Polityki Społecznej' });
    await task(annual2019, [c], { competitionRef: 'OK-1/2019', amountGranted: '0.10', amountSettled: '0.10', status: 'settled', sphere: '10', department: 'Wydział Polityki Społecznej' });
    await task(annual2019, [a], { competitionRef: 'OK-2/2019', amountGranted: '0.20', status: 'in-progress', form: 'entrustment', sphere: '1a', department: 'Miejski Ośrodek Pomocy Społecznej' });
    await task(annual2019, [d], { mode: 'small-grant', amountRequested: null, amountGranted: '9999.99', amountSettled: '9000.00', startDate: '2019-05-01', endDate: '2019-06-30', status: 'settled', sphere: '7' });
    await task(annual2019, [e], { mode: 'local-initiative', amountGranted: '12000.00', status: 'terminated', amountSettled: '3000.00', sphere: '18', department: 'Wydział Kształtowania Środowiska' });
    await task(annual2019, [b], { mode: 'other-act', competitionRef: 'not counted: not a competition', form: 'entrustment', amountGranted: '420000.00', status: 'contracted', sphere: '1b', department: 'Wydział Spraw Społecznych' });
    // not counted for 2019: planned, or starting in another year
    await task(annual2019, [f], { amountGranted: '77777.77', status: 'planned' });
    await task(annual2020, [g], { amountGranted: '5555.55', startDate: '2020-03-01', endDate: '2020-11-30', status: 'settled' });
    await task(multi.id, [g], { amountGranted: '1000.00', startDate: '2019-12-31', endDate: '2020-06-30', status: 'contracted', sphere: '16' });

    const activity = async (o: Record<string, unknown>, ngoIds: string[]) => {
      const created = ok(await api.post('/activities', { programId: multi.id, title: 'Działanie', department: 'Wydział Polityki Społecznej', ngoIds, ...o }));
      made.activities.push({ type: created.type, startYear: Number(created.startDate.slice(0, 4)), ngoIds });
    };
    await activity({ type: 'event', title: 'Tramwaj Praw Człowieka', startDate: '2019-12-10' }, [f]);
    await activity({ type: 'premises', startDate: '2019-01-02', endDate: '2019-12-31' }, [a, f]);
    await activity({ type: 'consultation', startDate: '2019-09-16', endDate: '2019-10-21' }, []);
    await activity({ type: 'training', startDate: '2020-02-12' }, [g]);

    const commission = async (termStart: string, termEnd: string, members: Array<{ ngoId: string; from: string; to: string | null }>, meetings: string[]) => {
      const created = ok(await api.post('/commissions', { name: `Komisja ${termStart}`, department: 'Wydział Polityki Społecznej', termStart, termEnd }));
      for (const m of members) ok(await api.post(`/commissions/${created.id}/members`, { ngoId: m.ngoId, representative: 'Jan Kowalski', role: 'member', from: m.from, to: m.to ?? undefined }));
      for (const date of meetings) ok(await api.post(`/commissions/${created.id}/meetings`, { date, title: 'Posiedzenie', ngoIdsPresent: [] }));
      made.commissions.push({ termStart, termEnd, members, meetings });
    };
    await commission('2019-01-01', '2020-12-31', [{ ngoId: a, from: '2019-01-01', to: null }, { ngoId: c, from: '2019-01-01', to: '2019-01-01' }, { ngoId: d, from: '2020-01-01', to: null }], ['2019-02-14', '2019-10-10', '2020-03-03']);
    await commission('2017-01-01', '2018-12-31', [{ ngoId: e, from: '2017-01-01', to: null }], ['2018-05-05']);
    await commission('2018-06-01', '2019-05-31', [{ ngoId: e, from: '2018-06-01', to: '2018-12-31' }, { ngoId: g, from: '2019-05-31', to: null }], ['2019-05-31']);

    ok(await t.call('DELETE', `/api/v1/ngos/${archived.id}`, { token: official }), 200);
  });
  afterAll(() => t.close());

  it('compiles every summary figure of domain.md, as computed independently here', async () => {
    const r = await as(official).post('/reports/2019/compile', {});
    expect(r.status).toBe(200);
    const expected = expectedSummary(made, 2019, programmes2019);
    expect(r.body.summary).toEqual(expected);
    // a few figures spelled out, so a reader sees the data set at work
    expect(r.body.summary.tasks).toMatchObject({ count: 7, ngosFunded: 6, granted: '593000.39', settled: '162000.09', competitions: 2 });
    expect(r.body.summary.tasks.byMode['small-grant']).toEqual({ count: 1, granted: '9999.99' });
    expect(r.body.summary.commissions).toEqual({ count: 2, memberNgos: 3, meetings: 3 });
    expect(r.body).toMatchObject({ year: 2019, status: 'draft', revision: 0 });
    expect(r.body.contentHash).toBe(canonicalHash(expected));
    expect((await as(auditor).get('/reports/2019')).body).toEqual(r.body);
  });

  it('sums money exactly and answers "0.00" for empty sums', async () => {
    const r = await as(official).post('/reports/2018/compile', {});
    expect(r.status).toBe(200);
    expect(r.body.summary.tasks).toMatchObject({ count: 0, granted: '0.00', settled: '0.00', byMode: { 'small-grant': { count: 0, granted: '0.00' } }, bySphere: {}, byDepartment: {} });
    expect(r.body.summary).toEqual(expectedSummary(made, 2018, []));
  });

  it('lists the years with a report, their status and whether they are overdue', async () => {
    const list = await as(auditor).get('/reports');
    expect(list.status).toBe(200);
    const y2019 = list.body.find((x: { year: number }) => x.year === 2019);
    // 2019 is due by 31 May 2020 and nothing is published
    expect(y2019).toMatchObject({ year: 2019, status: 'draft', revision: 0, publishedAt: null, overdue: true });
    const current = new Date().getUTCFullYear();
    const now = await as(official).post(`/reports/${current}/compile`, {});
    expect(now.status).toBe(200);
    expect((await as(auditor).get('/reports')).body.find((x: { year: number }) => x.year === current).overdue).toBe(false);
  });

  it('publishes the newest compile as revision 1, frozen; later changes show as a newer draft and never alter it', async () => {
    const compiled = ok(await as(official).post('/reports/2019/compile', {}), 200);
    const published = await as(official).post('/reports/2019/publish', { contentHash: compiled.contentHash });
    expect(published.status).toBe(200);
    expect(published.body).toMatchObject({ year: 2019, status: 'published', revision: 1, contentHash: compiled.contentHash });
    const open = await t.call('GET', '/api/v1/public/raportowa/reports/2019');
    expect(open.status).toBe(200);
    const page = await t.call('GET', '/raportowa/reports/2019');
    expect(page.status).toBe(200);
    expect(page.text).toContain(`<code>${compiled.contentHash}</code>`);
    expect(open.body).toMatchObject({ year: 2019, revision: 1, contentHash: compiled.contentHash, summary: compiled.summary });
    const [{ n: rows }] = await t.db.query(`SELECT count(*)::int AS n FROM report_revision_tasks WHERE year = 2019 AND revision = 1`);
    expect(rows).toBe(7);

    // the data change: a new settled task in 2019
    ok(await as(official).post('/tasks', newTask(annual2019, [made.ngos[1].id], { amountGranted: '1000.00', status: 'settled', amountSettled: '1000.00' })));
    expect((await t.call('GET', '/api/v1/public/raportowa/reports/2019')).text).toBe(open.text);
    const draft = ok(await as(official).post('/reports/2019/compile', {}), 200);
    expect(draft).toMatchObject({ status: 'draft', revision: 1 });
    expect(draft.summary.tasks.count).toBe(8);
    expect(draft.contentHash).not.toBe(compiled.contentHash);
    expect((await t.call('GET', '/api/v1/public/raportowa/reports/2019')).text).toBe(open.text);
    expect((await t.call('GET', '/raportowa/reports/2019')).text).toBe(page.text);
    expect((await as(auditor).get('/reports')).body.find((x: { year: number }) => x.year === 2019)).toMatchObject({ status: 'draft', revision: 1, overdue: false });

    // a new revision, on purpose
    const second = ok(await as(official).post('/reports/2019/publish', {}), 200);
    expect(second).toMatchObject({ status: 'published', revision: 2, contentHash: draft.contentHash });
    expect((await t.call('GET', '/api/v1/public/raportowa/reports/2019')).body).toMatchObject({ revision: 2, summary: { tasks: { count: 8 } } });
    // the publication drops this process's cached page at once
    const newPage = await t.call('GET', '/raportowa/reports/2019');
    expect(newPage.text).toContain(`<code>${draft.contentHash}</code>`);
    expect(newPage.text).toMatch(/Wersja 2,/);
    const [{ n: first }] = await t.db.query(`SELECT count(*)::int AS n FROM report_revision_tasks WHERE year = 2019 AND revision = 1`);
    expect(first).toBe(7);
    // publishing what is published already makes no revision
    expect(ok(await as(official).post('/reports/2019/publish', {}), 200)).toMatchObject({ revision: 2 });
    const trail = ok(await as(auditor).get('/audit?entity=report&action=publish'), 200);
    expect(trail.items.map((e: { after: { revision: number } }) => e.after.revision)).toEqual([2, 1]);
  });

  it('publishes the data as they are when they changed since the last compile, and refuses a reviewed hash that no longer matches', async () => {
    const reviewed = ok(await as(official).post('/reports/2019/compile', {}), 200);
    ok(await as(official).post('/tasks', newTask(annual2019, [made.ngos[2].id], { amountGranted: '10.00', status: 'contracted' })));
    const refused = await as(official).post('/reports/2019/publish', { contentHash: reviewed.contentHash });
    expect(refused.status).toBe(422);
    expect(refused.body.errors[0]).toMatchObject({ rule: 'report.changed-since-review', field: 'contentHash' });
    const published = ok(await as(official).post('/reports/2019/publish', {}), 200);
    expect(published.summary.tasks.count).toBe(reviewed.summary.tasks.count + 1);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM report_revision_tasks WHERE year = 2019 AND revision = $1`, [published.revision]);
    expect(n).toBe(published.summary.tasks.count);
  });

  it('keeps published revisions frozen in the database itself', async () => {
    await expect(t.db.query(`UPDATE report_revisions SET content_hash = 'x'`)).rejects.toThrow(/frozen/);
    await expect(t.db.query(`DELETE FROM report_revision_tasks`)).rejects.toThrow(/frozen/);
  });

  it('answers 404 in public for a year with no published revision, and for an unknown municipality', async () => {
    expect((await t.call('GET', '/api/v1/public/raportowa/reports/2018')).status).toBe(404);
    expect((await t.call('GET', '/api/v1/public/nieznana/reports/2019')).status).toBe(404);
    expect((await t.call('GET', '/api/v1/public/raportowa/reports/19')).status).toBe(400);
  });

  it('refuses bad years, future years and publishing before compiling', async () => {
    expect((await as(official).post('/reports/1999/compile', {})).status).toBe(400);
    expect((await as(official).post('/reports/abcd/compile', {})).status).toBe(400);
    const future = await as(official).post(`/reports/${new Date().getUTCFullYear() + 1}/compile`, {});
    expect(future.status).toBe(422);
    expect(future.body.errors[0].rule).toBe('report.year-in-future');
    const early = await as(official).post('/reports/2017/publish', {});
    expect(early.status).toBe(422);
    expect(early.body.errors[0].rule).toBe('report.not-compiled');
    expect((await as(official).get('/reports/2016')).status).toBe(404);
    expect((await as(official).post('/reports/2019/publish', { contentHash: 'nope' })).status).toBe(400);
  });

  it('lets officials and admins compile and publish, auditors read, and keeps drafts from ngo accounts and the public', async () => {
    const cases: Array<[string, string | undefined, number]> = [
      ['GET /reports', ngoToken, 403],
      ['GET /reports', undefined, 401],
      ['GET /reports/2019', ngoToken, 403],
      ['GET /reports/2019', auditor, 200],
      ['GET /reports/2019', admin, 200],
      ['POST /reports/2019/compile', auditor, 403],
      ['POST /reports/2019/compile', ngoToken, 403],
      ['POST /reports/2019/compile', undefined, 401],
      ['POST /reports/2019/compile', admin, 200],
      ['POST /reports/2019/publish', auditor, 403],
      ['POST /reports/2019/publish', ngoToken, 403],
      ['POST /reports/2019/publish', admin, 200],
    ];
    for (const [route, token, status] of cases) {
      const [method, path] = route.split(' ');
      expect([route, token === undefined ? 'public' : token.slice(-6), (await t.call(method, `/api/v1${path}`, { token, body: method === 'POST' ? {} : undefined })).status]).toEqual([route, token === undefined ? 'public' : token.slice(-6), status]);
    }
  });

  it('keeps each municipality\'s reports to itself', async () => {
    const platform = await signIn(t, PLATFORM_ADMIN.email);
    expect((await t.call('GET', '/api/v1/reports/2019', { token: platform })).status).toBe(404);
    expect((await t.call('GET', '/api/v1/reports', { token: platform })).body.some((x: { year: number }) => x.year === 2019)).toBe(false);
  });
});
