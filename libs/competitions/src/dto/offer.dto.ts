import { DateField, EnumField, IntField, MoneyField, PageMeta, PageQuery, StringField, UuidField, UuidListField } from '@app/core';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsDefined, IsNumber, IsOptional, Max, Min, ValidateIf, ValidateNested } from 'class-validator';

export const OFFER_STATUSES = ['draft', 'submitted', 'accepted', 'rejected', 'awarded', 'not-awarded', 'withdrawn'] as const;
export type OfferStatus = (typeof OFFER_STATUSES)[number];
export const COST_CATEGORIES = ['action', 'administrative'] as const;
export const FORMAL_RESULTS = ['accepted', 'rejected'] as const;

const TEXT = 10_000;

/** A list of form rows; a draft may hold incomplete rows, so every field of a row is optional. */
function RowsField(type: () => new () => object, max: number, description: string) {
  return (target: object, key: string) => {
    ApiPropertyOptional({ type: [type()], description })(target, key);
    ValidateIf((_o, v) => v !== undefined)(target, key);
    IsDefined({ message: 'must not be null' })(target, key);
    IsArray({ message: 'must be a list' })(target, key);
    ArrayMaxSize(max, { message: `must hold at most ${max} rows` })(target, key);
    ValidateNested({ each: true })(target, key);
    Type(type)(target, key);
  };
}

/** A quantity of a cost line: a number with at most two decimals (e.g. 1.5 hours). */
function QuantityField() {
  return (target: object, key: string) => {
    ApiPropertyOptional({ type: Number, example: 12 })(target, key);
    IsOptional()(target, key);
    IsNumber({ maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false }, { message: 'must be a number with at most two decimals' })(target, key);
    Min(0, { message: 'must be at least 0' })(target, key);
    Max(1_000_000_000, { message: 'must be at most 1000000000' })(target, key);
  };
}

/** Section IV.9 of the form: the plan and schedule of actions. */
export class ScheduleItemDto {
  @StringField({ optional: true, nullable: true, maxLength: 500 }) name?: string | null;
  @StringField({ optional: true, nullable: true, maxLength: TEXT, trim: false }) description?: string | null;
  @DateField({ optional: true, nullable: true }) from?: string | null;
  @DateField({ optional: true, nullable: true }) to?: string | null;
  @UuidField({ optional: true, nullable: true, description: 'In a joint offer: the NGO that carries the action out' }) ngoId?: string | null;
}

/** Section IV.10: the expected results. */
export class ResultItemDto {
  @StringField({ optional: true, nullable: true, maxLength: 500 }) name?: string | null;
  @StringField({ optional: true, nullable: true, maxLength: 500 }) targetValue?: string | null;
  @StringField({ optional: true, nullable: true, maxLength: 2000, trim: false }) monitoring?: string | null;
}

/** Section V.A: one line of the cost calculation. */
export class CostLineDto {
  @EnumField(COST_CATEGORIES, { optional: true }) category?: (typeof COST_CATEGORIES)[number];
  @StringField({ optional: true, nullable: true, maxLength: 500 }) name?: string | null;
  @StringField({ optional: true, nullable: true, maxLength: 50, example: 'godzina' }) unit?: string | null;
  @QuantityField() quantity?: number | null;
  @MoneyField({ optional: true, nullable: true }) unitCost?: string | null;
  @MoneyField({ optional: true, nullable: true }) fromGrant?: string | null;
  @MoneyField({ optional: true, nullable: true }) fromOwn?: string | null;
  @MoneyField({ optional: true, nullable: true }) fromOther?: string | null;
}

/** Section V.B: the sources of funding. */
export class FundingDto {
  @MoneyField({ optional: true, nullable: true }) grantRequested?: string | null;
  @MoneyField({ optional: true, nullable: true }) ownFinancial?: string | null;
  @MoneyField({ optional: true, nullable: true }) benefitPayments?: string | null;
  @MoneyField({ optional: true, nullable: true }) otherPublic?: string | null;
  @MoneyField({ optional: true, nullable: true }) otherFunds?: string | null;
  @MoneyField({ optional: true, nullable: true }) personalInput?: string | null;
  @MoneyField({ optional: true, nullable: true }) inKindInput?: string | null;
}

/** The form's sections; every field may be left out of a draft. */
export class OfferContentDto {
  @StringField({ optional: true, nullable: true, maxLength: 500 }) title?: string | null;
  @StringField({ optional: true, nullable: true, maxLength: 1000 }) place?: string | null;
  @StringField({ optional: true, nullable: true, maxLength: TEXT, trim: false }) targetGroup?: string | null;
  @StringField({ optional: true, nullable: true, maxLength: TEXT, trim: false }) summary?: string | null;
  @DateField({ optional: true, nullable: true }) startDate?: string | null;
  @DateField({ optional: true, nullable: true }) endDate?: string | null;
  @RowsField(() => ScheduleItemDto, 100, 'Section IV.9') schedule?: ScheduleItemDto[];
  @RowsField(() => ResultItemDto, 100, 'Section IV.10') results?: ResultItemDto[];
  @StringField({ optional: true, nullable: true, maxLength: TEXT, trim: false }) priorActivity?: string | null;
  @StringField({ optional: true, nullable: true, maxLength: TEXT, trim: false }) resources?: string | null;
  @RowsField(() => CostLineDto, 200, 'Section V.A') costs?: CostLineDto[];
  @ApiPropertyOptional({ type: FundingDto })
  @ValidateIf((_o, v) => v !== undefined)
  @IsDefined({ message: 'must not be null' })
  @ValidateNested()
  @Type(() => FundingDto)
  funding?: FundingDto;
  @StringField({ optional: true, nullable: true, maxLength: TEXT, trim: false }) volunteers?: string | null;
  @StringField({ optional: true, nullable: true, maxLength: TEXT, trim: false }) otherInformation?: string | null;
}

export class CreateOfferDto extends OfferContentDto {
  @UuidListField({ optional: true, minSize: 1, maxSize: 10, description: 'The lead (your NGO) first; more make a joint offer. Default: your NGO alone' }) ngoIds?: string[];
}

export class UpdateOfferDto extends OfferContentDto {
  @IntField({ min: 1, description: 'The version read; a stale one is 409' }) version: number;
  @UuidListField({ optional: true, minSize: 1, maxSize: 10 }) ngoIds?: string[];
}

export class VersionDto {
  @IntField({ min: 1, description: 'The version read; a stale one is 409' }) version: number;
}

export class FormalCheckDto {
  @EnumField(FORMAL_RESULTS) result: (typeof FORMAL_RESULTS)[number];
  @StringField({ optional: true, nullable: true, maxLength: 5000, trim: false, description: 'Required for a rejection' }) reason?: string | null;
}

export class ScoreItemDto {
  @StringField({ maxLength: 40 }) code: string;
  @ApiProperty({ type: Number, minimum: 0 })
  @IsDefined({ message: 'is required' })
  @IsNumber({ maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false }, { message: 'must be a number with at most two decimals' })
  @Min(0, { message: 'must be at least 0' })
  points: number;
  @StringField({ optional: true, nullable: true, maxLength: 5000, trim: false }) comment?: string | null;
}

export class ScoresDto {
  @ApiProperty({ type: [ScoreItemDto] })
  @IsDefined({ message: 'is required' })
  @IsArray({ message: 'must be a list' })
  @ArrayMaxSize(30, { message: 'must hold at most 30 scores' })
  @ValidateNested({ each: true })
  @Type(() => ScoreItemDto)
  scores: ScoreItemDto[];
}

export class OfferQuery extends PageQuery {
  @EnumField(OFFER_STATUSES, { optional: true }) status?: OfferStatus;
}

export class FormalCheckView {
  @ApiProperty({ enum: FORMAL_RESULTS }) result: string;
  @ApiProperty({ type: String, nullable: true }) reason: string | null;
  @ApiProperty({ format: 'uuid' }) by: string;
  @ApiProperty({ format: 'date-time' }) at: string;
}

export class RuleProblem {
  @ApiProperty() field: string;
  @ApiProperty() rule: string;
  @ApiProperty() message: string;
}

export class OfferView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) callId: string;
  @ApiProperty({ type: [String], description: 'The lead first' }) ngoIds: string[];
  @ApiProperty({ type: String, nullable: true }) title: string | null;
  @ApiProperty({ type: String, nullable: true }) place: string | null;
  @ApiProperty({ type: String, nullable: true }) targetGroup: string | null;
  @ApiProperty({ type: String, nullable: true }) summary: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date' }) startDate: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date' }) endDate: string | null;
  @ApiProperty({ type: [ScheduleItemDto] }) schedule: ScheduleItemDto[];
  @ApiProperty({ type: [ResultItemDto] }) results: ResultItemDto[];
  @ApiProperty({ type: String, nullable: true }) priorActivity: string | null;
  @ApiProperty({ type: String, nullable: true }) resources: string | null;
  @ApiProperty({ type: [CostLineDto] }) costs: CostLineDto[];
  @ApiProperty({ type: FundingDto }) funding: FundingDto;
  @ApiProperty({ type: String, nullable: true }) volunteers: string | null;
  @ApiProperty({ type: String, nullable: true }) otherInformation: string | null;
  @ApiProperty({ enum: OFFER_STATUSES }) status: OfferStatus;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) submittedAt: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'SHA-256 of the submitted offer\'s canonical JSON (RFC 8785)' }) checksum: string | null;
  @ApiProperty({ type: FormalCheckView, nullable: true }) formalCheck: FormalCheckView | null;
  @ApiProperty({ type: String, nullable: true, description: 'The amount awarded' }) award: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid', description: 'The funded task the award became' }) taskId: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'The mean of the members\' totals: to officials, and to the NGO after resolution' }) score?: string | null;
  @ApiPropertyOptional({ type: [RuleProblem], description: 'To the NGO while a draft: the rules submission would find broken now' }) problems?: RuleProblem[];
  @ApiProperty({ type: 'integer' }) version: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class OfferPage extends PageMeta {
  @ApiProperty({ type: [OfferView] }) items: OfferView[];
}

export class AddMemberDto {
  @UuidField({ description: 'An official or admin, or a person an NGO nominated (a user of the ngo role)' }) userId: string;
  @EnumField(['chair', 'member'] as const, { optional: true, description: 'Default: member' }) role?: 'chair' | 'member';
  @UuidField({ optional: true, nullable: true, description: 'The NGO that nominated the person (default for an ngo user: its NGO)' }) nominatedBy?: string | null;
}

export class DeclarationDto {
  @UuidListField({ maxSize: 1000, description: 'The offers the member has a conflict of interest with (art. 24 k.p.a.); may be empty' }) conflicts: string[];
}

export class CallMemberView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty() email: string;
  @ApiProperty({ enum: ['chair', 'member'] }) role: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) nominatedBy: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) declaredAt: string | null;
  @ApiProperty({ type: [String], description: 'Offers declared in conflict (to officials and the member only)' }) conflicts: string[];
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) suspendedAt: string | null;
  @ApiProperty({ type: String, nullable: true }) suspensionReason: string | null;
}

export class RankingItem {
  @ApiProperty() position: number;
  @ApiProperty({ format: 'uuid' }) offerId: string;
  @ApiProperty({ type: String, nullable: true }) title: string | null;
  @ApiProperty({ type: [String] }) ngoIds: string[];
  @ApiProperty({ type: [String] }) ngoNames: string[];
  @ApiProperty({ type: String, nullable: true }) grantRequested: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Mean of the members\' totals' }) score: string | null;
  @ApiProperty({ type: 'integer' }) cards: number;
  @ApiProperty({ enum: OFFER_STATUSES }) status: string;
  @ApiProperty({ type: String, nullable: true }) award: string | null;
}
