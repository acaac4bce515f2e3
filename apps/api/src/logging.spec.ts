import { answerFirst, PublicPagesCache, reportPageFastPath } from '@app/site';
import Fastify from 'fastify';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchedOutput } from './batched-output';
import { requestLineWriter, requestLogOptions } from './logging';

/**
 * Fastify with its logger as createApiApp builds it (requestLogOptions), one route answered by
 * Fastify (2019) and, as in createApiApp, the cached report page's fast path in front of it (a
 * cached page of 2020): both request lines go through one BatchedOutput to a file, as the
 * application's go to its standard output; `lines()` reads them back.
 */
async function servers(level: 'info' | 'warn' = 'info') {
  const dir = mkdtempSync(join(tmpdir(), 'request-lines-'));
  const fd = openSync(join(dir, 'log'), 'w');
  const sink = new BatchedOutput(fd, 64 * 1024, 10_000);
  const lines = async () => {
    await new Promise<void>((done) => sink.flush(done));
    return readFileSync(join(dir, 'log'), 'utf8').split(/(?<=\n)/).filter(Boolean);
  };
  const fastify = Fastify({ ...requestLogOptions(level, sink) });
  fastify.addHook('onClose', (_instance, done) => {
    sink.flush(() => {
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
      done();
    });
  });
  fastify.get('/krakow/reports/2019', (_request, reply) => reply.send('page'));
  const cache = new PublicPagesCache();
  cache.put({ municipalityId: 'm', slug: 'krakow', year: 2020, revision: 1, body: Buffer.from('page'), etag: '"r1"', checkedAt: Date.now() }, cache.generation(2020));
  const log = requestLineWriter(fastify.log, sink);
  answerFirst(fastify.server, reportPageFastPath({ cache, headers: {}, requestId: () => 'req-1', log }));
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  const port = (fastify.server.address() as { port: number }).port;
  return { fastify, lines, port, log };
}

/** Sends one raw HTTP request on its own connection and reads the answer to its end. */
function raw(port: number, request: string): Promise<string> {
  return new Promise((done, fail) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(request));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('end', () => done(answer));
    socket.on('error', fail);
  });
}

/** A request line with what differs between two requests (time, port, duration, year) made alike. */
const comparable = (line: string) =>
  line
    .replace(/"time":\d+/, '"time":0')
    .replace(/"remotePort":\d+/, '"remotePort":0')
    .replace(/"responseTime":[\d.e-]+/, '"responseTime":0')
    .replace('/krakow/reports/2020', '/krakow/reports/2019');

describe('the request line of the cached report page, answered before Fastify', () => {
  it.each([
    ['an ordinary request', 'Host: example.org:8080\r\nX-Request-Id: abc-1\r\n', '1.1'],
    ['Accept-Version, and a Host that needs escaping', 'Host: "quoted"\\host\r\nAccept-Version: 2.x\r\n', '1.1'],
    ['HTTP/1.0 without a Host', '', '1.0'],
    ['a Host and an Accept-Version longer than a batch has room for', `Host: ${'h'.repeat(8000)}\r\nAccept-Version: ${'v'.repeat(7000)}\r\n`, '1.1'],
  ])('is the line Fastify writes, byte for byte but time, port and duration: %s', async (_name, headers, version) => {
    const { fastify, lines, port } = await servers();
    try {
      for (const year of [2019, 2020]) {
        expect(await raw(port, `GET /krakow/reports/${year} HTTP/${version}\r\n${headers}Connection: close\r\n\r\n`)).toMatch(/^HTTP\/1\.[01] 200/);
      }
      const [byFastify, byFastPath] = (await lines()).filter((line) => line.includes('"request completed"'));
      expect(byFastPath).toContain('/krakow/reports/2020');
      expect(byFastPath.endsWith('\n')).toBe(true);
      // the fast path's duration: ms rounded to the µs
      expect(JSON.parse(byFastPath).responseTime).toBeGreaterThanOrEqual(0);
      expect(byFastPath).toMatch(/"responseTime":\d+\.\d{3},"msg"/);
      expect(comparable(byFastPath)).toBe(comparable(byFastify));
    } finally {
      await fastify.close();
    }
  });

  it('is not written where the level writes no request lines', async () => {
    const { fastify, lines, port, log } = await servers('warn');
    try {
      expect(log).toBeUndefined();
      expect(await raw(port, 'GET /krakow/reports/2020 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toMatch(/^HTTP\/1\.1 200/);
      expect(await lines()).toEqual([]);
    } finally {
      await fastify.close();
    }
  });

  it('carries each request\'s own values when they change from one line to the next', async () => {
    const { fastify, lines, log } = await servers();
    try {
      const base = { reqId: 'r', method: 'GET', url: '/krakow/reports/2020', version: undefined, host: 'a.example', remoteAddress: '10.0.0.1', remotePort: 1, statusCode: 200, responseTime: 0.5 };
      const sequence = [
        base,
        { ...base, reqId: 'r2', remotePort: 2 },
        { ...base, reqId: 'r3', url: '/wieliczka/reports/2020', statusCode: 304 },
        { ...base, reqId: 'r4', host: 'b.example', version: '2.x' },
        { ...base, reqId: 'r5', host: 'b.example', version: '2.x', remoteAddress: '::1' },
        { ...base, reqId: 'r6', host: 'zażółć', remoteAddress: undefined, remotePort: undefined },
        { ...base, reqId: 'r7', responseTime: 1234.5678 },
        base,
      ];
      for (const fields of sequence) log!(fields);
      const written = (await lines()).map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === 'request completed');
      expect(written.map((line) => ({ reqId: line.reqId, req: line.req, res: line.res, responseTime: line.responseTime }))).toEqual(
        sequence.map((f) => ({
          reqId: f.reqId,
          req: Object.fromEntries(Object.entries({ method: f.method, url: f.url, version: f.version, host: f.host, remoteAddress: f.remoteAddress, remotePort: f.remotePort }).filter(([, v]) => v !== undefined)),
          res: { statusCode: f.statusCode },
          responseTime: Math.round(f.responseTime * 1000) / 1000,
        })),
      );
    } finally {
      await fastify.close();
    }
  });
});
