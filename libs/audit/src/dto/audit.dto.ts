import { DateField, EnumField, PageMeta, PageQuery, StringField, UuidField } from '@app/core';
import { ApiProperty } from '@nestjs/swagger';
import { AUDIT_ACTIONS, AUDIT_ENTITIES, type AuditAction, type AuditEntity } from '../audit-trail';

export class AuditQuery extends PageQuery {
  @EnumField(AUDIT_ENTITIES, { optional: true }) entity?: AuditEntity;
  @StringField({ optional: true, maxLength: 100, description: 'The id of the record written' }) entityId?: string;
  @EnumField(AUDIT_ACTIONS, { optional: true }) action?: AuditAction;
  @UuidField({ optional: true, description: 'The user who wrote' }) actorId?: string;
  @DateField({ optional: true, description: 'Entries from this day on (UTC)' }) from?: string;
  @DateField({ optional: true, description: 'Entries up to and including this day (UTC)' }) to?: string;
}

export class AuditActorView {
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'null for the system itself' }) id: string | null;
  @ApiProperty({ type: String, nullable: true }) email: string | null;
}

export class AuditEntryView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ type: 'integer', description: 'Position in the municipality\'s chain, from 1' }) seq: number;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ type: AuditActorView }) actor: AuditActorView;
  @ApiProperty({ enum: AUDIT_ACTIONS }) action: AuditAction;
  @ApiProperty({ enum: AUDIT_ENTITIES }) entity: AuditEntity;
  @ApiProperty({ type: String, nullable: true }) entityId: string | null;
  @ApiProperty({ type: Object, nullable: true, description: 'The record before the write (null for a create)' }) before: unknown;
  @ApiProperty({ type: Object, nullable: true, description: 'The record after the write' }) after: unknown;
  @ApiProperty({ description: 'SHA-256 (hex) over this entry and prevHash' }) hash: string;
  @ApiProperty({ description: 'The previous entry\'s hash; 64 zeros for the first' }) prevHash: string;
}

export class AuditPage extends PageMeta {
  @ApiProperty({ type: [AuditEntryView] }) items: AuditEntryView[];
}

export class BrokenEntryView {
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'null when the entry itself is missing (the end of the chain was cut off)' }) id: string | null;
  @ApiProperty({ type: 'integer' }) seq: number;
  @ApiProperty({ enum: ['content-changed', 'chain-broken', 'missing'], description: 'content-changed: the entry\'s hash does not cover its content; chain-broken: an entry before it is missing or its prevHash does not match; missing: the chain ends before its recorded head' })
  reason: 'content-changed' | 'chain-broken' | 'missing';
}

export class AuditVerification {
  @ApiProperty() valid: boolean;
  @ApiProperty({ type: 'integer' }) entries: number;
  @ApiProperty({ type: BrokenEntryView, nullable: true }) firstBroken: BrokenEntryView | null;
  @ApiProperty({ type: String, nullable: true, description: 'The hash of the chain\'s head (audit_heads): keep it outside the database (a published report, a log) to anchor the trail; null while the trail is empty' })
  headHash: string | null;
  @ApiProperty({ type: 'integer', description: 'The seq of the chain\'s head; 0 while the trail is empty' }) headSeq: number;
}
