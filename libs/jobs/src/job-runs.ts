/** What a `job_runs` row records: one item of a scheduled run (one report of one municipality, or one housekeeping step). */
export const JOB_NAMES = ['compile-report', 'open-report', 'purge-idempotency-keys', 'close-calls'] as const;
export type JobName = (typeof JOB_NAMES)[number];

/**
 * `queued`: a nightly compile waiting for a process to take it; `running` until the item ends;
 * `skipped`: nothing to do (input unchanged, or the year's draft already exists).
 */
export const JOB_OUTCOMES = ['queued', 'running', 'compiled', 'skipped', 'opened', 'failed', 'done'] as const;
export type JobOutcome = (typeof JOB_OUTCOMES)[number];

export interface JobRunItem {
  id: string;
  job: JobName;
  municipalityId: string | null;
  year: number | null;
  outcome: Exclude<JobOutcome, 'queued' | 'running'>;
  error: string | null;
}

/**
 * What runNightly(), runYearly() and runCloseCalls() report: `ran: false` when another process held
 * the run's lock, or had run the tick. A nightly run that another process started (its tick, or
 * a run still under way) is `joined`: this process worked on its items too, and `items` are
 * none of this report's business (the run's starter reports them all).
 */
export type RunReport = { ran: false; joined?: string } | { ran: true; runId: string; items: JobRunItem[] };

/** The cron jobs the scheduler registers (SchedulerRegistry names). */
export const CRON_NAMES = { nightly: 'reports-nightly-compile', yearly: 'reports-yearly-open', closeCalls: 'calls-close' } as const;

/** Every minute: a call is closed by the clock the moment its deadline passes; the job records it within a minute. */
export const CLOSE_CALLS_CRON = '* * * * *';
