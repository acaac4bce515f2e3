import { NotFound } from '@app/core';
import { TASK_LIST_SQL, type RevisionTask, type Summary } from '@app/reports';
import type pg from 'pg';
import QueryStream from 'pg-query-stream';
import type { ExportRevision, ExportTask, ReportExportMeta, ReportExportSource } from './export-types';

/**
 * Rows fetched per round trip of the cursor. Small on purpose: a batch is written out before the
 * next young-generation collection, so its rows and buffers mostly die young instead of waiting in
 * the old generation for a full collection (500 left 10–20 MB more behind in a 200 000-task export,
 * npm run bench -- export; the extra round trips cost no measurable time).
 */
const CURSOR_BATCH = 100;

interface TaskRow {
  position: number;
  task_id: string;
  title: string;
  sphere: string;
  mode: string;
  form: string;
  department: string;
  competition_ref: string | null;
  amount_requested: string | null;
  amount_granted: string;
  amount_settled: string | null;
  start_date: string;
  end_date: string;
  status: string;
  beneficiaries: number | null;
  ngos: RevisionTask['ngos'] | null;
  program_id: string;
  program_title: string;
}

const TASK_COLUMNS = `position, task_id, title, sphere, mode, form, department, competition_ref,
  amount_requested, amount_granted, amount_settled, start_date, end_date, status, beneficiaries, ngos, program_id, program_title`;

/** A published revision's frozen transparency table. ($1 municipality, $2 year, $3 revision) */
const REVISION_TASKS_SQL = `
  SELECT ${TASK_COLUMNS} FROM report_revision_tasks
   WHERE municipality_id = $1 AND year = $2 AND revision = $3
   ORDER BY position`;

/** The live task list, as the next publication would freeze it. ($1 municipality, $2 year) */
const DRAFT_TASKS_SQL = `SELECT ${TASK_COLUMNS} FROM (${TASK_LIST_SQL}) l ORDER BY position`;

function exportTask(r: TaskRow): ExportTask {
  return {
    position: r.position,
    taskId: r.task_id,
    title: r.title,
    sphere: r.sphere,
    mode: r.mode,
    form: r.form,
    department: r.department,
    competitionRef: r.competition_ref,
    amountRequested: r.amount_requested,
    amountGranted: r.amount_granted,
    amountSettled: r.amount_settled,
    startDate: r.start_date,
    endDate: r.end_date,
    status: r.status,
    beneficiaries: r.beneficiaries,
    ngos: (r.ngos ?? []).map((n) => ({ id: n.id, name: n.name, krs: n.krs ?? null, nip: n.nip ?? null, regon: n.regon ?? null })),
    programId: r.program_id,
    programTitle: r.program_title,
  };
}

/** Streams the rows of `sql` through a cursor on `client`: CURSOR_BATCH rows in memory at a time, never the whole list. */
async function* cursor(client: pg.ClientBase, sql: string, params: unknown[]): AsyncGenerator<ExportTask> {
  const stream = client.query(new QueryStream(sql, params, { batchSize: CURSOR_BATCH }));
  try {
    for await (const row of stream as AsyncIterable<TaskRow>) yield exportTask(row);
  } finally {
    stream.destroy();
  }
}

/**
 * Opens the annual report of `year` for export on `client` (which the caller keeps in one
 * read-only snapshot): a published revision (the newest when `revision` is `newest`) reads the
 * frozen summary and transparency table; `draft` reads the newest compile's summary and the task
 * list as the data stand now. 404 when there is no such revision (or, for `draft`, no compile).
 */
export async function openReportSource(client: pg.ClientBase, municipalityId: string, year: number, revision: ExportRevision | 'newest'): Promise<ReportExportSource> {
  const { rows: places } = await client.query<{ slug: string; name: string; teryt: string }>(`SELECT slug, name, teryt FROM municipalities WHERE id = $1`, [municipalityId]);
  if (!places.length) throw new NotFound('municipality', municipalityId);
  const municipality = places[0];

  if (revision === 'draft') {
    const { rows } = await client.query<{ compiled_at: Date; content_hash: string; summary: Summary }>(
      `SELECT compiled_at, content_hash, summary FROM reports WHERE municipality_id = $1 AND year = $2`,
      [municipalityId, year],
    );
    if (!rows.length) throw new NotFound('report', String(year));
    const [r] = rows;
    const meta: ReportExportMeta = {
      municipality,
      year,
      revision: 'draft',
      status: 'draft',
      publishedAt: null,
      compiledAt: r.compiled_at.toISOString(),
      contentHash: r.content_hash,
      summary: r.summary,
    };
    return { meta, tasks: () => cursor(client, DRAFT_TASKS_SQL, [municipalityId, year]) };
  }

  const { rows } = await client.query<{ revision: number; published_at: Date; compiled_at: Date; content_hash: string; summary: Summary }>(
    `SELECT revision, published_at, compiled_at, content_hash, summary FROM report_revisions
      WHERE municipality_id = $1 AND year = $2 AND ($3::int IS NULL OR revision = $3::int)
      ORDER BY revision DESC LIMIT 1`,
    [municipalityId, year, revision === 'newest' ? null : revision],
  );
  if (!rows.length) throw new NotFound(revision === 'newest' ? 'published report' : `revision ${revision} of the report`, String(year));
  const [r] = rows;
  const meta: ReportExportMeta = {
    municipality,
    year,
    revision: r.revision,
    status: 'published',
    publishedAt: r.published_at.toISOString(),
    compiledAt: r.compiled_at.toISOString(),
    contentHash: r.content_hash,
    summary: r.summary,
  };
  return { meta, tasks: () => cursor(client, REVISION_TASKS_SQL, [municipalityId, year, r.revision]) };
}
