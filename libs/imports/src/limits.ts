import { RuleViolation } from '@app/core';

/**
 * Rows in one file at most. One transaction holds them all, and the municipality's audit chain
 * with them, while it runs; every audit entry of it updates the chain's head row again, so the
 * time grows faster than the rows (on a 2-core machine: 10 000 NGOs about 25 s, 20 000 about 60 s).
 */
export const MAX_IMPORT_ROWS = 10_000;
/** Cells in one file at most (10 000 rows of 100 columns), blank CSV lines and an XLSX's shared strings counted too: what bounds the memory a file takes. */
export const MAX_IMPORT_CELLS = 1_000_000;
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
  rows: () => RuleViolation.of('import.max-rows', 'file', `holds more than ${MAX_IMPORT_ROWS} rows; one file may hold at most ${MAX_IMPORT_ROWS}: split it`),
  cells: () => RuleViolation.of('import.max-cells', 'file', `holds more than ${MAX_IMPORT_CELLS} cells; one file may hold at most ${MAX_IMPORT_CELLS}: split it`),
  unzipped: () =>
    RuleViolation.of('import.max-unzipped-size', 'file', `expands to more than ${MiB(MAX_UNZIPPED_BYTES)} when unzipped; a workbook may expand to at most ${MiB(MAX_UNZIPPED_BYTES)}: split it`),
  entries: () => RuleViolation.of('import.max-zip-entries', 'file', `holds more than ${MAX_ZIP_ENTRIES} files inside the workbook; at most ${MAX_ZIP_ENTRIES} are read`),
  xmlRun: () =>
    RuleViolation.of('import.max-cell-size', 'file', `holds a cell or an XML tag longer than ${MiB(MAX_XML_RUN_BYTES)}; a cell may hold at most 32 767 characters`),
};
