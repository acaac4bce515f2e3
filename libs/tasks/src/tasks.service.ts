import { audit, auditMany } from '@app/audit';
import { definedOnly, DomainError, Forbidden, formatGrosze, toGrosze, ReadReplicas, inTransaction, likePattern, moneyFromDb, NotFound, pageWindow, RuleViolation, SqlWhere, StaleVersion, updateIfVersion, ValidationFailed, type Actor, type FieldError, type Page } from '@app/core';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import type { CreateTaskDto, TaskQuery, TaskView, UpdateTaskDto } from './dto/task.dto';
import { TaskEntity, type TaskStatus } from './task.entity';
import { SMALL_GRANT_YEARLY_MAX, taskRuleErrors, yearlyCapExceeded, type TaskShape } from './task.rules';

interface TaskRow {
  id: string;
  program_id: string;
  title: string;
  sphere: string;
  mode: TaskView['mode'];
  form: TaskView['form'];
  competition_ref: string | null;
  department: string;
  amount_requested: string | null;
  amount_granted: string;
  amount_settled: string | null;
  start_date: string;
  end_date: string;
  status: TaskStatus;
  beneficiaries: number | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  ngo_ids: string[];
}

/** A task's columns as TaskRow names them (but ngo_ids), read through `t`. */
const TASK_COLUMNS = `t.id, t.program_id, t.title, t.sphere, t.mode, t.form, t.competition_ref, t.department,
         t.amount_requested::text AS amount_requested, t.amount_granted::text AS amount_granted, t.amount_settled::text AS amount_settled,
         t.start_date, t.end_date, t.status, t.beneficiaries, t.version, t.created_at, t.updated_at`;

const SELECT_TASK = `
  SELECT ${TASK_COLUMNS},
         coalesce((SELECT array_agg(tn.ngo_id::text ORDER BY tn.position) FROM task_ngos tn WHERE tn.municipality_id = t.municipality_id AND tn.task_id = t.id), '{}') AS ngo_ids
    FROM tasks t`;

function taskView(r: TaskRow): TaskView {
  return {
    id: r.id,
    programId: r.program_id,
    title: r.title,
    sphere: r.sphere,
    mode: r.mode,
    form: r.form,
    competitionRef: r.competition_ref,
    department: r.department,
    ngoIds: r.ngo_ids,
    amountRequested: moneyFromDb(r.amount_requested),
    amountGranted: moneyFromDb(r.amount_granted)!,
    amountSettled: moneyFromDb(r.amount_settled),
    startDate: r.start_date,
    endDate: r.end_date,
    status: r.status,
    beneficiaries: r.beneficiaries,
    version: r.version,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

/** What the rules look at: the merged record of a create or an update. */
interface Candidate extends TaskShape {
  programId: string;
  sphere: string;
  ngoIds: string[];
}

@Injectable()
export class TasksService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly replicas: ReadReplicas,
  ) {}

  private async find(em: EntityManager, actor: Actor, id: string): Promise<TaskView> {
    const [row]: TaskRow[] = await em.query(`${SELECT_TASK} WHERE t.id = $1 AND t.municipality_id = $2`, [id, actor.municipalityId]);
    if (!row) throw new NotFound('funded task', id);
    return taskView(row);
  }

  /** An `ngo` user reads the tasks its own NGO carries out (as lead or partner) only. */
  private assertReadable(actor: Actor, task: TaskView): void {
    if (actor.role === 'ngo' && !task.ngoIds.includes(actor.ngoId ?? '')) throw new Forbidden('An NGO account may read its own NGO\'s tasks only');
  }

  async list(actor: Actor, query: TaskQuery): Promise<Page<TaskView>> {
    if (actor.role === 'ngo' && query.ngoId && query.ngoId !== actor.ngoId) throw new Forbidden('An NGO account may read its own NGO\'s tasks only');
    const { page, limit, offset } = pageWindow(query);
    const where = new SqlWhere('t.municipality_id = ?', actor.municipalityId);
    const ngoId = actor.role === 'ngo' ? actor.ngoId : query.ngoId;
    if (ngoId) where.and('EXISTS (SELECT 1 FROM task_ngos f WHERE f.task_id = t.id AND f.municipality_id = t.municipality_id AND f.ngo_id = ?)', ngoId);
    if (query.year !== undefined) where.and('t.start_date >= make_date(?::int, 1, 1) AND t.start_date < make_date(?::int + 1, 1, 1)', query.year);
    if (query.programId) where.and('t.program_id = ?', query.programId);
    if (query.sphere) where.and('t.sphere = ?', query.sphere);
    if (query.mode) where.and('t.mode = ?', query.mode);
    if (query.status) where.and('t.status = ?', query.status);
    if (query.department) where.and('t.department = ?', query.department);
    if (query.search) where.and('(t.title ILIKE ? OR t.competition_ref ILIKE ?)', likePattern(query.search));
    if (query.overdue !== undefined) where.and(`${query.overdue ? '' : 'NOT '}(t.end_date < (now() AT TIME ZONE ?)::date AND t.status NOT IN ('settled', 'terminated'))`, 'Europe/Warsaw');
    // a list may be a moment old: a read replica when one is fit (the user's own recent write: the primary)
    return this.replicas.read(async (em) => {
      const [{ total }]: Array<{ total: number }> = await em.query(`SELECT count(*)::int AS total FROM tasks t WHERE ${where.sql}`, where.params);
      const rows: TaskRow[] = await em.query(`${SELECT_TASK} WHERE ${where.sql} ORDER BY t.start_date DESC, t.title, t.id LIMIT ${limit} OFFSET ${offset}`, where.params);
      return { items: rows.map(taskView), total, page, limit };
    }, { userId: actor.userId });
  }

  async get(actor: Actor, id: string): Promise<TaskView> {
    const task = await this.find(this.ds.manager, actor, id);
    this.assertReadable(actor, task);
    return task;
  }

  async create(actor: Actor, dto: CreateTaskDto): Promise<TaskView> {
    const { ngoIds, ...columns } = dto;
    const candidate = candidateOf(dto);
    return inTransaction(this.ds, async (em) => {
      await this.checkRules(em, actor, candidate, null);
      const saved = await em.save(
        em.create(TaskEntity, { ...columns, competitionRef: dto.competitionRef ?? null, amountRequested: candidate.amountRequested, amountSettled: candidate.amountSettled, beneficiaries: dto.beneficiaries ?? null, municipalityId: actor.municipalityId }),
      );
      await this.writeNgos(em, actor, [{ taskId: saved.id, ngoIds }]);
      const after = await this.find(em, actor, saved.id);
      await audit(em, actor, { action: 'create', entity: 'task', entityId: saved.id, after });
      return after;
    });
  }

  async update(actor: Actor, id: string, dto: UpdateTaskDto): Promise<TaskView> {
    const { version, ngoIds, ...rest } = dto;
    const changes = definedOnly(rest);
    return inTransaction(this.ds, async (em) => {
      const before = await this.find(em, actor, id);
      if (before.version !== version) throw new StaleVersion('funded task');
      const candidate: Candidate = { ...before, ...changes, ngoIds: ngoIds ?? before.ngoIds };
      await this.checkRules(em, actor, candidate, before);
      if (!(await updateIfVersion(em, TaskEntity, { id, municipalityId: actor.municipalityId, version }, changes))) throw new StaleVersion('funded task');
      if (ngoIds && ngoIds.join() !== before.ngoIds.join()) {
        await em.query('DELETE FROM task_ngos WHERE task_id = $1 AND municipality_id = $2', [id, actor.municipalityId]);
        await this.writeNgos(em, actor, [{ taskId: id, ngoIds }]);
      }
      const after = await this.find(em, actor, id);
      await audit(em, actor, { action: 'update', entity: 'task', entityId: id, before, after });
      return after;
    });
  }

  /** The NGO links of tasks (each's NGOs in their order, the lead first), in one statement. */
  private async writeNgos(em: EntityManager, actor: Actor, tasks: Array<{ taskId: string; ngoIds: string[] }>): Promise<void> {
    const links = tasks.flatMap((t) => t.ngoIds.map((ngoId, position) => ({ taskId: t.taskId, ngoId, position })));
    await em.query(
      `INSERT INTO task_ngos (municipality_id, task_id, ngo_id, position)
       SELECT $1, u.task_id, u.ngo_id, u.position FROM unnest($2::uuid[], $3::uuid[], $4::int[]) AS u (task_id, ngo_id, position)`,
      [actor.municipalityId, links.map((l) => l.taskId), links.map((l) => l.ngoId), links.map((l) => l.position)],
    );
  }

  /**
   * Every rule of a funded task, against the merged record. Locks what the rules read so that no
   * concurrent write can invalidate them before this one commits: the programme (its years) is
   * share-locked, and for a small grant its NGOs are locked, which puts concurrent small grants to
   * one NGO in a queue, so the yearly cap counts each of them.
   */
  private async checkRules(em: EntityManager, actor: Actor, task: Candidate, before: TaskView | null): Promise<void> {
    const data = new RuleData(actor.municipalityId, before?.id ?? null);
    await data.read(em, [task], { spheres: !before || task.sphere !== before.sphere || task.startDate !== before.startDate });
    const errors = candidateErrors(task, before, data);
    if (errors.length) throw new RuleViolation(errors);
    const capped = capErrors(task, data);
    if (capped.length) throw new RuleViolation(capped);
  }

  /**
   * The imports' create (libs/imports): many tasks in the caller's transaction, each checked by
   * the rules of create() as if created one after the other (a small grant's yearly cap counts
   * the earlier accepted tasks of the batch), with the same locks. Per chunk of rows: `read` what
   * the rules of the chunk need (locking it, as create() does), `check` each task (the error
   * create() would throw, or null), `accept` each good one (the cap then counts it), and `insert`
   * them, with their NGO links and audit entries (the same `after` as create()'s), in statements
   * of many rows.
   */
  batch(em: EntityManager, actor: Actor): TaskBatch {
    const data = new RuleData(actor.municipalityId, null);
    return {
      read: (dtos) => data.read(em, dtos.map(candidateOf), { spheres: true }),
      check: (dto) => {
        const task = candidateOf(dto);
        try {
          const errors = candidateErrors(task, null, data);
          if (!errors.length) errors.push(...capErrors(task, data));
          return errors.length ? new RuleViolation(errors) : null;
        } catch (error) {
          if (error instanceof DomainError) return error;
          throw error;
        }
      },
      accept: (dto) => {
        if (dto.mode === 'small-grant') for (const ngoId of dto.ngoIds) data.addSmallGrant(ngoId, dto.startDate, dto.amountGranted);
      },
      insert: (dtos) => this.insertMany(em, actor, dtos),
    };
  }

  private async insertMany(em: EntityManager, actor: Actor, dtos: CreateTaskDto[]): Promise<void> {
    if (!dtos.length) return;
    const ids: string[] = dtos.map(() => randomUUID());
    const column = <T>(pick: (d: CreateTaskDto) => T) => dtos.map(pick);
    const rows: Array<Omit<TaskRow, 'ngo_ids'>> = await em.query(
      `INSERT INTO tasks AS t (id, municipality_id, program_id, title, sphere, mode, form, competition_ref, department,
                               amount_requested, amount_granted, amount_settled, start_date, end_date, status, beneficiaries)
       SELECT u.id, $1, u.program_id, u.title, u.sphere, u.mode, u.form, u.competition_ref, u.department,
              u.amount_requested, u.amount_granted, u.amount_settled, u.start_date, u.end_date, u.status, u.beneficiaries
         FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                     $10::numeric[], $11::numeric[], $12::numeric[], $13::date[], $14::date[], $15::text[], $16::int[])
              AS u (id, program_id, title, sphere, mode, form, competition_ref, department,
                    amount_requested, amount_granted, amount_settled, start_date, end_date, status, beneficiaries)
       RETURNING ${TASK_COLUMNS}`,
      [
        actor.municipalityId,
        ids,
        column((d) => d.programId),
        column((d) => d.title),
        column((d) => d.sphere),
        column((d) => d.mode),
        column((d) => d.form),
        column((d) => d.competitionRef ?? null),
        column((d) => d.department),
        column((d) => d.amountRequested ?? null),
        column((d) => d.amountGranted),
        column((d) => d.amountSettled ?? null),
        column((d) => d.startDate),
        column((d) => d.endDate),
        column((d) => d.status),
        column((d) => d.beneficiaries ?? null),
      ],
    );
    await this.writeNgos(em, actor, dtos.map((d, i) => ({ taskId: ids[i], ngoIds: d.ngoIds })));
    // in the order of the file, as create() one after the other would have written them
    const byId = new Map(rows.map((row) => [row.id, row]));
    await auditMany(
      em,
      actor,
      dtos.map((d, i) => ({ action: 'create' as const, entity: 'task' as const, entityId: ids[i], after: taskView({ ...byId.get(ids[i])!, ngo_ids: d.ngoIds }) })),
    );
  }
}

/** A batch of the imports (TasksService.batch), used chunk by chunk. */
export interface TaskBatch {
  read(dtos: CreateTaskDto[]): Promise<void>;
  check(dto: CreateTaskDto): DomainError | null;
  accept(dto: CreateTaskDto): void;
  insert(dtos: CreateTaskDto[]): Promise<void>;
}

function candidateOf(dto: CreateTaskDto): Candidate {
  const { ngoIds, ...columns } = dto;
  return { ...columns, ngoIds, amountRequested: dto.amountRequested ?? null, amountSettled: dto.amountSettled ?? null };
}

const distinct = (values: string[]) => [...new Set(values)];
const yearOf = (day: string) => Number(day.slice(0, 4));
const totalKey = (ngoId: string, year: number) => `${ngoId}:${year}`;

/**
 * What the rules read from the database, for one task or a batch of them, each thing read (and
 * locked) once: the programmes the tasks name (share-locked: their years must not move under the
 * tasks), the spheres' validity, the tasks' NGOs (share-locked, or locked for update when a task
 * is a small grant: concurrent small grants to one NGO then queue, so that the yearly cap counts
 * each), and for small grants the NGOs' small grants of the year (art. 19a ust. 4: every small
 * grant of the year counts, whatever its status; but `exceptTaskId`'s, the task being updated).
 */
class RuleData {
  /** null: no such programme in the municipality */
  readonly programs = new Map<string, { startYear: number; endYear: number; archived: boolean } | null>();
  /** a sphere code → its rows' validity (a code may have had several; none: no such code); a code absent was not read (an update keeping it) */
  readonly spheres = new Map<string, Array<{ from: string | null; to: string | null }>>();
  /** an NGO's id → archived, null: no such NGO in the municipality */
  readonly ngos = new Map<string, boolean | null>();
  private readonly lockedForUpdate = new Set<string>();
  /** "ngoId:year" → grosze of small grants, for the keys read */
  private readonly smallGrants = new Map<string, bigint>();

  constructor(
    private readonly m: string,
    private readonly exceptTaskId: string | null,
  ) {}

  async read(em: EntityManager, tasks: Candidate[], o: { spheres: boolean }): Promise<void> {
    const programIds = distinct(tasks.map((t) => t.programId)).filter((id) => !this.programs.has(id));
    if (programIds.length) {
      const rows: Array<{ id: string; start_year: number; end_year: number; archived: boolean }> = await em.query(
        `SELECT id::text, start_year, end_year, archived_at IS NOT NULL AS archived FROM programs WHERE municipality_id = $1 AND id = ANY($2::uuid[]) ORDER BY id FOR SHARE`,
        [this.m, programIds],
      );
      for (const id of programIds) this.programs.set(id, null);
      for (const p of rows) this.programs.set(p.id, { startYear: p.start_year, endYear: p.end_year, archived: p.archived });
    }
    const codes = o.spheres ? distinct(tasks.map((t) => t.sphere)).filter((code) => !this.spheres.has(code)) : [];
    if (codes.length) {
      const rows: Array<{ code: string; valid_from: string | null; valid_to: string | null }> = await em.query(
        `SELECT code, valid_from::text, valid_to::text FROM spheres WHERE code = ANY($1::text[])`,
        [codes],
      );
      for (const code of codes) this.spheres.set(code, []);
      for (const r of rows) this.spheres.get(r.code)!.push({ from: r.valid_from, to: r.valid_to });
    }
    const small = tasks.filter((t) => t.mode === 'small-grant');
    const forUpdate = distinct(small.flatMap((t) => t.ngoIds)).filter((id) => !this.lockedForUpdate.has(id));
    const updating = new Set(forUpdate);
    const forShare = distinct(tasks.flatMap((t) => t.ngoIds)).filter((id) => !this.ngos.has(id) && !updating.has(id));
    for (const [ids, lock] of [[forUpdate, 'FOR NO KEY UPDATE'], [forShare, 'FOR SHARE']] as const) {
      if (!ids.length) continue;
      const rows: Array<{ id: string; archived: boolean }> = await em.query(
        `SELECT id::text, archived_at IS NOT NULL AS archived FROM ngos WHERE municipality_id = $1 AND id = ANY($2::uuid[]) ORDER BY id ${lock}`,
        [this.m, ids],
      );
      for (const id of ids) this.ngos.set(id, null);
      for (const n of rows) this.ngos.set(n.id, n.archived);
    }
    for (const id of forUpdate) this.lockedForUpdate.add(id);

    const unread = small.flatMap((t) => t.ngoIds.map((ngoId) => ({ ngoId, year: yearOf(t.startDate) }))).filter((k) => !this.smallGrants.has(totalKey(k.ngoId, k.year)));
    if (unread.length) {
      const rows: Array<{ ngo_id: string; year: number; total: string }> = await em.query(
        `SELECT tn.ngo_id::text, extract(year FROM t.start_date)::int AS year, sum(t.amount_granted)::text AS total
           FROM task_ngos tn JOIN tasks t ON t.municipality_id = tn.municipality_id AND t.id = tn.task_id
          WHERE tn.municipality_id = $1 AND tn.ngo_id = ANY($2::uuid[]) AND t.mode = 'small-grant'
            AND t.start_date >= make_date($3::int, 1, 1) AND t.start_date < make_date($4::int + 1, 1, 1)
            AND ($5::uuid IS NULL OR t.id <> $5::uuid)
          GROUP BY 1, 2`,
        [this.m, distinct(unread.map((k) => k.ngoId)), Math.min(...unread.map((k) => k.year)), Math.max(...unread.map((k) => k.year)), this.exceptTaskId],
      );
      for (const k of unread) this.smallGrants.set(totalKey(k.ngoId, k.year), 0n);
      // rows of keys read before (another year of an NGO of this chunk) are already counted, with the batch's own since
      const fresh = new Set(unread.map((k) => totalKey(k.ngoId, k.year)));
      for (const r of rows) if (fresh.has(totalKey(r.ngo_id, r.year))) this.smallGrants.set(totalKey(r.ngo_id, r.year), toGrosze(r.total));
    }
  }

  /** The small grants of the NGO in the year (read first), in grosze. */
  smallGrantsOf(ngoId: string, day: string): bigint {
    const total = this.smallGrants.get(totalKey(ngoId, yearOf(day)));
    if (total === undefined) throw new Error(`the small grants of ${ngoId} in ${yearOf(day)} were not read`);
    return total;
  }

  addSmallGrant(ngoId: string, day: string, amount: string): void {
    this.smallGrants.set(totalKey(ngoId, yearOf(day)), this.smallGrantsOf(ngoId, day) + toGrosze(amount));
  }
}

/** The rules of one task against what RuleData read; throws what makes the others moot (no such programme, no such sphere). */
function candidateErrors(task: Candidate, before: TaskView | null, data: RuleData): FieldError[] {
  const program = data.programs.get(task.programId);
  if (!program) throw RuleViolation.of('task.program-exists', 'programId', 'No programme with this id in this municipality');
  const errors: FieldError[] = [];
  if (program.archived && task.programId !== before?.programId) {
    errors.push({ rule: 'task.program-archived', field: 'programId', message: 'The programme is archived' });
  }
  const validity = data.spheres.get(task.sphere);
  if (validity) {
    if (!validity.length) throw ValidationFailed.field('sphere', `"${task.sphere}" is not a public-benefit sphere code`);
    // a task keeps the sphere it was given; a new or changed one must be in force when the task starts
    const inForce = validity.some((v) => (v.from === null || v.from <= task.startDate) && (v.to === null || v.to >= task.startDate));
    if (!inForce) errors.push({ rule: 'task.sphere-in-force', field: 'sphere', message: `The sphere "${task.sphere}" is not in force on ${task.startDate}` });
  }
  task.ngoIds.forEach((ngoId, i) => {
    const archived = data.ngos.get(ngoId);
    if (archived === null || archived === undefined) errors.push({ rule: 'task.ngo-exists', field: `ngoIds.${i}`, message: 'No NGO with this id in this municipality' });
    else if (archived && !before?.ngoIds.includes(ngoId)) errors.push({ rule: 'task.ngo-archived', field: `ngoIds.${i}`, message: 'The NGO is archived' });
  });
  errors.push(...taskRuleErrors(task, { startYear: program.startYear, endYear: program.endYear }, before?.status));
  return errors;
}

/** art. 19a ust. 4: small grants to one NGO in one calendar year total at most 20 000.00 PLN. */
function capErrors(task: Candidate, data: RuleData): FieldError[] {
  if (task.mode !== 'small-grant') return [];
  return task.ngoIds.flatMap((ngoId, i) => {
    const other = formatGrosze(data.smallGrantsOf(ngoId, task.startDate));
    return yearlyCapExceeded(other, task.amountGranted)
      ? [{ rule: 'task.small-grant-yearly-cap', field: 'amountGranted', message: `ngoIds.${i} has ${other} PLN of small grants in ${yearOf(task.startDate)} already; with this one it would exceed ${SMALL_GRANT_YEARLY_MAX} PLN` }]
      : [];
  });
}
