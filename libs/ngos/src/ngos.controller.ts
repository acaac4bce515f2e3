import { CurrentActor, Permit, UuidParam, type Actor } from '@app/core';
import { Body, Controller, Delete, Get, Patch, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { CreateNgoDto, NgoPage, NgoQuery, NgoView, UpdateNgoDto } from './dto/ngo.dto';
import { NgosService } from './ngos.service';

@ApiTags('ngos')
@Controller('ngos')
export class NgosController {
  constructor(private readonly ngos: NgosService) {}

  @Get()
  @ApiOperation({ summary: 'List NGOs' })
  @Permit('registers.read')
  @ApiOkResponse({ type: NgoPage, description: 'An ngo account sees its own NGO only' })
  list(@CurrentActor() actor: Actor, @Query() query: NgoQuery) {
    return this.ngos.list(actor, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get an NGO' })
  @Permit('registers.read')
  @ApiOkResponse({ type: NgoView })
  @ApiNotFoundResponse({ description: 'No such NGO in this municipality' })
  get(@CurrentActor() actor: Actor, @UuidParam() id: string): Promise<NgoView> {
    return this.ngos.get(actor, id);
  }

  @Post()
  @ApiOperation({ summary: 'Register an NGO' })
  @Permit('registers.write')
  @ApiCreatedResponse({ type: NgoView })
  @ApiConflictResponse({ description: 'The KRS or NIP is registered already' })
  create(@CurrentActor() actor: Actor, @Body() dto: CreateNgoDto): Promise<NgoView> {
    return this.ngos.create(actor, dto);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Update an NGO' })
  @Permit('registers.write')
  @ApiOkResponse({ type: NgoView })
  @ApiConflictResponse({ description: 'Stale version, or the KRS or NIP is registered already' })
  @ApiUnprocessableEntityResponse({ description: 'The NGO is archived' })
  @ApiNotFoundResponse({ description: 'No such NGO in this municipality' })
  update(@CurrentActor() actor: Actor, @UuidParam() id: string, @Body() dto: UpdateNgoDto): Promise<NgoView> {
    return this.ngos.update(actor, id, dto);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Archive an NGO' })
  @Permit('registers.write')
  @ApiOkResponse({ type: NgoView, description: 'The NGO, archived' })
  @ApiNotFoundResponse({ description: 'No such NGO in this municipality' })
  archive(@CurrentActor() actor: Actor, @UuidParam() id: string): Promise<NgoView> {
    return this.ngos.archive(actor, id);
  }
}
