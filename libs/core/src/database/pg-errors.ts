import { QueryFailedError } from 'typeorm';

/** SQLSTATE codes the application reacts to. */
export const PG = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  checkViolation: '23514',
  exclusionViolation: '23P01',
  lockNotAvailable: '55P03',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
  adminShutdown: '57P01',
  cannotConnectNow: '57P03',
} as const;

/**
 * Data the database refused although validation let it through (too long, out of range, a bad
 * character, a broken CHECK). Validation should catch these first; this is the backstop that
 * keeps them a 400 rather than a 500.
 */
const INPUT_ERROR_CODES = new Set<string>(['22001', '22003', '22007', '22008', '22021', '22P02', '22P05', PG.checkViolation]);

export function isInputError(error: unknown): boolean {
  const code = pgError(error)?.code;
  return code !== undefined && INPUT_ERROR_CODES.has(code);
}

export interface PgErrorInfo {
  code?: string;
  constraint?: string;
}

export function pgError(error: unknown): PgErrorInfo | null {
  if (error instanceof QueryFailedError) {
    const driverError = error.driverError as { code?: string; constraint?: string };
    return { code: driverError?.code, constraint: driverError?.constraint };
  }
  return null;
}

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const info = pgError(error);
  return info?.code === PG.uniqueViolation && (constraint === undefined || info.constraint === constraint);
}

const CONNECTION_MESSAGES = [
  'Query read timeout',
  'connection dropped after a query timeout',
  'Connection terminated',
  'connection timeout',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'the database system is starting up',
  'the database system is shutting down',
];
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', PG.adminShutdown, PG.cannotConnectNow, '08000', '08003', '08006', '08001', '08004']);

/** True when the error means "the database does not answer", not "the query was wrong". */
export function isConnectionError(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const e = current as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown };
    if (typeof e.code === 'string' && CONNECTION_CODES.has(e.code)) return true;
    if (typeof e.message === 'string' && CONNECTION_MESSAGES.some((m) => (e.message as string).includes(m))) return true;
    current = e.driverError ?? e.cause;
  }
  return false;
}
