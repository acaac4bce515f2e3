import { spawn } from 'node:child_process';

/**
 * Debian packages that tests and benchmarks need (Chromium, wrk), installed with apt-get where
 * missing: these machines have no internet but Debian's mirror and the package registries.
 */
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
