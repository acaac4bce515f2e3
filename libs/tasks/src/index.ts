export * from './tasks.module';
