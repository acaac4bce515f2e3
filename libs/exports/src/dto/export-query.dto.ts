import { EnumField, StringField } from '@app/core';
import { CSV_DELIMITERS, CSV_TABLES, EXPORT_FORMATS, type CsvDelimiter, type CsvTable, type ExportFormat } from '../export-types';

export class ExportQuery {
  @EnumField(EXPORT_FORMATS, { description: 'csv (RFC 4180, UTF-8), xlsx (sheets Podsumowanie and Zadania) or json (the summary and every task)' })
  format: ExportFormat;

  @StringField({
    optional: true,
    maxLength: 9,
    pattern: /^(draft|[1-9]\d{0,8})$/,
    patternMessage: 'must be "draft" or a revision number from 1',
    description: 'A published revision\'s number, or `draft` for the newest compile with the task list as it stands; default: the newest published revision',
    example: 'draft',
  })
  revision?: string;

  @EnumField(CSV_DELIMITERS, { optional: true, description: 'CSV only. `semicolon` (with a UTF-8 BOM) for spreadsheet programs set to Polish; default `comma` (no BOM)' })
  delimiter?: CsvDelimiter;

  @EnumField(CSV_TABLES, {
    optional: true,
    description: 'CSV only (one table per file): `tasks` (default), one row per task; or `summary`, the summary as rows of figure, key, count, granted, settled',
  })
  table?: CsvTable;
}
