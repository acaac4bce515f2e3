export * from './dto/job-run.dto';
export * from './job-runs';
export * from './job-runs.service';
export * from './jobs.module';
export * from './nightly-compile.service';
export * from './report-jobs.scheduler';
export * from './report-jobs.service';
