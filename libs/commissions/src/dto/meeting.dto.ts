import { DateField, IntField, PageMeta, PageQuery, StringField } from '@app/core';
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsDefined, IsUUID, ValidateBy, ValidateIf } from 'class-validator';

/** A list of NGO ids, none twice; whether each exists in the municipality is the service's check (422). */
function NgoIdsField() {
  return applyDecorators(
    ApiPropertyOptional({ type: 'array', items: { type: 'string', format: 'uuid' }, description: 'The NGOs present' }),
    ValidateIf((_obj, value) => value !== undefined),
    IsDefined({ message: 'must not be null' }),
    ValidateBy({ name: 'isArray', validator: { validate: (v) => Array.isArray(v), defaultMessage: () => 'must be a list of NGO ids' } }),
    ArrayMaxSize(500, { message: 'must hold at most 500 ids' }),
    IsUUID('all', { each: true, message: 'must hold UUIDs only' }),
    ArrayUnique({ message: 'must not repeat an NGO' }),
  );
}

export class CreateMeetingDto {
  @DateField({ example: '2020-03-12' }) date: string;
  @StringField({ maxLength: 500, example: 'Posiedzenie KDO ds. Kultury: opinia o projekcie programu współpracy' }) title: string;
  @NgoIdsField() ngoIdsPresent?: string[];
}

export class MeetingQuery extends PageQuery {
  @IntField({ optional: true, min: 1000, max: 9999, fromQuery: true, description: 'Meetings of this calendar year' }) year?: number;
}

export class MeetingView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) commissionId: string;
  @ApiProperty({ format: 'date' }) date: string;
  @ApiProperty() title: string;
  @ApiProperty({ type: 'array', items: { type: 'string', format: 'uuid' } }) ngoIdsPresent: string[];
  @ApiProperty({ type: 'integer' }) version: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class MeetingPage extends PageMeta {
  @ApiProperty({ type: [MeetingView] }) items: MeetingView[];
}
