import { audit } from '@app/audit';
import { archiveOnce, ReadReplicas, definedOnly, compactId, inTransaction, Conflict, Forbidden, isUniqueViolation, likePattern, NotFound, pageWindow, RuleViolation, StaleVersion, updateIfVersion, type Actor, type Page } from '@app/core';
import { SpheresService } from '@app/spheres';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { CreateNgoDto, NgoQuery, NgoView, UpdateNgoDto } from './dto/ngo.dto';
import { NgoEntity } from './ngo.entity';

export function ngoView(n: NgoEntity): NgoView {
  return {
    id: n.id,
    name: n.name,
    legalForm: n.legalForm,
    krs: n.krs,
    nip: n.nip,
    regon: n.regon,
    email: n.email,
    website: n.website,
    address: n.address,
    spheres: n.spheres,
    publicBenefit: n.publicBenefit,
    registeredOn: n.registeredOn,
    archived: n.archivedAt !== null,
    archivedAt: n.archivedAt?.toISOString() ?? null,
    version: n.version,
    createdAt: n.createdAt.toISOString(),
    updatedAt: n.updatedAt.toISOString(),
  };
}

/** Maps the unique indexes on KRS and NIP to a 409 that names the field. */
function uniqueClash(error: unknown): Conflict | null {
  if (isUniqueViolation(error, 'ngos_krs_key')) return new Conflict('An NGO with this KRS number is registered in this municipality already', [{ field: 'krs', message: 'is already registered' }]);
  if (isUniqueViolation(error, 'ngos_nip_key')) return new Conflict('An NGO with this NIP number is registered in this municipality already', [{ field: 'nip', message: 'is already registered' }]);
  return null;
}

@Injectable()
export class NgosService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly spheres: SpheresService,
    private readonly replicas: ReadReplicas,
  ) {}

  /** An `ngo` user reads its own NGO only; another NGO of the municipality is 403. */
  private assertReadable(actor: Actor, ngoId: string): void {
    if (actor.role === 'ngo' && actor.ngoId !== ngoId) throw new Forbidden('An NGO account may read its own NGO only');
  }

  private async find(em: EntityManager, actor: Actor, id: string): Promise<NgoEntity> {
    const ngo = await em.findOneBy(NgoEntity, { id, municipalityId: actor.municipalityId });
    if (!ngo) throw new NotFound('NGO', id);
    return ngo;
  }

  async list(actor: Actor, query: NgoQuery): Promise<Page<NgoView>> {
    const { page, limit, offset } = pageWindow(query);
    // a list may be a moment old: a read replica when one is fit (the user's own recent write: the primary)
    return this.replicas.read(async (em) => {
    const qb = em.getRepository(NgoEntity).createQueryBuilder('n').where('n.municipality_id = :m', { m: actor.municipalityId });
    if (actor.role === 'ngo') qb.andWhere('n.id = :own', { own: actor.ngoId });
    if (query.search) {
      const digits = compactId(query.search);
      if (/^\d+$/.test(digits)) {
        qb.andWhere('(n.name ILIKE :like OR n.krs LIKE :prefix OR n.nip LIKE :prefix)', { like: likePattern(query.search), prefix: `${digits}%` });
      } else {
        qb.andWhere('n.name ILIKE :like', { like: likePattern(query.search) });
      }
    }
    if (query.sphere) qb.andWhere(':sphere = ANY(n.spheres)', { sphere: query.sphere });
    if (query.archived !== undefined) qb.andWhere(query.archived ? 'n.archived_at IS NOT NULL' : 'n.archived_at IS NULL');
    const [rows, total] = await qb.orderBy('lower(n.name)').addOrderBy('n.id').skip(offset).take(limit).getManyAndCount();
    return { items: rows.map(ngoView), total, page, limit };
    }, { userId: actor.userId });
  }

  /**
   * Names and register numbers of the municipality's NGOs, for any signed-in role: what a joint
   * offer's lead needs to name its partners (an NGO account reads no other NGO's record). The
   * same facts the public KRS register and the published reports show; nothing else of the record.
   */
  async directory(actor: Actor, options: { ids?: readonly string[] } = {}): Promise<Array<{ id: string; name: string; krs: string | null; nip: string | null }>> {
    const rows: Array<{ id: string; name: string; krs: string | null; nip: string | null }> = await this.ds.query(
      `SELECT id::text, name, krs, nip FROM ngos WHERE municipality_id = $1 AND ($2::uuid[] IS NULL AND archived_at IS NULL OR id = ANY($2::uuid[])) ORDER BY lower(name), id`,
      [actor.municipalityId, options.ids ? [...options.ids] : null],
    );
    return rows;
  }

  async get(actor: Actor, id: string): Promise<NgoView> {
    const ngo = await this.find(this.ds.manager, actor, id);
    this.assertReadable(actor, id);
    return ngoView(ngo);
  }

  async create(actor: Actor, dto: CreateNgoDto): Promise<NgoView> {
    await this.spheres.assertKnown(dto.spheres);
    return inTransaction(this.ds, async (em) => {
      try {
        const saved = await em.save(em.create(NgoEntity, { ...dto, spheres: dto.spheres ?? [], publicBenefit: dto.publicBenefit ?? false, municipalityId: actor.municipalityId }));
        const after = ngoView(await this.find(em, actor, saved.id));
        await audit(em, actor, { action: 'create', entity: 'ngo', entityId: saved.id, after });
        return after;
      } catch (error) {
        throw uniqueClash(error) ?? error;
      }
    });
  }

  async update(actor: Actor, id: string, dto: UpdateNgoDto): Promise<NgoView> {
    const { version, ...rest } = dto;
    const changes = definedOnly(rest);
    await this.spheres.assertKnown(changes.spheres);
    return inTransaction(this.ds, async (em) => {
      const current = await this.find(em, actor, id);
      if (current.archivedAt) throw RuleViolation.of('ngo.archived', 'id', 'An archived NGO cannot be changed');
      try {
        if (!(await updateIfVersion(em, NgoEntity, { id, municipalityId: actor.municipalityId, version }, changes))) {
          throw new StaleVersion('NGO');
        }
      } catch (error) {
        throw uniqueClash(error) ?? error;
      }
      const after = ngoView(await this.find(em, actor, id));
      await audit(em, actor, { action: 'update', entity: 'ngo', entityId: id, before: ngoView(current), after });
      return after;
    });
  }

  /** DELETE archives: the record and its history stay; archiving twice changes nothing. */
  async archive(actor: Actor, id: string): Promise<NgoView> {
    return inTransaction(this.ds, async (em) => {
      const current = await this.find(em, actor, id);
      if (current.archivedAt) return ngoView(current);
      await archiveOnce(em, NgoEntity, { id, municipalityId: actor.municipalityId });
      const after = ngoView(await this.find(em, actor, id));
      await audit(em, actor, { action: 'archive', entity: 'ngo', entityId: id, before: ngoView(current), after });
      return after;
    });
  }
}
