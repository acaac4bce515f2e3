import { sealAllCommitted } from '@app/audit';
import { APP_CONFIG, type AppConfig } from '@app/core';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { CronJob } from 'cron';
import type { DataSource } from 'typeorm';
import { CLOSE_CALLS_CRON, CRON_NAMES, type RunReport } from './job-runs';
import { NightlyCompileService } from './nightly-compile.service';
import { ReportJobsService } from './report-jobs.service';

/**
 * Registers the two report crons with the expressions and time zone of the configuration
 * (REPORT_COMPILE_CRON, REPORT_OPEN_CRON, JOBS_TIME_ZONE), and the minutely one that records the
 * calls whose offer deadline has passed (CLOSE_CALLS_CRON). A cron only decides that it is time:
 * every process whose cron fires (API instances with SCHEDULER=true, workers) asks for the run of
 * that tick, named by the cron's own instant (the same in every process, whatever their clocks'
 * small differences and timers' delays); the run's advisory lock and its claim of the tick
 * (job_ticks) let exactly one through. The nightly run's compiles are then shared: the other
 * processes join the run (NightlyCompileService), and on start and every minute each process
 * takes up the items of a run left unfinished.
 */
@Injectable()
export class ReportJobsScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Scheduler');

  constructor(
    private readonly registry: SchedulerRegistry,
    private readonly jobs: ReportJobsService,
    private readonly compiles: NightlyCompileService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly ds: DataSource,
  ) {}

  onApplicationBootstrap(): void {
    const timeZone = this.config.jobsTimeZone;
    const nightly = this.register(CRON_NAMES.nightly, this.config.reportCompileCron, timeZone, (tick) => this.jobs.runNightly(undefined, tick));
    const yearly = this.register(CRON_NAMES.yearly, this.config.reportOpenCron, timeZone, (tick) => this.jobs.runYearly(undefined, tick));
    this.register(CRON_NAMES.closeCalls, CLOSE_CALLS_CRON, timeZone, (tick) => {
      // and every minute: a nightly run's items left by a process that stopped (or by every process) are taken up
      this.compiles.resume();
      // and committed audit entries left unsealed by a process that stopped after an import's commit get their places
      void sealAllCommitted(this.ds)
        .then((sealed) => sealed && this.logger.warn(`sealed ${sealed} committed audit entries left waiting for their places by a process that stopped`))
        .catch((error: unknown) => this.logger.warn(`could not seal the waiting audit entries: ${error instanceof Error ? error.message : String(error)}`));
      return this.jobs.runCloseCalls(tick);
    });
    this.logger.log(
      `the scheduler is running (${timeZone}): nightly compile "${this.config.reportCompileCron}" (next ${nightly.nextDate().toISO()}), ` +
        `yearly open "${this.config.reportOpenCron}" (next ${yearly.nextDate().toISO()}), closing calls "${CLOSE_CALLS_CRON}"`,
    );
    // a nightly run left unfinished (every process stopped, or died, mid-run) goes on now
    this.compiles.resume();
  }

  /** No tick starts a run once the application is closing (the schedule module deletes the jobs a moment later). */
  onModuleDestroy(): void {
    for (const name of Object.values(CRON_NAMES)) if (this.registry.doesExist('cron', name)) void this.registry.getCronJob(name).stop();
  }

  private register(name: string, cronTime: string, timeZone: string, run: (tick: Date) => Promise<RunReport>): CronJob {
    let expected: ReturnType<CronJob['nextDate']> | undefined;
    const job: CronJob = CronJob.from({
      cronTime,
      timeZone,
      start: false,
      // a run still going when the next tick comes (a slow night) is not started twice in this process
      waitForCompletion: true,
      onTick: async () => {
        try {
          // the instant the cron was due: the latest one at or before the firing (timers fire late,
          // and ticks skipped while a run went on are passed over), never the firing's own time
          const fired = (job.lastDate() ?? new Date()).getTime();
          let tick = expected ?? job.cronTime.getNextDateFrom(new Date(fired - 1000), timeZone);
          for (let next = job.cronTime.getNextDateFrom(tick, timeZone); next.toMillis() <= fired; next = job.cronTime.getNextDateFrom(next, timeZone)) tick = next;
          expected = job.cronTime.getNextDateFrom(tick, timeZone);
          await run(tick.toJSDate());
        } catch (error) {
          this.logger.error(`the ${name} run failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        }
      },
    });
    this.registry.addCronJob(name, job);
    expected = job.nextDate();
    job.start();
    return job;
  }
}
