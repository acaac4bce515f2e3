import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../libs/core/src/database/embedded-postgres';
import { Client } from 'pg';

/**
 * Where the tests' throwaway databases live: DATABASE_URL's server when set, else an
 * embedded PostgreSQL under .data/test-postgres (durability off: the data are thrown away).
 */
export const RUN_PREFIX = 'ngo_test_';
const STALE_AFTER_MS = 60 * 60 * 1000;

export interface TestServer {
  /** URL of a database on the server to run CREATE/DROP DATABASE from. */
  adminUrl: string;
  urlFor(database: string): string;
  embedded?: EmbeddedDatabase;
}

export function urlWithDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function openTestServer(): Promise<TestServer> {
  const external = process.env.DATABASE_URL;
  if (external) return { adminUrl: external, urlFor: (db) => urlWithDatabase(external, db) };
  const embedded = await startEmbeddedPostgres({ dir: '.data/test-postgres', fast: true });
  return { adminUrl: embedded.url, urlFor: embedded.urlFor, embedded };
}

export async function withAdminClient<T>(adminUrl: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Test databases are named ngo_test_<epoch ms>_<pid>[_<suffix>]; those of killed runs are swept after an hour. */
export function runDatabaseName(suffix?: string): string {
  return `${RUN_PREFIX}${Date.now()}_${process.pid}${suffix ? `_${suffix}` : ''}`;
}

export async function sweepStaleDatabases(client: Client): Promise<void> {
  const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${RUN_PREFIX}%`]);
  for (const { datname } of rows) {
    const started = Number(datname.slice(RUN_PREFIX.length).split('_')[0]);
    if (Number.isFinite(started) && Date.now() - started > STALE_AFTER_MS) {
      await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  }
}
