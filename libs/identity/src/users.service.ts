import { audit } from '@app/audit';
import { inTransaction, NotFound, pageWindow, PageQuery, pgError, PG, RuleViolation, StaleVersion, Unauthenticated, ValidationFailed, type Actor, type Page, type Role } from '@app/core';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { ChangePasswordDto, CreateUserDto, MeView, UpdateUserDto, UserView } from './dto/user.dto';
import { LoginBackoff } from './login-backoff';
import { insertUser } from './municipalities';
import { MunicipalityEntity } from './municipality.entity';
import { PasswordHasher } from './password-hasher';
import { UserEntity } from './user.entity';

export function userView(u: UserEntity): UserView {
  return { id: u.id, email: u.email, role: u.role, ngoId: u.ngoId, platformAdmin: u.platformAdmin, active: u.active, municipalityId: u.municipalityId, createdAt: u.createdAt.toISOString(), version: u.version };
}

@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly hasher: PasswordHasher,
  ) {}

  private ngoRules(role: Role, ngoId: string | null): void {
    if (role === 'ngo' && !ngoId) throw ValidationFailed.field('ngoId', 'is required for the ngo role');
    if (role !== 'ngo' && ngoId) throw ValidationFailed.field('ngoId', 'is only allowed for the ngo role');
  }

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
    this.ngoRules(dto.role, ngoId);
    const passwordHash = await this.hasher.hash(dto.password);
    try {
      return await inTransaction(this.ds, async (em) => {
        const created = await insertUser(em, { municipalityId: actor.municipalityId, email: dto.email, passwordHash, role: dto.role, ngoId, platformAdmin: false });
        const after = userView(await em.getRepository(UserEntity).findOneByOrFail({ id: created.id, municipalityId: actor.municipalityId }));
        await audit(em, actor, { action: 'create', entity: 'user', entityId: after.id, after });
        return after;
      });
    } catch (error) {
      // the composite key (municipality_id, ngo_id) makes an NGO of another municipality unknown here
      if (pgError(error)?.code === PG.foreignKeyViolation) throw RuleViolation.of('user.ngo-exists', 'ngoId', 'No NGO with this id in this municipality');
      throw error;
    }
  }

  /**
   * PATCH /users/{id}: role, NGO, active. Any change of them moves the user's token version on,
   * so their earlier tokens are refused from the next request on. An admin cannot demote or
   * deactivate themselves, and the platform admin stays an active admin.
   */
  async update(actor: Actor, id: string, dto: UpdateUserDto): Promise<UserView> {
    try {
      return await inTransaction(this.ds, async (em) => {
        const users = em.getRepository(UserEntity);
        const current = await users.findOne({ where: { id, municipalityId: actor.municipalityId }, lock: { mode: 'pessimistic_write' } });
        if (!current) throw new NotFound('user', id);
        if (current.version !== dto.version) throw new StaleVersion('user', current.version);
        const role = dto.role ?? current.role;
        const ngoId = dto.ngoId !== undefined ? dto.ngoId : role === 'ngo' ? current.ngoId : null;
        const active = dto.active ?? current.active;
        this.ngoRules(role, ngoId);
        if (id === actor.userId && role !== 'admin') throw RuleViolation.of('user.self-demotion', 'role', 'An admin cannot change their own role');
        if (id === actor.userId && !active) throw RuleViolation.of('user.self-deactivation', 'active', 'An admin cannot deactivate themselves');
        if (current.platformAdmin && (role !== 'admin' || !active)) throw RuleViolation.of('user.platform-admin', role !== 'admin' ? 'role' : 'active', 'The platform admin stays an active admin');
        const revokes = role !== current.role || ngoId !== current.ngoId || active !== current.active;
        const result = await em
          .createQueryBuilder()
          .update(UserEntity)
          .set({ role, ngoId, active, version: () => 'version + 1', updatedAt: () => 'now()', ...(revokes ? { tokenVersion: () => 'token_version + 1' } : {}) })
          .where('id = :id AND municipality_id = :m AND version = :version', { id, m: actor.municipalityId, version: dto.version })
          .execute();
        if (result.affected !== 1) throw new StaleVersion('user');
        const after = userView(await users.findOneByOrFail({ id, municipalityId: actor.municipalityId }));
        await audit(em, actor, { action: 'update', entity: 'user', entityId: id, before: userView(current), after });
        return after;
      });
    } catch (error) {
      if (pgError(error)?.code === PG.foreignKeyViolation) throw RuleViolation.of('user.ngo-exists', 'ngoId', 'No NGO with this id in this municipality');
      throw error;
    }
  }

  /**
   * POST /me/password. A wrong current password counts in the sign-in back-off of the account's
   * email, so a stolen token cannot be used to guess the password faster than sign-in can. The
   * change revokes every token of the user, the one used here included.
   */
  async changePassword(actor: Actor, dto: ChangePasswordDto): Promise<void> {
    const backoff = new LoginBackoff(this.ds);
    await backoff.claim(actor.email);
    const user = await this.ds
      .getRepository(UserEntity)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.id = :id AND u.municipality_id = :m', { id: actor.userId, m: actor.municipalityId })
      .getOne();
    if (!user) throw new Unauthenticated('The user of this token no longer exists');
    if (!(await this.hasher.verify(user.passwordHash, dto.currentPassword))) {
      await backoff.failed(actor.email);
      throw RuleViolation.of('user.current-password', 'currentPassword', 'is not the current password');
    }
    await backoff.succeeded(actor.email);
    const passwordHash = await this.hasher.hash(dto.newPassword);
    await inTransaction(this.ds, async (em) => {
      await em.query('UPDATE users SET password_hash = $1, token_version = token_version + 1, updated_at = now() WHERE id = $2 AND municipality_id = $3', [passwordHash, user.id, actor.municipalityId]);
      await audit(em, actor, { action: 'update', entity: 'user', entityId: user.id, after: { id: user.id, passwordChanged: true } });
    });
  }
}
