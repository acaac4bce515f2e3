import 'reflect-metadata';
import { dataSourceOptions, nestLogLevels, takeOverSignals } from '@app/core';
import { Logger } from '@nestjs/common';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { openBenchDatabase, type BenchDatabase } from './bench-database';
import { ratioPasses, type Benchmark, type BenchContext, type Measurement } from './benchmark';
import { BENCHMARKS } from './benchmarks';

/**
 * `npm run bench [-- name…]`: runs the benchmarks of ./benchmarks.ts (those whose names contain
 * one of the given words, else all) over a throwaway database, and prints one table: each
 * measurement against its baseline measured in the same run, their ratio and the goal. Exits 1
 * when a goal is missed or a benchmark fails, so a script can gate on it.
 */
interface Row {
  benchmark: Benchmark;
  measurement?: Measurement;
  error?: string;
  seconds: number;
}

const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`);

function figure(value: number, unit: string): string {
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })} ${unit}`;
}

function table(rows: Row[]): string {
  const header = ['benchmark', 'measured', 'baseline', 'ratio', 'goal', 'result'];
  const lines = rows.map(({ benchmark: b, measurement: m, error }) => {
    const goal = `${b.goal.op === '>=' ? '≥' : '≤'} ${b.goal.ratio}`;
    if (!m) return [b.name, '–', '–', '–', goal, `error: ${error}`];
    const ratio = m.measured / m.baseline;
    return [b.name, figure(m.measured, m.unit), figure(m.baseline, m.unit), ratio.toFixed(2), goal, ratioPasses(b.goal, ratio) ? 'pass' : 'FAIL'];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const right = new Set([1, 2, 3]);
  const format = (cells: string[]) => cells.map((c, i) => (right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ').trimEnd();
  return [format(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...lines.map(format)].join('\n');
}

async function main(): Promise<number> {
  const filters = process.argv.slice(2);
  const selected = BENCHMARKS.filter((b) => !filters.length || filters.some((f) => b.name.includes(f)));
  if (!selected.length) {
    process.stderr.write(`no benchmark matches ${filters.join(' ')}; there are: ${BENCHMARKS.map((b) => b.name).join(', ')}\n`);
    return 2;
  }
  const runStarted = performance.now();
  Logger.overrideLogger(nestLogLevels('warn')); // the migrations' and seeds' progress lines are not results
  let db: BenchDatabase | undefined;
  let ds: DataSource | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      await ds?.destroy().catch(() => undefined);
      await db?.close();
    })());

  const rows: Row[] = [];
  let cleanupFailed: string | undefined;
  try {
    db = await openBenchDatabase(progress);
    if (db.server.embedded) takeOverSignals(); // stop in order (drop the database, then the server), not at once
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        progress(`${signal}: dropping the bench database and stopping`);
        void cleanUp().finally(() => process.exit(130));
      });
    }
    ds = new DataSource(dataSourceOptions({ url: db.url, poolSize: 4, applicationName: 'ngo-tracker-bench' }));
    await ds.initialize();
    const [{ version }]: Array<{ version: string }> = await ds.query('SELECT version()');
    const ctx: BenchContext = { databaseUrl: db.url, config: db.config, dataSource: ds, distRoot: resolve(__dirname, '../..'), progress };
    process.stdout.write(
      `npm run bench — Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}); ` +
        `${version.split(' on ')[0]} (${db.server.embedded ? 'embedded, fsync off' : 'DATABASE_URL'}), database ${db.name}\n`,
    );
    for (const benchmark of selected) {
      progress(`${benchmark.name}: started`);
      const started = performance.now();
      try {
        rows.push({ benchmark, measurement: await benchmark.run(ctx), seconds: (performance.now() - started) / 1000 });
      } catch (error) {
        progress(`${benchmark.name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        rows.push({ benchmark, error: error instanceof Error ? error.message : String(error), seconds: (performance.now() - started) / 1000 });
      }
    }
  } finally {
    await cleanUp().catch((error: unknown) => {
      cleanupFailed = error instanceof Error ? error.message : String(error);
      progress(`could not drop the bench database or stop the server: ${cleanupFailed}`);
    });
  }

  const out: string[] = ['', table(rows), ''];
  for (const { benchmark: b, measurement, seconds } of rows) {
    out.push(`${b.name} (${seconds.toFixed(0)} s)`, `  measured: ${b.measuredIs}`, `  baseline: ${b.baselineIs}`);
    for (const note of measurement?.notes ?? []) out.push(note.startsWith('  ') ? `    ${note.trimStart()}` : `  - ${note}`);
    out.push('');
  }
  out.push(`total ${((performance.now() - runStarted) / 1000).toFixed(0)} s; ${cleanupFailed ? `the bench database ${db?.name} may be left over (${cleanupFailed})` : 'the bench database was dropped'}`);
  process.stdout.write(out.join('\n') + '\n');
  return rows.every((r) => r.measurement && ratioPasses(r.benchmark.goal, r.measurement.measured / r.measurement.baseline)) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
