import type { Page } from 'playwright-core';
import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { annualProgram, moveDeadline, newCall, newOffer, ngoWithUser, warsawToday } from '../utils/competitions';
import { newCommission, newMember, newNgo, newProgram, newTask } from '../utils/factories';
import { createTestApp, PLATFORM_ADMIN, type TestApp } from '../utils/test-app';
import { createUser, signIn, TEST_PASSWORD } from '../utils/users';
import { launchTestBrowser, type TestBrowser } from './setup/chromium';
import { scrollsSideways, scrollsSidewaysAt320, signInByForm, tabTo, violations } from './setup/pages';

/** The little of the browser's window the page functions below use (this project compiles without the DOM library). */
interface BrowserWindow {
  innerWidth: number;
  document: {
    scrollingElement: { scrollWidth: number };
    activeElement: { matches(selector: string): boolean } | null;
    body: { insertAdjacentHTML(where: string, html: string): void; lastElementChild: { style: Record<string, string> } };
  };
}
declare const window: BrowserWindow;

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** Real: the API with the web app on a test database, Debian's Chromium, axe-core. */
describe('the web app in Chromium', () => {
  let browser: TestBrowser;
  let t: TestApp;
  const accounts: Record<'admin' | 'official' | 'auditor' | 'ngo', { email: string; password: string }> = {
    admin: PLATFORM_ADMIN,
    official: { email: 'official@browser.test.example', password: TEST_PASSWORD },
    auditor: { email: 'auditor@browser.test.example', password: TEST_PASSWORD },
    ngo: { email: 'ngo@browser.test.example', password: TEST_PASSWORD },
  };

  beforeAll(async () => {
    t = await createTestApp({ loginRateLimitPerMinute: 1000 });
    const admin = await signIn(t, PLATFORM_ADMIN.email);
    const official = await createUser(t, admin, { email: accounts.official.email, role: 'official' });
    await createUser(t, admin, { email: accounts.auditor.email, role: 'auditor' });
    const ngo = (await t.call('POST', '/api/v1/ngos', { token: official.token, body: newNgo({ name: 'Fundacja Przeglądarkowa' }) })).body;
    const commission = (await t.call('POST', '/api/v1/commissions', { token: official.token, body: newCommission() })).body;
    expect((await t.call('POST', `/api/v1/commissions/${commission.id}/members`, { token: official.token, body: newMember(ngo.id) })).status).toBe(201);
    await createUser(t, admin, { email: accounts.ngo.email, role: 'ngo', ngoId: ngo.id });
    // the programme of this year, for the official's funded task
    const multi2026 = (await t.call('POST', '/api/v1/programs', { token: official.token, body: newProgram({ title: 'Program 2025–2026', startYear: 2025, endYear: 2026 }) })).body;
    expect((await t.call('POST', '/api/v1/programs', { token: official.token, body: newProgram({ title: 'Roczny 2026', kind: 'annual', startYear: 2026, endYear: 2026, parentId: multi2026.id }) })).status).toBe(201);
    // a published 2019 report, for the auditor's downloads
    const multi = (await t.call('POST', '/api/v1/programs', { token: official.token, body: newProgram() })).body;
    const annual = (await t.call('POST', '/api/v1/programs', { token: official.token, body: newProgram({ title: 'Roczny 2019', kind: 'annual', startYear: 2019, endYear: 2019, parentId: multi.id }) })).body;
    expect((await t.call('POST', '/api/v1/tasks', { token: official.token, body: newTask(annual.id, [ngo.id]) })).status).toBe(201);
    expect((await t.call('POST', '/api/v1/reports/2019/compile', { token: official.token, body: {} })).status).toBe(200);
    expect((await t.call('POST', '/api/v1/reports/2019/publish', { token: official.token, body: {} })).status).toBe(200);
    browser = await launchTestBrowser();
  }, 120_000);

  afterAll(async () => {
    try {
      await browser?.close();
    } finally {
      await t?.close();
    }
  });

  const signInAs = (page: Page, role: keyof typeof accounts) => signInByForm(page, t.url, accounts[role].email, accounts[role].password);

  it('lets an official, with the keyboard alone, sign in, register an NGO and log its funded task, the broken rules shown beside their fields, then find the task in the list and the audit trail', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'pl-PL' });
    try {
      await page.goto(`${t.url}/app`);
      expect(page.url()).toBe(`${t.url}/app/login?next=%2Fapp`);
      await tabTo(page, '#f-email');
      await page.keyboard.type(accounts.official.email);
      await page.keyboard.press('Tab');
      await page.keyboard.type(accounts.official.password);
      await Promise.all([page.waitForURL(`${t.url}/app`), page.keyboard.press('Enter')]);

      await tabTo(page, 'a[href="/app/ngos/new"]');
      await Promise.all([page.waitForURL(`${t.url}/app/ngos/new`), page.keyboard.press('Enter')]);
      await tabTo(page, '#f-name');
      await page.keyboard.type('Stowarzyszenie Klawiaturowe');
      await tabTo(page, '#f-nip');
      await page.keyboard.type('123-456-78-90'); // a wrong check digit
      await tabTo(page, 'button[type=submit]');
      await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && r.status() === 400), page.keyboard.press('Enter')]);
      await page.locator('.error-summary').waitFor();

      const summary = page.getByRole('alert');
      await expect(summary.getByRole('link').allInnerTexts()).resolves.toEqual(['Wybierz: forma prawna', 'Numer NIP ma błędną cyfrę kontrolną – sprawdź, czy nie ma w nim literówki']);
      expect(await page.locator('#f-nip').getAttribute('aria-describedby')).toBe('f-nip-hint f-nip-error');
      expect(await page.locator('#f-nip-error').innerText()).toContain('Numer NIP ma błędną cyfrę kontrolną');
      expect(await page.locator('#f-name').inputValue()).toBe('Stowarzyszenie Klawiaturowe');
      expect(await t.db.query(`SELECT 1 FROM ngos WHERE name = 'Stowarzyszenie Klawiaturowe'`)).toEqual([]);

      // the summary's link takes the focus to its field
      await tabTo(page, '.error-summary a[href="#f-nip"]');
      await page.keyboard.press('Enter');
      await expect(page.evaluate(() => window.document.activeElement?.matches('#f-nip') ?? false)).resolves.toBe(true);
      await page.keyboard.press('Control+A');
      await page.keyboard.press('Backspace');
      await tabTo(page, '#f-legalForm', { back: true });
      await page.keyboard.press('ArrowDown'); // stowarzyszenie
      await tabTo(page, '#f-spheres');
      await page.keyboard.press('Space');
      await tabTo(page, 'button[type=submit]');
      await Promise.all([page.waitForURL(/\/app\/ngos\/[0-9a-f-]{36}$/), page.keyboard.press('Enter')]);
      expect(await page.locator('h1').innerText()).toBe('Stowarzyszenie Klawiaturowe');
      expect(await page.getByRole('status').innerText()).toBe('Dodano organizację „Stowarzyszenie Klawiaturowe”.');
      const [row] = await t.db.query(`SELECT legal_form, nip, spheres FROM ngos WHERE name = 'Stowarzyszenie Klawiaturowe'`);
      expect(row).toEqual({ legal_form: 'association', nip: null, spheres: ['1'] });

      // then logs a funded task for it, by the keyboard too: a small grant over 10 000 zł is refused beside its field
      await tabTo(page, 'nav a[href="/app/tasks"]', { back: true });
      await Promise.all([page.waitForURL(`${t.url}/app/tasks`), page.keyboard.press('Enter')]);
      await tabTo(page, 'a[href="/app/tasks/new"]');
      await Promise.all([page.waitForURL(`${t.url}/app/tasks/new`), page.keyboard.press('Enter')]);
      const fill = async (selector: string, text: string) => {
        await tabTo(page, selector);
        await page.keyboard.type(text);
      };
      await tabTo(page, '#f-programId');
      await page.keyboard.press('ArrowDown'); // the newest programme: the annual 2026 one
      await fill('#f-title', 'Warsztaty z klawiatury');
      await fill('#f-ngoIds', 'Stowarzyszenie K'); // a select finds its option by the typed start
      await fill('#f-sphere', '1. ');
      await fill('#f-mode', 'ma'); // mały grant (typeahead takes ASCII: a select ignores inserted text)
      await fill('#f-form', 'wsp');
      await fill('#f-department', 'Wydział Polityki Społecznej');
      await fill('#f-amountGranted', '15 000,00');
      await fill('#f-startDate', '2026-03-01');
      await fill('#f-endDate', '2026-04-30');
      await fill('#f-status', 'umowa');
      await tabTo(page, 'button[type=submit]');
      const [refused] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.keyboard.press('Enter')]);
      await page.locator('.error-summary').waitFor();
      // the one refusal is the small-grant amount: every other field was filled right by the keyboard
      expect([refused.status(), await page.locator('.error-summary').innerText()]).toEqual([422, expect.stringMatching(/^Popraw błąd\s+Mały grant/)]);
      expect(await page.locator('#f-amountGranted-error').innerText()).toContain('Mały grant (art. 19a ustawy) może wynosić najwyżej 10 000,00 zł');
      expect(await page.locator('#f-amountGranted').getAttribute('aria-describedby')).toBe('f-amountGranted-hint f-amountGranted-error');
      expect(await t.db.query(`SELECT 1 FROM tasks WHERE title = 'Warsztaty z klawiatury'`)).toEqual([]);
      await tabTo(page, '.error-summary a[href="#f-amountGranted"]');
      await page.keyboard.press('Enter');
      await page.keyboard.press('Control+A');
      await page.keyboard.type('9 500,00');
      await tabTo(page, 'button[type=submit]');
      await Promise.all([page.waitForURL(/\/app\/tasks\/[0-9a-f-]{36}$/), page.keyboard.press('Enter')]);
      expect(await page.getByRole('status').innerText()).toBe('Dodano zadanie „Warsztaty z klawiatury”.');
      const [task] = await t.db.query(`SELECT id, amount_granted, start_date::text, end_date::text, mode, status FROM tasks WHERE title = 'Warsztaty z klawiatury'`);
      expect(task).toMatchObject({ amount_granted: '9500.00', start_date: '2026-03-01', end_date: '2026-04-30', mode: 'small-grant', status: 'contracted' });

      // finds it in the list, and in the audit trail
      await tabTo(page, 'nav a[href="/app/tasks"]', { back: true });
      await Promise.all([page.waitForURL(`${t.url}/app/tasks`), page.keyboard.press('Enter')]);
      await fill('#q-search', 'z klawiatury');
      await Promise.all([page.waitForURL(/search=z\+klawiatury/), page.keyboard.press('Enter')]);
      expect(await page.getByRole('link', { name: 'Warsztaty z klawiatury' }).getAttribute('href')).toBe(`/app/tasks/${task.id}`);
      await tabTo(page, 'nav a[href="/app/audit"]', { back: true });
      await Promise.all([page.waitForURL(`${t.url}/app/audit`), page.keyboard.press('Enter')]);
      const entry = await page.getByRole('row').filter({ hasText: `zadanie ${task.id}` }).innerText();
      expect(entry).toContain('dodanie');
      expect(entry).toContain(accounts.official.email);
    } finally {
      await page.close();
    }
  });

  it('lets an auditor download the XLSX, whose SHA-256 is the one shown beside its link', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'pl-PL', acceptDownloads: true });
    try {
      await signInAs(page, 'auditor');
      await page.getByRole('link', { name: 'Sprawozdania' }).click();
      await page.getByRole('link', { name: 'Sprawozdanie za 2019 r.' }).click();
      const item = page.getByRole('listitem').filter({ has: page.getByRole('link', { name: /^Arkusz XLSX/ }) });
      const shown = await item.locator('code').innerText();
      expect(shown).toMatch(/^[0-9a-f]{64}$/);
      const [download] = await Promise.all([page.waitForEvent('download'), item.getByRole('link').click()]);
      expect(download.suggestedFilename()).toMatch(/^raport-krakow-2019-r1\.xlsx$/);
      // the browser is remote to Playwright (launchServer): the file comes over its connection
      const file = join(tmpdir(), `browser-download-${process.pid}.xlsx`);
      await download.saveAs(file);
      const bytes = await readFile(file);
      await rm(file, { force: true });
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(shown);
    } finally {
      await page.close();
    }
  });

  /** More than any role reaches (the admin about 35 kinds of page); the crawl must end before it. */
  const MAX_PAGES = 80;

  /**
   * Every page a role reaches by following the app's own links from its start page (records of one
   * kind once: the first found), each scanned by axe-core at 1280 px as it is reached, then looked
   * at 320 px wide.
   */
  // the four roles crawl at once (each in pages of its own): Chromium's renderers and axe-core use the second core
  it.concurrent.each(['official', 'admin', 'auditor', 'ngo'] as const)('%s: every page reached from the start page passes axe-core (WCAG 2.1 A/AA) and does not scroll sideways at 320 px', async (role) => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'pl-PL' });
    try {
      await signInAs(page, role);
      const found: Record<string, string[]> = {};
      const seen = new Set<string>();
      const kinds = new Set<string>();
      const queue = ['/app'];
      while (queue.length && seen.size < MAX_PAGES) {
        const path = queue.shift()!;
        if (seen.has(path)) continue;
        seen.add(path);
        const response = await page.goto(t.url + path);
        expect([path, response?.status()]).toEqual([path, 200]);
        const v = await violations(page);
        const hrefs = await page.locator('a[href^="/app"]').evaluateAll((links) => links.map((a) => (a as unknown as { getAttribute(n: string): string }).getAttribute('href')));
        for (const href of hrefs) {
          const kind = href.replace(UUID, '{id}').replace(/\?.*$/, '');
          // downloads are files, not pages
          if (href.includes('#') || href.includes('/export') || href.startsWith('/app/login') || seen.has(href) || kinds.has(kind)) continue;
          kinds.add(kind);
          queue.push(href);
        }
        if (await scrollsSidewaysAt320(page)) v.push('scrolls sideways at 320 px');
        if (v.length) found[path] = v;
      }
      expect(seen.size).toBeGreaterThanOrEqual(role === 'ngo' ? 3 : 5);
      // the crawl ended because every kind of page was visited, not at the cap
      expect(queue.filter((p) => !seen.has(p))).toEqual([]);
      expect(found).toEqual({});
    } finally {
      await page.close();
    }
  }, 300_000);

  it("the import form with its messages, and a dry run's table of row errors, pass axe-core and fit 320 px; nothing is written", async () => {
    const page = await browser.newPage({ viewport: { width: 320, height: 640 }, locale: 'pl-PL' });
    try {
      await signInAs(page, 'official');
      await page.goto(`${t.url}/app/imports`);
      // first without a file: the messages beside the fields
      await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && r.status() === 400), page.getByRole('button', { name: 'Sprawdź plik' }).click()]);
      expect(await page.locator('#f-file-error').innerText()).toContain('Wybierz plik CSV albo XLSX');
      expect([await violations(page), await scrollsSideways(page)]).toEqual([[], false]);
      await page.selectOption('#f-kind', 'ngos');
      const csv = 'name,legalForm,krs,nip\nFundacja Bardzo Długiej Nazwy Która Się Nie Mieści,foundation,,1234567890\nSpółka,spolka,,\n';
      await page.setInputFiles('#f-file', { name: 'organizacje.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && r.status() === 200), page.getByRole('button', { name: 'Sprawdź plik' }).click()]);
      expect(await page.locator('h1').innerText()).toBe('Plik ma błędy');
      expect(await page.getByRole('table').getByRole('row').count()).toBe(3);
      expect(await violations(page)).toEqual([]);
      expect(await scrollsSideways(page)).toBe(false);
      expect(await t.db.query(`SELECT 1 FROM ngos WHERE name = 'Spółka'`)).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("shows an NGO user its commission memberships, with the representative, role and dates", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'pl-PL' });
    try {
      await signInAs(page, 'ngo');
      await Promise.all([page.waitForURL(`${t.url}/app/my-organisation`), page.getByRole('link', { name: 'Moja organizacja' }).click()]);
      const [{ name }] = await t.db.query(`SELECT c.name FROM commissions c JOIN commission_members m ON m.commission_id = c.id JOIN ngos n ON n.id = m.ngo_id WHERE n.name = 'Fundacja Przeglądarkowa'`);
      const row = page.getByRole('row').filter({ hasText: name });
      await expect(row.innerText()).resolves.toMatch(/Anna Nowak[\s\S]*członek[\s\S]*obecne/);
    } finally {
      await page.close();
    }
  });

  it("lets an admin deactivate a user, whose open session is refused at its next page", async () => {
    const email = 'deactivated@browser.test.example';
    await createUser(t, await signIn(t, PLATFORM_ADMIN.email), { email, role: 'official' });
    const user = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'pl-PL' });
    const admin = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'pl-PL' });
    try {
      await user.goto(`${t.url}/app/login`);
      await user.fill('#f-email', email);
      await user.fill('#f-password', TEST_PASSWORD);
      await Promise.all([user.waitForURL(`${t.url}/app`), user.click('button[type=submit]')]);
      expect((await user.goto(`${t.url}/app/tasks`))?.status()).toBe(200);

      await signInAs(admin, 'admin');
      await Promise.all([admin.waitForURL(`${t.url}/app/users`), admin.getByRole('navigation', { name: 'Menu główne' }).getByRole('link', { name: 'Użytkownicy', exact: true }).click()]);
      await Promise.all([admin.waitForURL(/\/app\/users\/[0-9a-f-]{36}$/), admin.getByRole('link', { name: email }).click()]);
      await Promise.all([admin.waitForEvent('load'), admin.getByRole('button', { name: 'Wyłącz konto' }).click()]);
      await expect(admin.getByRole('status').innerText()).resolves.toContain(`Wyłączono konto ${email}`);

      await user.goto(`${t.url}/app/tasks`);
      expect(user.url()).toBe(`${t.url}/app/login?next=%2Fapp%2Ftasks`);
    } finally {
      await user.close();
      await admin.close();
    }
  });

  /** Open competitions for the public pages: one open, one resolved with its results, one cancelled (long words and a long justification included). */
  async function publicCalls(): Promise<string[]> {
    const admin = await signIn(t, PLATFORM_ADMIN.email);
    const { today, year } = await warsawToday(t);
    const programId = await annualProgram(t, admin, year);
    const call = async (overrides: Record<string, unknown> = {}) => {
      const draft = (await t.call('POST', '/api/v1/calls', { token: admin, body: newCall(programId, year, today, 30, overrides) })).body;
      const published = await t.call('POST', `/api/v1/calls/${draft.id}/publish`, { token: admin, body: { version: draft.version } });
      expect(published.status).toBe(200);
      return published.body as { id: string };
    };
    const open = await call({ title: 'Przeciwdziałanie wykluczeniu cyfrowemu seniorów: warsztaty komputerowe i smartfonowe w dzielnicach' });
    const resolved = await call();
    const cancelled = await call({ grantRules: 'Dotacja do 90% kosztów.\nWkład własny: co najmniej 10% (finansowy, osobowy lub rzeczowy).' });
    const ngos = await Promise.all(['pierwsza', 'druga'].map((tag) => ngoWithUser(t, admin, `konkurs-${tag}`)));
    const offers = [];
    for (const ngo of ngos) {
      const draft = (await t.call('POST', `/api/v1/calls/${resolved.id}/offers`, { token: ngo.token, body: newOffer(year) })).body;
      expect((await t.call('POST', `/api/v1/offers/${draft.id}/submit`, { token: ngo.token, body: { version: draft.version } })).status).toBe(200);
      offers.push(draft.id as string);
    }
    await moveDeadline(t, resolved.id, -60);
    await moveDeadline(t, cancelled.id, -60);
    for (const id of offers) expect((await t.call('POST', `/api/v1/offers/${id}/formal-check`, { token: admin, body: { result: 'accepted' } })).status).toBe(200);
    expect((await t.call('POST', `/api/v1/calls/${resolved.id}/resolve`, { token: admin, body: { awards: [{ offerId: offers[0], amount: '36000.00' }] } })).status).toBe(200);
    const justification = 'W terminie nie wpłynęła żadna oferta. Konstantynopolitańczykowianeczka '.repeat(8);
    expect((await t.call('POST', `/api/v1/calls/${cancelled.id}/cancel`, { token: admin, body: { reason: 'no-offers', justification } })).status).toBe(200);
    return [open.id, resolved.id, cancelled.id];
  }

  it('the public pages (municipality, commissions and their search, the report, the open competitions, an unknown address) pass axe-core and fit 320 px', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'pl-PL' });
    try {
      const slug = t.config.municipality.slug;
      const found: Record<string, string[]> = {};
      const calls = (await publicCalls()).map((id) => `/${slug}/calls/${id}`);
      for (const path of ['/', `/${slug}`, `/${slug}/commissions`, `/${slug}/commissions?q=fundacja+przegladarkowa`, `/${slug}/reports/2019`, `/${slug}/calls`, ...calls, '/no/such/page']) {
        const answer = await page.goto(t.url + path);
        expect([path, answer?.status()]).toEqual([path, path === '/no/such/page' ? 404 : 200]);
        const v = await violations(page);
        if (await scrollsSidewaysAt320(page)) v.push('scrolls sideways at 320 px');
        if (v.length) found[path] = v;
      }
      expect(found).toEqual({});
    } finally {
      await page.close();
    }
  }, 120_000);

  it('the sign-in page, its error state and the 404 page pass axe-core and fit 320 px', async () => {
    const page = await browser.newPage({ viewport: { width: 320, height: 640 }, locale: 'pl-PL' });
    try {
      const found: Record<string, string[]> = {};
      await page.goto(`${t.url}/app/login`);
      found.login = await violations(page);
      await page.fill('#f-email', 'nobody@browser.test.example');
      await page.fill('#f-password', 'wrong-password');
      await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('button[type=submit]')]);
      await page.locator('.error-summary').waitFor();
      expect(await page.getByRole('alert').innerText()).toContain('Nieprawidłowy adres e-mail lub hasło.');
      found.loginError = await violations(page);
      await page.goto(`${t.url}/app/no-such-page`);
      found.notFound = await violations(page);
      for (const key of Object.keys(found)) if (!found[key].length) delete found[key];
      expect(found).toEqual({});
      expect(await scrollsSideways(page)).toBe(false);
      // the check itself finds what it should, and only WCAG's rules: a field without a label and grey text too faint, both outside any landmark (a best practice, not WCAG)
      // (the colours set through the DOM: the pages' CSP ignores a style attribute in markup)
      await page.evaluate(() => {
        window.document.body.insertAdjacentHTML('beforeend', '<input type="text"><p>Blady tekst</p>');
        Object.assign(window.document.body.lastElementChild.style, { color: '#aaa', background: '#fff' });
      });
      expect((await violations(page)).map((v) => v.replace(/ \(.*$/, '')).sort()).toEqual(['color-contrast', 'label']);
      // and the 320 px check finds a block 400 px wide that fits 1280 px, and gives the window back its width
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.evaluate(() => Object.assign(window.document.body.lastElementChild.style, { width: '400px' }));
      expect([await scrollsSideways(page), await scrollsSidewaysAt320(page), await scrollsSideways(page)]).toEqual([false, true, false]);
    } finally {
      await page.close();
    }
  });
});
