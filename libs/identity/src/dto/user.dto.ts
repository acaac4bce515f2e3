import { EmailField, EnumField, PageMeta, ROLES, StringField, UuidField, type Role } from '@app/core';
import { ApiProperty } from '@nestjs/swagger';

/** Passwords are taken as typed: not trimmed. */
export const PASSWORD_RULES = { minLength: 8, maxLength: 200, trim: false } as const;

export class CreateUserDto {
  @EmailField({ example: 'official@krakow.example' }) email: string;
  @StringField({ ...PASSWORD_RULES, description: 'At least 8 characters' }) password: string;
  @EnumField(ROLES) role: Role;
  @UuidField({ optional: true, nullable: true, description: 'Required for the ngo role: the NGO the user speaks for' }) ngoId?: string | null;
}

export class MunicipalityRef {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() slug: string;
  @ApiProperty() name: string;
}

export class MeView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() email: string;
  @ApiProperty({ enum: ROLES }) role: Role;
  @ApiProperty() platformAdmin: boolean;
  @ApiProperty({ type: MunicipalityRef }) municipality: MunicipalityRef;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) ngoId: string | null;
}

export class UserView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() email: string;
  @ApiProperty({ enum: ROLES }) role: Role;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) ngoId: string | null;
  @ApiProperty() platformAdmin: boolean;
  @ApiProperty({ format: 'uuid' }) municipalityId: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class UserPage extends PageMeta {
  @ApiProperty({ type: [UserView] }) items: UserView[];
}
