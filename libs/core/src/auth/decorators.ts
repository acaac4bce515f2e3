import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Actor } from './actor';
import type { Permission } from './permissions';

export const PUBLIC_KEY = 'auth:public';
export const PERMISSION_KEY = 'auth:permission';
export const PLATFORM_ADMIN_KEY = 'auth:platform-admin';

/** No token needed (login, spheres, public pages and open data). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** The route needs a token whose role holds `permission`. Routes without @Public or @Permit are refused. */
export const Permit = (permission: Permission) =>
  applyDecorators(
    SetMetadata(PERMISSION_KEY, permission),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'No or bad token' }),
    ApiForbiddenResponse({ description: 'The role forbids it' }),
  );

/** Only the platform administrator (the first admin) may call the route. */
export const PlatformAdminOnly = () => applyDecorators(SetMetadata(PLATFORM_ADMIN_KEY, true), Permit('signed-in'));

export interface RequestWithActor {
  actor?: Actor;
}

export const CurrentActor = createParamDecorator((_data: unknown, ctx: ExecutionContext): Actor => {
  const actor = ctx.switchToHttp().getRequest<RequestWithActor>().actor;
  if (!actor) throw new Error('CurrentActor used on a route without authentication');
  return actor;
});
