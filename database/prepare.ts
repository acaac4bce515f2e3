import { dataSourceOptions, migrateUnderLock, type AppConfig } from '@app/core';
import { DataSource } from 'typeorm';
import { entities } from './entities';
import { migrations } from './migrations';
import { firstStart, type FirstStartOutcome } from './seeds/first-start';

export interface Prepared {
  applied: string[];
  firstStart: FirstStartOutcome;
}

/**
 * Brings a database up to date before a process serves: migrations, then the first-start
 * bootstrap, both under one advisory lock so that processes starting together take turns.
 */
export async function prepareDatabase(url: string, config: AppConfig, demo: boolean, log?: (message: string) => void): Promise<Prepared> {
  const ds = new DataSource({ ...dataSourceOptions({ url, poolSize: 2, entities, migrations, applicationName: 'ngo-tracker-migrate' }) });
  await ds.initialize();
  try {
    let outcome: FirstStartOutcome = 'already-set-up';
    const applied = await migrateUnderLock(
      ds,
      async () => {
        outcome = await firstStart(ds, config, demo);
      },
      log,
    );
    return { applied, firstStart: outcome };
  } finally {
    await ds.destroy();
  }
}
