import { checkKrs, checkTeryt, compactId, RESERVED_SLUGS } from '@app/core';
import { isEmail, isUUID } from 'class-validator';
import { InvalidArgumentError } from 'commander';

/**
 * Parsers of option and argument values, with the API's own rules (the DTOs' field decorators),
 * so that a value the API would refuse with 400 is a usage error here (exit 2) before the
 * database is touched. Each throws commander's InvalidArgumentError with the reason.
 */

/** NUL and other control characters (but tab and line breaks), as the API's fields refuse them. */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const codePoints = (v: string) => [...v].length;

export function parseYear(value: string): number {
  if (!/^\d{4}$/.test(value) || Number(value) < 2000 || Number(value) > 2100) throw new InvalidArgumentError('must be a year from 2000 to 2100.');
  return Number(value);
}

export function parseEmail(value: string): string {
  const v = value.trim();
  if (codePoints(v) > 254 || CONTROL.test(v) || !isEmail(v)) throw new InvalidArgumentError('must be an email address.');
  return v.toLowerCase();
}

export function parseName(value: string): string {
  const v = value.trim();
  if (!v) throw new InvalidArgumentError('must not be empty.');
  if (codePoints(v) > 200) throw new InvalidArgumentError('must be at most 200 characters long.');
  if (CONTROL.test(v)) throw new InvalidArgumentError('must not contain control characters.');
  return v;
}

export function parseSlug(value: string): string {
  if (value.length > 100 || !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(value)) throw new InvalidArgumentError('must be lowercase letters, digits and single dashes (at most 100).');
  if ((RESERVED_SLUGS as readonly string[]).includes(value)) throw new InvalidArgumentError(`must not be one of the site's own paths (${RESERVED_SLUGS.join(', ')}).`);
  return value;
}

export function parseTeryt(value: string): string {
  const v = compactId(value);
  if (checkTeryt(v) !== 'ok') throw new InvalidArgumentError('TERYT must be 7 digits.');
  return v;
}

/** An NGO named by its id (UUID) or its KRS number (10 digits). */
export type NgoRef = { id: string } | { krs: string };

export function parseNgoRef(value: string): NgoRef {
  if (isUUID(value.trim(), 'all')) return { id: value.trim().toLowerCase() };
  const krs = compactId(value);
  if (checkKrs(krs) === 'ok') return { krs };
  throw new InvalidArgumentError('must be the NGO\'s id (a UUID) or its KRS number (10 digits).');
}

/** demo:national --scale: a fraction of the country, more than 0 and at most 1 (e.g. 0.01). */
export function parseScale(value: string): number {
  const n = Number(value);
  if (!/^(0|1)?(\.\d+)?$/.test(value) || !(n > 0 && n <= 1)) throw new InvalidArgumentError('must be a fraction of the country, more than 0 and at most 1 (e.g. 0.01).');
  return n;
}

/** demo:national's seed when --seed is not given: the number of self-governments. */
export const NATIONAL_DEFAULT_SEED = 2807;

/** demo:national --seed: a whole number from 0 to 2147483647. */
export function parseSeed(value: string): number {
  if (!/^\d{1,10}$/.test(value) || Number(value) > 2_147_483_647) throw new InvalidArgumentError('must be a whole number from 0 to 2147483647.');
  return Number(value);
}

export function parseContentHash(value: string): string {
  if (!/^[0-9a-fA-F]{64}$/.test(value)) throw new InvalidArgumentError('must be a SHA-256 in hex (64 characters), as report:compile prints it.');
  return value.toLowerCase();
}

/** `draft` (the newest compile) or a published revision's number. */
export function parseRevision(value: string): 'draft' | number {
  if (value === 'draft') return 'draft';
  if (/^[1-9]\d{0,8}$/.test(value)) return Number(value);
  throw new InvalidArgumentError('must be "draft" or a revision number (1, 2, …).');
}

/** The API's password rules (PASSWORD_RULES): 8 to 200 characters, taken as typed (not trimmed), no control characters. Returns the reason it fails, or null. */
export function passwordProblem(password: string): string | null {
  if (codePoints(password) < 8) return 'must be at least 8 characters long';
  if (codePoints(password) > 200) return 'must be at most 200 characters long';
  if (CONTROL.test(password)) return 'must not contain control characters';
  return null;
}

/** The choices of `import` and `report:export`, as the HTTP routes take them (the services check them again). */
export const IMPORT_KINDS = ['ngos', 'tasks'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];
export const EXPORT_FORMATS = ['csv', 'xlsx', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export const EXPORT_DELIMITERS = ['comma', 'semicolon'] as const;
export type ExportDelimiter = (typeof EXPORT_DELIMITERS)[number];
export const EXPORT_TABLES = ['tasks', 'summary'] as const;
export type ExportTable = (typeof EXPORT_TABLES)[number];
