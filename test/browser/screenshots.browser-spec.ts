import { prepareDatabase } from '@app/database';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { createTestApp, createTestDatabase, testConfig, type TestApp } from '../utils/test-app';
import { signInByForm } from './setup/pages';
import { launchTestBrowser, type TestBrowser } from './setup/chromium';

/** The demo's accounts' published password (the embedded database's demo). */
const DEMO_PASSWORD = 'krakow-demo-2019';

/**
 * The README's screenshots, made on the demo data by this run: each role's main pages at 1280 px
 * and at a phone's 320 px, as PNG. `SCREENSHOTS_DIR=docs/screenshots` (npm run screenshots) writes
 * them where the README shows them; otherwise into a temporary folder, removed after the run, so
 * that a test run leaves the working tree as it was. Either way each must be a real picture.
 */
describe('screenshots of the web app for the README', () => {
  let browser: TestBrowser;
  let t: TestApp;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  const dir = process.env.SCREENSHOTS_DIR ? resolve(process.env.SCREENSHOTS_DIR) : join(tmpdir(), `ngo-screenshots-${process.pid}`);

  beforeAll(async () => {
    db = await createTestDatabase();
    await prepareDatabase(db.url, testConfig({ adminEmail: undefined, adminPassword: undefined }), true);
    t = await createTestApp({ loginRateLimitPerMinute: 1000 }, { databaseUrl: db.url });
    await mkdir(dir, { recursive: true });
    browser = await launchTestBrowser();
  }, 120_000);

  afterAll(async () => {
    try {
      await browser?.close();
      await t?.close();
      await db?.drop();
    } finally {
      if (!process.env.SCREENSHOTS_DIR) await rm(dir, { recursive: true, force: true });
    }
  });

  const signIn = (page: Page, email: string) => signInByForm(page, t.url, email, DEMO_PASSWORD);

  /** A PNG of the page's first screen at this width. */
  async function shoot(page: Page, name: string, width: 1280 | 320): Promise<void> {
    await page.setViewportSize({ width, height: width === 320 ? 640 : 800 });
    const file = join(dir, `${name}-${width}.png`);
    await page.screenshot({ path: file });
    const png = await readFile(file);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.length).toBeGreaterThan(10_000);
  }

  /** The demo's rows a page shows: its draft offer (on the open call) and its resolved call. */
  const demoIds = async () => {
    const [{ offer }] = await t.db.query(`SELECT id::text AS offer FROM offers WHERE status = 'draft' ORDER BY created_at LIMIT 1`);
    const [{ call }] = await t.db.query(`SELECT id::text AS call FROM calls WHERE status = 'resolved' ORDER BY resolved_at DESC LIMIT 1`);
    return { offer, call };
  };

  const shots: Array<{ role: string; email: string; pages: Array<{ name: string; path: string | (() => Promise<string>) }> }> = [
    {
      role: 'official',
      email: 'official@krakow.example',
      pages: [
        { name: 'start', path: '/app' },
        { name: 'tasks', path: '/app/tasks?year=2019' },
        { name: 'task-form', path: '/app/tasks/new' },
        { name: 'report', path: '/app/reports/2019' },
        { name: 'call', path: async () => `/app/calls/${(await demoIds()).call}` },
      ],
    },
    {
      role: 'ngo',
      email: 'ngo@krakow.example',
      pages: [
        { name: 'my-organisation', path: '/app/my-organisation' },
        { name: 'offer', path: async () => `/app/offers/${(await demoIds()).offer}` },
      ],
    },
  ];

  for (const { role, email, pages } of shots) {
    it(`shows the ${role}'s pages at 1280 and 320 px`, async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'pl-PL' });
      try {
        await signIn(page, email);
        for (const p of pages) {
          const path = typeof p.path === 'string' ? p.path : await p.path();
          const answer = await page.goto(`${t.url}${path}`);
          expect(answer?.status()).toBe(200);
          if (p.name === 'task-form') {
            // the form as an official meets it after a refused save: the summary and the messages beside the fields
            await Promise.all([page.waitForEvent('load'), page.click('form[action="/app/tasks/new"] button[type=submit]')]);
            await page.locator('.error-summary').waitFor();
          }
          expect(new URL(page.url()).pathname).toBe(path.split('?')[0]);
          await shoot(page, p.name, 1280);
          await shoot(page, p.name, 320);
        }
      } finally {
        await page.close();
      }
    }, 120_000);
  }

  it('shows the public report page and a resolved call at 1280 and 320 px', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'pl-PL' });
    try {
      expect((await page.goto(`${t.url}/krakow/reports/2019`))?.status()).toBe(200);
      await shoot(page, 'public-report', 1280);
      await shoot(page, 'public-report', 320);
      expect((await page.goto(`${t.url}/krakow/calls/${(await demoIds()).call}`))?.status()).toBe(200);
      await shoot(page, 'public-call', 1280);
      await shoot(page, 'public-call', 320);
    } finally {
      await page.close();
    }
  }, 120_000);
});
