import { CurrentActor, Permit, UuidParam, type Actor } from '@app/core';
import { Body, Controller, Get, Patch, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { ActivitiesService } from './activities.service';
import { ActivityPage, ActivityQuery, ActivityView, CreateActivityDto, UpdateActivityDto } from './dto/activity.dto';

@ApiTags('activities')
@Controller('activities')
export class ActivitiesController {
  constructor(private readonly activities: ActivitiesService) {}

  @Get()
  @ApiOperation({ summary: 'List activities' })
  @Permit('registers.read')
  @ApiOkResponse({ type: ActivityPage, description: 'An ngo account sees the activities of its own NGO only' })
  list(@CurrentActor() actor: Actor, @Query() query: ActivityQuery) {
    return this.activities.list(actor, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get an activity' })
  @Permit('registers.read')
  @ApiOkResponse({ type: ActivityView })
  @ApiNotFoundResponse({ description: 'No such activity in this municipality' })
  get(@CurrentActor() actor: Actor, @UuidParam() id: string): Promise<ActivityView> {
    return this.activities.get(actor, id);
  }

  @Post()
  @ApiOperation({ summary: 'Record an activity' })
  @Permit('registers.write')
  @ApiCreatedResponse({ type: ActivityView })
  @ApiUnprocessableEntityResponse({ description: 'A rule is broken: unknown or archived programme or NGO, dates outside the programme or out of order' })
  create(@CurrentActor() actor: Actor, @Body() dto: CreateActivityDto): Promise<ActivityView> {
    return this.activities.create(actor, dto);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Update an activity' })
  @Permit('registers.write')
  @ApiOkResponse({ type: ActivityView })
  @ApiConflictResponse({ description: 'Stale version' })
  @ApiUnprocessableEntityResponse({ description: 'A rule is broken' })
  @ApiNotFoundResponse({ description: 'No such activity in this municipality' })
  update(@CurrentActor() actor: Actor, @UuidParam() id: string, @Body() dto: UpdateActivityDto): Promise<ActivityView> {
    return this.activities.update(actor, id, dto);
  }
}
