/**
 * The SQL of a report, each a single statement over ($1 municipality, $2 year), so that every
 * figure of one compile comes from one snapshot and nothing but the result travels to Node.
 * Definitions: ../shared/domain.md, "What an annual report contains".
 */

/** Bump when the summary's definition changes, so that every draft recompiles once. */
export const SUMMARY_DEFINITION = 'summary-v2';

const YEAR = `SELECT $1::uuid AS m, make_date($2::int, 1, 1) AS y0, make_date($2::int, 12, 31) AS y1`;
const MONEY = (expr: string) => `(coalesce(${expr}, 0))::numeric(20,2)::text`;

/** The calls of the year's annual programme(s) that were announced (every status but draft). Over y. */
const YEAR_CALLS = `
  SELECT c.id, c.status, c.updated_at, c.version FROM calls c, y
    JOIN programs p ON p.municipality_id = y.m AND p.kind = 'annual' AND p.start_year = extract(year FROM y.y0)::int
   WHERE c.municipality_id = y.m AND c.program_id = p.id AND c.status <> 'draft'`;

/**
 * What a year's report reads, summarised: row counts, last changes and version sums of every
 * input, scoped to the year where the row belongs to one. A write to any input changes it (every
 * write bumps updated_at and version; rows are never deleted, only archived or ended).
 */
export const FINGERPRINT_SQL = `
  WITH y AS (${YEAR})
  SELECT encode(sha256(convert_to(concat_ws('|', '${SUMMARY_DEFINITION}',
    (SELECT concat_ws(':', count(*), extract(epoch FROM max(updated_at)), sum(version)) FROM tasks t, y WHERE t.municipality_id = y.m AND t.start_date BETWEEN y.y0 AND y.y1),
    (SELECT concat_ws(':', count(*), extract(epoch FROM max(updated_at)), sum(version)) FROM activities a, y WHERE a.municipality_id = y.m AND a.start_date BETWEEN y.y0 AND y.y1),
    (SELECT concat_ws(':', count(*), extract(epoch FROM max(updated_at)), sum(version)) FROM commissions c, y WHERE c.municipality_id = y.m),
    (SELECT concat_ws(':', count(*), extract(epoch FROM max(updated_at)), sum(version)) FROM commission_members cm, y WHERE cm.municipality_id = y.m),
    (SELECT concat_ws(':', count(*), extract(epoch FROM max(updated_at)), sum(version)) FROM commission_meetings mt, y WHERE mt.municipality_id = y.m AND mt.date BETWEEN y.y0 AND y.y1),
    (SELECT concat_ws(':', count(*), extract(epoch FROM max(updated_at)), sum(version)) FROM ngos n, y WHERE n.municipality_id = y.m),
    (SELECT concat_ws(':', count(*), extract(epoch FROM max(updated_at)), sum(version)) FROM programs p, y WHERE p.municipality_id = y.m),
    (SELECT concat_ws(':', count(*), extract(epoch FROM max(updated_at)), sum(version)) FROM (${YEAR_CALLS}) yc),
    (SELECT concat_ws(':', count(*), extract(epoch FROM max(o.updated_at)), sum(o.version)) FROM offers o JOIN (${YEAR_CALLS}) yc ON yc.id = o.call_id, y WHERE o.municipality_id = y.m)
  ), 'UTF8')), 'hex') AS fingerprint`;

/**
 * The summary as one jsonb value. Counted: funded tasks that start in the year and are past
 * `planned`; activities that start in the year; commissions whose term overlaps the year and
 * memberships active on a day of it; meetings dated in it; the calls of the year's annual
 * programme that were announced, and their offers that were submitted (not drafts, not withdrawn).
 */
export const SUMMARY_SQL = `
  WITH y AS (${YEAR}),
  t AS (
    SELECT t.id, t.mode, t.form, t.sphere, t.department, t.competition_ref, t.amount_granted, t.amount_settled
      FROM tasks t, y WHERE t.municipality_id = y.m AND t.start_date BETWEEN y.y0 AND y.y1 AND t.status <> 'planned'),
  tn AS (SELECT DISTINCT n.ngo_id FROM task_ngos n JOIN t ON t.id = n.task_id, y WHERE n.municipality_id = y.m),
  a AS (SELECT a.id, a.type FROM activities a, y WHERE a.municipality_id = y.m AND a.start_date BETWEEN y.y0 AND y.y1),
  an AS (SELECT DISTINCT x.ngo_id FROM activity_ngos x JOIN a ON a.id = x.activity_id, y WHERE x.municipality_id = y.m),
  c AS (SELECT c.id FROM commissions c, y WHERE c.municipality_id = y.m AND c.term_start <= y.y1 AND c.term_end >= y.y0),
  cm AS (
    SELECT DISTINCT m.ngo_id FROM commission_members m JOIN c ON c.id = m.commission_id, y
     WHERE m.municipality_id = y.m AND m.from_date <= y.y1 AND (m.to_date IS NULL OR m.to_date >= y.y0)),
  grouped AS (
    SELECT 'mode' AS dim, mode AS key, count(*) AS n, sum(amount_granted) AS granted FROM t GROUP BY mode
    UNION ALL SELECT 'form', form, count(*), sum(amount_granted) FROM t GROUP BY form
    UNION ALL SELECT 'sphere', sphere, count(*), sum(amount_granted) FROM t GROUP BY sphere
    UNION ALL SELECT 'department', department, count(*), sum(amount_granted) FROM t GROUP BY department),
  keyed AS (
    SELECT k.dim, k.key, coalesce(g.n, 0) AS n, g.granted
      FROM (SELECT 'mode' AS dim, unnest(ARRAY['open-competition', 'small-grant', 'local-initiative', 'other-act']) AS key
            UNION ALL SELECT 'form', unnest(ARRAY['support', 'entrustment'])
            UNION ALL SELECT dim, key FROM grouped WHERE dim IN ('sphere', 'department')) k
      LEFT JOIN grouped g ON g.dim = k.dim AND g.key = k.key),
  by_dim AS (
    SELECT dim, jsonb_object_agg(key, jsonb_build_object('count', n, 'granted', ${MONEY('granted')})) AS obj FROM keyed GROUP BY dim),
  cl AS (${YEAR_CALLS}),
  co AS (
    SELECT o.status, o.award FROM offers o JOIN cl ON cl.id = o.call_id, y
     WHERE o.municipality_id = y.m AND o.status NOT IN ('draft', 'withdrawn'))
  SELECT jsonb_build_object(
    'programmes', (
      SELECT coalesce(jsonb_agg(jsonb_build_object('id', p.id, 'title', p.title, 'kind', p.kind, 'startYear', p.start_year, 'endYear', p.end_year)
                                ORDER BY p.kind DESC, p.start_year, p.title, p.id), '[]')
        FROM programs p WHERE p.municipality_id = $1 AND p.start_year <= $2::int AND p.end_year >= $2::int AND p.archived_at IS NULL),
    'tasks', jsonb_build_object(
      'count', (SELECT count(*) FROM t),
      'ngosFunded', (SELECT count(*) FROM tn),
      'granted', (SELECT ${MONEY('sum(amount_granted)')} FROM t),
      'settled', (SELECT ${MONEY('sum(amount_settled)')} FROM t),
      'competitions', (SELECT count(DISTINCT competition_ref) FROM t WHERE mode = 'open-competition'),
      'byMode', (SELECT obj FROM by_dim WHERE dim = 'mode'),
      'byForm', (SELECT obj FROM by_dim WHERE dim = 'form'),
      'bySphere', coalesce((SELECT obj FROM by_dim WHERE dim = 'sphere'), '{}'),
      'byDepartment', coalesce((SELECT obj FROM by_dim WHERE dim = 'department'), '{}')),
    'activities', jsonb_build_object(
      'count', (SELECT count(*) FROM a),
      'byType', (SELECT jsonb_object_agg(k.type, (SELECT count(*) FROM a WHERE a.type = k.type))
                   FROM unnest(ARRAY['consultation', 'information', 'joint-team', 'event', 'training', 'premises', 'promotion', 'other']) AS k (type)),
      'ngos', (SELECT count(*) FROM an)),
    'commissions', jsonb_build_object(
      'count', (SELECT count(*) FROM c),
      'memberNgos', (SELECT count(*) FROM cm),
      'meetings', (SELECT count(*) FROM commission_meetings mt, y WHERE mt.municipality_id = y.m AND mt.date BETWEEN y.y0 AND y.y1)),
    'ngos', jsonb_build_object(
      'registered', (SELECT count(*) FROM ngos n, y WHERE n.municipality_id = y.m AND (n.registered_on IS NULL OR n.registered_on <= y.y1)
                       AND (n.archived_at IS NULL OR n.archived_at >= (y.y1 + 1)::timestamp AT TIME ZONE 'Europe/Warsaw')),
      'cooperating', (SELECT count(*) FROM (SELECT ngo_id FROM tn UNION SELECT ngo_id FROM an UNION SELECT ngo_id FROM cm) u))
  ) || CASE WHEN EXISTS (SELECT 1 FROM cl) THEN jsonb_build_object(
    -- only for a year whose competitions ran here: a year before the system's time had its calls
    -- elsewhere, and "0 calls" would misstate it (its tasks' modes still count the competitions)
    'calls', jsonb_build_object(
      'count', (SELECT count(*) FROM cl),
      'offers', (SELECT count(*) FROM co),
      'awarded', (SELECT count(*) FROM co WHERE status = 'awarded'),
      'cancelled', (SELECT count(*) FROM cl WHERE status = 'cancelled'),
      'granted', (SELECT ${MONEY('sum(award)')} FROM co WHERE status = 'awarded'))) ELSE '{}'::jsonb END AS summary`;

/** The commissions and the non-financial cooperation of the year, as a published revision shows them. */
export const DETAILS_SQL = `
  WITH y AS (${YEAR})
  SELECT jsonb_build_object(
    'commissions', (
      SELECT coalesce(jsonb_agg(jsonb_build_object(
               'id', c.id, 'name', c.name, 'sphere', c.sphere, 'department', c.department, 'termStart', c.term_start, 'termEnd', c.term_end,
               'memberNgos', (SELECT count(DISTINCT m.ngo_id) FROM commission_members m
                               WHERE m.municipality_id = c.municipality_id AND m.commission_id = c.id AND m.from_date <= y.y1 AND (m.to_date IS NULL OR m.to_date >= y.y0)),
               'meetings', (SELECT count(*) FROM commission_meetings mt WHERE mt.municipality_id = c.municipality_id AND mt.commission_id = c.id AND mt.date BETWEEN y.y0 AND y.y1))
             ORDER BY c.name, c.id), '[]')
        FROM commissions c, y WHERE c.municipality_id = y.m AND c.term_start <= y.y1 AND c.term_end >= y.y0),
    'activities', (
      SELECT coalesce(jsonb_agg(jsonb_build_object(
               'id', a.id, 'type', a.type, 'title', a.title, 'startDate', a.start_date, 'endDate', a.end_date, 'department', a.department,
               'ngos', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', n.id, 'name', n.name) ORDER BY x.position), '[]')
                          FROM activity_ngos x JOIN ngos n ON n.municipality_id = x.municipality_id AND n.id = x.ngo_id
                         WHERE x.municipality_id = a.municipality_id AND x.activity_id = a.id))
             ORDER BY a.start_date, a.title, a.id), '[]')
        FROM activities a, y WHERE a.municipality_id = y.m AND a.start_date BETWEEN y.y0 AND y.y1)
  ) AS details`;

/**
 * The transparency table of the year's counted tasks, in the order a reader scans it (department,
 * then title): the select list of report_revision_tasks minus its key. ($1 municipality, $2 year)
 */
export const TASK_LIST_SQL = `
  SELECT row_number() OVER (ORDER BY t.department, t.title, t.start_date, t.id)::int AS position,
         t.id AS task_id, t.title, t.sphere, t.mode, t.form, t.department, t.competition_ref,
         t.amount_requested, t.amount_granted, t.amount_settled, t.start_date, t.end_date, t.status, t.beneficiaries,
         (SELECT jsonb_agg(jsonb_build_object('id', n.id, 'name', n.name, 'krs', n.krs, 'nip', n.nip, 'regon', n.regon) ORDER BY tn.position)
            FROM task_ngos tn JOIN ngos n ON n.municipality_id = tn.municipality_id AND n.id = tn.ngo_id
           WHERE tn.municipality_id = t.municipality_id AND tn.task_id = t.id) AS ngos,
         p.id AS program_id, p.title AS program_title
    FROM tasks t
    JOIN programs p ON p.municipality_id = t.municipality_id AND p.id = t.program_id
   WHERE t.municipality_id = $1 AND t.start_date BETWEEN make_date($2::int, 1, 1) AND make_date($2::int, 12, 31) AND t.status <> 'planned'`;
