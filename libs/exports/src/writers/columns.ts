import type { CellKind } from '../cells';

/** A column of an exported table: its header (the contract's field name), its kind and how a row gives its value. */
export interface ExportColumn<R> {
  name: string;
  /** The header people read (XLSX, and CSV for Polish spreadsheets); the name when left out. */
  label?: string;
  /** Polish names of the column's codes (mode, form, status, …), for the files people read. */
  codes?: Readonly<Record<string, string>>;
  kind: CellKind;
  /** XLSX column width in characters */
  width?: number;
  value(row: R): string | number | null;
}

/** The column as people read it: its Polish header, and its codes turned into their Polish names. */
export function forPeople<R>(column: ExportColumn<R>): ExportColumn<R> {
  const codes = column.codes;
  return {
    ...column,
    name: column.label ?? column.name,
    value: codes ? (row) => {
      const v = column.value(row);
      return typeof v === 'string' && Object.hasOwn(codes, v) ? codes[v] : v;
    } : column.value,
  };
}
