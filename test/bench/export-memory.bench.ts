import { dataSourceOptions, ReadReplicas, type AppConfig } from '@app/core';
import { ExportsService, type ExportFormat, type ExportResult, type ExportRevision } from '@app/exports';
import { ReportsService } from '@app/reports';
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { ms, type Benchmark, type BenchContext, type Measurement } from './benchmark';

const TASKS = 200_000;
const NGOS = 5_000;
/** The goal: exporting 200 000 tasks keeps the process under 300 MB. */
const BUDGET_MB = 300;
/**
 * The heap ceiling the README recommends for the API and worker processes. Without one, V8 sizes
 * the heap from the machine's memory (up to 4 GB) and lets the old generation grow to
 * about four times what is live before a full collection; when it happens to pretenure an export's
 * short-lived row objects (allocation-site pretenuring), that garbage takes the process past 300 MB
 * now and then, though nothing of it is held. Any ceiling well below 2 GB makes V8 collect sooner.
 */
const HEAP_CEILING = '--max-old-space-size=512';
const MB = 1_000_000;

/** One export run in a child process of its own, so that its peak RSS is the export's and nothing else's. */
interface ChildTask {
  databaseUrl: string;
  municipalityId: string;
  year: number;
  format: ExportFormat;
  revision?: ExportRevision;
  file: string;
}

interface ChildReport {
  result: ExportResult;
  ms: number;
  /** VmHWM of /proc/self/status: the peak resident set of the whole process, in bytes */
  peakRss: number;
  /** resident set once the modules were loaded and the database connected, before the export */
  rssBefore: number;
  /** the largest heapUsed and external (Buffers and other memory outside the JS heap, array buffers included) seen, sampled every 10 ms */
  peakHeap: number;
  peakExternal: number;
  fileBytes: number;
}

function vmHwm(): number | null {
  try {
    const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'));
    return line ? Number(line.replace(/\D+/g, '')) * 1024 : null;
  } catch {
    return null;
  }
}

/** The child: the application's data source (with the API's query timeout) and ExportsService, exporting to a file. */
async function child(): Promise<void> {
  const task = JSON.parse(process.env.EXPORT_BENCH_TASK ?? '{}') as ChildTask;
  const ds = new DataSource(dataSourceOptions({ url: task.databaseUrl, poolSize: 2, queryTimeoutMs: 3500, applicationName: 'ngo-tracker-bench-export' }));
  await ds.initialize();
  let peakHeap = 0;
  let peakExternal = 0;
  let peakSampledRss = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakExternal = Math.max(peakExternal, m.external);
    peakSampledRss = Math.max(peakSampledRss, m.rss);
  };
  const sampler = setInterval(sample, 10);
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  const result = await new ExportsService(ds, new ReadReplicas(ds, { databaseReplicaUrls: [], replicaMaxLagMs: 5000 } as unknown as AppConfig)).writeExport(task.municipalityId, task.year, { format: task.format, revision: task.revision }, task.file);
  const elapsed = performance.now() - started;
  sample();
  clearInterval(sampler);
  await ds.destroy();
  const report: ChildReport = { result, ms: elapsed, peakRss: vmHwm() ?? peakSampledRss, rssBefore, peakHeap, peakExternal, fileBytes: statSync(task.file).size };
  process.send!(report, () => process.exit(0));
}

function runChild(ctx: BenchContext, task: ChildTask, execArgv: string[]): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const proc = fork(join(ctx.distRoot, 'test/bench/export-memory.bench.js'), ['export-child'], {
      execArgv,
      env: { ...process.env, EXPORT_BENCH_TASK: JSON.stringify(task) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let report: ChildReport | undefined;
    proc.once('message', (message: ChildReport) => (report = message));
    proc.once('error', reject);
    proc.once('exit', (code) => (report ? resolve(report) : reject(new Error(`the export child exited with ${code} and no report`))));
  });
}

/**
 * A municipality of its own with one year of 200 000 funded tasks (1–3 NGOs each; titles and names
 * with Polish letters, quotes, commas, and every thousandth title starting with `=`), inserted
 * set-wise, then compiled and published by ReportsService: the revision the exports read.
 */
export async function seed(ds: DataSource, year: number): Promise<string> {
  const [{ id: m }]: Array<{ id: string }> = await ds.query(
    `INSERT INTO municipalities (name, slug, teryt) VALUES ('Gmina Eksportowa', 'gmina-eksportowa', '9999998') RETURNING id`,
  );
  const [{ id: program }]: Array<{ id: string }> = await ds.query(
    `INSERT INTO programs (municipality_id, title, kind, start_year, end_year) VALUES ($1, 'Roczny program współpracy na rok ' || $2, 'annual', $2::int, $2::int) RETURNING id`,
    [m, year],
  );
  await ds.query(
    `INSERT INTO ngos (id, municipality_id, name, legal_form, krs, nip, spheres, public_benefit)
     SELECT md5('export-bench-ngo-' || i)::uuid, $1, 'Fundacja „Świetlik”, oddział "Łódź" nr ' || i,
            (ARRAY['association', 'foundation', 'church-entity', 'cooperative', 'other'])[1 + i % 5],
            CASE WHEN i % 7 <> 0 THEN lpad(i::text, 10, '0') END, NULL, ARRAY[(1 + i % 30)::text], i % 3 = 0
       FROM generate_series(1, $2::int) i`,
    [m, NGOS],
  );
  await ds.query(
    `INSERT INTO tasks (id, municipality_id, program_id, title, sphere, mode, form, competition_ref, department,
                        amount_requested, amount_granted, amount_settled, start_date, end_date, status, beneficiaries)
     SELECT md5('export-bench-task-' || i)::uuid, $1, $2,
            CASE WHEN i % 1000 = 0 THEN '=Zadanie nr ' || i ELSE 'Zadanie publiczne nr ' || i || ', „zażółć gęślą jaźń”' END,
            s.codes[1 + i % cardinality(s.codes)],
            (ARRAY['open-competition', 'small-grant', 'local-initiative', 'other-act'])[1 + i % 4],
            (ARRAY['support', 'entrustment'])[1 + (i / 4) % 2],
            CASE WHEN i % 4 = 0 THEN 'OK-' || (i / 4) % 400 || '/' || $3 END,
            'Wydział nr ' || (1 + (i * 7) % 30),
            g.amount + 100, g.amount, CASE (i / 8) % 4 WHEN 2 THEN g.amount WHEN 3 THEN round(g.amount / 2, 2) END,
            make_date($3::int, 1, 1) + i % 300, make_date($3::int, 1, 1) + i % 300 + i % 60,
            (ARRAY['contracted', 'in-progress', 'settled', 'terminated'])[1 + (i / 8) % 4],
            i % 500
       FROM generate_series(1, $4::int) i
            CROSS JOIN (SELECT array_agg(DISTINCT code) AS codes FROM spheres) s
            CROSS JOIN LATERAL (SELECT ((1000 + (i * 7919) % 2000000) / 100.0)::numeric(14,2) AS amount) g`,
    [m, program, year, TASKS],
  );
  await ds.query(
    `INSERT INTO task_ngos (municipality_id, task_id, ngo_id, position)
     SELECT $1, md5('export-bench-task-' || i)::uuid, md5('export-bench-ngo-' || (1 + (i * 7 + k * 13) % $3::int))::uuid, k
       FROM generate_series(1, $2::int) i, generate_series(0, 2) k WHERE k <= i % 3`,
    [m, TASKS, NGOS],
  );
  await ds.query('VACUUM ANALYZE tasks, task_ngos, ngos');
  const reports = new ReportsService(ds);
  await reports.compile(m, year);
  await reports.publish({ userId: null, email: 'system', municipalityId: m }, year);
  return m;
}

const mb = (bytes: number) => bytes / MB;
const fmt = (bytes: number) => `${mb(bytes).toFixed(1)} MB`;

/**
 * ExportsService.writeExport of a published revision of 200 000 tasks to a file, each format in a
 * child process of its own: the child's peak resident set (VmHWM) against the 300 MB.
 */
export const exportMemoryBenchmark: Benchmark = {
  name: 'export-memory',
  measuredIs: `peak RSS (VmHWM) of a child process (node ${HEAP_CEILING}) running ExportsService.writeExport of 200 000 tasks to a file; the largest over csv, xlsx, json and the csv of the draft; MB`,
  baselineIs: `the issue's budget for such a process: ${BUDGET_MB} MB (a fixed figure, not measured)`,
  goal: { op: '<=', ratio: 1 },
  async run(ctx: BenchContext): Promise<Measurement> {
    const ds = ctx.dataSource;
    const [{ year }]: Array<{ year: number }> = await ds.query(`SELECT extract(year FROM now() AT TIME ZONE 'Europe/Warsaw')::int - 1 AS year`);
    ctx.progress(`export-memory: seeding, compiling and publishing ${TASKS} funded tasks of ${year}`);
    const started = performance.now();
    const m = await seed(ds, year);
    const seeded = performance.now() - started;
    const dir = mkdtempSync(join(tmpdir(), 'ngo-export-bench-'));
    const runs: Array<{ label: string; report: ChildReport; unbounded: ChildReport }> = [];
    try {
      const cases: Array<{ label: string; format: ExportFormat; revision?: ExportRevision }> = [
        { label: 'csv', format: 'csv' },
        { label: 'xlsx', format: 'xlsx' },
        { label: 'json', format: 'json' },
        { label: 'csv (draft)', format: 'csv', revision: 'draft' },
      ];
      for (const c of cases) {
        ctx.progress(`export-memory: ${c.label} in a child process, with ${HEAP_CEILING} and without`);
        const reports: ChildReport[] = [];
        for (const execArgv of [[HEAP_CEILING], []]) {
          const file = join(dir, `export-${runs.length}-${reports.length}.${c.format}`);
          const report = await runChild(ctx, { databaseUrl: ctx.databaseUrl, municipalityId: m, year, format: c.format, revision: c.revision, file }, execArgv);
          if (report.result.rows !== TASKS) throw new Error(`${c.label}: ${report.result.rows} rows exported, not ${TASKS}`);
          if (report.result.bytes !== report.fileBytes) throw new Error(`${c.label}: ${report.result.bytes} bytes hashed, ${report.fileBytes} in the file`);
          rmSync(file);
          reports.push(report);
        }
        runs.push({ label: c.label, report: reports[0], unbounded: reports[1] });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const peak = Math.max(...runs.map((r) => r.report.peakRss));
    const [published, draft] = [runs.find((r) => r.label === 'csv'), runs.find((r) => r.label === 'csv (draft)')];
    const notes = [
      `data: ${TASKS} counted tasks of ${year} with 1–3 of ${NGOS} NGOs each, seeded, compiled and published (revision 1) in ${(seeded / 1000).toFixed(1)} s`,
      `each export in a fresh child process (the application's DataSource with the API's 3.5 s query timeout, ExportsService.writeExport to a file), node ${HEAP_CEILING}; per format:`,
      ...runs.map(
        ({ label, report: r }) =>
          `  ${label}: peak RSS ${fmt(r.peakRss)} (${fmt(r.rssBefore)} before the export: Node, the modules, the pool), peak heap used ${fmt(r.peakHeap)}, ` +
          `peak external ${fmt(r.peakExternal)}; ${ms(r.ms)} ms (${Math.round((TASKS / r.ms) * 1000).toLocaleString('en-US')} rows/s); ` +
          `file ${fmt(r.fileBytes)}, sha256 ${r.result.sha256.slice(0, 12)}…`,
      ),
      `the same without a heap ceiling (Node's default, sized from this machine's memory; not the measured figure, see HEAP_CEILING): ` +
        runs.map(({ label, unbounded: u }) => `${label} ${fmt(u.peakRss)} (heap ${fmt(u.peakHeap)})`).join(', '),
      `the CSV of the draft (live task list) and of revision 1 (frozen table) are ${published?.report.result.sha256 === draft?.report.result.sha256 ? 'byte for byte the same, as they should be with no change since publication' : 'NOT the same: the draft query and the frozen table disagree'}`,
    ];
    return { measured: mb(peak), baseline: BUDGET_MB, unit: 'MB', notes };
  },
};

if (require.main === module && process.argv[2] === 'export-child') {
  child().catch((error: unknown) => {
    process.stderr.write(`export child: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
