import type { CellKind } from '../cells';

/** A column of an exported table: its header (the contract's field name), its kind and how a row gives its value. */
export interface ExportColumn<R> {
  name: string;
  kind: CellKind;
  /** XLSX column width in characters */
  width?: number;
  value(row: R): string | number | null;
}
