import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { withAdvisoryLock } from './advisory-lock';

/**
 * Applies pending migrations under the schema advisory lock, then runs `afterMigrations`
 * (the first-start bootstrap) under the same lock, so that of several processes starting
 * together exactly one does each step and the others find it done.
 */
export async function migrateUnderLock(
  dataSource: DataSource,
  afterMigrations?: () => Promise<void>,
  log: (message: string) => void = (m) => new Logger('Migrations').log(m),
): Promise<string[]> {
  return withAdvisoryLock(dataSource, 'schema', async () => {
    const applied = await dataSource.runMigrations({ transaction: 'all' });
    if (applied.length) log(`applied ${applied.length} migration(s): ${applied.map((m) => m.name).join(', ')}`);
    if (afterMigrations) await afterMigrations();
    return applied.map((m) => m.name);
  });
}
