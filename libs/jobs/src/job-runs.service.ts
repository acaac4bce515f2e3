import { pageWindow, SqlWhere, type Actor, type Page } from '@app/core';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { JobRunsQuery, JobRunView } from './dto/job-run.dto';
import type { JobName, JobOutcome } from './job-runs';

interface JobRunRow {
  id: string;
  run_id: string;
  job: JobName;
  year: number | null;
  started_at: Date;
  finished_at: Date | null;
  outcome: JobOutcome;
  error: string | null;
}

/** The scheduler's record as officials read it: their municipality's items only, newest first. */
@Injectable()
export class JobRunsService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async list(actor: Actor, query: JobRunsQuery): Promise<Page<JobRunView>> {
    const { page, limit, offset } = pageWindow(query);
    const where = new SqlWhere('municipality_id = ?', actor.municipalityId);
    if (query.job) where.and('job = ?', query.job);
    if (query.outcome) where.and('outcome = ?', query.outcome);
    const filter = where.sql;
    const [{ total }]: Array<{ total: number }> = await this.ds.query(`SELECT count(*)::int AS total FROM job_runs WHERE ${filter}`, where.params);
    const rows: JobRunRow[] = await this.ds.query(
      `SELECT id, run_id, job, year, started_at, finished_at, outcome, error
         FROM job_runs WHERE ${filter} ORDER BY started_at DESC, id DESC LIMIT ${limit} OFFSET ${offset}`,
      where.params,
    );
    return {
      items: rows.map((r) => ({
        id: r.id,
        runId: r.run_id,
        job: r.job,
        year: r.year,
        startedAt: r.started_at.toISOString(),
        finishedAt: r.finished_at?.toISOString() ?? null,
        outcome: r.outcome,
        error: r.error,
      })),
      total,
      page,
      limit,
    };
  }
}
