import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isConnectionError, isInputError, pgError, PG } from '../database/pg-errors';
import { DomainError, TooManyRequests } from './domain-errors';
import { problem, PROBLEM_CONTENT_TYPE, type ProblemDetails, type ProblemName } from './problem';

const STATUS_NAMES: Record<number, ProblemName> = {
  400: 'malformed-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  406: 'not-acceptable',
  409: 'conflict',
  413: 'payload-too-large',
  414: 'uri-too-long',
  415: 'unsupported-media-type',
  422: 'rule-violation',
  429: 'too-many-requests',
  503: 'unavailable',
};

/**
 * Turns every error into RFC 9457 problem details. Nothing from an unexpected error
 * (message, stack, SQL) reaches the client: it is logged, and the client gets a bare 500.
 */
export function toProblem(error: unknown, instance?: string): ProblemDetails {
  if (error instanceof DomainError) {
    return problem(error.kind, error.message, error.errors, instance);
  }
  // Nest's own errors, including those it makes of Fastify's (malformed JSON, 413, 415) and of unknown routes
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const name = STATUS_NAMES[status];
    const response = error.getResponse();
    const message = typeof response === 'string' ? response : (response as { message?: unknown }).message;
    const detail = typeof message === 'string' ? message : undefined;
    if (name) return problem(name, detail, undefined, instance);
    return { type: 'about:blank', title: error.message, status, ...(detail ? { detail } : {}), ...(instance ? { instance } : {}) };
  }
  if (isConnectionError(error)) {
    return problem('unavailable', 'The database does not answer; try again shortly', undefined, instance);
  }
  const pg = pgError(error);
  if (pg?.code === PG.uniqueViolation) {
    return problem('conflict', 'A record with the same unique value already exists', undefined, instance);
  }
  if (pg?.code === PG.exclusionViolation) {
    return problem('conflict', 'The record overlaps another one', undefined, instance);
  }
  if (isInputError(error)) {
    return problem('validation', 'A value is outside what the database accepts', undefined, instance);
  }
  if (pg?.code === PG.serializationFailure || pg?.code === PG.deadlockDetected) {
    return problem('conflict', 'The request collided with a concurrent change; retry it', undefined, instance);
  }
  return problem('internal', 'An unexpected error occurred; it has been logged', undefined, instance);
}

/**
 * The router's own refusals, which Fastify hands to its `frameworkErrors` option before any hook
 * or error handler runs. The detail never echoes the path (it may be kilobytes long).
 */
export function routerProblem(error: { code?: string }, maxParamLength: number): ProblemDetails {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') return problem('uri-too-long', `A path segment is longer than ${maxParamLength} characters`);
  if (error.code === 'FST_ERR_BAD_URL') return problem('malformed-request', 'The URL is not valid (a malformed percent-encoding)');
  return problem('internal', 'An unexpected error occurred; it has been logged');
}

function logUnexpected(logger: Logger, body: ProblemDetails, error: unknown, method?: string, url?: string): void {
  if (body.status >= 500) {
    const stack = error instanceof Error ? error.stack : String(error);
    logger.error(`${method ?? ''} ${url ?? ''} -> ${body.status}: ${stack}`);
  }
}

export function sendProblem(reply: FastifyReply, body: ProblemDetails): void {
  if (body.status === 503) void reply.header('retry-after', '5');
  void reply.status(body.status).header('content-type', PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
}

/** An answer other than problem details for a 404 at `path` (the public pages' HTML), or null to keep problem details. */
export type NotFoundPage = (path: string) => { status: number; headers: Record<string, string>; body: Buffer | string } | null;

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  constructor(private readonly notFoundPage?: NotFoundPage) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const request = ctx.getRequest<FastifyRequest>();
    const reply = ctx.getResponse<FastifyReply>();
    const path = request?.url?.split('?')[0];
    const body = toProblem(error, path);
    const page = body.status === 404 && path && this.notFoundPage ? this.notFoundPage(path) : null;
    if (page) {
      void reply.status(page.status).headers(page.headers).send(page.body);
      return;
    }
    logUnexpected(this.logger, body, error, request?.method, path);
    if (error instanceof TooManyRequests && error.retryAfterSeconds !== undefined) void reply.header('retry-after', String(error.retryAfterSeconds));
    sendProblem(reply, body);
  }
}
