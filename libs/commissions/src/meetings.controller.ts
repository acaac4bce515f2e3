import { CurrentActor, Permit, UuidParam, type Actor } from '@app/core';
import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { CreateMeetingDto, MeetingPage, MeetingQuery, MeetingView } from './dto/meeting.dto';
import { MeetingsService } from './meetings.service';

@ApiTags('commissions')
@Controller('commissions/:id/meetings')
export class MeetingsController {
  constructor(private readonly meetings: MeetingsService) {}

  @Get()
  @ApiOperation({ summary: "List a commission's meetings" })
  @Permit('registers.read')
  @ApiOkResponse({ type: MeetingPage, description: 'Newest first' })
  @ApiNotFoundResponse({ description: 'No such commission in this municipality' })
  list(@CurrentActor() actor: Actor, @UuidParam() id: string, @Query() query: MeetingQuery) {
    return this.meetings.list(actor, id, query);
  }

  @Post()
  @ApiOperation({ summary: 'Record a meeting of a commission' })
  @Permit('registers.write')
  @ApiCreatedResponse({ type: MeetingView })
  @ApiUnprocessableEntityResponse({ description: 'The date is outside the term, or an NGO present is unknown' })
  @ApiNotFoundResponse({ description: 'No such commission in this municipality' })
  create(@CurrentActor() actor: Actor, @UuidParam() id: string, @Body() dto: CreateMeetingDto): Promise<MeetingView> {
    return this.meetings.create(actor, id, dto);
  }
}
