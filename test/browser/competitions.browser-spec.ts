import type { Page } from 'playwright-core';
import { annualProgram, moveDeadline, newCall, ngoWithUser, warsawToday } from '../utils/competitions';
import { createTestApp, PLATFORM_ADMIN, type TestApp } from '../utils/test-app';
import { createUser, signIn, TEST_PASSWORD } from '../utils/users';
import { launchTestBrowser, type TestBrowser } from './setup/chromium';
import { scrollsSideways, signInWithKeyboard, tabTo, tabToButton, violations } from './setup/pages';

/** The little of the browser's window the page functions below use (this project compiles without the DOM library). */
interface BrowserWindow {
  innerWidth: number;
  document: { scrollingElement: { scrollWidth: number }; activeElement: { matches(selector: string): boolean; tagName: string; textContent: string | null } | null };
}
declare const window: BrowserWindow;


/**
 * Real: the API with the web app on a test database, Debian's Chromium, axe-core. An open
 * competition in the browser, with the keyboard alone: an NGO drafts its offer section by
 * section, fixes a broken rule shown beside its field, submits it and opens the printable
 * confirmation; a commission member files the declaration and scores the offer. axe-core
 * (WCAG 2.1 A/AA) and the 320 px width on every page of the way, the officials' call pages too.
 */
describe('open competitions in Chromium', () => {
  let browser: TestBrowser;
  let t: TestApp;
  let year: number;
  let call: { id: string; number: string; criteria: Array<{ code: string; maxPoints: number }> };
  let ngo: Awaited<ReturnType<typeof ngoWithUser>>;
  let official: { id: string; email: string; token: string };
  let member: { id: string; email: string; token: string };

  beforeAll(async () => {
    t = await createTestApp({ loginRateLimitPerMinute: 1000 });
    const admin = await signIn(t, PLATFORM_ADMIN.email);
    official = await createUser(t, admin, { email: 'official@competitions.browser.test.example', role: 'official' });
    member = await createUser(t, admin, { email: 'member@competitions.browser.test.example', role: 'official' });
    ngo = await ngoWithUser(t, admin, 'klawiatura');
    const today = await warsawToday(t);
    year = today.year;
    const programId = await annualProgram(t, official.token, year);
    const draft = await t.call('POST', '/api/v1/calls', { token: official.token, body: newCall(programId, year, today.today) });
    expect(draft.status).toBe(201);
    const published = await t.call('POST', `/api/v1/calls/${draft.body.id}/publish`, { token: official.token, body: { version: draft.body.version } });
    expect(published.status).toBe(200);
    call = published.body;
    browser = await launchTestBrowser();
  }, 120_000);

  afterAll(async () => {
    try {
      await browser?.close();
    } finally {
      await t?.close();
    }
  });


  /** axe-core at the desktop width and at a phone's 320 px, and no sideways scroll at 320 px; what is found, by page. */
  const found: Record<string, string[]> = {};
  async function check(page: Page, name: string): Promise<void> {
    const size = page.viewportSize() ?? { width: 1280, height: 900 };
    const problems: string[] = [...(await violations(page)).map((v) => `${size.width}px ${v}`)];
    await page.setViewportSize({ width: 320, height: 640 });
    problems.push(...(await violations(page)).map((v) => `320px ${v}`));
    if (await scrollsSideways(page)) problems.push('scrolls sideways at 320 px');
    await page.setViewportSize(size);
    if (problems.length) found[name] = problems;
  }

  /** Tabs to a field (by its name) and types into it, replacing what it held. */
  async function type(page: Page, name: string, text: string): Promise<void> {
    await tabTo(page, `[name="${name}"]`);
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Backspace');
    await page.keyboard.type(text);
  }

  /** Presses Enter on the focused button or link and waits for the page it leads to. */
  async function enter(page: Page): Promise<void> {
    await Promise.all([page.waitForEvent('load'), page.keyboard.press('Enter')]);
  }

  it('lets an NGO draft, fix and submit an offer with the keyboard alone, then open its printable confirmation; every page passes axe-core and fits 320 px', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'pl-PL' });
    try {
      await signInWithKeyboard(page, t.url, ngo.email, TEST_PASSWORD);
      await tabTo(page, 'nav a[href="/app/offers"]');
      await Promise.all([page.waitForURL(`${t.url}/app/offers`), page.keyboard.press('Enter')]);
      await check(page, 'offers');
      await tabTo(page, `a[href="/app/offers/new?call=${call.id}"]`);
      await Promise.all([page.waitForURL(`${t.url}/app/offers/new?call=${call.id}`), page.keyboard.press('Enter')]);
      await check(page, 'new offer');
      await tabToButton(page, 'Rozpocznij ofertę');
      await Promise.all([page.waitForURL(/\/app\/offers\/[0-9a-f-]{36}$/), page.keyboard.press('Enter')]);
      const path = new URL(page.url()).pathname;
      const offerId = path.split('/').pop()!;
      await check(page, 'empty draft');

      // I–III
      await type(page, 'title', 'Klub Seniora z klawiatury');
      await type(page, 'place', 'Kraków, Nowa Huta');
      await type(page, 'startDate', `${year}-03-01`);
      await type(page, 'endDate', `${year}-11-30`);
      await tabToButton(page, 'Zapisz część I–III');
      await enter(page);
      expect(await page.getByRole('status').innerText()).toContain('Zapisano część I–III szkicu oferty.');

      // IV, starting from the section the page came back to
      await type(page, 'summary', 'Cotygodniowe spotkania i warsztaty dla seniorów.');
      await type(page, 'targetGroup', 'Seniorzy 60+ z Nowej Huty');
      await type(page, 'schedule[0].name', 'Warsztaty');
      await type(page, 'schedule[0].from', `${year}-03-01`);
      await type(page, 'schedule[0].to', `${year}-11-30`);
      await type(page, 'results[0].name', 'Uczestnicy warsztatów');
      await type(page, 'results[0].targetValue', '60 osób');
      await type(page, 'priorActivity', 'Od 2015 roku prowadzimy zajęcia dla seniorów.');
      await type(page, 'resources', 'Sala, dwóch instruktorów.');
      await tabToButton(page, 'Zapisz część IV');
      await enter(page);

      // V: line 2 is broken (60 × 100,00 = 6 000,00, only 5 000,00 from the grant)
      await tabTo(page, '[name="costs[0].category"]');
      await page.keyboard.press('ArrowDown'); // koszty realizacji działań
      await type(page, 'costs[0].name', 'Wynagrodzenie instruktora');
      await type(page, 'costs[0].unit', 'godzina');
      await type(page, 'costs[0].quantity', '200');
      await type(page, 'costs[0].unitCost', '150,00');
      await type(page, 'costs[0].fromGrant', '26 000,00');
      await type(page, 'costs[0].fromOwn', '4 000,00');
      await tabTo(page, '[name="costs[1].category"]');
      await page.keyboard.press('ArrowDown');
      await type(page, 'costs[1].name', 'Materiały');
      await type(page, 'costs[1].unit', 'komplet');
      await type(page, 'costs[1].quantity', '60');
      await type(page, 'costs[1].unitCost', '100');
      await type(page, 'costs[1].fromGrant', '5 000,00');
      await type(page, 'funding.grantRequested', '31 000,00');
      await type(page, 'funding.ownFinancial', '4 000,00');
      await tabToButton(page, 'Zapisz część V');
      await enter(page);

      const summary = page.locator('.error-summary');
      expect((await summary.getByRole('link').allInnerTexts()).map((l) => l.replace(/\s/g, ' '))).toEqual([expect.stringMatching(/^Ilość × koszt jednostkowy = 6000,00 zł, a dotacja, wkład własny i inne źródła w tej pozycji dają razem 5000,00 zł/)]);
      const field = page.locator('[name="costs[1].fromGrant"]');
      expect(await field.getAttribute('aria-invalid')).toBe('true');
      const describedBy = (await field.getAttribute('aria-describedby'))!;
      expect(await page.locator(`[id="${describedBy}"]`).innerText()).toContain('Ilość × koszt jednostkowy = 6000,00');
      expect((await page.locator('#c-costs-1').innerText()).replace(/\s/g, ' ')).toContain('nie zgadza się z kosztem całkowitym');
      await check(page, 'draft with a broken rule');

      // the summary's link takes the focus to the field; fixed there, and the grant with it
      await tabTo(page, '.error-summary a[href="#f-costs[1].fromGrant"]', { back: true });
      await page.keyboard.press('Enter');
      await expect(page.evaluate(() => window.document.activeElement?.matches('[name="costs[1].fromGrant"]') ?? false)).resolves.toBe(true);
      await page.keyboard.press('Control+A');
      await page.keyboard.type('6 000,00');
      await type(page, 'funding.grantRequested', '32 000,00');
      await tabToButton(page, 'Zapisz część V');
      await enter(page);
      expect(await page.locator('.error-summary').count()).toBe(0);
      expect(await page.locator('main').innerText()).toContain('Oferta spełnia wszystkie reguły konkursu i można ją złożyć.');

      // submission: the confirmation first (Space), then the button
      await tabTo(page, '#f-confirm');
      await page.keyboard.press('Space');
      await tabToButton(page, 'Złóż ofertę');
      await enter(page);
      const api = (await t.call('GET', `/api/v1/offers/${offerId}`, { token: ngo.token })).body;
      expect(api).toMatchObject({ status: 'submitted', title: 'Klub Seniora z klawiatury', funding: { grantRequested: '32000.00', ownFinancial: '4000.00' } });
      expect(api.costs).toEqual([
        expect.objectContaining({ category: 'action', quantity: 200, unitCost: '150.00', fromGrant: '26000.00', fromOwn: '4000.00' }),
        expect.objectContaining({ category: 'action', quantity: 60, unitCost: '100.00', fromGrant: '6000.00' }),
      ]);
      expect(await page.locator('main').innerText()).toContain(api.checksum);
      await check(page, 'submitted offer');

      await tabTo(page, `a[href="${path}/print"]`);
      await Promise.all([page.waitForURL(`${t.url}${path}/print`), page.keyboard.press('Enter')]);
      expect(await page.locator('#checksum').innerText()).toBe(api.checksum);
      await check(page, 'print');
      await page.emulateMedia({ media: 'print' });
      expect(await page.locator('.no-print').isVisible()).toBe(false);
      await page.emulateMedia({ media: 'screen' });

      // the officials' pages of the call (built beside these)
      await page.context().clearCookies();
      await signInWithKeyboard(page, t.url, official.email, TEST_PASSWORD);
      for (const [name, url] of [['calls', '/app/calls'], ['new call', '/app/calls/new'], ['call', `/app/calls/${call.id}`], ['offer (official)', path]]) {
        const answer = await page.goto(`${t.url}${url}`);
        expect([url, answer?.status()]).toEqual([url, 200]);
        await check(page, name);
      }
      expect(found).toEqual({});
    } finally {
      await page.close();
    }
  }, 400_000);

  it('lets a commission member file the declaration and score the offer with the keyboard alone, on a page that passes axe-core', async () => {
    const [{ id: offerId }] = await t.db.query(`SELECT id::text FROM offers WHERE call_id = $1 AND status = 'submitted'`, [call.id]);
    expect((await t.call('POST', `/api/v1/calls/${call.id}/commission`, { token: official.token, body: { userId: member.id } })).status).toBe(201);
    await moveDeadline(t, call.id, -1);
    expect((await t.call('POST', `/api/v1/offers/${offerId}/formal-check`, { token: official.token, body: { result: 'accepted' } })).status).toBe(200);

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'pl-PL' });
    try {
      await signInWithKeyboard(page, t.url, member.email, TEST_PASSWORD);
      const scoring = `${t.url}/app/calls/${call.id}/scoring`;
      expect((await page.goto(scoring))?.status()).toBe(200);
      await check(page, 'scoring: declaration');
      await tabTo(page, '[name="confirm"]');
      await page.keyboard.press('Space');
      await tabToButton(page, 'Złóż oświadczenie');
      await enter(page);
      const [seat] = await t.db.query(`SELECT declared_at FROM call_members WHERE call_id = $1 AND user_id = $2`, [call.id, member.id]);
      expect(seat.declared_at).not.toBeNull();
      await check(page, 'scoring: cards');

      for (const [i, c] of call.criteria.entries()) {
        await type(page, `points.${c.code}`, String(Math.min(c.maxPoints, 4)));
        if (i === 0) await type(page, `comment.${c.code}`, 'Dobrze opisane działania');
      }
      await tabToButton(page, 'Zapisz ocenę');
      await enter(page);
      const ranking = (await t.call('GET', `/api/v1/calls/${call.id}/ranking`, { token: official.token })).body;
      const total = call.criteria.reduce((s, c) => s + Math.min(c.maxPoints, 4), 0);
      expect(ranking).toEqual([expect.objectContaining({ offerId, cards: 1, score: total.toFixed(2) })]);
      await check(page, 'scoring: saved');
      expect(found).toEqual({});
    } finally {
      await page.close();
    }
  }, 240_000);
});
