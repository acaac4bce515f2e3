import { audit } from '@app/audit';
import { definedOnly, Forbidden, inTransaction, likePattern, NotFound, pageWindow, RuleViolation, StaleVersion, updateIfVersion, type Actor, type Page } from '@app/core';
import { ProgramEntity } from '@app/programs';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { ActivityEntity } from './activity.entity';
import { activityRuleErrors, ngoRuleErrors, type ActivityShape, type NgoState, type ProgramYears } from './activity.rules';
import type { ActivityQuery, ActivityView, CreateActivityDto, UpdateActivityDto } from './dto/activity.dto';

export function activityView(a: ActivityEntity, ngoIds: string[]): ActivityView {
  return {
    id: a.id,
    programId: a.programId,
    type: a.type,
    title: a.title,
    startDate: a.startDate,
    endDate: a.endDate,
    department: a.department,
    ngoIds,
    participants: a.participants,
    version: a.version,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}

@Injectable()
export class ActivitiesService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** An `ngo` user reads only the activities its NGO takes part in; another one of the municipality is 403. */
  private assertReadable(actor: Actor, view: ActivityView): void {
    if (actor.role === 'ngo' && (!actor.ngoId || !view.ngoIds.includes(actor.ngoId))) {
      throw new Forbidden('An NGO account may read the activities of its own NGO only');
    }
  }

  private async find(em: EntityManager, actor: Actor, id: string): Promise<ActivityEntity> {
    const activity = await em.findOneBy(ActivityEntity, { id, municipalityId: actor.municipalityId });
    if (!activity) throw new NotFound('activity', id);
    return activity;
  }

  /** The NGOs of each activity, in their listed order. */
  private async ngoIdsOf(em: EntityManager, actor: Actor, ids: string[]): Promise<Map<string, string[]>> {
    if (!ids.length) return new Map();
    const rows: Array<{ activity_id: string; ngo_ids: string[] }> = await em.query(
      `SELECT activity_id, array_agg(ngo_id::text ORDER BY position) AS ngo_ids
         FROM activity_ngos WHERE municipality_id = $1 AND activity_id = ANY($2::uuid[])
        GROUP BY activity_id`,
      [actor.municipalityId, ids],
    );
    return new Map(rows.map((r) => [r.activity_id, r.ngo_ids]));
  }

  private async view(em: EntityManager, actor: Actor, id: string): Promise<ActivityView> {
    const activity = await this.find(em, actor, id);
    return activityView(activity, (await this.ngoIdsOf(em, actor, [id])).get(id) ?? []);
  }

  /** The programme, share-locked so that its years cannot change until this write commits; null when unknown. */
  private async lockProgram(em: EntityManager, actor: Actor, programId: string): Promise<ProgramYears | null> {
    const program = await em
      .getRepository(ProgramEntity)
      .createQueryBuilder('p')
      .setLock('pessimistic_read')
      .where('p.id = :id AND p.municipality_id = :m', { id: programId, m: actor.municipalityId })
      .getOne();
    return program ? { startYear: program.startYear, endYear: program.endYear, archived: program.archivedAt !== null } : null;
  }

  /** The NGOs named, share-locked so that none is archived before this write commits. */
  private async lockNgos(em: EntityManager, actor: Actor, ids: string[]): Promise<NgoState[]> {
    if (!ids.length) return [];
    return em.query(
      `SELECT id::text AS id, archived_at IS NOT NULL AS archived
         FROM ngos WHERE municipality_id = $1 AND id = ANY($2::uuid[])
        ORDER BY id FOR SHARE`,
      [actor.municipalityId, ids],
    );
  }

  /** Every rule at once, before anything is written: a refused write leaves no trace (and no FK error reaches the client). */
  private async checkRules(
    em: EntityManager,
    actor: Actor,
    next: ActivityShape & { programId: string },
    programIsNew: boolean,
    ngoIds: string[] | undefined,
    alreadyListed: ReadonlySet<string>,
  ): Promise<void> {
    const errors = activityRuleErrors(next, await this.lockProgram(em, actor, next.programId), programIsNew);
    if (ngoIds) {
      const added = ngoIds.filter((id) => !alreadyListed.has(id));
      errors.push(...ngoRuleErrors(ngoIds, await this.lockNgos(em, actor, added), alreadyListed));
    }
    if (errors.length) throw new RuleViolation(errors);
  }

  private async replaceNgos(em: EntityManager, actor: Actor, activityId: string, ngoIds: string[]): Promise<void> {
    await em.query('DELETE FROM activity_ngos WHERE municipality_id = $1 AND activity_id = $2', [actor.municipalityId, activityId]);
    if (!ngoIds.length) return;
    await em.query(
      `INSERT INTO activity_ngos (municipality_id, activity_id, ngo_id, position)
       SELECT $1, $2, n.id, n.ord - 1 FROM unnest($3::uuid[]) WITH ORDINALITY AS n(id, ord)`,
      [actor.municipalityId, activityId, ngoIds],
    );
  }

  async list(actor: Actor, query: ActivityQuery): Promise<Page<ActivityView>> {
    if (actor.role === 'ngo' && query.ngoId && query.ngoId.toLowerCase() !== actor.ngoId) {
      throw new Forbidden('An NGO account may read the activities of its own NGO only');
    }
    const { page, limit, offset } = pageWindow(query);
    const qb = this.ds.getRepository(ActivityEntity).createQueryBuilder('a').where('a.municipality_id = :m', { m: actor.municipalityId });
    const takesPart = (param: string) => `EXISTS (SELECT 1 FROM activity_ngos an WHERE an.municipality_id = a.municipality_id AND an.activity_id = a.id AND an.ngo_id = :${param})`;
    if (actor.role === 'ngo') qb.andWhere(takesPart('own'), { own: actor.ngoId });
    if (query.ngoId) qb.andWhere(takesPart('ngoId'), { ngoId: query.ngoId });
    if (query.year !== undefined) qb.andWhere('a.start_date BETWEEN :first AND :last', { first: `${query.year}-01-01`, last: `${query.year}-12-31` });
    if (query.programId) qb.andWhere('a.program_id = :programId', { programId: query.programId });
    if (query.type) qb.andWhere('a.type = :type', { type: query.type });
    if (query.department) qb.andWhere('a.department = :department', { department: query.department });
    if (query.search) qb.andWhere('a.title ILIKE :like', { like: likePattern(query.search) });
    const [rows, total] = await qb.orderBy('a.start_date', 'DESC').addOrderBy('a.title').addOrderBy('a.id').skip(offset).take(limit).getManyAndCount();
    const ngoIds = await this.ngoIdsOf(this.ds.manager, actor, rows.map((r) => r.id));
    return { items: rows.map((r) => activityView(r, ngoIds.get(r.id) ?? [])), total, page, limit };
  }

  async get(actor: Actor, id: string): Promise<ActivityView> {
    const view = await this.view(this.ds.manager, actor, id);
    this.assertReadable(actor, view);
    return view;
  }

  async create(actor: Actor, dto: CreateActivityDto): Promise<ActivityView> {
    const { ngoIds = [], ...fields } = dto;
    const endDate = dto.endDate ?? null;
    return inTransaction(this.ds, async (em) => {
      await this.checkRules(em, actor, { programId: dto.programId, startDate: dto.startDate, endDate }, true, ngoIds, new Set());
      const saved = await em.save(em.create(ActivityEntity, { ...fields, endDate, participants: dto.participants ?? null, municipalityId: actor.municipalityId }));
      await this.replaceNgos(em, actor, saved.id, ngoIds);
      const after = await this.view(em, actor, saved.id);
      await audit(em, actor, { action: 'create', entity: 'activity', entityId: saved.id, after });
      return after;
    });
  }

  async update(actor: Actor, id: string, dto: UpdateActivityDto): Promise<ActivityView> {
    const { version, ngoIds, ...rest } = dto;
    const changes = definedOnly(rest);
    return inTransaction(this.ds, async (em) => {
      const before = await this.view(em, actor, id);
      if (before.version !== version) throw new StaleVersion('activity');
      const next = { programId: before.programId, startDate: before.startDate, endDate: before.endDate, ...changes };
      await this.checkRules(em, actor, next, next.programId.toLowerCase() !== before.programId, ngoIds, new Set(before.ngoIds));
      if (!(await updateIfVersion(em, ActivityEntity, { id, municipalityId: actor.municipalityId, version }, changes))) {
        throw new StaleVersion('activity');
      }
      if (ngoIds) await this.replaceNgos(em, actor, id, ngoIds);
      const after = await this.view(em, actor, id);
      await audit(em, actor, { action: 'update', entity: 'activity', entityId: id, before, after });
      return after;
    });
  }
}
