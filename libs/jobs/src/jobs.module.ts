import { CompetitionsModule } from '@app/competitions';
import { ReportsModule } from '@app/reports';
import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { JobRunsService } from './job-runs.service';
import { JobsController } from './jobs.controller';
import { NightlyCompileService } from './nightly-compile.service';
import { ReportJobsScheduler } from './report-jobs.scheduler';
import { ReportJobsService } from './report-jobs.service';

export interface JobsOptions {
  /** Run the crons in this process (SCHEDULER): the API by default, the worker always. */
  scheduler: boolean;
}

/**
 * The report jobs and the minutely close-calls job, their record at GET /jobs, and, when `scheduler` is on, the crons that start
 * them. The record is served either way: with SCHEDULER=false a worker runs the jobs and the API
 * still lists them. ScheduleModule.forRoot() is imported here and nowhere else, since it belongs
 * in one module of an application.
 */
@Module({})
export class JobsModule {
  static forRoot(options: JobsOptions): DynamicModule {
    return {
      module: JobsModule,
      imports: [ReportsModule, CompetitionsModule, ...(options.scheduler ? [ScheduleModule.forRoot()] : [])],
      controllers: [JobsController],
      providers: [JobRunsService, NightlyCompileService, ReportJobsService, ...(options.scheduler ? [ReportJobsScheduler] : [])],
      exports: [ReportJobsService, NightlyCompileService],
    };
  }
}
