import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The program itself (apps/api/src/main.ts) as `npm start` runs it, for the specs that need a real
 * process: built once per test run with the project's build, started with the environment the
 * spec gives, its stdout and stderr captured.
 */
export const ROOT = process.cwd(); // jest runs from the project root

/**
 * Starts the build (test/setup/build-program.mjs: tsc, then tsc-alias) into `outDir` in the
 * background, unless a process of this run has started it already (the lock is a directory, made
 * atomically). The e2e global set-up calls it early, so that the build overlaps the first files.
 */
export function startProgramBuild(outDir: string): void {
  mkdirSync(dirname(outDir), { recursive: true });
  try {
    mkdirSync(`${outDir}.lock`);
  } catch {
    return; // started by another process of this run
  }
  const child = spawn(process.execPath, [join(ROOT, 'test/setup/build-program.mjs'), outDir], { cwd: ROOT, detached: true, stdio: 'ignore' });
  writeFileSync(join(`${outDir}.lock`, 'pid'), String(child.pid));
  child.unref();
}

/** The run's build directory, named by the e2e global set-up. */
export function programBuildDir(): string {
  const dir = process.env.TEST_BUILD_DIR;
  if (!dir) throw new Error('TEST_BUILD_DIR is not set: run the tests with npm test (the global set-up sets it)');
  return dir;
}

/**
 * Waits for the run's build of the program (starting it when no one has) and returns its directory;
 * throws with the build's output when it failed. Warnings of a build that still emitted are printed.
 */
export async function builtProgram(ms = 300_000): Promise<string> {
  const dir = programBuildDir();
  startProgramBuild(dir);
  const deadline = Date.now() + ms;
  while (!existsSync(`${dir}.status.json`)) {
    if (Date.now() > deadline) throw new Error(`the build into ${dir} did not finish within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const status = JSON.parse(readFileSync(`${dir}.status.json`, 'utf8')) as { ok: boolean; output: string };
  if (!status.ok) throw new Error(`the build of the program failed:\n${status.output}`);
  if (status.output) console.warn(status.output);
  return dir;
}

/** Builds of killed runs (.data/test-build-<epoch ms>-<pid>, with their lock and status), an hour after they started. */
export function sweepStaleBuilds(dataDir: string): void {
  if (!existsSync(dataDir)) return;
  for (const name of readdirSync(dataDir)) {
    const started = Number(/^test-build-(\d+)-\d+/.exec(name)?.[1]);
    if (started && Date.now() - started > 60 * 60 * 1000) rmSync(join(dataDir, name), { recursive: true, force: true });
  }
}

/** Removes the build, its lock and its status; stops a build still running (a run that never waited for it). */
export function removeProgramBuild(dir: string): void {
  let pid = NaN;
  try {
    pid = Number(readFileSync(join(`${dir}.lock`, 'pid'), 'utf8'));
  } catch {
    // never started
  }
  if (Number.isInteger(pid) && pid > 0 && !existsSync(`${dir}.status.json`)) {
    try {
      process.kill(-pid, 'SIGKILL'); // the build's process group: the script and its tsc
    } catch {
      // finished meanwhile
    }
  }
  for (const path of [dir, `${dir}.lock`, `${dir}.status.json`]) rmSync(path, { recursive: true, force: true });
}

export interface Running {
  child: ChildProcess;
  /** stdout and stderr as they arrived, together */
  output: () => string;
  /** stdout alone */
  stdout: () => string;
  exited: Promise<number | null>;
}

/** Starts the built program with exactly `env` (nothing inherited that the caller did not pass). */
export function startProgram(buildDir: string, env: NodeJS.ProcessEnv): Running {
  const child = spawn(process.execPath, [join(buildDir, 'apps/api/src/main.js')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let stdout = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    stdout += d;
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return { child, output: () => out, stdout: () => stdout, exited };
}

/** The welcome's last line (apps/api/src/main.ts), which the program prints once it listens. */
export const WELCOME_END = 'Stop with Ctrl+C.';

/**
 * Waits until the program has started as a person sees it: GET /health/ready answers 200 and the
 * welcome is printed. The welcome comes after the listen (it names the address), so on a loaded
 * machine the readiness can answer a moment before it. Fails with the program's output when it
 * exits or takes longer than `ms`.
 */
export async function waitReady(port: number, run: Running, ms = 90_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (run.child.exitCode !== null) throw new Error(`exited early:\n${run.output()}`);
    try {
      if (run.stdout().includes(WELCOME_END) && (await fetch(`http://127.0.0.1:${port}/health/ready`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`not ready within ${ms} ms:\n${run.output()}`);
}
