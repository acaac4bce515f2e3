// Loaded outside Jest's module mapper, as the shared global set-up is: relative imports only.
import globalSetup from '../../setup/global-setup';
import { ensureChromium } from './chromium';

/**
 * The browser project's own set-up, run by its own Jest invocation after the unit and e2e
 * specs: Chromium first (installed from Debian's package when missing, once for all files rather
 * than inside a test's time), then a database server and template of this run alone.
 */
export default async function browserGlobalSetup(): Promise<void> {
  await ensureChromium();
  await globalSetup();
}
