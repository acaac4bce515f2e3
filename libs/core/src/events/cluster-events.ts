import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import pg from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { EventBus, type AppEventName, type AppEvents } from './event-bus';

/** The PostgreSQL channel the processes over one database announce their events on. */
export const CLUSTER_CHANNEL = 'ngo_tracker_events';

/** The events that cross processes; anything else on the channel is ignored. */
const CLUSTER_EVENTS: ReadonlySet<AppEventName> = new Set<AppEventName>(['report.published']);

/**
 * Announces an event to every process listening on the database (NOTIFY), from inside the
 * transaction that made it true: PostgreSQL delivers it when that transaction commits, and never
 * if it rolls back. The process that raises it tells its own EventBus as well (emitAfterCommit).
 */
export async function notifyProcesses<K extends AppEventName>(em: EntityManager, name: K, payload: AppEvents[K]): Promise<void> {
  await em.query('SELECT pg_notify($1, $2)', [CLUSTER_CHANNEL, JSON.stringify({ name, payload })]);
}

function isValid(name: AppEventName, payload: unknown): boolean {
  switch (name) {
    case 'report.published': {
      const p = payload as { municipalityId?: unknown; year?: unknown } | null;
      return typeof p?.municipalityId === 'string' && Number.isInteger(p.year);
    }
    case 'cluster.resync':
      return false;
  }
}

/** The waits between attempts to reconnect: 0.1 s doubling up to 5 s. */
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 5000;
/** A silent connection (a half-open one after a failover) is found by a ping this often, answered within PING_TIMEOUT_MS. */
const PING_EVERY_MS = 15_000;
const PING_TIMEOUT_MS = 5000;
const END_WAIT_MS = 1000;

/**
 * Hears the other processes' events: LISTEN on one dedicated connection (outside the pool),
 * re-emitted on this process's EventBus. When the connection drops it reconnects with back-off;
 * after every (re)connection it emits `cluster.resync`, since events sent meanwhile were lost,
 * so that listeners check what they hold against the database. Started by whoever needs it
 * (the public pages' cache, in the API); the worker and the CLI only send.
 */
@Injectable()
export class ClusterEvents implements OnApplicationShutdown {
  private readonly logger = new Logger('ClusterEvents');
  private client: pg.Client | undefined;
  private started = false;
  private stopped = false;
  private retryMs = RETRY_FIRST_MS;
  private timer: NodeJS.Timeout | undefined;
  private ping: NodeJS.Timeout | undefined;
  private connected: Promise<void> | undefined;
  private connectedOnce: (() => void) | undefined;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly events: EventBus,
  ) {}

  /** Starts listening (once); resolves when the first connection listens, or after `waitMs` whatever happened. */
  listen(waitMs = 3000): Promise<void> {
    if (!this.started) {
      this.started = true;
      this.connected = new Promise((resolve) => (this.connectedOnce = resolve));
      void this.connect();
    }
    return Promise.race([this.connected!, new Promise<void>((resolve) => setTimeout(resolve, waitMs).unref())]);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const url = (this.ds.options as { url?: string }).url;
    const client = new pg.Client({ connectionString: url, application_name: 'ngo-tracker-listener', keepAlive: true, connectionTimeoutMillis: 2500, query_timeout: PING_TIMEOUT_MS });
    this.client = client;
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      if (this.ping) clearInterval(this.ping);
      client.removeAllListeners('notification');
      void client.end().catch(() => undefined);
      if (this.stopped) return;
      this.logger.warn(`the connection listening for other processes' events was lost (${error instanceof Error ? error.message : String(error)}); reconnecting in ${this.retryMs} ms`);
      this.timer = setTimeout(() => void this.connect(), this.retryMs);
      this.timer.unref();
      this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
    };
    client.on('error', fail);
    client.on('end', () => fail(new Error('connection ended')));
    client.on('notification', (message) => this.dispatch(message.payload));
    try {
      await client.connect();
      await client.query(`LISTEN ${CLUSTER_CHANNEL}`);
    } catch (error) {
      fail(error);
      return;
    }
    if (this.stopped) {
      failed = true;
      await client.end().catch(() => undefined);
      return;
    }
    this.retryMs = RETRY_FIRST_MS;
    this.ping = setInterval(() => void client.query('SELECT 1').catch(fail), PING_EVERY_MS);
    this.ping.unref();
    this.connectedOnce?.();
    this.events.emit('cluster.resync', {});
  }

  private dispatch(raw: string | undefined): void {
    let message: { name?: unknown; payload?: unknown };
    try {
      message = JSON.parse(raw ?? '') as typeof message;
    } catch {
      return;
    }
    const name = message?.name as AppEventName;
    if (!CLUSTER_EVENTS.has(name) || !isValid(name, message.payload)) return;
    this.events.emit(name, message.payload as AppEvents[typeof name]);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.ping) clearInterval(this.ping);
    const client = this.client;
    this.client = undefined;
    if (client) {
      client.removeAllListeners('end');
      client.removeAllListeners('error');
      client.on('error', () => undefined);
      // end() of a client still connecting, or behind a connection that no longer answers, may never
      // resolve: wait a little for a clean goodbye, then drop the socket, so a stop is never held
      await Promise.race([client.end().catch(() => undefined), new Promise((done) => setTimeout(done, END_WAIT_MS).unref())]);
      (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    }
  }
}
