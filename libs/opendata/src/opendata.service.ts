import { DomainError, NotFound, ReadReplicas, sha256Hex } from '@app/core';
import { ReportRevisions, type RevisionTask } from '@app/reports';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { packageHeader, toGrant, type GrantContext, type GrantSource } from './grants.mapping';
import { identifiersOf, OPEN_DATA_SETTINGS, type OpenDataSettings } from './opendata.settings';

/** A 360Giving file ready to send: its validators, and its body made batch by batch as it is read. */
export interface GrantsFile {
  /** weak: the body is the revision's frozen rows, with the sphere names read from the (versioned) dictionary at request time */
  etag: string;
  publishedAt: Date;
  body(): AsyncGenerator<string>;
}

/** The columns of a revision task a grant is made of. */
const GRANT_FIELDS = [
  'taskId',
  'title',
  'sphere',
  'mode',
  'form',
  'department',
  'competitionRef',
  'amountGranted',
  'startDate',
  'endDate',
  'ngos',
  'programId',
  'programTitle',
] as const satisfies ReadonlyArray<keyof RevisionTask>;

type GrantRow = Pick<RevisionTask, (typeof GRANT_FIELDS)[number]>;

/** 404: the revision lists no funded task, and a 360Giving package holds at least one grant. */
export class NoGrants extends DomainError {
  readonly kind = 'not-found';
}

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** Rows per query: the file is written batch by batch, and no database connection waits on a slow reader. */
export const BATCH_SIZE = 500;

/** The spheres' names in force in the year (the dictionary is versioned), as the report page shows them. */
const SPHERES_SQL = `
  SELECT DISTINCT ON (code) code, name FROM spheres
   WHERE (valid_from IS NULL OR valid_from <= make_date($1::int, 12, 31)) AND (valid_to IS NULL OR valid_to >= make_date($1::int, 1, 1))
   ORDER BY code, valid_from DESC NULLS LAST`;

@Injectable()
export class OpenDataService {
  private readonly logger = new Logger(OpenDataService.name);

  constructor(
    @Inject(OPEN_DATA_SETTINGS) private readonly settings: OpenDataSettings,
    private readonly replicas: ReadReplicas,
  ) {}

  /**
   * The 360Giving package of the newest published revision of a municipality's year. 404 when
   * the municipality is unknown, the year has no published revision, or the revision lists no
   * task (a package must hold at least one grant).
   */
  async grantsFile(slug: string, year: number): Promise<GrantsFile> {
    // published data: a read replica when one is fit; the file is read on the one it started on
    const em = this.replicas.manager();
    const revisions = new ReportRevisions(em);
    const row = SLUG.test(slug) && slug.length <= 100 ? await revisions.municipalityRevision(slug, year) : null;
    if (!row) throw new NotFound('municipality', slug);
    if (row.revision === null || row.publishedAt === null || row.contentHash === null) {
      throw new NotFound('published report', `${slug}/${year}`);
    }
    if (!row.tasks) {
      throw new NoGrants(`The published report ${slug}/${year} (revision ${row.revision}) lists no funded task; a 360Giving file holds at least one grant`);
    }
    const revision = row.revision;
    const publishedAt = row.publishedAt;
    const { prefix, funderId } = identifiersOf(this.settings, row);
    const funder = { id: funderId, name: row.name };
    const settingsTag = sha256Hex(JSON.stringify([prefix, funderId, this.settings.license])).slice(0, 12);
    // the programme titles frozen with the revision's summary win over today's
    const frozenTitles = new Map((Array.isArray(row.programmes) ? row.programmes : []).map((p) => [p.id, p.title]));
    const header = packageHeader({ prefix, funder, year, revision, publishedAt, license: this.settings.license });

    const ds = em;
    const logger = this.logger;
    return {
      etag: `W/"${row.contentHash}.${revision}.${settingsTag}"`,
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
            const rows = await revisions.taskBatch(GRANT_FIELDS, row.municipalityId, year, revision, after, BATCH_SIZE);
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

function grantSource(r: GrantRow, frozenTitles: ReadonlyMap<string, string>): GrantSource {
  return {
    taskId: r.taskId,
    title: r.title,
    sphere: r.sphere,
    mode: r.mode,
    form: r.form,
    department: r.department,
    competitionRef: r.competitionRef,
    amountGranted: r.amountGranted,
    startDate: r.startDate,
    endDate: r.endDate,
    ngos: r.ngos ?? [],
    programme: r.programId ? { id: r.programId, title: frozenTitles.get(r.programId) ?? r.programTitle ?? '' } : null,
  };
}
