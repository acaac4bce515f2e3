import { createHash } from 'node:crypto';

/** A strong validator of a response body: its SHA-256, quoted (RFC 9110 §8.8.3). */
export function etagOf(body: Buffer | string): string {
  return `"${createHash('sha256').update(body).digest('base64url')}"`;
}

/**
 * Whether a GET may answer 304 (RFC 9110 §13.1.2): If-None-Match is "*" or lists the current
 * tag, compared weakly (a W/ prefix is ignored).
 */
export function matchesIfNoneMatch(header: string | string[] | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const value = Array.isArray(header) ? header.join(',') : header;
  if (value.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  const current = opaque(etag);
  return value.split(',').some((tag) => opaque(tag) === current);
}
