import { connect, type Socket } from 'node:net';

/**
 * A keep-alive HTTP/1.1 load generator, run as a process of its own by load.ts: `connections`
 * sockets, each sending GET `path` again as soon as the previous answer has fully arrived, for
 * `durationSeconds`; prints one JSON line of counts and latencies.
 *
 * Why not autocannon: it parses every body with a JavaScript HTTP parser, and on a 36 KB page it
 * tops out near 10k req/s on one core of these machines, below what a bare node:http server
 * answers, so both servers would be measured at the load generator's limit. This one reads the
 * status line and Content-Length and then only counts bytes (about 2.5× autocannon's rate on
 * the same server). It refuses what it does not understand: an answer without Content-Length
 * (chunked) is an error, not a guess.
 */
export interface HttpLoadSettings {
  host: string;
  port: number;
  path: string;
  connections: number;
  durationSeconds: number;
}

export interface HttpLoadOutput {
  requests: number;
  seconds: number;
  /** answers whose status was not 2xx */
  non2xx: number;
  errors: number;
  /** bytes received per answer, headers included */
  bytesPerResponse: number;
  /** the distinct body lengths seen (one, for a page that does not change) */
  bodyLengths: number[];
  latencyP50Ms: number;
  latencyP99Ms: number;
}

const HEADER_END = Buffer.from('\r\n\r\n');

function run(settings: HttpLoadSettings): Promise<HttpLoadOutput> {
  const request = Buffer.from(`GET ${settings.path} HTTP/1.1\r\nHost: ${settings.host}:${settings.port}\r\nAccept: text/html\r\n\r\n`, 'latin1');
  const latencies: number[] = [];
  const bodyLengths = new Set<number>();
  const sockets: Socket[] = [];
  let requests = 0;
  let non2xx = 0;
  let errors = 0;
  let bytes = 0;
  let stopping = false;
  const started = performance.now();

  const open = () => {
    const socket = connect({ host: settings.host, port: settings.port, noDelay: true });
    sockets.push(socket);
    let head: Buffer | null = null; // an incomplete header block carried over to the next chunk
    let remaining = -1; // body bytes still to come; -1 while reading the header block
    let sentAt = 0;
    const send = () => {
      sentAt = performance.now();
      socket.write(request);
    };
    socket.on('connect', send);
    socket.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      let offset = 0;
      while (offset < chunk.length) {
        if (remaining < 0) {
          const pending: Buffer = head ? Buffer.concat([head, chunk.subarray(offset)]) : chunk.subarray(offset);
          const end = pending.indexOf(HEADER_END);
          if (end < 0) {
            head = Buffer.from(pending);
            return;
          }
          const headers = pending.toString('latin1', 0, end);
          const status = Number(headers.slice(9, 12));
          const length = /\r\ncontent-length:[ \t]*(\d+)/i.exec(headers);
          if (!length) {
            errors++;
            socket.destroy(new Error(`an answer without Content-Length: ${headers.split('\r\n')[0]}`));
            return;
          }
          if (status < 200 || status > 299) non2xx++;
          remaining = Number(length[1]);
          bodyLengths.add(remaining);
          offset += end + HEADER_END.length - (head?.length ?? 0);
          head = null;
        }
        const take = Math.min(remaining, chunk.length - offset);
        remaining -= take;
        offset += take;
        if (remaining === 0) {
          remaining = -1;
          requests++;
          latencies.push(performance.now() - sentAt);
          if (stopping) {
            socket.destroy();
            return;
          }
          send();
        }
      }
    });
    socket.on('error', () => {
      errors++;
    });
  };

  for (let i = 0; i < settings.connections; i++) open();
  return new Promise((done) => {
    setTimeout(() => {
      stopping = true;
      const seconds = (performance.now() - started) / 1000;
      for (const socket of sockets) socket.destroy();
      latencies.sort((a, b) => a - b);
      const at = (q: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] : NaN);
      done({
        requests,
        seconds,
        non2xx,
        errors,
        bytesPerResponse: requests ? bytes / requests : 0,
        bodyLengths: [...bodyLengths],
        latencyP50Ms: Number(at(0.5).toFixed(2)),
        latencyP99Ms: Number(at(0.99).toFixed(2)),
      });
    }, settings.durationSeconds * 1000);
  });
}

if (require.main === module) {
  run(JSON.parse(process.argv[2]) as HttpLoadSettings).then(
    (output) => {
      process.stdout.write(`${JSON.stringify(output)}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exit(1);
    },
  );
}
