import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import pg from 'pg';
import QueryStream from 'pg-query-stream';
import type { DataSource, EntityManager } from 'typeorm';
import { TASK_LIST_SQL } from './report.sql';
import type { ReportChart, RevisionDetails, RevisionTask, Summary } from './report.types';

/** One published revision of a municipality's annual report (report_revisions); a reader of some of its columns takes a Pick of it. */
export interface ReportRevision {
  municipalityId: string;
  year: number;
  revision: number;
  publishedAt: Date;
  compiledAt: Date;
  contentHash: string;
  summary: Summary;
  charts: ReportChart[];
  /** Partial: the column defaults to {} (a revision may hold none of it) */
  details: Partial<RevisionDetails>;
  /** how many rows its transparency table holds */
  tasks: number;
}

/** A row of a task list read through a cursor: the live list (a draft's) may hold a task without NGOs, whose `ngos` is NULL. */
export type StreamedTask = Omit<RevisionTask, 'ngos'> & { ngos: RevisionTask['ngos'] | null };

/** A municipality looked up by slug, with its newest published revision of a year (NULLs when there is none). */
export interface MunicipalityRevision {
  municipalityId: string;
  name: string;
  slug: string;
  teryt: string;
  revision: number | null;
  publishedAt: Date | null;
  contentHash: string | null;
  tasks: number | null;
  /** the programmes of the revision's frozen summary */
  programmes: Summary['programmes'] | null;
}

const REVISION_COLUMN: { readonly [K in keyof ReportRevision]: string } = {
  municipalityId: 'municipality_id',
  year: 'year',
  revision: 'revision',
  publishedAt: 'published_at',
  compiledAt: 'compiled_at',
  contentHash: 'content_hash',
  summary: 'summary',
  charts: 'charts',
  details: 'details',
  tasks: 'tasks',
};

// money and dates as PostgreSQL prints them, whatever type parsers the process has set
const TASK_COLUMN: { readonly [K in keyof RevisionTask]: string } = {
  position: 'position',
  taskId: 'task_id',
  title: 'title',
  sphere: 'sphere',
  mode: 'mode',
  form: 'form',
  department: 'department',
  competitionRef: 'competition_ref',
  amountRequested: 'amount_requested::text',
  amountGranted: 'amount_granted::text',
  amountSettled: 'amount_settled::text',
  startDate: 'start_date::text',
  endDate: 'end_date::text',
  status: 'status',
  beneficiaries: 'beneficiaries',
  ngos: 'ngos',
  programId: 'program_id',
  programTitle: 'program_title',
};

/** Every column of a revision task, in the table's order. */
export const REVISION_TASK_FIELDS = Object.keys(TASK_COLUMN) as Array<keyof RevisionTask>;

function selectList<T>(columns: { readonly [K in keyof T]: string }, fields: ReadonlyArray<keyof T>): string {
  return fields.map((f) => `${columns[f]} AS "${String(f)}"`).join(', ');
}

const ALL_TASK_COLUMNS = selectList(TASK_COLUMN, REVISION_TASK_FIELDS);

/**
 * The one reader of published revisions (report_revisions) and their frozen transparency tables
 * (report_revision_tasks), for the public pages, the exports, the open data, the report API and
 * the start-up banner; ReportsService writes them when it publishes. It reads on the DataSource
 * (or a transaction's EntityManager) Nest injects, or on a pg connection the caller holds (the
 * exports' read-only snapshot), where alone the task list can stream through a cursor.
 */
@Injectable()
export class ReportRevisions {
  constructor(@InjectDataSource() private readonly db: DataSource | EntityManager | pg.ClientBase) {}

  private async rows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    // TypeORM answers with the rows, pg with a result that holds them
    const result = await (this.db as { query(sql: string, params: unknown[]): Promise<T[] | pg.QueryResult> }).query(sql, params);
    return Array.isArray(result) ? result : (result.rows as T[]);
  }

  /** A revision's columns `fields`: revision `revision`, or the newest; null when there is no such revision. */
  async revision<K extends keyof ReportRevision>(fields: readonly K[], municipalityId: string, year: number, revision: number | 'newest'): Promise<Pick<ReportRevision, K> | null> {
    const [row] = await this.rows<Pick<ReportRevision, K>>(
      `SELECT ${selectList(REVISION_COLUMN, fields)} FROM report_revisions
        WHERE municipality_id = $1 AND year = $2 AND ($3::int IS NULL OR revision = $3::int)
        ORDER BY revision DESC LIMIT 1`,
      [municipalityId, year, revision === 'newest' ? null : revision],
    );
    return row ?? null;
  }

  /** The newest revision of a year of the municipality `slug`; null when there is none. */
  async newestBySlug<K extends keyof ReportRevision>(fields: readonly K[], slug: string, year: number): Promise<Pick<ReportRevision, K> | null> {
    const [row] = await this.rows<Pick<ReportRevision, K>>(
      `SELECT ${fields.map((f) => `v.${REVISION_COLUMN[f]} AS "${f}"`).join(', ')}
         FROM report_revisions v JOIN municipalities mu ON mu.id = v.municipality_id
        WHERE mu.slug = $1 AND v.year = $2
        ORDER BY v.revision DESC LIMIT 1`,
      [slug, year],
    );
    return row ?? null;
  }

  /** The number of the newest revision of a year of the municipality `slug`, or null: one look-up on the primary key (municipality_id, year, revision). */
  async newestRevisionNumber(slug: string, year: number): Promise<number | null> {
    const [row] = await this.rows<{ revision: number | null }>(
      `SELECT max(r.revision) AS revision FROM report_revisions r JOIN municipalities m ON m.id = r.municipality_id WHERE m.slug = $1 AND r.year = $2`,
      [slug, year],
    );
    return row?.revision ?? null;
  }

  /** The municipality `slug` and its newest published revision of the year, in one look-up; null when the municipality is unknown. */
  async municipalityRevision(slug: string, year: number): Promise<MunicipalityRevision | null> {
    const [row] = await this.rows<MunicipalityRevision>(
      `SELECT m.id AS "municipalityId", m.name, m.slug, m.teryt, v.revision, v.published_at AS "publishedAt", v.content_hash AS "contentHash", v.tasks, v.programmes
         FROM municipalities m
         LEFT JOIN LATERAL (
           SELECT r.revision, r.published_at, r.content_hash, r.tasks, r.summary -> 'programmes' AS programmes
             FROM report_revisions r
            WHERE r.municipality_id = m.id AND r.year = $2
            ORDER BY r.revision DESC LIMIT 1) v ON true
        WHERE m.slug = $1`,
      [slug, year],
    );
    return row ?? null;
  }

  /** The newest revision of each year that has one, newest year first. */
  async publishedYears(municipalityId: string): Promise<Array<Pick<ReportRevision, 'year' | 'revision' | 'publishedAt'>>> {
    return this.rows(
      `SELECT DISTINCT ON (year) year, revision, published_at AS "publishedAt" FROM report_revisions WHERE municipality_id = $1 ORDER BY year DESC, revision DESC`,
      [municipalityId],
    );
  }

  /** The municipality and year of the revision published last, of any municipality; null before the first publication. */
  async newestPublished(): Promise<{ slug: string; year: number } | null> {
    const [row] = await this.rows<{ slug: string; year: number }>(
      `SELECT m.slug, v.year FROM report_revisions v JOIN municipalities m ON m.id = v.municipality_id ORDER BY v.published_at DESC LIMIT 1`,
    );
    return row ?? null;
  }

  /** A revision's whole transparency table in position order, its columns `fields` (a table a page shows whole). */
  async tasks<K extends keyof RevisionTask>(fields: readonly K[], municipalityId: string, year: number, revision: number): Promise<Array<Pick<RevisionTask, K>>> {
    return this.rows(
      `SELECT ${selectList(TASK_COLUMN, fields)} FROM report_revision_tasks
        WHERE municipality_id = $1 AND year = $2 AND revision = $3 ORDER BY position`,
      [municipalityId, year, revision],
    );
  }

  /** The next at most `limit` rows of a revision's transparency table after position `after` (keyset paging: no connection is held between batches). */
  async taskBatch<K extends keyof RevisionTask>(
    fields: readonly K[],
    municipalityId: string,
    year: number,
    revision: number,
    after: number,
    limit: number,
  ): Promise<Array<Pick<RevisionTask, K | 'position'>>> {
    return this.rows(
      `SELECT ${selectList(TASK_COLUMN, [...new Set<keyof RevisionTask>(['position', ...fields])])} FROM report_revision_tasks
        WHERE municipality_id = $1 AND year = $2 AND revision = $3 AND position > $4
        ORDER BY position
        LIMIT $5`,
      [municipalityId, year, revision, after, limit],
    );
  }

  /**
   * A revision's transparency table streamed through a cursor (on a pg connection only): `batchSize`
   * rows in memory at a time, never the whole table; each row is yielded as `map` makes it.
   */
  streamTasks<T>(municipalityId: string, year: number, revision: number, batchSize: number, map: (row: StreamedTask) => T): AsyncGenerator<T> {
    return this.cursor(
      `SELECT ${ALL_TASK_COLUMNS} FROM report_revision_tasks WHERE municipality_id = $1 AND year = $2 AND revision = $3 ORDER BY position`,
      [municipalityId, year, revision],
      batchSize,
      map,
    );
  }

  /** The live task list of a year, as the next publication would freeze it, streamed like streamTasks. */
  streamDraftTasks<T>(municipalityId: string, year: number, batchSize: number, map: (row: StreamedTask) => T): AsyncGenerator<T> {
    return this.cursor(`SELECT ${ALL_TASK_COLUMNS} FROM (${TASK_LIST_SQL}) l ORDER BY position`, [municipalityId, year], batchSize, map);
  }

  private async *cursor<T>(sql: string, params: unknown[], batchSize: number, map: (row: StreamedTask) => T): AsyncGenerator<T> {
    if (!(this.db instanceof pg.Client)) throw new Error('a task list streams only on a pg connection of its own');
    const stream = this.db.query(new QueryStream(sql, params, { batchSize }));
    try {
      for await (const row of stream as AsyncIterable<StreamedTask>) yield map(row);
    } finally {
      stream.destroy();
    }
  }
}
