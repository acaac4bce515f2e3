import { createServer } from 'node:http';
import pg from 'pg';
import { speakToParent } from './child-protocol';

/**
 * The baseline server of the task-page-national benchmark (started with fork by
 * task-page-national.bench.ts through child-server.ts): node:http and a `pg` Pool, nothing else.
 * For `GET /api/v1/tasks?page=P&limit=L` it runs exactly the two statements that TasksService.list
 * (libs/tasks/src/tasks.service.ts) runs for an official's unfiltered list — the count, then the
 * page of rows, each on a connection of the pool as the service's `em.query` takes one — with the
 * same parameters, and answers the same JSON (`{ items, total, page, limit }`, the keys of each
 * item in TaskView's order). No authentication: the municipality is fixed (BENCH_MUNICIPALITY_ID).
 *
 * The bench checks, before it measures, that the service's source still holds SELECT_TASK and the
 * two statements below verbatim, and that this server answers the application's body byte for byte.
 *
 * Environment: BENCH_DATABASE_URL, BENCH_MUNICIPALITY_ID, BENCH_POOL_SIZE (the application's pool
 * size), BENCH_APPLICATION_NAME (so the bench can find its PostgreSQL processes). Listens on a free
 * port of 127.0.0.1, sends `{ port }` to the parent; profiles on `{ profile: 'start' | 'stop' }`
 * as report-page.server.ts does.
 */

/** Verbatim from libs/tasks/src/tasks.service.ts. */
export const SELECT_TASK = `
  SELECT t.id, t.program_id, t.title, t.sphere, t.mode, t.form, t.competition_ref, t.department,
         t.amount_requested::text AS amount_requested, t.amount_granted::text AS amount_granted, t.amount_settled::text AS amount_settled,
         t.start_date, t.end_date, t.status, t.beneficiaries, t.version, t.created_at, t.updated_at,
         coalesce((SELECT array_agg(tn.ngo_id::text ORDER BY tn.position) FROM task_ngos tn WHERE tn.municipality_id = t.municipality_id AND tn.task_id = t.id), '{}') AS ngo_ids
    FROM tasks t`;
/** The service's WHERE for an official's list without filters: `new SqlWhere('t.municipality_id = ?', actor.municipalityId)`. */
export const WHERE = 't.municipality_id = $1';
/** The service's two statements, as templates in its source (checked by the bench) and as run here. */
export const COUNT_TEMPLATE = 'SELECT count(*)::int AS total FROM tasks t WHERE ${where.sql}';
export const PAGE_TEMPLATE = '${SELECT_TASK} WHERE ${where.sql} ORDER BY t.start_date DESC, t.title, t.id LIMIT ${limit} OFFSET ${offset}';
const countSql = `SELECT count(*)::int AS total FROM tasks t WHERE ${WHERE}`;
const pageSql = (limit: number, offset: number) => `${SELECT_TASK} WHERE ${WHERE} ORDER BY t.start_date DESC, t.title, t.id LIMIT ${limit} OFFSET ${offset}`;

interface TaskRow {
  id: string;
  program_id: string;
  title: string;
  sphere: string;
  mode: string;
  form: string;
  competition_ref: string | null;
  department: string;
  amount_requested: string | null;
  amount_granted: string;
  amount_settled: string | null;
  start_date: string;
  end_date: string;
  status: string;
  beneficiaries: number | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  ngo_ids: string[];
}

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (this process is started by task-page-national.bench.ts)`);
  return value;
}

// as libs/core/src/database/data-source-options.ts: a `date` stays 'YYYY-MM-DD'
pg.types.setTypeParser(pg.types.builtins.DATE, (value: string) => value);

async function main(): Promise<void> {
  const municipalityId = env('BENCH_MUNICIPALITY_ID');
  const pool = new pg.Pool({
    connectionString: env('BENCH_DATABASE_URL'),
    max: Number(env('BENCH_POOL_SIZE')),
    application_name: env('BENCH_APPLICATION_NAME'),
  });
  // numeric(14,2)::text already reads '12500.00', as moneyFromDb makes it; the keys in TaskView's order
  const item = (r: TaskRow) => ({
    id: r.id,
    programId: r.program_id,
    title: r.title,
    sphere: r.sphere,
    mode: r.mode,
    form: r.form,
    competitionRef: r.competition_ref,
    department: r.department,
    ngoIds: r.ngo_ids,
    amountRequested: r.amount_requested,
    amountGranted: r.amount_granted,
    amountSettled: r.amount_settled,
    startDate: r.start_date,
    endDate: r.end_date,
    status: r.status,
    beneficiaries: r.beneficiaries,
    version: r.version,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  });
  const list = async (page: number, limit: number): Promise<string> => {
    const offset = (page - 1) * limit;
    const { rows: [{ total }] } = await pool.query<{ total: number }>(countSql, [municipalityId]);
    const { rows } = await pool.query<TaskRow>(pageSql(limit, offset), [municipalityId]);
    return JSON.stringify({ items: rows.map(item), total, page, limit });
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const page = Number(url.searchParams.get('page'));
    const limit = Number(url.searchParams.get('limit'));
    if (req.method !== 'GET' || url.pathname !== '/api/v1/tasks' || !(page >= 1) || !(limit >= 1 && limit <= 100)) {
      res.writeHead(404).end();
      return;
    }
    list(page, limit).then(
      (body) => {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      },
      (error: unknown) => {
        process.stderr.write(`${String(error)}\n`);
        res.writeHead(500).end();
      },
    );
  });
  server.keepAliveTimeout = 72_000; // as Fastify's default, so idle connections are treated alike
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));

  speakToParent(server, async () => {
    server.close();
    server.closeAllConnections();
    await pool.end();
  });
}

// run only as the forked server, not when the bench imports the SQL above
if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
