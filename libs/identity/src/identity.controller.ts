import { CurrentActor, PageQuery, Permit, PlatformAdminOnly, Public, UuidParam, type Actor } from '@app/core';
import { Body, Controller, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { AuthService } from './auth.service';
import { LoginDto, TokenView } from './dto/auth.dto';
import { CreatedMunicipalityView, CreateMunicipalityDto, MunicipalityView } from './dto/municipality.dto';
import { ChangePasswordDto, CreateUserDto, MeView, UpdateUserDto, UserPage, UserView } from './dto/user.dto';
import { MunicipalitiesService } from './municipalities.service';
import { LOGIN_ROUTE_CONFIG } from './login-rate-limit';
import { UsersService } from './users.service';

@ApiTags('identity')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @ApiOperation({ summary: 'Sign in and get a bearer token' })
  @Public()
  @RouteConfig(LOGIN_ROUTE_CONFIG) // throttled: see login-rate-limit.ts
  @HttpCode(200)
  @ApiOkResponse({ type: TokenView })
  @ApiTooManyRequestsResponse({ description: 'Too many sign-in attempts, or the account\'s back-off after failed ones (Retry-After)' })
  @ApiUnauthorizedResponse({ description: 'The email or the password is wrong, or the account is inactive' })
  login(@Body() dto: LoginDto): Promise<TokenView> {
    return this.auth.login(dto);
  }

  @Post('logout')
  @ApiOperation({ summary: 'Sign out: refuse every token of the user issued so far' })
  @Permit('signed-in')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Every token of the user issued so far is refused from now on' })
  logout(@CurrentActor() actor: Actor): Promise<void> {
    return this.auth.logout(actor);
  }
}

@ApiTags('identity')
@Controller('me')
export class MeController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({ summary: 'Get the signed-in user' })
  @Permit('signed-in')
  @ApiOkResponse({ type: MeView })
  me(@CurrentActor() actor: Actor): Promise<MeView> {
    return this.users.me(actor);
  }

  @Post('password')
  @ApiOperation({ summary: "Change the signed-in user's password" })
  @Permit('signed-in')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Changed; every token of the user issued so far is refused from now on' })
  @ApiUnprocessableEntityResponse({ description: 'The current password is wrong' })
  @ApiTooManyRequestsResponse({ description: 'The account\'s back-off after failed attempts (Retry-After)' })
  changePassword(@CurrentActor() actor: Actor, @Body() dto: ChangePasswordDto): Promise<void> {
    return this.users.changePassword(actor, dto);
  }
}

@ApiTags('identity')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({ summary: "List the municipality's users" })
  @Permit('users.manage')
  @ApiOkResponse({ type: UserPage })
  list(@CurrentActor() actor: Actor, @Query() query: PageQuery) {
    return this.users.list(actor, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a user' })
  @Permit('users.manage')
  @ApiOkResponse({ type: UserView })
  @ApiNotFoundResponse({ description: 'No such user in this municipality' })
  get(@CurrentActor() actor: Actor, @UuidParam() id: string): Promise<UserView> {
    return this.users.get(actor, id);
  }

  @Post()
  @ApiOperation({ summary: 'Create a user' })
  @Permit('users.manage')
  @ApiCreatedResponse({ type: UserView })
  @ApiConflictResponse({ description: 'The email is used already in this municipality' })
  @ApiUnprocessableEntityResponse({ description: 'The ngoId names no NGO of this municipality' })
  create(@CurrentActor() actor: Actor, @Body() dto: CreateUserDto): Promise<UserView> {
    return this.users.create(actor, dto);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Update a user' })
  @Permit('users.manage')
  @ApiOkResponse({ type: UserView })
  @ApiConflictResponse({ description: 'The version is stale' })
  @ApiNotFoundResponse({ description: 'No such user in this municipality' })
  @ApiUnprocessableEntityResponse({ description: 'The ngoId names no NGO of this municipality, an admin demotes or deactivates themselves, or the platform admin would stop being an active admin' })
  update(@CurrentActor() actor: Actor, @UuidParam() id: string, @Body() dto: UpdateUserDto): Promise<UserView> {
    return this.users.update(actor, id, dto);
  }
}

@ApiTags('identity')
@Controller('municipalities')
export class MunicipalitiesController {
  constructor(private readonly municipalities: MunicipalitiesService) {}

  @Get()
  @ApiOperation({ summary: 'List municipalities' })
  @PlatformAdminOnly()
  @ApiOkResponse({ type: [MunicipalityView] })
  list(): Promise<MunicipalityView[]> {
    return this.municipalities.list();
  }

  @Post()
  @ApiOperation({ summary: 'Create a municipality and its first admin' })
  @PlatformAdminOnly()
  @ApiCreatedResponse({ type: CreatedMunicipalityView })
  @ApiConflictResponse({ description: 'The slug, TERYT code or admin email is taken' })
  create(@CurrentActor() actor: Actor, @Body() dto: CreateMunicipalityDto): Promise<CreatedMunicipalityView> {
    return this.municipalities.create(actor, dto);
  }
}
