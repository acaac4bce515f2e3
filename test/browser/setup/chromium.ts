import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Readable } from 'node:stream';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { installDebianPackage } from '../../utils/debian';

/**
 * The browser of the browser tests: Debian's Chromium, driven by playwright-core. Where it is
 * missing, the set-up installs Debian's package (never `npx playwright install`: that downloads a
 * browser of its own, and these machines have no internet but the package registries).
 */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Headless, no sandbox (tests run as root), and none of the background traffic a closed network refuses. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The path of Chromium, installed from Debian's package when missing; a clear error when it cannot be. */
export async function ensureChromium(): Promise<string> {
  if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  const howTo = `install it as root with "apt-get update && apt-get install -y --no-install-recommends chromium" (Debian's package), then run the browser tests again`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error(`The browser tests need Chromium at ${CHROMIUM_PATH}, which is missing, and this user (uid ${process.getuid()}) cannot install packages: ${howTo}.`);
  }
  try {
    await installDebianPackage('chromium');
  } catch (error) {
    throw new Error(`The browser tests need Chromium at ${CHROMIUM_PATH}; installing Debian's chromium package failed, so ${howTo}. ${(error as Error).message}`);
  }
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`Debian's chromium package installed, yet ${CHROMIUM_PATH} is missing: ${howTo}.`);
  return CHROMIUM_PATH;
}

/**
 * Chromium for one test file: launched in `beforeAll`, closed in `afterAll`, never started again
 * behind the tests' back. It is started through `launchServer` rather than `launch` because only
 * that gives us the browser's process: its stderr (with `--enable-logging=stderr`: Chromium's own
 * log, and the signal and stack of a crash) and how it exited. When the browser goes away before
 * `close()`, or a page crashes or closes by itself, what is known is written to stderr at once, and
 * `close()` fails with the same account, so that a failure in CI says why.
 */
export interface TestBrowser {
  browser: Browser;
  /** The pid of Chromium's browser process. */
  pid: number | undefined;
  /** A page in a context of its own (axe-core needs one made by browser.newContext()); closing the page closes both. */
  newPage(options?: BrowserContextOptions): Promise<Page>;
  /** What is known of the browser's process: pid, exit, the last lines of its stderr. */
  report(): string;
  close(): Promise<void>;
}

/** Chromium's own log on stderr (errors and warnings, crashes with their signal and stack). */
export const CHROMIUM_LOG_ARGS = ['--enable-logging=stderr', '--v=0'];
const STDERR_LINES_KEPT = 200;
const STDERR_LINES_SHOWN = 40;
const EXIT_WAIT_MS = 3000;

/** The last lines of a stream, kept in a ring. */
function lineTail(stream: Readable | null, keep: number): () => string[] {
  const lines: string[] = [];
  let partial = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
    if (lines.length > keep) lines.splice(0, lines.length - keep);
  });
  return () => (partial ? [...lines, partial] : [...lines]).slice(-keep);
}

export async function launchTestBrowser(): Promise<TestBrowser> {
  const executablePath = await ensureChromium();
  const launchedAt = Date.now();
  // Playwright's own SIGINT/SIGTERM/SIGHUP handlers would close the browser; the tests close it themselves.
  const server = await chromium.launchServer({
    executablePath,
    args: [...CHROMIUM_ARGS, ...CHROMIUM_LOG_ARGS],
    host: '127.0.0.1',
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  const child = server.process();
  const stderrTail = lineTail(child.stderr, STDERR_LINES_KEPT);
  let exit: { code: number | null; signal: NodeJS.Signals | null; afterMs: number } | undefined;
  const exited = new Promise<void>((done) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal, afterMs: Date.now() - launchedAt };
      done();
    });
  });
  let closing = false;
  let unexpected: string | undefined;

  const report = () => {
    const how = exit
      ? `exited ${exit.afterMs} ms after its launch with code ${exit.code}, signal ${exit.signal}` +
        (exit.signal ? '' : exit.code === 0 ? ' (Chromium exits 0 when it is asked to quit: by SIGTERM, or a close over its debugging connection)' : '')
      : 'still running';
    const lines = stderrTail().slice(-STDERR_LINES_SHOWN);
    return `Chromium (pid ${child.pid}) ${how}; the last ${lines.length} lines of its stderr:\n${lines.map((l) => `  | ${l}`).join('\n')}`;
  };
  const BROWSER_GONE = 'the browser went away while the tests were using it';
  let noting: Promise<void> | undefined;
  const noteUnexpected = (what: string) => {
    if (closing || unexpected) return;
    unexpected = what;
    noting = (async () => {
      // a page closes a moment before the browser's connection drops, and that a moment before the process is reaped
      await sleep(200);
      if (exit || !browser.isConnected()) {
        await Promise.race([exited, sleep(EXIT_WAIT_MS)]);
        if (what !== BROWSER_GONE) what = `${BROWSER_GONE} (first seen as: ${what})`;
      }
      unexpected = `${what}, ${Date.now() - launchedAt} ms after its launch. ${report()}`;
      process.stderr.write(`browser tests: ${unexpected}\n`);
    })();
  };

  let browser: Browser;
  try {
    browser = await chromium.connect(server.wsEndpoint());
  } catch (error) {
    await server.close();
    throw new Error(`connecting to the Chromium just started failed: ${(error as Error).message}\n${report()}`);
  }
  browser.on('disconnected', () => noteUnexpected(BROWSER_GONE));

  return {
    browser,
    pid: child.pid,
    report,
    async newPage(options) {
      const context = await browser.newContext(options);
      const page = await context.newPage();
      let closedByTest = false;
      const close = page.close.bind(page);
      page.close = async (...args) => {
        closedByTest = true;
        return close(...args);
      };
      page.once('crash', () => noteUnexpected(`the page ${page.url()} crashed (its renderer process died)`));
      page.once('close', () => {
        if (!closedByTest) noteUnexpected(`the page ${page.url()} closed while the test was using it`);
        void context.close().catch(() => undefined);
      });
      return page;
    },
    async close() {
      if (!unexpected) closing = true;
      await noting;
      await browser.close().catch(() => undefined);
      await server.close();
      if (unexpected) throw new Error(`browser tests: ${unexpected}`);
    },
  };
}
