import { BoolField, DateField, EmailField, EnumField, IntField, KrsField, NipField, PageMeta, PageQuery, RegonField, SPHERE_CODE, SphereCodesField, StringField, UrlField } from '@app/core';
import { ApiProperty } from '@nestjs/swagger';
import { LEGAL_FORMS, type LegalForm } from '../ngo.entity';

export class CreateNgoDto {
  @StringField({ maxLength: 500, example: 'Stowarzyszenie Przyjaciół Nowej Huty' }) name: string;
  @EnumField(LEGAL_FORMS) legalForm: LegalForm;
  @KrsField({ optional: true, nullable: true }) krs?: string | null;
  @NipField({ optional: true, nullable: true }) nip?: string | null;
  @RegonField({ optional: true, nullable: true }) regon?: string | null;
  @EmailField({ optional: true, nullable: true }) email?: string | null;
  @UrlField({ optional: true, nullable: true, example: 'https://example.org' }) website?: string | null;
  @StringField({ optional: true, nullable: true, maxLength: 1000, example: 'ul. Reymonta 20, 30-059 Kraków' }) address?: string | null;
  @SphereCodesField({ optional: true }) spheres?: string[];
  @BoolField({ optional: true, description: 'Public-benefit organisation status (OPP)' }) publicBenefit?: boolean;
  @DateField({ optional: true, nullable: true, description: 'The date the organisation was registered (KRS entry or founding)' }) registeredOn?: string | null;
}

export class UpdateNgoDto {
  @IntField({ min: 1, description: 'The version read; a stale one is 409' }) version: number;
  @StringField({ optional: true, maxLength: 500 }) name?: string;
  @EnumField(LEGAL_FORMS, { optional: true }) legalForm?: LegalForm;
  @KrsField({ optional: true, nullable: true }) krs?: string | null;
  @NipField({ optional: true, nullable: true }) nip?: string | null;
  @RegonField({ optional: true, nullable: true }) regon?: string | null;
  @EmailField({ optional: true, nullable: true }) email?: string | null;
  @UrlField({ optional: true, nullable: true }) website?: string | null;
  @StringField({ optional: true, nullable: true, maxLength: 1000 }) address?: string | null;
  @SphereCodesField({ optional: true }) spheres?: string[];
  @BoolField({ optional: true }) publicBenefit?: boolean;
  @DateField({ optional: true, nullable: true }) registeredOn?: string | null;
}

export class NgoQuery extends PageQuery {
  @StringField({ optional: true, maxLength: 200, description: 'Part of the name, or the start of the KRS or NIP' }) search?: string;
  @StringField({ optional: true, maxLength: 3, pattern: SPHERE_CODE, patternMessage: 'must be a sphere code such as "1a"', description: 'A sphere code the NGO works in', example: '16' }) sphere?: string;
  @BoolField({ optional: true, fromQuery: true, description: 'Only archived (true) or only active (false) NGOs; both when left out' }) archived?: boolean;
}

export class NgoView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: LEGAL_FORMS }) legalForm: LegalForm;
  @ApiProperty({ type: String, nullable: true }) krs: string | null;
  @ApiProperty({ type: String, nullable: true }) nip: string | null;
  @ApiProperty({ type: String, nullable: true }) regon: string | null;
  @ApiProperty({ type: String, nullable: true }) email: string | null;
  @ApiProperty({ type: String, nullable: true }) website: string | null;
  @ApiProperty({ type: String, nullable: true }) address: string | null;
  @ApiProperty({ type: [String] }) spheres: string[];
  @ApiProperty() publicBenefit: boolean;
  @ApiProperty({ type: String, format: 'date', nullable: true }) registeredOn: string | null;
  @ApiProperty() archived: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) archivedAt: string | null;
  @ApiProperty({ type: 'integer' }) version: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class NgoPage extends PageMeta {
  @ApiProperty({ type: [NgoView] }) items: NgoView[];
}
