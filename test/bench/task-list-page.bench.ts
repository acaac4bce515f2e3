import { ReadReplicas, type AppConfig } from '@app/core';
import { DEMO_PASSWORD, DEMO_USERS, RECENT_YEARS } from '@app/database';
import { TasksService } from '@app/tasks';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { WebClient } from '../utils/web-client';
import { median, ms, type Benchmark, type BenchContext, type Measurement } from './benchmark';
import { insertBulkTasks } from './bulk-tasks';
import { startChildServer, type ChildServer } from './child-server';
import { addUp, cpuSeconds, ensureWrk, PRIORITY, type LoadResult, type LoadSettings } from './load';
import { CONNECTIONS, cores, DEFAULT_LOG_LEVEL, describe, load, profile, profileNotes, ROUND, ROUNDS, WARM_UP, type Target } from './report-page.bench';

const TASKS = 100_000;
/**
 * A year of their own in the demo municipality: the demo's data end with RECENT_YEARS, the small
 * report page's tasks take the year after, so these take the next one and the filter finds them alone.
 */
const YEAR = RECENT_YEARS[RECENT_YEARS.length - 1] + 2;
/** The filter both lists are asked for, page 1 of 50 rows: tasks starting in YEAR of this sphere (insertBulkTasks gives each code of the dictionary in turn). */
const SPHERE = '16';
const ROWS = 50;
const PAGE_PATH = `/app/tasks?year=${YEAR}&sphere=${SPHERE}`;
const API_PATH = `/api/v1/tasks?year=${YEAR}&sphere=${SPHERE}&page=1&limit=${ROWS}`;
const OFFICIAL = DEMO_USERS.find((u) => u.role === 'official')!.email;
/**
 * wrk stops after its duration, but the application is still answering what it was sent (up to
 * CONNECTIONS requests, each a few hundred ms behind under load): a pause after each run, so that
 * they weigh on neither the next run nor the server's stop (which would cut their queries off).
 */
const SETTLE_MS = 2000;
/** TasksService.list in the bench process, for the note on how much of a request is the list's own SQL. */
const LIST_REPEATS = 20;

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** 100 000 funded tasks of YEAR in the demo municipality, under an annual programme of that year, each with 1–3 of the demo's active NGOs. */
async function seed(ctx: BenchContext): Promise<{ municipalityId: string; matching: number }> {
  const ds = ctx.dataSource;
  const [{ id: m }]: Array<{ id: string }> = await ds.query('SELECT id FROM municipalities WHERE slug = $1', [ctx.config.municipality.slug]);
  const [{ id: programId }]: Array<{ id: string }> = await ds.query(
    `INSERT INTO programs (municipality_id, title, kind, start_year, end_year) VALUES ($1, 'Roczny program współpracy na rok ' || $2, 'annual', $2::int, $2::int) RETURNING id`,
    [m, YEAR],
  );
  const [{ ngoIds }]: Array<{ ngoIds: string[] }> = await ds.query(
    `SELECT array_agg(id::text ORDER BY id) AS "ngoIds" FROM ngos WHERE municipality_id = $1 AND archived_at IS NULL`,
    [m],
  );
  await insertBulkTasks(ds, { tag: 'bench-list', municipalityId: m, programId, year: YEAR, counted: TASKS, planned: 0, ngoIds });
  await ds.query('VACUUM ANALYZE tasks, task_ngos');
  const [{ matching }]: Array<{ matching: number }> = await ds.query(
    `SELECT count(*)::int AS matching FROM tasks WHERE municipality_id = $1 AND extract(year FROM start_date) = $2 AND sphere = $3`,
    [m, YEAR, SPHERE],
  );
  return { municipalityId: m, matching };
}

/**
 * CPU seconds so far of the PostgreSQL processes serving the application's pool (application_name
 * ngo-tracker-api, or another pool's name) on the bench database, by pid; empty when they run on another machine (no /proc entry here).
 */
export async function databaseCpu(ctx: BenchContext, applicationName = 'ngo-tracker-api'): Promise<Map<number, number>> {
  const rows: Array<{ pid: number }> = await ctx.dataSource.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`, [applicationName]);
  const cpu = new Map<number, number>();
  for (const { pid } of rows) {
    const seconds = cpuSeconds(pid);
    if (seconds !== null) cpu.set(pid, seconds);
  }
  return cpu;
}

/** What the application's PostgreSQL processes spent between two readings (a process that began meanwhile counts whole). */
export function databaseCpuSpent(before: Map<number, number>, after: Map<number, number>): number | null {
  if (!after.size) return null;
  return [...after].reduce((sum, [pid, seconds]) => sum + seconds - (before.get(pid) ?? 0), 0);
}

interface Answer {
  status: number;
  body: string;
  location: string | null;
}

async function get(url: string, headers: Record<string, string>): Promise<Answer> {
  const response = await fetch(url, { headers, redirect: 'manual' });
  return { status: response.status, body: await response.text(), location: response.headers.get('location') };
}

function expectOk(what: string, answer: Answer): void {
  if (answer.status === 200) return;
  const where = answer.location ? ` (to ${answer.location}${answer.location.startsWith('/app/login') ? ': the session was not accepted' : ''})` : '';
  throw new Error(`${what} answered ${answer.status}${where}, not 200: ${answer.body.slice(0, 300)}`);
}

/** The task ids a list page links to (/app/tasks/{id}), in the order of its rows. */
function pageTaskIds(html: string): string[] {
  return [...html.matchAll(new RegExp(`href="/app/tasks/(${UUID})"`, 'g'))].map((m) => m[1]);
}

/** "Znaleziono: 2 778." of a list page, as a number (Polish digit groups). */
function pageTotal(html: string): number | null {
  const found = /Znaleziono: ([\d\s\u00a0\u202f]+)\./.exec(html);
  return found ? Number(found[1].replace(/\D/g, '')) : null;
}

/** The statuses of the request log lines for each path (the query left out); wrk counts no 3xx, so this tells a redirect to the sign-in page. */
function statusesByPath(file: string): Map<string, Map<number, number>> {
  const byPath = new Map<string, Map<number, number>>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    let entry: { msg?: string; req?: { url?: string }; res?: { statusCode?: number } };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      throw new Error(`a request log line is not whole JSON: ${line.slice(0, 200)}`);
    }
    if (entry.msg !== 'request completed' && entry.msg !== 'request errored') continue;
    const path = (entry.req?.url ?? '?').split('?')[0];
    const status = entry.res?.statusCode ?? 0;
    const counts = byPath.get(path) ?? new Map<number, number>();
    counts.set(status, (counts.get(status) ?? 0) + 1);
    byPath.set(path, counts);
  }
  return byPath;
}

const tally = (counts: Map<number, number> | undefined) => [...(counts ?? new Map<number, number>())].map(([status, n]) => `${n} × ${status}`).join(', ') || 'none';

/**
 * The web app's funded-task list page (/app/tasks, server-rendered, signed in by session cookie)
 * against the API's JSON list of the same rows (bearer token), both from one process of the real
 * application at the default log level, over 100 000 tasks of a year of the demo municipality.
 */
export const taskListPageBenchmark: Benchmark = {
  name: 'task-list-page',
  measuredIs: `GET ${PAGE_PATH} (the web app's list page: ${ROWS} rows of ${TASKS.toLocaleString('en-US')} tasks, filtered; the demo official's session cookie), LOG_LEVEL=${DEFAULT_LOG_LEVEL}, req/s in the round of the median ratio`,
  baselineIs: `GET ${API_PATH} (the API's JSON of the same ${ROWS} rows; the same official's bearer token), same process, same load, same round, req/s`,
  goal: { op: '>=', ratio: 0.6 },
  async run(ctx: BenchContext): Promise<Measurement> {
    await ensureWrk(ctx.progress);
    const progress = (message: string) => ctx.progress(`task-list-page: ${message}`);
    progress(`seeding ${TASKS} funded tasks of ${YEAR} in the demo municipality`);
    const seedStarted = performance.now();
    const { municipalityId, matching } = await seed(ctx);
    const seeded = (performance.now() - seedStarted) / 1000;

    const appConfig = { ...ctx.config, logLevel: DEFAULT_LOG_LEVEL };
    const appEnv = { BENCH_CONFIG: JSON.stringify(appConfig), BENCH_DATABASE_URL: ctx.databaseUrl };
    const dir = mkdtempSync(join(tmpdir(), 'ngo-bench-list-'));
    const logFile = join(dir, 'app.log');
    let server: ChildServer | undefined;
    try {
      progress('starting the application and signing in the official (web session and API token)');
      server = await startChildServer(ctx.distRoot, 'app', appEnv, logFile);
      const web = new WebClient(server.url);
      await web.signIn(OFFICIAL, DEMO_PASSWORD);
      const sessionCookie = [...web.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
      if (!/(^|; )(__Host-)?ngo_session=/.test(sessionCookie)) throw new Error(`signing in kept no session cookie (cookies: ${[...web.cookies.keys()].join(', ') || 'none'})`);
      const login = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: OFFICIAL, password: DEMO_PASSWORD }) });
      const token = ((await login.json()) as { accessToken?: string }).accessToken;
      if (login.status !== 200 || !token) throw new Error(`POST /api/v1/auth/login answered ${login.status} without a token`);

      const page: Target = { label: 'page', server, runs: [], headers: { cookie: sessionCookie } };
      const api: Target = { label: 'API', server, runs: [], headers: { authorization: `Bearer ${token}` } };

      // both lists answer 200 with the same rows in the same order, before anything is measured
      const html = await get(server.url + PAGE_PATH, page.headers!);
      expectOk(`GET ${PAGE_PATH}`, html);
      const json = await get(server.url + API_PATH, api.headers!);
      expectOk(`GET ${API_PATH}`, json);
      const listed = JSON.parse(json.body) as { items: Array<{ id: string }>; total: number };
      const apiIds = listed.items.map((t) => t.id);
      const pageIds = pageTaskIds(html.body);
      if (apiIds.length !== ROWS) throw new Error(`the API listed ${apiIds.length} tasks, not ${ROWS}`);
      if (pageIds.join() !== apiIds.join()) {
        throw new Error(`the page and the API list different tasks: page ${pageIds.length} (${pageIds.slice(0, 3).join(', ')}…), API ${apiIds.length} (${apiIds.slice(0, 3).join(', ')}…)`);
      }
      if (listed.total !== matching || pageTotal(html.body) !== matching) {
        throw new Error(`the filter matches ${matching} tasks, but the API counted ${listed.total} and the page ${pageTotal(html.body)}`);
      }
      const pageBytes = Buffer.byteLength(html.body);
      const apiBytes = Buffer.byteLength(json.body);

      const notes: string[] = [
        `data: ${TASKS} funded tasks of ${YEAR} in the demo municipality (test/bench/bulk-tasks.ts, as the compile benchmark's), 1–3 of its NGOs each, seeded and VACUUM ANALYZEd in ${seeded.toFixed(1)} s`,
        `filter: year=${YEAR}, sphere=${SPHERE}, page 1 of ${ROWS} rows: ${matching} tasks match; both lists checked to answer 200 with the same ${ROWS} task ids in the same order (the page's links /app/tasks/{id}, the JSON's items) and the same total`,
        `one application process (createApiApp, as main.ts builds it, LOG_LEVEL=${DEFAULT_LOG_LEVEL}: one JSON line per request to a file) serves both; signed in as ${OFFICIAL} through POST /app/login (session cookie) and POST /api/v1/auth/login (bearer token)`,
        `load: wrk -t1 -c${CONNECTIONS} -d${ROUND.durationSeconds}s with the cookie or the Authorization header (-H), ${WARM_UP.durationSeconds} s warm-up each, then ${ROUNDS} alternating rounds (page API, API page, page API)`,
        `body bytes per answer: page ${pageBytes} (text/html), API ${apiBytes} (application/json)`,
        server.raised ? `priority: the application and wrk at nice ${PRIORITY} (PostgreSQL not)` : 'priority: normal (raising it needs root)',
      ];

      const pathOf = (target: Target) => (target === page ? PAGE_PATH : API_PATH);
      const bytesOf = (target: Target) => (target === page ? pageBytes : apiBytes);
      /** PostgreSQL's CPU seconds for each run of a round, by target (null when its processes are not on this machine) */
      const databaseSeconds = new Map<Target, Array<number | null>>([
        [page, []],
        [api, []],
      ]);
      const run = async (target: Target, settings: LoadSettings, round = false) => {
        const before = await databaseCpu(ctx);
        const result = await load(target, settings, pathOf(target), bytesOf(target));
        await sleep(SETTLE_MS); // the answers still under way are part of this run's database work
        if (round) databaseSeconds.get(target)!.push(databaseCpuSpent(before, await databaseCpu(ctx)));
        return result;
      };
      for (const target of [page, api]) {
        progress(`warming up the ${target.label} (${WARM_UP.durationSeconds} s)`);
        await run(target, WARM_UP);
      }
      for (let round = 0; round < ROUNDS; round++) {
        for (const target of round % 2 ? [api, page] : [page, api]) {
          progress(`round ${round + 1}/${ROUNDS}, ${target.label} (${ROUND.durationSeconds} s)`);
          target.runs.push(await run(target, ROUND, true));
        }
      }
      const rate = (r: LoadResult) => r.requests / r.seconds;
      const ratios = page.runs.map((r, i) => rate(r) / rate(api.runs[i]));
      const medianRound = ratios.indexOf([...ratios].sort((x, y) => x - y)[ratios.length >> 1]);
      const p = addUp(page.runs);
      const a = addUp(api.runs);
      notes.push(
        `ratio per round: ${ratios.map((r) => r.toFixed(2)).join(', ')}; median ${ratios[medianRound].toFixed(2)} (round ${medianRound + 1})`,
        `bytes per answer on the wire, headers included: page ${page.runs[0].bytesPerResponse.toFixed(0)}, API ${api.runs[0].bytesPerResponse.toFixed(0)}`,
        describe('page', p),
        describe('API', a),
      );
      if (p.serverCpuPerRequestUs && a.serverCpuPerRequestUs) {
        notes.push(`application CPU per request, API / page: ${(a.serverCpuPerRequestUs / p.serverCpuPerRequestUs).toFixed(2)}`);
      }
      const databasePerRequestUs = (target: Target) => {
        const seconds = databaseSeconds.get(target)!;
        const requests = target.runs.reduce((sum, r) => sum + r.requests, 0);
        return seconds.some((x) => x === null) || !requests ? null : (seconds.reduce<number>((sum, x) => sum + x!, 0) / requests) * 1e6;
      };
      const [pageDatabase, apiDatabase] = [databasePerRequestUs(page), databasePerRequestUs(api)];
      notes.push(
        pageDatabase === null || apiDatabase === null
          ? 'PostgreSQL CPU per request: n/a (its processes are not on this machine)'
          : `PostgreSQL CPU per request (its processes serving the application's pool, read from /proc over each round): page ${pageDatabase.toFixed(0)} µs, API ${apiDatabase.toFixed(0)} µs`,
      );
      if (p.otherCores !== null && a.otherCores !== null && Math.max(p.otherCores, a.otherCores) > 1) {
        notes.push(`the rest of the machine (PostgreSQL and whatever else runs) kept up to ${cores(Math.max(p.otherCores, a.otherCores))} of a core busy meanwhile: with two cores, req/s are not the application's limit alone`);
      }

      // what the rows cost on their own: the service's list (a count and a page of rows), as both lists call it, from the bench process
      const tasks = new TasksService(ctx.dataSource, new ReadReplicas(ctx.dataSource, { databaseReplicaUrls: [], replicaMaxLagMs: 5000 } as unknown as AppConfig));
      const actor = { userId: '00000000-0000-0000-0000-000000000000', email: OFFICIAL, municipalityId, role: 'official' as const, ngoId: null, platformAdmin: false };
      const query = { year: YEAR, sphere: SPHERE, page: 1, limit: ROWS };
      const listTimes: number[] = [];
      for (let i = 0; i < LIST_REPEATS; i++) {
        const started = performance.now();
        await tasks.list(actor, query);
        listTimes.push(performance.now() - started);
      }
      notes.push(
        `TasksService.list alone (its count and its page of rows, over a pool of the bench process, no load), median of ${LIST_REPEATS}: ${ms(median(listTimes))} ms; ` +
          `besides it, the page reads its session, the programmes and the spheres (its filter's pickers), the API the token's user`,
      );

      if (ratios[medianRound] < taskListPageBenchmark.goal.ratio || process.env.BENCH_PROFILE) {
        const profiles = [];
        for (const target of [page, api]) {
          profiles.push({ ...(await profile(ctx, target, pathOf(target), bytesOf(target), dir)), label: target.label });
          await sleep(SETTLE_MS);
        }
        notes.push(...profileNotes(profiles));
      }

      await server.stop(); // flushes its log
      const statuses = statusesByPath(logFile);
      const pageStatuses = statuses.get('/app/tasks');
      const apiStatuses = statuses.get('/api/v1/tasks');
      notes.push(`request log, by status: page ${tally(pageStatuses)}; API ${tally(apiStatuses)} (warm-up, rounds, checks and profiles; wrk counts no 3xx, so a lost session would show here as 303)`);
      const other = [...(pageStatuses ?? []), ...(apiStatuses ?? [])].filter(([status]) => status !== 200);
      if (other.length || !pageStatuses?.get(200) || !apiStatuses?.get(200)) {
        throw new Error(`answers other than 200 under load: page ${tally(pageStatuses)}; API ${tally(apiStatuses)}`);
      }
      return { measured: rate(page.runs[medianRound]), baseline: rate(api.runs[medianRound]), unit: 'req/s', notes };
    } finally {
      await server?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
