export * from './commissions.module';
