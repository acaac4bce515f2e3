import { CurrentActor, Permit, Public, UuidParam, type Actor } from '@app/core';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { CallsService } from './calls.service';
import { CommissionAccess } from './commission.access';
import { CallPage, CallQuery, CallView, CancelCallDto, CreateCallDto, ResolveCallDto, UpdateCallDto } from './dto/call.dto';
import { AddMemberDto, CallMemberView, CreateOfferDto, DeclarationDto, FormalCheckDto, OfferPage, OfferQuery, OfferView, RankingItem, ScoresDto, UpdateOfferDto, VersionDto } from './dto/offer.dto';
import { OffersService } from './offers.service';
import { PublicCallsService } from './public-calls.service';

const STALE = 'Stale version';

@ApiTags('open competitions')
@Controller('calls')
export class CallsController {
  constructor(
    private readonly calls: CallsService,
    private readonly offers: OffersService,
    private readonly commission: CommissionAccess,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List open competitions (calls); an NGO account sees announced ones' })
  @Permit('registers.read')
  @ApiOkResponse({ type: CallPage })
  list(@CurrentActor() actor: Actor, @Query() query: CallQuery) {
    return this.calls.list(actor, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a call' })
  @Permit('registers.read')
  @ApiOkResponse({ type: CallView })
  @ApiNotFoundResponse({ description: 'No such call (a draft is not shown to NGO accounts)' })
  get(@CurrentActor() actor: Actor, @UuidParam() id: string) {
    return this.calls.get(actor, id);
  }

  @Post()
  @ApiOperation({ summary: 'Draft a call (art. 13 ust. 2 announcement)' })
  @Permit('registers.write')
  @ApiCreatedResponse({ type: CallView })
  @ApiConflictResponse({ description: 'The number is taken' })
  @ApiUnprocessableEntityResponse({ description: 'A rule of the call is broken (programme, dates, grant limits)' })
  create(@CurrentActor() actor: Actor, @Body() dto: CreateCallDto) {
    return this.calls.create(actor, dto);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Edit a draft call' })
  @Permit('registers.write')
  @ApiOkResponse({ type: CallView })
  @ApiConflictResponse({ description: `${STALE}, or the call is published (its announcement is frozen)` })
  update(@CurrentActor() actor: Actor, @UuidParam() id: string, @Body() dto: UpdateCallDto) {
    return this.calls.update(actor, id, dto);
  }

  @Post(':id/publish')
  @HttpCode(200)
  @ApiOperation({ summary: 'Publish the call' })
  @Permit('registers.write')
  @ApiOkResponse({ type: CallView })
  @ApiUnprocessableEntityResponse({ description: 'The deadline is less than 21 days after today (art. 13 ust. 1), or another rule is broken' })
  publish(@CurrentActor() actor: Actor, @UuidParam() id: string, @Body() dto: VersionDto) {
    return this.calls.publish(actor, id, dto.version);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel the call (art. 18a): no offers, or none valid' })
  @Permit('registers.write')
  @ApiOkResponse({ type: CallView })
  @ApiConflictResponse({ description: 'The call still takes offers, or is resolved or cancelled' })
  @ApiUnprocessableEntityResponse({ description: 'The reason does not hold' })
  cancel(@CurrentActor() actor: Actor, @UuidParam() id: string, @Body() dto: CancelCallDto) {
    return this.calls.cancel(actor, id, dto);
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resolve the call: the awards become funded tasks' })
  @Permit('registers.write')
  @ApiOkResponse({ type: CallView })
  @ApiConflictResponse({ description: 'The call still takes offers, or is resolved or cancelled already' })
  @ApiUnprocessableEntityResponse({ description: 'An award above its request, the sum above the budget, an offer not accepted, offers not checked' })
  resolve(@CurrentActor() actor: Actor, @UuidParam() id: string, @Body() dto: ResolveCallDto) {
    return this.calls.resolve(actor, id, dto);
  }

  @Get(':id/offers')
  @ApiOperation({ summary: "The call's offers: an NGO's own (drafts too); submitted ones to officials; to members after their declaration" })
  @Permit('signed-in')
  @ApiOkResponse({ type: OfferPage })
  listOffers(@CurrentActor() actor: Actor, @UuidParam() id: string, @Query() query: OfferQuery) {
    return this.offers.listOfCall(actor, id, query);
  }

  @Post(':id/offers')
  @ApiOperation({ summary: 'Start an offer (a draft) as the lead NGO' })
  @Permit('signed-in')
  @ApiCreatedResponse({ type: OfferView })
  createOffer(@CurrentActor() actor: Actor, @UuidParam() id: string, @Body() dto: CreateOfferDto) {
    return this.offers.create(actor, id, dto);
  }

  @Get(':id/commission')
  @ApiOperation({ summary: "The call's commission" })
  @Permit('signed-in')
  @ApiOkResponse({ type: [CallMemberView] })
  members(@CurrentActor() actor: Actor, @UuidParam() id: string) {
    return this.commission.members(actor, id);
  }

  @Post(':id/commission')
  @ApiOperation({ summary: 'Add a member (an official, or a person an NGO nominated)' })
  @Permit('registers.write')
  @ApiCreatedResponse({ type: CallMemberView })
  @ApiUnprocessableEntityResponse({ description: 'The person acts for or was nominated by an NGO taking part (art. 15 ust. 2d), or is an auditor' })
  addMember(@CurrentActor() actor: Actor, @UuidParam() id: string, @Body() dto: AddMemberDto) {
    return this.commission.add(actor, id, dto);
  }

  @Delete(':id/commission/:memberId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a member who has scored nothing' })
  @Permit('registers.write')
  @ApiNoContentResponse()
  async removeMember(@CurrentActor() actor: Actor, @UuidParam() id: string, @UuidParam('memberId') memberId: string) {
    await this.commission.remove(actor, id, memberId);
  }

  @Get(':id/commission/declaration')
  @ApiOperation({ summary: "The member's declaration and the offers it is about (titles and NGOs)" })
  @Permit('signed-in')
  declaration(@CurrentActor() actor: Actor, @UuidParam() id: string) {
    return this.commission.declaration(actor, id);
  }

  @Post(':id/commission/declaration')
  @ApiOperation({ summary: 'File the declaration of impartiality (art. 15 ust. 2f), naming the offers in conflict' })
  @Permit('signed-in')
  @ApiCreatedResponse({ type: CallMemberView })
  @ApiConflictResponse({ description: 'Filed already, or the deadline has not passed' })
  declare(@CurrentActor() actor: Actor, @UuidParam() id: string, @Body() dto: DeclarationDto) {
    return this.commission.declare(actor, id, dto);
  }

  @Get(':id/ranking')
  @ApiOperation({ summary: 'The accepted offers by mean score' })
  @Permit('signed-in')
  @ApiOkResponse({ type: [RankingItem] })
  ranking(@CurrentActor() actor: Actor, @UuidParam() id: string) {
    return this.commission.ranking(actor, id);
  }
}

@ApiTags('open competitions')
@Controller('offers')
export class OffersController {
  constructor(
    private readonly offers: OffersService,
    private readonly commission: CommissionAccess,
  ) {}

  @Get()
  @ApiOperation({ summary: "An NGO account's offers in every call" })
  @Permit('signed-in')
  @ApiOkResponse({ type: OfferPage })
  list(@CurrentActor() actor: Actor, @Query() query: OfferQuery) {
    return this.offers.listOwn(actor, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get an offer' })
  @Permit('signed-in')
  @ApiOkResponse({ type: OfferView })
  get(@CurrentActor() actor: Actor, @UuidParam() id: string) {
    return this.offers.get(actor, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Save sections of a draft (incomplete or wrong is allowed)' })
  @Permit('signed-in')
  @ApiOkResponse({ type: OfferView })
  update(@CurrentActor() actor: Actor, @UuidParam() id: string, @Body() dto: UpdateOfferDto) {
    return this.offers.update(actor, id, dto);
  }

  @Post(':id/submit')
  @HttpCode(200)
  @ApiOperation({ summary: 'Submit before the deadline (server clock); the offer is frozen with its checksum' })
  @Permit('signed-in')
  @ApiOkResponse({ type: OfferView })
  @ApiUnprocessableEntityResponse({ description: 'A rule of the form is broken (each named by its field), or the deadline has passed' })
  submit(@CurrentActor() actor: Actor, @UuidParam() id: string, @Body() dto: VersionDto) {
    return this.offers.submit(actor, id, dto.version);
  }

  @Post(':id/withdraw')
  @HttpCode(200)
  @ApiOperation({ summary: 'Withdraw the offer (until resolution)' })
  @Permit('signed-in')
  @ApiOkResponse({ type: OfferView })
  withdraw(@CurrentActor() actor: Actor, @UuidParam() id: string, @Body() dto: VersionDto) {
    return this.offers.withdraw(actor, id, dto.version);
  }

  @Post(':id/formal-check')
  @HttpCode(200)
  @ApiOperation({ summary: 'Record the formal check' })
  @Permit('registers.write')
  @ApiOkResponse({ type: OfferView })
  formalCheck(@CurrentActor() actor: Actor, @UuidParam() id: string, @Body() dto: FormalCheckDto) {
    return this.offers.formalCheck(actor, id, dto);
  }

  @Put(':id/scores')
  @ApiOperation({ summary: "A member's scoring card of an accepted offer" })
  @Permit('signed-in')
  score(@CurrentActor() actor: Actor, @UuidParam() id: string, @Body() dto: ScoresDto) {
    return this.offers.score(actor, id, dto);
  }

  @Get(':id/scores/mine')
  @ApiOperation({ summary: "The signed-in member's own card of the offer (null when not filed)" })
  @Permit('signed-in')
  async myCard(@CurrentActor() actor: Actor, @UuidParam() id: string) {
    await this.offers.get(actor, id);
    return { card: await this.commission.card(actor, id) };
  }
}

@ApiTags('open competitions')
@Controller('public')
export class PublicCallsController {
  constructor(private readonly calls: PublicCallsService) {}

  @Get(':slug/calls')
  @Public()
  @ApiOperation({ summary: 'The announced calls of a municipality: open first, then closed, resolved, cancelled' })
  list(@Param('slug') slug: string) {
    return this.calls.list(slug);
  }

  @Get(':slug/calls/:id')
  @Public()
  @ApiOperation({ summary: 'A call: the announcement, and its results or cancellation' })
  @ApiNotFoundResponse({ description: 'No such municipality or announced call' })
  get(@Param('slug') slug: string, @Param('id') id: string) {
    return this.calls.get(slug, id);
  }
}
