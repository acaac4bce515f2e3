import { generate } from 'otplib';
import type { Page } from 'playwright-core';
import { createTestApp, PLATFORM_ADMIN, type TestApp } from '../utils/test-app';
import { createUser, signIn, TEST_PASSWORD } from '../utils/users';
import { launchTestBrowser, type TestBrowser } from './setup/chromium';
import { scrollsSideways, tabTo, violations } from './setup/pages';

/**
 * Two-factor sign-in in Chromium, with the keyboard alone, at a phone's 320 px: setting it up
 * (the key read off the page as an authenticator app reads the QR code), the recovery codes, then
 * a sign-in through the code page; axe-core (WCAG 2.1 A/AA) on each of these pages.
 */
describe('two-factor sign-in in Chromium', () => {
  let browser: TestBrowser;
  let t: TestApp;
  const email = 'official.2fa@browser.test.example';

  beforeAll(async () => {
    t = await createTestApp({ loginRateLimitPerMinute: 1000 });
    await createUser(t, await signIn(t, PLATFORM_ADMIN.email), { email, role: 'official' });
    browser = await launchTestBrowser();
  }, 120_000);

  afterAll(async () => {
    try {
      await browser?.close();
    } finally {
      await t?.close();
    }
  });


  /** Types into a field reached with Tab, then presses Enter to send its form. */
  async function typeAndSend(page: Page, selector: string, text: string): Promise<void> {
    await tabTo(page, selector);
    await page.keyboard.type(text);
    // the answer to a form is a new document (a page, or a 303 to one): its load event
    await Promise.all([page.waitForEvent('load'), page.keyboard.press('Enter')]);
  }

  async function signInWithKeyboard(page: Page): Promise<void> {
    await tabTo(page, '#f-email');
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    await typeAndSend(page, '#f-password', TEST_PASSWORD);
  }

  it('sets it up and signs in with a code, keyboard only; every page passes axe-core and fits 320 px', async () => {
    const page = await browser.newPage({ viewport: { width: 320, height: 640 }, locale: 'pl-PL' });
    const found: Record<string, string[]> = {};
    const check = async (name: string) => {
      const v = await violations(page);
      if (v.length) found[name] = v;
      if (await scrollsSideways(page)) found[name] = [...(found[name] ?? []), 'scrolls sideways at 320 px'];
    };
    try {
      await page.goto(`${t.url}/app/login`);
      await signInWithKeyboard(page);
      await page.goto(`${t.url}/app/account/two-factor`);
      await check('setUp');
      const secret = (await page.locator('code.secret').innerText()).replace(/\s/g, '');
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      await typeAndSend(page, '#f-otp', '12345');
      expect(await page.getByRole('alert').innerText()).toContain('To nie jest aktualny kod');
      await check('setUpError');
      await page.fill('#f-otp', '');
      await typeAndSend(page, '#f-otp', await generate({ secret }));
      const codes = await page.locator('.recovery-codes code').allInnerTexts();
      expect(codes).toHaveLength(10);
      await check('recoveryCodes');

      await tabTo(page, 'button.link');
      await Promise.all([page.waitForURL(/\/app\/login\?signedOut=out$/), page.keyboard.press('Enter')]);
      await signInWithKeyboard(page);
      expect(page.url()).toBe(`${t.url}/app/login/code?next=%2Fapp`);
      await check('codeStep');
      await typeAndSend(page, '#f-otp', '000000' === (await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 })) ? '111111' : '000000');
      expect(await page.locator('#f-otp-error').innerText()).toContain('Ten kod jest błędny');
      await check('codeStepError');
      await typeAndSend(page, '#f-otp', await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 }));
      expect(page.url()).toBe(`${t.url}/app`);
      expect(await page.locator('h1').innerText()).not.toContain('Kod');
      expect(found).toEqual({});
    } finally {
      await page.close();
    }
  }, 120_000);
});
