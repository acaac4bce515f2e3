import { CurrentActor, Permit, type Actor, type Page } from '@app/core';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { JobRunsPage, JobRunsQuery, type JobRunView } from './dto/job-run.dto';
import { JobRunsService } from './job-runs.service';

@ApiTags('jobs')
@Controller('jobs')
export class JobsController {
  constructor(private readonly runs: JobRunsService) {}

  @Get()
  @ApiOperation({ summary: "List the scheduler's runs" })
  @Permit('reports.manage')
  @ApiOkResponse({ type: JobRunsPage, description: 'The scheduler\'s runs for the caller\'s municipality, one row per report compiled or opened, newest first' })
  list(@CurrentActor() actor: Actor, @Query() query: JobRunsQuery): Promise<Page<JobRunView>> {
    return this.runs.list(actor, query);
  }
}
