import type { AuditActor } from '@app/audit';
import type { RevisionTask, Summary } from '@app/reports';

export const EXPORT_FORMATS = ['csv', 'xlsx', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** `semicolon`: for spreadsheet programs set to Polish (their list separator); such a file also starts with a BOM. */
export const CSV_DELIMITERS = ['comma', 'semicolon'] as const;
export type CsvDelimiter = (typeof CSV_DELIMITERS)[number];

/** RFC 4180 holds one table per file: the task list, or the summary as figure/key/count/granted/settled rows. */
export const CSV_TABLES = ['tasks', 'summary'] as const;
export type CsvTable = (typeof CSV_TABLES)[number];

/** A published revision's number (from 1), or `draft`: the newest compile's summary with the live task list. */
export type ExportRevision = number | 'draft';

export interface ExportOptions {
  format: ExportFormat;
  /** Default: the newest published revision. */
  revision?: ExportRevision;
  /** CSV only; default `comma`. */
  delimiter?: CsvDelimiter;
  /** CSV only; default `tasks`. */
  table?: CsvTable;
  /** When given, the finished export is recorded in the municipality's audit trail as this actor's. */
  auditAs?: AuditActor;
}

/** The options with their defaults filled in and their combinations checked. */
export interface ResolvedExportOptions {
  format: ExportFormat;
  revision: ExportRevision | 'newest';
  delimiter: CsvDelimiter;
  table: CsvTable;
}

export interface ExportResult {
  /** Data rows written (tasks, or summary rows for `table=summary`); header rows not counted. */
  rows: number;
  /** Lowercase hex SHA-256 of exactly the bytes written. */
  sha256: string;
  bytes: number;
  /** The revision exported: its number, or `draft`. */
  revision: ExportRevision;
  /** e.g. `raport-krakow-2019-r1.csv`: the name the HTTP route offers, a sensible default for a file. */
  fileName: string;
  contentType: string;
}

/** One row of the transparency table as exported: the frozen revision row and its position (1, 2, …). */
export interface ExportTask extends RevisionTask {
  position: number;
}

/** What every format of the annual report export says about the report itself. */
export interface ReportExportMeta {
  municipality: { slug: string; name: string; teryt: string };
  year: number;
  revision: ExportRevision;
  status: 'published' | 'draft';
  publishedAt: string | null;
  compiledAt: string;
  /** The summary's hash as the contract defines it (hex SHA-256 of its canonical JSON); it does not cover the task list. */
  contentHash: string;
  summary: Summary;
}

/** A report opened for export: its header read, its task list ready to stream (read once, in position order). */
export interface ReportExportSource {
  meta: ReportExportMeta;
  tasks(): AsyncIterable<ExportTask>;
}
