import { COMMON_PASSWORD_MESSAGE, isCommonPassword } from '@app/core';
import { UsageError } from './errors';
import { passwordProblem } from './values';

export interface PasswordOptions {
  /** The value of --password (or --admin-password): visible to other users in `ps`, so stdin is preferred. */
  given?: string;
  /** --password-stdin: read the password from standard input (its one trailing line break dropped). */
  fromStdin?: boolean;
  /** The option names, for messages: e.g. `--password`. */
  flag: string;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads a line from the terminal without echoing it (raw mode); Ctrl+C aborts. */
function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (data: Buffer) => {
      for (const ch of data.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
        if (ch === '\u0003') return done(new UsageError('no password given (interrupted)'));
        if (ch === '\u007f' || ch === '\b') typed = [...typed].slice(0, -1).join('');
        else typed += ch;
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}

/**
 * The password of a new account: from --password, from stdin with --password-stdin, or typed
 * twice at a terminal prompt when neither is given. The API's rules apply (8–200 characters, not
 * one of the most common passwords);
 * a password that breaks them is a usage error.
 */
export async function readPassword(o: PasswordOptions): Promise<string> {
  let password: string;
  if (o.given !== undefined && o.fromStdin) throw new UsageError(`give the password either with ${o.flag} or with ${o.flag}-stdin, not both`);
  if (o.given !== undefined) {
    password = o.given;
  } else if (o.fromStdin) {
    if (process.stdin.isTTY) password = await promptHidden('Password: ');
    else password = (await readAll(process.stdin)).replace(/\r?\n$/, '');
  } else if (process.stdin.isTTY) {
    password = await promptHidden('Password: ');
    const problem = newPasswordProblem(password);
    if (problem) throw new UsageError(`the password ${problem}`);
    if ((await promptHidden('Repeat the password: ')) !== password) throw new UsageError('the two passwords differ');
  } else {
    throw new UsageError(`no password: pipe it in with ${o.flag}-stdin (or give ${o.flag} <password>)`);
  }
  const problem = newPasswordProblem(password);
  if (problem) throw new UsageError(`the password ${problem}`);
  return password;
}

/** The API's rules for a password being set: the length and characters, and not a common password. */
function newPasswordProblem(password: string): string | null {
  return passwordProblem(password) ?? (isCommonPassword(password) ? COMMON_PASSWORD_MESSAGE : null);
}
