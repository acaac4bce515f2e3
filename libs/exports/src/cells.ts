/**
 * How one value becomes a cell. A column has a kind; CSV and XLSX render each kind their own way
 * (CSV: text; XLSX: numbers and dates as real number and date cells), JSON keeps the value as is.
 */
export type CellKind = 'text' | 'integer' | 'money' | 'date';

/**
 * Characters that make a spreadsheet read a cell as a formula (OWASP "CSV Injection"), with the
 * full-width forms that Apple Numbers folds into them (as csv-stringify's escape_formulas lists).
 */
const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r', '\uFF1D', '\uFF0B', '\uFF0D', '\uFF20']);

/** A text cell starting like a formula gets a leading `'`, so every spreadsheet shows it as text. */
export function neutraliseFormula(text: string): string {
  return text.length > 0 && FORMULA_START.has(text[0]) ? `'${text}` : text;
}

/** The values of a task's NGOs in one cell, lead first, `; ` between them; a missing value stays an empty place, so the cells line up. */
export function joinNgoValues(values: Array<string | null | undefined>): string {
  return values.map((v) => v ?? '').join('; ');
}

/** A CSV field: text neutralised, numbers in decimal, money and dates as the API writes them. */
export function csvField(kind: CellKind, value: string | number | null): string {
  if (value === null) return '';
  switch (kind) {
    case 'text':
      return neutraliseFormula(String(value));
    case 'integer':
    case 'money':
    case 'date':
      return String(value);
  }
}

export const MONEY_FORMAT = '#,##0.00 "zł"';
export const DATE_FORMAT = 'yyyy-mm-dd';

/**
 * An XLSX cell value. Money becomes a number: Excel stores IEEE doubles, which represent every
 * two-decimal amount below 10^12 closely enough that it prints back exactly with two decimals (15
 * significant digits), and the exact figure remains in the CSV and JSON exports and the database.
 * Dates become date cells at midnight UTC (exceljs writes a UTC date as the day's serial number,
 * no time zone involved), shown as yyyy-mm-dd. Line breaks in text become `\n`, the one a cell
 * holds (XML readers turn a stored CR or CRLF into LF anyway; CSV and JSON keep them as they are).
 */
export function xlsxValue(kind: CellKind, value: string | number | null): string | number | Date | null {
  if (value === null) return null;
  switch (kind) {
    case 'text':
      return neutraliseFormula(String(value)).replace(/\r\n?/g, '\n');
    case 'integer':
    case 'money':
      return Number(value);
    case 'date':
      return new Date(`${value}T00:00:00Z`);
  }
}

export function xlsxNumFmt(kind: CellKind): string | undefined {
  switch (kind) {
    case 'money':
      return MONEY_FORMAT;
    case 'date':
      return DATE_FORMAT;
    case 'text':
    case 'integer':
      return undefined;
  }
}
