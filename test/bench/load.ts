import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import type { HttpLoadOutput, HttpLoadSettings } from './http-load';

/**
 * HTTP load from a process of its own (http-load.ts, started with the same Node). While it runs,
 * the CPU time of the server process and of the load generator are read from /proc, so the
 * result tells whether the server was the bottleneck (its core busy) or something else was.
 */
export interface LoadSettings {
  connections: number;
  durationSeconds: number;
}

/** One run of the load generator, as raw sums so that several runs add up. */
export interface LoadResult {
  requests: number;
  /** how long the generator sent requests */
  seconds: number;
  non2xx: number;
  errors: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  bytesPerResponse: number;
  bodyLengths: number[];
  /** wall time from the generator's start to its exit, over which the CPU figures below were read */
  elapsed: number;
  /** CPU seconds (user + system) of the server process, of the generator, and of the whole machine (null without /proc) */
  serverCpu: number | null;
  loadCpu: number | null;
  machineCpu: number | null;
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime + stime of a process, in seconds (null where /proc is missing). */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // after "pid (comm) ": state is field 3 of stat(5), utime 14 and stime 15
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/**
 * The servers and the load generator run at a raised priority (nice -10) where the bench may set
 * one (as root), so that other work on the machine (a test run beside the bench) takes less of
 * their time. Returns whether it could.
 */
export const PRIORITY = -10;
export function raisePriority(pid: number): boolean {
  try {
    setPriority(pid, PRIORITY);
    return true;
  } catch {
    return false;
  }
}

/** CPU seconds the whole machine spent busy (all but idle and iowait), from /proc/stat. */
function machineBusySeconds(): number | null {
  try {
    const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
    // user nice system idle iowait irq softirq steal …: busy is user, nice, system, irq, softirq (guest time is inside user)
    const busy = [0, 1, 2, 5, 6].reduce((sum, i) => sum + (ticks[i] ?? 0), 0);
    return busy / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

const diff = (after: number | null, before: number | null) => (after === null || before === null ? null : after - before);

export async function runLoad(distRoot: string, url: string, settings: LoadSettings, serverPid: number): Promise<LoadResult> {
  const target = new URL(url);
  const args: HttpLoadSettings = { host: target.hostname, port: Number(target.port), path: target.pathname + target.search, ...settings };
  const child = spawn(process.execPath, [join(distRoot, 'test/bench/http-load.js'), JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid) raisePriority(child.pid);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const serverBefore = cpuSeconds(serverPid);
  const machineBefore = machineBusySeconds();
  const started = performance.now();
  // the generator's own CPU, sampled until it exits (its /proc entry goes with it); includes its start-up
  let loadCpu: number | null = null;
  const sampler = setInterval(() => {
    const value = child.pid ? cpuSeconds(child.pid) : null;
    if (value !== null) loadCpu = value;
  }, 100);
  const code = await new Promise<number | null>((done, fail) => {
    child.once('error', fail);
    child.once('exit', (c) => done(c));
  });
  clearInterval(sampler);
  const elapsed = (performance.now() - started) / 1000;
  const serverCpu = diff(cpuSeconds(serverPid), serverBefore);
  const machineCpu = diff(machineBusySeconds(), machineBefore);
  if (code !== 0) throw new Error(`the load generator exited with ${code}: ${stderr.trim()}`);
  const out = JSON.parse(stdout) as HttpLoadOutput;
  return { ...out, elapsed, serverCpu, loadCpu, machineCpu };
}

/** Several runs against one server, added up. */
export interface LoadTotals {
  runs: LoadResult[];
  requestsPerSecond: number;
  /** cores: CPU seconds per second of wall time */
  serverCores: number | null;
  loadCores: number | null;
  /** busy cores of the machine outside the server and the generator (other processes, the kernel's own work) */
  otherCores: number | null;
  serverCpuPerRequestUs: number | null;
}

export function addUp(runs: LoadResult[]): LoadTotals {
  const sum = (pick: (r: LoadResult) => number | null) => (runs.some((r) => pick(r) === null) ? null : runs.reduce((s, r) => s + pick(r)!, 0));
  const requests = sum((r) => r.requests)!;
  const elapsed = sum((r) => r.elapsed)!;
  const server = sum((r) => r.serverCpu);
  const load = sum((r) => r.loadCpu);
  const machine = sum((r) => r.machineCpu);
  return {
    runs,
    requestsPerSecond: requests / sum((r) => r.seconds)!,
    serverCores: server === null ? null : server / elapsed,
    loadCores: load === null ? null : load / elapsed,
    otherCores: server === null || load === null || machine === null ? null : Math.max(0, machine - server - load) / elapsed,
    serverCpuPerRequestUs: server === null || !requests ? null : (server / requests) * 1e6,
  };
}
