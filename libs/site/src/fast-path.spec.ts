import { createServer, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { readHeaders, type ReadHeaders } from './fast-path';

/** Sends raw header lines to a node:http server and hands back what the request carried. */
async function received(headerLines: string): Promise<IncomingMessage> {
  let request!: IncomingMessage;
  const server = createServer((req, res) => {
    request = req;
    res.end();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  try {
    const { port } = server.address() as { port: number };
    await new Promise<void>((done, fail) => {
      const socket = connect(port, '127.0.0.1', () => socket.end(`GET /krakow/reports/2019 HTTP/1.1\r\n${headerLines}Connection: close\r\n\r\n`));
      socket.on('data', () => undefined);
      socket.on('end', done);
      socket.on('error', fail);
    });
  } finally {
    await new Promise((done) => server.close(done));
  }
  return request;
}

describe('readHeaders (the fast path reads four headers from rawHeaders)', () => {
  it.each([
    ['only a Host (HTTP/1.1 needs one)', 'Accept: text/html\r\nHost: h\r\n'],
    ['each once, in any case', 'HOST: example.org\r\nIf-None-Match: "a"\r\nx-request-ID: abc-1\r\nAccept-Version: 2.x\r\n'],
    ['each repeated', 'Host: first.example\r\nhost: second.example\r\nIf-None-Match: "a"\r\nIf-None-Match: W/"b"\r\nX-Request-Id: one\r\nX-Request-Id: two\r\nAccept-Version: 1\r\naccept-version: 2\r\n'],
    ['names of the same lengths that are none of them', 'Hoss: x\r\nX-Request-Ix: y\r\nIf-None-Matcx: z\r\nAccept-Versiox: w\r\nHost: h\r\n'],
  ])('gives what request.headers gives: %s', async (_name, lines) => {
    const request = await received(lines);
    const read: ReadHeaders = { host: 'stale', ifNoneMatch: 'stale', requestId: 'stale', acceptVersion: 'stale' };
    readHeaders(request.rawHeaders, read);
    expect(read).toEqual({
      host: request.headers.host,
      ifNoneMatch: request.headers['if-none-match'],
      requestId: request.headers['x-request-id'],
      acceptVersion: request.headers['accept-version'],
    });
  });
});
