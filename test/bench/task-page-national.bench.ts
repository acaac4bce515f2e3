import { DEMO_PASSWORD, DEMO_USERS, nationalPlan, NATIONAL_FULL } from '@app/database';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadNational } from '../../apps/cli/src/commands/national.command';
import type { Session } from '../../apps/cli/src/session';
import { NATIONAL_DEFAULT_SEED } from '../../apps/cli/src/values';
import { median, ms, type Benchmark, type BenchContext, type Measurement } from './benchmark';
import { startChildServer, type ChildServer } from './child-server';
import { addUp, ensureWrk, PRIORITY, type LoadResult, type LoadSettings } from './load';
import { cores, DEFAULT_LOG_LEVEL, describe, load, profile, profileNotes, ROUND, ROUNDS, WARM_UP, type Target } from './report-page.bench';
import { databaseCpu, databaseCpuSpent } from './task-list-page.bench';
import { COUNT_TEMPLATE, PAGE_TEMPLATE, SELECT_TASK, WHERE } from './task-page.server';

const ROWS = 50;
const PATH = `/api/v1/tasks?page=1&limit=${ROWS}`;
/** The fraction of the country `demo:national` loads (BENCH_NATIONAL_SCALE to try the bench on less; the goal is read at 1). */
const SCALE = Number(process.env.BENCH_NATIONAL_SCALE ?? 1);
/** The application's PostgreSQL connections are named ngo-tracker-api; the baseline's pool this. */
const BASELINE_APPLICATION_NAME = 'ngo-tracker-bench-pg';
/** After each run, as task-list-page's: the answers still under way belong to that run, not the next. */
const SETTLE_MS = 2000;
const SQL_REPEATS = 20;
/**
 * wrk's connections: the application's pool size (10), not the page benchmarks' 32. At national
 * size the largest municipality's count and page take tens of ms of PostgreSQL each; with 32
 * requests in flight over a pool of 10 on two shared cores the application's own deadlines (2.5 s
 * to get a pooled connection, 3.5 s per query) ran out and it answered 503s, while the baseline's
 * plain Pool (no deadlines) only queued: a load the two do not both survive measures nothing.
 */
const connectionsFor = (poolSize: number) => poolSize;
const DEMO_OFFICIAL = DEMO_USERS.find((u) => u.role === 'official')!.email;

/**
 * The national data set of `npm run cli -- demo:national` loaded into the bench database through
 * the command's own code (loadNational: COPY in one transaction, then ANALYZE), then VACUUMed so
 * that autovacuum of a million fresh rows does not run during the rounds. Returns the municipality
 * of the most tasks (the heaviest count and sort of any one municipality's first page).
 */
async function loadCountry(ctx: BenchContext, progress: (m: string) => void): Promise<{ seconds: number; vacuum: number; tasks: number; municipality: { id: string; slug: string; name: string; kind: string; tasks: number } }> {
  const started = performance.now();
  const session = { ds: ctx.dataSource, config: ctx.config } as unknown as Session; // loadNational reads session.ds only
  await loadNational(session, { seed: NATIONAL_DEFAULT_SEED, scale: SCALE, progress: false });
  const seconds = (performance.now() - started) / 1000;
  progress(`loaded in ${seconds.toFixed(0)} s; VACUUM ANALYZE tasks, task_ngos`);
  const vacuumStarted = performance.now();
  await ctx.dataSource.query('VACUUM ANALYZE tasks, task_ngos');
  const vacuum = (performance.now() - vacuumStarted) / 1000;
  const plan = nationalPlan({ seed: NATIONAL_DEFAULT_SEED, scale: SCALE });
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const largest = plan.jsts.reduce((a, b) => (sum(b.tasks) > sum(a.tasks) ? b : a));
  const [row]: Array<{ id: string; tasks: number }> = await ctx.dataSource.query(
    'SELECT m.id, (SELECT count(*)::int FROM tasks t WHERE t.municipality_id = m.id) AS tasks FROM municipalities m WHERE m.slug = $1',
    [largest.slug],
  );
  if (!row) throw new Error(`the national municipality ${largest.slug} is not in the bench database`);
  const [{ tasks }]: Array<{ tasks: number }> = await ctx.dataSource.query('SELECT count(*)::int AS tasks FROM tasks');
  return { seconds, vacuum, tasks, municipality: { id: row.id, slug: largest.slug, name: largest.name, kind: largest.kind, tasks: row.tasks } };
}

/** The baseline runs the service's statements only while the service's source still holds them verbatim. */
function checkSqlIsTheService(ctx: BenchContext): void {
  const file = resolve(ctx.distRoot, '../../../libs/tasks/src/tasks.service.ts');
  const source = readFileSync(file, 'utf8');
  const missing = [
    ['SELECT_TASK', `const SELECT_TASK = \`${SELECT_TASK}\`;`],
    ['the count', COUNT_TEMPLATE],
    ['the page query', PAGE_TEMPLATE],
    ['the WHERE', `new SqlWhere('${WHERE.replace('$1', '?')}', actor.municipalityId)`],
  ].filter(([, text]) => !source.includes(text));
  if (missing.length) throw new Error(`${file} no longer holds ${missing.map(([name]) => name).join(', ')} as test/bench/task-page.server.ts copies it: copy it again`);
}

/** A new official of that municipality with the demo official's password hash (so DEMO_PASSWORD signs in), and its bearer token from the API. */
async function officialToken(ctx: BenchContext, server: ChildServer, municipality: { id: string; slug: string }): Promise<string> {
  const email = `bench-official@${municipality.slug}.example`;
  const inserted: Array<{ id: string }> = await ctx.dataSource.query(
    `INSERT INTO users (municipality_id, email, password_hash, role)
     SELECT $1, $2, password_hash, 'official' FROM users WHERE email = $3 AND role = 'official' LIMIT 1 RETURNING id`,
    [municipality.id, email, DEMO_OFFICIAL],
  );
  if (inserted.length !== 1) throw new Error(`no demo official ${DEMO_OFFICIAL} to copy the password of`);
  const login = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: DEMO_PASSWORD }) });
  const token = ((await login.json()) as { accessToken?: string }).accessToken;
  if (login.status !== 200 || !token) throw new Error(`POST /api/v1/auth/login for ${email} answered ${login.status} without a token`);
  return token;
}

async function fetchBody(url: string, headers: Record<string, string> = {}): Promise<string> {
  const response = await fetch(url, { headers });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}, not 200: ${body.slice(0, 300)}`);
  return body;
}

/**
 * P4 of issue 11: one municipality's first page of 50 funded tasks from the API at national size
 * (the `demo:national` country, 1 000 000 tasks), against node:http and `pg` running the same two
 * statements and answering the same JSON. Both servers in processes of their own, loaded by wrk
 * in alternating rounds.
 */
export const taskPageNationalBenchmark: Benchmark = {
  name: 'task-page-national',
  measuredIs: `GET ${PATH} from the application (createApiApp, LOG_LEVEL=${DEFAULT_LOG_LEVEL}) for an official of the national set's largest municipality (bearer token), among ${Math.round(NATIONAL_FULL.tasks * SCALE).toLocaleString('en-US')} tasks of demo:national (P4 of issue 11), req/s in the round of the median ratio`,
  baselineIs: 'the same JSON from node:http + a pg Pool (same size) running the same two statements of TasksService.list with the same parameters (no authentication), same load, same round, req/s',
  goal: { op: '>=', ratio: 0.5 },
  async run(ctx: BenchContext): Promise<Measurement> {
    await ensureWrk(ctx.progress);
    const progress = (message: string) => ctx.progress(`task-page-national: ${message}`);
    checkSqlIsTheService(ctx);
    progress(`loading demo:national (scale ${SCALE}, seed ${NATIONAL_DEFAULT_SEED}) into the bench database through loadNational`);
    const country = await loadCountry(ctx, progress);
    const m = country.municipality;

    const appConfig = { ...ctx.config, logLevel: DEFAULT_LOG_LEVEL };
    const dir = mkdtempSync(join(tmpdir(), 'ngo-bench-national-'));
    const servers: ChildServer[] = [];
    try {
      progress('starting the application and the pg baseline');
      const appServer = await startChildServer(ctx.distRoot, 'app', { BENCH_CONFIG: JSON.stringify(appConfig), BENCH_DATABASE_URL: ctx.databaseUrl }, join(dir, 'app.log'));
      servers.push(appServer);
      const token = await officialToken(ctx, appServer, m);
      const baselineEnv = {
        BENCH_DATABASE_URL: ctx.databaseUrl,
        BENCH_MUNICIPALITY_ID: m.id,
        BENCH_POOL_SIZE: String(appConfig.databasePoolSize),
        BENCH_APPLICATION_NAME: BASELINE_APPLICATION_NAME,
      };
      const pgServer = await startChildServer(ctx.distRoot, 'pg', baselineEnv, undefined, 'test/bench/task-page.server.js');
      servers.push(pgServer);
      const app: Target = { label: 'application', server: appServer, runs: [], headers: { authorization: `Bearer ${token}` } };
      const baseline: Target = { label: 'pg + node:http', server: pgServer, runs: [] };

      // the same bytes from both, before anything is measured
      const appBody = await fetchBody(appServer.url + PATH, app.headers);
      const baselineBody = await fetchBody(pgServer.url + PATH);
      if (appBody !== baselineBody) {
        const at = [...appBody].findIndex((c, i) => c !== baselineBody[i]);
        throw new Error(`the baseline answers other JSON than the application (${baselineBody.length} against ${appBody.length} characters, first difference at ${at}: …${appBody.slice(Math.max(0, at - 60), at + 60)}… against …${baselineBody.slice(Math.max(0, at - 60), at + 60)}…)`);
      }
      const listed = JSON.parse(appBody) as { items: unknown[]; total: number };
      if (listed.items.length !== ROWS || listed.total !== m.tasks) throw new Error(`the application listed ${listed.items.length} of ${listed.total} tasks, not ${ROWS} of ${m.tasks}`);
      const bodyLength = Buffer.byteLength(appBody);

      const connections = connectionsFor(appConfig.databasePoolSize);
      const warmUp: LoadSettings = { connections, durationSeconds: WARM_UP.durationSeconds };
      const roundSettings: LoadSettings = { connections, durationSeconds: ROUND.durationSeconds };
      const notes: string[] = [
        `data: demo:national at scale ${SCALE} (seed ${NATIONAL_DEFAULT_SEED}), ${country.tasks.toLocaleString('en-US')} tasks in the bench database (the demo's included), loaded through the command's loadNational in ${country.seconds.toFixed(0)} s, then VACUUM ANALYZE tasks, task_ngos in ${country.vacuum.toFixed(0)} s; loaded on every run, as the other benchmarks seed theirs (the bench database is thrown away)`,
        `municipality: ${m.name} (${m.kind}, ${m.slug}), the national set's largest, ${m.tasks.toLocaleString('en-US')} tasks; an official of it (added with the demo official's password hash) signed in through POST /api/v1/auth/login`,
        `both answer ${bodyLength} bytes of JSON, checked equal byte for byte (${ROWS} items, total ${m.tasks}); the baseline's SQL checked to be the service's (libs/tasks/src/tasks.service.ts) verbatim; pool of ${appConfig.databasePoolSize} connections each`,
        `the application does besides per request: authentication of the bearer token (its user's row), the permission guard, validation of the query, the request log line (LOG_LEVEL=${DEFAULT_LOG_LEVEL}, to a file); the baseline none of these`,
        `load: wrk -t1 -c${connections} (the pool's size; see connectionsFor) -d${ROUND.durationSeconds}s, ${WARM_UP.durationSeconds} s warm-up each, then ${ROUNDS} alternating rounds, a ${SETTLE_MS / 1000} s pause after each run`,
        appServer.raised ? `priority: servers and wrk at nice ${PRIORITY} (PostgreSQL not)` : 'priority: normal (raising it needs root)',
      ];

      // the two statements alone, from the bench process's pool, no load (before the rounds, so that a failure under load can tell it)
      const timed = async (sql: string) => {
        const times: number[] = [];
        for (let i = 0; i < SQL_REPEATS; i++) {
          const started = performance.now();
          await ctx.dataSource.query(sql, [m.id]);
          times.push(performance.now() - started);
        }
        return median(times);
      };
      const countMs = await timed(`SELECT count(*)::int AS total FROM tasks t WHERE ${WHERE}`);
      const pageMs = await timed(`${SELECT_TASK} WHERE ${WHERE} ORDER BY t.start_date DESC, t.title, t.id LIMIT ${ROWS} OFFSET 0`);
      const sqlAlone = `the two statements alone (the bench process's pool, no load), median of ${SQL_REPEATS}: count ${ms(countMs)} ms, page ${ms(pageMs)} ms`;
      notes.push(sqlAlone);

      const appNames = new Map<Target, string>([
        [app, 'ngo-tracker-api'],
        [baseline, BASELINE_APPLICATION_NAME],
      ]);
      const databaseSeconds = new Map<Target, Array<number | null>>([
        [app, []],
        [baseline, []],
      ]);
      const run = async (target: Target, settings: LoadSettings, round = false) => {
        const name = appNames.get(target)!;
        const before = await databaseCpu(ctx, name);
        const result = await load(target, settings, PATH, bodyLength);
        await sleep(SETTLE_MS);
        if (round) databaseSeconds.get(target)!.push(databaseCpuSpent(before, await databaseCpu(ctx, name)));
        return result;
      };
      try {
        for (const target of [app, baseline]) {
          progress(`warming up the ${target.label} (${WARM_UP.durationSeconds} s)`);
          await run(target, warmUp);
        }
        for (let round = 0; round < ROUNDS; round++) {
          for (const target of round % 2 ? [baseline, app] : [app, baseline]) {
            progress(`round ${round + 1}/${ROUNDS}, ${target.label} (${ROUND.durationSeconds} s)`);
            target.runs.push(await run(target, roundSettings, true));
          }
        }
      } catch (error) {
        // the table shows only the message: what the SQL costs unloaded belongs in it
        throw new Error(`${error instanceof Error ? error.message : String(error)} (${m.tasks} tasks of ${country.tasks}; ${sqlAlone})`, { cause: error });
      }
      const rate = (r: LoadResult) => r.requests / r.seconds;
      const ratios = app.runs.map((r, i) => rate(r) / rate(baseline.runs[i]));
      const medianRound = ratios.indexOf([...ratios].sort((x, y) => x - y)[ratios.length >> 1]);
      const a = addUp(app.runs);
      const b = addUp(baseline.runs);
      notes.push(
        `ratio per round: ${ratios.map((r) => r.toFixed(2)).join(', ')}; median ${ratios[medianRound].toFixed(2)} (round ${medianRound + 1})`,
        describe('application', a),
        describe('pg + node:http', b),
      );
      if (a.serverCpuPerRequestUs && b.serverCpuPerRequestUs) {
        notes.push(`Node CPU per request, baseline / application: ${(b.serverCpuPerRequestUs / a.serverCpuPerRequestUs).toFixed(2)}`);
      }
      const databasePerRequestUs = (target: Target) => {
        const seconds = databaseSeconds.get(target)!;
        const requests = target.runs.reduce((sum, r) => sum + r.requests, 0);
        return seconds.some((x) => x === null) || !requests ? null : (seconds.reduce<number>((sum, x) => sum + x!, 0) / requests) * 1e6;
      };
      const [appDatabase, baselineDatabase] = [databasePerRequestUs(app), databasePerRequestUs(baseline)];
      notes.push(
        appDatabase === null || baselineDatabase === null
          ? 'PostgreSQL CPU per request: n/a (its processes are not on this machine)'
          : `PostgreSQL CPU per request (the processes serving each pool, from /proc over each round): application ${appDatabase.toFixed(0)} µs, baseline ${baselineDatabase.toFixed(0)} µs`,
      );
      if (a.otherCores !== null && b.otherCores !== null && Math.max(a.otherCores, b.otherCores) > 1) {
        notes.push(`the rest of the machine (PostgreSQL and whatever else runs) kept up to ${cores(Math.max(a.otherCores, b.otherCores))} of a core busy meanwhile: with two cores, req/s are not either server's limit alone`);
      }

      if (ratios[medianRound] < taskPageNationalBenchmark.goal.ratio || process.env.BENCH_PROFILE) {
        // profile() loads with the page benchmarks' 32 connections, which the application may answer with 503s here: a note, not a failure
        try {
          const profiles = [];
          for (const target of [app, baseline]) {
            profiles.push({ ...(await profile(ctx, target, PATH, bodyLength, dir)), label: target.label });
            await sleep(SETTLE_MS);
          }
          notes.push(...profileNotes(profiles));
        } catch (error) {
          notes.push(`profile: not taken (${error instanceof Error ? error.message : String(error)})`);
        }
      }
      return { measured: rate(app.runs[medianRound]), baseline: rate(baseline.runs[medianRound]), unit: 'req/s', notes };
    } finally {
      for (const server of servers) await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
