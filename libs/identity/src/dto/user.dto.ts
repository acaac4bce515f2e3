import { BoolField, COMMON_PASSWORD_MESSAGE, EmailField, EnumField, IntField, isCommonPassword, PageMeta, ROLES, StringField, UuidField, type Role } from '@app/core';
import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { ValidateBy } from 'class-validator';

/** Passwords are taken as typed: not trimmed. */
export const PASSWORD_RULES = { minLength: 8, maxLength: 200, trim: false } as const;

/** A password being set: 8–200 characters, and not one of the most common passwords. */
export function NewPasswordField(o: { description?: string } = {}) {
  return applyDecorators(
    StringField({ ...PASSWORD_RULES, description: o.description ?? 'At least 8 characters, not one of the 50 000 most common passwords' }),
    ValidateBy({ name: 'notCommonPassword', validator: { validate: (v) => typeof v !== 'string' || !isCommonPassword(v), defaultMessage: () => COMMON_PASSWORD_MESSAGE } }),
  );
}

export class CreateUserDto {
  @EmailField({ example: 'official@krakow.example' }) email: string;
  @NewPasswordField() password: string;
  @EnumField(ROLES) role: Role;
  @UuidField({ optional: true, nullable: true, description: 'Required for the ngo role: the NGO the user speaks for' }) ngoId?: string | null;
}

export class UpdateUserDto {
  @EnumField(ROLES, { optional: true, description: 'A change revokes the user\'s tokens' }) role?: Role;
  @UuidField({ optional: true, nullable: true, description: 'The NGO of an ngo user; cleared when the role is no longer ngo' }) ngoId?: string | null;
  @BoolField({ optional: true, description: 'false deactivates: the user cannot sign in and their tokens are refused' }) active?: boolean;
  @IntField({ min: 1, description: 'The version read; a stale one is 409' }) version: number;
}

export class ChangePasswordDto {
  @StringField({ maxLength: 200, trim: false }) currentPassword: string;
  @NewPasswordField() newPassword: string;
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
  @ApiProperty({ description: 'false: deactivated, cannot sign in' }) active: boolean;
  @ApiProperty({ format: 'uuid' }) municipalityId: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: 'integer' }) version: number;
}

export class UserPage extends PageMeta {
  @ApiProperty({ type: [UserView] }) items: UserView[];
}
