import { DomainError, isConnectionError, pgError } from '@app/core';

const ERROR_MAX_LENGTH = 2000;

export function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > ERROR_MAX_LENGTH ? `${message.slice(0, ERROR_MAX_LENGTH - 1)}…` : message;
}

/**
 * What `job_runs.error` keeps, and GET /jobs shows: the kind of failure and its code, never the
 * database's own text (which names tables, constraints and values) nor a stack. The full error
 * goes to the log. A domain error's message is the project's own sentence and is kept.
 */
export function jobErrorSummary(error: unknown): string {
  if (error instanceof DomainError) return errorMessage(`${error.name}: ${error.message}`);
  const code = pgError(error)?.code ?? sqlState(error);
  if (isConnectionError(error)) return `The database connection was lost or did not answer${code ? ` (SQLSTATE ${code})` : ''}`;
  if (code) return `The database refused the work (SQLSTATE ${code})`;
  const name = error instanceof Error ? error.constructor.name : typeof error;
  return `Unexpected error (${name}); see the log`;
}

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}
