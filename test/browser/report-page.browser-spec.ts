import AxeBuilder from '@axe-core/playwright';
import { prepareDatabase } from '@app/database';
import type { Page } from 'playwright-core';
import { createTestApp, createTestDatabase, testConfig, type TestApp } from '../utils/test-app';
import { launchTestBrowser, type TestBrowser } from './setup/chromium';

interface Summary {
  tasks: { count: number; granted: string };
  commissions: { memberNgos: number };
}

/** The little of the browser's window the page functions below use (this project compiles without the DOM library). */
interface BrowserWindow {
  innerWidth: number;
  document: { scrollingElement: { scrollWidth: number } };
  getComputedStyle(element: unknown): { display: string; visibility: string };
}

/** "20757560.00" → "20 757 560,00 zł", as Polish readers see it (the page's own grouping and spaces are compared loosely). */
const pln = (amount: string) => new Intl.NumberFormat('pl-PL', { style: 'currency', currency: 'PLN', minimumFractionDigits: 2 }).format(amount as unknown as number);
const integer = (n: number) => new Intl.NumberFormat('pl-PL').format(n);
/** Any kind of space (the page uses no-break spaces) as one plain space. */
const spaces = (text: string) => text.replace(/\s+/gu, ' ').trim();

/** Real: the demo's published 2019 report page, served by the API and read in Debian's Chromium. */
describe('the public report page in Chromium', () => {
  let browser: TestBrowser;
  let t: TestApp;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let summary: Summary;
  let url: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    await prepareDatabase(db.url, testConfig({ adminEmail: undefined, adminPassword: undefined }), true);
    t = await createTestApp({}, { databaseUrl: db.url });
    const open = await t.call('GET', '/api/v1/public/krakow/reports/2019');
    expect(open.status).toBe(200);
    summary = open.body.summary;
    url = `${t.url}/krakow/reports/2019`;
    // last, so that the browser is not left idle while the data is prepared (the project's global set-up installed Chromium)
    browser = await launchTestBrowser();
  }, 300_000);
  afterAll(async () => {
    try {
      // fails, saying why, when Chromium went away before this
      await browser?.close();
    } finally {
      await t?.close();
      await db?.drop();
    }
  });

  async function open(viewport = { width: 1280, height: 900 }): Promise<Page> {
    const page = await browser.newPage({ viewport, locale: 'pl-PL' });
    const response = await page.goto(url);
    expect(response?.status()).toBe(200);
    return page;
  }

  /** The value a headline figure shows: the <dd> that follows the <dt> whose text matches. */
  async function figure(page: Page, label: RegExp): Promise<string> {
    const term = page.getByRole('term').filter({ hasText: label });
    expect(await term.count()).toBe(1);
    return spaces(await term.locator('xpath=following-sibling::dd[1]').innerText());
  }

  it('shows the headline figures of the published summary', async () => {
    expect(summary.commissions.memberNgos).toBe(114);
    const page = await open();
    try {
      expect(await page.locator('h1').innerText()).toContain('2019');
      expect(await figure(page, /zlecone zadania publiczne/i)).toBe(spaces(integer(summary.tasks.count)));
      expect(await figure(page, /kwota przyznanych dotacji/i)).toBe(spaces(pln(summary.tasks.granted)));
      expect(await figure(page, /organizacje w komisjach/i)).toBe('114');
    } finally {
      await page.close();
    }
  });

  it('has no serious or critical accessibility violations (axe-core, WCAG 2 A and AA)', async () => {
    const page = await open();
    try {
      const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
      const blocking = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      if (blocking.length) {
        const report = blocking.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.helpUrl})\n${v.nodes.map((n) => `  ${n.target.join(' ')}\n    ${n.failureSummary?.replace(/\n/g, '\n    ')}`).join('\n')}`);
        console.log(`axe-core found ${blocking.length} serious or critical violations on ${url}:\n${report.join('\n')}`);
      }
      expect(blocking.map((v) => `${v.impact} ${v.id} (${v.nodes.length} nodes)`)).toEqual([]);
    } finally {
      await page.close();
    }
  }, 120_000);

  it('fits a 360 px wide phone without horizontal scrolling', async () => {
    const page = await open({ width: 360, height: 740 });
    try {
      const { scrollWidth, innerWidth } = await page.evaluate(() => {
        const w = globalThis as unknown as BrowserWindow;
        return { scrollWidth: w.document.scrollingElement.scrollWidth, innerWidth: w.innerWidth };
      });
      expect(innerWidth).toBe(360);
      expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
      // the charts' labels (12 px in the drawing) are at least 11 px on the screen: the drawing shown is not shrunk to half
      const charts = await page.locator('figure svg.report-chart').evaluateAll((svgs) =>
        svgs
          .map((svg) => svg as unknown as { getBoundingClientRect(): { width: number }; viewBox: { baseVal: { width: number } } })
          .filter((svg) => svg.getBoundingClientRect().width > 0)
          .map((svg) => (12 * svg.getBoundingClientRect().width) / svg.viewBox.baseVal.width),
      );
      expect(charts).toHaveLength(3);
      for (const labelPx of charts) expect(labelPx).toBeGreaterThanOrEqual(11);
    } finally {
      await page.close();
    }
  });

  it('still shows its tables when printed', async () => {
    const page = await open();
    try {
      await page.emulateMedia({ media: 'print' });
      const tables = await page.locator('table').evaluateAll((all) =>
        all.map((table) => {
          const box = table.getBoundingClientRect();
          const style = (globalThis as unknown as BrowserWindow).getComputedStyle(table);
          return { caption: table.caption?.textContent ?? '', shown: style.display !== 'none' && style.visibility !== 'hidden' && box.width > 0 && box.height > 0 };
        }),
      );
      expect(tables.length).toBeGreaterThanOrEqual(5);
      expect(tables.filter((x) => !x.shown)).toEqual([]);
      // the transparency table prints every counted task
      expect(await page.locator('table', { has: page.locator('caption', { hasText: /zlecone zadania publiczne w 2019/i }) }).locator('tbody tr').count()).toBe(summary.tasks.count);
    } finally {
      await page.close();
    }
  });
});
