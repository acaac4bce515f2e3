import { RuleViolation } from '@app/core';

/**
 * Rows in one file at most, by kind. Funded tasks go in chunks of many rows a statement
 * (bulk.ts: time linear in the rows, about 50 s for 100 000 on a 2-core machine); NGOs go one
 * by one through the service (their unique KRS and NIP are the database's to enforce), so one
 * file of them stays at 10 000 (about 20 s).
 */
export const IMPORT_ROW_LIMITS = { ngos: 10_000, tasks: 100_000 } as const;
/** The largest of IMPORT_ROW_LIMITS: what the sheet reader stops at when it is given no kind's limit. */
export const MAX_IMPORT_ROWS = Math.max(...Object.values(IMPORT_ROW_LIMITS));
/** Cells in one file at most (100 000 rows of 20 columns), blank CSV lines and an XLSX's shared strings counted too: what bounds the memory a file takes. */
export const MAX_IMPORT_CELLS = 2_000_000;
/** What the parts of a workbook that are read (the workbook, its styles, its shared strings, the first sheet) may inflate to, counted while inflating. */
export const MAX_UNZIPPED_BYTES = 100 * 1024 * 1024;
/** Files inside a workbook at most (Excel writes about a dozen). */
export const MAX_ZIP_ENTRIES = 1000;
/**
 * XML between two tags at most: a cell holds at most 32 767 characters in Excel (under 1 MiB even
 * with every character escaped), and a longer run would be held whole by the XML parser.
 */
export const MAX_XML_RUN_BYTES = 1024 * 1024;

const MiB = (bytes: number) => `${bytes / 1024 / 1024} MiB`;

/** 422 naming `file` and the limit it is over; thrown while the file is read, before anything is written. */
export const overLimit = {
  rows: (max: number) => RuleViolation.of('import.max-rows', 'file', `holds more than ${max} rows; one file may hold at most ${max}: split it`),
  cells: () => RuleViolation.of('import.max-cells', 'file', `holds more than ${MAX_IMPORT_CELLS} cells; one file may hold at most ${MAX_IMPORT_CELLS}: split it`),
  unzipped: () =>
    RuleViolation.of('import.max-unzipped-size', 'file', `expands to more than ${MiB(MAX_UNZIPPED_BYTES)} when unzipped; a workbook may expand to at most ${MiB(MAX_UNZIPPED_BYTES)}: split it`),
  entries: () => RuleViolation.of('import.max-zip-entries', 'file', `holds more than ${MAX_ZIP_ENTRIES} files inside the workbook; at most ${MAX_ZIP_ENTRIES} are read`),
  xmlRun: () =>
    RuleViolation.of('import.max-cell-size', 'file', `holds a cell or an XML tag longer than ${MiB(MAX_XML_RUN_BYTES)}; a cell may hold at most 32 767 characters`),
};
