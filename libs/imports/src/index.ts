export * from './imports.module';
export * from './imports.service';
export * from './imports.errors';
export * from './dto/import.dto';
export { IMPORT_FILE_LIMIT, MULTIPART_OPTIONS, type Upload } from './upload';
export { IMPORT_ROW_LIMITS, MAX_IMPORT_CELLS, MAX_IMPORT_ROWS, MAX_UNZIPPED_BYTES } from './limits';
export { readSheet, type Sheet, type SheetRow, type Cell } from './sheet';
export { columnsOf, type ColumnSpec } from './columns';
