import { createConnection, createServer, type Server, type Socket } from 'node:net';

export type ProxyMode = 'open' | 'refuse' | 'blackhole';

/**
 * A TCP proxy between the application and PostgreSQL, to take the database away and give
 * it back: `refuse` resets every connection at once, `blackhole` accepts connections and
 * never answers (a dead network), `open` forwards. Changing the mode cuts live connections.
 */
export class TcpProxy {
  private server?: Server;
  private sockets = new Set<Socket>();
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
      if (this.mode === 'blackhole') return; // accepted, never answered
      const upstream = createConnection({ host: this.targetHost, port: this.targetPort });
      this.track(upstream);
      client.pipe(upstream).pipe(client);
      const close = () => {
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
    this.mode = mode;
    for (const socket of this.sockets) socket.destroy();
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
