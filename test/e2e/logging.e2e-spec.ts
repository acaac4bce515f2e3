import { freePort } from '@app/core';
import { createTestDatabase } from '../utils/test-app';
import { builtProgram, startProgram, waitReady, type Running } from '../utils/program';

/**
 * The request log is written asynchronously (apps/api/src/logging.ts), so it must still be whole
 * when the program stops: the built program on a test database at LOG_LEVEL=info, its stdout
 * piped here; many concurrent GETs with distinct X-Request-Id values; SIGTERM in the middle of
 * them. Every request the program answered must have its line, every JSON line must be whole, and
 * the program must not wait for the clients' idle keep-alive connections to stop.
 */
const WORKERS = 48;
/** SIGTERM once this many requests have been answered. */
const ANSWERED_BEFORE_SIGTERM = 1500;

interface LogLine {
  msg?: string;
  reqId?: string;
  req?: { method?: string; url?: string; host?: string; remoteAddress?: string; remotePort?: number };
  res?: { statusCode?: number };
  responseTime?: number;
}

describe('the request log', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let run: Running | undefined;
  let BUILD: string;

  beforeAll(async () => {
    BUILD = await builtProgram();
    db = await createTestDatabase();
  }, 300_000);

  afterAll(async () => {
    if (run && run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
    await db?.drop();
  });

  it('loses no line on SIGTERM under load, and writes each line whole', async () => {
    const port = await freePort();
    run = startProgram(BUILD, {
      PATH: process.env.PATH,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: db.url,
      JWT_SECRET: 'logging-spec-secret-of-at-least-32-characters',
      LOG_LEVEL: 'info',
      SCHEDULER: 'false',
      // the demo's published 2019 report: its cached page is answered before Fastify (libs/site/src/fast-path.ts) and logged there
      DEMO_DATA: 'true',
    });
    const program = run;
    await waitReady(port, program);

    const answered: string[] = []; // request ids the program answered (the header echoes ours)
    let refused = 0; // answers without our id: Fastify's 503 while closing, before any request id
    let sigterm = false;
    let stoppedAt = 0;
    let next = 0;
    const worker = async (w: number) => {
      for (;;) {
        const id = `load-${w}-${next++}`;
        try {
          const path = ['/', '/health/live', '/krakow/reports/2019', '/health/live'][next % 4];
          const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { 'x-request-id': id } });
          await response.arrayBuffer();
          if (response.headers.get('x-request-id') === id) answered.push(id);
          else refused++;
          if (!sigterm && answered.length >= ANSWERED_BEFORE_SIGTERM) {
            sigterm = true;
            stoppedAt = Date.now();
            program.child.kill('SIGTERM');
          }
        } catch {
          if (sigterm) return; // the program has stopped listening
        }
        if (program.child.exitCode !== null) return;
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
    expect(await program.exited).toBe(0);
    expect(sigterm).toBe(true);
    // it stops once the requests in flight are answered, not when the clients' idle keep-alive
    // connections time out (72 s, which it took before 0.9.0): well within a supervisor's usual 30 s grace
    expect(Date.now() - stoppedAt).toBeLessThan(20_000);

    const lines = program.stdout().split('\n').filter(Boolean);
    const broken = lines.filter((line) => {
      if (!line.startsWith('{')) return line.includes('"reqId"'); // a text line (Nest's) must not carry a piece of a JSON one
      try {
        JSON.parse(line);
        return false;
      } catch {
        return true;
      }
    });
    expect(broken).toEqual([]);

    const logged = new Map<string, LogLine>();
    for (const line of lines.filter((l) => l.startsWith('{'))) {
      const entry = JSON.parse(line) as LogLine;
      if (entry.msg === 'request completed' && entry.reqId) logged.set(entry.reqId, entry);
    }
    const missing = answered.filter((id) => !logged.has(id));
    expect({ answered: answered.length, missing: missing.slice(0, 10), missingCount: missing.length }).toEqual({ answered: answered.length, missing: [], missingCount: 0 });
    expect(answered.length).toBeGreaterThanOrEqual(ANSWERED_BEFORE_SIGTERM);
    // one line per request, with what an operator looks for
    const sample = logged.get(answered[0])!;
    expect(sample).toMatchObject({ req: { method: 'GET' }, res: { statusCode: 200 } });
    expect(typeof sample.responseTime).toBe('number');
    // the report page's lines, most of them from the fast path, carry the same fields
    const reportLines = [...logged.values()].filter((l) => l.req?.url === '/krakow/reports/2019');
    expect(reportLines.length).toBeGreaterThan(10);
    for (const line of reportLines) {
      expect(line).toMatchObject({ req: { method: 'GET', url: '/krakow/reports/2019', host: expect.any(String), remoteAddress: expect.any(String), remotePort: expect.any(Number) }, res: { statusCode: 200 } });
      expect(typeof line.responseTime).toBe('number');
    }
    expect(lines.filter((l) => l.includes('"incoming request"'))).toEqual([]);
    expect(program.stdout()).toContain('SIGTERM: shutting down');
    process.stderr.write(`logging spec: ${answered.length} answered, ${refused} refused while closing, ${logged.size} request lines\n`);
  }, 240_000);
});
