import { audit } from '@app/audit';
import { inTransaction, NotFound, pageWindow, PageQuery, pgError, PG, RuleViolation, Unauthenticated, ValidationFailed, type Actor, type Page } from '@app/core';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { CreateUserDto, MeView, UserView } from './dto/user.dto';
import { insertUser } from './municipalities';
import { MunicipalityEntity } from './municipality.entity';
import { PasswordHasher } from './password-hasher';
import { UserEntity } from './user.entity';

export function userView(u: UserEntity): UserView {
  return { id: u.id, email: u.email, role: u.role, ngoId: u.ngoId, platformAdmin: u.platformAdmin, municipalityId: u.municipalityId, createdAt: u.createdAt.toISOString() };
}

@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly hasher: PasswordHasher,
  ) {}

  async me(actor: Actor): Promise<MeView> {
    const user = await this.ds
      .getRepository(UserEntity)
      .createQueryBuilder('u')
      .innerJoinAndMapOne('u.municipality', MunicipalityEntity, 'm', 'm.id = u.municipality_id')
      .where('u.id = :id AND u.municipality_id = :m', { id: actor.userId, m: actor.municipalityId })
      .getOne();
    if (!user) throw new Unauthenticated('The user of this token no longer exists');
    const m = (user as UserEntity & { municipality: MunicipalityEntity }).municipality;
    return { id: user.id, email: user.email, role: user.role, platformAdmin: user.platformAdmin, municipality: { id: m.id, slug: m.slug, name: m.name }, ngoId: user.ngoId };
  }

  async list(actor: Actor, query: PageQuery): Promise<Page<UserView>> {
    const { page, limit, offset } = pageWindow(query);
    const [rows, total] = await this.ds.getRepository(UserEntity).findAndCount({
      where: { municipalityId: actor.municipalityId },
      order: { email: 'ASC' },
      skip: offset,
      take: limit,
    });
    return { items: rows.map(userView), total, page, limit };
  }

  async get(actor: Actor, id: string): Promise<UserView> {
    const user = await this.ds.getRepository(UserEntity).findOneBy({ id, municipalityId: actor.municipalityId });
    if (!user) throw new NotFound('user', id);
    return userView(user);
  }

  async create(actor: Actor, dto: CreateUserDto): Promise<UserView> {
    const ngoId = dto.ngoId ?? null;
    if (dto.role === 'ngo' && !ngoId) throw ValidationFailed.field('ngoId', 'is required for the ngo role');
    if (dto.role !== 'ngo' && ngoId) throw ValidationFailed.field('ngoId', 'is only allowed for the ngo role');
    const passwordHash = await this.hasher.hash(dto.password);
    try {
      return await inTransaction(this.ds, async (em) => {
        const after = userView(await insertUser(em, { municipalityId: actor.municipalityId, email: dto.email, passwordHash, role: dto.role, ngoId, platformAdmin: false }));
        await audit(em, actor, { action: 'create', entity: 'user', entityId: after.id, after });
        return after;
      });
    } catch (error) {
      // the composite key (municipality_id, ngo_id) makes an NGO of another municipality unknown here
      if (pgError(error)?.code === PG.foreignKeyViolation) throw RuleViolation.of('user.ngo-exists', 'ngoId', 'No NGO with this id in this municipality');
      throw error;
    }
  }
}
