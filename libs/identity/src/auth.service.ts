import { Unauthenticated, type Actor, type AppConfig, APP_CONFIG, type TokenClaims } from '@app/core';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { LoginDto, TokenView } from './dto/auth.dto';
import { LoginBackoff } from './login-backoff';
import { PasswordHasher } from './password-hasher';
import { UserEntity } from './user.entity';

/** The one answer to every failed sign-in, whatever failed, so that it reveals nothing. */
export const SIGN_IN_FAILED = 'The email or the password is wrong (an email used in several municipalities also needs "municipality", the slug)';

type Candidate = Pick<UserEntity, 'id' | 'email' | 'municipalityId' | 'role' | 'ngoId' | 'platformAdmin' | 'tokenVersion' | 'passwordHash'>;
/** The account a sign-in matched (API token or web session alike). */
export type SignedInUser = Omit<Candidate, 'passwordHash'>;

@Injectable()
export class AuthService {
  private readonly backoff: LoginBackoff;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly hasher: PasswordHasher,
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.backoff = new LoginBackoff(ds);
  }

  /**
   * An email may belong to accounts in several municipalities (it is unique within one): the
   * password is checked against each active account with it, and exactly one must match; when
   * several match, `municipality` picks one. Unknown email, wrong password, a deactivated
   * account and an ambiguous match all get the same 401.
   */
  async authenticate(dto: LoginDto): Promise<SignedInUser> {
    const email = dto.email.toLowerCase();
    await this.backoff.claim(email);
    const qb = this.ds
      .getRepository(UserEntity)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.email = :email AND u.active', { email });
    if (dto.municipality) qb.innerJoin('municipalities', 'm', 'm.id = u.municipality_id AND m.slug = :slug', { slug: dto.municipality });
    const candidates: Candidate[] = await qb.orderBy('u.created_at').limit(10).getMany();
    const matches: Candidate[] = [];
    if (!candidates.length) await this.hasher.verify(null, dto.password);
    for (const c of candidates) if (await this.hasher.verify(c.passwordHash, dto.password)) matches.push(c);
    if (matches.length !== 1) {
      await this.backoff.failed(email);
      if (Math.random() < 0.01) await this.backoff.purgeStale();
      throw new Unauthenticated(SIGN_IN_FAILED);
    }
    await this.backoff.succeeded(email);
    const { passwordHash: _hash, ...user } = matches[0];
    return user;
  }

  /** Signs in through the API: a bearer token carrying the user's current token version. */
  async login(dto: LoginDto): Promise<TokenView> {
    const user = await this.authenticate(dto);
    const claims: TokenClaims = { sub: user.id, email: user.email, mun: user.municipalityId, role: user.role, ngo: user.ngoId, pa: user.platformAdmin, tv: user.tokenVersion };
    const accessToken = await this.jwt.signAsync(claims, { expiresIn: this.config.tokenTtlSeconds });
    return { accessToken, tokenType: 'Bearer', expiresIn: this.config.tokenTtlSeconds };
  }

  /** Ends every session of the user: all tokens issued so far are refused from the next request on. */
  async logout(actor: Actor): Promise<void> {
    await this.ds.query('UPDATE users SET token_version = token_version + 1 WHERE id = $1 AND municipality_id = $2', [actor.userId, actor.municipalityId]);
  }
}
