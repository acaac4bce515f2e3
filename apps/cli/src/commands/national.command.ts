import { NATIONAL_TABLE_NAMES, NATIONAL_TABLES, nationalGenerator, nationalPlan, type Jst, type NationalRows, type NationalTable } from '@app/database';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { CommandFailed } from '../errors';
import type { Outcome } from '../outcome';
import { startProgress } from '../progress';
import type { Session } from '../session';

export interface NationalRequest {
  seed: number;
  scale: number;
  progress: boolean;
}

/** Self-governments loaded per round of COPY statements: about this many funded tasks. */
const BATCH_TASKS = 40_000;
const CHUNK_BYTES = 1 << 20;

function* chunks(lines: string[]): Generator<string> {
  let buffer: string[] = [];
  let size = 0;
  for (const l of lines) {
    buffer.push(l);
    size += l.length;
    if (size >= CHUNK_BYTES) {
      yield buffer.join('');
      buffer = [];
      size = 0;
    }
  }
  if (buffer.length) yield buffer.join('');
}

/** One COPY … FROM STDIN of the lines (COPY's text format); the database's own count of the rows it took. */
async function copy(client: PoolClient, table: NationalTable, lines: string[]): Promise<number> {
  if (!lines.length) return 0;
  const stream = client.query(copyFrom(`COPY ${table} (${NATIONAL_TABLES[table].join(', ')}) FROM STDIN`));
  await pipeline(Readable.from(chunks(lines)), stream);
  return stream.rowCount;
}

/**
 * demo:national — a synthetic country (database/seeds/national.ts) loaded in bulk: COPY table by
 * table, a batch of self-governments at a time, all in ONE transaction, so a failure or an
 * interruption leaves nothing behind and a second run meets either nothing or the whole set
 * (which it refuses). Nothing goes through the services and nothing is written to the audit
 * trail, as with the demo seed: the trail records what people and jobs do, and the generated
 * municipalities start with an empty one. Constraints, indexes and foreign keys stay in force.
 */
export async function loadNational(session: Session, o: NationalRequest): Promise<Outcome> {
  const started = performance.now();
  const plan = nationalPlan({ seed: o.seed, scale: o.scale });
  const [clash]: Array<{ slug: string; teryt: string }> = await session.ds.query(
    'SELECT slug, teryt FROM municipalities WHERE slug = ANY($1::text[]) OR teryt = ANY($2::text[]) ORDER BY slug LIMIT 1',
    [plan.jsts.map((j) => j.slug), plan.jsts.map((j) => j.teryt)],
  );
  if (clash) {
    throw new CommandFailed(
      `the database already holds a national data set, or a municipality in its way ("${clash.slug}", TERYT ${clash.teryt}); nothing was written: load it into an empty database`,
    );
  }

  const generator = nationalGenerator(plan);
  const counts = Object.fromEntries(NATIONAL_TABLE_NAMES.map((t) => [t, 0])) as Record<NationalTable, number>;
  const progress = startProgress({
    label: `demo:national (scale ${o.scale}, seed ${o.seed}), self-governments`,
    format: String,
    every: Math.max(1, Math.ceil(plan.jsts.length / 10)),
    enabled: o.progress,
  });
  const runner = session.ds.createQueryRunner();
  const client = (await runner.connect()) as PoolClient;
  try {
    await runner.startTransaction();
    let done = 0;
    for (let i = 0; i < plan.jsts.length; ) {
      const batch: Jst[] = [];
      let tasks = 0;
      while (i < plan.jsts.length && (batch.length === 0 || tasks < BATCH_TASKS)) {
        const jst = plan.jsts[i++];
        batch.push(jst);
        tasks += jst.tasks.reduce((a, b) => a + b, 0);
      }
      const rows = batch.map((jst) => generator.rows(jst));
      for (const table of NATIONAL_TABLE_NAMES) counts[table] += await copy(client, table, rows.flatMap((r: NationalRows) => r[table]));
      done += batch.length;
      progress.update(done, plan.jsts.length);
    }
    await runner.commitTransaction();
    progress.stop();
  } catch (error) {
    progress.abort();
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    throw error;
  } finally {
    await runner.release();
  }
  // fresh statistics, so that the planner sees the new millions at once
  await session.ds.query(`ANALYZE ${NATIONAL_TABLE_NAMES.join(', ')}`);

  const seconds = Math.round((performance.now() - started) / 100) / 10;
  const kinds = { gmina: 0, powiat: 0, wojewodztwo: 0 };
  for (const j of plan.jsts) kinds[j.kind]++;
  const width = Math.max(...NATIONAL_TABLE_NAMES.map((t) => t.length));
  return {
    lines: [
      `loaded a national data set (scale ${o.scale}, seed ${o.seed}) in ${seconds} s: ${kinds.gmina} gminy, ${kinds.powiat} powiaty, ${kinds.wojewodztwo} województwa`,
      ...NATIONAL_TABLE_NAMES.map((t) => `  ${t.padEnd(width)}  ${String(counts[t]).padStart(9)}`),
      `  e.g. ${plan.jsts[plan.jsts.length - 1].slug} (npm run cli -- report:compile 2025 -m ${plan.jsts[plan.jsts.length - 1].slug})`,
    ],
    json: { seed: o.seed, scale: o.scale, seconds, selfGovernments: kinds, rows: counts, slugs: { first: plan.jsts[0].slug, last: plan.jsts[plan.jsts.length - 1].slug } },
  };
}
