import { audit } from '@app/audit';
import { definedOnly, Forbidden, inTransaction, likePattern, NotFound, pageWindow, RuleViolation, StaleVersion, updateIfVersion, ValidationFailed, type Actor, type FieldError, type Page } from '@app/core';
import { SpheresService } from '@app/spheres';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { CommissionEntity } from './commission.entity';
import { termErrors, type Term } from './commission.rules';
import type { CommissionQuery, CommissionView, CreateCommissionDto, UpdateCommissionDto } from './dto/commission.dto';

export function commissionView(c: CommissionEntity): CommissionView {
  return {
    id: c.id,
    name: c.name,
    sphere: c.sphere,
    department: c.department,
    termStart: c.termStart,
    termEnd: c.termEnd,
    version: c.version,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

/** Whether the NGO holds or held a membership of the commission: what an `ngo` account may read. */
const IS_MEMBER_SQL = `EXISTS (SELECT 1 FROM commission_members cm WHERE cm.municipality_id = c.municipality_id AND cm.commission_id = c.id AND cm.ngo_id = :own)`;

@Injectable()
export class CommissionsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly spheres: SpheresService,
  ) {}

  async find(em: EntityManager, actor: Actor, id: string): Promise<CommissionEntity> {
    const commission = await em.findOneBy(CommissionEntity, { id, municipalityId: actor.municipalityId });
    if (!commission) throw new NotFound('commission', id);
    return commission;
  }

  /**
   * The commission, share-locked until the caller's transaction ends, so that its term cannot
   * change underneath a member or meeting being written (a term update waits, then re-checks).
   */
  async lock(em: EntityManager, actor: Actor, id: string): Promise<CommissionEntity> {
    const commission = await em
      .getRepository(CommissionEntity)
      .createQueryBuilder('c')
      .setLock('pessimistic_read')
      .where('c.id = :id AND c.municipality_id = :m', { id, m: actor.municipalityId })
      .getOne();
    if (!commission) throw new NotFound('commission', id);
    return commission;
  }

  /** 404 when the commission is not of the caller's municipality; for an `ngo` account, 403 unless its NGO is or was a member. */
  async readable(em: EntityManager, actor: Actor, id: string): Promise<CommissionEntity> {
    const commission = await this.find(em, actor, id);
    if (actor.role === 'ngo') {
      const rows: unknown[] = await em.query(
        `SELECT 1 FROM commission_members WHERE municipality_id = $1 AND commission_id = $2 AND ngo_id = $3 LIMIT 1`,
        [actor.municipalityId, id, actor.ngoId],
      );
      if (!rows.length) throw new Forbidden('An NGO account may read only the commissions its NGO is or was a member of');
    }
    return commission;
  }


  /** Rules that depend on what hangs below the commission: its memberships and meetings stay inside the term. */
  private async dependentErrors(em: EntityManager, actor: Actor, id: string, term: Term): Promise<FieldError[]> {
    const [members]: Array<{ early: number; late: number }> = await em.query(
      `SELECT count(*) FILTER (WHERE from_date < $3)::int AS early,
              count(*) FILTER (WHERE from_date > $4 OR to_date > $4)::int AS late
         FROM commission_members WHERE municipality_id = $1 AND commission_id = $2`,
      [actor.municipalityId, id, term.termStart, term.termEnd],
    );
    const [meetings]: Array<{ early: number; late: number }> = await em.query(
      `SELECT count(*) FILTER (WHERE date < $3)::int AS early, count(*) FILTER (WHERE date > $4)::int AS late
         FROM commission_meetings WHERE municipality_id = $1 AND commission_id = $2`,
      [actor.municipalityId, id, term.termStart, term.termEnd],
    );
    const errors: FieldError[] = [];
    const outside = (n: number, what: string) => `${n} ${what} would fall outside the term ${term.termStart} to ${term.termEnd}`;
    if (members.early) errors.push({ rule: 'commission.members-inside', field: 'termStart', message: outside(members.early, 'membership(s)') });
    if (members.late) errors.push({ rule: 'commission.members-inside', field: 'termEnd', message: outside(members.late, 'membership(s)') });
    if (meetings.early) errors.push({ rule: 'commission.meetings-inside', field: 'termStart', message: outside(meetings.early, 'meeting(s)') });
    if (meetings.late) errors.push({ rule: 'commission.meetings-inside', field: 'termEnd', message: outside(meetings.late, 'meeting(s)') });
    return errors;
  }

  async list(actor: Actor, query: CommissionQuery): Promise<Page<CommissionView>> {
    const { page, limit, offset } = pageWindow(query);
    const qb = this.ds.getRepository(CommissionEntity).createQueryBuilder('c').where('c.municipality_id = :m', { m: actor.municipalityId });
    if (actor.role === 'ngo') {
      if (actor.ngoId) qb.andWhere(IS_MEMBER_SQL, { own: actor.ngoId });
      else qb.andWhere('false');
    }
    if (query.on) qb.andWhere('CAST(:on AS date) BETWEEN c.term_start AND c.term_end', { on: query.on });
    if (query.search) qb.andWhere('c.name ILIKE :like', { like: likePattern(query.search) });
    if (query.sphere) qb.andWhere('c.sphere = :sphere', { sphere: query.sphere });
    if (query.department) qb.andWhere('lower(c.department) = lower(:department)', { department: query.department });
    const [rows, total] = await qb.orderBy('c.term_start', 'DESC').addOrderBy('lower(c.name)').addOrderBy('c.id').skip(offset).take(limit).getManyAndCount();
    return { items: rows.map(commissionView), total, page, limit };
  }

  async get(actor: Actor, id: string): Promise<CommissionView> {
    return commissionView(await this.readable(this.ds.manager, actor, id));
  }

  async create(actor: Actor, dto: CreateCommissionDto): Promise<CommissionView> {
    await this.spheres.assertKnownOne(dto.sphere);
    const errors = termErrors(dto);
    if (errors.length) throw new RuleViolation(errors);
    return inTransaction(this.ds, async (em) => {
      const saved = await em.save(em.create(CommissionEntity, { ...dto, sphere: dto.sphere ?? null, municipalityId: actor.municipalityId }));
      const after = commissionView(await this.find(em, actor, saved.id));
      await audit(em, actor, { action: 'create', entity: 'commission', entityId: saved.id, after });
      return after;
    });
  }

  async update(actor: Actor, id: string, dto: UpdateCommissionDto): Promise<CommissionView> {
    const { version, ...rest } = dto;
    const changes = definedOnly(rest);
    await this.spheres.assertKnownOne(changes.sphere);
    return inTransaction(this.ds, async (em) => {
      const current = await this.find(em, actor, id);
      if (current.version !== version) throw new StaleVersion('commission');
      const next = { ...current, ...changes };
      const errors = termErrors(next);
      if (errors.length) throw new RuleViolation(errors);
      if (!(await updateIfVersion(em, CommissionEntity, { id, municipalityId: actor.municipalityId, version }, changes))) {
        throw new StaleVersion('commission');
      }
      // checked after the write, which holds the row lock: members and meetings are written under a share lock on it
      const dependent = await this.dependentErrors(em, actor, id, next);
      if (dependent.length) throw new RuleViolation(dependent);
      const after = commissionView(await this.find(em, actor, id));
      await audit(em, actor, { action: 'update', entity: 'commission', entityId: id, before: commissionView(current), after });
      return after;
    });
  }
}
