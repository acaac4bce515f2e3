import { audit } from '@app/audit';
import { Conflict, definedOnly, PG, Forbidden, inTransaction, NotFound, pageWindow, pgError, RuleViolation, StaleVersion, updateIfVersion, type Actor, type FieldError, type Page, type PageQuery } from '@app/core';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { endErrors, membershipErrors, TODAY_SQL } from './commission.rules';
import { CommissionsService } from './commissions.service';
import type { AddMemberDto, MemberQuery, MembershipView, MemberView, UpdateMemberDto } from './dto/member.dto';
import { CommissionMemberEntity, type MemberRole } from './member.entity';

/** The database refuses overlapping memberships (commission_members_no_overlap), under concurrency too. */
function overlap(error: unknown): Conflict | null {
  const info = pgError(error);
  if (info?.code !== PG.exclusionViolation || info.constraint !== 'commission_members_no_overlap') return null;
  return new Conflict('The NGO already holds a membership of this commission on some of these days', [
    { field: 'from', message: 'overlaps another membership of this NGO in this commission' },
  ]);
}

/** A member on `day`: from its first day to its last, `to`, or, while open-ended, to the end of the commission's term. */
const ACTIVE_SQL = (day: string) => `(m.from_date <= ${day} AND coalesce(m.to_date, c.term_end) >= ${day})`;
const WITH_COMMISSION = 'JOIN commissions c ON c.municipality_id = m.municipality_id AND c.id = m.commission_id';

interface MemberRow {
  id: string;
  commission_id: string;
  ngo_id: string;
  ngo_name: string;
  ngo_krs: string | null;
  representative: string;
  role: MemberRole;
  from_date: string;
  to_date: string | null;
  active: boolean;
  version: number;
  created_at: Date;
  updated_at: Date;
}

const MEMBER_SELECT = `
  SELECT m.id, m.commission_id, m.ngo_id, n.name AS ngo_name, n.krs AS ngo_krs, m.representative, m.role, m.from_date, m.to_date,
         ${ACTIVE_SQL(TODAY_SQL)} AS active, m.version, m.created_at, m.updated_at
    FROM commission_members m JOIN ngos n ON n.municipality_id = m.municipality_id AND n.id = m.ngo_id ${WITH_COMMISSION}`;

function memberView(r: MemberRow): MemberView {
  return {
    id: r.id,
    commissionId: r.commission_id,
    ngoId: r.ngo_id,
    ngo: { id: r.ngo_id, name: r.ngo_name, krs: r.ngo_krs },
    representative: r.representative,
    role: r.role,
    from: r.from_date,
    to: r.to_date,
    active: r.active,
    version: r.version,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

interface MembershipRow {
  id: string;
  commission_id: string;
  commission_name: string;
  representative: string;
  role: MemberRole;
  from_date: string;
  to_date: string | null;
  active: boolean;
}

@Injectable()
export class MembersService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly commissions: CommissionsService,
  ) {}

  private async view(em: EntityManager, actor: Actor, commissionId: string, memberId: string): Promise<MemberView> {
    const rows: MemberRow[] = await em.query(`${MEMBER_SELECT} WHERE m.municipality_id = $1 AND m.commission_id = $2 AND m.id = $3`, [actor.municipalityId, commissionId, memberId]);
    if (!rows.length) throw new NotFound('member', memberId);
    return memberView(rows[0]);
  }

  /** The membership, locked against concurrent changes until the transaction ends. */
  private async lockMember(em: EntityManager, actor: Actor, commissionId: string, memberId: string): Promise<CommissionMemberEntity> {
    const member = await em
      .getRepository(CommissionMemberEntity)
      .createQueryBuilder('m')
      .setLock('pessimistic_write')
      .where('m.id = :id AND m.municipality_id = :m AND m.commission_id = :c', { id: memberId, m: actor.municipalityId, c: commissionId })
      .getOne();
    if (!member) throw new NotFound('member', memberId);
    return member;
  }

  /**
   * Serialises the writes of one NGO's memberships. The exclusion constraint alone stays correct,
   * but two overlapping inserts in flight at once can each wait for the other in its check (a
   * deadlock, 40P01) where one should simply get the overlap (23P01). FOR NO KEY UPDATE leaves
   * foreign-key checks of other tables (FOR KEY SHARE) unblocked.
   */
  private async lockNgo(em: EntityManager, actor: Actor, ngoId: string): Promise<Array<{ archived: boolean }>> {
    return em.query(`SELECT archived_at IS NOT NULL AS archived FROM ngos WHERE municipality_id = $1 AND id = $2 FOR NO KEY UPDATE`, [actor.municipalityId, ngoId]);
  }

  async list(actor: Actor, commissionId: string, query: MemberQuery): Promise<Page<MemberView>> {
    const { page, limit, offset } = pageWindow(query);
    await this.commissions.readable(this.ds.manager, actor, commissionId);
    const params: unknown[] = [actor.municipalityId, commissionId];
    let where = 'm.municipality_id = $1 AND m.commission_id = $2';
    if (query.on) {
      params.push(query.on);
      where += ` AND ${ACTIVE_SQL('$3::date')}`;
    }
    const [{ total }]: Array<{ total: number }> = await this.ds.query(`SELECT count(*)::int AS total FROM commission_members m ${WITH_COMMISSION} WHERE ${where}`, params);
    const rows: MemberRow[] = await this.ds.query(
      `${MEMBER_SELECT} WHERE ${where}
        ORDER BY array_position(ARRAY['chair', 'vice-chair', 'secretary', 'member'], m.role), lower(n.name), m.from_date DESC, m.id
        LIMIT ${limit} OFFSET ${offset}`,
      params,
    );
    return { items: rows.map(memberView), total, page, limit };
  }

  async add(actor: Actor, commissionId: string, dto: AddMemberDto): Promise<MemberView> {
    return inTransaction(this.ds, async (em) => {
      const commission = await this.commissions.lock(em, actor, commissionId);
      const ngos = await this.lockNgo(em, actor, dto.ngoId);
      const errors: FieldError[] = [];
      if (!ngos.length) errors.push({ rule: 'member.ngo-exists', field: 'ngoId', message: 'No NGO with this id in this municipality' });
      else if (ngos[0].archived) errors.push({ rule: 'member.ngo-archived', field: 'ngoId', message: 'An archived NGO cannot become a member' });
      errors.push(...membershipErrors({ from: dto.from, to: dto.to ?? null }, commission));
      if (errors.length) throw new RuleViolation(errors);
      let id: string;
      try {
        const saved = await em.save(
          em.create(CommissionMemberEntity, {
            municipalityId: actor.municipalityId,
            commissionId,
            ngoId: dto.ngoId,
            representative: dto.representative,
            role: dto.role,
            fromDate: dto.from,
            toDate: dto.to ?? null,
          }),
        );
        id = saved.id;
      } catch (error) {
        // the violation aborted the transaction: nothing more may run in it
        throw overlap(error) ?? error;
      }
      const after = await this.view(em, actor, commissionId, id);
      await audit(em, actor, { action: 'create', entity: 'member', entityId: id, after });
      return after;
    });
  }

  async update(actor: Actor, commissionId: string, memberId: string, dto: UpdateMemberDto): Promise<MemberView> {
    const { version, ...rest } = dto;
    const changes = definedOnly(rest);
    return inTransaction(this.ds, async (em) => {
      const commission = await this.commissions.lock(em, actor, commissionId);
      const before = await this.view(em, actor, commissionId, memberId);
      if (before.version !== version) throw new StaleVersion('member');
      await this.lockNgo(em, actor, before.ngoId);
      const errors = membershipErrors({ from: changes.from ?? before.from, to: changes.to !== undefined ? changes.to : before.to }, commission);
      if (errors.length) throw new RuleViolation(errors);
      const columns = definedOnly({ representative: changes.representative, role: changes.role, fromDate: changes.from, toDate: changes.to });
      try {
        if (!(await updateIfVersion(em, CommissionMemberEntity, { id: memberId, municipalityId: actor.municipalityId, version }, columns))) {
          throw new StaleVersion('member');
        }
      } catch (error) {
        throw overlap(error) ?? error;
      }
      const after = await this.view(em, actor, commissionId, memberId);
      await audit(em, actor, { action: 'update', entity: 'member', entityId: memberId, before, after });
      return after;
    });
  }

  /** DELETE ends the membership: `day` (today by default) becomes its last day; the row stays as history. */
  async end(actor: Actor, commissionId: string, memberId: string, on: string | undefined): Promise<MemberView> {
    return inTransaction(this.ds, async (em) => {
      const commission = await this.commissions.lock(em, actor, commissionId);
      const current = await this.lockMember(em, actor, commissionId, memberId);
      // an open-ended membership of a commission whose term is over ended with the term
      const today = ((await em.query(`SELECT ${TODAY_SQL} AS today`)) as Array<{ today: string }>)[0].today;
      const day = on ?? (today > commission.termEnd ? commission.termEnd : today);
      const { errors, unchanged } = endErrors({ from: current.fromDate, to: current.toDate }, day, commission);
      if (errors.length) throw new RuleViolation(errors);
      const before = await this.view(em, actor, commissionId, memberId);
      if (unchanged) return before;
      await em
        .createQueryBuilder()
        .update(CommissionMemberEntity)
        .set({ toDate: day, version: () => 'version + 1', updatedAt: () => 'now()' })
        .where('id = :id AND municipality_id = :m', { id: memberId, m: actor.municipalityId })
        .execute();
      const after = await this.view(em, actor, commissionId, memberId);
      await audit(em, actor, { action: 'end', entity: 'member', entityId: memberId, before, after });
      return after;
    });
  }

  /** The memberships of an NGO of the caller's municipality (404 otherwise); an `ngo` account reads its own NGO's only. */
  async ofNgo(actor: Actor, ngoId: string, query: PageQuery): Promise<Page<MembershipView>> {
    const ngos: unknown[] = await this.ds.query(`SELECT 1 FROM ngos WHERE municipality_id = $1 AND id = $2`, [actor.municipalityId, ngoId]);
    if (!ngos.length) throw new NotFound('NGO', ngoId);
    if (actor.role === 'ngo' && actor.ngoId !== ngoId) throw new Forbidden("An NGO account may read its own NGO's memberships only");
    return this.memberships(actor, ngoId, query);
  }

  async mine(actor: Actor, query: PageQuery): Promise<Page<MembershipView>> {
    if (actor.role !== 'ngo' || !actor.ngoId) {
      throw new Forbidden('Only an NGO account has memberships of its own; read an NGO\'s memberships at GET /api/v1/ngos/{id}/memberships');
    }
    return this.memberships(actor, actor.ngoId, query);
  }

  private async memberships(actor: Actor, ngoId: string, query: PageQuery): Promise<Page<MembershipView>> {
    const { page, limit, offset } = pageWindow(query);
    const params = [actor.municipalityId, ngoId];
    const [{ total }]: Array<{ total: number }> = await this.ds.query(`SELECT count(*)::int AS total FROM commission_members WHERE municipality_id = $1 AND ngo_id = $2`, params);
    const rows: MembershipRow[] = await this.ds.query(
      `SELECT m.id, c.id AS commission_id, c.name AS commission_name, m.representative, m.role, m.from_date, m.to_date, ${ACTIVE_SQL(TODAY_SQL)} AS active
         FROM commission_members m JOIN commissions c ON c.municipality_id = m.municipality_id AND c.id = m.commission_id
        WHERE m.municipality_id = $1 AND m.ngo_id = $2
        ORDER BY m.from_date DESC, lower(c.name), m.id
        LIMIT ${limit} OFFSET ${offset}`,
      params,
    );
    const items = rows.map((r) => ({
      id: r.id,
      commission: { id: r.commission_id, name: r.commission_name },
      representative: r.representative,
      role: r.role,
      from: r.from_date,
      to: r.to_date,
      active: r.active,
    }));
    return { items, total, page, limit };
  }
}
