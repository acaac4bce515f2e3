export * from './grants.mapping';
export * from './opendata.module';
export * from './opendata.service';
export * from './opendata.settings';
