import { CurrentActor, Permit, UuidParam, type Actor } from '@app/core';
import { Body, Controller, Get, Patch, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { CommissionsService } from './commissions.service';
import { CommissionPage, CommissionQuery, CommissionView, CreateCommissionDto, UpdateCommissionDto } from './dto/commission.dto';

@ApiTags('commissions')
@Controller('commissions')
export class CommissionsController {
  constructor(private readonly commissions: CommissionsService) {}

  @Get()
  @ApiOperation({ summary: 'List commissions' })
  @Permit('registers.read')
  @ApiOkResponse({ type: CommissionPage, description: 'An ngo account sees the commissions its NGO is or was a member of' })
  list(@CurrentActor() actor: Actor, @Query() query: CommissionQuery) {
    return this.commissions.list(actor, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a commission' })
  @Permit('registers.read')
  @ApiOkResponse({ type: CommissionView })
  @ApiNotFoundResponse({ description: 'No such commission in this municipality' })
  @ApiForbiddenResponse({ description: 'An ngo account whose NGO was never a member' })
  get(@CurrentActor() actor: Actor, @UuidParam() id: string): Promise<CommissionView> {
    return this.commissions.get(actor, id);
  }

  @Post()
  @ApiOperation({ summary: 'Create a commission' })
  @Permit('registers.write')
  @ApiCreatedResponse({ type: CommissionView })
  @ApiUnprocessableEntityResponse({ description: 'The term ends before it starts' })
  create(@CurrentActor() actor: Actor, @Body() dto: CreateCommissionDto): Promise<CommissionView> {
    return this.commissions.create(actor, dto);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Update a commission' })
  @Permit('registers.write')
  @ApiOkResponse({ type: CommissionView })
  @ApiConflictResponse({ description: 'Stale version' })
  @ApiUnprocessableEntityResponse({ description: 'The term is out of order, or leaves memberships or meetings outside it' })
  @ApiNotFoundResponse({ description: 'No such commission in this municipality' })
  update(@CurrentActor() actor: Actor, @UuidParam() id: string, @Body() dto: UpdateCommissionDto): Promise<CommissionView> {
    return this.commissions.update(actor, id, dto);
  }
}
