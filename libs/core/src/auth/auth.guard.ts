import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { Forbidden, Unauthenticated } from '../errors/domain-errors';
import { actorFromClaims, ROLES, type TokenClaims } from './actor';
import { PERMISSION_KEY, PLATFORM_ADMIN_KEY, PUBLIC_KEY, type RequestWithActor } from './decorators';
import { roleHas, type Permission } from './permissions';

/**
 * The global guard: authenticates the bearer token, then checks the route's permission
 * against the role. Fails closed: a route that declares neither @Public nor @Permit is refused.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;

    const request = context.switchToHttp().getRequest<RequestWithActor & { headers: Record<string, string | undefined> }>();
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw new Unauthenticated('A bearer token is required: sign in at POST /api/v1/auth/login');
    let claims: TokenClaims;
    try {
      claims = await this.jwt.verifyAsync<TokenClaims>(match[1], { algorithms: ['HS256'] });
    } catch {
      throw new Unauthenticated('The token is invalid or has expired');
    }
    if (!claims || typeof claims.sub !== 'string' || typeof claims.mun !== 'string' || !ROLES.includes(claims.role)) {
      throw new Unauthenticated('The token is invalid or has expired');
    }
    const actor = actorFromClaims(claims);
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
}
