import { Injectable } from '@nestjs/common';
import { reportPath } from './pages';

/** A rendered report page of one published revision. */
export interface CachedReportPage {
  municipalityId: string;
  slug: string;
  year: number;
  revision: number;
  body: Buffer;
  etag: string;
  /** when the revision number was last confirmed against the database (ms since the epoch) */
  checkedAt: number;
}

/** A page's key is its address, so the fast path looks a request's URL up as it comes. */
const key = reportPath;

/**
 * The rendered report pages, per (slug, year), each holding the revision it shows. A published
 * revision never changes, so a page stays right until a newer revision is published: `invalidate`
 * runs on the `report.published` event, raised in this process after the publication commits and
 * heard from any other process (another API instance, the worker, the CLI) through PostgreSQL's
 * NOTIFY (PublicPagesModule). Should an event be lost (the listening connection down), a page
 * is still checked when REVALIDATE_MS has passed: the site asks the database for the newest
 * revision number again (one indexed look-up).
 */
@Injectable()
export class PublicPagesCache {
  static readonly REVALIDATE_MS = 30_000;
  static readonly MAX_PAGES = 500;

  private readonly pages = new Map<string, CachedReportPage>();
  /** per year, bumped by invalidate, so a page rendered from data read before it is not stored after it */
  private readonly generations = new Map<number, number>();
  private readonly building = new Map<string, Promise<unknown>>();

  /** The cached page, if any, and whether its revision was confirmed less than REVALIDATE_MS ago. */
  get(slug: string, year: number, now = Date.now()): { page: CachedReportPage; fresh: boolean } | undefined {
    const page = this.pages.get(key(slug, year));
    return page && { page, fresh: now - page.checkedAt < PublicPagesCache.REVALIDATE_MS };
  }

  /**
   * The page at this address (`/{slug}/reports/{year}`, nothing else: no query, no trailing slash)
   * if its revision was confirmed less than REVALIDATE_MS ago: the fast path's look-up, with
   * nothing parsed or allocated.
   */
  freshAt(path: string, now = Date.now()): CachedReportPage | undefined {
    const page = this.pages.get(path);
    return page && now - page.checkedAt < PublicPagesCache.REVALIDATE_MS ? page : undefined;
  }

  /** The database still names this revision as the newest: trust the page for another REVALIDATE_MS. */
  confirm(page: CachedReportPage, now = Date.now()): void {
    page.checkedAt = now;
  }

  /** Read before the data a page is rendered from; hand it back to `put`. */
  generation(year: number): number {
    return this.generations.get(year) ?? 0;
  }

  /** Stores a page rendered from data read at `generation`, unless an invalidation of its year came since. */
  put(page: CachedReportPage, generation: number): void {
    if (this.generation(page.year) !== generation) return;
    const k = key(page.slug, page.year);
    this.pages.delete(k);
    this.pages.set(k, page);
    // a Map keeps insertion order: the first entry is the one stored longest ago
    while (this.pages.size > PublicPagesCache.MAX_PAGES) this.pages.delete(this.pages.keys().next().value!);
  }

  /** One build at a time per page: concurrent misses share it. */
  once<T>(slug: string, year: number, build: () => Promise<T>): Promise<T> {
    const k = key(slug, year);
    const running = this.building.get(k) as Promise<T> | undefined;
    if (running) return running;
    const started = build().finally(() => this.building.delete(k));
    this.building.set(k, started);
    return started;
  }

  /** Every page is checked against the database at its next request (events may have been missed). */
  revalidateAll(): void {
    for (const page of this.pages.values()) page.checkedAt = 0;
  }

  /** Drops a municipality's page of a year at once (after a publication); `municipality` is its id or its slug. */
  invalidate(municipality: string, year: number): void {
    this.generations.set(year, this.generation(year) + 1);
    for (const [k, page] of this.pages) {
      if (page.year === year && (page.municipalityId === municipality || page.slug === municipality)) this.pages.delete(k);
    }
  }
}
