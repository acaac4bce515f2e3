import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium, type Browser } from 'playwright-core';

/**
 * The browser of the browser tests: Debian's Chromium, driven by playwright-core. Where it is
 * missing, the set-up installs Debian's package (never `npx playwright install`: that downloads a
 * browser of its own, and these machines have no internet but the package registries).
 */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Headless, no sandbox (tests run as root), and none of the background traffic a closed network refuses. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const APT_TIMEOUT_MS = 10 * 60_000;
/** What apt-get says when it has no package lists yet (a fresh container): `apt-get update` first. */
const MISSING_LISTS = /Unable to locate package|has no installation candidate|is not available, but is referred to/i;

function aptGet(args: string[]): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    // wait for the dpkg lock rather than fail when another worker installs at the same moment
    const child = spawn('apt-get', ['-o', 'DPkg::Lock::Timeout=300', ...args], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: APT_TIMEOUT_MS,
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', (error) => resolve({ ok: false, output: `${output}\n${String(error)}` }));
    child.on('close', (code) => resolve({ ok: code === 0, output }));
  });
}

const tail = (text: string) => text.trim().split('\n').slice(-15).join('\n');

/**
 * Installs a Debian package with apt-get (as root), fetching the package lists first when the
 * install fails for want of them. Rejects with what apt-get said when it cannot.
 */
export async function installDebianPackage(name: string): Promise<void> {
  const install = ['install', '-y', '--no-install-recommends', name];
  let result = await aptGet(install);
  if (!result.ok && MISSING_LISTS.test(result.output)) {
    const update = await aptGet(['update']);
    result = update.ok ? await aptGet(install) : { ok: false, output: `${result.output}\n--- apt-get update ---\n${update.output}` };
  }
  if (!result.ok) throw new Error(`apt-get install ${name} failed:\n${tail(result.output)}`);
}

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
 * Chromium for one test file, started by playwright-core (installing it first where missing).
 *
 * A CI run once failed every browser test on "Target page, context or browser has been closed",
 * the browser's log ending in "<gracefully close start>" a fraction of a second after launch, a
 * failure no local run reproduced. So a start that fails is tried again (three times in all, each
 * failure written to stderr with Playwright's browser log), and `browser()` starts a new browser
 * when the last one went away, saying so; a test still fails when a page it is reading closes.
 */
export interface TestBrowser {
  browser(): Promise<Browser>;
  close(): Promise<void>;
}

const LAUNCH_ATTEMPTS = 3;

export async function launchTestBrowser(): Promise<TestBrowser> {
  const executablePath = await ensureChromium();
  const launch = async (): Promise<Browser> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
      } catch (error) {
        process.stderr.write(`browser tests: starting Chromium failed (attempt ${attempt} of ${LAUNCH_ATTEMPTS}): ${(error as Error).message}\n`);
        if (attempt >= LAUNCH_ATTEMPTS) throw error;
        await sleep(1000 * attempt);
      }
    }
  };
  let current = await launch();
  return {
    async browser() {
      if (!current.isConnected()) {
        process.stderr.write('browser tests: Chromium went away between tests; starting it again\n');
        current = await launch();
      }
      return current;
    },
    close: () => current.close(),
  };
}
