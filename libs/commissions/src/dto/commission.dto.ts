import { DateField, IntField, PageMeta, PageQuery, SPHERE_CODE, StringField } from '@app/core';
import { ApiProperty } from '@nestjs/swagger';

const SPHERE = { maxLength: 3, pattern: SPHERE_CODE, patternMessage: 'must be a sphere code such as "1a"' } as const;

export class CreateCommissionDto {
  @StringField({ maxLength: 300, example: 'Komisja Dialogu Obywatelskiego ds. Kultury' }) name: string;
  @StringField({ optional: true, nullable: true, ...SPHERE, description: 'The public-benefit sphere the commission advises on', example: '16' }) sphere?: string | null;
  @StringField({ maxLength: 200, description: 'The department of the city office that runs it', example: 'Wydział Kultury i Dziedzictwa Narodowego' }) department: string;
  @DateField({ description: 'First day of the term (kadencja)', example: '2019-01-01' }) termStart: string;
  @DateField({ description: 'Last day of the term', example: '2022-12-31' }) termEnd: string;
}

export class UpdateCommissionDto {
  @IntField({ min: 1, description: 'The version read; a stale one is 409' }) version: number;
  @StringField({ optional: true, maxLength: 300 }) name?: string;
  @StringField({ optional: true, nullable: true, ...SPHERE }) sphere?: string | null;
  @StringField({ optional: true, maxLength: 200 }) department?: string;
  @DateField({ optional: true }) termStart?: string;
  @DateField({ optional: true }) termEnd?: string;
}

export class CommissionQuery extends PageQuery {
  @DateField({ optional: true, description: 'Commissions whose term contains this day' }) on?: string;
  @StringField({ optional: true, maxLength: 200, description: 'Part of the name' }) search?: string;
  @StringField({ optional: true, ...SPHERE, example: '16' }) sphere?: string;
  @StringField({ optional: true, maxLength: 200, description: 'The department (exact, case-insensitive)' }) department?: string;
}

export class CommissionView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: String, nullable: true }) sphere: string | null;
  @ApiProperty() department: string;
  @ApiProperty({ format: 'date' }) termStart: string;
  @ApiProperty({ format: 'date' }) termEnd: string;
  @ApiProperty({ type: 'integer' }) version: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class CommissionPage extends PageMeta {
  @ApiProperty({ type: [CommissionView] }) items: CommissionView[];
}
