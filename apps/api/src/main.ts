import 'reflect-metadata';
import { embeddedApplicationDatabase, loadConfigOrExit, startEmbeddedPostgres, takeOverSignals, type AppConfig, type EmbeddedDatabase } from '@app/core';
import { DEMO_ADMIN_EMAIL, DEMO_PASSWORD, DEMO_USERS, prepareDatabase, type DemoSignIn } from '@app/database';
import { ReportRevisions } from '@app/reports';
import { Logger } from '@nestjs/common';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { createApiApp } from './app';
import { flushLogs, nestLogger } from './logging';


/**
 * `demoSignIns`: random demo passwords made at this first start (any database but the embedded
 * one), printed this once; on later starts only the embedded demo's published password is shown.
 */
async function printWelcome(config: AppConfig, listenHost: string, ds: DataSource, demo: boolean, publishedDemoPassword: boolean, demoSignIns: DemoSignIn[]): Promise<void> {
  const host = ['0.0.0.0', '::', '127.0.0.1', '::1'].includes(listenHost) ? 'localhost' : listenHost;
  const base = `http://${host}:${config.port}`;
  const lines = [
    '',
    `NGO cooperation tracker is running at ${base}`,
    `  API:          ${base}/api/v1   (OpenAPI: ${base}/api/docs)`,
    `  Public pages: ${base}/`,
    `  Health:       ${base}/health/ready`,
  ];
  const published = await new ReportRevisions(ds).newestPublished();
  if (published) lines.splice(4, 0, `  Report:       ${base}/${published.slug}/reports/${published.year}`);
  if (demo) {
    const accounts = [{ email: config.adminEmail ?? DEMO_ADMIN_EMAIL, role: 'admin, platform admin' }, ...DEMO_USERS.map((u) => ({ email: u.email, role: u.role }))];
    const rows: Array<{ email: string }> = await ds.query('SELECT email FROM users WHERE email = ANY($1::text[])', [accounts.map((a) => a.email)]);
    const present = new Set(rows.map((r) => r.email));
    const shown = accounts.filter((a) => present.has(a.email));
    const generated = new Map(demoSignIns.map((d) => [d.email, d.password]));
    if (shown.length) {
      lines.push('', `Demo sign-ins (POST /api/v1/auth/login)${generated.size ? ': random passwords, shown this once' : ''}:`);
      for (const a of shown) {
        const password = a.email === config.adminEmail ? '(ADMIN_PASSWORD)' : (generated.get(a.email) ?? (publishedDemoPassword ? DEMO_PASSWORD : '(printed at the first start)'));
        lines.push(`  ${a.email.padEnd(28)} ${password.padEnd(18)} ${a.role}`);
      }
    }
  } else if (config.adminEmail) {
    lines.push('', `Admin: ${config.adminEmail} (password from ADMIN_PASSWORD)`);
  }
  lines.push('', 'Stop with Ctrl+C.', '');
  process.stdout.write(lines.join('\n') + '\n');
}

async function main(): Promise<void> {
  const config = loadConfigOrExit({ signsTokens: true });
  Logger.overrideLogger(nestLogger(config.logLevel));
  const logger = new Logger('Main');

  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    const dir = join(config.dataDir, 'postgres');
    logger.log(`DATABASE_URL is not set: using the embedded PostgreSQL in ${dir}`);
    const pgLogger = new Logger('EmbeddedPostgres');
    embedded = await startEmbeddedPostgres({ dir, log: (m) => pgLogger.debug(m) });
    takeOverSignals();
    logger.log(`embedded PostgreSQL ${embedded.reused ? 'reused' : 'started'} on port ${embedded.port}`);
    databaseUrl = await embeddedApplicationDatabase(embedded);
  }

  let app: Awaited<ReturnType<typeof createApiApp>> | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      process.exit(1); // a second signal: stop at once
    }
    stopping = true;
    logger.log(`${signal}: shutting down`);
    // Keep-alive connections whose request was still in flight when the server began closing stay
    // open once answered, until the client or keepAliveTimeout (72 s) closes them, and close()
    // waits for them: close each as soon as it is idle, so that a stop under load takes as long as
    // the requests in flight, not 72 s (a supervisor's SIGKILL comes sooner, and the log with it).
    const server = app?.getHttpServer();
    const idleCloser = setInterval(() => server?.closeIdleConnections(), 50);
    try {
      await app?.close();
      clearInterval(idleCloser);
      await embedded?.stop();
    } finally {
      clearInterval(idleCloser);
      await flushLogs();
      process.exit(0);
    }
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, (s) => void shutdown(s));

  try {
    const demo = config.demoData ?? Boolean(embedded);
    const publishedDemoPassword = Boolean(embedded);
    const prepared = await prepareDatabase(databaseUrl, config, demo, undefined, publishedDemoPassword ? 'published' : 'random');
    if (prepared.firstStart === 'no-admin-configured') logger.warn('The database has no user: set ADMIN_EMAIL and ADMIN_PASSWORD and restart to create the first admin');
    if (prepared.firstStart.startsWith('created')) logger.log(`first start: created the municipality "${config.municipality.name}"${demo ? ' with the demo data' : ''}`);

    app = await createApiApp({ config, databaseUrl });
    // the embedded database means a developer's machine or a demo: keep it off the network unless HOST says otherwise
    const host = config.host ?? (embedded ? '127.0.0.1' : '0.0.0.0');
    await app.listen({ port: config.port, host });
    if (demo && publishedDemoPassword && !['127.0.0.1', '::1', 'localhost'].includes(host)) {
      logger.warn(`the demo accounts, whose password is published, are reachable on ${host}:${config.port}`);
    }
    await flushLogs(); // the start-up lines before the welcome, which is written directly
    await printWelcome(config, host, app.get(DataSource), demo, publishedDemoPassword, prepared.demoSignIns);
  } catch (error) {
    logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    await app?.close().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    await flushLogs();
    process.exit(1);
  }
}

void main();
