export * from './cells';
export * from './export-registry';
export * from './export-types';
export * from './exports.module';
export * from './exports.service';
export * from './dto/export-query.dto';
export { sendExportFile } from './export-response';
