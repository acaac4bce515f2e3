import { nestLogLevels, type AppConfig } from '@app/core';
import type { FastPathLogLine } from '@app/site';
import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify';
import pino, { type Logger } from 'pino';
import { BatchedOutput } from './batched-output';

/** Lines gather in memory up to this many characters, or for at most FLUSH_MS, before one write. */
const BATCH_CHARS = 64 * 1024;
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

/** Printable ASCII but the quote and the backslash: a JSON string as it stands (a regular expression's test costs less than JSON.stringify). */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const str = (value: string) => (PLAIN.test(value) ? `"${value}"` : JSON.stringify(value));

/**
 * The "request completed" line of a request answered outside Fastify, written as Fastify's
 * logger writes its own (the same keys in the same order, the logger's pid and hostname; a unit
 * test compares the two), but by a template: pino's generic walk over the line's objects cost
 * the cached report page about a fifth of its throughput (issue 14). Undefined when the level
 * writes no request lines.
 */
export function requestLineWriter(fastifyLog: FastifyBaseLogger, out: LineOutput = logOutput()): ((fields: RequestLineFields) => void) | undefined {
  const logger = fastifyLog as Logger; // pino's, from requestLogOptions (Fastify's null logger has no isLevelEnabled)
  if (typeof logger.isLevelEnabled !== 'function' || !logger.isLevelEnabled('info')) return undefined;
  // pino's own serialised bindings of the logger: ',"pid":…,"hostname":"…"'
  const bindings = (logger as unknown as Record<symbol, string>)[pino.symbols.chindingsSym];
  return (f) => {
    let line = `{"level":30,"time":${Date.now()}${bindings},"reqId":${str(f.reqId)},"req":{"method":${str(f.method)},"url":${str(f.url)}`;
    if (f.version !== undefined) line += `,"version":${str(f.version)}`;
    if (f.host !== undefined) line += `,"host":${str(f.host)}`;
    if (f.remoteAddress !== undefined) line += `,"remoteAddress":${str(f.remoteAddress)}`;
    if (f.remotePort !== undefined) line += `,"remotePort":${f.remotePort}`;
    out.write(`${line}},"res":{"statusCode":${f.statusCode}},"responseTime":${f.responseTime},"msg":"request completed"}\n`);
  };
}
