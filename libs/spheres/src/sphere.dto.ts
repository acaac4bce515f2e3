import { BoolField, DateField } from '@app/core';
import { ApiProperty } from '@nestjs/swagger';

export class SphereQuery {
  @DateField({ optional: true, description: 'The day whose spheres to list (default: today)' }) on?: string;
  @BoolField({ optional: true, fromQuery: true, description: 'List every version, in force or not' }) all?: boolean;
}

export class SphereView {
  @ApiProperty({ example: '1a' }) code: string;
  @ApiProperty({ example: 'wspieranie rodziny i systemu pieczy zastępczej' }) name: string;
  @ApiProperty({ type: String, format: 'date', nullable: true }) validFrom: string | null;
  @ApiProperty({ type: String, format: 'date', nullable: true }) validTo: string | null;
}
