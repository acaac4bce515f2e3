import { afterCommit, noteUserWrite, type Actor } from '@app/core';
import type { EntityManager } from 'typeorm';

export const AUDIT_ACTIONS = ['create', 'update', 'archive', 'end', 'publish', 'compile', 'export', 'import', 'rehash', 'cancel', 'resolve', 'close', 'submit', 'withdraw', 'check', 'score', 'declare', 'suspend'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_ENTITIES = ['municipality', 'user', 'ngo', 'program', 'task', 'activity', 'commission', 'member', 'meeting', 'report', 'call', 'offer', 'call-member'] as const;
export type AuditEntity = (typeof AUDIT_ENTITIES)[number];

/** Who wrote: a signed-in user, or the system itself (start-up, seeds, the scheduler). */
export type AuditActor = Pick<Actor, 'userId' | 'email'> | { userId: null; email: string };

export const SYSTEM_ACTOR: AuditActor = { userId: null, email: 'system' };

export interface AuditRecord {
  action: AuditAction;
  entity: AuditEntity;
  entityId: string | null;
  before?: unknown;
  after?: unknown;
}

/**
 * Appends one entry to the municipality's audit trail, inside the caller's transaction, so the
 * entry commits or rolls back with the write it describes. It takes no lock: the database gives
 * the transaction's entries their seq, prev_hash and hash while it commits (the deferred trigger
 * audit_entries_seal, under the chain head's lock for the commit's length) and refuses any later
 * change to the row (migration 1796000000040).
 */
export async function recordAudit(em: EntityManager, municipalityId: string, actor: AuditActor, record: AuditRecord): Promise<void> {
  if (withoutTrailForBenchmark) return;
  await em.query(
    `INSERT INTO audit_entries (municipality_id, actor_id, actor_email, action, entity, entity_id, before, after)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb)`,
    [
      municipalityId,
      actor.userId,
      actor.email,
      record.action,
      record.entity,
      record.entityId,
      record.before === undefined || record.before === null ? null : JSON.stringify(record.before),
      record.after === undefined || record.after === null ? null : JSON.stringify(record.after),
    ],
  );
}

let withoutTrailForBenchmark = false;

/**
 * For the audit-writes benchmark alone (test/bench/report-page.server.ts, BENCH_AUDIT_TRAIL=off):
 * this process's writes append no audit entry, so that the trail's cost can be measured against
 * the same program without it. Nothing in the service calls it and no setting reaches it.
 */
export function switchOffAuditTrailForBenchmark(): void {
  withoutTrailForBenchmark = true;
}

/** The audit entry of a write by a signed-in user in their own municipality. */
export function audit(em: EntityManager, actor: Actor, record: AuditRecord): Promise<void> {
  // once it commits, the user's own reads go to the primary until the replicas surely hold it
  afterCommit(() => noteUserWrite(actor.userId));
  return recordAudit(em, actor.municipalityId, actor, record);
}
