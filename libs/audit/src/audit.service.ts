import { pageWindow, type Actor, type Page } from '@app/core';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { AuditAction, AuditEntity } from './audit-trail';
import type { AuditEntryView, AuditQuery, AuditVerification } from './dto/audit.dto';

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

/**
 * Recomputes every entry's hash in PostgreSQL (the same function the insert trigger used) and
 * follows the chain: the first entry whose content no longer matches its hash, whose seq skips,
 * or whose prevHash is not the previous entry's hash is the first broken one. Entries cut off at
 * the end show against the chain's head row.
 */
export async function verifyAuditTrail(em: EntityManager, municipalityId: string): Promise<AuditVerification> {
  const [broken]: Array<{ id: string; seq: string; reason: 'content-changed' | 'chain-broken' }> = await em.query(
    `WITH e AS (
       SELECT a.id, a.seq, a.hash, a.prev_hash, audit_entry_hash(a) AS expected,
              lag(a.hash) OVER w AS prior_hash, lag(a.seq) OVER w AS prior_seq
         FROM audit_entries a
        WHERE a.municipality_id = $1
       WINDOW w AS (ORDER BY a.seq))
     SELECT id, seq, CASE WHEN expected <> hash THEN 'content-changed' ELSE 'chain-broken' END AS reason
       FROM e
      WHERE expected <> hash OR seq <> coalesce(prior_seq, 0) + 1 OR prev_hash <> coalesce(prior_hash, repeat('0', 64))
      ORDER BY seq
      LIMIT 1`,
    [municipalityId],
  );
  const [totals]: Array<{ entries: number; last_id: string | null; last_seq: string | null; last_hash: string | null; head_seq: string | null; head_hash: string | null }> = await em.query(
    `SELECT (SELECT count(*)::int FROM audit_entries WHERE municipality_id = $1) AS entries,
            l.id AS last_id, l.seq AS last_seq, l.hash AS last_hash, h.seq AS head_seq, h.hash AS head_hash
       FROM (SELECT 1) one
       LEFT JOIN LATERAL (SELECT id, seq, hash FROM audit_entries WHERE municipality_id = $1 ORDER BY seq DESC LIMIT 1) l ON true
       LEFT JOIN audit_heads h ON h.municipality_id = $1`,
    [municipalityId],
  );
  if (broken) return { valid: false, entries: totals.entries, firstBroken: { id: broken.id, seq: Number(broken.seq), reason: broken.reason } };
  const last = Number(totals.last_seq ?? 0);
  const head = Number(totals.head_seq ?? 0);
  if (head > last) return { valid: false, entries: totals.entries, firstBroken: { id: null, seq: last + 1, reason: 'missing' } };
  if (head < last) {
    // entries beyond the head were inserted with the chain trigger off
    const [first]: Array<{ id: string }> = await em.query(`SELECT id FROM audit_entries WHERE municipality_id = $1 AND seq > $2 ORDER BY seq LIMIT 1`, [municipalityId, head]);
    return { valid: false, entries: totals.entries, firstBroken: { id: first.id, seq: head + 1, reason: 'chain-broken' } };
  }
  // the head holds the hash the chain ended with: an edited last entry with a recomputed hash no longer matches it
  if (totals.last_id && totals.head_hash !== totals.last_hash) {
    return { valid: false, entries: totals.entries, firstBroken: { id: totals.last_id, seq: last, reason: 'content-changed' } };
  }
  return { valid: true, entries: totals.entries, firstBroken: null };
}

@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async list(actor: Actor, query: AuditQuery): Promise<Page<AuditEntryView>> {
    const { page, limit, offset } = pageWindow(query);
    const where = ['municipality_id = $1'];
    const params: unknown[] = [actor.municipalityId];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (query.entity) add('entity = ?', query.entity);
    if (query.entityId) add('entity_id = ?', query.entityId);
    if (query.action) add('action = ?', query.action);
    if (query.actorId) add('actor_id = ?', query.actorId);
    if (query.from) add(`at >= (?::date)::timestamp AT TIME ZONE 'UTC'`, query.from);
    if (query.to) add(`at < (?::date + 1)::timestamp AT TIME ZONE 'UTC'`, query.to);
    const filter = where.join(' AND ');
    const [{ total }]: Array<{ total: number }> = await this.ds.query(`SELECT count(*)::int AS total FROM audit_entries WHERE ${filter}`, params);
    const rows: EntryRow[] = await this.ds.query(
      `SELECT id, seq, at, actor_id, actor_email, action, entity, entity_id, before, after, hash, prev_hash
         FROM audit_entries WHERE ${filter} ORDER BY seq DESC LIMIT ${limit} OFFSET ${offset}`,
      params,
    );
    return { items: rows.map(entryView), total, page, limit };
  }

  verify(actor: Actor): Promise<AuditVerification> {
    return verifyAuditTrail(this.ds.manager, actor.municipalityId);
  }
}
