import { CurrentActor, PageQuery, Permit, PlatformAdminOnly, Public, UuidParam, type Actor } from '@app/core';
import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { AuthService } from './auth.service';
import { LoginDto, TokenView } from './dto/auth.dto';
import { CreatedMunicipalityView, CreateMunicipalityDto, MunicipalityView } from './dto/municipality.dto';
import { CreateUserDto, MeView, UserPage, UserView } from './dto/user.dto';
import { MunicipalitiesService } from './municipalities.service';
import { LOGIN_ROUTE_CONFIG } from './login-rate-limit';
import { UsersService } from './users.service';

@ApiTags('identity')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @Public()
  @RouteConfig(LOGIN_ROUTE_CONFIG) // throttled: see login-rate-limit.ts
  @HttpCode(200)
  @ApiOkResponse({ type: TokenView })
  @ApiTooManyRequestsResponse({ description: 'Too many sign-in attempts' })
  login(@Body() dto: LoginDto): Promise<TokenView> {
    return this.auth.login(dto);
  }
}

@ApiTags('identity')
@Controller('me')
export class MeController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @Permit('signed-in')
  @ApiOkResponse({ type: MeView })
  me(@CurrentActor() actor: Actor): Promise<MeView> {
    return this.users.me(actor);
  }
}

@ApiTags('identity')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @Permit('users.manage')
  @ApiOkResponse({ type: UserPage })
  list(@CurrentActor() actor: Actor, @Query() query: PageQuery) {
    return this.users.list(actor, query);
  }

  @Get(':id')
  @Permit('users.manage')
  @ApiOkResponse({ type: UserView })
  get(@CurrentActor() actor: Actor, @UuidParam() id: string): Promise<UserView> {
    return this.users.get(actor, id);
  }

  @Post()
  @Permit('users.manage')
  @ApiCreatedResponse({ type: UserView })
  @ApiConflictResponse({ description: 'The email is used already' })
  create(@CurrentActor() actor: Actor, @Body() dto: CreateUserDto): Promise<UserView> {
    return this.users.create(actor, dto);
  }
}

@ApiTags('identity')
@Controller('municipalities')
export class MunicipalitiesController {
  constructor(private readonly municipalities: MunicipalitiesService) {}

  @Get()
  @PlatformAdminOnly()
  @ApiOkResponse({ type: [MunicipalityView] })
  list(): Promise<MunicipalityView[]> {
    return this.municipalities.list();
  }

  @Post()
  @PlatformAdminOnly()
  @ApiCreatedResponse({ type: CreatedMunicipalityView })
  @ApiConflictResponse({ description: 'The slug, TERYT code or admin email is taken' })
  create(@CurrentActor() actor: Actor, @Body() dto: CreateMunicipalityDto): Promise<CreatedMunicipalityView> {
    return this.municipalities.create(actor, dto);
  }
}
