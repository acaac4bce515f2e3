import { NotFound } from '@app/core';
import { ReportRevisions, type StreamedTask, type Summary } from '@app/reports';
import type pg from 'pg';
import type { ExportRevision, ExportTask, ReportExportMeta, ReportExportSource } from './export-types';

/**
 * Rows fetched per round trip of the cursor. Small on purpose: a batch is written out before the
 * next young-generation collection, so its rows and buffers mostly die young instead of waiting in
 * the old generation for a full collection (500 left 10–20 MB more behind in a 200 000-task export,
 * npm run bench -- export; the extra round trips cost no measurable time).
 */
const CURSOR_BATCH = 100;

function exportTask(r: StreamedTask): ExportTask {
  return {
    position: r.position,
    taskId: r.taskId,
    title: r.title,
    sphere: r.sphere,
    mode: r.mode,
    form: r.form,
    department: r.department,
    competitionRef: r.competitionRef,
    amountRequested: r.amountRequested,
    amountGranted: r.amountGranted,
    amountSettled: r.amountSettled,
    startDate: r.startDate,
    endDate: r.endDate,
    status: r.status,
    beneficiaries: r.beneficiaries,
    ngos: (r.ngos ?? []).map((n) => ({ id: n.id, name: n.name, krs: n.krs ?? null, nip: n.nip ?? null, regon: n.regon ?? null })),
    programId: r.programId,
    programTitle: r.programTitle,
  };
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
  const revisions = new ReportRevisions(client);

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
    return { meta, tasks: () => revisions.streamDraftTasks(municipalityId, year, CURSOR_BATCH, exportTask) };
  }

  const r = await revisions.revision(['revision', 'publishedAt', 'compiledAt', 'contentHash', 'summary'], municipalityId, year, revision);
  if (!r) throw new NotFound(revision === 'newest' ? 'published report' : `revision ${revision} of the report`, String(year));
  const meta: ReportExportMeta = {
    municipality,
    year,
    revision: r.revision,
    status: 'published',
    publishedAt: r.publishedAt.toISOString(),
    compiledAt: r.compiledAt.toISOString(),
    contentHash: r.contentHash,
    summary: r.summary,
  };
  return { meta, tasks: () => revisions.streamTasks(municipalityId, year, r.revision, CURSOR_BATCH, exportTask) };
}
