// `npm run cli -- <command>`: builds the project when dist/ is missing or older than the sources
// (a fresh clone, a pull, an edit), then runs the CLI in this same process. Plain JavaScript, as it
// must run before anything is compiled; the build is the project's own (`npm run build` without
// emptying dist/ first, so a running `npm start` keeps its files).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const main = join(root, 'dist', 'apps', 'cli', 'src', 'main.js');

/** The newest modification among the build's inputs: sources (specs aside) and the TypeScript configuration. */
function newestSource() {
  let newest = 0;
  for (const dir of ['apps', 'libs', 'database']) {
    for (const entry of readdirSync(join(root, dir), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.spec.ts')) continue;
      newest = Math.max(newest, statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
    }
  }
  for (const file of ['tsconfig.json', 'tsconfig.build.json']) newest = Math.max(newest, statSync(join(root, file)).mtimeMs);
  return newest;
}

function run(script, args) {
  // the compiler's messages go to stderr: stdout is the command's result
  const result = spawnSync(process.execPath, [join(root, script), ...args], { cwd: root, stdio: ['ignore', 2, 2] });
  if (result.status !== 0) {
    process.stderr.write(`error: the build failed (${script.split('/')[1]}); fix the errors above, or run \`npm run check\`\n`);
    process.exit(1);
  }
}

if (!existsSync(main) || statSync(main).mtimeMs < newestSource()) {
  process.stderr.write('Building the project (first run, or the sources changed)…\n');
  run('node_modules/typescript/bin/tsc', ['-p', 'tsconfig.build.json']);
  run('node_modules/tsc-alias/dist/bin/index.js', ['-p', 'tsconfig.build.json']);
}
createRequire(import.meta.url)(main);
