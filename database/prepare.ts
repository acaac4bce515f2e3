import { dataSourceOptions, migrateUnderLock, type AppConfig } from '@app/core';
import { Logger } from '@nestjs/common';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { entities } from './entities';
import { migrations } from './migrations';
import { grantRuntimeRole } from './runtime-grants';
import { firstStart, type DemoPasswords, type DemoSignIn, type FirstStartOutcome } from './seeds/first-start';

export interface Prepared {
  applied: string[];
  firstStart: FirstStartOutcome;
  /** Demo accounts given random passwords just now (to be shown once); empty otherwise. */
  demoSignIns: DemoSignIn[];
}

/** The role a connection signs in as. */
async function roleOf(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2500 });
  await client.connect();
  try {
    return (await client.query<{ role: string }>('SELECT current_user AS role')).rows[0].role;
  } finally {
    await client.end();
  }
}

/**
 * Brings a database up to date before a process serves: migrations, then the first-start
 * bootstrap, both under one advisory lock so that processes starting together take turns.
 * `demoPasswords`: the published demo password belongs to the embedded database alone; the
 * API passes `random` for any other. With `config.databaseMigrationUrl` both run as the schema's
 * owner, which then grants the role of `url` (the application's) what it needs and no more
 * (runtime-grants.ts).
 */
export async function prepareDatabase(url: string, config: AppConfig, demo: boolean, log?: (message: string) => void, demoPasswords: DemoPasswords = 'published'): Promise<Prepared> {
  const ownerUrl = config.databaseMigrationUrl ?? url;
  const runtimeRole = ownerUrl === url ? undefined : await roleOf(url);
  const ds = new DataSource({ ...dataSourceOptions({ url: ownerUrl, poolSize: 2, entities, migrations, applicationName: 'ngo-tracker-migrate' }) });
  await ds.initialize();
  try {
    let outcome: FirstStartOutcome = 'already-set-up';
    let demoSignIns: DemoSignIn[] = [];
    const applied = await migrateUnderLock(
      ds,
      async () => {
        const [{ owner }]: Array<{ owner: string }> = await ds.query('SELECT current_user AS owner');
        if (runtimeRole && runtimeRole !== owner) await grantRuntimeRole(ds, runtimeRole, log ?? ((m) => new Logger('Migrations').warn(m)));
        ({ outcome, demoSignIns } = await firstStart(ds, config, demo, demoPasswords));
      },
      log,
    );
    return { applied, firstStart: outcome, demoSignIns };
  } finally {
    await ds.destroy();
  }
}
