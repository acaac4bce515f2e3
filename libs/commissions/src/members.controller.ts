import { CurrentActor, PageQuery, Permit, UuidParam, type Actor } from '@app/core';
import { Body, Controller, Delete, Get, Patch, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { AddMemberDto, EndMemberQuery, MemberPage, MemberQuery, MembershipPage, MemberView, UpdateMemberDto } from './dto/member.dto';
import { MembersService } from './members.service';

@ApiTags('commissions')
@Controller('commissions/:id/members')
export class MembersController {
  constructor(private readonly members: MembersService) {}

  @Get()
  @ApiOperation({ summary: "List a commission's members" })
  @Permit('registers.read')
  @ApiOkResponse({ type: MemberPage, description: 'Every membership, history included; with ?on= those active that day' })
  @ApiNotFoundResponse({ description: 'No such commission in this municipality' })
  list(@CurrentActor() actor: Actor, @UuidParam() id: string, @Query() query: MemberQuery) {
    return this.members.list(actor, id, query);
  }

  @Post()
  @ApiOperation({ summary: 'Add an NGO to a commission' })
  @Permit('registers.write')
  @ApiCreatedResponse({ type: MemberView })
  @ApiConflictResponse({ description: 'The NGO already holds a membership of this commission on some of these days' })
  @ApiUnprocessableEntityResponse({ description: 'Unknown or archived NGO, dates out of order or outside the term' })
  @ApiNotFoundResponse({ description: 'No such commission in this municipality' })
  add(@CurrentActor() actor: Actor, @UuidParam() id: string, @Body() dto: AddMemberDto): Promise<MemberView> {
    return this.members.add(actor, id, dto);
  }

  @Patch(':memberId')
  @ApiOperation({ summary: 'Change a membership' })
  @Permit('registers.write')
  @ApiOkResponse({ type: MemberView })
  @ApiConflictResponse({ description: 'Stale version, or an overlap with another membership of the NGO' })
  @ApiUnprocessableEntityResponse({ description: 'Dates out of order or outside the term' })
  @ApiNotFoundResponse({ description: 'No such commission in this municipality, or no such membership of it' })
  update(@CurrentActor() actor: Actor, @UuidParam() id: string, @UuidParam('memberId') memberId: string, @Body() dto: UpdateMemberDto): Promise<MemberView> {
    return this.members.update(actor, id, memberId, dto);
  }

  @Delete(':memberId')
  @ApiOperation({ summary: 'End a membership' })
  @Permit('registers.write')
  @ApiOkResponse({ type: MemberView, description: 'The membership, ended: the day (today by default) is its last day; it stays in history' })
  @ApiUnprocessableEntityResponse({ description: 'The day is before the start, after an earlier end, or after the term' })
  @ApiNotFoundResponse({ description: 'No such commission in this municipality, or no such membership of it' })
  end(@CurrentActor() actor: Actor, @UuidParam() id: string, @UuidParam('memberId') memberId: string, @Query() query: EndMemberQuery): Promise<MemberView> {
    return this.members.end(actor, id, memberId, query.on);
  }
}

@ApiTags('commissions')
@Controller('ngos')
export class NgoMembershipsController {
  constructor(private readonly members: MembersService) {}

  @Get(':id/memberships')
  @ApiOperation({ summary: "List an NGO's commission memberships" })
  @Permit('registers.read')
  @ApiOkResponse({ type: MembershipPage, description: 'Every commission membership of the NGO, newest start first' })
  @ApiNotFoundResponse({ description: 'No such NGO in this municipality' })
  @ApiForbiddenResponse({ description: 'An ngo account asking for another NGO' })
  list(@CurrentActor() actor: Actor, @UuidParam() id: string, @Query() query: PageQuery) {
    return this.members.ofNgo(actor, id, query);
  }
}

@ApiTags('commissions')
@Controller('me')
export class MyMembershipsController {
  constructor(private readonly members: MembersService) {}

  @Get('memberships')
  @ApiOperation({ summary: "List the signed-in NGO's commission memberships" })
  @Permit('registers.read')
  @ApiOkResponse({ type: MembershipPage, description: "The signed-in NGO's commission memberships, newest start first" })
  @ApiForbiddenResponse({ description: 'The account is not an ngo account' })
  list(@CurrentActor() actor: Actor, @Query() query: PageQuery) {
    return this.members.mine(actor, query);
  }
}
