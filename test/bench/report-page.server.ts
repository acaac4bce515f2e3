import 'reflect-metadata';
import { switchOffAuditTrailForBenchmark } from '@app/audit';
import type { AppConfig } from '@app/core';
import { readFileSync } from 'node:fs';
import { createServer, type OutgoingHttpHeaders, type Server } from 'node:http';
import Fastify from 'fastify';
import { createApiApp } from '../../apps/api/src/app';
import { flushLogs } from '../../apps/api/src/logging';
import { speakToParent } from './child-protocol';

/**
 * A server process of the report page benchmark (started with fork by report-page.bench.ts):
 *
 * - `app`: the real application, built by createApiApp exactly as main.ts builds it, with the
 *   configuration in BENCH_CONFIG (JSON) over the database in BENCH_DATABASE_URL;
 * - `bare`: a plain node:http server that answers every request with the status, headers and body
 *   recorded in the file BENCH_RESPONSE (JSON, body in base64), as fast as Node answers at all;
 * - `fastify`: the same recorded answer from one route of a plain Fastify instance (no logger, no
 *   hooks): what Fastify itself costs, to tell it apart from what the application adds.
 *
 * Listens on a free port of 127.0.0.1, sends `{ port }` to the parent, and stops on SIGTERM or
 * when the parent goes away. On `{ profile: 'start' }` it starts V8's CPU profiler, on
 * `{ profile: 'stop', file }` it writes the profile to `file`; each is answered with `{ profiled }`.
 */
export interface RecordedResponse {
  status: number;
  headers: Record<string, string>;
  bodyBase64: string;
}

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (this process is started by report-page.bench.ts)`);
  return value;
}

function readRecorded(): RecordedResponse {
  return JSON.parse(readFileSync(env('BENCH_RESPONSE'), 'utf8')) as RecordedResponse;
}

async function listenFastify(): Promise<{ server: Server; close(): Promise<void> }> {
  const recorded = readRecorded();
  const body = Buffer.from(recorded.bodyBase64, 'base64');
  const fastify = Fastify({ logger: false });
  fastify.get('/*', (_request, reply) => reply.status(recorded.status).headers(recorded.headers).send(body));
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  return { server: fastify.server, close: () => fastify.close() };
}

async function listenBare(): Promise<{ server: Server; close(): Promise<void> }> {
  const recorded = readRecorded();
  const body = Buffer.from(recorded.bodyBase64, 'base64');
  const headers: OutgoingHttpHeaders = { ...recorded.headers };
  const server = createServer((_req, res) => {
    res.writeHead(recorded.status, headers);
    res.end(body);
  });
  server.keepAliveTimeout = 72_000; // as Fastify's default, so idle connections are treated alike
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, close: () => new Promise((done) => server.close(() => done())) };
}

async function listenApp(): Promise<{ server: Server; close(): Promise<void> }> {
  const config = JSON.parse(env('BENCH_CONFIG')) as AppConfig;
  // the audit-writes benchmark's baseline: the same program, its writes without audit entries
  if (process.env.BENCH_AUDIT_TRAIL === 'off') switchOffAuditTrailForBenchmark();
  const app = await createApiApp({ config, databaseUrl: env('BENCH_DATABASE_URL') });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    server: app.getHttpServer() as Server,
    close: async () => {
      await app.close();
      await flushLogs();
    },
  };
}

async function main(): Promise<void> {
  const mode = process.argv[2];
  if (mode !== 'app' && mode !== 'bare' && mode !== 'fastify') throw new Error(`usage: report-page.server.js app|bare|fastify (got ${mode})`);
  const { server, close } = mode === 'app' ? await listenApp() : mode === 'fastify' ? await listenFastify() : await listenBare();
  speakToParent(server, close);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
