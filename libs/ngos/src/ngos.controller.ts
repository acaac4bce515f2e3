import { CurrentActor, Permit, UuidParam, type Actor } from '@app/core';
import { Body, Controller, Delete, Get, Patch, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { CreateNgoDto, NgoPage, NgoQuery, NgoView, UpdateNgoDto } from './dto/ngo.dto';
import { NgosService } from './ngos.service';

@ApiTags('ngos')
@Controller('ngos')
export class NgosController {
  constructor(private readonly ngos: NgosService) {}

  @Get()
  @Permit('registers.read')
  @ApiOkResponse({ type: NgoPage, description: 'An ngo account sees its own NGO only' })
  list(@CurrentActor() actor: Actor, @Query() query: NgoQuery) {
    return this.ngos.list(actor, query);
  }

  @Get(':id')
  @Permit('registers.read')
  @ApiOkResponse({ type: NgoView })
  @ApiNotFoundResponse({ description: 'No such NGO in this municipality' })
  get(@CurrentActor() actor: Actor, @UuidParam() id: string): Promise<NgoView> {
    return this.ngos.get(actor, id);
  }

  @Post()
  @Permit('registers.write')
  @ApiCreatedResponse({ type: NgoView })
  @ApiConflictResponse({ description: 'The KRS or NIP is registered already' })
  create(@CurrentActor() actor: Actor, @Body() dto: CreateNgoDto): Promise<NgoView> {
    return this.ngos.create(actor, dto);
  }

  @Patch(':id')
  @Permit('registers.write')
  @ApiOkResponse({ type: NgoView })
  @ApiConflictResponse({ description: 'Stale version, or the KRS or NIP is registered already' })
  @ApiUnprocessableEntityResponse({ description: 'The NGO is archived' })
  update(@CurrentActor() actor: Actor, @UuidParam() id: string, @Body() dto: UpdateNgoDto): Promise<NgoView> {
    return this.ngos.update(actor, id, dto);
  }

  @Delete(':id')
  @Permit('registers.write')
  @ApiOkResponse({ type: NgoView, description: 'The NGO, archived' })
  archive(@CurrentActor() actor: Actor, @UuidParam() id: string): Promise<NgoView> {
    return this.ngos.archive(actor, id);
  }
}
