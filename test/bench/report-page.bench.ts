import { SYSTEM_ACTOR } from '@app/audit';
import { loadConfig } from '@app/core';
import { DEMO_REPORT_YEAR, RECENT_YEARS } from '@app/database';
import { ReportsService } from '@app/reports';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, type Benchmark, type BenchContext, type Measurement } from './benchmark';
import { startChildServer, type ChildServer } from './child-server';
import { summariseProfile, type ProfileSummary } from './cpu-profile';
import { addUp, ensureWrk, PRIORITY, runLoad, type LoadResult, type LoadSettings, type LoadTotals } from './load';
import type { RecordedResponse } from './report-page.server';

/** wrk -t1 -c32 -d6s: one thread of load, 32 keep-alive connections. */
export const CONNECTIONS = 32;
export const WARM_UP: LoadSettings = { connections: CONNECTIONS, durationSeconds: 3 };
/** Measured in alternating rounds (A B, B A, A B), so that a change of load elsewhere on the machine weighs on both servers alike. */
export const ROUND: LoadSettings = { connections: CONNECTIONS, durationSeconds: 6 };
export const ROUNDS = 3;
export const PROFILE: LoadSettings = { connections: CONNECTIONS, durationSeconds: 5 };

/** The configuration's default, as a deployment that sets no LOG_LEVEL runs (info: one request line per answer). */
export const DEFAULT_LOG_LEVEL = loadConfig({}).logLevel;

/**
 * The small page: the demo municipality's report of a year before all of the demo's data (a year
 * inside its programmes carries their commissions and activities too: 64 KB with five tasks; a
 * year after them has not begun, and a report covers the current year at the latest) with this
 * many of the demo year's tasks, about 20 KB.
 */
const SMALL_REPORT_YEAR = Math.min(DEMO_REPORT_YEAR, ...RECENT_YEARS) - 3;
const SMALL_REPORT_TASKS = 5;

/** Per connection or per response: the bare server's own Date, Connection and Keep-Alive stand in for these. */
const HOP_BY_HOP = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

async function record(url: string): Promise<RecordedResponse & { body: Buffer }> {
  const response = await fetch(url);
  const body = Buffer.from(await response.arrayBuffer());
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}, not 200: ${body.toString('utf8').slice(0, 300)}`);
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (!HOP_BY_HOP.has(name)) headers[name] = value;
  });
  return { status: response.status, headers, bodyBase64: body.toString('base64'), body };
}

export interface Target {
  label: string;
  server: ChildServer;
  runs: LoadResult[];
  /** sent with every request of the load (a session cookie, a bearer token) */
  headers?: Record<string, string>;
}

export async function load(target: Target, settings: LoadSettings, path: string, bodyLength: number): Promise<LoadResult> {
  const result = await runLoad(target.server.url + path, settings, target.server.pid, target.headers);
  if (result.non2xx || result.errors) throw new Error(`${target.label}: ${result.non2xx} answers other than 2xx and ${result.errors} socket errors under load`);
  // wrk does not check bodies; the bytes it read per answer tell a truncated or different body
  if (result.bytesPerResponse < bodyLength) throw new Error(`${target.label}: ${result.bytesPerResponse.toFixed(0)} bytes read per answer, fewer than the ${bodyLength} of the page`);
  return result;
}

export const cores = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(0)} %`);

export function describe(label: string, t: LoadTotals): string {
  const rounds = t.runs.map((r) => (r.requests / r.seconds).toFixed(0)).join(', ');
  return (
    `${label}: ${t.requestsPerSecond.toFixed(0)} req/s (rounds ${rounds}), p50 ${median(t.runs.map((r) => r.latencyP50Ms))} ms, p99 ${median(t.runs.map((r) => r.latencyP99Ms))} ms; ` +
    `server process ${cores(t.serverCores)} of a core, ${t.serverCpuPerRequestUs?.toFixed(1) ?? 'n/a'} µs CPU per request; ` +
    `wrk ${cores(t.loadCores)}; rest of the machine ${cores(t.otherCores)}`
  );
}

/** A CPU profile of a running server under the same load, in µs per request: where its time per request goes. */
export async function profile(ctx: BenchContext, target: Target, path: string, bodyLength: number, dir: string): Promise<ProfileSummary & { requests: number }> {
  const file = join(dir, `${target.label}.cpuprofile`);
  type Answer = { profiled?: string; error?: string };
  const ask = async (message: object) => {
    const answer = await target.server.ask<Answer>(message, (m) => m.profiled !== undefined);
    if (answer.profiled === 'failed') throw new Error(`profiling failed: ${answer.error}`);
  };
  ctx.progress(`profiling the ${target.label} server under load (${PROFILE.durationSeconds} s)`);
  await ask({ profile: 'start' });
  const { requests } = await load(target, PROFILE, path, bodyLength);
  await ask({ profile: 'stop', file });
  return { ...summariseProfile(file), requests };
}

export function profileNotes(profiles: Array<ProfileSummary & { requests: number; label: string }>): string[] {
  const perRequest = (p: ProfileSummary & { requests: number }, entries: Array<[string, number]>) =>
    entries.map(([k, share]) => `${k} ${((share * p.busyMs * 1000) / p.requests).toFixed(1)}`).join('; ');
  const total = (p: ProfileSummary & { requests: number }) => ((p.busyMs * 1000) / p.requests).toFixed(1);
  const app = profiles[0];
  return [
    `profile (V8 CPU profiler in each server over ${PROFILE.durationSeconds} s of the same load, after the rounds; main thread, µs per request by self time, grouped by where the code lives):`,
    ...profiles.map((p) => `  ${p.label}, ${total(p)} µs: ${perRequest(p, p.groups)}`),
    `  ${app.label}, inclusive µs per request of the project's own functions: ${perRequest(app, app.projectFunctions)}`,
  ];
}

/** The request lines the application wrote (its stdout, in a file): how many, and whether each is whole JSON. */
function countRequestLines(file: string): { lines: number; requests: number; broken: number } {
  let lines = 0;
  let requests = 0;
  let broken = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    lines++;
    if (!line.startsWith('{')) continue; // Nest's own lines are text
    try {
      if ((JSON.parse(line) as { msg?: string }).msg === 'request completed') requests++;
    } catch {
      broken++;
    }
  }
  return { lines, requests, broken };
}

/** Publishes the demo municipality's report of SMALL_REPORT_YEAR: SMALL_REPORT_TASKS of the demo year's tasks, moved to that year. */
async function publishSmallReport(ctx: BenchContext): Promise<void> {
  const ds = ctx.dataSource;
  const [{ id: m }]: Array<{ id: string }> = await ds.query('SELECT id FROM municipalities WHERE slug = $1', [ctx.config.municipality.slug]);
  await ds.transaction(async (em) => {
    const sources: Array<{ id: string }> = await em.query(
      `SELECT id FROM tasks WHERE municipality_id = $1 AND extract(year FROM start_date) = $2 AND status <> 'planned' ORDER BY title, id LIMIT $3`,
      [m, DEMO_REPORT_YEAR, SMALL_REPORT_TASKS],
    );
    const ids = sources.map((t) => t.id);
    await em.query(
      `INSERT INTO tasks (id, municipality_id, program_id, title, sphere, mode, form, department, amount_requested, amount_granted, amount_settled,
                          start_date, end_date, status, competition_ref, beneficiaries)
       SELECT md5('bench-small-' || id)::uuid, municipality_id, program_id, title, sphere, mode, form, department, amount_requested, amount_granted, amount_settled,
              start_date + make_interval(years => $3::int), end_date + make_interval(years => $3::int), status, competition_ref, beneficiaries
         FROM tasks WHERE municipality_id = $1 AND id = ANY($2::uuid[])`,
      [m, ids, SMALL_REPORT_YEAR - DEMO_REPORT_YEAR],
    );
    await em.query(
      `INSERT INTO task_ngos (municipality_id, task_id, ngo_id, position)
       SELECT municipality_id, md5('bench-small-' || task_id)::uuid, ngo_id, position FROM task_ngos WHERE municipality_id = $1 AND task_id = ANY($2::uuid[])`,
      [m, ids],
    );
  });
  const reports = new ReportsService(ds);
  await reports.compile(m, SMALL_REPORT_YEAR);
  await reports.publish({ ...SYSTEM_ACTOR, municipalityId: m }, SMALL_REPORT_YEAR);
}

interface Page {
  name: string;
  path(ctx: BenchContext): string;
  /** Sets the page up in the bench database (once), before the servers start. */
  prepare?(ctx: BenchContext): Promise<void>;
  what: string;
}

/**
 * A published report page (libs/site) served by the real application at the default log level,
 * against a bare node:http server answering the same bytes and headers. The ratio is that of the
 * round with the median ratio (app / bare in the same round).
 */
function pageBenchmark(page: Page): Benchmark {
  const benchmark: Benchmark = {
    name: page.name,
    measuredIs: `GET ${page.what} from the application (createApiApp: Nest + Fastify, LOG_LEVEL=${DEFAULT_LOG_LEVEL}, the default), req/s in the round of the median ratio`,
    baselineIs: 'the same bytes and headers from a bare node:http server, same load, same round, req/s',
    goal: { op: '>=', ratio: 0.75 },
    async run(ctx: BenchContext): Promise<Measurement> {
      await ensureWrk(ctx.progress);
      await page.prepare?.(ctx);
      const path = page.path(ctx);
      const progress = (message: string) => ctx.progress(`${page.name}: ${message}`);
      const appConfig = { ...ctx.config, logLevel: DEFAULT_LOG_LEVEL };
      const appEnv = { BENCH_CONFIG: JSON.stringify(appConfig), BENCH_DATABASE_URL: ctx.databaseUrl };
      const notes: string[] = [
        `log level: ${DEFAULT_LOG_LEVEL} (the default): one JSON line per request, written asynchronously (apps/api/src/logging.ts) to a file, as a deployment writes its log to a file or a pipe`,
        `load: wrk -t1 -c${CONNECTIONS} -d${ROUND.durationSeconds}s (Debian's wrk, C), ${WARM_UP.durationSeconds} s warm-up per server, then ${ROUNDS} alternating rounds; servers and wrk each in a process of their own, nothing pinned`,
      ];
      const dir = mkdtempSync(join(tmpdir(), 'ngo-bench-page-'));
      const logFile = join(dir, 'app.log');
      const servers: ChildServer[] = [];
      try {
        progress('starting the application and fetching the page');
        const app: Target = { label: 'application', server: await startChildServer(ctx.distRoot, 'app', appEnv, logFile), runs: [] };
        servers.push(app.server);
        const recorded = await record(app.server.url + path);
        const responseFile = join(dir, 'response.json');
        writeFileSync(responseFile, JSON.stringify({ status: recorded.status, headers: recorded.headers, bodyBase64: recorded.bodyBase64 } satisfies RecordedResponse));
        const bare: Target = { label: 'bare', server: await startChildServer(ctx.distRoot, 'bare', { BENCH_RESPONSE: responseFile }), runs: [] };
        servers.push(bare.server);
        const replayed = await record(bare.server.url + path);
        if (!replayed.body.equals(recorded.body)) throw new Error('the bare server does not answer the same bytes');
        const bodyLength = recorded.body.length;
        notes.push(app.server.raised ? `priority: servers and wrk at nice ${PRIORITY}, so that other work on the machine takes less of their time` : 'priority: normal (raising it needs root)');
        notes.push(`page: ${path}, ${bodyLength} bytes of ${recorded.headers['content-type']}; headers the bare server replays: ${Object.keys(recorded.headers).join(', ')}`);

        for (const target of [app, bare]) {
          progress(`warming up the ${target.label} server (${WARM_UP.durationSeconds} s)`);
          await load(target, WARM_UP, path, bodyLength);
        }
        for (let round = 0; round < ROUNDS; round++) {
          for (const target of round % 2 ? [bare, app] : [app, bare]) {
            progress(`round ${round + 1}/${ROUNDS}, ${target.label} (${ROUND.durationSeconds} s)`);
            target.runs.push(await load(target, ROUND, path, bodyLength));
          }
        }
        const rate = (r: LoadResult) => r.requests / r.seconds;
        const ratios = app.runs.map((r, i) => rate(r) / rate(bare.runs[i]));
        const medianRound = ratios.indexOf([...ratios].sort((x, y) => x - y)[ratios.length >> 1]);
        const a = addUp(app.runs);
        const b = addUp(bare.runs);
        notes.push(
          `ratio per round: ${ratios.map((r) => r.toFixed(2)).join(', ')}; median ${ratios[medianRound].toFixed(2)} (round ${medianRound + 1})`,
          `bytes per answer on the wire, headers included: application ${app.runs[0].bytesPerResponse.toFixed(0)}, bare ${bare.runs[0].bytesPerResponse.toFixed(0)}`,
          describe('application', a),
          describe('bare', b),
        );
        const goal = benchmark.goal.ratio;
        const cpuRatio = a.serverCpuPerRequestUs && b.serverCpuPerRequestUs ? b.serverCpuPerRequestUs / a.serverCpuPerRequestUs : null;
        if (cpuRatio !== null) {
          notes.push(
            `CPU per request, bare / application: ${cpuRatio.toFixed(2)} (what the req/s ratio would be with a core for each server to fill: ` +
              `req/s show a server's limit only while it keeps its core busy)`,
          );
        }
        if (a.otherCores !== null && b.otherCores !== null && Math.max(a.otherCores, b.otherCores) > 0.3) {
          notes.push(`WARNING: the rest of the machine kept up to ${cores(Math.max(a.otherCores, b.otherCores))} of a core busy meanwhile (other processes, kernel work): req/s are not this machine's capacity`);
        }

        // what Fastify alone costs: the same answer from one route of a plain Fastify instance (no logger, no hooks)
        progress('a plain Fastify route with the same answer, for comparison (one round)');
        const fastify: Target = { label: 'plain Fastify', server: await startChildServer(ctx.distRoot, 'fastify', { BENCH_RESPONSE: responseFile }), runs: [] };
        servers.push(fastify.server);
        await load(fastify, WARM_UP, path, bodyLength);
        const fastifyRun = await load(fastify, ROUND, path, bodyLength);
        const bareAfter = await load(bare, ROUND, path, bodyLength);
        const appAfter = await load(app, ROUND, path, bodyLength);
        notes.push(
          `for comparison, one more round each: plain Fastify route (same bytes and headers, no logger, no hooks) ${rate(fastifyRun).toFixed(0)} req/s ` +
            `(${(rate(fastifyRun) / rate(bareAfter)).toFixed(2)} of bare ${rate(bareAfter).toFixed(0)}), application ${rate(appAfter).toFixed(0)} req/s ` +
            `(${(rate(appAfter) / rate(bareAfter)).toFixed(2)} of bare, ${(rate(appAfter) / rate(fastifyRun)).toFixed(2)} of plain Fastify)`,
        );

        if (ratios[medianRound] < goal || (cpuRatio !== null && cpuRatio < goal) || process.env.BENCH_PROFILE) {
          const profiles = [];
          for (const target of [app, fastify, bare]) profiles.push({ ...(await profile(ctx, target, path, bodyLength, dir)), label: target.label });
          notes.push(...profileNotes(profiles));
        }
        await app.server.stop(); // flushes its log
        const logged = countRequestLines(logFile);
        const answered = [...app.runs].reduce((sum, r) => sum + r.requests, 0);
        notes.push(
          `request log: ${logged.requests} request lines (${logged.lines} lines in all${logged.broken ? `, ${logged.broken} NOT whole JSON` : ', each whole'}) for the application's answers ` +
            `(${answered} counted by wrk in the rounds, plus warm-up, comparison, profile and answers wrk did not wait for)`,
        );
        if (logged.broken) throw new Error(`${logged.broken} request log lines are not whole JSON`);
        return { measured: rate(app.runs[medianRound]), baseline: rate(bare.runs[medianRound]), unit: 'req/s', notes };
      } finally {
        for (const server of servers) await server.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  return benchmark;
}

export const reportPageBenchmark = pageBenchmark({
  name: 'report-page',
  what: `/krakow/reports/${DEMO_REPORT_YEAR} (the demo's published report, 300 tasks, about 133 KB)`,
  path: (ctx) => `/${ctx.config.municipality.slug}/reports/${DEMO_REPORT_YEAR}`,
});

export const smallReportPageBenchmark = pageBenchmark({
  name: 'report-page-small',
  what: `/krakow/reports/${SMALL_REPORT_YEAR} (a published report of ${SMALL_REPORT_TASKS} tasks, about 20 KB)`,
  path: (ctx) => `/${ctx.config.municipality.slug}/reports/${SMALL_REPORT_YEAR}`,
  prepare: publishSmallReport,
});
