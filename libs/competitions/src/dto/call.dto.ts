import { DateField, EnumField, IntField, MoneyField, PageMeta, PageQuery, SPHERE_CODE, StringField, UuidField } from '@app/core';
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsISO8601, IsNumber, IsOptional, Max, Min, ValidateIf, ValidateNested, IsDefined } from 'class-validator';

export const CALL_FORMS = ['support', 'entrustment'] as const;
export const CALL_STATUSES = ['draft', 'published', 'closed', 'resolved', 'cancelled'] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];
export const CANCELLATION_REASONS = ['no-offers', 'no-valid-offers'] as const;

const SPHERE = { maxLength: 3, pattern: SPHERE_CODE, patternMessage: 'must be a sphere code such as "1a"' } as const;
const LONG_TEXT = 20_000;

export class CriterionDto {
  @StringField({ maxLength: 40, pattern: /^[a-z0-9-]+$/, patternMessage: 'must be lower-case letters, digits and dashes', example: 'feasibility' }) code: string;
  @StringField({ maxLength: 300, example: 'Możliwość realizacji zadania' }) name: string;
  @IntField({ min: 1, max: 100, example: 10 }) maxPoints: number;
}

/** An instant with its offset, e.g. "2019-03-22T15:30:00+01:00" or "…Z". */
function InstantField(o: { optional?: boolean; description?: string } = {}) {
  return (target: object, key: string) => {
    (o.optional ? ApiPropertyOptional : ApiProperty)({ type: String, format: 'date-time', description: o.description, example: '2019-03-22T15:30:00+01:00' })(target, key);
    if (o.optional) ValidateIf((_obj, v) => v !== undefined)(target, key);
    IsDefined({ message: 'is required' })(target, key);
    IsISO8601({ strict: true, strictSeparator: true }, { message: 'must be an instant such as 2019-03-22T15:30:00+01:00' })(target, key);
  };
}

function PercentField(o: { optional?: boolean } = {}) {
  return (target: object, key: string) => {
    ApiPropertyOptional({ type: Number, minimum: 0, maximum: 100, description: 'Percent of the total cost (support only)', example: 10 })(target, key);
    IsOptional()(target, key);
    IsNumber({ maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false }, { message: 'must be a number with at most two decimals' })(target, key);
    Min(0, { message: 'must be at least 0' })(target, key);
    Max(100, { message: 'must be at most 100' })(target, key);
    void o;
  };
}

/** The call's criteria: 1 to 30 rows; left out, art. 15 ust. 1 of the Act. */
function CriteriaField() {
  return applyDecorators(
    ApiPropertyOptional({ type: [CriterionDto], description: 'Default: art. 15 ust. 1 of the Act' }),
    IsOptional(),
    IsArray({ message: 'must be a list' }),
    ArrayMinSize(1, { message: 'must hold at least one criterion' }),
    ArrayMaxSize(30, { message: 'must hold at most 30 criteria' }),
    ValidateNested({ each: true }),
    Type(() => CriterionDto),
  );
}

export class CreateCallDto {
  @UuidField({ description: 'The annual programme the call carries out' }) programId: string;
  @StringField({ maxLength: 100, example: 'OK-2019-12' }) number: string;
  @StringField({ maxLength: 500, example: 'Wspieranie aktywności seniorów w 2019 roku' }) title: string;
  @StringField({ ...SPHERE, example: '4' }) sphere: string;
  @EnumField(CALL_FORMS) form: (typeof CALL_FORMS)[number];
  @StringField({ maxLength: 200, example: 'Wydział Polityki Społecznej i Zdrowia' }) department: string;
  @MoneyField({ min: '0.01', description: 'The funds allocated to the call (PLN)' }) budget: string;
  @DateField() taskStart: string;
  @DateField() taskEnd: string;
  @InstantField({ description: 'The offers are accepted until this instant (at least 21 days after publication)' }) offersUntil: string;
  @StringField({ maxLength: LONG_TEXT, trim: false, description: 'The rules of awarding the grants' }) grantRules: string;
  @StringField({ maxLength: LONG_TEXT, trim: false, description: 'The procedure and date of the selection of offers' }) selectionProcedure: string;
  @DateField({ description: 'The selection is made by this day' }) decisionBy: string;
  @MoneyField({ optional: true, nullable: true }) minGrant?: string | null;
  @MoneyField({ optional: true, nullable: true }) maxGrant?: string | null;
  @PercentField() ownContributionMin?: number | null;
  @CriteriaField() criteria?: CriterionDto[];
}

export class UpdateCallDto {
  @IntField({ min: 1, description: 'The version read; a stale one is 409' }) version: number;
  @UuidField({ optional: true }) programId?: string;
  @StringField({ optional: true, maxLength: 100 }) number?: string;
  @StringField({ optional: true, maxLength: 500 }) title?: string;
  @StringField({ optional: true, ...SPHERE }) sphere?: string;
  @EnumField(CALL_FORMS, { optional: true }) form?: (typeof CALL_FORMS)[number];
  @StringField({ optional: true, maxLength: 200 }) department?: string;
  @MoneyField({ optional: true, min: '0.01' }) budget?: string;
  @DateField({ optional: true }) taskStart?: string;
  @DateField({ optional: true }) taskEnd?: string;
  @InstantField({ optional: true }) offersUntil?: string;
  @StringField({ optional: true, maxLength: LONG_TEXT, trim: false }) grantRules?: string;
  @StringField({ optional: true, maxLength: LONG_TEXT, trim: false }) selectionProcedure?: string;
  @DateField({ optional: true }) decisionBy?: string;
  @MoneyField({ optional: true, nullable: true }) minGrant?: string | null;
  @MoneyField({ optional: true, nullable: true }) maxGrant?: string | null;
  @PercentField() ownContributionMin?: number | null;
  @CriteriaField() criteria?: CriterionDto[];
}

export class CancelCallDto {
  @EnumField(CANCELLATION_REASONS, { description: 'art. 18a: no offer was submitted, or none meets the requirements' }) reason: (typeof CANCELLATION_REASONS)[number];
  @StringField({ maxLength: 5000, trim: false, description: 'Published with the cancellation' }) justification: string;
}

export class AwardDto {
  @UuidField() offerId: string;
  @MoneyField({ min: '0.01' }) amount: string;
}

export class ResolveCallDto {
  @ApiProperty({ type: [AwardDto] })
  @IsDefined({ message: 'is required' })
  @IsArray({ message: 'must be a list' })
  @ArrayMaxSize(1000, { message: 'must hold at most 1000 awards' })
  @ValidateNested({ each: true })
  @Type(() => AwardDto)
  awards: AwardDto[];
}

export class CallQuery extends PageQuery {
  @EnumField(CALL_STATUSES, { optional: true }) status?: CallStatus;
  @IntField({ optional: true, min: 2000, max: 2100, fromQuery: true, description: 'The year of the annual programme' }) year?: number;
  @StringField({ optional: true, maxLength: 200, description: 'Part of the title or number' }) search?: string;
}

export class Criterion {
  @ApiProperty() code: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: 'integer' }) maxPoints: number;
}

export class SpendOfYear {
  @ApiProperty({ type: 'integer' }) year: number;
  @ApiProperty({ type: 'integer', description: 'Funded tasks of the sphere that started that year' }) tasks: number;
  @ApiProperty({ description: 'Their granted amounts (PLN)' }) granted: string;
}

export class PriorSpend {
  @ApiProperty({ type: SpendOfYear }) currentYear: SpendOfYear;
  @ApiProperty({ type: SpendOfYear }) previousYear: SpendOfYear;
}

export class Cancellation {
  @ApiProperty({ enum: CANCELLATION_REASONS }) reason: string;
  @ApiProperty() justification: string;
}

export class CallView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) programId: string;
  @ApiProperty() number: string;
  @ApiProperty() title: string;
  @ApiProperty() sphere: string;
  @ApiProperty({ enum: CALL_FORMS }) form: string;
  @ApiProperty() department: string;
  @ApiProperty() budget: string;
  @ApiProperty({ format: 'date' }) taskStart: string;
  @ApiProperty({ format: 'date' }) taskEnd: string;
  @ApiProperty({ format: 'date-time' }) offersUntil: string;
  @ApiProperty() grantRules: string;
  @ApiProperty() selectionProcedure: string;
  @ApiProperty({ format: 'date' }) decisionBy: string;
  @ApiProperty({ type: String, nullable: true }) minGrant: string | null;
  @ApiProperty({ type: String, nullable: true }) maxGrant: string | null;
  @ApiProperty({ type: Number, nullable: true }) ownContributionMin: number | null;
  @ApiProperty({ type: [Criterion] }) criteria: Criterion[];
  @ApiProperty({ type: PriorSpend, description: 'art. 13 ust. 2 pkt 7, computed from the funded tasks of the sphere; frozen at publication' }) priorSpend: PriorSpend;
  @ApiProperty({ enum: CALL_STATUSES, description: 'closed the moment offersUntil passes' }) status: CallStatus;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) publishedAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) resolvedAt: string | null;
  @ApiProperty({ type: Cancellation, nullable: true }) cancellation: Cancellation | null;
  @ApiProperty({ type: 'integer' }) version: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class CallPage extends PageMeta {
  @ApiProperty({ type: [CallView] }) items: CallView[];
}
