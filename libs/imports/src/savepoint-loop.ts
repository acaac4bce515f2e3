import type { Actor } from '@app/core';
import type { EntityManager } from 'typeorm';
import type { ImportError } from './imports.errors';
import type { KindSpec } from './kind';
import type { Layout } from './layout';
import type { NgoResolver } from './ngo-resolver';
import { describe, prepareRow, rowErrors, type PreparedRow } from './rows';
import type { Sheet } from './sheet';

const REPLAN_EVERY = 1000;
/** Good rows in one SAVEPOINT at most, so that a failed row replays at most these (each new savepoint costs a little: see importRows). */
const BATCH_ROWS = 2500;

/**
 * Each row through the route's DTO validation, then through the service's create, so that every
 * rule, uniqueness check, tenancy check and audit entry of the API applies. Good rows stay in the
 * transaction, so later rows are checked against them (one KRS twice, a small-grant yearly cap).
 *
 * A row that fails in the service (a rule, a unique clash, a value the database refuses) must
 * leave no trace and must not abort the others: the rows run inside SAVEPOINT import_batch, and
 * a failed row rolls back to it, the good rows since are applied again, and a new batch begins.
 * That is what a SAVEPOINT per row gives, without its cost: every audit entry updates the
 * municipality's one chain-head row, and under a subtransaction per row each lookup of that row
 * walks versions of thousands of subtransactions (10 000 NGOs: 64 s, against about 20 s in
 * batches; a batch of 2500 rows instead of one for the whole file costs about 10 %).
 */
export async function importRows(em: EntityManager, actor: Actor, spec: KindSpec, sheet: Sheet, layout: Layout, resolve: NgoResolver | null): Promise<ImportError[]> {
  const order = new Map(spec.columns.map((c, i) => [c.name, i]));
  const earlier = new Map<string, number>(); // "krs:0000123456" → the line that holds it
  const rows: PreparedRow[] = [];
  let batch: PreparedRow[] | null = null; // the good rows since SAVEPOINT import_batch, null when none is set

  const apply = async (row: PreparedRow): Promise<boolean> => {
    try {
      await spec.create(actor, row.dto!);
    } catch (error) {
      const found = rowErrors(error, spec);
      if (!found) throw error;
      for (const e of found) {
        const value = e.column && spec.unique.includes(e.column) ? (row.dto as Record<string, unknown>)[e.column] : undefined;
        row.errors.push({ line: row.line, column: e.column, message: describe(e.message, row.tokens, earlier.get(`${e.column}:${value}`)) });
      }
    }
    // a row with an error found before the service (an unknown NGO) went through it for its other errors only
    if (row.errors.length) return false;
    for (const field of spec.unique) {
      const value = (row.dto as Record<string, unknown>)[field];
      if (typeof value === 'string' && !earlier.has(`${field}:${value}`)) earlier.set(`${field}:${value}`, row.line);
    }
    return true;
  };

  for (const sheetRow of sheet.rows) {
    // The foreign-key checks (and the audit trigger) run plans the connection cached when the tables
    // were small, and autovacuum's ANALYZE cannot see this transaction's rows: a plan that scans a
    // whole table makes an import quadratic (task_ngos → tasks: 1.35 ms a row at 10 000). Dropping
    // the cached plans now and then lets them be made again for the tables as they are.
    if (rows.length % REPLAN_EVERY === 0) await em.query('DISCARD PLANS');
    const row = await prepareRow(spec, layout, sheetRow, resolve);
    rows.push(row);
    if (!row.dto) continue;
    if (!batch) {
      await em.query('SAVEPOINT import_batch');
      batch = [];
    }
    if (await apply(row)) {
      batch.push(row);
      if (batch.length === BATCH_ROWS) {
        await em.query('RELEASE SAVEPOINT import_batch');
        batch = null;
      }
      continue;
    }
    // undo the failed row (its writes, or the transaction it aborted): back to the batch's start, the good rows again
    let queue = batch;
    for (;;) {
      await em.query('ROLLBACK TO SAVEPOINT import_batch');
      const good: PreparedRow[] = [];
      let failed = -1;
      for (let i = 0; i < queue.length && failed < 0; i++) {
        if (await apply(queue[i])) good.push(queue[i]);
        else failed = i; // a row that passed before and fails now (a concurrent write): undo it too
      }
      if (failed < 0) break;
      queue = [...good, ...queue.slice(failed + 1)];
    }
    // a new batch from here, so that the next failure replays only the rows after this one
    await em.query('RELEASE SAVEPOINT import_batch');
    batch = null;
  }
  if (batch) await em.query('RELEASE SAVEPOINT import_batch');

  const rank = (e: ImportError) => (e.column === null ? Number.MAX_SAFE_INTEGER : (order.get(e.column) ?? Number.MAX_SAFE_INTEGER));
  return [...layout.errors, ...rows.flatMap((r) => r.errors.sort((a, b) => rank(a) - rank(b)))];
}
