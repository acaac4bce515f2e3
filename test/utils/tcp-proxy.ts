import { createConnection, createServer, type Server, type Socket } from 'node:net';

export type ProxyMode = 'open' | 'refuse' | 'blackhole' | 'silence';

/**
 * A TCP proxy between the application and PostgreSQL, to take the database away and give
 * it back: `refuse` resets every connection at once; `blackhole` cuts the open connections and
 * accepts new ones that never answer; `silence` keeps the open connections but lets nothing
 * through them, ever again (half-open sockets, as a failover or a dropped route leaves them),
 * and blackholes new ones; `open` forwards new connections.
 */
export class TcpProxy {
  private server?: Server;
  private sockets = new Set<Socket>();
  private pairs = new Set<[Socket, Socket]>();
  mode: ProxyMode = 'open';
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<this> {
    this.server = createServer((client) => {
      this.track(client);
      if (this.mode === 'refuse') return void client.destroy();
      if (this.mode === 'blackhole' || this.mode === 'silence') return; // accepted, never answered
      const upstream = createConnection({ host: this.targetHost, port: this.targetPort });
      this.track(upstream);
      client.pipe(upstream).pipe(client);
      const pair: [Socket, Socket] = [client, upstream];
      this.pairs.add(pair);
      const close = () => {
        this.pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      };
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
    });
    await new Promise<void>((done) => this.server!.listen(0, '127.0.0.1', done));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    return this;
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
  }

  setMode(mode: ProxyMode): void {
    const previous = this.mode;
    this.mode = mode;
    if (mode === 'silence') {
      for (const [client, upstream] of this.pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        // keep reading and drop everything, so neither side ever hears from the other
        client.on('data', () => undefined);
        upstream.on('data', () => undefined);
      }
      this.pairs.clear();
    } else if (mode !== 'open' || previous !== 'silence') {
      for (const socket of this.sockets) socket.destroy();
    }
  }

  /** The URL of the same database, through this proxy. */
  through(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  async stop(): Promise<void> {
    this.setMode('refuse');
    await new Promise<void>((done) => this.server?.close(() => done()) ?? done());
  }
}
