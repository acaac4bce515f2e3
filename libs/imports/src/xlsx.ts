import { DomainError } from '@app/core';
import { posix } from 'node:path';
import { SaxesParser } from 'saxes';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { MAX_UNZIPPED_BYTES, MAX_XML_RUN_BYTES, MAX_ZIP_ENTRIES, overLimit } from './limits';
import { SheetBuilder, unreadable, type Cell, type Sheet } from './sheet-builder';

const INVALID = 'is not a valid XLSX workbook';
/** Excel's last column, XFD. */
const MAX_COLUMN = 16_384;
const LT = 0x3c;

interface XmlHandlers {
  open?(name: string, attributes: Record<string, string>): void;
  close?(name: string): void;
  text?(text: string): void;
}

/** The bytes the workbook may still inflate to, shared by every part read. */
interface Budget {
  left: number;
}

/** "x:row" → "row": some writers prefix SpreadsheetML's names. */
const local = (name: string) => name.slice(name.indexOf(':') + 1);

async function entriesOf(zip: ZipFile): Promise<Map<string, Entry>> {
  if (zip.entryCount > MAX_ZIP_ENTRIES) throw overLimit.entries();
  const entries = new Map<string, Entry>();
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: Entry) => {
      entries.set(entry.fileName.toLowerCase(), entry);
      zip.readEntry();
    });
    zip.on('end', () => resolve());
    zip.on('error', reject);
    zip.readEntry();
  });
  return entries;
}

/**
 * Parses one part of the workbook as it inflates: the inflated bytes are counted against the
 * budget (whatever sizes the ZIP declares) and the XML goes to a SAX parser chunk by chunk, so
 * that neither the part nor its tree is ever held whole. A handler may throw to stop reading.
 */
async function readXml(zip: ZipFile, entry: Entry, budget: Budget, handlers: XmlHandlers): Promise<void> {
  if (entry.uncompressedSize > budget.left) throw overLimit.unzipped();
  const parser = new SaxesParser();
  parser.on('opentag', (tag) => handlers.open?.(local(tag.name), tag.attributes as Record<string, string>));
  parser.on('closetag', (tag) => handlers.close?.(local(tag.name)));
  if (handlers.text) {
    parser.on('text', handlers.text);
    parser.on('cdata', handlers.text);
  }
  const decoder = new TextDecoder();
  let stream: NodeJS.ReadableStream | undefined;
  let run = 0; // bytes since the last "<"
  try {
    stream = await zip.openReadStreamPromise(entry);
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      budget.left -= chunk.length;
      if (budget.left < 0) throw overLimit.unzipped();
      const first = chunk.indexOf(LT);
      if (run + (first < 0 ? chunk.length : first) > MAX_XML_RUN_BYTES) throw overLimit.xmlRun();
      run = first < 0 ? run + chunk.length : chunk.length - chunk.lastIndexOf(LT) - 1;
      parser.write(decoder.decode(chunk, { stream: true }));
    }
    parser.write(decoder.decode());
    parser.close();
  } catch (error) {
    if (error instanceof DomainError) throw error;
    throw unreadable(INVALID);
  } finally {
    (stream as { destroy?: () => void } | undefined)?.destroy?.();
  }
}

/** The first worksheet's part and whether dates count from 1904, from the workbook and its relationships. */
async function firstSheet(zip: ZipFile, entries: Map<string, Entry>, budget: Budget): Promise<{ entry: Entry; date1904: boolean }> {
  const workbook = entries.get('xl/workbook.xml');
  const rels = entries.get('xl/_rels/workbook.xml.rels');
  if (!workbook || !rels) throw unreadable(INVALID);
  let id: string | undefined;
  let date1904 = false;
  await readXml(zip, workbook, budget, {
    open(name, attributes) {
      if (name === 'workbookPr') date1904 = attributes.date1904 === '1' || attributes.date1904 === 'true';
      if (name === 'sheet' && id === undefined) id = Object.entries(attributes).find(([key]) => key.endsWith(':id'))?.[1];
    },
  });
  if (id === undefined) throw unreadable('is an XLSX workbook without a worksheet');
  let target: string | undefined;
  await readXml(zip, rels, budget, {
    open(name, attributes) {
      if (name === 'Relationship' && attributes.Id === id) target = attributes.Target;
    },
  });
  const path = target === undefined ? undefined : target.startsWith('/') ? target.slice(1) : posix.join('xl', target);
  const entry = path === undefined ? undefined : entries.get(path.toLowerCase());
  if (!entry) throw unreadable(INVALID);
  return { entry, date1904 };
}

/** Excel's built-in number formats that show dates (as exceljs reads them). */
const DATE_FORMAT_IDS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47]);

/** A format code shows a date when, outside quotes and brackets, it has a date or time letter. */
function isDateFormat(code: string): boolean {
  return /[ymdhMsb]+/.test(code.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, ''));
}

/** For each cell style (the `s` of a cell), whether its number format shows a date. */
async function dateStyles(zip: ZipFile, entry: Entry | undefined, budget: Budget): Promise<boolean[]> {
  if (!entry) return [];
  const codes = new Map<number, string>();
  const formats: number[] = [];
  let inCellXfs = false;
  await readXml(zip, entry, budget, {
    open(name, attributes) {
      if (name === 'numFmt') codes.set(Number(attributes.numFmtId), attributes.formatCode ?? '');
      else if (name === 'cellXfs') inCellXfs = true;
      else if (name === 'xf' && inCellXfs) formats.push(Number(attributes.numFmtId ?? 0));
    },
    close(name) {
      if (name === 'cellXfs') inCellXfs = false;
    },
  });
  return formats.map((id) => (codes.has(id) ? isDateFormat(codes.get(id)!) : DATE_FORMAT_IDS.has(id)));
}

/** The shared strings, each counted as a cell: rich text runs joined, phonetic guides left out. */
async function sharedStrings(zip: ZipFile, entry: Entry | undefined, budget: Budget, sheet: SheetBuilder): Promise<string[]> {
  const strings: string[] = [];
  if (!entry) return strings;
  let text = '';
  let inText = false;
  let phonetic = 0;
  await readXml(zip, entry, budget, {
    open(name) {
      if (name === 'si') text = '';
      else if (name === 'rPh') phonetic++;
      else if (name === 't' && phonetic === 0) inText = true;
    },
    close(name) {
      if (name === 't') inText = false;
      else if (name === 'rPh') phonetic--;
      else if (name === 'si') {
        sheet.count(1);
        strings.push(text);
      }
    },
    text(t) {
      if (inText) text += t;
    },
  });
  return strings;
}

/** "AB12" → 28. */
function columnOf(reference: string): number {
  let column = 0;
  for (const c of reference.toUpperCase()) {
    const code = c.charCodeAt(0);
    if (code < 65 || code > 90) break;
    column = column * 26 + code - 64;
  }
  return column;
}

interface CellState {
  column: number;
  type: string;
  style: number;
  formula: boolean;
  value: string | null;
  inline: string | null;
}

/** A cell as exceljs gave it: shared and inline strings trimmed, numbers in a date format as dates, a formula's cached result, an error's code. */
function cellValue(c: CellState, shared: string[], dates: boolean[], date1904: boolean): Cell {
  if (c.type === 'inlineStr') return c.inline === null ? null : c.inline.trim();
  if (c.value === null) return null;
  switch (c.type) {
    case 's':
      return shared[Number(c.value)]?.trim() ?? null;
    case 'str':
      return c.value.trim();
    case 'b':
      return Number(c.value) !== 0;
    case 'e':
      return c.value;
    case 'd': {
      const date = new Date(c.value);
      return Number.isNaN(date.getTime()) ? c.value : date;
    }
    default: {
      const n = parseFloat(c.value);
      return dates[c.style] ? new Date(Math.round((n - 25569 + (date1904 ? 1462 : 0)) * 24 * 3600 * 1000)) : n;
    }
  }
}

async function readRows(zip: ZipFile, entry: Entry, budget: Budget, sheet: SheetBuilder, shared: string[], dates: boolean[], date1904: boolean): Promise<void> {
  let line = 0;
  let cells: Cell[] = [];
  let cell: CellState | null = null;
  let capture: 'value' | 'inline' | null = null;
  let phonetic = 0;
  await readXml(zip, entry, budget, {
    open(name, a) {
      switch (name) {
        case 'row':
          line = a.r ? Number(a.r) : line + 1;
          if (!Number.isSafeInteger(line) || line < 1) throw unreadable(INVALID);
          cells = [];
          break;
        case 'c': {
          const column = a.r ? columnOf(a.r) : (cell?.column ?? cells.length) + 1;
          if (column < 1 || column > MAX_COLUMN) throw unreadable(INVALID);
          cell = { column, type: a.t ?? 'n', style: Number(a.s ?? 0), formula: false, value: null, inline: null };
          break;
        }
        case 'f':
          if (cell) cell.formula = true;
          break;
        case 'v':
          capture = 'value';
          if (cell) cell.value = '';
          break;
        case 'rPh':
          phonetic++;
          break;
        case 't':
          if (cell && phonetic === 0) {
            capture = 'inline';
            cell.inline ??= '';
          }
          break;
      }
    },
    text(t) {
      if (!cell || capture === null) return;
      if (capture === 'value') cell.value += t;
      else cell.inline += t;
    },
    close(name) {
      switch (name) {
        case 'v':
        case 't':
          capture = null;
          break;
        case 'rPh':
          phonetic--;
          break;
        case 'c': {
          const value = cell ? cellValue(cell, shared, dates, date1904) : null;
          if (cell && value !== null) {
            while (cells.length < cell.column - 1) cells.push(null);
            cells[cell.column - 1] = value;
          }
          break;
        }
        case 'row':
          cell = null;
          sheet.add(line, cells);
          break;
      }
    },
  });
}

/**
 * Reads the first worksheet of an XLSX: the ZIP's parts inflated as streams under one byte budget
 * (MAX_UNZIPPED_BYTES, counted as inflated), parsed with a SAX parser, the rows handed to the
 * builder as they close, so a row or cell over a limit stops the reading there.
 */
export async function readXlsx(buffer: Buffer, maxRows: number): Promise<Sheet> {
  let zip: ZipFile;
  try {
    // sizes are checked against what actually inflates, not against what the ZIP declares
    zip = await yauzl.fromBufferPromise(buffer, { lazyEntries: true, validateEntrySizes: false });
  } catch {
    throw unreadable(INVALID);
  }
  try {
    const entries = await entriesOf(zip).catch((error: unknown) => {
      throw error instanceof DomainError ? error : unreadable(INVALID);
    });
    const budget: Budget = { left: MAX_UNZIPPED_BYTES };
    const sheet = new SheetBuilder('xlsx', maxRows);
    const { entry, date1904 } = await firstSheet(zip, entries, budget);
    const dates = await dateStyles(zip, entries.get('xl/styles.xml'), budget);
    const shared = await sharedStrings(zip, entries.get('xl/sharedstrings.xml'), budget, sheet);
    await readRows(zip, entry, budget, sheet, shared, dates, date1904);
    return sheet.finish();
  } finally {
    zip.close();
  }
}
