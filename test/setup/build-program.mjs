// Builds the project as `npm run build` does (tsc, then tsc-alias) into the directory given, for the
// specs that run the built program (process, logging, jobs' worker, cli). Started once per test
// run in the background (test/utils/program.ts, startProgramBuild); writes <dir>.status.json when
// done, which builtProgram() waits for: { ok, output }.
import { spawnSync } from 'node:child_process';
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const outDir = process.argv[2];
const ENTRIES = ['apps/api/src/main.js', 'apps/worker/src/main.js', 'apps/cli/src/main.js'];

function step(script) {
  const r = spawnSync(process.execPath, [join(root, script), '-p', 'tsconfig.build.json', '--outDir', outDir], { cwd: root, encoding: 'utf8' });
  return { code: r.status ?? 1, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

function finish(status) {
  const file = `${outDir}.status.json`;
  writeFileSync(`${file}.tmp`, JSON.stringify(status));
  renameSync(`${file}.tmp`, file);
}

try {
  rmSync(outDir, { recursive: true, force: true });
  const tsc = step('node_modules/typescript/bin/tsc');
  const missing = ENTRIES.filter((e) => !existsSync(join(outDir, e)));
  if (missing.length) {
    finish({ ok: false, output: `tsc exited with ${tsc.code} and did not emit ${missing.join(', ')}:\n${tsc.output}` });
  } else {
    const alias = step('node_modules/tsc-alias/dist/bin/index.js');
    if (alias.code !== 0) finish({ ok: false, output: `tsc-alias exited with ${alias.code}:\n${alias.output}` });
    // type errors elsewhere still emit JavaScript; `npm run typecheck` is where they fail the check
    else finish({ ok: true, output: tsc.code === 0 ? '' : `tsc exited with ${tsc.code} (JavaScript emitted all the same):\n${tsc.output}` });
  }
} catch (error) {
  finish({ ok: false, output: String(error?.stack ?? error) });
}
