import { readCsv } from './csv';
import { MAX_IMPORT_ROWS } from './limits';
import { unreadable, type Sheet } from './sheet-builder';
import { readXlsx } from './xlsx';

export { detectDelimiter } from './csv';
export type { Cell, Sheet, SheetRow } from './sheet-builder';

/** An XLSX is a ZIP: local file header "PK\x03\x04". */
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * Reads an uploaded CSV or XLSX into a header and rows, as a stream with the limits of limits.ts
 * enforced while reading (a file over one is 422 naming it), yielding the event loop as it goes.
 * An XLSX is told by its content (the ZIP magic bytes); anything else must be UTF-8 text. Throws
 * a 400 naming `file` when the file is neither.
 */
export async function readSheet(buffer: Buffer, fileName = '', mimeType = '', maxRows = MAX_IMPORT_ROWS): Promise<Sheet> {
  if (buffer.length === 0) throw unreadable('is empty');
  if (buffer.subarray(0, 4).equals(ZIP_MAGIC)) return readXlsx(buffer, maxRows);
  if (/\.xlsx$/i.test(fileName) || mimeType === XLSX_MIME) throw unreadable('is not a valid XLSX workbook');
  return readCsv(buffer, maxRows);
}
