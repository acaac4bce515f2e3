import 'reflect-metadata';
import { loadConfigOrExit, nestLogLevels } from '@app/core';
import { prepareDatabase } from '@app/database';
import { Logger, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WorkerModule } from './worker.module';

/**
 * The scheduler on its own (`npm run worker`), for deployments that run the API with
 * SCHEDULER=false. It needs DATABASE_URL: the embedded database belongs to the one process of
 * `npm start`, and a worker beside it must use the same server, never one of its own.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    process.stderr.write(
      'The worker needs DATABASE_URL (postgres://…): it runs the scheduled jobs against the database the API uses and never starts an embedded database of its own. ' +
        'Without DATABASE_URL, `npm start` runs the jobs inside its one process (SCHEDULER=true).\n',
    );
    process.exit(2);
  }
  Logger.overrideLogger(nestLogLevels(config.logLevel));
  const logger = new Logger('Worker');

  let app: INestApplicationContext | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) process.exit(1); // a second signal: stop at once
    stopping = true;
    logger.log(`${signal}: shutting down (a run in progress ends first)`);
    let code = 0;
    try {
      await app?.close();
    } catch (error) {
      logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      code = 1;
    }
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, (s) => void shutdown(s));

  try {
    // the API may be applying them at this moment: the schema lock makes this wait for it
    const prepared = await prepareDatabase(databaseUrl, config, false);
    if (prepared.applied.length) logger.log(`applied ${prepared.applied.length} migration(s)`);
    if (stopping) return;
    app = await NestFactory.createApplicationContext(WorkerModule.forRoot({ config, databaseUrl }), { logger: nestLogLevels(config.logLevel) });
    logger.log('worker started; stop with SIGINT or SIGTERM');
  } catch (error) {
    logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    await app?.close().catch(() => undefined);
    process.exit(1);
  }
}

void main();
