import { launchTestBrowser } from './setup/chromium';

/**
 * Real: Debian's Chromium, ended under the tests the ways a browser test has seen it go (killed,
 * asked to quit, a renderer crash); the set-up must say how it ended and what Chromium wrote last.
 */
describe('the browser set-up says why Chromium went away', () => {
  it('closes quietly when the tests close it', async () => {
    const b = await launchTestBrowser();
    const page = await b.newPage();
    await page.setContent('<p>ok</p>');
    await page.close();
    await expect(b.close()).resolves.toBeUndefined();
  });

  it('reports the signal and the last lines of its stderr when Chromium is killed', async () => {
    const b = await launchTestBrowser();
    const page = await b.newPage();
    await page.setContent('<p>ok</p>');
    process.kill(b.pid!, 'SIGKILL');
    await expect(page.evaluate(() => 1)).rejects.toThrow(/closed/);
    const error = await b.close().then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(new RegExp(`the browser went away while the tests were using it( \\(first seen as: [^)]*\\))?, \\d+ ms after its launch\\. Chromium \\(pid ${b.pid}\\) exited \\d+ ms after its launch with code null, signal SIGKILL`));
    expect(error?.message).toMatch(/the last \d+ lines of its stderr:\n {2}\| /);
  });

  it('tells an exit on SIGTERM (code 0) from one the tests asked for', async () => {
    const b = await launchTestBrowser();
    await (await b.newPage()).setContent('<p>ok</p>');
    const gone = new Promise((done) => b.browser.once('disconnected', done));
    process.kill(b.pid!, 'SIGTERM');
    await gone;
    await expect(b.close()).rejects.toThrow(/with code 0, signal null \(Chromium exits 0 when it is asked to quit/);
  });

  it('reports a crashed page while the browser lives on', async () => {
    const b = await launchTestBrowser();
    const page = await b.newPage();
    await page.goto('chrome://crash').catch(() => undefined);
    await expect(page.evaluate(() => 1)).rejects.toThrow();
    await expect(b.close()).rejects.toThrow(new RegExp(`the page \\S+ crashed \\(its renderer process died\\), \\d+ ms after its launch\\. Chromium \\(pid ${b.pid}\\) still running`));
  });
});
