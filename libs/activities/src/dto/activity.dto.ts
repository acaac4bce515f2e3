import { DateField, EnumField, IntField, PageMeta, PageQuery, StringField, UuidField, UuidListField } from '@app/core';
import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ACTIVITY_TYPES, type ActivityType } from '../activity.entity';

const YEAR = { min: 2000, max: 2100 } as const;
export const MAX_NGOS = 200;

/**
 * The NGOs taking part, in the order given. Ids are lower-cased first, so that one NGO written in
 * two cases is a repeat here rather than a key clash in the database.
 */
const NgoIdsField = () =>
  applyDecorators(
    Transform(({ value }) => (Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v.toLowerCase() : v)) : value)),
    UuidListField({ optional: true, maxSize: MAX_NGOS, description: 'The NGOs taking part, in order (may be empty)' }),
  );

export class CreateActivityDto {
  @UuidField({ description: 'The cooperation programme the activity belongs to' }) programId: string;
  @EnumField(ACTIVITY_TYPES) type: ActivityType;
  @StringField({ maxLength: 500, example: 'Konsultacje projektu programu współpracy na rok 2020' }) title: string;
  @DateField({ example: '2019-10-01' }) startDate: string;
  @DateField({ optional: true, nullable: true, example: '2019-10-31' }) endDate?: string | null;
  @StringField({ maxLength: 200, example: 'Wydział Polityki Społecznej i Zdrowia' }) department: string;
  @NgoIdsField() ngoIds?: string[];
  @IntField({ optional: true, nullable: true, min: 0, description: 'How many people took part' }) participants?: number | null;
}

export class UpdateActivityDto {
  @IntField({ min: 1, description: 'The version read; a stale one is 409' }) version: number;
  @UuidField({ optional: true }) programId?: string;
  @EnumField(ACTIVITY_TYPES, { optional: true }) type?: ActivityType;
  @StringField({ optional: true, maxLength: 500 }) title?: string;
  @DateField({ optional: true }) startDate?: string;
  @DateField({ optional: true, nullable: true }) endDate?: string | null;
  @StringField({ optional: true, maxLength: 200 }) department?: string;
  @NgoIdsField() ngoIds?: string[];
  @IntField({ optional: true, nullable: true, min: 0 }) participants?: number | null;
}

export class ActivityQuery extends PageQuery {
  @IntField({ optional: true, ...YEAR, fromQuery: true, description: 'Activities that start in this year' }) year?: number;
  @UuidField({ optional: true }) programId?: string;
  @UuidField({ optional: true, description: 'Activities this NGO takes part in' }) ngoId?: string;
  @EnumField(ACTIVITY_TYPES, { optional: true }) type?: ActivityType;
  @StringField({ optional: true, maxLength: 200, description: 'The department, exactly' }) department?: string;
  @StringField({ optional: true, maxLength: 200, description: 'Part of the title' }) search?: string;
}

export class ActivityView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) programId: string;
  @ApiProperty({ enum: ACTIVITY_TYPES }) type: ActivityType;
  @ApiProperty() title: string;
  @ApiProperty({ format: 'date' }) startDate: string;
  @ApiProperty({ type: String, format: 'date', nullable: true }) endDate: string | null;
  @ApiProperty() department: string;
  @ApiProperty({ type: 'array', items: { type: 'string', format: 'uuid' }, description: 'In the order given' }) ngoIds: string[];
  @ApiProperty({ type: 'integer', nullable: true }) participants: number | null;
  @ApiProperty({ type: 'integer' }) version: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class ActivityPage extends PageMeta {
  @ApiProperty({ type: [ActivityView] }) items: ActivityView[];
}
