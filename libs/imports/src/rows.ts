import { AppValidationPipe, DomainError, isInputError, pgError, PG, toProblem, ValidationFailed } from '@app/core';
import { cellValue, type ColumnSpec } from './columns';
import type { ImportError } from './imports.errors';
import type { KindSpec } from './kind';
import type { Layout } from './layout';
import type { NgoResolver } from './ngo-resolver';
import type { SheetRow } from './sheet';

export interface PreparedRow {
  line: number;
  /** The validated DTO; null when validation refused the row. */
  dto: object | null;
  /** What the file gave for each of dto.ngoIds, to name it in messages. */
  tokens: string[];
  errors: ImportError[];
}

/** The global pipe's own validation: the same options, transformation and error flattening as a POST. */
const pipe = new AppValidationPipe();

/** A field of a domain error ("ngoIds.1", "spheres") → its column ("ngoIds"), or null when no column has it. */
function columnOfField(field: string, columns: ColumnSpec[]): string | null {
  const name = field.split('.')[0];
  return columns.some((c) => c.name === name) ? name : null;
}

/** A row as the DTO would take it (no database): its cells as values, its NGOs resolved, validated by the global pipe. */
export async function prepareRow(spec: KindSpec, layout: Layout, sheetRow: SheetRow, resolve: NgoResolver | null): Promise<PreparedRow> {
  const row: PreparedRow = { line: sheetRow.line, dto: null, tokens: [], errors: [] };
  const add = (column: string | null, message: string) => row.errors.push({ line: row.line, column, message });
  const plain: Record<string, unknown> = {};
  let extra = 0;
  sheetRow.cells.forEach((cell, i) => {
    if (i >= layout.byIndex.length) extra += cell === null || cell === '' ? 0 : 1;
    const column = layout.byIndex[i];
    if (!column) return;
    const value = cellValue(column, cell, column.name === 'ngoIds' ? 'krs' : 'text');
    if (value !== undefined) plain[column.name] = value;
  });
  if (extra) add(null, `The row has ${extra} ${extra === 1 ? 'value' : 'values'} beyond the header's ${layout.byIndex.length} columns`);

  // a task's NGOs: ids, KRS or NIP numbers, resolved to ids; tokens[i] is what the file gave for ngoIds[i]
  if (resolve && Array.isArray(plain.ngoIds)) {
    const ids: string[] = [];
    for (const token of plain.ngoIds as string[]) {
      const found = resolve(token);
      if ('id' in found) {
        ids.push(found.id);
        row.tokens.push(token);
      } else {
        add('ngoIds', found.error);
      }
    }
    plain.ngoIds = ids;
  }

  try {
    row.dto = (await pipe.transform(plain, { type: 'body', metatype: spec.dto })) as object;
  } catch (error) {
    if (!(error instanceof ValidationFailed)) throw error;
    const reported = new Set(row.errors.map((e) => e.column));
    for (const e of error.errors ?? []) {
      const column = columnOfField(e.field, spec.columns);
      // a missing required column is reported once at line 1, an unresolved NGO once above
      if (column && (layout.missing.has(column) || reported.has(column))) continue;
      add(column, e.message);
    }
  }
  return row;
}

/** A service's error as the row's errors, or null for an error that must abort the import (database gone, a bug). */
export function rowErrors(error: unknown, spec: KindSpec): Array<{ column: string | null; message: string }> | null {
  if (error instanceof DomainError) {
    if (error.kind === 'unavailable') return null;
    if (!error.errors?.length) return [{ column: null, message: error.message }];
    return error.errors.map((e) => ({ column: columnOfField(e.field, spec.columns), message: e.field.startsWith('ngoIds.') ? `${e.field}: ${e.message}` : e.message }));
  }
  const code = pgError(error)?.code;
  if (code === PG.foreignKeyViolation) return [{ column: null, message: 'The row refers to a record that does not exist in this municipality' }];
  if (isInputError(error) || code === PG.uniqueViolation || code === PG.exclusionViolation) return [{ column: null, message: toProblem(error).detail ?? 'The database refused the row' }];
  return null;
}

/** Names the file's own entry where a message speaks of ngoIds.<i>, and the earlier line of a unique clash within the file. */
export function describe(message: string, tokens: string[], earlierLine: number | undefined): string {
  const named = message.replace(/ngoIds\.(\d+)(: )?/g, (_m, i: string, colon?: string) => `the NGO "${tokens[Number(i)] ?? i}"${colon ? ': ' : ''}`);
  return earlierLine === undefined ? named : `${named} (line ${earlierLine} of this file)`;
}
