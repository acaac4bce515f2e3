import { ReadReplicas } from '@app/core';
import { annualProgram, newCall, warsawToday } from '../utils/competitions';
import { newNgo, newProgram, newTask, usersOfEveryRole, type Tokens } from '../utils/factories';
import { startReplicaPair, type ReplicaPair } from '../utils/replica';
import { createTestApp, PLATFORM_ADMIN, type TestApp } from '../utils/test-app';
import { signIn } from '../utils/users';

const LAG_BOUND_MS = 1500;

async function until(what: string, check: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Real: a PostgreSQL primary and its streaming replica built on this machine (initdb,
 * `pg_basebackup -R`), the API over HTTP reading lists from the replica (DATABASE_REPLICA_URLS).
 * The replica's replay is paused to tell which server answered: a stale answer came from it.
 */
describe('read replicas', () => {
  let pair: ReplicaPair;
  let t: TestApp;
  let k: Tokens;
  let programId: string;
  let ngoId: string;
  let callId: string;
  const publicCalls = async () => ((await t.call('GET', '/api/v1/public/krakow/calls')).body.items as Array<{ id: string }>).map((c) => c.id);
  const publicCallsPage = async () => (await t.call('GET', '/krakow/calls')).text;
  const replicas = () => t.app.get(ReadReplicas);
  const inUse = () => replicas().status()[0].inUse;
  const found = async (token: string, search: string) => (await t.call('GET', `/api/v1/tasks?search=${encodeURIComponent(search)}`, { token })).body.total as number;

  beforeAll(async () => {
    pair = await startReplicaPair();
    t = await createTestApp({ databaseReplicaUrls: [pair.replicaUrl], replicaMaxLagMs: LAG_BOUND_MS }, { databaseUrl: pair.primaryUrl });
    k = await usersOfEveryRole(t, await signIn(t, PLATFORM_ADMIN.email), 'replika');
    programId = (await t.call('POST', '/api/v1/programs', { token: k.official, body: newProgram() })).body.id;
    ngoId = (await t.call('POST', '/api/v1/ngos', { token: k.official, body: newNgo() })).body.id;
    await until('the replica is in use', inUse);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await pair?.stop();
  });

  const createTask = async (title: string) => {
    const r = await t.call('POST', '/api/v1/tasks', { token: k.official, body: newTask(programId, [ngoId], { title }) });
    if (r.status !== 201) throw new Error(r.text);
  };

  it('reads lists from the replica, and the writer reads their own write from the primary', async () => {
    await createTask('Zadanie sprzed wstrzymania');
    // the auditor (who wrote nothing) sees it once the replica has replayed it
    await until('the replica holds the first task', async () => (await found(k.auditor, 'sprzed wstrzymania')) === 1);

    await pair.onReplica('SELECT pg_wal_replay_pause()');
    await createTask('Zadanie po wstrzymaniu');
    // answered by the replica, which has not replayed the write: not there yet
    expect(await found(k.auditor, 'po wstrzymaniu')).toBe(0);
    expect(await found(k.auditor, 'sprzed wstrzymania')).toBe(1);
    // the official wrote it a moment ago: their reads go to the primary
    expect(await found(k.official, 'po wstrzymaniu')).toBe(1);

    // the public pages and their JSON read the replica too: a call announced now is not there yet
    const { today, year } = await warsawToday(t);
    const draft = await t.call('POST', '/api/v1/calls', { token: k.official, body: newCall(await annualProgram(t, k.official, year), year, today, 22, { title: 'Konkurs ogłoszony w czasie wstrzymania' }) });
    callId = draft.body.id;
    expect((await t.call('POST', `/api/v1/calls/${callId}/publish`, { token: k.official, body: { version: draft.body.version } })).status).toBe(200);
    expect(await publicCalls()).not.toContain(callId);
    expect(await publicCallsPage()).not.toContain('Konkurs ogłoszony w czasie wstrzymania');
  });

  it('skips a replica that lags past the bound, and takes it back once it has caught up', async () => {
    await until('the paused replica is skipped for its lag', () => !inUse());
    expect(replicas().status()[0].reason).toMatch(/behind the primary by \d+ ms \(bound 1500 ms\)/);
    // now from the primary
    expect(await found(k.auditor, 'po wstrzymaniu')).toBe(1);
    expect(await publicCalls()).toContain(callId);
    expect(await publicCallsPage()).toContain('Konkurs ogłoszony w czasie wstrzymania');

    await pair.onReplica('SELECT pg_wal_replay_resume()');
    await until('the replica is in use again', inUse);
    expect(await found(k.auditor, 'po wstrzymaniu')).toBe(1);
  });

  it('skips a replica that fails, and every read and write goes on against the primary', async () => {
    await pair.stopReplica();
    // the first read may still pick it: it fails over to the primary within the request
    expect(await found(k.auditor, 'wstrzyma')).toBe(2);
    await until('the stopped replica is skipped', () => !inUse());
    expect(replicas().status()[0].reason).toMatch(/does not answer|failed a read/);
    await createTask('Zadanie bez repliki');
    expect(await found(k.auditor, 'bez repliki')).toBe(1);
    // sign-in and its session live on the primary
    expect(await t.login(PLATFORM_ADMIN.email, PLATFORM_ADMIN.password)).toMatch(/^ey/);
  });
});
