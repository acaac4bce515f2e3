// Another program on the machine that launches and closes its own Chromium through Playwright
// in a loop (as a screenshot script would), to test whether it can reach the test's browsers.
import { chromium } from 'playwright-core';
for (;;) {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage();
  await page.setContent('<p>other</p>');
  await page.screenshot();
  await browser.close();
}
