import type { Actor } from '@app/core';
import type { EntityManager } from 'typeorm';
import type { ImportError } from './imports.errors';
import type { KindSpec, RowBatch } from './kind';
import type { Layout } from './layout';
import type { NgoResolver } from './ngo-resolver';
import { describe, prepareRow, rowErrors, type PreparedRow } from './rows';
import type { Sheet } from './sheet';

/** Rows a chunk: validated, checked and written together; only one chunk's rows are held as DTOs. */
const CHUNK_ROWS = 2000;

/**
 * A file through the service's batch create (KindSpec.batch), in chunks: each row validated by the
 * route's DTO as in importRows, then checked by the service's rules in file order (each as if the
 * good rows before it were written: a small grant's yearly cap counts them), and while the file is
 * clean each chunk's rows written in a few statements of many rows, with their audit entries.
 * Time grows with the rows alone: no SAVEPOINT per batch and no statement per row.
 *
 * After a bad row nothing more is written (the import is refused whole) but every row is still
 * checked, so that the answer names every bad row, as importRows does. A row the rules passed and
 * the database then refused (a constraint the rules do not know of) cannot be told within its
 * statement: then everything this wrote is rolled back and `null` returned, and the caller goes
 * row by row (importRows), which names it.
 */
export async function importInBulk(em: EntityManager, actor: Actor, spec: KindSpec, batch: RowBatch, sheet: Sheet, layout: Layout, resolve: NgoResolver | null): Promise<ImportError[] | null> {
  const order = new Map(spec.columns.map((c, i) => [c.name, i]));
  const rank = (e: ImportError) => (e.column === null ? Number.MAX_SAFE_INTEGER : (order.get(e.column) ?? Number.MAX_SAFE_INTEGER));
  const errors: ImportError[] = [...layout.errors];
  let writing = errors.length === 0;
  await em.query('SAVEPOINT import_bulk');
  for (let start = 0; start < sheet.rows.length; start += CHUNK_ROWS) {
    const rows: PreparedRow[] = [];
    for (const sheetRow of sheet.rows.slice(start, start + CHUNK_ROWS)) rows.push(await prepareRow(spec, layout, sheetRow, resolve));
    const valid = rows.filter((r) => r.dto);
    await batch.read(valid.map((r) => r.dto!));
    const good: object[] = [];
    for (const row of valid) {
      const refused = batch.check(row.dto!);
      if (refused) {
        for (const e of rowErrors(refused, spec)!) row.errors.push({ line: row.line, column: e.column, message: describe(e.message, row.tokens, undefined) });
      }
      // a row with an error found before the service (an unknown NGO) was checked for its other errors only
      if (row.errors.length) continue;
      batch.accept(row.dto!);
      good.push(row.dto!);
    }
    const bad = rows.filter((r) => r.errors.length);
    if (bad.length) writing = false;
    if (writing) {
      // the foreign-key checks run plans cached when the tables were smaller (see importRows)
      await em.query('DISCARD PLANS');
      try {
        await batch.insert(good);
      } catch (error) {
        if (!rowErrors(error, spec)) throw error;
        await em.query('ROLLBACK TO SAVEPOINT import_bulk; RELEASE SAVEPOINT import_bulk');
        return null;
      }
    }
    for (const row of bad) errors.push(...row.errors.sort((a, b) => rank(a) - rank(b)));
  }
  await em.query('RELEASE SAVEPOINT import_bulk');
  return errors;
}
