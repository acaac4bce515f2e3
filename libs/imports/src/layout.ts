import type { ColumnSpec } from './columns';
import type { ImportError } from './imports.errors';
import type { KindSpec } from './kind';
import type { Sheet } from './sheet';

/** Where each cell of a row goes: the header mapped onto the kind's columns. */
export interface Layout {
  byIndex: Array<ColumnSpec | null>;
  /** Required columns the header lacks: reported once at line 1, not on every row. */
  missing: Set<string>;
  errors: ImportError[];
}

/** The header against the kind's columns: unknown, repeated and missing columns are errors at line 1. */
export function layoutOf(spec: KindSpec, sheet: Sheet): Layout {
  const byName = new Map(spec.columns.map((c) => [c.name.toLowerCase(), c]));
  const seen = new Set<string>();
  const errors: ImportError[] = [];
  const byIndex = sheet.header.map((name, i) => {
    if (name === '') {
      if (sheet.rows.some((r) => r.cells[i] !== null && r.cells[i] !== undefined && r.cells[i] !== '')) {
        errors.push({ line: 1, column: null, message: `Column ${i + 1} holds values but has no name in the header` });
      }
      return null;
    }
    const column = byName.get(name.toLowerCase());
    if (!column) {
      errors.push({ line: 1, column: name, message: `Unknown column; the columns are ${spec.columns.map((c) => c.name).join(', ')}` });
      return null;
    }
    if (seen.has(column.name)) {
      errors.push({ line: 1, column: column.name, message: 'The column appears more than once' });
      return null;
    }
    seen.add(column.name);
    return column;
  });
  const missing = new Set(spec.columns.filter((c) => c.required && !seen.has(c.name)).map((c) => c.name));
  for (const name of missing) errors.push({ line: 1, column: name, message: 'A required column is missing' });
  return { byIndex, missing, errors };
}
