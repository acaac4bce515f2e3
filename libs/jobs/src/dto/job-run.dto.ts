import { EnumField, PageMeta, PageQuery } from '@app/core';
import { ApiProperty } from '@nestjs/swagger';
import { JOB_NAMES, JOB_OUTCOMES, type JobName, type JobOutcome } from '../job-runs';

export class JobRunsQuery extends PageQuery {
  @EnumField(JOB_NAMES, { optional: true }) job?: JobName;
  @EnumField(JOB_OUTCOMES, { optional: true }) outcome?: JobOutcome;
}

export class JobRunView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid', description: 'The run the item belongs to: one cron firing' }) runId: string;
  @ApiProperty({ enum: JOB_NAMES }) job: JobName;
  @ApiProperty({ type: 'integer', nullable: true, description: 'The report year' }) year: number | null;
  @ApiProperty({ format: 'date-time', description: 'When a process took the item (while queued: when it was queued)' }) startedAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'null while queued or running' }) finishedAt: string | null;
  @ApiProperty({
    enum: JOB_OUTCOMES,
    description:
      'queued: a nightly compile waiting for a process to take it; running: under way; compiled: the input had changed and the draft was compiled again; skipped: nothing to do (input unchanged, or the year already has a report); opened: the year\'s first draft; failed: see error',
  })
  outcome: JobOutcome;
  @ApiProperty({ type: String, nullable: true }) error: string | null;
}

export class JobRunsPage extends PageMeta {
  @ApiProperty({ type: [JobRunView] }) items: JobRunView[];
}
