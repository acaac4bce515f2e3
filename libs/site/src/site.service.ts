import { TODAY_SQL } from '@app/commissions';
import { PublicCallsService } from '@app/competitions';
import { likePattern, NotFound, ReadReplicas } from '@app/core';
import { ReportRevisions } from '@app/reports';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { etagOf } from './http-cache';
import {
  callPage,
  callsPage,
  callsPath,
  commissionsPage,
  homePage,
  municipalityPage,
  municipalityPath,
  notFoundPage,
  reportPage,
  type CommissionMember,
  type MunicipalityInfo,
  type PublicCallView,
  type PublicCommission,
  type PublishedYear,
  type RevisionTaskRow,
} from './pages';
import { PublicPagesCache, type CachedReportPage } from './public-pages.cache';

/** A page ready to send. */
export interface SitePage {
  status: 200 | 404;
  body: Buffer;
  etag: string;
  cacheControl: string;
}

/** Published revisions never change: a minute in any cache is harmless. */
export const REPORT_CACHE_CONTROL = 'public, max-age=60';
/** Lists that change with the data: a cache keeps them but asks again each time (ETag, 304). */
const LIVE_CACHE_CONTROL = 'no-cache';
const NOT_FOUND_CACHE_CONTROL = 'no-store';

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const YEAR = /^\d{4}$/;
const MAX_QUERY_LENGTH = 100;

function html(status: SitePage['status'], text: string, cacheControl: string): SitePage {
  const body = Buffer.from(text, 'utf8');
  return { status, body, etag: etagOf(body), cacheControl };
}

const notFound = (message: string, back?: { href: string; label: string }) => html(404, notFoundPage({ message, back }), NOT_FOUND_CACHE_CONTROL);
const unknownMunicipality = () => notFound('Nie ma gminy o takim adresie. Sprawdź adres albo wybierz gminę z listy.');

const POLISH = 'ąćęłńóśźżäöüéèáàíîôûç';
const LATIN = 'acelnoszzaoueeaaiiouc';
/** Lower case without Polish (and a few other) diacritics, in JavaScript and in SQL alike. */
export function foldPolish(text: string): string {
  return [...text.toLocaleLowerCase('pl-PL')].map((ch) => (POLISH.includes(ch) ? LATIN[POLISH.indexOf(ch)] : ch)).join('');
}
const FOLD_SQL = (column: string) => `translate(lower(${column}), '${POLISH}', '${LATIN}')`;

/**
 * The public pages (no sign-in): the municipalities, a municipality's published reports, its
 * dialogue commissions (live data) and a published report (from the frozen revision only, cached
 * per revision: serving it again reads at most one revision number from the database).
 */
@Injectable()
export class SiteService {
  private readonly logger = new Logger(SiteService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly revisions: ReportRevisions,
    private readonly cache: PublicPagesCache,
    private readonly calls: PublicCallsService,
    private readonly replicas: ReadReplicas,
  ) {}

  /**
   * Where the live pages read (municipalities, commissions, the calls, sphere names): a read
   * replica when one is fit. The report page reads the primary: it is rendered once per revision
   * and cached, right after a publication, whose revision a lagging replica may not hold yet.
   */
  private live(): EntityManager {
    return this.replicas.manager();
  }

  private async municipalityBySlug(slug: string): Promise<MunicipalityInfo | null> {
    if (!SLUG.test(slug) || slug.length > 100) return null;
    const [row]: MunicipalityInfo[] = await this.live().query(`SELECT id, name, slug, teryt FROM municipalities WHERE slug = $1`, [slug]);
    return row ?? null;
  }

  /** Any public address that is no page: the Polish 404 page (the API's addresses keep problem+json). */
  unknownAddress(): SitePage {
    return notFound('Pod tym adresem nie ma żadnej strony. Sprawdź adres albo zacznij od listy gmin.', { href: '/', label: 'Lista gmin' });
  }

  async home(): Promise<SitePage> {
    const rows: MunicipalityInfo[] = await this.live().query(`SELECT id, name, slug, teryt FROM municipalities`);
    return html(200, homePage(rows), LIVE_CACHE_CONTROL);
  }

  async municipality(slug: string): Promise<SitePage> {
    const m = await this.municipalityBySlug(slug);
    if (!m) return unknownMunicipality();
    const years = await new ReportRevisions(this.live()).publishedYears(m.id);
    const published: PublishedYear[] = years.map((y) => ({ year: y.year, revision: y.revision, publishedAt: y.publishedAt }));
    return html(200, municipalityPage(m, published), LIVE_CACHE_CONTROL);
  }

  /** The commissions whose term contains today (all of them with `all`), with the members of that day; `q` filters by NGO name or KRS. */
  async commissions(slug: string, query: { q?: unknown; all?: unknown }): Promise<SitePage> {
    const m = await this.municipalityBySlug(slug);
    if (!m) return unknownMunicipality();
    const db = this.live();
    // control characters (NUL above all, which PostgreSQL refuses in text) cannot be part of a name or a KRS number
    const q = (typeof query.q === 'string' ? query.q : '').replace(/\p{Cc}/gu, '').trim().slice(0, MAX_QUERY_LENGTH);
    const all = query.all === '1' || query.all === 'true';
    const commissions: Array<{
      id: string;
      name: string;
      sphere: string | null;
      sphere_name: string | null;
      department: string;
      term_start: string;
      term_end: string;
      state: PublicCommission['state'];
      as_of: string;
    }> = await db.query(
      `WITH today AS (SELECT ${TODAY_SQL} AS d)
       SELECT c.id, c.name, c.sphere, s.name AS sphere_name, c.department, c.term_start, c.term_end,
              CASE WHEN t.d < c.term_start THEN 'future' WHEN t.d > c.term_end THEN 'past' ELSE 'current' END AS state,
              to_char(greatest(c.term_start, least(c.term_end, t.d)), 'YYYY-MM-DD') AS as_of
         FROM commissions c CROSS JOIN today t
         LEFT JOIN LATERAL (SELECT name FROM spheres WHERE code = c.sphere ORDER BY valid_from DESC NULLS LAST LIMIT 1) s ON true
        WHERE c.municipality_id = $1 ${all ? '' : 'AND c.term_start <= t.d AND c.term_end >= t.d'}
        ORDER BY (t.d BETWEEN c.term_start AND c.term_end) DESC, c.term_end DESC, lower(c.name), c.id`,
      [m.id],
    );
    const params: unknown[] = [m.id, commissions.map((c) => c.id)];
    // Without a search: the members on the commission's day (today, or the nearest day of its
    // term); an open-ended membership lasts to the term's end. With one: every membership whose
    // NGO matches, past ones too (marked), the name compared without case or Polish diacritics.
    const onTheDay = `m.from_date <= greatest(c.term_start, least(c.term_end, t.d)) AND coalesce(m.to_date, c.term_end) >= greatest(c.term_start, least(c.term_end, t.d))`;
    let filter = `AND ${onTheDay}`;
    if (q) {
      params.push(likePattern(foldPolish(q)));
      filter = `AND (${FOLD_SQL('n.name')} LIKE $3${/^\d+$/.test(q) ? ' OR n.krs LIKE $3' : ''})`;
    }
    const members: Array<CommissionMember & { commission_id: string }> = await db.query(
      `WITH today AS (SELECT ${TODAY_SQL} AS d)
       SELECT m.commission_id, n.name AS "ngoName", n.krs, m.representative, m.role, m.from_date AS "from", m.to_date AS "to",
              NOT (${onTheDay}) AS "notOnTheDay"
         FROM commission_members m
         JOIN commissions c ON c.municipality_id = m.municipality_id AND c.id = m.commission_id
         JOIN ngos n ON n.municipality_id = m.municipality_id AND n.id = m.ngo_id
         CROSS JOIN today t
        WHERE m.municipality_id = $1 AND m.commission_id = ANY($2::uuid[])
          ${filter}
        ORDER BY "notOnTheDay", array_position(ARRAY['chair', 'vice-chair', 'secretary', 'member'], m.role), lower(n.name), m.from_date, m.id`,
      params,
    );
    const byCommission = new Map<string, CommissionMember[]>();
    for (const { commission_id, ...member } of members) {
      const list = byCommission.get(commission_id) ?? [];
      list.push(member);
      byCommission.set(commission_id, list);
    }
    const view: PublicCommission[] = commissions.map((c) => ({
      id: c.id,
      name: c.name,
      sphere: c.sphere,
      sphereName: c.sphere_name,
      department: c.department,
      termStart: c.term_start,
      termEnd: c.term_end,
      state: c.state,
      asOf: c.as_of,
      members: byCommission.get(c.id) ?? [],
    }));
    return html(200, commissionsPage(m, view, { q, all }), LIVE_CACHE_CONTROL);
  }

  /** The names of sphere codes as in force today. */
  private async sphereNames(codes: string[]): Promise<Map<string, string>> {
    if (!codes.length) return new Map();
    const rows: Array<{ code: string; name: string }> = await this.live().query(
      `SELECT DISTINCT ON (code) code, name FROM spheres WHERE code = ANY($1::text[]) ORDER BY code, valid_from DESC NULLS LAST`,
      [[...new Set(codes)]],
    );
    return new Map(rows.map((r) => [r.code, r.name]));
  }

  /**
   * The municipality's announced calls (never a draft), open ones first. Rendered on every request,
   * not cached: a call closes by the clock and its results appear when it is resolved; the ETag
   * (of the body) lets a browser revalidate with a 304.
   */
  async callList(slug: string): Promise<SitePage> {
    const m = await this.municipalityBySlug(slug);
    if (!m) return unknownMunicipality();
    const { items } = await this.calls.list(m.slug);
    const names = await this.sphereNames(items.map((c) => c.sphere));
    const view: PublicCallView[] = items.map((c) => ({ ...c, sphereName: names.get(c.sphere) ?? null }));
    return html(200, callsPage(m, view), LIVE_CACHE_CONTROL);
  }

  /** One call's announcement (art. 13 ust. 2), and its results or its cancellation; rendered per request like the list. */
  async call(slug: string, id: string): Promise<SitePage> {
    const m = await this.municipalityBySlug(slug);
    if (!m) return unknownMunicipality();
    const missing = () => notFound('Nie ma takiego konkursu ofert. Sprawdź adres albo wybierz konkurs z listy.', { href: callsPath(m.slug), label: `Otwarte konkursy ofert: ${m.name}` });
    if (!UUID.test(id)) return missing();
    let call;
    try {
      call = await this.calls.get(m.slug, id.toLowerCase());
    } catch (error) {
      if (error instanceof NotFound) return missing();
      throw error;
    }
    const names = await this.sphereNames([call.sphere]);
    return html(200, callPage(m, { ...call, sphereName: names.get(call.sphere) ?? null }), LIVE_CACHE_CONTROL);
  }

  /** The newest published revision of the year, from the cache while the database names no newer one. */
  async report(slug: string, yearText: string): Promise<SitePage> {
    const year = YEAR.test(yearText) ? Number(yearText) : NaN;
    if (!SLUG.test(slug) || !(year >= 2000 && year <= 2100)) {
      return notFound('Nie ma takiego sprawozdania. Adres sprawozdania ma postać /gmina/reports/rok, np. /krakow/reports/2019.');
    }
    const cached = this.cache.get(slug, year);
    if (cached?.fresh) return reportAnswer(cached.page);
    if (cached) {
      let newest: number | null;
      try {
        newest = await this.revisions.newestRevisionNumber(slug, year);
      } catch (error) {
        // the page of a published revision stays true: serve it while the database does not answer
        this.logger.warn(`serving the cached report ${slug}/${year} (revision ${cached.page.revision}): ${String(error)}`);
        return reportAnswer(cached.page);
      }
      if (newest === cached.page.revision) {
        this.cache.confirm(cached.page);
        return reportAnswer(cached.page);
      }
    }
    return this.cache.once(slug, year, () => this.buildReport(slug, year));
  }

  private async buildReport(slug: string, year: number): Promise<SitePage> {
    const generation = this.cache.generation(year);
    const m = await this.municipalityBySlug(slug);
    if (!m) return unknownMunicipality();
    const revision = await this.revisions.revision(['revision', 'publishedAt', 'contentHash', 'summary', 'charts', 'details'], m.id, year, 'newest');
    if (!revision) {
      return notFound(`Sprawozdanie za ${year} r. nie zostało jeszcze opublikowane (${m.name}).`, { href: municipalityPath(m.slug), label: `Opublikowane sprawozdania: ${m.name}` });
    }
    const tasks: RevisionTaskRow[] = await this.revisions.tasks(['title', 'sphere', 'mode', 'amountGranted', 'ngos'], m.id, year, revision.revision);
    const spheres: Array<{ code: string; name: string; sort_key: number }> = await this.ds.query(
      `SELECT DISTINCT ON (code) code, name, sort_key FROM spheres
        WHERE (valid_from IS NULL OR valid_from <= make_date($1::int, 12, 31)) AND (valid_to IS NULL OR valid_to >= make_date($1::int, 1, 1))
        ORDER BY code, valid_from DESC NULLS LAST`,
      [year],
    );
    const text = reportPage({
      municipality: m,
      year,
      revision: revision.revision,
      publishedAt: revision.publishedAt,
      contentHash: revision.contentHash,
      summary: revision.summary,
      charts: Array.isArray(revision.charts) ? revision.charts : [],
      details: revision.details ?? {},
      tasks,
      spheres: new Map(spheres.map((s) => [s.code, { name: s.name, sortKey: s.sort_key }])),
    });
    const body = Buffer.from(text, 'utf8');
    const page: CachedReportPage = { municipalityId: m.id, slug: m.slug, year, revision: revision.revision, body, etag: etagOf(body), checkedAt: Date.now() };
    this.cache.put(page, generation);
    return reportAnswer(page);
  }
}

function reportAnswer(page: CachedReportPage): SitePage {
  return { status: 200, body: page.body, etag: page.etag, cacheControl: REPORT_CACHE_CONTROL };
}
