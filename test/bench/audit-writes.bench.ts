import { verifyAuditTrail } from '@app/audit';
import { withNipCheckDigit, withRegonCheckDigit } from '@app/core';
import { median, type Benchmark, type BenchContext, type Measurement } from './benchmark';
import { startChildServer, type ChildServer } from './child-server';

/** 8 clients at once, each sending its next write when the last is answered. */
const CLIENTS = 8;
const WARM_UP_SECONDS = 3;
const ROUND_SECONDS = 8;
const ROUNDS = 3;
/** The demo's official (its password is the embedded demo's published one: the bench database is made with it). */
const OFFICIAL = 'official@krakow.example';
const DEMO_PASSWORD = 'krakow-demo-2019';

let serial = 0;
const seed = Math.floor(Math.random() * 9000) + 1000;

/** A new NGO with identifiers of valid checksums, unique in this run. */
function ngoBody(): string {
  serial += 1;
  const n = seed * 100_000 + serial;
  let nip: string | null = null;
  for (let k = 0; !nip; k++) nip = withNipCheckDigit(String((n * 7 + k) % 1_000_000_000).padStart(9, '1'));
  return JSON.stringify({
    name: `Stowarzyszenie Benchmarkowe ${n}`,
    legalForm: 'association',
    krs: String(n).padStart(10, '0'),
    nip,
    regon: withRegonCheckDigit(String(n % 100_000_000).padStart(8, '0')),
    spheres: ['1', '16'],
    publicBenefit: false,
  });
}

interface Round {
  writes: number;
  seconds: number;
  p50: number;
  p99: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/** CLIENTS loops creating NGOs for `seconds`; every answer must be 201. */
async function load(server: ChildServer, token: string, seconds: number): Promise<Round> {
  const until = performance.now() + seconds * 1000;
  const latencies: number[] = [];
  const started = performance.now();
  const client = async () => {
    while (performance.now() < until) {
      const t0 = performance.now();
      const response = await fetch(`${server.url}/api/v1/ngos`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: ngoBody() });
      const text = await response.text();
      if (response.status !== 201) throw new Error(`POST /api/v1/ngos answered ${response.status}: ${text.slice(0, 300)}`);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { writes: latencies.length, seconds: elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

async function signIn(server: ChildServer): Promise<string> {
  const login = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: OFFICIAL, password: DEMO_PASSWORD }) });
  const token = ((await login.json()) as { accessToken?: string }).accessToken;
  if (login.status !== 200 || !token) throw new Error(`POST /api/v1/auth/login answered ${login.status} without a token`);
  return token;
}

const rate = (r: Round) => r.writes / r.seconds;

/**
 * P5 of issue 11: what the audit trail costs concurrent writers of one municipality. The same
 * program twice, against the same database and municipality: as it runs, and in a bench-only
 * mode whose writes append no audit entry (BENCH_AUDIT_TRAIL=off in report-page.server.ts; no
 * configuration of the service can do this). Before 0.7.0 every audited write held the chain
 * head's lock from its entry to its commit; now the entries are sealed while the transaction
 * commits.
 */
export const auditWritesBenchmark: Benchmark = {
  name: 'audit-writes',
  measuredIs: `writes/s of ${CLIENTS} clients creating NGOs in one municipality (POST /api/v1/ngos), each write with its audit entry, in the round of the median ratio`,
  baselineIs: 'the same writes from the same program with the audit trail switched off (a bench-only mode), same round',
  goal: { op: '>=', ratio: 0.7 },
  async run(ctx: BenchContext): Promise<Measurement> {
    const env = (trail: 'on' | 'off') => ({ BENCH_CONFIG: JSON.stringify({ ...ctx.config, logLevel: 'warn' }), BENCH_DATABASE_URL: ctx.databaseUrl, BENCH_AUDIT_TRAIL: trail });
    const servers: ChildServer[] = [];
    try {
      ctx.progress('audit-writes: starting the program with and without the audit trail');
      const withTrail = await startChildServer(ctx.distRoot, 'app', env('on'));
      servers.push(withTrail);
      const without = await startChildServer(ctx.distRoot, 'app', env('off'));
      servers.push(without);
      const tokens = new Map<ChildServer, string>([
        [withTrail, await signIn(withTrail)],
        [without, await signIn(without)],
      ]);
      const entries = async () => Number((await ctx.dataSource.query(`SELECT count(*) AS n FROM audit_entries`))[0].n);
      for (const server of [withTrail, without]) await load(server, tokens.get(server)!, WARM_UP_SECONDS);
      const runs = new Map<ChildServer, Round[]>([
        [withTrail, []],
        [without, []],
      ]);
      let entriesWritten = 0;
      for (let round = 0; round < ROUNDS; round++) {
        for (const server of round % 2 ? [without, withTrail] : [withTrail, without]) {
          ctx.progress(`audit-writes: round ${round + 1}/${ROUNDS}, audit trail ${server === withTrail ? 'on' : 'off'} (${ROUND_SECONDS} s)`);
          const before = await entries();
          const r = await load(server, tokens.get(server)!, ROUND_SECONDS);
          const added = (await entries()) - before;
          // the trail's writes each have their entry, the others none: the two modes are what they say
          if (server === withTrail && added !== r.writes) throw new Error(`${r.writes} audited writes added ${added} audit entries`);
          if (server === without && added !== 0) throw new Error(`${added} audit entries from writes with the trail switched off`);
          if (server === withTrail) entriesWritten += added;
          runs.get(server)!.push(r);
        }
      }
      const on = runs.get(withTrail)!;
      const off = runs.get(without)!;
      const ratios = on.map((r, i) => rate(r) / rate(off[i]));
      const medianRound = ratios.indexOf([...ratios].sort((x, y) => x - y)[ratios.length >> 1]);
      const [{ id: m }]: Array<{ id: string }> = await ctx.dataSource.query('SELECT id FROM municipalities WHERE slug = $1', [ctx.config.municipality.slug]);
      const chain = await verifyAuditTrail(ctx.dataSource.manager, m);
      if (!chain.valid) throw new Error(`the audit chain is broken after the rounds: ${JSON.stringify(chain.firstBroken)}`);
      return {
        measured: rate(on[medianRound]),
        baseline: rate(off[medianRound]),
        unit: 'writes/s',
        notes: [
          `${CLIENTS} clients, each sending its next POST when the last is answered; ${WARM_UP_SECONDS} s warm-up each, then ${ROUNDS} alternating rounds of ${ROUND_SECONDS} s; LOG_LEVEL=warn; every answer checked to be 201`,
          `ratio per round: ${ratios.map((r) => r.toFixed(2)).join(', ')}; median ${ratios[medianRound].toFixed(2)} (round ${medianRound + 1})`,
          `trail on: ${on.map((r) => rate(r).toFixed(0)).join(', ')} writes/s, latency p50 ${median(on.map((r) => r.p50)).toFixed(1)} ms, p99 ${median(on.map((r) => r.p99)).toFixed(1)} ms`,
          `trail off: ${off.map((r) => rate(r).toFixed(0)).join(', ')} writes/s, latency p50 ${median(off.map((r) => r.p50)).toFixed(1)} ms, p99 ${median(off.map((r) => r.p99)).toFixed(1)} ms`,
          `audit entries written in the rounds with the trail on: ${entriesWritten}, one per write; the municipality's chain verified afterwards: ${chain.entries} entries, intact`,
        ],
      };
    } finally {
      for (const server of servers) await server.stop();
    }
  },
};
