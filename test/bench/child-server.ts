import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { raisePriority } from './load';

/** A server of report-page.server.ts (or of another bench server script) running in a child process. */
export interface ChildServer {
  pid: number;
  url: string;
  /** whether its priority was raised (see raisePriority) */
  raised: boolean;
  /** Sends a message over IPC and waits for the first answer that `accept` takes. */
  ask<T>(message: object, accept: (answer: T) => boolean, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

export type ServerMode = 'app' | 'bare' | 'fastify';

/** The script a child server runs, relative to the compiled tree: report-page.server.js unless a benchmark brings its own. */
const DEFAULT_SCRIPT = 'test/bench/report-page.server.js';

/**
 * Forks report-page.server.js in `mode` and waits until it listens (it sends its port over IPC).
 * Its standard output goes to `stdoutFile` when given (the application's log lines, as a
 * deployment writes them to a file or a pipe), else to the bench's own. `script` runs another server
 * of the same protocol (`{ port }` over IPC, SIGTERM to stop), e.g. task-page.server.js, whose
 * `mode` is then only a label for messages.
 */
export async function startChildServer(distRoot: string, mode: ServerMode | 'pg', env: Record<string, string>, stdoutFile?: string, script = DEFAULT_SCRIPT): Promise<ChildServer> {
  const stdout = stdoutFile ? openSync(stdoutFile, 'a') : 'inherit';
  const child: ChildProcess = fork(join(distRoot, script), [mode], {
    env: { ...process.env, ...env },
    stdio: ['ignore', stdout, 'inherit', 'ipc'],
  });
  if (typeof stdout === 'number') closeSync(stdout);
  const raised = child.pid !== undefined && raisePriority(child.pid);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  };
  try {
    const port = await new Promise<number>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`the ${mode} server did not start within 60 s`)), 60_000);
      child.once('message', (message: { port?: number }) => {
        clearTimeout(timer);
        if (message.port) done(message.port);
        else fail(new Error(`the ${mode} server sent no port`));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        fail(new Error(`the ${mode} server exited with ${code} before it listened`));
      });
    });
    const ask = <T>(message: object, accept: (answer: T) => boolean, timeoutMs = 30_000) =>
      new Promise<T>((done, fail) => {
        const timer = setTimeout(() => {
          child.off('message', listener);
          fail(new Error(`the ${mode} server did not answer ${JSON.stringify(message)}`));
        }, timeoutMs);
        const listener = (answer: T) => {
          if (!accept(answer)) return;
          clearTimeout(timer);
          child.off('message', listener);
          done(answer);
        };
        child.on('message', listener);
        child.send(message);
      });
    return { pid: child.pid!, url: `http://127.0.0.1:${port}`, raised, ask, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
