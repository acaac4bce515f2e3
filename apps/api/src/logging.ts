import { nestLogLevels, type AppConfig } from '@app/core';
import type { FastPathLogLine } from '@app/site';
import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify';
import pino, { type Logger } from 'pino';
import { BatchedOutput } from './batched-output';

/** Lines gather in memory up to this many characters, or for at most FLUSH_MS, before one write. */
const BATCH_CHARS = 256 * 1024;
const FLUSH_MS = 250;
const DRAIN_TIMEOUT_MS = 5000;

let output: BatchedOutput | undefined;

/** Where log lines go: logOutput(), or a test's own. */
export interface LineOutput {
  write(line: string): unknown;
}

/**
 * Standard output for every log line of the process: one batched, asynchronous writer
 * (batched-output.ts) shared by the request log and Nest's logger. A synchronous write per line
 * cost 40 % of the public page's throughput and sonic-boom's 4 KB writes a fifth of what is left
 * (issue 14). One writer keeps each line whole: a second one on the same pipe could land between
 * the parts of a write that the pipe takes in pieces. What is left at 'exit' (process.exit, an
 * uncaught exception) is written synchronously; a graceful stop awaits flushLogs() first, which
 * also waits for a write already under way.
 */
export function logOutput(): BatchedOutput {
  output ??= new BatchedOutput(1, BATCH_CHARS, FLUSH_MS);
  return output;
}

/** Resolves when every line logged so far is written (or after DRAIN_TIMEOUT_MS, so a stuck reader cannot hold a stop). */
export function flushLogs(): Promise<void> {
  const out = output;
  if (!out) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(done, DRAIN_TIMEOUT_MS);
    out.flush(() => {
      clearTimeout(timer);
      done();
    });
  });
}

/** Nest's console logger writing its stdout lines through logOutput(); errors still go to stderr. */
class SharedStdoutLogger extends ConsoleLogger {
  protected override printMessages(messages: unknown[], context = '', logLevel: LogLevel = 'log', writeStreamType?: 'stdout' | 'stderr', errorStack?: unknown, params?: Record<string, unknown>): void {
    if (writeStreamType === 'stderr' || this.options.json || this.options.forceConsole) {
      super.printMessages(messages, context, logLevel, writeStreamType, errorStack, params);
      return;
    }
    const out = logOutput();
    for (const message of messages) {
      out.write(this.formatMessage(logLevel, message, this.formatPid(process.pid), logLevel.toUpperCase().padStart(7, ' '), this.formatContext(context), this.updateAndGetTimestampDiff(), params));
    }
  }
}

/** The application's Nest logger for LOG_LEVEL (false: none). */
export function nestLogger(level: AppConfig['logLevel']): ConsoleLogger | false {
  const levels = nestLogLevels(level);
  return levels && new SharedStdoutLogger({ logLevels: levels });
}

/**
 * One line per request, when it completes, instead of Fastify's two (incoming, completed): the
 * request id, method, URL, client address, status and response time in ms.
 */
class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    else reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}

/** Levels at which Fastify's request log writes its lines; above them it is not made at all (no per-request child logger). */
const REQUEST_LOG_LEVELS = new Set(['info', 'debug', 'trace']);

/** Fastify's logger options for LOG_LEVEL: pino over logOutput() with one line per request, or none. */
export function requestLogOptions(level: AppConfig['logLevel'], out: LineOutput = logOutput()): { loggerInstance: Logger; logController: LogController } | { logger: false } {
  if (!REQUEST_LOG_LEVELS.has(level)) return { logger: false };
  return { loggerInstance: pino({ level }, out), logController: new OneLinePerRequest() };
}

/** What a request answered outside Fastify logs (the cached report page's fast path): the fields of Fastify's line. */
export type RequestLineFields = FastPathLogLine;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Writes ASCII `text` (a constant part of the line) at `at`; returns where it ends. */
function putAscii(to: Buffer, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) to[at + i] = text.charCodeAt(i);
  return at + text.length;
}

/**
 * Writes `text` at `at` as a JSON string; returns where it ends. Printable ASCII but the quote and
 * the backslash goes byte for byte; anything else through JSON.stringify and UTF-8 (at most 6
 * bytes per UTF-16 unit, the length of an escape).
 */
function putString(to: Buffer, at: number, text: string): number {
  to[at] = QUOTE;
  let end = at + 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === QUOTE || c === BACKSLASH) return at + to.write(JSON.stringify(text), at, 'utf8');
    to[end++] = c;
  }
  to[end] = QUOTE;
  return end + 1;
}

/** Writes the digits of a non-negative integer below 2^31 at `at`, `width` of them at least (leading zeros); returns where they end. */
function putDigits(to: Buffer, at: number, value: number, width = 1): number {
  let digits = 1;
  for (let rest = value; rest >= 10; rest = (rest / 10) | 0) digits++;
  if (digits < width) digits = width;
  for (let i = at + digits - 1; i >= at; i--) {
    to[i] = 0x30 + (value % 10);
    value = (value / 10) | 0;
  }
  return at + digits;
}

/** Writes a time in ms since the epoch (below 2^53) as its integer digits, in two parts so that each is a small integer. */
function putEpochMs(to: Buffer, at: number, ms: number): number {
  const high = Math.floor(ms / 1e6);
  return high > 0 ? putDigits(to, putDigits(to, at, high), ms - high * 1e6, 6) : putDigits(to, at, ms);
}

/** Writes a duration in ms rounded to the µs, as ms with three decimals ("0.042"). */
function putMs(to: Buffer, at: number, ms: number): number {
  const us = Math.round(ms * 1000);
  if (!(us >= 0 && us < 2 ** 31)) return putAscii(to, at, String(ms)); // not a sane duration: as it is
  at = putDigits(to, at, (us / 1000) | 0);
  to[at] = 0x2e; // .
  return putDigits(to, at + 1, us % 1000, 3);
}

/** The bytes of the request line but its strings, numbers excluded: the keys, brackets and the logger's bindings. */
const LINE_FIXED_BYTES = 256;

/**
 * The "request completed" line of a request answered outside Fastify, written as Fastify's
 * logger writes its own (the same keys in the same order, the logger's pid and hostname; a unit
 * test compares the two), but encoded straight into the log's batch: pino's generic walk over the
 * line's objects cost the cached report page about a fifth of its throughput, and a template
 * string still a few µs of concatenation, number formatting and flattening (issue 14). The
 * response time is in ms rounded to the µs (Fastify's lines carry every digit of the double).
 * Undefined when the level writes no request lines.
 */
export function requestLineWriter(fastifyLog: FastifyBaseLogger, out: BatchedOutput = logOutput()): ((fields: RequestLineFields) => void) | undefined {
  const logger = fastifyLog as Logger; // pino's, from requestLogOptions (Fastify's null logger has no isLevelEnabled)
  if (typeof logger.isLevelEnabled !== 'function' || !logger.isLevelEnabled('info')) return undefined;
  const start = `{"level":30,"time":`;
  // pino's own serialised bindings of the logger: ',"pid":…,"hostname":"…"' (UTF-8, as the host's name may need)
  const afterTimeBytes = Buffer.from(`${(logger as unknown as Record<symbol, string>)[pino.symbols.chindingsSym]},"reqId":`, 'utf8');
  const fixed = LINE_FIXED_BYTES + afterTimeBytes.length;
  // Two runs of the line repeat from one request to the next: the method and URL (one page asked
  // for again and again), and the client's Accept-Version, Host and address (its port differs per
  // connection). Each is encoded once while its values stay the same, then copied.
  const request = new RepeatedPart((to, at, f) => putString(to, putAscii(to, putString(to, putAscii(to, at, ',"req":{"method":'), f.method), ',"url":'), f.url));
  const client = new RepeatedPart((to, at, f) => {
    if (f.version !== undefined) at = putString(to, putAscii(to, at, ',"version":'), f.version);
    if (f.host !== undefined) at = putString(to, putAscii(to, at, ',"host":'), f.host);
    if (f.remoteAddress !== undefined) at = putString(to, putAscii(to, at, ',"remoteAddress":'), f.remoteAddress);
    return at;
  });
  /** Encodes the line at `at` of `to` (room for `fixed` + 6 bytes a character of its strings); returns where it ends. */
  const encode = (to: Buffer, at: number, f: RequestLineFields): number => {
    at = putEpochMs(to, putAscii(to, at, start), Date.now());
    to.set(afterTimeBytes, at);
    at = putString(to, at + afterTimeBytes.length, f.reqId);
    at = request.put(to, at, f, f.method, f.url, undefined);
    at = client.put(to, at, f, f.version, f.host, f.remoteAddress);
    if (f.remotePort !== undefined) at = putDigits(to, putAscii(to, at, ',"remotePort":'), f.remotePort);
    at = putDigits(to, putAscii(to, at, '},"res":{"statusCode":'), f.statusCode);
    at = putMs(to, putAscii(to, at, '},"responseTime":'), f.responseTime);
    return putAscii(to, at, ',"msg":"request completed"}\n');
  };
  return (f) => {
    const strings = f.reqId.length + f.url.length + (f.version?.length ?? 0) + (f.host?.length ?? 0) + (f.remoteAddress?.length ?? 0);
    const bytes = fixed + 6 * strings;
    if (bytes > out.maxLineBytes) {
      // headers of kilobytes (a client may send them): the line gets a buffer of its own
      const own = Buffer.allocUnsafe(bytes);
      out.writeBytes(own.subarray(0, encode(own, 0, f)));
      return;
    }
    const to = out.room(bytes);
    if (to) out.commit(encode(to, out.at, f));
  };
}

/** A run of the request line encoded once for up to three values, and copied while they stay the same. */
class RepeatedPart {
  private a: string | undefined;
  private b: string | undefined;
  private c: string | undefined;
  private bytes: Buffer | undefined;

  constructor(private readonly encode: (to: Buffer, at: number, fields: RequestLineFields) => number) {}

  /** Writes the part for these values at `at` (room for it is the caller's: 6 bytes a character at most); returns where it ends. */
  put(to: Buffer, at: number, fields: RequestLineFields, a: string | undefined, b: string | undefined, c: string | undefined): number {
    if (this.bytes === undefined || a !== this.a || b !== this.b || c !== this.c) {
      const end = this.encode(to, at, fields);
      this.bytes = Buffer.from(to.subarray(at, end));
      this.a = a;
      this.b = b;
      this.c = c;
      return end;
    }
    to.set(this.bytes, at);
    return at + this.bytes.length;
  }
}
