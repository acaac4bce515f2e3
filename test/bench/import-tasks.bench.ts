import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, ms, type Benchmark, type BenchContext, type Measurement } from './benchmark';
import { startChildServer } from './child-server';
import { apiCalls, benchMunicipality, csv, NGO_HEADER, ngoRow } from './import.bench';

/** P7's file: the largest task file allowed (IMPORT_ROW_LIMITS.tasks) … */
const LARGE = 100_000;
/** … against one a tenth of it, imported in the same process first. */
const SMALL = 10_000;
/** P7's rate. */
const RATE_GOAL = 2000;
/** NGOs the tasks name (two each, by KRS). */
const NGOS = 1000;
/** Single writes at most this often while an import runs (one after the other), and P8's bound on their p99. */
const EVERY_MS = 100;
const BOUND_MS = 1000;

const TASK_HEADER = ['programId', 'title', 'sphere', 'mode', 'form', 'department', 'ngoIds', 'amountRequested', 'amountGranted', 'startDate', 'endDate', 'status'];
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

interface Imported {
  ms: number;
  /** latencies of the single writes during the import, sorted */
  writes: number[];
}

interface Outcome {
  small: Imported;
  large: Imported;
  checked: string;
  /** the service's log line of each import of tasks, its phases */
  phases: string[];
}

/**
 * One run for the three figures of P7 and P8 (issue 11): a municipality of its own with NGOS
 * NGOs, then one import of SMALL funded tasks and one of LARGE (each row naming two NGOs by KRS,
 * every 50th a small grant), through the real application in a process of its own, each while an
 * official keeps writing (an NGO, then a task for it, one after the other, at most one every
 * EVERY_MS ms). Checks that every row, link and audit entry arrived. Run once when any of the
 * three benchmarks below is selected.
 */
let outcome: Promise<Outcome> | null = null;

function importTasks(ctx: BenchContext): Promise<Outcome> {
  outcome ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ngo-bench-import-'));
    const logFile = join(dir, 'app.log');
    // the default log level: the import's own line gives its phases (read, rows, commit, seal)
    const server = await startChildServer(ctx.distRoot, 'app', { BENCH_CONFIG: JSON.stringify({ ...ctx.config, logLevel: 'info' }), BENCH_DATABASE_URL: ctx.databaseUrl }, logFile);
    try {
      const { call } = apiCalls(server.url);
      const { id, official, annual } = await benchMunicipality(server.url, { name: 'Gmina Zadaniowa', slug: 'gmina-zadaniowa', teryt: '9999996' });
      const m = { id };

      const upload = async (kind: 'ngos' | 'tasks', rows: string[][], header: string[]) => {
        const form = new FormData();
        form.append('file', new Blob([csv([header, ...rows])], { type: 'text/csv' }), `${kind}.csv`);
        const r = await fetch(`${server.url}/api/v1/imports/${kind}`, { method: 'POST', headers: { authorization: `Bearer ${official}` }, body: form });
        const answer = (await r.json()) as { imported?: number };
        if (r.status !== 201 || answer.imported !== rows.length) throw new Error(`import of ${rows.length} ${kind}: ${r.status} ${JSON.stringify(answer).slice(0, 500)}`);
      };
      const ngos = Array.from({ length: NGOS }, ngoRow);
      await upload('ngos', ngos, NGO_HEADER);
      const krs = ngos.map((r) => r[2]);
      const taskRows = (count: number, tag: string) =>
        Array.from({ length: count }, (_, i) => {
          const small = i % 50 === 0;
          const day = 1 + (i % 28);
          return [
            annual,
            `Zadanie ${tag} nr ${i + 1}`,
            String(1 + (i % 30)),
            small ? 'small-grant' : 'open-competition',
            'support',
            `Wydział nr ${1 + (i % 12)}`,
            `${krs[i % NGOS]};${krs[(i * 7 + 1) % NGOS]}`,
            small ? '' : '60000',
            small ? '100.00' : '50000.00',
            `2019-03-${String(day).padStart(2, '0')}`,
            `2019-04-${String(day).padStart(2, '0')}`,
            'contracted',
          ];
        });

      /** The import, while an official writes: an NGO, then a task for it, each timed. */
      const whileWriting = async (rows: string[][]): Promise<Imported> => {
        const started = performance.now();
        let importing = true;
        const imported = upload('tasks', rows, TASK_HEADER).finally(() => (importing = false));
        const writes: number[] = [];
        const timed = async <T>(work: () => Promise<T>): Promise<T> => {
          const t0 = performance.now();
          const result = await work();
          const took = performance.now() - t0;
          writes.push(took);
          if (took < EVERY_MS) await new Promise((done) => setTimeout(done, EVERY_MS - took));
          return result;
        };
        while (importing) {
          const row = ngoRow();
          const ngo = await timed(() => call('POST', '/api/v1/ngos', official, { name: row[0], legalForm: row[1], krs: row[2], nip: row[3], regon: row[4], spheres: ['1'], publicBenefit: false }));
          if (!importing) break;
          await timed(() =>
            call('POST', '/api/v1/tasks', official, {
              programId: annual, title: 'Zadanie wpisane w trakcie importu', sphere: '16', mode: 'open-competition', form: 'support', department: 'Wydział Kultury',
              ngoIds: [ngo.id], amountGranted: '1000.00', startDate: '2019-05-01', endDate: '2019-05-31', status: 'contracted',
            }),
          );
        }
        await imported;
        return { ms: performance.now() - started, writes: writes.sort((a, b) => a - b) };
      };

      const count = async () =>
        (
          await ctx.dataSource.query(
            `SELECT (SELECT count(*)::int FROM tasks WHERE municipality_id = $1 AND title LIKE 'Zadanie _ nr %') AS tasks,
                    (SELECT count(*)::int FROM task_ngos tn JOIN tasks t ON t.municipality_id = tn.municipality_id AND t.id = tn.task_id WHERE t.municipality_id = $1 AND t.title LIKE 'Zadanie _ nr %') AS links,
                    (SELECT count(*)::int FROM audit_entries WHERE municipality_id = $1 AND entity = 'task' AND action = 'create' AND after->>'title' LIKE 'Zadanie _ nr %') AS audit`,
            [m.id],
          )
        )[0] as { tasks: number; links: number; audit: number };

      ctx.progress(`import-100000: one import of ${SMALL} funded tasks, then one of ${LARGE}, an official writing meanwhile`);
      const small = await whileWriting(taskRows(SMALL, 'A'));
      const large = await whileWriting(taskRows(LARGE, 'B'));
      const got = await count();
      const want = { tasks: SMALL + LARGE, links: 2 * (SMALL + LARGE), audit: SMALL + LARGE };
      if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`after the imports: ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
      const [{ verified }] = await ctx.dataSource.query(`SELECT count(*)::int AS verified FROM audit_entries WHERE municipality_id = $1 AND hash IS NULL`, [m.id]);
      if (verified !== 0) throw new Error(`${verified} audit entries left unsealed`);
      await server.stop();
      // the service's own account of each import: "… in N ms (read …, rows …, commit …, seal …)"
      const phases = readFileSync(logFile, 'utf8')
        .split('\n')
        .map((line) => line.replace(/\x1b\[[0-9;]*m/g, ''))
        .map((line) => /import of (\d+) tasks rows \(csv\) by user \S+: imported in (.*)$/.exec(line.startsWith('{') ? String(JSON.parse(line).msg ?? '') : line))
        .filter((m) => m !== null)
        .map((m) => `${m[1]} rows: ${m[2]}`);
      return { small, large, checked: `checked: every row arrived (${want.tasks} tasks, ${want.links} NGO links) with its audit entry, every entry sealed`, phases };
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  })();
  return outcome;
}

const writesNote = (what: string, i: Imported) =>
  `${i.writes.length} single writes during the import of ${what}, every one answered 201: p50 ${ms(percentile(i.writes, 50))} ms, p99 ${ms(percentile(i.writes, 99))} ms, the slowest ${ms(i.writes[i.writes.length - 1] ?? 0)} ms`;

export const importRateBenchmark: Benchmark = {
  name: 'import-100000-rate',
  measuredIs: `rows per second of one POST /imports/tasks of ${LARGE} funded tasks (every row validated, checked by the rules of POST /tasks, written with its NGO links and audit entry, one transaction)`,
  baselineIs: `P7's goal, ${RATE_GOAL} rows/s`,
  goal: { op: '>=', ratio: 1 },
  async run(ctx) {
    const o = await importTasks(ctx);
    return {
      measured: LARGE / (o.large.ms / 1000),
      baseline: RATE_GOAL,
      unit: 'rows/s',
      notes: [`${LARGE} tasks in ${ms(o.large.ms)} ms; ${SMALL} in ${ms(o.small.ms)} ms (${(SMALL / (o.small.ms / 1000)).toFixed(0)} rows/s)`, o.checked, ...o.phases.map((p) => `the service's log: ${p}`)],
    };
  },
};

export const importLinearBenchmark: Benchmark = {
  name: 'import-100000-linear',
  measuredIs: `time of one import of ${LARGE} funded tasks, ms`,
  baselineIs: `10 × the time of one import of ${SMALL} (the same rows' kind, same process, just before)`,
  goal: { op: '<=', ratio: 1.2 },
  async run(ctx) {
    const o = await importTasks(ctx);
    return { measured: o.large.ms, baseline: 10 * o.small.ms, unit: 'ms', notes: [`${ms(o.large.ms)} ms against 10 × ${ms(o.small.ms)} ms (the import's answer; the phases in import-100000-rate's notes)`] };
  },
};

export const importTaskWritesBenchmark: Benchmark = {
  name: 'import-100000-writes-p99',
  measuredIs: `p99 latency of single writes of the same municipality (POST /ngos, then POST /tasks for it, one after the other, at most one every ${EVERY_MS} ms) while it imports ${LARGE} funded tasks, ms`,
  baselineIs: `P8's bound, ${BOUND_MS} ms`,
  goal: { op: '<=', ratio: 1 },
  async run(ctx): Promise<Measurement> {
    const o = await importTasks(ctx);
    if (o.large.writes.length < 10) throw new Error(`only ${o.large.writes.length} single writes during the import: too few to measure`);
    return {
      measured: percentile(o.large.writes, 99),
      baseline: BOUND_MS,
      unit: 'ms',
      notes: [writesNote(`${LARGE} tasks`, o.large), writesNote(`${SMALL} tasks`, o.small), `median write during the large import ${ms(median(o.large.writes))} ms`],
    };
  },
};
