import { CurrentActor, Permit, UuidParam, type Actor } from '@app/core';
import { Body, Controller, Delete, Get, Patch, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { CreateProgramDto, ProgramDetailView, ProgramPage, ProgramQuery, UpdateProgramDto } from './dto/program.dto';
import { ProgramsService } from './programs.service';

@ApiTags('programs')
@Controller('programs')
export class ProgramsController {
  constructor(private readonly programs: ProgramsService) {}

  @Get()
  @ApiOperation({ summary: 'List programmes' })
  @Permit('registers.read')
  @ApiOkResponse({ type: ProgramPage })
  list(@CurrentActor() actor: Actor, @Query() query: ProgramQuery) {
    return this.programs.list(actor, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a programme' })
  @Permit('registers.read')
  @ApiOkResponse({ type: ProgramDetailView })
  @ApiNotFoundResponse({ description: 'No such programme in this municipality' })
  get(@CurrentActor() actor: Actor, @UuidParam() id: string): Promise<ProgramDetailView> {
    return this.programs.get(actor, id);
  }

  @Post()
  @ApiOperation({ summary: 'Create a programme' })
  @Permit('registers.write')
  @ApiCreatedResponse({ type: ProgramDetailView })
  @ApiUnprocessableEntityResponse({ description: 'A year rule is broken' })
  create(@CurrentActor() actor: Actor, @Body() dto: CreateProgramDto): Promise<ProgramDetailView> {
    return this.programs.create(actor, dto);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Update a programme' })
  @Permit('registers.write')
  @ApiOkResponse({ type: ProgramDetailView })
  @ApiConflictResponse({ description: 'Stale version' })
  @ApiUnprocessableEntityResponse({ description: 'A year rule is broken' })
  @ApiNotFoundResponse({ description: 'No such programme in this municipality' })
  update(@CurrentActor() actor: Actor, @UuidParam() id: string, @Body() dto: UpdateProgramDto): Promise<ProgramDetailView> {
    return this.programs.update(actor, id, dto);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Archive a programme' })
  @Permit('registers.write')
  @ApiOkResponse({ type: ProgramDetailView, description: 'The programme, archived' })
  @ApiNotFoundResponse({ description: 'No such programme in this municipality' })
  archive(@CurrentActor() actor: Actor, @UuidParam() id: string): Promise<ProgramDetailView> {
    return this.programs.archive(actor, id);
  }
}
