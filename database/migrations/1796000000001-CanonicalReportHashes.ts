import { canonicalize } from 'json-canonicalize';
import { createHash } from 'node:crypto';
import type { MigrationInterface, QueryRunner } from 'typeorm';

type Hash = (summary: unknown) => string;

const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The contract's contentHash since this migration: RFC 8785 (JCS), as libs/core's canonicalHash computes it. */
const jcsHash: Hash = (summary) => sha256Hex(canonicalize(summary));

/** The hash before it: JSON.stringify of a key-sorted copy, which still puts integer-like keys ("1", "2", "10") first. */
const formerHash: Hash = (summary) => {
  const sorted = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sorted) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])])) : v;
  return sha256Hex(JSON.stringify(sorted(summary)));
};

interface Row {
  municipality_id: string;
  year: number;
  revision: number | null;
  summary: unknown;
  content_hash: string;
}

/**
 * Recomputes the contentHash of every compile (reports) and every published revision
 * (report_revisions) by RFC 8785, so anyone can recompute a published hash with a standard JCS
 * library. A published revision is otherwise never changed: its freezing trigger is off only
 * for these UPDATEs, inside the migration's transaction (a failure rolls the trigger back on too),
 * and each changed hash leaves one audit entry: action `rehash`, entity `report`, the year,
 * before { contentHash }, after { contentHash, revision (null: the newest compile), reason }.
 * The hashing is written out here rather than imported, so that this migration always does
 * what it did when it was written.
 */
export class CanonicalReportHashes1796000000001 implements MigrationInterface {
  name = 'CanonicalReportHashes1796000000001';

  async up(q: QueryRunner): Promise<void> {
    await rehash(q, jcsHash, 'RFC 8785 canonical form (JCS)');
  }

  async down(q: QueryRunner): Promise<void> {
    await rehash(q, formerHash, 'migration reverted: the former form (JSON.stringify of a key-sorted copy)');
  }
}

async function rehash(q: QueryRunner, hash: Hash, reason: string): Promise<void> {
  const compiles: Row[] = await q.query(
    `SELECT municipality_id, year, NULL::int AS revision, summary, content_hash FROM reports ORDER BY municipality_id, year FOR UPDATE`,
  );
  const revisions: Row[] = await q.query(
    `SELECT municipality_id, year, revision, summary, content_hash FROM report_revisions ORDER BY municipality_id, year, revision FOR UPDATE`,
  );
  const changed = [...compiles, ...revisions].map((row) => ({ row, next: hash(row.summary) })).filter(({ row, next }) => next !== row.content_hash);
  if (!changed.length) return;

  const frozen = changed.some(({ row }) => row.revision !== null);
  if (frozen) await q.query(`ALTER TABLE report_revisions DISABLE TRIGGER report_revisions_frozen`);
  for (const { row, next } of changed) {
    if (row.revision === null) {
      await q.query(`UPDATE reports SET content_hash = $3 WHERE municipality_id = $1 AND year = $2`, [row.municipality_id, row.year, next]);
    } else {
      await q.query(`UPDATE report_revisions SET content_hash = $4 WHERE municipality_id = $1 AND year = $2 AND revision = $3`, [row.municipality_id, row.year, row.revision, next]);
    }
  }
  if (frozen) await q.query(`ALTER TABLE report_revisions ENABLE TRIGGER report_revisions_frozen`);

  // the insert trigger (audit_entries_chain) assigns seq, at, prev_hash and hash
  for (const { row, next } of changed) {
    await q.query(
      `INSERT INTO audit_entries (municipality_id, actor_id, actor_email, action, entity, entity_id, before, after)
       VALUES ($1, NULL, 'system:migration', 'rehash', 'report', $2, $3::jsonb, $4::jsonb)`,
      [row.municipality_id, String(row.year), JSON.stringify({ contentHash: row.content_hash }), JSON.stringify({ contentHash: next, revision: row.revision, reason })],
    );
  }
}
