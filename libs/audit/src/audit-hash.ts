import { createHash } from 'node:crypto';

/**
 * One audit entry's stored fields as text, the form verification reads them in: `at` as
 * PostgreSQL prints a timestamptz with `TimeZone = UTC` and `DateStyle = ISO`, `before` and
 * `after` as jsonb's own text output (null for SQL NULL).
 */
export interface StoredEntry {
  municipalityId: string;
  seq: string;
  at: string;
  actorId: string | null;
  actorEmail: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  before: string | null;
  after: string | null;
  prevHash: string;
}

const ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A JSON string exactly as PostgreSQL's escape_json writes it: the seven short escapes, other controls as \u00xx (lower-case hex), everything else as is. */
export function pgJsonString(value: string): string {
  return `"${value.replace(/["\\\u0000-\u001f]/g, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}

const text = (value: string | null) => (value === null ? 'null' : pgJsonString(value));

/**
 * `to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')` from the ISO text of a
 * timestamptz printed in UTC ("2026-12-02 17:28:37.12+00"); null for anything else (BC dates,
 * infinity, another time zone), which cannot have come from the trigger.
 */
export function hashedInstant(at: string): string | null {
  const m = /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?\+00$/.exec(at);
  if (!m) return null;
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${(m[7] ?? '').padEnd(6, '0')}Z`;
}

/**
 * The text the insert trigger hashes (SQL function audit_entry_hash): jsonb_build_array(...)::text
 * of [municipality_id, seq, at, actor_id, actor_email, action, entity, entity_id, before, after,
 * prev_hash], rebuilt here so that verification never runs code the table's owner can redefine.
 */
export function auditHashInput(e: StoredEntry): string | null {
  const at = hashedInstant(e.at);
  if (at === null || !/^\d+$/.test(e.seq)) return null;
  const parts = [
    pgJsonString(e.municipalityId),
    e.seq,
    pgJsonString(at),
    text(e.actorId),
    text(e.actorEmail),
    pgJsonString(e.action),
    pgJsonString(e.entity),
    text(e.entityId),
    e.before ?? 'null',
    e.after ?? 'null',
    pgJsonString(e.prevHash),
  ];
  return `[${parts.join(', ')}]`;
}

/** SHA-256 (hex) of the entry as the trigger computed it; null when the stored fields cannot be what the trigger wrote. */
export function auditEntryHash(e: StoredEntry): string | null {
  const input = auditHashInput(e);
  return input === null ? null : createHash('sha256').update(input, 'utf8').digest('hex');
}
