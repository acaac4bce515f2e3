// The global set-up is loaded outside Jest's module mapper, so it imports by relative path.
import { dataSourceOptions } from '../../libs/core/src/database/data-source-options';
import { migrateUnderLock } from '../../libs/core/src/database/migrate';
import { migrations } from '../../database/migrations';
import * as argon2 from 'argon2';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import type { Config } from '@jest/types';
import { startProgramBuild, sweepStaleBuilds } from '../utils/program';
import { TEST_ARGON2_OPTIONS, TEST_PASSWORD, TEST_PASSWORD_HASH_ENV } from '../utils/test-password';
import { openTestServer, runDatabaseName, sweepStaleDatabases, withAdminClient, type TestServer } from './test-database';

declare global {
  var __TEST_SERVER__: TestServer | undefined;
}

/**
 * Runs once per `npm test`: starts the build of the program in the background (for the specs
 * that run it, test/utils/program.ts), hashes the factories' test password once, picks the
 * server, migrates a template database once, and publishes all of it to the test workers. Each
 * test file then clones the template (CREATE DATABASE … TEMPLATE), so files never share data.
 */
export default async function globalSetup(globalConfig?: Config.GlobalConfig): Promise<void> {
  sweepStaleBuilds(join(process.cwd(), '.data'));
  const buildDir = join(process.cwd(), '.data', `test-build-${Date.now()}-${process.pid}`);
  process.env.TEST_BUILD_DIR = buildDir;
  if (buildWanted(globalConfig)) startProgramBuild(buildDir);
  // the tests' argon2 cost, for every process of the run (test/utils/test-password.ts)
  Object.assign(process.env, TEST_PASSWORD_HASH_ENV);
  const hashed = argon2.hash(TEST_PASSWORD, { type: argon2.argon2id, ...TEST_ARGON2_OPTIONS });
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
  process.env.TEST_PASSWORD_HASH = await hashed;
}

/** The specs that run the built program; a run of other files alone (or the browser project's) does not build it ahead (builtProgram() would if one did). */
const BUILDING_SPECS = ['process', 'logging', 'jobs', 'cli'].map((name) => join(process.cwd(), 'test', 'e2e', `${name}.e2e-spec.ts`));

function buildWanted(globalConfig: Config.GlobalConfig | undefined): boolean {
  if (!globalConfig) return false;
  const patterns = globalConfig.testPathPatterns;
  if (!patterns.isSet()) return true;
  const executor = patterns.toExecutor({ rootDir: globalConfig.rootDir });
  return BUILDING_SPECS.some((file) => executor.isMatch(file));
}
