import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { Forbidden, Unauthenticated } from '../errors/domain-errors';
import { ROLES, type Actor, type Role, type TokenClaims } from './actor';
import { PERMISSION_KEY, PLATFORM_ADMIN_KEY, PUBLIC_KEY, type RequestWithActor } from './decorators';
import { roleHas, type Permission } from './permissions';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * One primary-key lookup per signed-in request (the token's municipality and user), with no cache
 * in the process: a token counts only while its user exists, is active and still has the token's
 * version, so logout, a password change, a role change or deactivation refuse the earlier tokens
 * at once on every instance.
 */
const CURRENT_USER_SQL = `SELECT email, municipality_id, role, ngo_id, platform_admin FROM users WHERE municipality_id = $3 AND id = $1 AND token_version = $2 AND active`;

interface CurrentUser {
  email: string;
  municipality_id: string;
  role: Role;
  ngo_id: string | null;
  platform_admin: boolean;
}

/**
 * The global guard: authenticates the bearer token (JWT_SECRET, or JWT_SECRET_PREVIOUS while a
 * key is being rotated) against the user's current row, then checks the route's permission
 * against the role. Fails closed: a route that declares neither @Public nor @Permit is refused.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtService,
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;

    const request = context.switchToHttp().getRequest<RequestWithActor & { headers: Record<string, string | undefined> }>();
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw new Unauthenticated('A bearer token is required: sign in at POST /api/v1/auth/login');
    const claims = await this.verify(match[1]);
    if (!claims || typeof claims.sub !== 'string' || !UUID.test(claims.sub) || typeof claims.mun !== 'string' || !UUID.test(claims.mun) || !Number.isInteger(claims.tv) || !ROLES.includes(claims.role)) {
      throw new Unauthenticated('The token is invalid or has expired');
    }
    const [user]: CurrentUser[] = await this.ds.query(CURRENT_USER_SQL, [claims.sub, claims.tv, claims.mun]);
    if (!user) throw new Unauthenticated('The token has been revoked: sign in again');
    // the row, not the token, is authoritative (the two agree while the token's version is current)
    const actor: Actor = { userId: claims.sub, email: user.email, municipalityId: user.municipality_id, role: user.role, ngoId: user.ngo_id, platformAdmin: user.platform_admin };
    request.actor = actor;

    const permission = this.reflector.getAllAndOverride<Permission | undefined>(PERMISSION_KEY, targets);
    if (!permission || !roleHas(actor.role, permission)) {
      throw new Forbidden(`The role "${actor.role}" may not do this`);
    }
    if (this.reflector.getAllAndOverride<boolean>(PLATFORM_ADMIN_KEY, targets) && !actor.platformAdmin) {
      throw new Forbidden('Only the platform administrator may do this');
    }
    return true;
  }

  private async verify(token: string): Promise<TokenClaims> {
    try {
      return await this.jwt.verifyAsync<TokenClaims>(token, { algorithms: ['HS256'] });
    } catch {
      const previous = this.config.jwtSecretPrevious;
      if (previous) {
        try {
          return await this.jwt.verifyAsync<TokenClaims>(token, { algorithms: ['HS256'], secret: previous });
        } catch {
          // fall through: neither key accepts it
        }
      }
      throw new Unauthenticated('The token is invalid or has expired');
    }
  }
}
