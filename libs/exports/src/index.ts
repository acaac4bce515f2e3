export * from './exports.module';
