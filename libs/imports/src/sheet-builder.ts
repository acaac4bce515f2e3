import { ValidationFailed } from '@app/core';
import { MAX_IMPORT_CELLS, overLimit } from './limits';

/** One cell as the file gives it: CSV cells are text; XLSX cells keep their type. */
export type Cell = string | number | boolean | Date | null;

export interface SheetRow {
  /** The file's line (CSV: the record's first physical line; XLSX: the row number), the header being line 1. */
  line: number;
  cells: Cell[];
}

export interface Sheet {
  format: 'csv' | 'xlsx';
  /** The header's cells, trimmed; line 1. */
  header: string[];
  /** The data rows, blank ones left out. */
  rows: SheetRow[];
}

export function unreadable(message: string): ValidationFailed {
  return ValidationFailed.field('file', message);
}

/**
 * Collects the rows as a reader finds them, enforcing the limits as it goes: the first non-blank
 * row is the header (it must be line 1), blank rows are dropped, and one row or cell over a limit
 * throws at once, so that a reader stops where the limit is passed.
 */
export class SheetBuilder {
  private header: string[] | null = null;
  private readonly rows: SheetRow[] = [];
  private cells = 0;

  constructor(
    private readonly format: Sheet['format'],
    private readonly maxRows: number,
  ) {}

  add(line: number, cells: Cell[]): void {
    if (!cells.some((c) => c !== null && c !== '')) return;
    this.count(cells.length);
    if (!this.header) {
      if (line !== 1) throw unreadable('must have its header (the column names) on line 1');
      this.header = cells.map((c) => (c === null ? '' : String(c).trim()));
      return;
    }
    if (this.rows.length === this.maxRows) throw overLimit.rows(this.maxRows);
    this.rows.push({ line, cells });
  }

  /** Cells the reader holds besides the rows (an XLSX's shared strings). */
  count(cells: number): void {
    this.cells += cells;
    if (this.cells > MAX_IMPORT_CELLS) throw overLimit.cells();
  }

  finish(): Sheet {
    if (!this.header) throw unreadable('holds no header row');
    return { format: this.format, header: this.header, rows: this.rows };
  }
}
