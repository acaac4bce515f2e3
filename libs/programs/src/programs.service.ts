import { audit } from '@app/audit';
import { archiveOnce, definedOnly, inTransaction, likePattern, moneyFromDb, NotFound, pageWindow, RuleViolation, StaleVersion, updateIfVersion, type Actor, type FieldError, type Page } from '@app/core';
import { SpheresService } from '@app/spheres';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { CreateProgramDto, ProgramDetailView, ProgramQuery, ProgramTotals, ProgramView, UpdateProgramDto } from './dto/program.dto';
import { ProgramEntity } from './program.entity';
import { adoptedOnTime, programRuleErrors, type ParentShape, type ProgramShape } from './program.rules';

export function programView(p: ProgramEntity): ProgramView {
  return {
    id: p.id,
    title: p.title,
    kind: p.kind,
    startYear: p.startYear,
    endYear: p.endYear,
    parentId: p.parentId,
    resolutionNumber: p.resolutionNumber,
    adoptedOn: p.adoptedOn,
    adoptedOnTime: adoptedOnTime(p.kind, p.startYear, p.adoptedOn),
    spheres: p.spheres,
    plannedBudget: moneyFromDb(p.plannedBudget),
    archived: p.archivedAt !== null,
    archivedAt: p.archivedAt?.toISOString() ?? null,
    version: p.version,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

@Injectable()
export class ProgramsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly spheres: SpheresService,
  ) {}

  private async find(em: EntityManager, actor: Actor, id: string): Promise<ProgramEntity> {
    const program = await em.findOneBy(ProgramEntity, { id, municipalityId: actor.municipalityId });
    if (!program) throw new NotFound('programme', id);
    return program;
  }

  /** The parent, share-locked so that its years cannot change until this write commits; null when unknown. */
  private async lockParent(em: EntityManager, actor: Actor, parentId: string | null): Promise<ParentShape | null | undefined> {
    if (!parentId) return undefined;
    const parent = await em
      .getRepository(ProgramEntity)
      .createQueryBuilder('p')
      .setLock('pessimistic_read')
      .where('p.id = :id AND p.municipality_id = :m', { id: parentId, m: actor.municipalityId })
      .getOne();
    return parent ?? null;
  }

  private async checkRules(em: EntityManager, actor: Actor, shape: ProgramShape): Promise<void> {
    const errors = programRuleErrors(shape, await this.lockParent(em, actor, shape.parentId));
    if (errors.length) throw new RuleViolation(errors);
  }

  /** Rules that depend on what hangs below the programme: its annual programmes and its funded tasks. */
  private async dependentErrors(em: EntityManager, actor: Actor, p: ProgramShape & { id: string }): Promise<FieldError[]> {
    const errors: FieldError[] = [];
    const children: Array<{ n: number; outside: number }> = await em.query(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE start_year < $3 OR end_year > $4)::int AS outside
         FROM programs WHERE municipality_id = $1 AND parent_id = $2`,
      [actor.municipalityId, p.id, p.startYear, p.endYear],
    );
    if (children[0].n > 0 && p.kind !== 'multi-year') {
      errors.push({ rule: 'program.has-children', field: 'kind', message: 'A programme with annual programmes must stay multi-year' });
    } else if (children[0].outside > 0) {
      errors.push({ rule: 'program.children-inside', field: 'startYear', message: `${children[0].outside} annual programme(s) would fall outside ${p.startYear}–${p.endYear}` });
    }
    const tasks: Array<{ outside: number }> = await em.query(
      `SELECT count(*)::int AS outside FROM tasks
        WHERE municipality_id = $1 AND program_id = $2
          AND (extract(year FROM start_date) < $3 OR extract(year FROM end_date) > $4)`,
      [actor.municipalityId, p.id, p.startYear, p.endYear],
    );
    if (tasks[0].outside > 0) {
      errors.push({ rule: 'program.tasks-inside', field: 'startYear', message: `${tasks[0].outside} funded task(s) would fall outside the programme's years` });
    }
    const activities: Array<{ outside: number }> = await em.query(
      `SELECT count(*)::int AS outside FROM activities
        WHERE municipality_id = $1 AND program_id = $2
          AND (extract(year FROM start_date) < $3 OR extract(year FROM coalesce(end_date, start_date)) > $4)`,
      [actor.municipalityId, p.id, p.startYear, p.endYear],
    );
    if (activities[0].outside > 0) {
      errors.push({ rule: 'program.activities-inside', field: 'startYear', message: `${activities[0].outside} activit(y/ies) would fall outside the programme's years` });
    }
    return errors;
  }

  /** Over every task of the programme and its annual ones; an ngo account sees the totals of its own NGO's tasks only. */
  private async totals(em: EntityManager, actor: Actor, id: string): Promise<ProgramTotals> {
    const own = actor.role === 'ngo' ? 'AND EXISTS (SELECT 1 FROM task_ngos tn WHERE tn.municipality_id = t.municipality_id AND tn.task_id = t.id AND tn.ngo_id = $3)' : '';
    // sums in SQL over numeric(14,2), read back as text: exact
    const rows: Array<{ tasks: number; granted: string; settled: string }> = await em.query(
      `SELECT count(t.id)::int AS tasks,
              coalesce(sum(t.amount_granted), 0)::text AS granted,
              coalesce(sum(t.amount_settled), 0)::text AS settled
         FROM tasks t JOIN programs p ON p.municipality_id = t.municipality_id AND p.id = t.program_id
        WHERE t.municipality_id = $1 AND (p.id = $2 OR p.parent_id = $2) ${own}`,
      actor.role === 'ngo' ? [actor.municipalityId, id, actor.ngoId] : [actor.municipalityId, id],
    );
    return { tasks: rows[0].tasks, granted: moneyFromDb(rows[0].granted)!, settled: moneyFromDb(rows[0].settled)! };
  }

  private async detail(em: EntityManager, actor: Actor, id: string): Promise<ProgramDetailView> {
    const program = await this.find(em, actor, id);
    const children = await em.find(ProgramEntity, { where: { municipalityId: actor.municipalityId, parentId: id }, order: { startYear: 'ASC', title: 'ASC' } });
    return { ...programView(program), children: children.map(programView), totals: await this.totals(em, actor, id) };
  }

  async list(actor: Actor, query: ProgramQuery): Promise<Page<ProgramView>> {
    const { page, limit, offset } = pageWindow(query);
    const qb = this.ds.getRepository(ProgramEntity).createQueryBuilder('p').where('p.municipality_id = :m', { m: actor.municipalityId });
    if (query.kind) qb.andWhere('p.kind = :kind', { kind: query.kind });
    if (query.year !== undefined) qb.andWhere(':year BETWEEN p.start_year AND p.end_year', { year: query.year });
    if (query.parentId) qb.andWhere('p.parent_id = :parentId', { parentId: query.parentId });
    if (query.search) qb.andWhere('(p.title ILIKE :like OR p.resolution_number ILIKE :like)', { like: likePattern(query.search) });
    if (query.archived !== undefined) qb.andWhere(query.archived ? 'p.archived_at IS NOT NULL' : 'p.archived_at IS NULL');
    const [rows, total] = await qb.orderBy('p.start_year', 'DESC').addOrderBy('p.kind', 'DESC').addOrderBy('p.title').addOrderBy('p.id').skip(offset).take(limit).getManyAndCount();
    return { items: rows.map(programView), total, page, limit };
  }

  get(actor: Actor, id: string): Promise<ProgramDetailView> {
    return this.detail(this.ds.manager, actor, id);
  }

  async create(actor: Actor, dto: CreateProgramDto): Promise<ProgramDetailView> {
    await this.spheres.assertKnown(dto.spheres);
    return inTransaction(this.ds, async (em) => {
      await this.checkRules(em, actor, { kind: dto.kind, startYear: dto.startYear, endYear: dto.endYear, parentId: dto.parentId ?? null });
      const saved = await em.save(em.create(ProgramEntity, { ...dto, parentId: dto.parentId ?? null, spheres: dto.spheres ?? [], municipalityId: actor.municipalityId }));
      const after = await this.detail(em, actor, saved.id);
      await audit(em, actor, { action: 'create', entity: 'program', entityId: saved.id, after: programView(await this.find(em, actor, saved.id)) });
      return after;
    });
  }

  async update(actor: Actor, id: string, dto: UpdateProgramDto): Promise<ProgramDetailView> {
    const { version, ...rest } = dto;
    const changes = definedOnly(rest);
    await this.spheres.assertKnown(changes.spheres);
    return inTransaction(this.ds, async (em) => {
      const current = await this.find(em, actor, id);
      if (current.archivedAt) throw RuleViolation.of('program.archived', 'id', 'An archived programme cannot be changed');
      const next = { ...current, ...changes };
      if (next.parentId === id) throw RuleViolation.of('program.parent-self', 'parentId', 'A programme cannot be its own parent');
      await this.checkRules(em, actor, next);
      if (!(await updateIfVersion(em, ProgramEntity, { id, municipalityId: actor.municipalityId, version }, changes))) {
        throw new StaleVersion('programme');
      }
      // checked after the write, which holds the row lock, so no child or task slips in meanwhile
      const errors = await this.dependentErrors(em, actor, next);
      if (errors.length) throw new RuleViolation(errors);
      const after = await this.detail(em, actor, id);
      await audit(em, actor, { action: 'update', entity: 'program', entityId: id, before: programView(current), after: programView(await this.find(em, actor, id)) });
      return after;
    });
  }

  async archive(actor: Actor, id: string): Promise<ProgramDetailView> {
    return inTransaction(this.ds, async (em) => {
      const current = await this.find(em, actor, id);
      if (current.archivedAt) return this.detail(em, actor, id);
      await archiveOnce(em, ProgramEntity, { id, municipalityId: actor.municipalityId });
      await audit(em, actor, { action: 'archive', entity: 'program', entityId: id, before: programView(current), after: programView(await this.find(em, actor, id)) });
      return this.detail(em, actor, id);
    });
  }
}
