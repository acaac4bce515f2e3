import { ConfigError, DomainError } from '@app/core';
import { CommanderError } from 'commander';

/** Exit codes of every command (api-contract.md, "Command line"). */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Input the command cannot run with (a missing or malformed value): exit 2, checked before the database is touched. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The command ran and did not do what was asked (an unknown municipality, a broken audit chain, a file with errors): exit 1. */
export class CommandFailed extends Error {
  override readonly name = 'CommandFailed';
  constructor(
    message: string,
    /** More lines that explain it, each printed on its own line after the message. */
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

/** The database could not be reached or brought up to date before the command ran. */
export class DatabaseUnavailable extends Error {
  override readonly name = 'DatabaseUnavailable';
}

export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (error instanceof UsageError || error instanceof ConfigError) return EXIT.usage;
  return EXIT.failure;
}

/**
 * The text of an error without a stack: Node's AggregateError of a refused connection (to ::1 and
 * 127.0.0.1) has an empty message of its own, so its inner errors speak for it.
 */
export function messageOf(error: unknown): string {
  if (error instanceof AggregateError && !error.message) return [...new Set(error.errors.map(messageOf))].join('; ');
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/**
 * What a failed command prints on stderr: one line with the message and the fields a domain
 * error names, e.g. `error: A user with the email a@b.pl exists already (email: is already used by another user)`;
 * extra lines only where the error carries a list (an import's rows) or with --verbose (the stack).
 */
export function describeFailure(error: unknown, verbose: boolean): string[] {
  const lines: string[] = [];
  if (error instanceof DomainError) {
    // a single rule broken carries its message twice (as the error's and as its field's): said once
    const fields = (error.errors ?? []).filter((e) => e.message !== error.message).map((e) => `${e.field}: ${e.message}`);
    lines.push(`error: ${error.message}${fields.length ? ` (${fields.join('; ')})` : ''}`);
  } else if (error instanceof ConfigError) {
    lines.push(`error: ${error.message}`);
  } else if (error instanceof CommandFailed) {
    lines.push(`error: ${error.message}`, ...error.details.map((d) => `  ${d}`));
  } else {
    lines.push(`error: ${messageOf(error)}`);
  }
  if (verbose && error instanceof Error && error.stack) lines.push(error.stack);
  return lines;
}
