import { APP_CONFIG, type AppConfig } from '@app/core';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { CRON_NAMES, type RunReport } from './job-runs';
import { ReportJobsService } from './report-jobs.service';

/**
 * Registers the two report crons with the expressions and time zone of the configuration
 * (REPORT_COMPILE_CRON, REPORT_OPEN_CRON, JOBS_TIME_ZONE). A cron only decides that it is time:
 * every process whose cron fires asks for the run, and the run's advisory lock lets one through.
 */
@Injectable()
export class ReportJobsScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Scheduler');

  constructor(
    private readonly registry: SchedulerRegistry,
    private readonly jobs: ReportJobsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const timeZone = this.config.jobsTimeZone;
    const nightly = this.register(CRON_NAMES.nightly, this.config.reportCompileCron, timeZone, () => this.jobs.runNightly());
    const yearly = this.register(CRON_NAMES.yearly, this.config.reportOpenCron, timeZone, () => this.jobs.runYearly());
    this.logger.log(
      `the scheduler is running (${timeZone}): nightly compile "${this.config.reportCompileCron}" (next ${nightly.nextDate().toISO()}), ` +
        `yearly open "${this.config.reportOpenCron}" (next ${yearly.nextDate().toISO()})`,
    );
  }

  /** No tick starts a run once the application is closing (the schedule module deletes the jobs a moment later). */
  onModuleDestroy(): void {
    for (const name of Object.values(CRON_NAMES)) if (this.registry.doesExist('cron', name)) void this.registry.getCronJob(name).stop();
  }

  private register(name: string, cronTime: string, timeZone: string, run: () => Promise<RunReport>): CronJob {
    const job = CronJob.from({
      cronTime,
      timeZone,
      start: false,
      // a run still going when the next tick comes (a slow night) is not started twice in this process
      waitForCompletion: true,
      onTick: async () => {
        try {
          await run();
        } catch (error) {
          this.logger.error(`the ${name} run failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        }
      },
    });
    this.registry.addCronJob(name, job);
    job.start();
    return job;
  }
}
