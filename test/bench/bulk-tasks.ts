import type { DataSource } from 'typeorm';

/** What insertBulkTasks writes: `counted` funded tasks of `year` under `programId`, then `planned` ones, 1–3 of `ngoIds` each. */
export interface BulkTasks {
  /** ids are md5('<tag>-task-<n>')::uuid, so that a caller can name a task by its number and two calls with other tags never collide */
  tag: string;
  municipalityId: string;
  programId: string;
  year: number;
  counted: number;
  /** tasks numbered after the counted ones, still `planned` (not counted by a report, but read past by the year's filter) */
  planned: number;
  /** the NGOs to link, more than 26 (so that a task's two or three differ): task n gets ngoIds[(n·7 + k·13) mod length] for k = 0 … n mod 3 (k = 0 the lead) */
  ngoIds: readonly string[];
}

/**
 * Funded tasks in bulk, set-wise (INSERT … SELECT generate_series), spread over modes, forms,
 * spheres (every code of the dictionary in turn), departments, amounts, dates of the year and
 * statuses (contracted, in-progress, settled, terminated in turn), with their NGO links. Used by
 * the compile benchmark (a municipality of its own) and the task list page's (the demo's).
 * The caller runs VACUUM ANALYZE when it has written all it needs.
 */
export async function insertBulkTasks(ds: DataSource, o: BulkTasks): Promise<void> {
  if (o.ngoIds.length <= 26) throw new Error(`insertBulkTasks links each task to up to 3 of more than 26 NGOs (got ${o.ngoIds.length})`);
  await ds.query(
    `INSERT INTO tasks (id, municipality_id, program_id, title, sphere, mode, form, competition_ref, department,
                        amount_requested, amount_granted, amount_settled, start_date, end_date, status, beneficiaries)
     SELECT md5($6 || '-task-' || i)::uuid, $1, $2, 'Zadanie publiczne nr ' || i,
            s.codes[1 + i % cardinality(s.codes)],
            (ARRAY['open-competition', 'small-grant', 'local-initiative', 'other-act'])[1 + i % 4],
            (ARRAY['support', 'entrustment'])[1 + (i / 4) % 2],
            CASE WHEN i % 4 = 0 THEN 'OK-' || (i / 4) % 400 || '/' || $3 END,
            'Wydział nr ' || (1 + (i * 7) % 30),
            g.amount + 100, g.amount,
            CASE (i / 8) % 4 WHEN 2 THEN g.amount WHEN 3 THEN round(g.amount / 2, 2) END,
            make_date($3::int, 1, 1) + i % 300, make_date($3::int, 1, 1) + i % 300 + i % 60,
            CASE WHEN i > $4::int THEN 'planned' ELSE (ARRAY['contracted', 'in-progress', 'settled', 'terminated'])[1 + (i / 8) % 4] END,
            i % 500
       FROM generate_series(1, $4::int + $5::int) i
            CROSS JOIN (SELECT array_agg(DISTINCT code) AS codes FROM spheres) s
            CROSS JOIN LATERAL (SELECT ((1000 + (i * 7919) % 2000000) / 100.0)::numeric(14,2) AS amount) g`,
    [o.municipalityId, o.programId, o.year, o.counted, o.planned, o.tag],
  );
  await ds.query(
    `INSERT INTO task_ngos (municipality_id, task_id, ngo_id, position)
     SELECT $1, md5($4 || '-task-' || i)::uuid, ($3::uuid[])[1 + (i * 7 + k * 13) % cardinality($3::uuid[])], k
       FROM generate_series(1, $2::int) i, generate_series(0, 2) k WHERE k <= i % 3`,
    [o.municipalityId, o.counted + o.planned, o.ngoIds, o.tag],
  );
}
