import { canonicalize } from 'json-canonicalize';
import { createHash } from 'node:crypto';

/**
 * The canonical form of a JSON value by RFC 8785 (JCS): object keys sorted by their UTF-16 code
 * units at every level (so "1", "10", "1a", "2", which a JavaScript object cannot hold in that
 * order), no whitespace, numbers as ECMAScript writes them, non-ASCII as is. Members whose value
 * is undefined are left out, as JSON.stringify does; undefined itself is `null`. NaN and
 * Infinity throw. For parsed JSON only: json-canonicalize 3.0.1 mistakes one object held under
 * two names, one a prefix of the other ("x", "xy"), for a cycle and throws.
 */
export function canonicalJson(value: unknown): string {
  return value === undefined ? 'null' : canonicalize(value);
}

export function sha256Hex(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Lowercase hex SHA-256 of the value's RFC 8785 form in UTF-8: the contract's `contentHash`. */
export function canonicalHash(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}
