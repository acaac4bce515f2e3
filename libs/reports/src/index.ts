export * from './dto/report.dto';
export * from './report-revisions.repository';
export * from './report.sql';
export * from './report.types';
export * from './reports.module';
export * from './reports.service';
export * from './year-param';
