import type { FieldError, ProblemKind } from './domain-errors';

/** Problem type URIs are documented in the README ("Errors"). */
export const PROBLEM_TYPE_BASE = 'https://ngo-tracker.example/problems/';
export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
}

export const PROBLEMS: Record<ProblemKind | 'not-acceptable' | 'payload-too-large' | 'uri-too-long' | 'unsupported-media-type' | 'method-not-allowed' | 'internal', { status: number; title: string }> = {
  validation: { status: 400, title: 'Validation failed' },
  'malformed-request': { status: 400, title: 'Malformed request' },
  unauthorized: { status: 401, title: 'Authentication required' },
  forbidden: { status: 403, title: 'Forbidden' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'not-acceptable': { status: 406, title: 'Not acceptable' },
  conflict: { status: 409, title: 'Conflict' },
  'stale-version': { status: 409, title: 'Stale version' },
  'payload-too-large': { status: 413, title: 'Payload too large' },
  'uri-too-long': { status: 414, title: 'URI too long' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'rule-violation': { status: 422, title: 'Domain rule broken' },
  'too-many-requests': { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal server error' },
  unavailable: { status: 503, title: 'Service unavailable' },
};

export type ProblemName = keyof typeof PROBLEMS;

export function problem(name: ProblemName, detail?: string, errors?: FieldError[], instance?: string): ProblemDetails {
  const { status, title } = PROBLEMS[name];
  const body: ProblemDetails = { type: PROBLEM_TYPE_BASE + name, title, status };
  if (detail) body.detail = detail;
  if (instance) body.instance = instance;
  if (errors) body.errors = errors;
  return body;
}
