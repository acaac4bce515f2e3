import { audit } from '@app/audit';
import { definedOnly, Forbidden, ReadReplicas, inTransaction, likePattern, moneyFromDb, NotFound, pageWindow, RuleViolation, SqlWhere, StaleVersion, updateIfVersion, ValidationFailed, type Actor, type FieldError, type Page } from '@app/core';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
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

const SELECT_TASK = `
  SELECT t.id, t.program_id, t.title, t.sphere, t.mode, t.form, t.competition_ref, t.department,
         t.amount_requested::text AS amount_requested, t.amount_granted::text AS amount_granted, t.amount_settled::text AS amount_settled,
         t.start_date, t.end_date, t.status, t.beneficiaries, t.version, t.created_at, t.updated_at,
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
    const candidate: Candidate = {
      ...columns,
      ngoIds,
      amountRequested: dto.amountRequested ?? null,
      amountSettled: dto.amountSettled ?? null,
    };
    return inTransaction(this.ds, async (em) => {
      await this.checkRules(em, actor, candidate, null);
      const saved = await em.save(
        em.create(TaskEntity, { ...columns, competitionRef: dto.competitionRef ?? null, amountRequested: candidate.amountRequested, amountSettled: candidate.amountSettled, beneficiaries: dto.beneficiaries ?? null, municipalityId: actor.municipalityId }),
      );
      await this.writeNgos(em, actor, saved.id, ngoIds);
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
        await this.writeNgos(em, actor, id, ngoIds);
      }
      const after = await this.find(em, actor, id);
      await audit(em, actor, { action: 'update', entity: 'task', entityId: id, before, after });
      return after;
    });
  }

  private async writeNgos(em: EntityManager, actor: Actor, taskId: string, ngoIds: string[]): Promise<void> {
    await em.query(
      `INSERT INTO task_ngos (municipality_id, task_id, ngo_id, position)
       SELECT $1, $2, ngo_id, ord - 1 FROM unnest($3::uuid[]) WITH ORDINALITY AS n (ngo_id, ord)`,
      [actor.municipalityId, taskId, ngoIds],
    );
  }

  /**
   * Every rule of a funded task, against the merged record. Locks what the rules read so that no
   * concurrent write can invalidate them before this one commits: the programme (its years) is
   * share-locked, and for a small grant its NGOs are locked, which puts concurrent small grants to
   * one NGO in a queue, so the yearly cap counts each of them.
   */
  private async checkRules(em: EntityManager, actor: Actor, task: Candidate, before: TaskView | null): Promise<void> {
    const m = actor.municipalityId;
    const [program]: Array<{ start_year: number; end_year: number; archived: boolean }> = await em.query(
      `SELECT start_year, end_year, archived_at IS NOT NULL AS archived FROM programs WHERE id = $1 AND municipality_id = $2 FOR SHARE`,
      [task.programId, m],
    );
    if (!program) throw RuleViolation.of('task.program-exists', 'programId', 'No programme with this id in this municipality');
    const errors: FieldError[] = [];
    if (program.archived && task.programId !== before?.programId) {
      errors.push({ rule: 'task.program-archived', field: 'programId', message: 'The programme is archived' });
    }

    if (!before || task.sphere !== before.sphere || task.startDate !== before.startDate) {
      const spheres: Array<{ in_force: boolean }> = await em.query(
        `SELECT bool_or((valid_from IS NULL OR valid_from <= $2::date) AND (valid_to IS NULL OR valid_to >= $2::date)) AS in_force FROM spheres WHERE code = $1`,
        [task.sphere, task.startDate],
      );
      if (spheres[0].in_force === null) throw ValidationFailed.field('sphere', `"${task.sphere}" is not a public-benefit sphere code`);
      // a task keeps the sphere it was given; a new or changed one must be in force when the task starts
      if (!spheres[0].in_force) errors.push({ rule: 'task.sphere-in-force', field: 'sphere', message: `The sphere "${task.sphere}" is not in force on ${task.startDate}` });
    }

    const smallGrant = task.mode === 'small-grant';
    const ngos: Array<{ id: string; archived: boolean }> = await em.query(
      `SELECT id::text, archived_at IS NOT NULL AS archived FROM ngos WHERE municipality_id = $1 AND id = ANY($2::uuid[]) ORDER BY id ${smallGrant ? 'FOR NO KEY UPDATE' : 'FOR SHARE'}`,
      [m, task.ngoIds],
    );
    const known = new Map(ngos.map((n) => [n.id, n.archived]));
    task.ngoIds.forEach((ngoId, i) => {
      if (!known.has(ngoId)) errors.push({ rule: 'task.ngo-exists', field: `ngoIds.${i}`, message: 'No NGO with this id in this municipality' });
      else if (known.get(ngoId) && !before?.ngoIds.includes(ngoId)) errors.push({ rule: 'task.ngo-archived', field: `ngoIds.${i}`, message: 'The NGO is archived' });
    });

    errors.push(...taskRuleErrors(task, { startYear: program.start_year, endYear: program.end_year }, before?.status));
    if (errors.length) throw new RuleViolation(errors);
    if (smallGrant) await this.checkYearlyCap(em, actor, task, before?.id ?? null);
  }

  /** art. 19a ust. 4: small grants to one NGO in one calendar year total at most 20 000.00 PLN (every small grant of the year counts, whatever its status). */
  private async checkYearlyCap(em: EntityManager, actor: Actor, task: Candidate, taskId: string | null): Promise<void> {
    const year = Number(task.startDate.slice(0, 4));
    const totals: Array<{ ngo_id: string; total: string }> = await em.query(
      `SELECT tn.ngo_id::text, sum(t.amount_granted)::text AS total
         FROM task_ngos tn JOIN tasks t ON t.municipality_id = tn.municipality_id AND t.id = tn.task_id
        WHERE tn.municipality_id = $1 AND tn.ngo_id = ANY($2::uuid[]) AND t.mode = 'small-grant'
          AND t.start_date >= make_date($3::int, 1, 1) AND t.start_date < make_date($3::int + 1, 1, 1)
          AND ($4::uuid IS NULL OR t.id <> $4::uuid)
        GROUP BY tn.ngo_id`,
      [actor.municipalityId, task.ngoIds, year, taskId],
    );
    const others = new Map(totals.map((r) => [r.ngo_id, r.total]));
    const errors = task.ngoIds.flatMap((ngoId, i) => {
      const other = others.get(ngoId) ?? '0.00';
      return yearlyCapExceeded(other, task.amountGranted)
        ? [{ rule: 'task.small-grant-yearly-cap', field: 'amountGranted', message: `ngoIds.${i} has ${moneyFromDb(other)} PLN of small grants in ${year} already; with this one it would exceed ${SMALL_GRANT_YEARLY_MAX} PLN` }]
        : [];
    });
    if (errors.length) throw new RuleViolation(errors);
  }
}
