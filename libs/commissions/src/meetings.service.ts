import { audit } from '@app/audit';
import { inTransaction, pageWindow, RuleViolation, ValidationFailed, type Actor, type FieldError, type Page } from '@app/core';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { meetingDateErrors } from './commission.rules';
import { CommissionsService } from './commissions.service';
import type { CreateMeetingDto, MeetingQuery, MeetingView } from './dto/meeting.dto';
import { CommissionMeetingEntity } from './meeting.entity';

@Injectable()
export class MeetingsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly commissions: CommissionsService,
  ) {}

  private async views(em: EntityManager, actor: Actor, meetings: CommissionMeetingEntity[]): Promise<MeetingView[]> {
    const present = new Map<string, string[]>(meetings.map((m) => [m.id, []]));
    if (meetings.length) {
      const rows: Array<{ meeting_id: string; ngo_id: string }> = await em.query(
        `SELECT mn.meeting_id, mn.ngo_id
           FROM meeting_ngos mn JOIN ngos n ON n.municipality_id = mn.municipality_id AND n.id = mn.ngo_id
          WHERE mn.municipality_id = $1 AND mn.meeting_id = ANY($2::uuid[])
          ORDER BY lower(n.name), n.id`,
        [actor.municipalityId, meetings.map((m) => m.id)],
      );
      for (const r of rows) present.get(r.meeting_id)!.push(r.ngo_id);
    }
    return meetings.map((m) => ({
      id: m.id,
      commissionId: m.commissionId,
      date: m.date,
      title: m.title,
      ngoIdsPresent: present.get(m.id)!,
      version: m.version,
      createdAt: m.createdAt.toISOString(),
      updatedAt: m.updatedAt.toISOString(),
    }));
  }

  async list(actor: Actor, commissionId: string, query: MeetingQuery): Promise<Page<MeetingView>> {
    const { page, limit, offset } = pageWindow(query);
    await this.commissions.readable(this.ds.manager, actor, commissionId);
    const qb = this.ds
      .getRepository(CommissionMeetingEntity)
      .createQueryBuilder('m')
      .where('m.municipality_id = :m AND m.commission_id = :c', { m: actor.municipalityId, c: commissionId });
    if (query.year !== undefined) qb.andWhere('m.date BETWEEN CAST(:first AS date) AND CAST(:last AS date)', { first: `${query.year}-01-01`, last: `${query.year}-12-31` });
    const [rows, total] = await qb.orderBy('m.date', 'DESC').addOrderBy('m.id').skip(offset).take(limit).getManyAndCount();
    return { items: await this.views(this.ds.manager, actor, rows), total, page, limit };
  }

  async create(actor: Actor, commissionId: string, dto: CreateMeetingDto): Promise<MeetingView> {
    const ngoIds = (dto.ngoIdsPresent ?? []).map((id) => id.toLowerCase());
    if (new Set(ngoIds).size !== ngoIds.length) throw ValidationFailed.field('ngoIdsPresent', 'must not repeat an NGO');
    return inTransaction(this.ds, async (em) => {
      const commission = await this.commissions.lock(em, actor, commissionId);
      const errors: FieldError[] = meetingDateErrors(dto.date, commission);
      if (ngoIds.length) {
        const known: Array<{ id: string }> = await em.query(`SELECT id FROM ngos WHERE municipality_id = $1 AND id = ANY($2::uuid[])`, [actor.municipalityId, ngoIds]);
        const ids = new Set(known.map((r) => r.id));
        ngoIds.forEach((id, i) => {
          if (!ids.has(id)) errors.push({ rule: 'meeting.ngo-exists', field: `ngoIdsPresent.${i}`, message: 'No NGO with this id in this municipality' });
        });
      }
      if (errors.length) throw new RuleViolation(errors);
      const saved = await em.save(em.create(CommissionMeetingEntity, { municipalityId: actor.municipalityId, commissionId, date: dto.date, title: dto.title }));
      if (ngoIds.length) {
        await em.query(`INSERT INTO meeting_ngos (municipality_id, meeting_id, ngo_id) SELECT $1, $2, unnest($3::uuid[])`, [actor.municipalityId, saved.id, ngoIds]);
      }
      const meeting = await em.findOneByOrFail(CommissionMeetingEntity, { id: saved.id, municipalityId: actor.municipalityId });
      const [after] = await this.views(em, actor, [meeting]);
      await audit(em, actor, { action: 'create', entity: 'meeting', entityId: saved.id, after });
      return after;
    });
  }
}
