import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from '@app/core';

/** The newest PostgreSQL server binaries installed on this machine (Debian's /usr/lib/postgresql/N/bin). */
function binaries(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'pg_basebackup'))) : [];
  if (!versions.length) throw new Error('the replica test needs PostgreSQL server binaries with pg_basebackup under /usr/lib/postgresql/<version>/bin');
  return join(root, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

/** PostgreSQL refuses to run as root: run its programs as the `postgres` account then. */
function asServerUser(): { uid?: number; gid?: number } {
  if (userInfo().uid !== 0) return {};
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

function run(bin: string, args: string[]): void {
  const r = spawnSync(bin, args, { encoding: 'utf8', ...asServerUser() });
  if (r.status !== 0) throw new Error(`${bin} ${args.join(' ')} failed: ${r.stderr || r.stdout}`);
}

async function waitReady(url: string, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const c = new Client({ connectionString: url });
    try {
      await c.connect();
      await c.query('SELECT 1');
      await c.end();
      return;
    } catch (error) {
      await c.end().catch(() => undefined);
      if (Date.now() > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

export interface ReplicaPair {
  primaryUrl: string;
  replicaUrl: string;
  /** runs SQL on the replica as the superuser (pg_wal_replay_pause(), …) */
  onReplica(sql: string): Promise<unknown[]>;
  stopReplica(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A primary and its streaming replica on this machine: initdb a primary, `pg_basebackup -R`
 * from it (the standby's connection settings written by -R), both started on free ports in a
 * temporary folder, removed by stop().
 */
export async function startReplicaPair(): Promise<ReplicaPair> {
  const bin = binaries();
  const dir = mkdtempSync(join(tmpdir(), 'ngo-replica-'));
  chmodSync(dir, 0o777);
  const owner = asServerUser();
  if (owner.uid !== undefined) chownSync(dir, owner.uid, owner.gid!);
  const primaryDir = join(dir, 'primary');
  const replicaDir = join(dir, 'replica');
  const [primaryPort, replicaPort] = [await freePort(), await freePort()];
  const servers: ChildProcess[] = [];
  const start = (data: string, port: number) => {
    const server = spawn(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dir}`, '-c', 'fsync=off', '-c', 'max_wal_senders=5', '-c', 'wal_level=replica', '-c', 'hot_standby=on'], {
      stdio: 'ignore',
      ...owner,
    });
    servers.push(server);
    return server;
  };
  run(join(bin, 'initdb'), ['-D', primaryDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8']);
  start(primaryDir, primaryPort);
  const primaryUrl = `postgres://postgres@127.0.0.1:${primaryPort}/postgres`;
  await waitReady(primaryUrl);
  run(join(bin, 'pg_basebackup'), ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-D', replicaDir, '-R', '-X', 'stream', '--no-sync']);
  const replica = start(replicaDir, replicaPort);
  const replicaUrl = `postgres://postgres@127.0.0.1:${replicaPort}/postgres`;
  await waitReady(replicaUrl);

  const stopServer = (server: ChildProcess) =>
    new Promise<void>((resolve) => {
      if (server.exitCode !== null || server.signalCode !== null) return resolve();
      server.once('exit', () => resolve());
      server.kill('SIGINT'); // fast shutdown
    });
  return {
    primaryUrl,
    replicaUrl,
    onReplica: async (sql) => {
      const c = new Client({ connectionString: replicaUrl });
      await c.connect();
      try {
        return (await c.query(sql)).rows;
      } finally {
        await c.end();
      }
    },
    stopReplica: () => stopServer(replica),
    stop: async () => {
      await Promise.all(servers.map(stopServer));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
