import { DEMO_REPORT_YEAR } from '@app/database';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, type Benchmark, type BenchContext, type Measurement } from './benchmark';
import { startChildServer, type ChildServer } from './child-server';
import { summariseProfile, type ProfileSummary } from './cpu-profile';
import { addUp, PRIORITY, runLoad, type LoadResult, type LoadSettings, type LoadTotals } from './load';
import type { RecordedResponse } from './report-page.server';

const CONNECTIONS = 50;
const WARM_UP: LoadSettings = { connections: CONNECTIONS, durationSeconds: 5 };
/** Measured in alternating rounds (A B, B A, A B), so that a change of load elsewhere on the machine weighs on both servers alike. */
const ROUND: LoadSettings = { connections: CONNECTIONS, durationSeconds: 5 };
const ROUNDS = 3;
const PROFILE: LoadSettings = { connections: CONNECTIONS, durationSeconds: 5 };

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

interface Target {
  label: string;
  server: ChildServer;
  runs: LoadResult[];
}

async function load(ctx: BenchContext, target: Target, settings: LoadSettings, path: string, bodyLength: number): Promise<LoadResult> {
  const result = await runLoad(ctx.distRoot, target.server.url + path, settings, target.server.pid);
  if (result.non2xx || result.errors) throw new Error(`${target.label}: ${result.non2xx} answers other than 2xx and ${result.errors} errors under load`);
  if (result.bodyLengths.some((n) => n !== bodyLength)) throw new Error(`${target.label}: bodies of ${result.bodyLengths.join(', ')} bytes under load, not ${bodyLength}`);
  return result;
}

const cores = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(0)} %`);

function describe(label: string, t: LoadTotals): string {
  const rounds = t.runs.map((r) => (r.requests / r.seconds).toFixed(0)).join(', ');
  return (
    `${label}: ${t.requestsPerSecond.toFixed(0)} req/s (rounds ${rounds}), p50 ${median(t.runs.map((r) => r.latencyP50Ms))} ms, p99 ${median(t.runs.map((r) => r.latencyP99Ms))} ms; ` +
    `server process ${cores(t.serverCores)} of a core, ${t.serverCpuPerRequestUs?.toFixed(1) ?? 'n/a'} µs CPU per request; ` +
    `load generator ${cores(t.loadCores)}; rest of the machine ${cores(t.otherCores)}`
  );
}

/** A CPU profile of a running server under the same load, in µs per request: where its time per request goes. */
async function profile(ctx: BenchContext, target: Target, path: string, bodyLength: number, dir: string): Promise<ProfileSummary & { requests: number }> {
  const file = join(dir, `${target.label}.cpuprofile`);
  type Answer = { profiled?: string; error?: string };
  const ask = async (message: object) => {
    const answer = await target.server.ask<Answer>(message, (m) => m.profiled !== undefined);
    if (answer.profiled === 'failed') throw new Error(`profiling failed: ${answer.error}`);
  };
  ctx.progress(`report page: profiling the ${target.label} server under load (${PROFILE.durationSeconds} s)`);
  await ask({ profile: 'start' });
  const { requests } = await load(ctx, target, PROFILE, path, bodyLength);
  await ask({ profile: 'stop', file });
  return { ...summariseProfile(file), requests };
}

function profileNotes(app: ProfileSummary & { requests: number }, bare: ProfileSummary & { requests: number }): string[] {
  const perRequest = (p: ProfileSummary & { requests: number }, entries: Array<[string, number]>) =>
    entries.map(([k, share]) => `${k} ${((share * p.busyMs * 1000) / p.requests).toFixed(1)}`).join('; ');
  const total = (p: ProfileSummary & { requests: number }) => ((p.busyMs * 1000) / p.requests).toFixed(1);
  return [
    `profile (V8 CPU profiler in each server over ${PROFILE.durationSeconds} s of the same load, after the rounds; main thread, µs per request by self time, grouped by where the code lives):`,
    `  application, ${total(app)} µs: ${perRequest(app, app.groups)}`,
    `  bare, ${total(bare)} µs: ${perRequest(bare, bare.groups)}`,
    `  application, inclusive µs per request of the project's own functions: ${perRequest(app, app.projectFunctions)}`,
  ];
}

/**
 * The published report page (/krakow/reports/2019, libs/site) served by the real application,
 * against a bare node:http server answering the same bytes and headers.
 */
export const reportPageBenchmark: Benchmark = {
  name: 'report-page',
  measuredIs: `GET /krakow/reports/${DEMO_REPORT_YEAR} from the application (createApiApp: Nest + Fastify, LOG_LEVEL=warn), req/s`,
  baselineIs: 'the same bytes and headers from a bare node:http server, same load, req/s',
  goal: { op: '>=', ratio: 0.75 },
  async run(ctx: BenchContext): Promise<Measurement> {
    const path = `/${ctx.config.municipality.slug}/reports/${DEMO_REPORT_YEAR}`;
    const appEnv = { BENCH_CONFIG: JSON.stringify(ctx.config), BENCH_DATABASE_URL: ctx.databaseUrl };
    const notes: string[] = [
      `log level: ${ctx.config.logLevel}: the application keeps its pino and Nest loggers as deployed but writes no line per request ` +
        `(LOG_LEVEL=info, the default, writes two per request and would measure log output rather than the page; silent would remove the logger, which no deployment does)`,
      `load: test/bench/http-load.ts, ${CONNECTIONS} keep-alive connections (not autocannon: it parses every body in JavaScript and, on a 37 KB page, reached 10k req/s against a bare server that this generator drives to 26k), ` +
        `${WARM_UP.durationSeconds} s warm-up per server, then ${ROUNDS} alternating rounds of ${ROUND.durationSeconds} s each; servers and generator each in a process of their own, nothing pinned`,
    ];
    const dir = mkdtempSync(join(tmpdir(), 'ngo-bench-page-'));
    const servers: ChildServer[] = [];
    try {
      ctx.progress('report page: starting the application and fetching the page');
      const app: Target = { label: 'application', server: await startChildServer(ctx.distRoot, 'app', appEnv), runs: [] };
      servers.push(app.server);
      const page = await record(app.server.url + path);
      const responseFile = join(dir, 'response.json');
      writeFileSync(responseFile, JSON.stringify({ status: page.status, headers: page.headers, bodyBase64: page.bodyBase64 } satisfies RecordedResponse));
      const bare: Target = { label: 'bare', server: await startChildServer(ctx.distRoot, 'bare', { BENCH_RESPONSE: responseFile }), runs: [] };
      servers.push(bare.server);
      const replayed = await record(bare.server.url + path);
      if (!replayed.body.equals(page.body)) throw new Error('the bare server does not answer the same bytes');
      notes.push(app.server.raised ? `priority: servers and load generator at nice ${PRIORITY}, so that other work on the machine takes less of their time` : 'priority: normal (raising it needs root)');
      notes.push(`page: ${page.body.length} bytes of ${page.headers['content-type']}; headers the bare server replays: ${Object.keys(page.headers).join(', ')}`);

      for (const target of [app, bare]) {
        ctx.progress(`report page: warming up the ${target.label} server (${WARM_UP.durationSeconds} s)`);
        await load(ctx, target, WARM_UP, path, page.body.length);
      }
      for (let round = 0; round < ROUNDS; round++) {
        for (const target of round % 2 ? [bare, app] : [app, bare]) {
          ctx.progress(`report page: round ${round + 1}/${ROUNDS}, ${target.label} (${ROUND.durationSeconds} s)`);
          target.runs.push(await load(ctx, target, ROUND, path, page.body.length));
        }
      }
      const a = addUp(app.runs);
      const b = addUp(bare.runs);
      notes.push(
        `bytes per answer on the wire, headers included: application ${app.runs[0].bytesPerResponse.toFixed(0)}, bare ${bare.runs[0].bytesPerResponse.toFixed(0)}`,
        describe('application', a),
        describe('bare', b),
      );
      const goal = reportPageBenchmark.goal.ratio;
      const cpuRatio = a.serverCpuPerRequestUs && b.serverCpuPerRequestUs ? b.serverCpuPerRequestUs / a.serverCpuPerRequestUs : null;
      if (cpuRatio !== null) {
        notes.push(
          `CPU per request, bare / application: ${cpuRatio.toFixed(2)} (goal ≥ ${goal}; what the req/s ratio would be with a core for each server to fill: ` +
            `req/s show a server's limit only while it keeps its core busy)`,
        );
      }
      if (a.otherCores !== null && b.otherCores !== null && Math.max(a.otherCores, b.otherCores) > 0.3) {
        notes.push(`WARNING: the rest of the machine kept up to ${cores(Math.max(a.otherCores, b.otherCores))} of a core busy meanwhile (other processes, kernel work): req/s are not this machine's capacity`);
      }
      if (a.requestsPerSecond / b.requestsPerSecond < goal || (cpuRatio !== null && cpuRatio < goal) || process.env.BENCH_PROFILE) {
        const appProfile = await profile(ctx, app, path, page.body.length, dir);
        const bareProfile = await profile(ctx, bare, path, page.body.length, dir);
        notes.push(...profileNotes(appProfile, bareProfile));
      }
      return { measured: a.requestsPerSecond, baseline: b.requestsPerSecond, unit: 'req/s', notes };
    } finally {
      for (const server of servers) await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
