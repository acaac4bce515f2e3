import { loadConfig, type AppConfig } from '@app/core';
import { prepareDatabase } from '@app/database';
import { Client } from 'pg';
import { openTestServer, withAdminClient, type TestServer } from '../setup/test-database';

/** Bench databases are named ngo_bench_<epoch ms>_<pid>; those of killed runs are swept after an hour. */
const PREFIX = 'ngo_bench_';
const STALE_AFTER_MS = 60 * 60 * 1000;

export interface BenchDatabase {
  server: TestServer;
  name: string;
  url: string;
  config: AppConfig;
  /** Drops the database (WITH FORCE) and stops the embedded server when this run started it. */
  close(): Promise<void>;
}

/**
 * The configuration of the bench: the application's defaults with the demo admin, no scheduler
 * (its crons would only add noise) and LOG_LEVEL=warn for the bench's own work (the report page benchmarks run their application at the default level).
 */
export function benchConfig(): AppConfig {
  return loadConfig({ LOG_LEVEL: 'warn', SCHEDULER: 'false' });
}

async function sweepStale(client: Client): Promise<void> {
  const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${PREFIX}%`]);
  for (const { datname } of rows) {
    const started = Number(datname.slice(PREFIX.length).split('_')[0]);
    if (Number.isFinite(started) && Date.now() - started > STALE_AFTER_MS) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  }
}

/**
 * The server the tests use (DATABASE_URL's, else the embedded PostgreSQL under .data/test-postgres)
 * and a throwaway database of the bench's own on it, prepared as a demo start prepares one:
 * migrations, the Kraków demo data and its published 2019 report.
 */
export async function openBenchDatabase(progress: (message: string) => void): Promise<BenchDatabase> {
  const server = await openTestServer();
  const name = `${PREFIX}${Date.now()}_${process.pid}`;
  let created = false;
  const close = async () => {
    try {
      if (created) await withAdminClient(server.adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    } finally {
      await server.embedded?.stop();
    }
  };
  try {
    await withAdminClient(server.adminUrl, async (client) => {
      await sweepStale(client);
      await client.query(`CREATE DATABASE "${name}"`);
      created = true;
    });
    const url = server.urlFor(name);
    const config = benchConfig();
    const started = performance.now();
    await prepareDatabase(url, config, true);
    progress(`database ${name} on ${server.embedded ? `the embedded PostgreSQL (port ${server.embedded.port})` : 'DATABASE_URL'}: migrated with the demo data in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return { server, name, url, config, close };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}
