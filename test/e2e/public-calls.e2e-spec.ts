import { canonicalHash, formatDay, formatInstant, formatPln } from '@app/core';
import { ReportJobsService } from '@app/jobs';
import { annualProgram, moveDeadline, newCall, newOffer, ngoWithUser, warsawToday } from '../utils/competitions';
import { newTask, usersOfEveryRole, type Tokens } from '../utils/factories';
import { createTestApp, PLATFORM_ADMIN, type Answer, type TestApp } from '../utils/test-app';
import { createUser, signIn } from '../utils/users';

/**
 * Real: HTTP through the whole application, PostgreSQL, the competitions API (calls published,
 * offers submitted, checked, scored and resolved as officials and NGOs do it), the report compile
 * and publication, the close-calls job's service. Deadlines are moved in the database
 * (competitions.md, "For acceptance tests"). The public pages /{slug}/calls and /{slug}/calls/{id},
 * the annual summary's `calls`, and the job that records closed calls.
 */
describe('open competitions in public', () => {
  let t: TestApp;
  let k: Tokens;
  let krakowId: string;
  let today: string;
  let year: number;
  let programId: string;
  let nextProgramId: string;
  const calls: Record<'soon' | 'late' | 'next' | 'draft' | 'closed' | 'cancelled' | 'resolved', { id: string; version: number; number: string; title: string; offersUntil: string }> = {} as never;
  let award: string;

  const ok = (r: Answer, status?: number) => {
    if (status ? r.status !== status : r.status < 200 || r.status > 299) throw new Error(`${r.status} ${r.text.slice(0, 500)}`);
    return r.body;
  };
  const post = (path: string, body: unknown, token = k.official, status?: number) => t.call('POST', `/api/v1${path}`, { token, body }).then((r) => ok(r, status));
  const page = (path: string, headers: Record<string, string> = {}) => t.call('GET', path, { headers });

  async function call(key: keyof typeof calls, program: string, programYear: number, days: number, publish = true, overrides: Record<string, unknown> = {}) {
    const title = `Konkurs ${key} <b>${process.pid}</b>`;
    let body = await post('/calls', newCall(program, programYear, today, days, { title, ...overrides }), k.official, 201);
    if (publish) body = await post(`/calls/${body.id}/publish`, { version: body.version });
    calls[key] = { id: body.id, version: body.version, number: body.number, title, offersUntil: body.offersUntil };
  }

  async function submitted(callId: string, ngo: { token: string }, title: string) {
    const draft = await post(`/calls/${callId}/offers`, newOffer(year, { title }), ngo.token, 201);
    return post(`/offers/${draft.id}/submit`, { version: draft.version }, ngo.token);
  }

  beforeAll(async () => {
    t = await createTestApp({ scheduler: false });
    const platformAdmin = await signIn(t, PLATFORM_ADMIN.email);
    k = await usersOfEveryRole(t, platformAdmin, 'public-calls');
    [{ id: krakowId }] = await t.db.query(`SELECT id FROM municipalities WHERE slug = 'krakow'`);
    ({ today, year } = await warsawToday(t));
    programId = await annualProgram(t, k.official, year);
    nextProgramId = await annualProgram(t, k.official, year + 1);
    // art. 13 ust. 2 pkt 7: a funded task of the calls' sphere (4) this year
    await post('/tasks', newTask(programId, [k.ngoId], { sphere: '4', amountRequested: null, amountGranted: '12345.67', startDate: `${year}-02-01`, endDate: `${year}-06-30` }), k.official, 201);

    await call('late', programId, year, 40);
    await call('soon', programId, year, 22);
    await call('next', nextProgramId, year + 1, 30);
    await call('draft', programId, year, 25, false);
    await call('closed', programId, year, 23);
    await call('cancelled', programId, year, 24, true, { grantRules: 'Pierwszy wiersz\nDrugi wiersz' });
    await call('resolved', programId, year, 26, true, { form: 'support', budget: '100000.00' });

    // offers: one in the closed call; in the resolved call two accepted, one rejected, one withdrawn, one left a draft
    const [a, b, c, w, d, x] = await Promise.all(['a', 'b', 'c', 'w', 'd', 'x'].map((tag) => ngoWithUser(t, k.admin, `pc-${tag}-${process.pid}`)));
    await submitted(calls.closed.id, x, 'Oferta w zamkniętym konkursie');
    const offerA = await submitted(calls.resolved.id, a, 'Klub Seniora <i>A</i>');
    const offerB = await submitted(calls.resolved.id, b, 'Klub Seniora B');
    const offerC = await submitted(calls.resolved.id, c, 'Klub Seniora C');
    const withdrawn = await submitted(calls.resolved.id, w, 'Klub Seniora W');
    await post(`/offers/${withdrawn.id}/withdraw`, { version: withdrawn.version }, w.token);
    await post(`/calls/${calls.resolved.id}/offers`, newOffer(year, { title: 'Szkic' }), d.token, 201);

    for (const key of ['closed', 'cancelled', 'resolved'] as const) await moveDeadline(t, calls[key].id, -60);
    await post(`/calls/${calls.cancelled.id}/cancel`, { reason: 'no-offers', justification: 'Nie wpłynęła żadna oferta.\nZadanie ogłosimy ponownie <wiosną>.' });

    await post(`/offers/${offerA.id}/formal-check`, { result: 'accepted' });
    await post(`/offers/${offerB.id}/formal-check`, { result: 'accepted' });
    await post(`/offers/${offerC.id}/formal-check`, { result: 'rejected', reason: 'Brak podpisów' });
    const chair = await createUser(t, k.admin, { email: `przewodniczacy-pc-${process.pid}@test.example`, role: 'official' });
    await post(`/calls/${calls.resolved.id}/commission`, { userId: chair.id, role: 'chair' }, k.official, 201);
    await post(`/calls/${calls.resolved.id}/commission/declaration`, { conflicts: [] }, chair.token);
    const scores = (points: number[]) => ['feasibility', 'costs', 'quality', 'own-funds', 'input', 'reliability'].map((code, i) => ({ code, points: points[i] }));
    ok(await t.call('PUT', `/api/v1/offers/${offerA.id}/scores`, { token: chair.token, body: { scores: scores([9, 9, 8, 7, 9, 9.5]) } }));
    ok(await t.call('PUT', `/api/v1/offers/${offerB.id}/scores`, { token: chair.token, body: { scores: scores([5, 4, 6, 3, 5, 4]) } }));
    award = '33000.50';
    await post(`/calls/${calls.resolved.id}/resolve`, { awards: [{ offerId: offerA.id, amount: award }] });
  });
  afterAll(() => t.close());

  /** The public pages' common frame (site.e2e-spec checks it in full): Polish HTML, one h1, no script, tables in labelled regions. */
  function expectHtml(r: Answer<string>, status = 200) {
    expect(r.status).toBe(status);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.text).toMatch(/^<!DOCTYPE html>\n<html lang="pl">/);
    expect(r.headers.get('content-security-policy')).toContain("script-src 'none'");
    expect([...r.text.matchAll(/<h1[\s>]/g)]).toHaveLength(1);
    expect(r.text).not.toMatch(/\sstyle="/);
    const levels = [...r.text.matchAll(/<h([1-6])[\s>]/g)].map((m) => Number(m[1]));
    levels.forEach((level, i) => i && expect(level).toBeLessThanOrEqual(levels[i - 1] + 1));
    expect([...r.text.matchAll(/<table>/g)].length).toBe([...r.text.matchAll(/<div class="table-wrap" role="region" aria-labelledby="[^"]+" tabindex="0">\n<table>/g)].length);
  }
  const escaped = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

  describe('the list /{slug}/calls', () => {
    it('shows open calls first (nearest deadline first, in Warsaw time), then closed, resolved and cancelled ones; never a draft', async () => {
      const r = await page('/krakow/calls');
      expectHtml(r);
      const at = (key: keyof typeof calls) => r.text.indexOf(escaped(calls[key].title));
      expect(at('draft')).toBe(-1);
      const order = (['soon', 'next', 'late', 'closed', 'resolved', 'cancelled'] as const).map((key) => [key, at(key)]);
      expect(order.every(([, i]) => (i as number) > 0)).toBe(true);
      expect([...order].sort((x, y) => (x[1] as number) - (y[1] as number)).map(([key]) => key)).toEqual(['soon', 'next', 'late', 'closed', 'resolved', 'cancelled']);
      expect(r.text).toContain(`do ${formatInstant(new Date(calls.soon.offersUntil))}`);
      expect(r.text).toContain(`<time datetime="${calls.soon.offersUntil}">`);
      expect(r.text).toContain(`<a href="/krakow/calls/${calls.soon.id}">`);
      expect(r.text).toContain('<h2 id="otwarte">Trwa przyjmowanie ofert</h2>');
      expect(r.text).toContain('nie złożono żadnej oferty (art. 18a ust. 1 pkt 1 ustawy)');
      expect(r.headers.get('cache-control')).toBe('no-cache');
    });

    it('is linked from the municipality page', async () => {
      const r = await page('/krakow');
      expect(r.text).toContain('<a href="/krakow/calls">');
    });

    it('answers an unknown municipality with the HTML 404 page', async () => {
      const r = await page('/gdansk/calls');
      expectHtml(r, 404);
      expect(r.headers.get('cache-control')).toBe('no-store');
    });
  });

  describe('a call /{slug}/calls/{id}', () => {
    it('holds every item of art. 13 ust. 2, with the prior spend of this and last year (pkt 7)', async () => {
      const r = await page(`/krakow/calls/${calls.soon.id}`);
      expectHtml(r);
      const api = ok(await t.call('GET', `/api/v1/public/krakow/calls/${calls.soon.id}`));
      const call = newCall(programId, year, today, 22);
      for (const text of [
        `<h1>${escaped(calls.soon.title)}</h1>`,
        `nr ${calls.soon.number}`,
        '1. Rodzaj zadania',
        '4. podtrzymywanie i upowszechnianie tradycji narodowej', // the sphere with its name
        'wspieranie wykonania zadania',
        escaped(String(call.department)),
        '2. Wysokość środków publicznych',
        formatPln('100000.00'),
        '3. Zasady przyznawania dotacji',
        escaped(String(call.grantRules)),
        formatPln('5000.00'),
        formatPln('60000.00'),
        'co najmniej 10% całkowitego kosztu zadania',
        '4. Terminy i warunki realizacji zadania',
        `od ${formatDay(`${year}-01-01`)} r. do ${formatDay(`${year}-12-31`)} r.`,
        '5. Termin składania ofert',
        formatInstant(new Date(calls.soon.offersUntil)),
        '6. Tryb i kryteria',
        escaped(String(call.selectionProcedure)),
        'Możliwość realizacji zadania publicznego przez organizację',
        `Wybór ofert nastąpi do ${formatDay(api.decisionBy)} r.`,
        '7. Zadania publiczne tego samego rodzaju',
        `${year} r. (rok ogłoszenia konkursu)`,
        `${year - 1} r. (rok poprzedni)`,
        formatPln('12345.67'),
        'Trwa przyjmowanie ofert',
      ]) {
        expect([text, r.text.includes(text)]).toEqual([text, true]);
      }
      expect(api.priorSpend.currentYear).toEqual({ year, tasks: 1, granted: '12345.67' });
      expect(r.text).not.toContain('id="wyniki"');
    });

    it('shows a cancelled call with its reason in Polish and the justification, and nothing created', async () => {
      const r = await page(`/krakow/calls/${calls.cancelled.id}`);
      expectHtml(r);
      expect(r.text).toContain('Konkurs unieważniony: nie złożono żadnej oferty (art. 18a ust. 1 pkt 1 ustawy).');
      expect(r.text).toContain('<h2 id="uniewaznienie">Unieważnienie konkursu</h2>');
      expect(r.text).toContain('<dd class="text">Nie wpłynęła żadna oferta.\nZadanie ogłosimy ponownie &lt;wiosną&gt;.</dd>');
      expect(r.text).toContain('<p class="text">Pierwszy wiersz\nDrugi wiersz</p>');
      const [{ tasks }] = await t.db.query(`SELECT count(*)::int AS tasks FROM tasks WHERE competition_ref = $1`, [calls.cancelled.number]);
      expect(tasks).toBe(0);
    });

    it('shows the results once resolved: NGO, title, score and the amount granted; the offers not awarded too', async () => {
      const r = await page(`/krakow/calls/${calls.resolved.id}`);
      expectHtml(r);
      expect(r.text).toContain('<h2 id="wyniki">Wyniki konkursu</h2>');
      const rows = [...r.text.matchAll(/<tr><th scope="row">([^<]*)<\/th><td>([^<]*)<\/td><td class="num">([^<]*)<\/td><td class="num">([^<]*)<\/td><\/tr>/g)].map((m) => m.slice(1));
      expect(rows).toEqual([
        [`Fundacja pc-a-${process.pid}`, 'Klub Seniora &lt;i&gt;A&lt;/i&gt;', '51,50', formatPln(award)],
        [`Fundacja pc-b-${process.pid}`, 'Klub Seniora B', '27,00', 'nie przyznano'],
        ['Razem przyznano', '', '', formatPln(award)],
      ]);
      expect(r.text).toContain('Złożone oferty: 3.');
      expect(r.text).not.toContain('Klub Seniora C'); // refused at the formal check: not weighed
      const [{ tasks }] = await t.db.query(`SELECT count(*)::int AS tasks FROM tasks WHERE competition_ref = $1 AND amount_granted = $2`, [calls.resolved.number, award]);
      expect(tasks).toBe(1);
    });

    it('answers a draft, an unknown id, a malformed id and an id under another address with the HTML 404 page', async () => {
      for (const path of [
        `/krakow/calls/${calls.draft.id}`,
        '/krakow/calls/00000000-0000-4000-8000-000000000000',
        '/krakow/calls/not-a-call',
        `/krakow/calls/${'-'.repeat(36)}`,
        `/gdansk/calls/${calls.soon.id}`,
        `/krakow/calls/${calls.soon.id}/extra`,
      ]) {
        const r = await page(path);
        expectHtml(r, 404);
        expect([path, r.text.includes('<h1>Nie znaleziono strony</h1>')]).toEqual([path, true]);
      }
      // the API answers problem+json, a 404 whatever the id looks like
      expect((await t.call('GET', `/api/v1/public/krakow/calls/${'-'.repeat(36)}`)).status).toBe(404);
      expect((await t.call('GET', `/api/v1/public/krakow/calls/${calls.draft.id}`)).status).toBe(404);
    });

    it('is rendered per request with an ETag: a 304 while unchanged, the new state the moment the deadline passes', async () => {
      const first = await page(`/krakow/calls/${calls.late.id}`);
      const etag = first.headers.get('etag')!;
      expect(first.headers.get('cache-control')).toBe('no-cache');
      expect((await page(`/krakow/calls/${calls.late.id}`, { 'if-none-match': etag })).status).toBe(304);
      await moveDeadline(t, calls.late.id, -1);
      const after = await page(`/krakow/calls/${calls.late.id}`, { 'if-none-match': etag });
      expect(after.status).toBe(200);
      expect(after.text).toContain('Termin składania ofert upłynął');
      const list = await page('/krakow/calls');
      expect(list.text.indexOf(escaped(calls.late.title))).toBeGreaterThan(list.text.indexOf('<h2 id="ocena">'));
    });
  });

  describe("the annual report's summary", () => {
    it('counts the announced calls of the year\'s annual programme, their submitted offers, the awards, the cancelled calls and the sum awarded', async () => {
      const compiled = await post(`/reports/${year}/compile`, {});
      const [expected] = await t.db.query(
        `WITH cl AS (SELECT c.id, c.status FROM calls c JOIN programs p ON p.municipality_id = c.municipality_id AND p.id = c.program_id
                      WHERE c.municipality_id = $1 AND p.kind = 'annual' AND p.start_year = $2 AND c.status <> 'draft'),
              co AS (SELECT o.status, o.award FROM offers o JOIN cl ON cl.id = o.call_id WHERE o.status NOT IN ('draft', 'withdrawn'))
         SELECT (SELECT count(*)::int FROM cl) AS count, (SELECT count(*)::int FROM co) AS offers, (SELECT count(*)::int FROM co WHERE status = 'awarded') AS awarded,
                (SELECT count(*)::int FROM cl WHERE status = 'cancelled') AS cancelled, (SELECT coalesce(sum(award), 0)::numeric(20,2)::text FROM co) AS granted`,
        [krakowId, year],
      );
      expect(compiled.summary.calls).toEqual(expected);
      // and by hand: soon, late, closed, cancelled, resolved (not the draft, not next year's); 1 + 3 offers; one award
      expect(compiled.summary.calls).toEqual({ count: 5, offers: 4, awarded: 1, cancelled: 1, granted: award });
      expect(compiled.contentHash).toBe(canonicalHash(compiled.summary));
    });

    it('shows the figures on the published report page, and keeps an earlier revision without them valid and as it was', async () => {
      await post(`/reports/${year}/publish`, {});
      const r = await page(`/krakow/reports/${year}`);
      expectHtml(r);
      expect(r.text).toContain('<h2 id="konkursy">Otwarte konkursy ofert</h2>');
      for (const [label, value] of [
        ['Ogłoszone otwarte konkursy ofert', '5'],
        ['Złożone oferty', '4'],
        ['Oferty, które otrzymały dotację', '1'],
        ['Unieważnione konkursy', '1'],
        ['Kwota dotacji przyznanych w konkursach', formatPln(award)],
      ]) {
        expect(r.text).toContain(`<div><dt>${label}</dt><dd>${value}</dd></div>`);
      }
      const csv = await t.call('GET', `/api/v1/public/krakow/reports/${year}/export?format=csv&table=summary`);
      expect(csv.status).toBe(200);
      expect(csv.text).toContain(`calls,,5,${award},`);
      expect(csv.text).toContain('calls.offers,,4,,');

      // a revision published before the summary had `calls` (its summary and hash as stored then)
      const old = year - 1;
      await post(`/reports/${old}/compile`, {});
      await post(`/reports/${old}/publish`, {});
      const [stored] = await t.db.query(`SELECT summary - 'calls' AS summary FROM report_revisions WHERE municipality_id = $1 AND year = $2 AND revision = 1`, [krakowId, old]);
      await t.db.query(
        `INSERT INTO report_revisions (municipality_id, year, revision, compiled_at, summary, content_hash, input_fingerprint, charts, details, tasks)
         SELECT municipality_id, year, 2, compiled_at, $3::jsonb, $4, input_fingerprint, charts, details, tasks FROM report_revisions WHERE municipality_id = $1 AND year = $2 AND revision = 1`,
        [krakowId, old, JSON.stringify(stored.summary), canonicalHash(stored.summary)],
      );
      const open = ok(await t.call('GET', `/api/v1/public/krakow/reports/${old}`));
      expect(open.revision).toBe(2);
      expect(open.summary.calls).toBeUndefined();
      expect(open.contentHash).toBe(canonicalHash(open.summary));
      const oldPage = await page(`/krakow/reports/${old}`);
      expectHtml(oldPage);
      expect(oldPage.text).not.toContain('id="konkursy"');
      const oldCsv = await t.call('GET', `/api/v1/public/krakow/reports/${old}/export?format=csv&table=summary&revision=2`);
      expect(oldCsv.status).toBe(200);
      expect(oldCsv.text).not.toMatch(/^calls/m);
    });
  });

  describe('the close-calls job', () => {
    it('records a passed deadline once, with one audit entry, and answers "closed" by the clock before it runs', async () => {
      await call('soon', programId, year, 21);
      const id = calls.soon.id;
      await moveDeadline(t, id, -2);
      expect(ok(await t.call('GET', `/api/v1/calls/${id}`, { token: k.official })).status).toBe('closed');
      const [before] = await t.db.query(`SELECT status FROM calls WHERE id = $1`, [id]);
      expect(before.status).toBe('published');

      const jobs = t.app.get(ReportJobsService);
      const tick = new Date(Math.floor(Date.now() / 60_000) * 60_000);
      const first = await jobs.runCloseCalls(tick);
      expect(first.ran).toBe(true);
      if (!first.ran) return;
      expect(first.items.map((i) => [i.job, i.municipalityId, i.outcome])).toEqual([['close-calls', krakowId, 'done']]);
      // the same tick again, from another process: claimed already
      expect((await jobs.runCloseCalls(tick)).ran).toBe(false);
      // the next tick: nothing left to record, no item
      const second = await jobs.runCloseCalls(new Date(tick.getTime() + 60_000));
      expect(second).toMatchObject({ ran: true, items: [] });

      const [after] = await t.db.query(`SELECT status, closed_at = offers_until AS at_deadline FROM calls WHERE id = $1`, [id]);
      expect(after).toEqual({ status: 'closed', at_deadline: true });
      const entries = await t.db.query(`SELECT action, actor_id FROM audit_entries WHERE entity = 'call' AND entity_id = $1 AND action = 'close'`, [id]);
      expect(entries).toHaveLength(1);
      const [{ late }] = await t.db.query(`SELECT count(*)::int AS late FROM audit_entries WHERE entity = 'call' AND entity_id = $1 AND action = 'close'`, [calls.late.id]);
      expect(late).toBe(1);
      const runs = ok(await t.call('GET', '/api/v1/jobs?job=close-calls', { token: k.official }));
      expect(runs.items.map((r: { job: string; outcome: string }) => [r.job, r.outcome])).toEqual([['close-calls', 'done']]);
      // the public page reads the same
      expect((await page(`/krakow/calls/${id}`)).text).toContain('Termin składania ofert upłynął');
    });
  });
});
