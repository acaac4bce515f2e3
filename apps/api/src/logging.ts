import { nestLogLevels, type AppConfig } from '@app/core';
import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import pino, { type Logger } from 'pino';

type Destination = ReturnType<typeof pino.destination>;

/** Lines gather in memory up to this many bytes, or for at most FLUSH_MS, before one write. */
const MIN_LENGTH = 4096;
const FLUSH_MS = 250;
const DRAIN_TIMEOUT_MS = 5000;

let output: Destination | undefined;

/**
 * Standard output for every log line of the process: one asynchronous writer (pino's sonic-boom)
 * shared by the request log and Nest's logger. A synchronous write per line cost 40 % of the
 * public page's throughput (issue 14); here lines are batched and written by libuv's thread pool.
 * One writer keeps each line whole: a second one on the same pipe could land between the parts
 * of a write that the pipe takes in pieces. What is left at 'exit' (process.exit, an uncaught
 * exception) pino writes synchronously; a graceful stop awaits flushLogs() first, which also
 * waits for a write already under way.
 */
export function logOutput(): Destination {
  output ??= pino.destination({ dest: 1, sync: false, minLength: MIN_LENGTH, periodicFlush: FLUSH_MS });
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
export function requestLogOptions(level: AppConfig['logLevel']): { loggerInstance: Logger; logController: LogController } | { logger: false } {
  if (!REQUEST_LOG_LEVELS.has(level)) return { logger: false };
  return { loggerInstance: pino({ level }, logOutput()), logController: new OneLinePerRequest() };
}
