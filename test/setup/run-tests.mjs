// `npm test`: Jest for the unit and e2e projects, then Jest again for the browser project alone,
// so that no process, timer or child another spec leaves behind shares the browser tests'
// process. Each run prints Jest's own report; the last line adds both up, and the exit code is
// non-zero when either run failed. With --selectProjects the arguments go to one Jest run as they
// are (`npm run test:browser`, `test:e2e`, `test:unit`); with file patterns only the runs that
// have a matching file are made.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const jestBin = join(root, 'node_modules', 'jest', 'bin', 'jest.js');
const nodeFlags = ['--experimental-vm-modules', '--no-warnings=ExperimentalWarning'];
const BROWSER_SPEC = /\.browser-spec\.ts$/;
const args = process.argv.slice(2);

const has = (...flags) => args.some((a) => flags.some((f) => a === f || a.startsWith(`${f}=`)));
/** Flags after which Jest runs no tests, or runs until stopped: handed over untouched. */
const passThrough = has('--listTests', '--showConfig', '--help', '-h', '--version', '--clearCache', '--watch', '--watchAll');

function jest(extra, stdio = 'inherit') {
  return spawn(process.execPath, [...nodeFlags, jestBin, ...extra], { cwd: root, stdio });
}

let current;
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    interrupted = true;
    current?.kill(signal);
  });
}

function run(extra) {
  return new Promise((done) => {
    current = jest(extra);
    current.on('exit', (code, signal) => done(code ?? (signal ? 128 : 1)));
  });
}

/** Which of the two runs have a test file among the arguments' matches. */
function runsWanted() {
  const both = { main: true, browser: true };
  if (!args.length) return both;
  const listed = spawnSync(process.execPath, [...nodeFlags, jestBin, '--listTests', '--json', ...args], { cwd: root, encoding: 'utf8' });
  if (listed.status !== 0) return both; // let the real run say what is wrong
  const files = JSON.parse(listed.stdout.trim() || '[]');
  const browser = files.some((f) => BROWSER_SPEC.test(f));
  const main = files.some((f) => !BROWSER_SPEC.test(f));
  // nothing matched: one run, for Jest's own "No tests found"
  return main || browser ? { main, browser } : { main: true, browser: false };
}

if (passThrough) {
  process.exitCode = await run(args);
} else {
  const runs = [];
  // files first: Jest's --selectProjects takes every word after it as a project's name
  const files = args.filter((a) => !a.startsWith('-') && existsSync(join(root, a)));
  if (has('--selectProjects')) runs.push({ name: 'selected', extra: [...files, ...args.filter((a) => !files.includes(a))] });
  else {
    const wanted = runsWanted();
    // Jest's default on 2 cores is one worker; the e2e files mostly wait on PostgreSQL, so two overlap well
    const workers = has('--maxWorkers', '-w', '--runInBand', '-i') ? [] : ['--maxWorkers', String(Math.max(2, availableParallelism() - 1))];
    if (wanted.main) runs.push({ name: 'unit and e2e', extra: [...args, ...workers, '--selectProjects', 'unit', 'e2e'] });
    if (wanted.browser) runs.push({ name: 'browser', extra: [...args, '--selectProjects', 'browser'] });
  }
  const dir = mkdtempSync(join(tmpdir(), 'ngo-jest-'));
  const total = { passed: 0, failed: 0, skipped: 0 };
  const lines = [];
  let failedRuns = 0;
  try {
    for (const [i, { name, extra }] of runs.entries()) {
      if (interrupted) break;
      if (runs.length > 1) process.stderr.write(`\n== Jest run ${i + 1} of ${runs.length}: ${name}\n`);
      const outputFile = join(dir, `${i}.json`);
      const code = await run([...extra, '--json', `--outputFile=${outputFile}`]);
      if (code !== 0) failedRuns++;
      if (!existsSync(outputFile)) {
        lines.push(`${name}: no results (Jest exited with ${code})`);
        continue;
      }
      const r = JSON.parse(readFileSync(outputFile, 'utf8'));
      // a file that failed to run counts as one failure: its tests were never counted
      const failed = r.numFailedTests + r.numRuntimeErrorTestSuites;
      total.passed += r.numPassedTests;
      total.failed += failed;
      total.skipped += r.numPendingTests + r.numTodoTests;
      lines.push(`${name}: ${r.numPassedTests} passed, ${failed} failed in ${r.numTotalTestSuites} files, exit code ${code}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (runs.length > 1) process.stderr.write(`\n== Both Jest runs\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
  if (interrupted) failedRuns++;
  if (failedRuns && !total.failed) total.failed = failedRuns;
  process.stdout.write(`Tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped\n`);
  process.exitCode = failedRuns ? 1 : 0;
}
