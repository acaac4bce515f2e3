import { withNipCheckDigit, withRegonCheckDigit } from '@app/core';
import { DEMO_PASSWORD } from '@app/database';
import { ms, type Benchmark, type BenchContext, type Measurement } from './benchmark';
import { startChildServer } from './child-server';

/** The most rows one import file may hold (libs/imports), so the largest import there is. */
const N = 10_000;
/** The baseline's file size: ten imports of it hold as many rows as one of N. */
const SMALL = 1_000;

export const NGO_HEADER = ['name', 'legalForm', 'krs', 'nip', 'regon', 'spheres', 'publicBenefit'];
const TASK_HEADER = ['programId', 'title', 'sphere', 'mode', 'form', 'department', 'ngoIds', 'amountRequested', 'amountGranted', 'startDate', 'endDate', 'status'];

let serial = 0;
/** A row of NGO_HEADER with identifiers of their own (valid check digits). */
export function ngoRow(): string[] {
  serial += 1;
  const n = 7_000_000 + serial;
  let nip: string | null = null;
  for (let k = 0; !nip; k++) nip = withNipCheckDigit(String((n * 7 + k) % 1_000_000_000).padStart(9, '1'));
  return [`Organizacja Pożytku Publicznego nr ${serial}`, serial % 2 ? 'association' : 'foundation', String(n).padStart(10, '0'), nip, withRegonCheckDigit(String(n).padStart(8, '0')), '1;16', serial % 2 ? 'true' : 'false'];
}

// no cell holds a comma, a quote or a line break, so none is quoted
/** JSON calls to the API of the server at `base` that throw on anything but 2xx, and sign-in. */
export function apiCalls(base: string) {
  const call = async (method: string, path: string, token: string | undefined, body?: unknown) => {
    const r = await fetch(base + path, { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) });
    const answer = (await r.json()) as Record<string, any>;
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(answer)}`);
    return answer;
  };
  const login = async (email: string, password: string) => (await call('POST', '/api/v1/auth/login', undefined, { email, password })).accessToken as string;
  return { call, login };
}

/**
 * A municipality of a benchmark's own (the demo's published years are not touched), made through
 * the API by the demo's platform admin, with its admin and an official; the official's token, and
 * the official's multi-year programme 2019–2022 with its annual 2019 programme.
 */
export async function benchMunicipality(base: string, o: { name: string; slug: string; teryt: string }) {
  const { call, login } = apiCalls(base);
  const platform = await login('admin@krakow.example', DEMO_PASSWORD);
  const password = 'bench-import-password-1';
  const domain = `${o.slug.replace(/^gmina-/, '')}.bench`;
  const m = await call('POST', '/api/v1/municipalities', platform, { name: o.name, slug: o.slug, teryt: o.teryt, admin: { email: `admin@${domain}`, password } });
  const admin = await login(`admin@${domain}`, password);
  await call('POST', '/api/v1/users', admin, { email: `official@${domain}`, password, role: 'official' });
  const official = await login(`official@${domain}`, password);
  const multiYear = (await call('POST', '/api/v1/programs', official, { title: 'Program wieloletni', kind: 'multi-year', startYear: 2019, endYear: 2022 })).id as string;
  const annual = (await call('POST', '/api/v1/programs', official, { title: 'Program roczny 2019', kind: 'annual', startYear: 2019, endYear: 2019, parentId: multiYear })).id as string;
  return { id: m.id as string, official, annual };
}

export const csv = (rows: string[][]) => rows.map((r) => r.join(',')).join('\n') + '\n';

/**
 * POST /imports/ngos and /imports/tasks with the largest files allowed (10 000 rows each, every row
 * checked, written and audited in one transaction), against the same rows in files of 1 000,
 * through the real application in a process of its own. Checks that every row arrived.
 */
export const importBenchmark: Benchmark = {
  name: 'import-10000',
  measuredIs: `POST /imports of ${N} NGOs, then of ${N} funded tasks (two NGOs each, given by KRS): ms for both`,
  baselineIs: `the same numbers of rows in files of ${SMALL} (${N / SMALL} imports of each kind): ms for all`,
  // an import of the largest file should cost about what its rows cost in small files (no work per row that grows with the file)
  goal: { op: '<=', ratio: 1.5 },
  async run(ctx: BenchContext): Promise<Measurement> {
    const server = await startChildServer(ctx.distRoot, 'app', { BENCH_CONFIG: JSON.stringify(ctx.config), BENCH_DATABASE_URL: ctx.databaseUrl });
    try {
      const { id, official, annual } = await benchMunicipality(server.url, { name: 'Gmina Importowa', slug: 'gmina-importowa', teryt: '9999998' });
      const m = { id };

      const send = async (kind: 'ngos' | 'tasks', file: string): Promise<number> => {
        const form = new FormData();
        form.append('file', new Blob([file], { type: 'text/csv' }), `${kind}.csv`);
        const started = performance.now();
        const r = await fetch(`${server.url}/api/v1/imports/${kind}`, { method: 'POST', headers: { authorization: `Bearer ${official}` }, body: form });
        const answer = (await r.json()) as { imported?: number };
        const took = performance.now() - started;
        const rows = file.split('\n').length - 2;
        if (r.status !== 201 || answer.imported !== rows) throw new Error(`import of ${rows} ${kind}: ${r.status} ${JSON.stringify(answer).slice(0, 500)}`);
        return took;
      };
      /** Imports `count` NGOs in files of `size`, then `count` tasks, each naming two of them; ms for NGOs and tasks. */
      const importRows = async (count: number, size: number): Promise<{ ngos: number; tasks: number }> => {
        const ngos = Array.from({ length: count }, ngoRow);
        const krs = ngos.map((r) => r[2]);
        const tasks = krs.map((k, i) => [annual, `Zadanie publiczne nr ${i + 1}`, i % 2 ? '16' : '1', 'open-competition', 'support', 'Wydział Kultury', `${k};${krs[(i + 1) % count]}`, '60000', '50000.00', '2019-03-01', '2019-11-30', 'contracted']);
        const took = { ngos: 0, tasks: 0 };
        for (let i = 0; i < count; i += size) took.ngos += await send('ngos', csv([NGO_HEADER, ...ngos.slice(i, i + size)]));
        for (let i = 0; i < count; i += size) took.tasks += await send('tasks', csv([TASK_HEADER, ...tasks.slice(i, i + size)]));
        return took;
      };
      const counts = async () =>
        (
          await ctx.dataSource.query(
            `SELECT (SELECT count(*)::int FROM ngos WHERE municipality_id = $1) AS ngos, (SELECT count(*)::int FROM tasks WHERE municipality_id = $1) AS tasks,
                    (SELECT count(*)::int FROM task_ngos WHERE municipality_id = $1) AS links, (SELECT count(*)::int FROM audit_entries WHERE municipality_id = $1) AS audit`,
            [m.id],
          )
        )[0] as { ngos: number; tasks: number; links: number; audit: number };

      ctx.progress(`import-10000: ${N / SMALL} imports of ${SMALL} NGOs and of ${SMALL} tasks (baseline)`);
      const start = await counts();
      const small = await importRows(N, SMALL);
      ctx.progress(`import-10000: one import of ${N} NGOs and one of ${N} tasks`);
      const middle = await counts();
      const large = await importRows(N, N);
      const end = await counts();
      // every row arrived, with its links and its audit entry, plus one entry per import
      const expected = (from: typeof start, imports: number) => ({ ngos: from.ngos + N, tasks: from.tasks + N, links: from.links + 2 * N, audit: from.audit + 2 * N + imports });
      const check = (got: typeof start, want: typeof start, what: string) => {
        if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`after ${what}: ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
      };
      check(middle, expected(start, (2 * N) / SMALL), 'the small imports');
      check(end, expected(middle, 2), `the imports of ${N}`);
      return {
        measured: large.ngos + large.tasks,
        baseline: small.ngos + small.tasks,
        unit: 'ms',
        notes: [
          `${N} NGOs in one file: ${ms(large.ngos)} ms (${ms(small.ngos)} ms in ${N / SMALL} files of ${SMALL}); ${N} tasks in one file: ${ms(large.tasks)} ms (${ms(small.tasks)} ms in ${N / SMALL} files)`,
          `checked: every row arrived (${2 * N} NGOs, ${2 * N} tasks, ${4 * N} NGO links) with its audit entry, plus one entry per import`,
        ],
      };
    } finally {
      await server.stop();
    }
  },
};
