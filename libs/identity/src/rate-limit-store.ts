import type { FastifyRateLimitOptions, FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import { Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';

/** About one write in PURGE_EVERY also deletes the counters whose window has ended. */
const PURGE_EVERY = 100;

/**
 * One hit: a fixed window per counter, as @fastify/rate-limit's own stores count (the first hit
 * opens a window of `timeWindow` ms, later hits inside it add one, the first hit after it opens a
 * new one). One statement, so hits arriving together on several instances are all counted.
 */
const HIT_SQL = `
  INSERT INTO rate_limit_hits AS h (key, hits, window_ends_at)
  VALUES ($1, 1, now() + $2 * interval '1 millisecond')
  ON CONFLICT (key) DO UPDATE SET
    hits = CASE WHEN h.window_ends_at <= now() THEN 1 ELSE h.hits + 1 END,
    window_ends_at = CASE WHEN h.window_ends_at <= now() THEN excluded.window_ends_at ELSE h.window_ends_at END
  RETURNING hits, greatest(0, ceil(extract(epoch FROM h.window_ends_at - now()) * 1000))::int AS ttl`;

const READ_SQL = `SELECT hits, greatest(0, ceil(extract(epoch FROM window_ends_at - now()) * 1000))::int AS ttl FROM rate_limit_hits WHERE key = $1 AND window_ends_at > now()`;

type Callback = (error: Error | null, result?: { current: number; ttl: number }) => void;

/** The part of a route's options a child store is named by (a counter created with createRateLimit() has none). */
interface ChildOptions {
  routeInfo?: { method?: string | string[]; url?: string };
}

/**
 * A @fastify/rate-limit store in PostgreSQL (table rate_limit_hits), so that every instance over
 * the database counts the same hits. Like the plugin's Redis store, each route's counters are
 * apart from the others' (a child store per route, named by method and URL); the counters made
 * with fastify.createRateLimit() share one namespace. The key is hashed: the table keeps no
 * address and no email. Not for `continueExceeding` or `exponentialBackoff` (not used here).
 */
export function postgresRateLimitStore(db: DataSource): FastifyRateLimitStoreCtor {
  const logger = new Logger('RateLimitStore');

  class PostgresRateLimitStore implements FastifyRateLimitStore {
    constructor(
      _options: FastifyRateLimitOptions,
      private readonly namespace = 'global|',
    ) {}

    private key(key: string): Buffer {
      return createHash('sha256').update(this.namespace).update(key).digest();
    }

    incr(key: string, callback: Callback, timeWindow: number, _max: number): void {
      db.query(HIT_SQL, [this.key(key), timeWindow]).then(
        ([row]: Array<{ hits: number; ttl: number }>) => callback(null, { current: row.hits, ttl: row.ttl }),
        (error: Error) => callback(error),
      );
      if (Math.random() * PURGE_EVERY < 1) {
        db.query(`DELETE FROM rate_limit_hits WHERE window_ends_at < now()`).catch((error: unknown) => logger.warn(`could not delete ended rate-limit windows: ${String(error)}`));
      }
    }

    read(key: string, callback: Callback): void {
      db.query(READ_SQL, [this.key(key)]).then(
        ([row]: Array<{ hits: number; ttl: number }>) => callback(null, { current: row?.hits ?? 0, ttl: row?.ttl ?? 0 }),
        (error: Error) => callback(error),
      );
    }

    child(routeOptions: Parameters<FastifyRateLimitStore['child']>[0]): FastifyRateLimitStore {
      const { method, url } = (routeOptions as ChildOptions).routeInfo ?? {};
      const route = url ? `${Array.isArray(method) ? method.join(',') : (method ?? '')} ${url}` : 'shared';
      return new PostgresRateLimitStore({}, `${this.namespace}${route}|`);
    }
  }
  return PostgresRateLimitStore;
}
