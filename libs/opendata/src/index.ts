export * from './opendata.module';
