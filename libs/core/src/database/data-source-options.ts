import type { DataSourceOptions, MixedList } from 'typeorm';

export interface DataSourceParams {
  url: string;
  poolSize?: number;
  entities?: MixedList<Function>;
  migrations?: MixedList<Function>;
  applicationName?: string;
}

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
    connectTimeoutMS: 3000,
    extra: {
      // while the database is unreachable, requests fail within seconds instead of hanging
      connectionTimeoutMillis: 3000,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
      statement_timeout: 30_000,
      application_name: params.applicationName ?? 'ngo-tracker',
    },
  };
}
