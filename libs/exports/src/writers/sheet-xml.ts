import { neutraliseFormula, type CellKind } from '../cells';

/**
 * The XML of one worksheet row (SpreadsheetML `<row>`), for the streamed task table: written as
 * one string per row rather than through exceljs's Row and Cell objects, which for 200 000 rows of
 * 20 cells cost most of the export's time and left the garbage collector far behind
 * (npm run bench -- export).
 */

export interface SheetColumn {
  /** A, B, …, T */
  letter: string;
  kind: CellKind;
  /** the workbook's style index for number and date cells (its number format); 0 for the rest */
  styleId: number;
}

/** A, …, Z, AA, … */
export function columnLetter(index: number): string {
  let n = index + 1;
  let letters = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    letters = String.fromCharCode(65 + r) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}

// characters XML 1.0 does not allow (PostgreSQL text may hold them; the API refuses them), and unpaired surrogates
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

export function escapeXmlText(text: string): string {
  return text.replace(NOT_XML, '\ufffd').replace(/[&<>]/g, (c) => ESCAPES[c]);
}

const DAY_MS = 86_400_000;
/** Days from 1899-12-30 (Excel's 1900 date system, right from March 1900 on) to 1970-01-01. */
const EPOCH_SERIAL = 25_569;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DECIMAL = /^-?\d+(\.\d+)?$/;

/** A `YYYY-MM-DD` day as Excel's serial day number; null for anything else. */
export function excelDate(day: string): number | null {
  const m = ISO_DATE.exec(day);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS + EPOCH_SERIAL : null;
}

function textCell(ref: string, text: string): string {
  // a cell's line break is LF (an XML reader turns a stored CR or CRLF into LF anyway)
  const shown = neutraliseFormula(text).replace(/\r\n?/g, '\n');
  return `<c r="${ref}" t="inlineStr"><is><t xml:space="preserve">${escapeXmlText(shown)}</t></is></c>`;
}

/**
 * Number cells carry the value as written: a money string from the database goes into the file
 * unchanged (Excel reads it into its IEEE double, exact to the cent below 10^12, and shows it with
 * two decimals through the style's number format).
 */
function cell(column: SheetColumn, ref: string, value: string | number): string {
  const style = column.styleId ? ` s="${column.styleId}"` : '';
  switch (column.kind) {
    case 'text':
      return textCell(ref, String(value));
    case 'integer':
    case 'money': {
      const number = String(value);
      return DECIMAL.test(number) ? `<c r="${ref}"${style}><v>${number}</v></c>` : textCell(ref, number);
    }
    case 'date': {
      const serial = excelDate(String(value));
      return serial === null ? textCell(ref, String(value)) : `<c r="${ref}"${style}><v>${serial}</v></c>`;
    }
  }
}

/** `<row r="n">` with a cell per non-empty value (an empty value or text is no cell, as spreadsheets write it). */
export function rowXml(rowNumber: number, columns: readonly SheetColumn[], values: ReadonlyArray<string | number | null>): string {
  let xml = `<row r="${rowNumber}">`;
  for (let i = 0; i < columns.length; i++) {
    const value = values[i];
    if (value !== null && value !== undefined && value !== '') xml += cell(columns[i], `${columns[i].letter}${rowNumber}`, value);
  }
  return `${xml}</row>`;
}
