import { DateField, EnumField, IntField, PageMeta, PageQuery, StringField, UuidField } from '@app/core';
import { ApiProperty } from '@nestjs/swagger';
import { MEMBER_ROLES, type MemberRole } from '../member.entity';

export class AddMemberDto {
  @UuidField({ description: 'The member NGO, of this municipality' }) ngoId: string;
  @StringField({ maxLength: 200, description: 'The person who represents the NGO', example: 'Anna Nowak' }) representative: string;
  @EnumField(MEMBER_ROLES) role: MemberRole;
  @DateField({ description: 'First day of membership' }) from: string;
  @DateField({ optional: true, nullable: true, description: 'Last day of membership (inclusive); empty while it lasts' }) to?: string | null;
}

export class UpdateMemberDto {
  @IntField({ min: 1, description: 'The version read; a stale one is 409' }) version: number;
  @StringField({ optional: true, maxLength: 200 }) representative?: string;
  @EnumField(MEMBER_ROLES, { optional: true }) role?: MemberRole;
  @DateField({ optional: true }) from?: string;
  @DateField({ optional: true, nullable: true }) to?: string | null;
}

export class MemberQuery extends PageQuery {
  @DateField({ optional: true, description: 'Only the members active that day; every membership (history included) when left out' }) on?: string;
}

export class EndMemberQuery {
  @DateField({ optional: true, description: 'The last day of membership (default: today, Europe/Warsaw)' }) on?: string;
}

export class MemberNgoView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: String, nullable: true }) krs: string | null;
}

export class MemberView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) commissionId: string;
  @ApiProperty({ format: 'uuid' }) ngoId: string;
  @ApiProperty({ type: MemberNgoView }) ngo: MemberNgoView;
  @ApiProperty() representative: string;
  @ApiProperty({ enum: MEMBER_ROLES }) role: MemberRole;
  @ApiProperty({ format: 'date' }) from: string;
  @ApiProperty({ type: String, format: 'date', nullable: true, description: 'Last day of membership (inclusive)' }) to: string | null;
  @ApiProperty({ description: 'A member today (Europe/Warsaw)' }) active: boolean;
  @ApiProperty({ type: 'integer' }) version: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class MemberPage extends PageMeta {
  @ApiProperty({ type: [MemberView] }) items: MemberView[];
}

export class MembershipCommissionView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
}

export class MembershipView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ type: MembershipCommissionView }) commission: MembershipCommissionView;
  @ApiProperty() representative: string;
  @ApiProperty({ enum: MEMBER_ROLES }) role: MemberRole;
  @ApiProperty({ format: 'date' }) from: string;
  @ApiProperty({ type: String, format: 'date', nullable: true }) to: string | null;
  @ApiProperty({ description: 'A member today (Europe/Warsaw)' }) active: boolean;
}

export class MembershipPage extends PageMeta {
  @ApiProperty({ type: [MembershipView] }) items: MembershipView[];
}
