import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { installDebianPackage } from '../utils/debian';

/**
 * HTTP load from Debian's `wrk` (C, one thread, keep-alive connections), in a process of its own.
 * JavaScript generators (autocannon, and a byte-counting one of this project's) saturated a core
 * before a bare node:http server did and made every ratio look closer to 1. While wrk runs, the
 * CPU time of the server process, of wrk and of the whole machine are read from /proc, so the
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
  /** what wrk reports as "Non-2xx or 3xx responses": answers of status 400 and above only (wrk counts no 3xx, so a redirect to a sign-in page passes) */
  non2xx: number;
  errors: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  bytesPerResponse: number;
  /** wall time from the generator's start to its exit, over which the CPU figures below were read */
  elapsed: number;
  /** CPU seconds (user + system) of the server process, of the generator, and of the whole machine (null without /proc) */
  serverCpu: number | null;
  loadCpu: number | null;
  machineCpu: number | null;
}

const WRK = '/usr/bin/wrk';
let wrkChecked = false;

/** wrk's path, installing Debian's package when it is missing. */
export async function ensureWrk(progress: (message: string) => void): Promise<string> {
  if (wrkChecked) return WRK;
  try {
    execFileSync(WRK, ['--version'], { stdio: 'ignore' });
  } catch (error) {
    // wrk --version exits 1 after printing its version; only a missing binary is a failure
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      progress('installing Debian\'s wrk (apt-get install -y wrk)');
      await installDebianPackage('wrk');
    }
  }
  wrkChecked = true;
  return WRK;
}

const SECONDS: Record<string, number> = { us: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
const BYTES: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

/** The figures of wrk's report (wrk 4.1, with --latency). */
export function parseWrk(out: string): Pick<LoadResult, 'requests' | 'seconds' | 'non2xx' | 'errors' | 'latencyP50Ms' | 'latencyP99Ms' | 'bytesPerResponse'> {
  const total = /(\d+) requests in ([\d.]+)(us|ms|s|m|h), ([\d.]+)(B|KB|MB|GB|TB) read/.exec(out);
  if (!total) throw new Error(`wrk printed no totals:\n${out}`);
  const requests = Number(total[1]);
  const latency = (q: string) => {
    const m = new RegExp(`^\\s*${q}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(out);
    return m ? Number(m[1]) * SECONDS[m[2]] * 1000 : NaN;
  };
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    requests,
    seconds: Number(total[2]) * SECONDS[total[3]],
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
    errors: socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
    latencyP50Ms: Number(latency('50').toFixed(2)),
    latencyP99Ms: Number(latency('99').toFixed(2)),
    bytesPerResponse: requests ? (Number(total[4]) * BYTES[total[5]]) / requests : 0,
  };
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

/** `headers` go with every request (wrk -H 'name: value'), e.g. a session cookie or a bearer token. */
export async function runLoad(url: string, settings: LoadSettings, serverPid: number, headers: Record<string, string> = {}): Promise<LoadResult> {
  const args = ['-t1', `-c${settings.connections}`, `-d${settings.durationSeconds}s`, '--latency', ...Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]), url];
  const child = spawn(WRK, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid) raisePriority(child.pid);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const serverBefore = cpuSeconds(serverPid);
  const machineBefore = machineBusySeconds();
  const started = performance.now();
  // the generator's own CPU, sampled until it exits (its /proc entry goes with it)
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
  if (code !== 0) throw new Error(`wrk exited with ${code}: ${stderr.trim() || stdout.trim()}`);
  return { ...parseWrk(stdout), elapsed, serverCpu, loadCpu, machineCpu };
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
