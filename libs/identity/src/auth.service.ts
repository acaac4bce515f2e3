import { Unauthenticated, type Actor, type AppConfig, APP_CONFIG, type TokenClaims } from '@app/core';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { LoginDto, TokenView } from './dto/auth.dto';
import { LoginBackoff } from './login-backoff';
import { PasswordHasher } from './password-hasher';
import { TwoFactorService, TWO_FACTOR_REQUIRED_ROLES } from './two-factor.service';
import { UserEntity } from './user.entity';

/** The one answer to every failed sign-in, whatever failed, so that it reveals nothing. */
export const SIGN_IN_FAILED = 'The email or the password is wrong (an email used in several municipalities also needs "municipality", the slug)';

type Candidate = Pick<UserEntity, 'id' | 'email' | 'municipalityId' | 'role' | 'ngoId' | 'platformAdmin' | 'tokenVersion' | 'passwordHash' | 'totpEnabledAt'>;
/**
 * The account a password matched (API token or web session alike), and what it still needs:
 * `code`, its two-factor code; `enrol`, to set two-factor sign-in up (its municipality requires it
 * of its role); null, nothing.
 */
export type SignedInUser = Omit<Candidate, 'passwordHash' | 'totpEnabledAt'> & { secondFactor: 'code' | 'enrol' | null };

export const CODE_REQUIRED = 'This account signs in with a two-factor code: send "otp", the current code of the authenticator app (or an unused recovery code)';
export const CODE_WRONG = 'The two-factor code is wrong or was already used';
export const ENROL_REQUIRED = 'This municipality requires two-factor sign-in of this role and the account has not set it up: sign in to the web app (/app/login) to set it up';

@Injectable()
export class AuthService {
  private readonly backoff: LoginBackoff;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly hasher: PasswordHasher,
    private readonly jwt: JwtService,
    private readonly twoFactor: TwoFactorService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.backoff = new LoginBackoff(ds);
  }

  /**
   * An email may belong to accounts in several municipalities (it is unique within one): the
   * password is checked against each active account with it, and exactly one must match; when
   * several match, `municipality` picks one. Unknown email, wrong password, a deactivated
   * account and an ambiguous match all get the same 401. The back-off's streak ends only when
   * the sign-in is complete: a password waiting for its two-factor code still counts as a failure
   * until the code comes (verifySecondFactor), so that codes cannot be guessed by signing in again.
   */
  async authenticate(dto: LoginDto): Promise<SignedInUser> {
    const email = dto.email.toLowerCase();
    await this.backoff.claim(email);
    const qb = this.ds
      .getRepository(UserEntity)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .addSelect('u.totpEnabledAt')
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
    const { passwordHash: _hash, totpEnabledAt, ...user } = matches[0];
    const secondFactor = totpEnabledAt ? 'code' : (await this.twoFactorRequired(user)) ? 'enrol' : null;
    if (secondFactor !== 'code') await this.backoff.succeeded(email);
    return { ...user, secondFactor };
  }

  private async twoFactorRequired(user: Pick<SignedInUser, 'municipalityId' | 'role'>): Promise<boolean> {
    return TWO_FACTOR_REQUIRED_ROLES.includes(user.role) && (await this.twoFactor.required(user.municipalityId));
  }

  /**
   * The second step of a sign-in: the user's current TOTP code or an unused recovery code, under
   * the same back-off. `claimed`: this request's password check already counted the attempt
   * (the API's login, password and code in one request), so it is not counted twice.
   */
  async verifySecondFactor(user: Pick<SignedInUser, 'id' | 'email' | 'municipalityId'>, code: string | undefined, claimed = false): Promise<void> {
    if (!code) throw new Unauthenticated(CODE_REQUIRED);
    if (!claimed) await this.backoff.claim(user.email);
    if (!(await this.twoFactor.accept(user.id, user.municipalityId, code))) {
      await this.backoff.failed(user.email);
      throw new Unauthenticated(CODE_WRONG);
    }
    await this.backoff.succeeded(user.email);
  }

  /** Signs in through the API: a bearer token carrying the user's current token version. */
  async login(dto: LoginDto): Promise<TokenView> {
    const user = await this.authenticate(dto);
    if (user.secondFactor === 'enrol') throw new Unauthenticated(ENROL_REQUIRED);
    if (user.secondFactor === 'code') await this.verifySecondFactor(user, dto.otp, true);
    const claims: TokenClaims = { sub: user.id, email: user.email, mun: user.municipalityId, role: user.role, ngo: user.ngoId, pa: user.platformAdmin, tv: user.tokenVersion };
    const accessToken = await this.jwt.signAsync(claims, { expiresIn: this.config.tokenTtlSeconds });
    return { accessToken, tokenType: 'Bearer', expiresIn: this.config.tokenTtlSeconds };
  }

  /** Ends every session of the user: all tokens issued so far are refused from the next request on. */
  async logout(actor: Actor): Promise<void> {
    await this.ds.query('UPDATE users SET token_version = token_version + 1 WHERE id = $1 AND municipality_id = $2', [actor.userId, actor.municipalityId]);
  }
}
