// The global set-up is loaded outside Jest's module mapper, so it imports by relative path.
import { dataSourceOptions } from '../../libs/core/src/database/data-source-options';
import { migrateUnderLock } from '../../libs/core/src/database/migrate';
import { migrations } from '../../database/migrations';
import { DataSource } from 'typeorm';
import { openTestServer, runDatabaseName, sweepStaleDatabases, withAdminClient, type TestServer } from './test-database';

declare global {
  var __TEST_SERVER__: TestServer | undefined;
}

/**
 * Runs once per `npm test`: picks the server, migrates a template database once, and
 * publishes both to the test workers. Each test file then clones the template
 * (CREATE DATABASE … TEMPLATE), so files never share data.
 */
export default async function globalSetup(): Promise<void> {
  const server = await openTestServer();
  globalThis.__TEST_SERVER__ = server;
  const template = runDatabaseName('tmpl');
  await withAdminClient(server.adminUrl, async (client) => {
    await sweepStaleDatabases(client);
    await client.query(`CREATE DATABASE "${template}"`);
  });
  const ds = new DataSource(dataSourceOptions({ url: server.urlFor(template), migrations, poolSize: 2 }));
  await ds.initialize();
  await migrateUnderLock(ds, undefined, () => undefined);
  await ds.destroy();
  process.env.TEST_ADMIN_URL = server.adminUrl;
  process.env.TEST_TEMPLATE_DB = template;
  process.env.TEST_DB_URL_BASE = server.urlFor('__db__');
}
