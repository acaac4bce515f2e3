import type ArchiverCoreClass from 'archiver/lib/core';
import type ExcelJS from 'exceljs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { xlsxNumFmt, xlsxValue, type CellKind } from '../cells';
import type { ExportColumn } from './columns';
import { columnLetter, rowXml, type SheetColumn } from './sheet-xml';

/**
 * exceljs and archiver's core (some 300 modules, a few tenths of a second to load), loaded with the
 * first workbook: a process that writes none (most CLI commands, the worker) starts without them.
 */
interface Libraries {
  excel: typeof ExcelJS;
  archiverCore: typeof ArchiverCoreClass;
}
let libraries: Promise<Libraries> | undefined;
function loadLibraries(): Promise<Libraries> {
  libraries ??= Promise.all([import('exceljs'), import('archiver/lib/core')]).then(([excel, archiver]) => ({ excel: excel.default, archiverCore: archiver.default }));
  return libraries;
}

type Value = string | number | null;
type Columns = Array<{ name: string; kind: CellKind; width?: number }>;

/** A sheet holding one table: a bold, frozen header row with a filter, then one row per item, streamed. */
export interface XlsxTableSheet {
  kind: 'table';
  name: string;
  columns: Columns;
  /** each row's values, in column order, pulled one at a time */
  rows: AsyncIterable<Value[]>;
}

/** A table sheet of `rows`, each turned into its values as it is read. */
export function xlsxTable<R>(name: string, columns: ReadonlyArray<ExportColumn<R>>, rows: Iterable<R> | AsyncIterable<R>): XlsxTableSheet {
  async function* values(): AsyncGenerator<Value[]> {
    for await (const row of rows) yield columns.map((c) => c.value(row));
  }
  return { kind: 'table', name, columns: columns.map((c) => ({ name: c.name, kind: c.kind, width: c.width })), rows: values() };
}

/** A few small tables one under another, each with a bold title and header row (a summary sheet). */
export interface XlsxBlocksSheet {
  kind: 'blocks';
  name: string;
  /** column widths in characters */
  widths: number[];
  blocks: XlsxBlock[];
}

export interface XlsxBlock {
  title: string;
  columns: Columns;
  values: Value[][];
}

/** A small table of `rows`, evaluated now (summaries are small). */
export function xlsxBlock<R>(title: string, columns: ReadonlyArray<ExportColumn<R>>, rows: readonly R[]): XlsxBlock {
  return { title, columns: columns.map((c) => ({ name: c.name, kind: c.kind })), values: rows.map((row) => columns.map((c) => c.value(row))) };
}

export type XlsxSheet = XlsxTableSheet | XlsxBlocksSheet;

export interface XlsxSettings {
  /** The workbook's creation time (its document properties): the report's own time, not the export's. */
  created: Date;
}

type Cell = ExcelJS.Cell;

/** Bytes of row XML between two looks at the zip's backlog, and the backlog (sheet XML not yet compressed) that makes the writer wait. */
const BACKLOG_CHECK_BYTES = 64 * 1024;
const BACKLOG_LIMIT = 1024 * 1024;

interface ZipEntryStream extends NodeJS.EventEmitter {
  _writableState?: { length: number };
  writableLength?: number;
}

/** What the table sheet uses of exceljs 4.4's streaming writer beyond its typed API. */
interface SheetInternals {
  /** the sheet's XML stream (exceljs's StreamBuf); `pipes[0]` is the zip's entry stream */
  stream: { write(xml: string): unknown; pipes?: ZipEntryStream[] };
}
interface WorkbookInternals {
  /** the workbook's style table: the index of a cell style, added when new */
  styles: { addStyleModel(style: { numFmt: string }, type: ExcelJS.ValueType): number };
}

/**
 * Waits while the zip is behind. exceljs's streaming writer hands each sheet's XML to the zip
 * (archiver) through its own buffer, which ignores the backpressure of the zip's entry stream: rows
 * written faster than they are compressed pile up there without bound (≈ 450 MB for 200 000 rows,
 * npm run bench -- export). When the entry stream's buffer is past the limit, wait for it to drain.
 */
async function zipCaughtUp(sheet: SheetInternals): Promise<void> {
  const entry = sheet.stream.pipes?.[0];
  const backlog = entry?._writableState?.length ?? entry?.writableLength ?? 0;
  if (entry && backlog > BACKLOG_LIMIT) await once(entry, 'drain');
}

function fillRow(cells: (index: number) => Cell, kinds: CellKind[], values: Value[]): void {
  values.forEach((value, i) => {
    const cell = cells(i + 1);
    cell.value = xlsxValue(kinds[i], value);
    const numFmt = xlsxNumFmt(kinds[i]);
    if (numFmt) cell.numFmt = numFmt;
  });
}

/**
 * The streamed table: exceljs lays out the sheet (columns, the bold header row, the frozen pane,
 * the filter, the closing parts) and the rows go into its XML stream as strings (sheet-xml.ts).
 */
async function writeTable(workbook: ExcelJS.stream.xlsx.WorkbookWriter, sheet: XlsxTableSheet, valueType: typeof ExcelJS.ValueType): Promise<number> {
  const worksheet = workbook.addWorksheet(sheet.name, { views: [{ state: 'frozen', ySplit: 1 }] });
  worksheet.autoFilter = `A1:${columnLetter(sheet.columns.length - 1)}1`;
  worksheet.columns = sheet.columns.map((c) => {
    const numFmt = xlsxNumFmt(c.kind);
    return { key: c.name, width: c.width ?? 14, ...(numFmt ? { style: { numFmt } } : {}) };
  });
  const header = worksheet.addRow(sheet.columns.map((c) => c.name));
  header.eachCell((cell) => {
    cell.style = { font: { bold: true } };
  });
  header.commit(); // opens <sheetData> with row 1

  const styles = (workbook as unknown as WorkbookInternals).styles;
  const columns: SheetColumn[] = sheet.columns.map((c, i) => {
    const numFmt = xlsxNumFmt(c.kind);
    return { letter: columnLetter(i), kind: c.kind, styleId: numFmt ? styles.addStyleModel({ numFmt }, c.kind === 'date' ? valueType.Date : valueType.Number) : 0 };
  });
  const internals = worksheet as unknown as SheetInternals;
  let count = 0;
  let sinceCheck = 0;
  for await (const values of sheet.rows) {
    count += 1;
    const xml = rowXml(count + 1, columns, values);
    internals.stream.write(xml);
    sinceCheck += xml.length;
    if (sinceCheck >= BACKLOG_CHECK_BYTES) {
      sinceCheck = 0;
      await zipCaughtUp(internals);
    }
  }
  worksheet.commit();
  return count;
}

function writeBlocks(workbook: ExcelJS.stream.xlsx.WorkbookWriter, sheet: XlsxBlocksSheet): void {
  const worksheet = workbook.addWorksheet(sheet.name);
  worksheet.columns = sheet.widths.map((width, i) => ({ key: `c${i + 1}`, width }));
  for (const block of sheet.blocks) {
    const title = worksheet.addRow([block.title]);
    title.getCell(1).font = { bold: true, size: 12 };
    title.commit();
    const header = worksheet.addRow(block.columns.map((c) => c.name));
    header.eachCell((cell) => {
      cell.font = { bold: true };
    });
    header.commit();
    const kinds = block.columns.map((c) => c.kind);
    for (const values of block.values) {
      const row = worksheet.addRow([]);
      fillRow((i) => row.getCell(i), kinds, values);
      row.commit();
    }
    worksheet.addRow([]).commit();
  }
  worksheet.commit();
}

type ZipAppend = (source: unknown, data: Record<string, unknown>) => unknown;

/**
 * A streaming workbook whose zip entries all carry the export's own date: exceljs leaves archiver
 * to stamp each entry with the time of writing (the first ones while its constructor runs), so the
 * same revision gave different bytes each time. With fixed dates it exports to the same bytes, and
 * the SHA-256 the web app shows beside a download link is the file's the auditor receives.
 */
function workbookDated({ excel, archiverCore }: Libraries, options: ConstructorParameters<typeof ExcelJS.stream.xlsx.WorkbookWriter>[0], date: Date): ExcelJS.stream.xlsx.WorkbookWriter {
  const append = archiverCore.prototype.append;
  const dated: ZipAppend = function (this: unknown, source, data) {
    return append.call(this, source, { ...data, date });
  };
  // synchronous: no other code runs while the prototype is wrapped
  archiverCore.prototype.append = dated;
  try {
    const workbook = new excel.stream.xlsx.WorkbookWriter(options);
    (workbook as unknown as { zip: { append: ZipAppend } }).zip.append = dated;
    return workbook;
  } finally {
    archiverCore.prototype.append = append;
  }
}

/**
 * An XLSX workbook streamed into `out` through exceljs's streaming writer: rows go into the zip as
 * they come, and strings are stored inline, not in a shared-strings table that would grow with the
 * export. Sheets are written one after another (each complete before the next begins). `out` is
 * ended. Returns the number of data rows of the table sheets.
 */
export async function writeXlsx(out: Writable, sheets: XlsxSheet[], settings: XlsxSettings): Promise<number> {
  const loaded = await loadLibraries();
  const workbook = workbookDated(loaded, { stream: out, useStyles: true, useSharedStrings: false }, settings.created);
  workbook.creator = 'ngo-tracker';
  workbook.lastModifiedBy = 'ngo-tracker';
  workbook.created = settings.created;
  workbook.modified = settings.created;
  let rows = 0;
  for (const sheet of sheets) {
    if (sheet.kind === 'table') rows += await writeTable(workbook, sheet, loaded.excel.ValueType);
    else writeBlocks(workbook, sheet);
  }
  await workbook.commit();
  return rows;
}
