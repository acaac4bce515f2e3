import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@app/core';
import { DEMO_NGO_COUNT } from '@app/database';
import { builtProgram, ROOT, startProgram, waitReady, type Running } from '../utils/program';

/**
 * The program as `npm start` runs it: built with the project's build, started without
 * DATABASE_URL, so it runs the embedded PostgreSQL under its own data directory.
 * Start, SIGKILL (the embedded server keeps running), restart (reuses it), SIGINT (stops both
 * cleanly), start again on the stopped cluster, SIGTERM.
 */
let BUILD: string;
const DATA = join(ROOT, '.data', `test-process-${process.pid}`);
const PGDATA = join(DATA, 'postgres', 'pgdata');

function postmasterPid(): number | null {
  const file = join(PGDATA, 'postmaster.pid');
  return existsSync(file) ? Number(readFileSync(file, 'utf8').split('\n')[0]) : null;
}

function alive(pid: number | null): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const children: ChildProcess[] = [];

function start(port: number): Running {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: DATA, LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  delete env.ADMIN_EMAIL;
  delete env.ADMIN_PASSWORD;
  delete env.DEMO_DATA;
  const run = startProgram(BUILD, env);
  children.push(run.child);
  return run;
}

async function signIn(port: number): Promise<string> {
  const r = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'official@krakow.example', password: 'krakow-demo-2019' }),
  });
  expect(r.status).toBe(200);
  return ((await r.json()) as { accessToken: string }).accessToken;
}

async function ngoCount(port: number, token: string): Promise<number> {
  const r = await fetch(`http://127.0.0.1:${port}/api/v1/ngos`, { headers: { authorization: `Bearer ${token}` } });
  return ((await r.json()) as { total: number }).total;
}

describe('the program on the embedded database', () => {
  beforeAll(async () => {
    BUILD = await builtProgram();
  }, 300_000);

  afterAll(async () => {
    // whatever a failed run left behind: the programs, then the server
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    const pid = postmasterPid();
    if (alive(pid)) process.kill(pid!, 'SIGQUIT');
    for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    rmSync(DATA, { recursive: true, force: true });
  });

  it('starts, survives SIGKILL, and stops cleanly on SIGINT and SIGTERM', async () => {
    const port = await freePort();

    // 1. first start: initialises the cluster, loads the demo data, prints how to sign in
    const first = start(port);
    await waitReady(port, first);
    expect(first.output()).toContain(`running at http://localhost:${port}`);
    expect(first.output()).toMatch(/Demo sign-ins[\s\S]*admin@krakow\.example[\s\S]*official@krakow\.example/);
    const token = await signIn(port);
    expect(await ngoCount(port, token)).toBe(DEMO_NGO_COUNT);
    const server = postmasterPid();
    expect(alive(server)).toBe(true);

    // 2. SIGKILL leaves the embedded server running ...
    first.child.kill('SIGKILL');
    await first.exited;
    expect(alive(server)).toBe(true);

    // ... and a restart reuses it, with the data as they were (no second demo load)
    const second = start(port);
    await waitReady(port, second);
    expect(postmasterPid()).toBe(server);
    expect(await ngoCount(port, await signIn(port))).toBe(DEMO_NGO_COUNT);

    // 3. SIGINT: exit 0 and the embedded server stopped
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
    expect(alive(server)).toBe(false);
    expect(postmasterPid()).toBeNull();

    // 4. a start on the stopped cluster, then SIGTERM
    const third = start(port);
    await waitReady(port, third);
    const restarted = postmasterPid();
    expect(alive(restarted)).toBe(true);
    expect(await ngoCount(port, await signIn(port))).toBe(DEMO_NGO_COUNT);
    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);
    expect(alive(restarted)).toBe(false);
  }, 240_000);
});
