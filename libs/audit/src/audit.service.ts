import { pageWindow, SqlWhere, type Actor, type Page } from '@app/core';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { sealCommitted, type AuditAction, type AuditEntity } from './audit-trail';
import { auditEntryHash } from './audit-hash';
import type { AuditEntryView, AuditQuery, AuditVerification, BrokenEntryView } from './dto/audit.dto';

interface EntryRow {
  id: string;
  seq: string;
  at: Date;
  actor_id: string | null;
  actor_email: string | null;
  action: AuditAction;
  entity: AuditEntity;
  entity_id: string | null;
  before: unknown;
  after: unknown;
  hash: string;
  prev_hash: string;
}

function entryView(r: EntryRow): AuditEntryView {
  return {
    id: r.id,
    seq: Number(r.seq),
    at: r.at.toISOString(),
    actor: { id: r.actor_id, email: r.actor_email },
    action: r.action,
    entity: r.entity,
    entityId: r.entity_id,
    before: r.before,
    after: r.after,
    hash: r.hash,
    prevHash: r.prev_hash,
  };
}

interface StoredRow {
  id: string;
  municipality_id: string;
  seq: string;
  at: string;
  actor_id: string | null;
  actor_email: string | null;
  action: string;
  entity: string;
  entity_id: string | null;
  before: string | null;
  after: string | null;
  prev_hash: string;
  hash: string;
}

const VERIFY_PAGE = 2000;
const GENESIS = '0'.repeat(64);

/**
 * Recomputes every entry's hash in the application (audit-hash.ts) from the stored fields, never
 * through a function in the database, which the table's owner could redefine, and follows the
 * chain: the first entry whose content no longer matches its hash, whose seq skips, or whose
 * prevHash is not the previous entry's hash is the first broken one. Entries cut off at the end
 * show against the chain's head row. Reads keyset pages by seq in one read-only snapshot, so a
 * trail of millions of entries is never held in memory and writes meanwhile do not disturb it.
 */
export async function verifyAuditTrail(em: EntityManager, municipalityId: string): Promise<AuditVerification> {
  // committed entries still waiting for their places (an import's, just committed, or left by a process that stopped before sealing them) get them first
  await sealCommitted(em.connection, municipalityId);
  return em.transaction('REPEATABLE READ', async (tx) => {
    // the text forms parsed below: the instant in UTC, ISO style, whatever the session or database default
    await tx.query(`SET TRANSACTION READ ONLY`);
    await tx.query(`SET LOCAL TimeZone = 'UTC'`);
    await tx.query(`SET LOCAL DateStyle = 'ISO, YMD'`);
    const [head]: Array<{ seq: string; hash: string }> = await tx.query(`SELECT seq::text AS seq, hash FROM audit_heads WHERE municipality_id = $1`, [municipalityId]);
    const headSeq = Number(head?.seq ?? 0);
    const heads = { headHash: headSeq > 0 ? head.hash : null, headSeq };

    let firstBroken: BrokenEntryView | null = null;
    let entries = 0;
    // the last entry read that was intact (seq 0 and the zero hash: none yet)
    const last = { id: null as string | null, seq: 0, hash: GENESIS };
    let cursor = '-9223372036854775808';
    for (;;) {
      const rows: StoredRow[] = await tx.query(
        `SELECT a.id, a.municipality_id::text AS municipality_id, a.seq::text AS seq, a.at::text AS at, a.actor_id::text AS actor_id, a.actor_email,
                a.action, a.entity, a.entity_id, a.before::text AS before, a.after::text AS after, a.prev_hash, a.hash
           FROM audit_entries a
          WHERE a.municipality_id = $1 AND a.seq > $2
          ORDER BY a.seq
          LIMIT ${VERIFY_PAGE}`,
        [municipalityId, cursor],
      );
      for (const r of rows) {
        const seq = Number(r.seq);
        cursor = r.seq;
        entries++;
        const expected = auditEntryHash({
          municipalityId: r.municipality_id,
          seq: r.seq,
          at: r.at,
          actorId: r.actor_id,
          actorEmail: r.actor_email,
          action: r.action,
          entity: r.entity,
          entityId: r.entity_id,
          before: r.before,
          after: r.after,
          prevHash: r.prev_hash,
        });
        if (expected !== r.hash) firstBroken = { id: r.id, seq, reason: 'content-changed' };
        else if (seq !== last.seq + 1 || r.prev_hash !== last.hash) firstBroken = { id: r.id, seq, reason: 'chain-broken' };
        if (firstBroken) break;
        Object.assign(last, { id: r.id, seq, hash: r.hash });
      }
      if (firstBroken || rows.length < VERIFY_PAGE) break;
    }
    if (firstBroken) {
      const [{ n }]: Array<{ n: number }> = await tx.query(`SELECT count(*)::int AS n FROM audit_entries WHERE municipality_id = $1`, [municipalityId]);
      return { valid: false, entries: n, firstBroken, ...heads };
    }
    const lastSeq = last.seq;
    // every committed entry was sealed while its transaction committed: one without a place in the chain came in with the triggers off
    const [unsealed]: Array<{ id: string }> = await tx.query(`SELECT id FROM audit_entries WHERE municipality_id = $1 AND (seq IS NULL OR hash IS NULL) LIMIT 1`, [municipalityId]);
    if (unsealed) return { valid: false, entries: entries + 1, firstBroken: { id: unsealed.id, seq: lastSeq + 1, reason: 'chain-broken' }, ...heads };
    if (headSeq > lastSeq) return { valid: false, entries, firstBroken: { id: null, seq: lastSeq + 1, reason: 'missing' }, ...heads };
    // entries beyond the head were inserted with the chain trigger off
    if (headSeq < lastSeq) {
      const [beyond]: Array<{ id: string }> = await tx.query(`SELECT id FROM audit_entries WHERE municipality_id = $1 AND seq > $2 ORDER BY seq LIMIT 1`, [municipalityId, headSeq]);
      return { valid: false, entries, firstBroken: { id: beyond.id, seq: headSeq + 1, reason: 'chain-broken' }, ...heads };
    }
    // the head holds the hash the chain ended with: an edited last entry with a recomputed hash no longer matches it
    if (last.id && heads.headHash !== last.hash) return { valid: false, entries, firstBroken: { id: last.id, seq: lastSeq, reason: 'content-changed' }, ...heads };
    return { valid: true, entries, firstBroken: null, ...heads };
  });
}

@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async list(actor: Actor, query: AuditQuery): Promise<Page<AuditEntryView>> {
    const { page, limit, offset } = pageWindow(query);
    const where = new SqlWhere('municipality_id = ?', actor.municipalityId);
    if (query.entity) where.and('entity = ?', query.entity);
    if (query.entityId) where.and('entity_id = ?', query.entityId);
    if (query.action) where.and('action = ?', query.action);
    if (query.actorId) where.and('actor_id = ?', query.actorId);
    if (query.from) where.and(`at >= (?::date)::timestamp AT TIME ZONE 'UTC'`, query.from);
    if (query.to) where.and(`at < (?::date + 1)::timestamp AT TIME ZONE 'UTC'`, query.to);
    const filter = where.sql;
    const [{ total }]: Array<{ total: number }> = await this.ds.query(`SELECT count(*)::int AS total FROM audit_entries WHERE ${filter}`, where.params);
    const rows: EntryRow[] = await this.ds.query(
      `SELECT id, seq, at, actor_id, actor_email, action, entity, entity_id, before, after, hash, prev_hash
         FROM audit_entries WHERE ${filter} ORDER BY seq DESC LIMIT ${limit} OFFSET ${offset}`,
      where.params,
    );
    return { items: rows.map(entryView), total, page, limit };
  }

  verify(actor: Actor): Promise<AuditVerification> {
    return verifyAuditTrail(this.ds.manager, actor.municipalityId);
  }
}
