import { audit, recordAudit, type AuditActor } from '@app/audit';
import { canonicalHash, currentManager, EventBus, inTransaction, notifyProcesses, NotFound, ReadReplicas, RuleViolation, type Actor } from '@app/core';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { renderCharts } from './charts';
import type { PublicReportView, ReportListItem, ReportView } from './dto/report.dto';
import { ReportRevisions } from './report-revisions.repository';
import { DETAILS_SQL, FINGERPRINT_SQL, SUMMARY_SQL, TASK_LIST_SQL } from './report.sql';
import type { RevisionDetails, Summary } from './report.types';

interface ReportRow {
  year: number;
  compiled_at: Date;
  summary: Summary;
  content_hash: string;
  input_fingerprint: string;
  revision: number;
  published_at: Date | null;
  published_hash: string | null;
  published_fingerprint: string | null;
  overdue: boolean;
}

/** The report row with its newest published revision, and whether its deadline (31 May of the next year) has passed unpublished. */
const SELECT_REPORT = `
  SELECT r.year, r.compiled_at, r.summary, r.content_hash, r.input_fingerprint, r.revision,
         v.published_at, v.content_hash AS published_hash, v.input_fingerprint AS published_fingerprint,
         (r.revision = 0 AND (now() AT TIME ZONE 'Europe/Warsaw')::date > make_date(r.year + 1, 5, 31)) AS overdue
    FROM reports r
    LEFT JOIN report_revisions v ON v.municipality_id = r.municipality_id AND v.year = r.year AND v.revision = r.revision`;

/** `published` while the newest compile is what the newest revision froze; a compile of changed data is a newer draft. */
function statusOf(r: ReportRow): 'draft' | 'published' {
  return r.revision > 0 && r.published_hash === r.content_hash && r.published_fingerprint === r.input_fingerprint ? 'published' : 'draft';
}

function reportView(r: ReportRow): ReportView {
  return { year: r.year, status: statusOf(r), revision: r.revision, compiledAt: r.compiled_at.toISOString(), contentHash: r.content_hash, summary: r.summary };
}

export type CompileOutcome = 'compiled' | 'skipped';

/** Who publishes: a signed-in official or admin, or the system (the demo's first start). */
export type Publisher = AuditActor & { municipalityId: string };

@Injectable()
export class ReportsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    // a service built by hand (the first start's seed, the benchmarks) announces to no one
    private readonly events: EventBus = new EventBus(),
    // absent in a service built by hand: the primary
    private readonly replicas?: ReadReplicas,
  ) {}

  private async row(em: EntityManager, municipalityId: string, year: number): Promise<ReportRow | null> {
    const [row]: ReportRow[] = await em.query(`${SELECT_REPORT} WHERE r.municipality_id = $1 AND r.year = $2`, [municipalityId, year]);
    return row ?? null;
  }

  private async assertCompilable(em: EntityManager, year: number): Promise<void> {
    const [{ current }]: Array<{ current: number }> = await em.query(`SELECT extract(year FROM now() AT TIME ZONE 'Europe/Warsaw')::int AS current`);
    if (year > current) throw RuleViolation.of('report.year-in-future', 'year', `${year} has not begun; a report covers the current year at the latest`);
  }

  async list(actor: Actor): Promise<ReportListItem[]> {
    const rows: ReportRow[] = await this.ds.query(`${SELECT_REPORT} WHERE r.municipality_id = $1 ORDER BY r.year DESC`, [actor.municipalityId]);
    return rows.map((r) => ({
      year: r.year,
      status: statusOf(r),
      compiledAt: r.compiled_at.toISOString(),
      publishedAt: r.published_at?.toISOString() ?? null,
      revision: r.revision,
      contentHash: r.content_hash,
      overdue: r.overdue,
    }));
  }

  async get(actor: Actor, year: number): Promise<ReportView> {
    const row = await this.row(this.ds.manager, actor.municipalityId, year);
    if (!row) throw new NotFound('report', String(year));
    return reportView(row);
  }

  /**
   * Compiles the year in one transaction: the summary and the fingerprint of its input come from
   * one statement (one snapshot) and replace the previous compile only when the transaction
   * commits, so a crash leaves the previous compile as it was. With `onlyIfChanged`, a year whose
   * input fingerprint matches the stored one is skipped. The report's row is locked first, so two
   * compiles of one year (a user's and the nightly's, or two nightly processes) run one after the
   * other, and the second one's fingerprint check sees what the first committed. `record` runs in
   * the same transaction before it commits (the nightly job writes its item's outcome there, and
   * throws when its claim of the item was lost, which undoes the compile).
   */
  async compile(
    municipalityId: string,
    year: number,
    options: { onlyIfChanged?: boolean; actor?: Actor; record?: (em: EntityManager, outcome: CompileOutcome) => Promise<void> } = {},
  ): Promise<{ outcome: CompileOutcome }> {
    return inTransaction(this.ds, async (em) => {
      await this.assertCompilable(em, year);
      // lock order: the report row, then the chain head (as publish takes them)
      await em.query(`SELECT 1 FROM reports WHERE municipality_id = $1 AND year = $2 FOR UPDATE`, [municipalityId, year]);
      let outcome: CompileOutcome = 'compiled';
      if (options.onlyIfChanged) {
        const [{ fingerprint }]: Array<{ fingerprint: string }> = await em.query(FINGERPRINT_SQL, [municipalityId, year]);
        const [stored]: Array<{ input_fingerprint: string }> = await em.query(`SELECT input_fingerprint FROM reports WHERE municipality_id = $1 AND year = $2`, [municipalityId, year]);
        if (stored?.input_fingerprint === fingerprint) outcome = 'skipped';
      }
      if (outcome === 'compiled') {
        await this.compileIn(em, municipalityId, year);
        if (options.actor) await audit(em, options.actor, { action: 'compile', entity: 'report', entityId: String(year), after: { year, contentHash: (await this.row(em, municipalityId, year))!.content_hash } });
      }
      await options.record?.(em, outcome);
      return { outcome };
    });
  }

  private async compileIn(em: EntityManager, municipalityId: string, year: number): Promise<void> {
    const [{ summary, fingerprint }]: Array<{ summary: Summary; fingerprint: string }> = await em.query(
      `SELECT s.summary, f.fingerprint FROM (${SUMMARY_SQL}) s, (${FINGERPRINT_SQL}) f`,
      [municipalityId, year],
    );
    await em.query(
      `INSERT INTO reports (municipality_id, year, compiled_at, summary, content_hash, input_fingerprint)
       VALUES ($1, $2, clock_timestamp(), $3::jsonb, $4, $5)
       ON CONFLICT (municipality_id, year) DO UPDATE
         SET compiled_at = EXCLUDED.compiled_at, summary = EXCLUDED.summary, content_hash = EXCLUDED.content_hash, input_fingerprint = EXCLUDED.input_fingerprint`,
      [municipalityId, year, JSON.stringify(summary), canonicalHash(summary), fingerprint],
    );
  }

  /** POST /reports/{year}/compile: compiles now, whatever the fingerprint says. */
  async compileNow(actor: Actor, year: number): Promise<ReportView> {
    await this.compile(actor.municipalityId, year, { actor });
    return this.get(actor, year);
  }

  /** The yearly job: opens the year's first draft when the year has no report yet. */
  async open(municipalityId: string, year: number): Promise<'opened' | 'exists'> {
    return inTransaction(this.ds, async (em) => {
      const [existing] = await em.query(`SELECT 1 FROM reports WHERE municipality_id = $1 AND year = $2`, [municipalityId, year]);
      if (existing) return 'exists';
      await this.compileIn(em, municipalityId, year);
      return 'opened';
    });
  }

  /**
   * Freezes the newest compile as revision N+1: its summary, its transparency table and its
   * charts. Holding the municipality's audit-chain head lock, no other write of the municipality
   * can commit meanwhile (every write's commit seals its audit entries under that lock), so the statements below
   * read one state of the data. When that state is no longer what the newest compile read (its
   * input fingerprint moved), the year is compiled again first, so the frozen summary and task
   * list always agree. `expectedHash` (optional) refuses to publish anything but the draft the
   * caller reviewed. Publishing what the newest revision already holds changes nothing.
   */
  async publish(actor: Publisher, year: number, expectedHash?: string): Promise<ReportView> {
    await inTransaction(this.ds, async (em) => {
      const m = actor.municipalityId;
      // lock order: the report row, then the chain head (a compile by a user takes them in that order too)
      await em.query(`SELECT 1 FROM reports WHERE municipality_id = $1 AND year = $2 FOR UPDATE`, [m, year]);
      await em.query(`INSERT INTO audit_heads (municipality_id, seq, hash) VALUES ($1, 0, repeat('0', 64)) ON CONFLICT DO NOTHING`, [m]);
      await em.query(`SELECT 1 FROM audit_heads WHERE municipality_id = $1 FOR UPDATE`, [m]);
      let report = await this.row(em, m, year);
      if (!report) throw RuleViolation.of('report.not-compiled', 'year', `${year} has no compiled report yet; compile it first`);
      const [{ fingerprint }]: Array<{ fingerprint: string }> = await em.query(FINGERPRINT_SQL, [m, year]);
      if (fingerprint !== report.input_fingerprint) {
        await this.compileIn(em, m, year);
        report = (await this.row(em, m, year))!;
      }
      if (expectedHash && expectedHash !== report.content_hash) {
        throw RuleViolation.of('report.changed-since-review', 'contentHash', `The data changed since that draft was compiled: the report now hashes to ${report.content_hash}; review it again`);
      }
      if (statusOf(report) === 'published') return;
      const revision = report.revision + 1;
      const [{ details }]: Array<{ details: RevisionDetails }> = await em.query(DETAILS_SQL, [m, year]);
      const names: Array<{ code: string; name: string }> = await em.query(`SELECT DISTINCT ON (code) code, name FROM spheres ORDER BY code, valid_from DESC NULLS LAST`);
      const charts = renderCharts(report.summary, { sphereNames: Object.fromEntries(names.map((s) => [s.code, s.name])) });
      const [{ tasks }]: Array<{ tasks: number }> = await em.query(`SELECT count(*)::int AS tasks FROM (${TASK_LIST_SQL}) l`, [m, year]);
      await em.query(
        `INSERT INTO report_revisions (municipality_id, year, revision, compiled_at, published_by, published_by_email, summary, content_hash, input_fingerprint, charts, details, tasks)
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10::jsonb, $11::jsonb, $12)`,
        [m, year, revision, report.compiled_at, actor.userId, actor.email, JSON.stringify(report.summary), report.content_hash, report.input_fingerprint, JSON.stringify(charts), JSON.stringify(details), tasks],
      );
      await em.query(
        `INSERT INTO report_revision_tasks (municipality_id, year, revision, position, task_id, title, sphere, mode, form, department, competition_ref,
                                            amount_requested, amount_granted, amount_settled, start_date, end_date, status, beneficiaries, ngos, program_id, program_title)
         SELECT $1, $2, $3, l.* FROM (${TASK_LIST_SQL}) l`,
        [m, year, revision],
      );
      await em.query(`UPDATE reports SET revision = $3 WHERE municipality_id = $1 AND year = $2`, [m, year, revision]);
      await recordAudit(em, m, actor, { action: 'publish', entity: 'report', entityId: String(year), after: { year, revision, contentHash: report.content_hash, tasks } });
      // announced once the revision is committed (the public pages drop their copy): before, a page
      // request in between would read the old revision and cache it as current. This process hears
      // it after COMMIT returns; every other one (API instances) through NOTIFY, which PostgreSQL
      // delivers at the commit, whoever publishes (the API, the web app, the CLI, the first start)
      this.events.emitAfterCommit('report.published', { municipalityId: m, year });
      await notifyProcesses(em, 'report.published', { municipalityId: m, year });
    });
    return reportView((await this.row(currentManager(this.ds), actor.municipalityId, year))!);
  }

  /** The open data: the newest published revision of a municipality's year; 404 while there is none. */
  async publicReport(slug: string, year: number): Promise<PublicReportView> {
    // open data: a read replica when one is fit
    const row = await new ReportRevisions(this.replicas?.manager() ?? this.ds).newestBySlug(['year', 'revision', 'publishedAt', 'contentHash', 'summary'], slug, year);
    if (!row) throw new NotFound('published report', `${slug}/${year}`);
    return { year: row.year, revision: row.revision, publishedAt: row.publishedAt.toISOString(), contentHash: row.contentHash, summary: row.summary };
  }
}
