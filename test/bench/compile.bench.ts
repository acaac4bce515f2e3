import { canonicalJson, sha256Hex } from '@app/core';
import { FINGERPRINT_SQL, ReportsService, SUMMARY_SQL } from '@app/reports';
import type { DataSource } from 'typeorm';
import { median, ms, type Benchmark, type BenchContext, type Measurement } from './benchmark';
import { insertBulkTasks } from './bulk-tasks';

const TASKS = 100_000;
/** Tasks of the same year still `planned`: not counted, but read past by the year's filter. */
const PLANNED = 2_000;
const NGOS = 3_000;
const ACTIVITIES = 3_000;
const COMMISSIONS = 30;
const MEMBERSHIPS = 3_000;
const MEETINGS_PER_COMMISSION = 12;
const REPEATS = 5;

/**
 * A municipality of its own with one year of 100 000 funded tasks (1–3 NGOs each, insertBulkTasks),
 * a few thousand activities and commission memberships, all inserted set-wise (INSERT … SELECT
 * generate_series) with ids derived from their numbers (md5(…)::uuid) so that the link tables can name them.
 */
async function seed(ds: DataSource, year: number): Promise<string> {
  const [{ id: m }]: Array<{ id: string }> = await ds.query(
    `INSERT INTO municipalities (name, slug, teryt) VALUES ('Gmina Benchmarkowa', 'gmina-benchmarkowa', '9999999') RETURNING id`,
  );
  const [{ id: multi }]: Array<{ id: string }> = await ds.query(
    `INSERT INTO programs (municipality_id, title, kind, start_year, end_year) VALUES ($1, 'Program wieloletni', 'multi-year', $2::int - 1, $2::int + 2) RETURNING id`,
    [m, year],
  );
  const [{ id: annual }]: Array<{ id: string }> = await ds.query(
    `INSERT INTO programs (municipality_id, title, kind, start_year, end_year, parent_id) VALUES ($1, 'Program roczny na rok ' || $2, 'annual', $2::int, $2::int, $3) RETURNING id`,
    [m, year, multi],
  );
  await ds.query(
    `INSERT INTO ngos (id, municipality_id, name, legal_form, krs, spheres, public_benefit, registered_on, archived_at)
     SELECT md5('bench-ngo-' || i)::uuid, $1, 'Organizacja nr ' || i,
            (ARRAY['association', 'foundation', 'church-entity', 'cooperative', 'other'])[1 + i % 5],
            lpad(i::text, 10, '0'), ARRAY[(1 + i % 30)::text], i % 3 = 0,
            make_date($2::int - 1 - i % 20, 1 + i % 12, 1 + i % 28),
            CASE WHEN i % 50 = 0 THEN make_date($2::int, 6, 30)::timestamptz END
       FROM generate_series(1, $3::int) i`,
    [m, year, NGOS],
  );
  // 100 000 counted tasks spread over modes, forms, spheres, departments and statuses, then the planned ones, 1–3 of the NGOs each
  const [{ ngoIds }]: Array<{ ngoIds: string[] }> = await ds.query(`SELECT array_agg(md5('bench-ngo-' || i)::uuid::text ORDER BY i) AS "ngoIds" FROM generate_series(1, $1::int) i`, [NGOS]);
  await insertBulkTasks(ds, { tag: 'bench', municipalityId: m, programId: annual, year, counted: TASKS, planned: PLANNED, ngoIds });
  await ds.query(
    `INSERT INTO activities (id, municipality_id, program_id, type, title, start_date, end_date, department, participants)
     SELECT md5('bench-activity-' || i)::uuid, $1, $2,
            (ARRAY['consultation', 'information', 'joint-team', 'event', 'training', 'premises', 'promotion', 'other'])[1 + i % 8],
            'Działanie nr ' || i, make_date($3::int, 1, 1) + i % 330, CASE WHEN i % 2 = 0 THEN make_date($3::int, 1, 1) + i % 330 + i % 30 END,
            'Wydział nr ' || (1 + i % 30), i % 200
       FROM generate_series(1, $4::int) i`,
    [m, annual, year, ACTIVITIES],
  );
  await ds.query(
    `INSERT INTO activity_ngos (municipality_id, activity_id, ngo_id, position)
     SELECT $1, md5('bench-activity-' || i)::uuid, md5('bench-ngo-' || (1 + (i * 11 + k * 17) % $3::int))::uuid, k
       FROM generate_series(1, $2::int) i, generate_series(0, 2) k WHERE k <= i % 3`,
    [m, ACTIVITIES, NGOS],
  );
  // most commissions' terms cover the year; every sixth ended the year before
  await ds.query(
    `INSERT INTO commissions (id, municipality_id, name, sphere, department, term_start, term_end)
     SELECT md5('bench-commission-' || c)::uuid, $1, 'Komisja nr ' || c, (1 + c % 30)::text, 'Wydział nr ' || (1 + c % 30),
            make_date($2::int - 2, 1, 1), CASE WHEN c % 6 = 0 THEN make_date($2::int - 1, 12, 31) ELSE make_date($2::int + 1, 12, 31) END
       FROM generate_series(1, $3::int) c`,
    [m, year, COMMISSIONS],
  );
  // membership k: NGO k in commission 1 + k % 30, so no NGO holds two overlapping seats in one commission
  await ds.query(
    `INSERT INTO commission_members (municipality_id, commission_id, ngo_id, representative, role, from_date, to_date)
     SELECT $1, md5('bench-commission-' || (1 + k % $3::int))::uuid, md5('bench-ngo-' || (1 + (k - 1) % $4::int))::uuid, 'Przedstawiciel nr ' || k,
            CASE WHEN k <= $3::int THEN 'chair' ELSE 'member' END,
            make_date($2::int - 2, 1, 1) + k % 900, CASE WHEN k % 4 = 0 THEN make_date($2::int - 2, 1, 1) + k % 900 + 200 END
       FROM generate_series(1, $5::int) k`,
    [m, year, COMMISSIONS, NGOS, MEMBERSHIPS],
  );
  await ds.query(
    `INSERT INTO commission_meetings (municipality_id, commission_id, date, title)
     SELECT $1, md5('bench-commission-' || c)::uuid, make_date($2::int, n, 10 + c % 10), 'Posiedzenie ' || n
       FROM generate_series(1, $3::int) c, generate_series(1, $4::int) n`,
    [m, year, COMMISSIONS, MEETINGS_PER_COMMISSION],
  );
  await ds.query('VACUUM ANALYZE');
  return m;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

/**
 * ReportsService.compile of a year of 100 000 funded tasks against the aggregate SQL alone
 * (SUMMARY_SQL over the same parameters, timed the same way: wall time of the query from Node).
 */
export const compileBenchmark: Benchmark = {
  name: 'compile',
  measuredIs: 'ReportsService.compile(municipality, year) of 100 000 funded tasks, full compile, median of 5, ms',
  baselineIs: 'SUMMARY_SQL alone with the same parameters, same pool, wall time from Node, median of 5, ms',
  goal: { op: '<=', ratio: 1.5 },
  async run(ctx: BenchContext): Promise<Measurement> {
    const ds = ctx.dataSource;
    const [{ year }]: Array<{ year: number }> = await ds.query(`SELECT extract(year FROM now() AT TIME ZONE 'Europe/Warsaw')::int - 1 AS year`);
    ctx.progress(`compile: seeding a municipality with ${TASKS} funded tasks of ${year}`);
    const started = performance.now();
    const m = await seed(ds, year);
    const seeded = performance.now() - started;
    const params = [m, year];
    const reports = new ReportsService(ds);

    // one of each first (not counted): caches warm, the report row exists, so every counted compile is the nightly job's update
    const first = await timed(() => reports.compile(m, year));
    await ds.query(SUMMARY_SQL, params);

    const compile: number[] = [];
    const summary: number[] = [];
    const fingerprint: number[] = [];
    const combined: number[] = [];
    ctx.progress(`compile: ${REPEATS} rounds of compile, SUMMARY_SQL and, for the breakdown, the compile's statement and FINGERPRINT_SQL alone`);
    // interleaved, so that a load elsewhere on the machine weighs on every figure alike
    for (let i = 0; i < REPEATS; i++) {
      compile.push(await timed(() => reports.compile(m, year)));
      summary.push(await timed(() => ds.query(SUMMARY_SQL, params)));
      combined.push(await timed(() => ds.query(`SELECT s.summary, f.fingerprint FROM (${SUMMARY_SQL}) s, (${FINGERPRINT_SQL}) f`, params)));
      fingerprint.push(await timed(() => ds.query(FINGERPRINT_SQL, params)));
    }
    const [{ summary: value }]: Array<{ summary: { tasks: { count: number; granted: string; ngosFunded: number } } }> = await ds.query(SUMMARY_SQL, params);
    const hashing: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      const t0 = performance.now();
      JSON.stringify(value);
      sha256Hex(canonicalJson(value));
      hashing.push(performance.now() - t0);
    }
    type Plan = { 'Execution Time': number; 'Planning Time': number; JIT?: { Timing?: { Total?: number } } };
    const explained: Array<{ 'QUERY PLAN': Plan[] }> = await ds.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${SUMMARY_SQL}`, params);
    const plan = explained[0]['QUERY PLAN'][0];
    const jit = plan.JIT?.Timing?.Total;

    const compileMs = median(compile);
    const summaryMs = median(summary);
    const combinedMs = median(combined);
    const rest = compileMs - combinedMs - median(hashing);
    const notes = [
      `data: ${TASKS} counted tasks (+${PLANNED} planned) of ${year}, ${NGOS} NGOs, ${ACTIVITIES} activities, ${MEMBERSHIPS} memberships in ${COMMISSIONS} commissions; ` +
        `seeded and VACUUM ANALYZEd in ${(seeded / 1000).toFixed(1)} s; summary: ${value.tasks.count} tasks, ${value.tasks.ngosFunded} NGOs funded, ${value.tasks.granted} PLN granted`,
      `runs (ms): compile ${compile.map(ms).join(', ')} | SUMMARY_SQL ${summary.map(ms).join(', ')} (first, uncounted compile: ${ms(first)})`,
      `baseline timed as the compile is (wall time of the query from Node through the same TypeORM pool); ` +
        `EXPLAIN (ANALYZE) of SUMMARY_SQL for comparison: execution ${ms(plan['Execution Time'])} ms${jit === undefined ? ' (no JIT)' : ` (of which JIT compilation ${ms(jit)} ms)`}, planning ${ms(plan['Planning Time'])} ms`,
      `where the compile goes (medians, ms): summary + fingerprint in one statement (as compile runs them) ${ms(combinedMs)} ` +
        `[FINGERPRINT_SQL alone ${ms(median(fingerprint))}], canonical JSON + SHA-256 in Node ${ms(median(hashing))}, ` +
        `the rest (BEGIN, the year check, the upsert, COMMIT: compile minus the two) ${rest < 0 ? `−${ms(-rest)} (below the run-to-run noise)` : ms(rest)}`,
    ];
    return { measured: compileMs, baseline: summaryMs, unit: 'ms', notes };
  },
};
