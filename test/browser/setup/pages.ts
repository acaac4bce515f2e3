import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';

/** The little of the browser's window the page functions below use (this project compiles without the DOM library). */
interface BrowserWindow {
  innerWidth: number;
  document: { scrollingElement: { scrollWidth: number }; activeElement: { matches(selector: string): boolean; tagName: string; textContent: string | null } | null };
}
declare const window: BrowserWindow;

/** The WCAG 2.1 A and AA rules of axe-core, the level the law asks of a public body. */
export const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * axe-core's WCAG 2.1 A/AA violations of the page as it is now, one line each: rule (count): first
 * target. In axe's legacy mode (axe.run inside the page), which our pages allow: they have no
 * frames. The default mode finishes each analysis in a new blank page, a renderer process started
 * and stopped per call, and took about twice as long (2 s against 1 s a page here), for the same
 * rules. Only violations carry their nodes; the passes are not wanted. (`options()` replaces the
 * options whole, so it comes before `withTags()`, which adds to them.)
 */
export async function violations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).options({ resultTypes: ['violations'] }).withTags(WCAG_21_AA).setLegacyMode(true).analyze();
  return results.violations.map((v) => `${v.id} (${v.nodes.length}): ${v.nodes[0]?.target.join(' ')}`);
}

/** Whether the page is wider than the window (at 320 px: reflow, WCAG 1.4.10). */
export function scrollsSideways(page: Page): Promise<boolean> {
  return page.evaluate(() => window.document.scrollingElement.scrollWidth > window.innerWidth);
}

/**
 * Whether the page as loaded would scroll sideways in a window 320 px wide (640 high): the same
 * document laid out again at that width, then the window set back. Cheaper than loading the
 * address a second time in a narrow page, and the media queries apply all the same.
 */
export async function scrollsSidewaysAt320(page: Page): Promise<boolean> {
  const size = page.viewportSize();
  await page.setViewportSize({ width: 320, height: 640 });
  try {
    return await scrollsSideways(page);
  } finally {
    if (size) await page.setViewportSize(size);
  }
}

/** Presses Tab (Shift+Tab with `back`) until the element matching `selector` has the focus (at most `limit` times). */
export async function tabTo(page: Page, selector: string, o: { back?: boolean; limit?: number } = {}): Promise<void> {
  const limit = o.limit ?? 400;
  for (let i = 0; i < limit; i++) {
    if (await page.evaluate((s) => window.document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press(o.back ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`${selector} never had the focus after ${limit} presses of Tab`);
}

/** Presses Tab until a button with this text has the focus. */
export async function tabToButton(page: Page, text: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const focused = await page.evaluate(() => ({ tag: window.document.activeElement?.tagName ?? '', text: window.document.activeElement?.textContent?.trim() ?? '' }));
    if (focused.tag === 'BUTTON' && focused.text === text) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`the button "${text}" never had the focus`);
}

/** Signs in on /app/login of `base` with the keyboard alone (Tab to the e-mail field, type, Tab, type, Enter) and waits for the start page. */
export async function signInWithKeyboard(page: Page, base: string, email: string, password: string): Promise<void> {
  await page.goto(`${base}/app/login`);
  await tabTo(page, '#f-email');
  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await Promise.all([page.waitForURL(`${base}/app`), page.keyboard.press('Enter')]);
}

/** Signs in on /app/login of `base` by filling the form and clicking (where the keyboard is not what a test is about). */
export async function signInByForm(page: Page, base: string, email: string, password: string): Promise<void> {
  await page.goto(`${base}/app/login`);
  await page.fill('#f-email', email);
  await page.fill('#f-password', password);
  await Promise.all([page.waitForURL(`${base}/app`), page.click('button[type=submit]')]);
}
