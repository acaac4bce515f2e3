export * from './cells';
export * from './export-registry';
export * from './export-types';
export * from './exports.module';
export * from './exports.service';
