import { DomainError, NotFound, sha256Hex } from '@app/core';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { packageHeader, toGrant, type FrozenNgo, type GrantContext, type GrantSource } from './grants.mapping';
import { identifiersOf, OPEN_DATA_SETTINGS, type OpenDataSettings } from './opendata.settings';

/** A 360Giving file ready to send: its validators, and its body made batch by batch as it is read. */
export interface GrantsFile {
  /** weak: the body is the revision's frozen rows, with the sphere names read from the (versioned) dictionary at request time */
  etag: string;
  publishedAt: Date;
  body(): AsyncGenerator<string>;
}

interface RevisionRow {
  municipality_id: string;
  name: string;
  slug: string;
  teryt: string;
  revision: number | null;
  published_at: Date | null;
  content_hash: string | null;
  tasks: number | null;
  programmes: Array<{ id: string; title: string }> | null;
}

interface TaskRow {
  position: number;
  task_id: string;
  title: string;
  sphere: string;
  mode: string;
  form: string;
  department: string;
  competition_ref: string | null;
  amount_granted: string;
  start_date: string;
  end_date: string;
  ngos: FrozenNgo[];
  program_id: string | null;
  program_title: string | null;
}

/** 404: the revision lists no funded task, and a 360Giving package holds at least one grant. */
export class NoGrants extends DomainError {
  readonly kind = 'not-found';
}

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** Rows per query: the file is written batch by batch, and no database connection waits on a slow reader. */
export const BATCH_SIZE = 500;

/** The municipality and its newest published revision of the year (NULLs when there is none), in one look-up. */
const REVISION_SQL = `
  SELECT m.id AS municipality_id, m.name, m.slug, m.teryt, v.revision, v.published_at, v.content_hash, v.tasks, v.programmes
    FROM municipalities m
    LEFT JOIN LATERAL (
      SELECT r.revision, r.published_at, r.content_hash, r.tasks, r.summary -> 'programmes' AS programmes
        FROM report_revisions r
       WHERE r.municipality_id = m.id AND r.year = $2
       ORDER BY r.revision DESC LIMIT 1) v ON true
   WHERE m.slug = $1`;

/** A batch of the revision's task list in its order (the primary key's), as frozen at publication, its programme included. */
const TASKS_SQL = `
  SELECT rt.position, rt.task_id, rt.title, rt.sphere, rt.mode, rt.form, rt.department, rt.competition_ref,
         rt.amount_granted::text AS amount_granted, rt.start_date::text AS start_date, rt.end_date::text AS end_date, rt.ngos,
         rt.program_id, rt.program_title
    FROM report_revision_tasks rt
   WHERE rt.municipality_id = $1 AND rt.year = $2 AND rt.revision = $3 AND rt.position > $4
   ORDER BY rt.position
   LIMIT $5`;

/** The spheres' names in force in the year (the dictionary is versioned), as the report page shows them. */
const SPHERES_SQL = `
  SELECT DISTINCT ON (code) code, name FROM spheres
   WHERE (valid_from IS NULL OR valid_from <= make_date($1::int, 12, 31)) AND (valid_to IS NULL OR valid_to >= make_date($1::int, 1, 1))
   ORDER BY code, valid_from DESC NULLS LAST`;

@Injectable()
export class OpenDataService {
  private readonly logger = new Logger(OpenDataService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(OPEN_DATA_SETTINGS) private readonly settings: OpenDataSettings,
  ) {}

  /**
   * The 360Giving package of the newest published revision of a municipality's year. 404 when
   * the municipality is unknown, the year has no published revision, or the revision lists no
   * task (a package must hold at least one grant).
   */
  async grantsFile(slug: string, year: number): Promise<GrantsFile> {
    const [row]: RevisionRow[] = SLUG.test(slug) && slug.length <= 100 ? await this.ds.query(REVISION_SQL, [slug, year]) : [];
    if (!row) throw new NotFound('municipality', slug);
    if (row.revision === null || row.published_at === null || row.content_hash === null) {
      throw new NotFound('published report', `${slug}/${year}`);
    }
    if (!row.tasks) {
      throw new NoGrants(`The published report ${slug}/${year} (revision ${row.revision}) lists no funded task; a 360Giving file holds at least one grant`);
    }
    const revision = row.revision;
    const publishedAt = row.published_at;
    const { prefix, funderId } = identifiersOf(this.settings, row);
    const funder = { id: funderId, name: row.name };
    const settingsTag = sha256Hex(JSON.stringify([prefix, funderId, this.settings.license])).slice(0, 12);
    // the programme titles frozen with the revision's summary win over today's
    const frozenTitles = new Map((Array.isArray(row.programmes) ? row.programmes : []).map((p) => [p.id, p.title]));
    const header = packageHeader({ prefix, funder, year, revision, publishedAt, license: this.settings.license });

    const ds = this.ds;
    const logger = this.logger;
    return {
      etag: `W/"${row.content_hash}.${revision}.${settingsTag}"`,
      publishedAt,
      async *body() {
        try {
          const spheres: Array<{ code: string; name: string }> = await ds.query(SPHERES_SQL, [year]);
          const ctx: GrantContext = {
            prefix,
            funder,
            municipality: { name: row.name, teryt: row.teryt },
            sphereNames: new Map(spheres.map((s) => [s.code, s.name])),
            publishedAt,
          };
          const head = JSON.stringify(header);
          yield `${head.slice(0, -1)},"grants":[`;
          let after = 0;
          let first = true;
          for (;;) {
            const rows: TaskRow[] = await ds.query(TASKS_SQL, [row.municipality_id, year, revision, after, BATCH_SIZE]);
            if (rows.length === 0) break;
            const grants = rows.map((r) => JSON.stringify(toGrant(grantSource(r, frozenTitles), ctx)));
            yield (first ? '' : ',') + grants.join(',');
            first = false;
            after = rows[rows.length - 1].position;
            if (rows.length < BATCH_SIZE) break;
          }
          yield ']}';
        } catch (error) {
          logger.error(`the 360Giving file of ${slug}/${year} (revision ${revision}) broke off: ${String(error)}`);
          throw error;
        }
      },
    };
  }
}

function grantSource(r: TaskRow, frozenTitles: ReadonlyMap<string, string>): GrantSource {
  return {
    taskId: r.task_id,
    title: r.title,
    sphere: r.sphere,
    mode: r.mode,
    form: r.form,
    department: r.department,
    competitionRef: r.competition_ref,
    amountGranted: r.amount_granted,
    startDate: r.start_date,
    endDate: r.end_date,
    ngos: r.ngos ?? [],
    programme: r.program_id ? { id: r.program_id, title: frozenTitles.get(r.program_id) ?? r.program_title ?? '' } : null,
  };
}
