import { BoolField, DateField, EnumField, IntField, MoneyField, PageMeta, PageQuery, SphereCodesField, StringField, UuidField } from '@app/core';
import { ApiProperty } from '@nestjs/swagger';
import { PROGRAM_KINDS, type ProgramKind } from '../program.entity';

const YEAR = { min: 2000, max: 2100 } as const;

export class CreateProgramDto {
  @StringField({ maxLength: 500, example: 'Wieloletni Program Współpracy Gminy Miejskiej Kraków z Organizacjami Pozarządowymi na lata 2019-2022' }) title: string;
  @EnumField(PROGRAM_KINDS) kind: ProgramKind;
  @IntField({ ...YEAR, example: 2019 }) startYear: number;
  @IntField({ ...YEAR, example: 2022 }) endYear: number;
  @UuidField({ optional: true, nullable: true, description: 'The multi-year programme an annual one belongs to' }) parentId?: string | null;
  @StringField({ optional: true, nullable: true, maxLength: 100, description: 'The council resolution that adopted it' }) resolutionNumber?: string | null;
  @DateField({ optional: true, nullable: true }) adoptedOn?: string | null;
  @SphereCodesField({ optional: true }) spheres?: string[];
  @MoneyField({ optional: true, nullable: true }) plannedBudget?: string | null;
}

export class UpdateProgramDto {
  @IntField({ min: 1, description: 'The version read; a stale one is 409' }) version: number;
  @StringField({ optional: true, maxLength: 500 }) title?: string;
  @EnumField(PROGRAM_KINDS, { optional: true }) kind?: ProgramKind;
  @IntField({ optional: true, ...YEAR }) startYear?: number;
  @IntField({ optional: true, ...YEAR }) endYear?: number;
  @UuidField({ optional: true, nullable: true }) parentId?: string | null;
  @StringField({ optional: true, nullable: true, maxLength: 100 }) resolutionNumber?: string | null;
  @DateField({ optional: true, nullable: true }) adoptedOn?: string | null;
  @SphereCodesField({ optional: true }) spheres?: string[];
  @MoneyField({ optional: true, nullable: true }) plannedBudget?: string | null;
}

export class ProgramQuery extends PageQuery {
  @EnumField(PROGRAM_KINDS, { optional: true }) kind?: ProgramKind;
  @IntField({ optional: true, ...YEAR, fromQuery: true, description: 'Programmes in force in this year' }) year?: number;
  @UuidField({ optional: true, description: 'The annual programmes of this multi-year one' }) parentId?: string;
  @StringField({ optional: true, maxLength: 200, description: 'Part of the title or resolution number' }) search?: string;
  @BoolField({ optional: true, fromQuery: true, description: 'Only archived (true) or only active (false); both when left out' }) archived?: boolean;
}

export class ProgramView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() title: string;
  @ApiProperty({ enum: PROGRAM_KINDS }) kind: ProgramKind;
  @ApiProperty({ type: 'integer' }) startYear: number;
  @ApiProperty({ type: 'integer' }) endYear: number;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) parentId: string | null;
  @ApiProperty({ type: String, nullable: true }) resolutionNumber: string | null;
  @ApiProperty({ type: String, format: 'date', nullable: true }) adoptedOn: string | null;
  @ApiProperty({
    type: Boolean,
    nullable: true,
    description: 'Annual programmes: whether it was adopted by 30 November of the year before (null when unknown or multi-year)',
  })
  adoptedOnTime: boolean | null;
  @ApiProperty({ type: [String] }) spheres: string[];
  @ApiProperty({ type: String, nullable: true, example: '1500000.00' }) plannedBudget: string | null;
  @ApiProperty() archived: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) archivedAt: string | null;
  @ApiProperty({ type: 'integer' }) version: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class ProgramTotals {
  @ApiProperty({ type: 'integer', description: 'Funded tasks of the programme and its annual programmes' }) tasks: number;
  @ApiProperty({ example: '125000.00' }) granted: string;
  @ApiProperty({ example: '120000.00' }) settled: string;
}

export class ProgramDetailView extends ProgramView {
  @ApiProperty({ type: [ProgramView] }) children: ProgramView[];
  @ApiProperty({ type: ProgramTotals }) totals: ProgramTotals;
}

export class ProgramPage extends PageMeta {
  @ApiProperty({ type: [ProgramView] }) items: ProgramView[];
}
