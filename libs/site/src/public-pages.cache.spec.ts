import { PublicPagesCache, type CachedReportPage } from './public-pages.cache';

const page = (overrides: Partial<CachedReportPage> = {}): CachedReportPage => ({
  municipalityId: 'm-1',
  slug: 'krakow',
  year: 2019,
  revision: 1,
  body: Buffer.from('<html>'),
  etag: '"e"',
  checkedAt: 1_000,
  ...overrides,
});

describe('PublicPagesCache', () => {
  it('keeps a page fresh for REVALIDATE_MS after it was confirmed', () => {
    const cache = new PublicPagesCache();
    cache.put(page(), cache.generation(2019));
    expect(cache.get('krakow', 2019, 1_000 + PublicPagesCache.REVALIDATE_MS - 1)).toMatchObject({ fresh: true });
    const stale = cache.get('krakow', 2019, 1_000 + PublicPagesCache.REVALIDATE_MS)!;
    expect(stale.fresh).toBe(false);
    cache.confirm(stale.page, 50_000);
    expect(cache.get('krakow', 2019, 50_000 + 1)).toMatchObject({ fresh: true });
    expect(cache.get('krakow', 2020)).toBeUndefined();
    expect(cache.get('wieliczka', 2019)).toBeUndefined();
  });

  it('finds a fresh page by its address, as a request names it, and nothing else', () => {
    const cache = new PublicPagesCache();
    cache.put(page(), cache.generation(2019));
    expect(cache.freshAt('/krakow/reports/2019', 1_000 + PublicPagesCache.REVALIDATE_MS - 1)).toMatchObject({ slug: 'krakow', year: 2019 });
    expect(cache.freshAt('/krakow/reports/2019', 1_000 + PublicPagesCache.REVALIDATE_MS)).toBeUndefined();
    for (const other of ['/krakow/reports/2019?x=1', '/krakow/reports/2019/', '/krakow/reports/02019', '/Krakow/reports/2019', 'krakow/2019', '/krakow/reports/2020']) {
      expect(cache.freshAt(other, 1_000)).toBeUndefined();
    }
  });

  it('drops a page on invalidate by municipality id or by slug, that year only', () => {
    const cache = new PublicPagesCache();
    cache.put(page(), 0);
    cache.put(page({ year: 2020 }), 0);
    cache.put(page({ municipalityId: 'm-2', slug: 'wieliczka' }), 0);
    cache.invalidate('m-1', 2019);
    expect(cache.get('krakow', 2019)).toBeUndefined();
    expect(cache.get('krakow', 2020)).toBeDefined();
    expect(cache.get('wieliczka', 2019)).toBeDefined();
    cache.invalidate('wieliczka', 2019);
    expect(cache.get('wieliczka', 2019)).toBeUndefined();
  });

  it('does not store a page read before an invalidation of its year', () => {
    const cache = new PublicPagesCache();
    const generation = cache.generation(2019);
    cache.invalidate('m-1', 2019); // a publication committed while the page was being rendered
    cache.put(page(), generation);
    expect(cache.get('krakow', 2019)).toBeUndefined();
    cache.put(page(), cache.generation(2019));
    expect(cache.get('krakow', 2019)).toBeDefined();
  });

  it('shares one build between concurrent misses', async () => {
    const cache = new PublicPagesCache();
    let builds = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const build = async () => {
      builds += 1;
      await gate;
      return builds;
    };
    const both = Promise.all([cache.once('krakow', 2019, build), cache.once('krakow', 2019, build)]);
    release();
    expect(await both).toEqual([1, 1]);
    expect(await cache.once('krakow', 2019, build)).toBe(2); // the next miss builds again
  });

  it('holds at most MAX_PAGES, dropping the one stored longest ago', () => {
    const cache = new PublicPagesCache();
    for (let i = 0; i <= PublicPagesCache.MAX_PAGES; i++) cache.put(page({ slug: `gmina-${i}` }), 0);
    expect(cache.get('gmina-0', 2019)).toBeUndefined();
    expect(cache.get('gmina-1', 2019)).toBeDefined();
    expect(cache.get(`gmina-${PublicPagesCache.MAX_PAGES}`, 2019)).toBeDefined();
  });
});
