import { isUtf8 } from 'node:buffer';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { MAX_IMPORT_CELLS, overLimit } from './limits';
import { SheetBuilder, unreadable, type Sheet } from './sheet-builder';

/** The reader gives other requests the event loop after each slice of this size. */
export const CHUNK_BYTES = 64 * 1024;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

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

function invalid(message: string): never {
  throw unreadable(`is not a valid CSV file: ${message}`);
}

/**
 * Reads an RFC 4180 CSV in UTF-8 straight from its bytes: quoted cells with doubled quotes,
 * delimiters and line breaks inside them; CRLF, LF and a lone CR each end a line, and each record
 * gets the line it starts on. The rows and cells are counted as they are found, so the first one
 * over a limit stops the reading, and the event loop is free between slices of CHUNK_BYTES (taken
 * between cells, so a line of a million delimiters is sliced too).
 *
 * Not csv-parse: with rows shorter or longer than the first, which a file may have (and an attack
 * has by the million), it builds an error object per record, about 0.1 ms each.
 */
export async function readCsv(buffer: Buffer, maxRows: number): Promise<Sheet> {
  const bytes = buffer.subarray(0, 3).equals(BOM) ? buffer.subarray(3) : buffer;
  if (!isUtf8(bytes)) throw unreadable('is neither an XLSX workbook nor a CSV file in UTF-8 (save it as "CSV UTF-8")');
  if (bytes.includes(0)) throw unreadable('is neither an XLSX workbook nor a CSV file in UTF-8');
  const delimiter = detectDelimiter(bytes.toString('utf8', 0, Math.min(bytes.length, CHUNK_BYTES))).charCodeAt(0);
  const sheet = new SheetBuilder('csv', maxRows);
  const n = bytes.length;
  let line = 1; // the line at position i
  let record: string[] = [];
  let recordLine = 1;
  let cells = 0;
  let i = 0;
  let pause = CHUNK_BYTES;
  for (;;) {
    if (i >= pause) {
      await yieldToLoop();
      pause = i + CHUNK_BYTES;
    }
    // one cell, from i (an empty one at the end of the file or of a line)
    let value: string;
    let end: number; // just past the cell
    if (bytes[i] === QUOTE) {
      let from = i + 1;
      for (;;) {
        const quote = bytes.indexOf(QUOTE, from);
        if (quote < 0) invalid(`Quote Not Closed: the quote opened at line ${line} is never closed`);
        for (let j = from; j < quote; j++) if (bytes[j] === LF || (bytes[j] === CR && bytes[j + 1] !== LF)) line++;
        if (bytes[quote + 1] !== QUOTE) {
          end = quote + 1;
          break;
        }
        from = quote + 2;
      }
      value = bytes.toString('utf8', i + 1, end - 1).replaceAll('""', '"');
      const next = bytes[end];
      if (end < n && next !== delimiter && next !== LF && next !== CR) {
        invalid(`Invalid Closing Quote: got "${bytes.toString('utf8', end, end + 4).charAt(0)}" at line ${line} instead of delimiter, record delimiter, trimable character (if activated) or comment`);
      }
    } else {
      end = i;
      for (; end < n; end++) {
        const b = bytes[end];
        if (b === delimiter || b === LF || b === CR) break;
        if (b === QUOTE) invalid(`Invalid Opening Quote: a quote is found on field ${record.length} at line ${line}, value is "${bytes.toString('utf8', i, Math.min(end, i + 50))}"`);
      }
      value = bytes.toString('utf8', i, end);
    }
    if (++cells > MAX_IMPORT_CELLS) throw overLimit.cells();
    record.push(value.trim());
    if (end >= n) {
      sheet.add(recordLine, record);
      break;
    }
    if (bytes[end] === delimiter) {
      i = end + 1;
      continue;
    }
    i = end + (bytes[end] === CR && bytes[end + 1] === LF ? 2 : 1);
    line++;
    sheet.add(recordLine, record);
    record = [];
    recordLine = line;
    if (i >= n) break;
  }
  return sheet.finish();
}
