import { afterCommit, noteUserWrite, type Actor } from '@app/core';
import type { DataSource, EntityManager } from 'typeorm';

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

/** Many entries by one user in their own municipality, in one statement (an import's rows): as audit() once per record. */
export async function auditMany(em: EntityManager, actor: Actor, records: AuditRecord[]): Promise<void> {
  if (!records.length) return;
  afterCommit(() => noteUserWrite(actor.userId));
  if (withoutTrailForBenchmark) return;
  const json = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));
  await em.query(
    `INSERT INTO audit_entries (municipality_id, actor_id, actor_email, action, entity, entity_id, before, after)
     SELECT $1, $2, $3, u.action, u.entity, u.entity_id, u.before, u.after
       FROM unnest($4::text[], $5::text[], $6::text[], $7::jsonb[], $8::jsonb[]) AS u (action, entity, entity_id, before, after)`,
    [actor.municipalityId, actor.userId, actor.email, records.map((r) => r.action), records.map((r) => r.entity), records.map((r) => r.entityId), records.map((r) => json(r.before)), records.map((r) => json(r.after))],
  );
}

/** Entries one call of the after-commit sealer seals, in one short transaction holding the chain head's lock (about 0.1 s). */
const SEAL_STEP = 5000;

/**
 * The caller's transaction is not sealed while it commits (as a transaction's entries otherwise
 * are, holding the municipality's chain head for the commit's length): its entries commit
 * unsealed, and sealCommitted() gives them their places afterwards, a step at a time, so that the
 * other writes of the municipality wait at most one step. For a transaction of many thousands of
 * entries (an import); its caller must call sealCommitted() once it has committed (migration
 * 1796000000080).
 */
export async function sealAfterCommit(em: EntityManager): Promise<void> {
  await em.query(`SET LOCAL audit.seal = 'after-commit'`);
}

/**
 * Seals every committed entry of the municipality still waiting for its place (sealAfterCommit),
 * a transaction after another in the order they committed, each in the order its entries were
 * inserted, SEAL_STEP a statement (each its own transaction); returns how
 * many. Safe to call from any number of processes at once: each step takes the head's lock and
 * seals what is still unsealed when it has it.
 */
export async function sealCommitted(ds: DataSource, municipalityId: string): Promise<number> {
  let total = 0;
  for (;;) {
    const [{ sealed }]: Array<{ sealed: number }> = await ds.query(`SELECT audit_seal_committed($1, $2) AS sealed`, [municipalityId, SEAL_STEP]);
    // a step seals one queued transaction's next entries; none: the queue is empty
    if (sealed === 0) return total;
    total += sealed;
  }
}

/** sealCommitted() for every municipality with committed entries waiting (left by a process that stopped between its commit and its sealing); returns how many were sealed. */
export async function sealAllCommitted(ds: DataSource): Promise<number> {
  const waiting: Array<{ municipality_id: string }> = await ds.query(`SELECT DISTINCT municipality_id FROM audit_seal_queue`);
  let total = 0;
  for (const { municipality_id: m } of waiting) total += await sealCommitted(ds, m);
  return total;
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
