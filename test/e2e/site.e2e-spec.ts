import { PublicPagesCache, SiteService } from '@app/site';
import { jest } from '@jest/globals';
import { createHash } from 'node:crypto';
import pg from 'pg';
import { newCommission, newMember, newNgo, newProgram, newTask, ROLE_PASSWORD, usersOfEveryRole } from '../utils/factories';
import { createTestApp, PLATFORM_ADMIN, type Answer, type TestApp } from '../utils/test-app';
import { signIn } from '../utils/users';

/**
 * Real: HTTP, PostgreSQL, the reports API (compile and publish make revision 1 with the real
 * charts). Later revisions are inserted with SQL, as another process would publish them.
 * The public HTML pages: content, escaping, accessibility markers, CSP, 404s, commissions search,
 * ETag/304 and the report page cache.
 */
describe('public pages', () => {
  let t: TestApp;
  let official: string;
  let krakowId: string;
  let contentHash: string;
  const evil = 'Fundacja <script>alert("x")</script> & „Spółka”';
  const ngos: Record<'evil' | 'seniors' | 'sport' | 'past', { id: string; name: string; krs: string }> = {} as never;

  const get = (path: string, headers: Record<string, string> = {}) => t.call('GET', path, { headers });
  const ok = async (path: string): Promise<Answer<string>> => {
    const r = await get(path);
    if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.text.slice(0, 300)}`);
    return r;
  };

  beforeAll(async () => {
    // no scheduler: its jobs would query the database while the cache tests count queries
    t = await createTestApp({ scheduler: false });
    const platformAdmin = await signIn(t, PLATFORM_ADMIN.email);
    official = (await usersOfEveryRole(t, platformAdmin, 'site')).official;
    [{ id: krakowId }] = await t.db.query(`SELECT id FROM municipalities WHERE slug = 'krakow'`);
    const post = async (path: string, body: Record<string, unknown>, token = official) => {
      const r = await t.call('POST', `/api/v1${path}`, { token, body });
      if (r.status !== 201 && r.status !== 200) throw new Error(`POST ${path}: ${r.status} ${r.text}`);
      return r.body;
    };
    for (const [key, name] of [
      ['evil', evil],
      ['seniors', 'Stowarzyszenie Seniorów Podgórza'],
      ['sport', 'Klub Sportowy Wisełka'],
      ['past', 'Fundacja Dawnej Komisji'],
    ] as const) {
      ngos[key] = await post('/ngos', newNgo({ name }));
    }
    const multiYear = (await post('/programs', newProgram())).id;
    const annual = (await post('/programs', newProgram({ title: 'Roczny program współpracy na 2019 r.', kind: 'annual', startYear: 2019, endYear: 2019, parentId: multiYear }))).id;
    await post('/tasks', newTask(annual, [ngos.evil.id, ngos.seniors.id], { title: 'Klub Seniora <b>Podgórze</b>', amountRequested: '1300000.00', amountGranted: '1250000.00' }));
    await post('/tasks', newTask(annual, [ngos.sport.id], { mode: 'small-grant', sphere: '17', department: 'Wydział Sportu', amountRequested: null, amountGranted: '9000.50', startDate: '2019-03-01', endDate: '2019-05-29' }));

    // a commission in its term today (two members) and one whose term ended (one member)
    const current = await post('/commissions', newCommission({ name: 'Komisja Dialogu Obywatelskiego ds. Seniorów', sphere: '10' }));
    await post(`/commissions/${current.id}/members`, newMember(ngos.evil.id, { role: 'chair', representative: 'Anna <i>Nowak</i>' }));
    await post(`/commissions/${current.id}/members`, newMember(ngos.seniors.id, { representative: 'Jan Kowalski' }));
    const past = await post('/commissions', newCommission({ name: 'Komisja Dialogu Obywatelskiego ds. Sportu 2019–2022', termStart: '2019-01-01', termEnd: '2022-12-31' }));
    await post(`/commissions/${past.id}/members`, newMember(ngos.past.id, { from: '2019-01-01', representative: 'Ewa Zielińska' }));

    // another municipality, whose commission must not show on Kraków's page
    await post('/municipalities', { name: 'Wieliczka', slug: 'wieliczka', teryt: '1219063', admin: { email: 'admin@wieliczka.site.test', password: ROLE_PASSWORD } }, platformAdmin);
    const wieliczka = await signIn(t, 'admin@wieliczka.site.test');
    const other = await post('/ngos', newNgo({ name: 'Stowarzyszenie z Wieliczki' }), wieliczka);
    const otherCommission = await post('/commissions', newCommission({ name: 'Komisja w Wieliczce' }), wieliczka);
    await post(`/commissions/${otherCommission.id}/members`, newMember(other.id), wieliczka);

    const compiled = await post('/reports/2019/compile', {});
    contentHash = compiled.contentHash;
    await post('/reports/2019/publish', { contentHash });
  });
  afterAll(() => t.close());

  const headingLevels = (html: string) => [...html.matchAll(/<h([1-6])[\s>]/g)].map((m) => Number(m[1]));
  const count = (html: string, re: RegExp) => [...html.matchAll(re)].length;

  /** What every page must be: Polish HTML under its own strict CSP, which the inline stylesheet satisfies by its hash. */
  function expectPage(r: Answer<string>, status = 200) {
    expect(r.status).toBe(status);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.text).toMatch(/^<!DOCTYPE html>\n<html lang="pl">/);
    expect(r.text).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(r.text).toContain('<a class="skip-link" href="#tresc">Przejdź do treści</a>');
    expect(r.text).toContain('<main id="tresc" tabindex="-1">');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    const csp = r.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    const styles = [...r.text.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]);
    expect(styles).toHaveLength(1);
    expect(csp).toContain(`style-src 'sha256-${createHash('sha256').update(styles[0]).digest('base64')}'`);
    expect(r.text).not.toMatch(/\sstyle="/); // style attributes would need 'unsafe-inline'
    expect(r.text).not.toMatch(/<script/i);
    const levels = headingLevels(r.text);
    expect(levels[0]).toBe(1);
    expect(count(r.text, /<h1[\s>]/g)).toBe(1);
    levels.forEach((level, i) => i && expect(level).toBeLessThanOrEqual(levels[i - 1] + 1));
    // every table scrolls inside its own labelled region, has a caption and scoped headers
    expect(count(r.text, /<table>/g)).toBe(count(r.text, /<div class="table-wrap" role="region" aria-labelledby="[^"]+" tabindex="0">\n<table>\n<caption id=/g));
    expect(count(r.text, /<th(?![^>]*scope="(?:col|row)")[\s>]/g)).toBe(0);
  }

  describe('the municipalities', () => {
    it('lists every municipality with a link to its page', async () => {
      const r = await ok('/');
      expectPage(r);
      expect(r.text).toContain('<a href="/krakow">Kraków</a>');
      expect(r.text).toContain('<a href="/wieliczka">Wieliczka</a>');
      expect(r.text.indexOf('Kraków')).toBeLessThan(r.text.indexOf('Wieliczka'));
    });

    it('is not under the /api/v1 prefix and needs no token', async () => {
      expect((await get('/api/v1/')).status).toBe(404);
      expect((await get('/api/v1/krakow')).status).toBe(404);
      expect((await ok('/krakow')).status).toBe(200);
    });

    it('leaves the API under its prefix: one-segment API routes do not move to the root', async () => {
      expect((await t.call('GET', '/api/v1/me', { token: official })).status).toBe(200);
      expect((await get('/api/v1/spheres')).status).toBe(200);
      expect((await get('/api/v1/public/krakow/reports/2019')).status).toBe(200);
      expect((await get('/health/live')).status).toBe(200);
      const me = await get('/me'); // a slug that no municipality has
      expectPage(me, 404);
      const openApi = await get('/api/docs-json');
      expect(openApi.status).toBe(200);
      expect(Object.keys(openApi.body.paths).filter((path) => !path.startsWith('/api/v1/') && !path.startsWith('/health/'))).toEqual([]);
    });
  });

  describe("a municipality's page", () => {
    it('lists its published reports with the revision and the date', async () => {
      const r = await ok('/krakow');
      expectPage(r);
      expect(r.text).toContain('<h1>Kraków</h1>');
      expect(r.text).toContain('<a href="/krakow/reports/2019">Sprawozdanie za 2019 r.</a>');
      expect(r.text).toContain('<caption id="sprawozdania">');
      expect(r.text).toContain('<a href="/krakow/commissions">');
      const wieliczka = await ok('/wieliczka');
      expect(wieliczka.text).toContain('Gmina nie opublikowała jeszcze żadnego sprawozdania.');
    });

    it('answers every unknown public address with the Polish HTML 404 page, and unknown API addresses with problem+json', async () => {
      for (const path of ['/krakow/nothing', '/krakow/reports/2019/extra', '/a/b/c/d', '/krakow/commissions/1']) {
        const r = await get(path);
        expectPage(r, 404);
        expect(r.text).toContain('Pod tym adresem nie ma żadnej strony.');
      }
      for (const path of ['/api/v1/nothing/here', '/health/nothing', '/api/v2/x']) {
        const r = await get(path);
        expect([path, r.status, r.headers.get('content-type')]).toEqual([path, 404, 'application/problem+json; charset=utf-8']);
      }
    });

    it('answers an unknown or malformed slug with an HTML 404 page', async () => {
      for (const path of ['/gdansk', '/Krakow', '/kra_kow', '/gdansk/commissions', '/gdansk/reports/2019', '/a--b', '/-krakow']) {
        const r = await get(path);
        expectPage(r, 404);
        expect(r.text).toContain('<h1>Nie znaleziono strony</h1>');
        expect(r.headers.get('cache-control')).toBe('no-store');
      }
    });
  });

  describe('the commissions page', () => {
    it('shows the commissions in their term today with their members, NGO names escaped', async () => {
      const r = await ok('/krakow/commissions');
      expectPage(r);
      expect(r.text).toContain('Komisja Dialogu Obywatelskiego ds. Seniorów');
      expect(r.text).not.toContain('ds. Sportu');
      expect(r.text).not.toContain('Komisja w Wieliczce');
      expect(r.text).toContain('Fundacja &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; „Spółka”');
      expect(r.text).toContain('Anna &lt;i&gt;Nowak&lt;/i&gt;');
      expect(r.text).toContain(ngos.evil.krs);
      expect(r.text).toContain('Stowarzyszenie Seniorów Podgórza');
      expect(r.text).toContain('przewodniczący');
      expect(r.text).toContain('<form class="search" method="get" action="/krakow/commissions" role="search">');
      expect(r.text).toContain('<label for="q">');
      expect(r.headers.get('cache-control')).toBe('no-cache');
    });

    it('shows every commission, the ended ones with their members on the last day of the term, with ?all=1', async () => {
      const r = await ok('/krakow/commissions?all=1');
      expectPage(r);
      expect(r.text).toContain('Komisja Dialogu Obywatelskiego ds. Sportu 2019–2022');
      expect(r.text).toContain('zakończona');
      expect(r.text).toContain('Fundacja Dawnej Komisji');
      expect(r.text).toContain('na dzień 31 grudnia 2022 r.');
      expect(r.text).toContain('<input type="hidden" name="all" value="1">');
    });

    it('finds an NGO by a part of its name, case-insensitively, or by its KRS number', async () => {
      const byName = await ok(`/krakow/commissions?q=${encodeURIComponent('seniorów podg')}`);
      expectPage(byName);
      expect(byName.text).toContain('Stowarzyszenie Seniorów Podgórza');
      expect(byName.text).not.toContain('Fundacja &lt;script&gt;');
      expect(byName.text).toContain('value="seniorów podg"');
      expect(byName.text).toContain('role="status"');

      const byKrs = await ok(`/krakow/commissions?q=${ngos.evil.krs.replace(/^0+/, '')}`);
      expect(byKrs.text).toContain('Fundacja &lt;script&gt;');
      expect(byKrs.text).not.toContain('Stowarzyszenie Seniorów Podgórza');

      const pastOnly = await ok(`/krakow/commissions?q=${encodeURIComponent('Dawnej')}`);
      expect(pastOnly.text).toContain('Nie znaleziono organizacji „Dawnej” w składzie żadnej trwającej komisji.');
      const pastAll = await ok(`/krakow/commissions?q=${encodeURIComponent('Dawnej')}&all=1`);
      expect(pastAll.text).toContain('Fundacja Dawnej Komisji');

      const wildcard = await ok(`/krakow/commissions?q=${encodeURIComponent('%')}`);
      expect(wildcard.text).toContain('Nie znaleziono organizacji „%”');
    });

    it('finds NGOs without regard to Polish diacritics, and finds past members too, marked as past with their dates', async () => {
      const year = new Date().getUTCFullYear();
      const call = async (path: string, body: Record<string, unknown>) => {
        const r = await t.call('POST', `/api/v1${path}`, { token: official, body });
        if (r.status !== 201) throw new Error(`${r.status} ${r.text}`);
        return r.body;
      };
      const [{ id: current }] = await t.db.query(`SELECT id FROM commissions WHERE name = 'Komisja Dialogu Obywatelskiego ds. Seniorów'`);
      const ngo = await call('/ngos', newNgo({ name: 'Towarzystwo Żółwi Łódzkich' }));
      await call(`/commissions/${current}/members`, newMember(ngo.id, { from: `${year - 1}-01-01`, to: `${year - 1}-06-30`, representative: 'Łucja Źrebięcka' }));

      // not a member today: the plain page leaves it out
      expect((await ok('/krakow/commissions')).text).not.toContain('Towarzystwo Żółwi Łódzkich');
      for (const q of ['zolwi lodzkich', 'ŻÓŁWI', 'Zółwi łódz']) {
        const r = await ok(`/krakow/commissions?q=${encodeURIComponent(q)}`);
        expect([q, r.text.includes('Towarzystwo Żółwi Łódzkich (były członek)')]).toEqual([q, true]);
        expect(r.text).toContain(`od 1 stycznia ${year - 1} do 30 czerwca ${year - 1}`);
      }
      const seniors = await ok(`/krakow/commissions?q=${encodeURIComponent('seniorow podgorza')}`);
      expect(seniors.text).toContain('Stowarzyszenie Seniorów Podgórza');
      expect(seniors.text).not.toContain('Stowarzyszenie Seniorów Podgórza (były członek)');
    });

    it('escapes the search text it shows back', async () => {
      const r = await ok(`/krakow/commissions?q=${encodeURIComponent('"><script>alert(1)</script>')}`);
      expectPage(r);
      expect(r.text).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
      // control characters are dropped, not sent to the database; a repeated parameter is ignored
      const nul = await ok('/krakow/commissions?q=%00Senior%C3%B3w');
      expect(nul.text).toContain('value="Seniorów"');
      expect(nul.text).toContain('Stowarzyszenie Seniorów Podgórza');
      expectPage(await get('/krakow/commissions?q=a&q=b'));
    });
  });

  describe('a report page', () => {
    it('shows the newest published revision: figures, tables with captions, tasks, commissions, charts, links', async () => {
      const r = await ok('/krakow/reports/2019');
      expectPage(r);
      const html = r.text;
      expect(html).toContain('<h1>Kraków: sprawozdanie ze współpracy z organizacjami pozarządowymi za 2019 r.</h1>');
      expect(html).toContain('Wersja 1, opublikowana <time datetime="');
      expect(html).toContain(`<code>${contentHash}</code>`);
      // headline figures, money in Polish style with no-break spaces
      expect(html).toContain('<dt>Kwota przyznanych dotacji</dt><dd>1\u00a0259\u00a0000,50\u00a0zł</dd>');
      expect(html).toContain('<dt>Zlecone zadania publiczne</dt><dd>2</dd>');
      const { summary } = (await t.call('GET', '/api/v1/public/krakow/reports/2019')).body;
      expect(html).toContain(`<dt>Organizacje w komisjach</dt><dd>${summary.commissions.memberNgos}</dd>`);
      expect(html).toContain(`<dt>Organizacje współpracujące z gminą</dt><dd>${summary.ngos.cooperating}</dd>`);
      for (const caption of ['według trybu zlecenia', 'według formy zlecenia', 'według sfery zadań publicznych', 'według wydziału urzędu', 'Zlecone zadania publiczne w 2019 r.', 'Komisje dialogu obywatelskiego w 2019 r.', 'Działania pozafinansowe według formy']) {
        expect(html).toMatch(new RegExp(`<caption id="[^"]+">[^<]*${caption}`));
      }
      expect(html).toContain('<tr><th scope="row">otwarty konkurs ofert</th><td class="num">1</td><td class="num">1\u00a0250\u00a0000,00\u00a0zł</td></tr>');
      expect(html).toContain('<tr><th scope="row">mały grant</th><td class="num">1</td><td class="num">9000,50\u00a0zł</td></tr>');
      expect(html).toContain('<th scope="row">17</th><td>wspieranie i upowszechnianie kultury fizycznej</td>');
      // the task list, values from users escaped
      expect(html).toContain('<th scope="row">Klub Seniora &lt;b&gt;Podgórze&lt;/b&gt;</th>');
      expect(html).toContain(`<li>Fundacja &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; „Spółka” (KRS ${ngos.evil.krs})</li>`);
      expect(html).toContain('Komisja Dialogu Obywatelskiego ds. Sportu 2019–2022');
      // the charts of the revision, inline, each in a figure with its description as caption
      expect(count(html, /<figure class="two-sizes">\n<div class="chart-wide"><svg role="img" aria-label="[^"]+"/g)).toBe(3);
      // and the narrow drawing of each, for a phone
      expect(count(html, /<div class="chart-narrow"><svg role="img" aria-label="[^"]+" class="report-chart" width="340"/g)).toBe(3);
      expect(count(html, /<figcaption><strong>Kwota przyznanych dotacji według [^<]+\.<\/strong> [^<]+<\/figcaption>/g)).toBe(3);
      expect(html).toContain('Otwarty konkurs ofert: 1\u00a0zadanie, 1\u00a0250\u00a0000,00\u00a0zł; mały grant: 1\u00a0zadanie, 9000,50\u00a0zł;');
      // open data and exports
      expect(html).toContain('<a href="/api/v1/public/krakow/reports/2019">');
      expect(html).toContain('<a href="/api/v1/public/krakow/grants/2019.json">');
      // public downloads of the published revision, no sign-in
      for (const query of ['format=xlsx', 'format=csv&amp;delimiter=semicolon', 'format=csv', 'format=json']) expect(html).toContain(`<a href="/api/v1/public/krakow/reports/2019/export?${query}">`);
      expect(html).not.toContain('/api/v1/reports/2019/export');
      expect(html).toContain('@media print');
      // a table of contents whose every link has its section
      const toc = [...html.matchAll(/<li><a href="#([a-z-]+)">/g)].map((m) => m[1]);
      expect(toc).toEqual(expect.arrayContaining(['liczby', 'dotacje', 'zadania', 'komisje', 'pozafinansowe', 'pobieranie']));
      for (const id of toc) expect(html).toContain(`<h2 id="${id}">`);
      expect(r.headers.get('cache-control')).toBe('public, max-age=60');
    });

    it('answers a year with no published revision, or a malformed year, with an HTML 404 page', async () => {
      for (const path of ['/krakow/reports/2020', '/krakow/reports/1999', '/krakow/reports/19', '/krakow/reports/2019a', '/krakow/reports/%20209', '/wieliczka/reports/2019']) {
        const r = await get(path);
        expectPage(r, 404);
      }
      // a draft is never shown: compiling 2020 makes a draft only
      await t.call('POST', '/api/v1/reports/2020/compile', { token: official, body: {} });
      expectPage(await get('/krakow/reports/2020'), 404);
    });

    it('answers ETag and honours If-None-Match with 304', async () => {
      const first = await ok('/krakow/reports/2019');
      const etag = first.headers.get('etag')!;
      expect(etag).toMatch(/^"[\w-]{43}"$/);
      const notModified = await get('/krakow/reports/2019', { 'if-none-match': etag });
      expect(notModified.status).toBe(304);
      expect(notModified.text).toBe('');
      expect(notModified.headers.get('etag')).toBe(etag);
      expect((await get('/krakow/reports/2019', { 'if-none-match': `"other", W/${etag}` })).status).toBe(304);
      expect((await get('/krakow/reports/2019', { 'if-none-match': '"other"' })).status).toBe(200);
      // the live pages too
      const list = await ok('/krakow/commissions');
      expect((await get('/krakow/commissions', { 'if-none-match': list.headers.get('etag')! })).status).toBe(304);
    });
  });

  describe('the report page cache', () => {
    let queries: ReturnType<typeof jest.spyOn>;
    beforeEach(() => {
      queries = jest.spyOn(pg.Client.prototype, 'query');
    });
    afterEach(() => {
      queries.mockRestore();
      jest.restoreAllMocks();
    });

    /** Publishes the next revision of Kraków's 2019 with SQL, as another process would (the API's publication is not used, so nothing here invalidates). */
    async function publishElsewhere(): Promise<number> {
      return t.db.transaction(async (em) => {
        const [{ next }] = await em.query(`SELECT max(revision) + 1 AS next FROM report_revisions WHERE municipality_id = $1 AND year = 2019`, [krakowId]);
        await em.query(
          `INSERT INTO report_revisions (municipality_id, year, revision, compiled_at, summary, content_hash, input_fingerprint, charts, details, tasks)
           SELECT municipality_id, year, $2, compiled_at, summary, content_hash, input_fingerprint, charts, details, tasks FROM report_revisions
            WHERE municipality_id = $1 AND year = 2019 AND revision = 1`,
          [krakowId, next],
        );
        await em.query(
          `INSERT INTO report_revision_tasks (municipality_id, year, revision, position, task_id, title, sphere, mode, form, department, competition_ref,
                                              amount_requested, amount_granted, amount_settled, start_date, end_date, status, beneficiaries, ngos, program_id, program_title)
           SELECT municipality_id, year, $2, position, task_id, title, sphere, mode, form, department, competition_ref,
                  amount_requested, amount_granted, amount_settled, start_date, end_date, status, beneficiaries, ngos, program_id, program_title
             FROM report_revision_tasks WHERE municipality_id = $1 AND year = 2019 AND revision = 1`,
          [krakowId, next],
        );
        await em.query(`UPDATE reports SET revision = $2 WHERE municipality_id = $1 AND year = 2019`, [krakowId, next]);
        return next as number;
      });
    }
    const revisionShown = (html: string) => Number(/Wersja (\d+), opublikowana/.exec(html)![1]);

    it('serves a cached page again without asking the database, the same bytes and ETag', async () => {
      const first = await ok('/krakow/reports/2019');
      queries.mockClear();
      const second = await ok('/krakow/reports/2019');
      expect(queries).not.toHaveBeenCalled();
      expect(second.text).toBe(first.text);
      expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
    });

    it('answers a fresh cached page before Fastify with the same status, headers and bytes as Fastify gives, 304 included', async () => {
      const site = t.app.get(SiteService);
      const rendered = jest.spyOn(site, 'report');
      const headersOf = (r: Answer<string>) => Object.fromEntries([...r.headers].filter(([name]) => !['date', 'x-request-id'].includes(name)));
      // due for its check: Fastify's path (SiteService.report) answers and confirms the revision
      t.app.get(PublicPagesCache).revalidateAll();
      const viaFastify = await get('/krakow/reports/2019', { 'x-request-id': 'by-fastify' });
      expect(rendered).toHaveBeenCalledTimes(1);
      const notModifiedViaFastify = await (async () => {
        t.app.get(PublicPagesCache).revalidateAll();
        return get('/krakow/reports/2019', { 'if-none-match': viaFastify.headers.get('etag')! });
      })();
      expect(rendered).toHaveBeenCalledTimes(2);
      // fresh now: the fast path answers; Fastify's handler is not reached
      const fast = await get('/krakow/reports/2019', { 'x-request-id': 'by-fast-path' });
      const notModifiedFast = await get('/krakow/reports/2019', { 'if-none-match': viaFastify.headers.get('etag')! });
      expect(rendered).toHaveBeenCalledTimes(2);
      expect(fast.status).toBe(200);
      expect(fast.text).toBe(viaFastify.text);
      expect(headersOf(fast)).toEqual(headersOf(viaFastify));
      expect(fast.headers.get('x-request-id')).toBe('by-fast-path');
      expect([notModifiedFast.status, notModifiedViaFastify.status]).toEqual([304, 304]);
      expect(headersOf(notModifiedFast)).toEqual(headersOf(notModifiedViaFastify));
      // a query string, another method, or a page not cached go to Fastify
      expect((await get('/krakow/reports/2019?x=1')).status).toBe(200);
      expect((await t.call('HEAD', '/krakow/reports/2019')).status).toBe(200);
      expect(rendered).toHaveBeenCalledTimes(4);
    });

    it('drops a page at once on invalidate (what a publication in this process calls)', async () => {
      const before = revisionShown((await ok('/krakow/reports/2019')).text);
      const next = await publishElsewhere();
      expect(revisionShown((await ok('/krakow/reports/2019')).text)).toBe(before); // still cached
      t.app.get(PublicPagesCache).invalidate(krakowId, 2019);
      const after = await ok('/krakow/reports/2019');
      expect(revisionShown(after.text)).toBe(next);
      // by slug too
      const again = await publishElsewhere();
      t.app.get(PublicPagesCache).invalidate('krakow', 2019);
      expect(revisionShown((await ok('/krakow/reports/2019')).text)).toBe(again);
    });

    it("shows another process's publication within the revalidation window, with one look-up of the newest revision", async () => {
      const shown = await ok('/krakow/reports/2019');
      const realNow = Date.now.bind(Date);
      let offset = PublicPagesCache.REVALIDATE_MS + 1000;
      jest.spyOn(Date, 'now').mockImplementation(() => realNow() + offset);

      // nothing new: one query (the newest revision number), the same page
      queries.mockClear();
      const same = await ok('/krakow/reports/2019');
      expect(queries).toHaveBeenCalledTimes(1);
      expect(String(queries.mock.calls[0][0])).toMatch(/SELECT max\(r\.revision\)/);
      expect(same.text).toBe(shown.text);

      const next = await publishElsewhere();
      // confirmed a moment ago: still the cached page
      expect(revisionShown((await ok('/krakow/reports/2019')).text)).toBe(revisionShown(shown.text));
      offset += PublicPagesCache.REVALIDATE_MS + 1000;
      expect(revisionShown((await ok('/krakow/reports/2019')).text)).toBe(next);
    });
  });

  describe('a publication through the API', () => {
    const revisionOf = (html: string) => Number(/Wersja (\d+), opublikowana/.exec(html)![1]);

    it('drops the cached page only once the publication has committed: a page read while it commits does not keep the old revision', async () => {
      const shown = revisionOf((await ok('/krakow/reports/2019')).text);
      const [annual] = await t.db.query(`SELECT id FROM programs WHERE municipality_id = $1 AND kind = 'annual' AND start_year = 2019 LIMIT 1`, [krakowId]);
      const task = await t.call('POST', '/api/v1/tasks', { token: official, body: newTask(annual.id, [ngos.seniors.id], { title: 'Zadanie po publikacji' }) });
      expect(task.status).toBe(201);
      // the publishing transaction's COMMIT now takes 1.5 s (a deferred constraint trigger), a window for page requests
      await t.db.query(`CREATE FUNCTION site_spec_slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(1.5); RETURN NULL; END $$`);
      await t.db.query(`CREATE CONSTRAINT TRIGGER site_spec_slow_commit AFTER INSERT ON report_revisions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION site_spec_slow_commit()`);
      try {
        let answered = false;
        const publishing = t.call('POST', '/api/v1/reports/2019/publish', { token: official, body: {}, headers: { 'idempotency-key': 'site-spec-publish-window' } }).finally(() => (answered = true));
        const seen: number[] = [];
        while (!answered) {
          seen.push(revisionOf((await ok('/krakow/reports/2019')).text));
          await new Promise((r) => setTimeout(r, 20));
        }
        const published = await publishing;
        expect(published.status).toBe(200);
        expect(published.body.revision).toBe(shown + 1);
        expect(seen.length).toBeGreaterThan(5);
        // until the commit, the page showed the revision the database held
        expect(seen.every((r) => r === shown || r === shown + 1)).toBe(true);
        // the moment the publication has answered, the page shows it (before, the old revision stayed for up to 30 s)
        expect(revisionOf((await ok('/krakow/reports/2019')).text)).toBe(shown + 1);
      } finally {
        await t.db.query('DROP TRIGGER site_spec_slow_commit ON report_revisions');
        await t.db.query('DROP FUNCTION site_spec_slow_commit()');
      }
    });

    it('leaves the cached page alone when the publication rolls back', async () => {
      const cached = await ok('/krakow/reports/2019');
      const [annual] = await t.db.query(`SELECT id FROM programs WHERE municipality_id = $1 AND kind = 'annual' AND start_year = 2019 LIMIT 1`, [krakowId]);
      await t.call('POST', '/api/v1/tasks', { token: official, body: newTask(annual.id, [ngos.seniors.id], { title: 'Zadanie przed nieudaną publikacją' }) });
      await t.db.query(`CREATE FUNCTION site_spec_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by the spec'; END $$`);
      await t.db.query(`CREATE CONSTRAINT TRIGGER site_spec_refuse AFTER INSERT ON report_revisions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION site_spec_refuse()`);
      const cache = t.app.get(PublicPagesCache);
      const generation = cache.generation(2019);
      try {
        const r = await t.call('POST', '/api/v1/reports/2019/publish', { token: official, body: {}, headers: { 'idempotency-key': 'site-spec-publish-rollback' } });
        expect(r.status).toBeGreaterThanOrEqual(400);
      } finally {
        await t.db.query('DROP TRIGGER site_spec_refuse ON report_revisions');
        await t.db.query('DROP FUNCTION site_spec_refuse()');
      }
      expect(cache.generation(2019)).toBe(generation);
      expect(cache.get('krakow', 2019)?.page.etag).toBe(cached.headers.get('etag'));
    });
  });
});
