import pg from 'pg';

/** The message node-postgres gives a query that outlived `query_timeout`. */
export const QUERY_TIMEOUT_MESSAGE = 'Query read timeout';

interface ClientInternals {
  activeQuery?: unknown;
  queryQueue?: unknown[];
  connection: { stream: { destroy(error?: Error): void } };
}

const live = new Set<DeadlineClient>();

/**
 * A pg client for the pool that treats a query timeout as a lost connection. Over a silent
 * network (a failover, a dropped route) a socket can stay "open" for hours; node-postgres then
 * rejects the query after `query_timeout` but keeps the dead socket in the pool. This client
 * destroys it, and every other client that is idle at that moment (most likely dead too), so the
 * pool opens fresh connections as soon as the database answers again, and a transaction's
 * ROLLBACK does not wait on the dead socket.
 */
export class DeadlineClient extends pg.Client {
  constructor(config?: pg.ClientConfig) {
    super(config);
    live.add(this);
    this.once('end', () => live.delete(this));
  }

  override query(...args: unknown[]): never {
    const result = (super.query as (...a: unknown[]) => unknown)(...args);
    if (result instanceof Promise) {
      return result.catch((error: unknown) => {
        if (error instanceof Error && error.message === QUERY_TIMEOUT_MESSAGE) DeadlineClient.dropConnections(this);
        throw error;
      }) as never;
    }
    return result as never;
  }

  private static dropConnections(timedOut: DeadlineClient): void {
    for (const client of live) {
      const c = client as unknown as ClientInternals;
      const idle = !c.activeQuery && !c.queryQueue?.length;
      if (client === timedOut || idle) {
        live.delete(client);
        c.connection.stream.destroy(new Error('connection dropped after a query timeout'));
      }
    }
  }
}
