import pg from 'pg';
import type { DataSourceOptions, MixedList } from 'typeorm';
import { DeadlineClient } from './deadline-client';

export interface DataSourceParams {
  url: string;
  poolSize?: number;
  entities?: MixedList<Function>;
  migrations?: MixedList<Function>;
  applicationName?: string;
  /**
   * Client-side limit on one query, so that a request never hangs on a silent network
   * (unset: no limit, for migrations and long jobs). The server-side statement_timeout follows it.
   */
  queryTimeoutMs?: number;
}

// A `date` is a calendar day, not an instant: raw queries get it as 'YYYY-MM-DD', as the entities do,
// never as a JS Date at local midnight.
pg.types.setTypeParser(pg.types.builtins.DATE, (value: string) => value);

/** The single definition of how the application talks to PostgreSQL (API, worker, CLI, tests, TypeORM CLI). */
export function dataSourceOptions(params: DataSourceParams): DataSourceOptions {
  return {
    type: 'postgres',
    url: params.url,
    entities: params.entities ?? [],
    migrations: params.migrations ?? [],
    migrationsTableName: 'migrations',
    // all pending migrations in one transaction: a failure leaves the schema as it was
    migrationsTransactionMode: 'all',
    synchronize: false,
    migrationsRun: false,
    poolSize: params.poolSize ?? 10,
    connectTimeoutMS: 2500,
    extra: {
      // while the database is unreachable, requests fail within seconds instead of hanging
      Client: DeadlineClient,
      connectionTimeoutMillis: 2500,
      idleTimeoutMillis: 10_000,
      keepAlive: true,
      keepAliveInitialDelayMillis: 5000,
      ...(params.queryTimeoutMs ? { query_timeout: params.queryTimeoutMs, statement_timeout: params.queryTimeoutMs + 1000 } : {}),
      application_name: params.applicationName ?? 'ngo-tracker',
    },
  };
}
