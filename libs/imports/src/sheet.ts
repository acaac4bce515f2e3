import { ValidationFailed } from '@app/core';
import { parse, CsvError } from 'csv-parse/sync';
import ExcelJS from 'exceljs';

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

/** An XLSX is a ZIP: local file header "PK\x03\x04". */
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** What a workbook may expand to (a 20 MiB file of XML compresses about tenfold); more is refused before unpacking. */
export const MAX_UNZIPPED_BYTES = 256 * 1024 * 1024;

function unreadable(message: string): ValidationFailed {
  return ValidationFailed.field('file', message);
}

/**
 * Reads an uploaded CSV or XLSX into a header and rows. An XLSX is told by its content (the ZIP
 * magic bytes); anything else must be UTF-8 text. Throws a 400 naming `file` when the file is
 * neither.
 */
export async function readSheet(buffer: Buffer, fileName = '', mimeType = ''): Promise<Sheet> {
  if (buffer.length === 0) throw unreadable('is empty');
  if (buffer.subarray(0, 4).equals(ZIP_MAGIC)) return readXlsx(buffer);
  if (/\.xlsx$/i.test(fileName) || mimeType === XLSX_MIME) throw unreadable('is not a valid XLSX workbook');
  return readCsv(buffer);
}

// ---------------------------------------------------------------------------------------- CSV

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The header line's delimiter: a semicolon when it has more semicolons than commas (outside quotes), else a comma. */
export function detectDelimiter(text: string): ',' | ';' {
  let commas = 0;
  let semicolons = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) break;
    else if (!quoted && c === ',') commas++;
    else if (!quoted && c === ';') semicolons++;
  }
  return semicolons > commas ? ';' : ',';
}

/** Byte offsets at which each physical line starts (CRLF, LF and a lone CR each end a line). */
function lineStarts(bytes: Buffer): number[] {
  const starts = [0];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x0a || (b === 0x0d && bytes[i + 1] !== 0x0a)) starts.push(i + 1);
  }
  return starts;
}

function readCsv(buffer: Buffer): Sheet {
  let text: string;
  try {
    // the decoder drops a leading BOM
    text = utf8.decode(buffer);
  } catch {
    throw unreadable('is neither an XLSX workbook nor a CSV file in UTF-8 (save it as "CSV UTF-8")');
  }
  if (text.includes('\u0000')) throw unreadable('is neither an XLSX workbook nor a CSV file in UTF-8');
  // csv-parse counts a CRLF inside a quoted cell as two lines, so lines are counted here, from its byte offsets
  const bytes = Buffer.from(text, 'utf8');
  let records: Array<{ record: string[]; info: { bytes: number } }>;
  try {
    records = parse(bytes, { delimiter: detectDelimiter(text), info: true, relax_column_count: true, skip_empty_lines: false }) as unknown as typeof records;
  } catch (error) {
    if (error instanceof CsvError) throw unreadable(`is not a valid CSV file: ${error.message}`);
    throw error;
  }
  const starts = lineStarts(bytes);
  let line = 0; // index into starts
  let offset = 0; // where the next record begins
  const all: SheetRow[] = [];
  for (const { record, info } of records) {
    while (line + 1 < starts.length && starts[line + 1] <= offset) line++;
    all.push({ line: line + 1, cells: record.map((c) => c.trim()) });
    offset = info.bytes;
  }
  return fromRows('csv', all);
}

/** The first non-blank row is the header (it must be line 1); blank rows are dropped. */
function fromRows(format: Sheet['format'], all: SheetRow[]): Sheet {
  const rows = all.filter((r) => r.cells.some((c) => c !== null && c !== ''));
  if (rows.length === 0) throw unreadable('holds no header row');
  const [head, ...data] = rows;
  if (head.line !== 1) throw unreadable('must have its header (the column names) on line 1');
  return { format, header: head.cells.map((c) => (c === null ? '' : String(c).trim())), rows: data };
}

// --------------------------------------------------------------------------------------- XLSX

/** The sum of the uncompressed sizes in a ZIP's central directory; null when it cannot be read. */
export function unzippedSize(zip: Buffer): number | null {
  // the end-of-central-directory record: at least 22 bytes, at most a 64 KiB comment from the end
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) !== 0x06054b50) continue;
    const entries = zip.readUInt16LE(i + 10);
    let p = zip.readUInt32LE(i + 16);
    let total = 0;
    for (let n = 0; n < entries; n++) {
      if (p + 46 > zip.length || zip.readUInt32LE(p) !== 0x02014b50) return null;
      const size = zip.readUInt32LE(p + 24);
      if (size === 0xffffffff) return null; // ZIP64: never needed by a sheet of this size
      total += size;
      p += 46 + zip.readUInt16LE(p + 28) + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
    }
    return total;
  }
  return null;
}

function xlsxCell(value: ExcelJS.CellValue): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean' || value instanceof Date) return value;
  if ('richText' in value) return value.richText.map((t) => t.text).join('').trim();
  if ('formula' in value || 'sharedFormula' in value) {
    const result = (value as ExcelJS.CellFormulaValue).result;
    if (result === undefined) return null;
    if (typeof result === 'object' && !(result instanceof Date)) return result.error; // e.g. #N/A: refused as a value
    return typeof result === 'string' ? result.trim() : result;
  }
  if ('hyperlink' in value) {
    const text = value.text as unknown;
    if (typeof text === 'string') return text.trim();
    if (text && typeof text === 'object' && 'richText' in text) return (text as ExcelJS.CellRichTextValue).richText.map((t) => t.text).join('').trim();
    return value.hyperlink;
  }
  if ('error' in value) return value.error;
  return null;
}

async function readXlsx(buffer: Buffer): Promise<Sheet> {
  const size = unzippedSize(buffer);
  if (size === null) throw unreadable('is not a valid XLSX workbook');
  if (size > MAX_UNZIPPED_BYTES) throw unreadable(`expands to more than ${MAX_UNZIPPED_BYTES / 1024 / 1024} MiB; split it`);
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(buffer as unknown as ExcelJS.Buffer);
  } catch {
    throw unreadable('is not a valid XLSX workbook');
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw unreadable('is an XLSX workbook without a worksheet');
  const all: SheetRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const values = row.values as ExcelJS.CellValue[]; // 1-based, sparse
    const cells: Cell[] = [];
    for (let c = 1; c < values.length; c++) cells.push(xlsxCell(values[c]));
    all.push({ line: rowNumber, cells });
  });
  return fromRows('xlsx', all);
}
