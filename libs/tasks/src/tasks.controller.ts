import { CurrentActor, Permit, UuidParam, type Actor } from '@app/core';
import { Body, Controller, Get, Patch, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { CreateTaskDto, TaskPage, TaskQuery, TaskView, UpdateTaskDto } from './dto/task.dto';
import { TasksService } from './tasks.service';

const RULES = 'A domain rule is broken (small-grant limits, dates outside the programme, settled > granted > requested, a status moving back); errors[] names the rule and the field';

@ApiTags('tasks')
@Controller('tasks')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Get()
  @ApiOperation({ summary: 'List funded tasks' })
  @Permit('registers.read')
  @ApiOkResponse({ type: TaskPage, description: 'An ngo account sees its own NGO\'s tasks only' })
  list(@CurrentActor() actor: Actor, @Query() query: TaskQuery) {
    return this.tasks.list(actor, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a funded task' })
  @Permit('registers.read')
  @ApiOkResponse({ type: TaskView })
  @ApiNotFoundResponse({ description: 'No such task in this municipality' })
  get(@CurrentActor() actor: Actor, @UuidParam() id: string): Promise<TaskView> {
    return this.tasks.get(actor, id);
  }

  @Post()
  @ApiOperation({ summary: 'Record a funded task' })
  @Permit('registers.write')
  @ApiCreatedResponse({ type: TaskView })
  @ApiUnprocessableEntityResponse({ description: RULES })
  create(@CurrentActor() actor: Actor, @Body() dto: CreateTaskDto): Promise<TaskView> {
    return this.tasks.create(actor, dto);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Update a funded task' })
  @Permit('registers.write')
  @ApiOkResponse({ type: TaskView })
  @ApiConflictResponse({ description: 'Stale version' })
  @ApiUnprocessableEntityResponse({ description: RULES })
  @ApiNotFoundResponse({ description: 'No such funded task in this municipality' })
  update(@CurrentActor() actor: Actor, @UuidParam() id: string, @Body() dto: UpdateTaskDto): Promise<TaskView> {
    return this.tasks.update(actor, id, dto);
  }
}
