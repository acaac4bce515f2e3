import { StringField } from '@app/core';
import { ApiProperty } from '@nestjs/swagger';
import type { Summary } from '../report.types';

export class ReportListItem {
  @ApiProperty({ type: 'integer', example: 2019 }) year: number;
  @ApiProperty({ enum: ['draft', 'published'] }) status: 'draft' | 'published';
  @ApiProperty({ format: 'date-time' }) compiledAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) publishedAt: string | null;
  @ApiProperty({ type: 'integer', description: 'The newest published revision, from 1; 0 before the first publication' }) revision: number;
  @ApiProperty({ description: 'SHA-256 (lowercase hex) of the RFC 8785 (JCS) canonical JSON of the newest compile\'s summary, in UTF-8' }) contentHash: string;
  @ApiProperty({ description: 'After 31 May of the next year with no revision published' }) overdue: boolean;
}

export class ReportView {
  @ApiProperty({ type: 'integer' }) year: number;
  @ApiProperty({ enum: ['draft', 'published'], description: 'draft: the newest compile is newer than the newest published revision (or none is published)' }) status: 'draft' | 'published';
  @ApiProperty({ type: 'integer' }) revision: number;
  @ApiProperty({ format: 'date-time' }) compiledAt: string;
  @ApiProperty() contentHash: string;
  @ApiProperty({ type: Object, description: 'The figures of ../shared/domain.md: programmes, tasks, activities, commissions, ngos' }) summary: Summary;
}

export class PublicReportView {
  @ApiProperty({ type: 'integer' }) year: number;
  @ApiProperty({ type: 'integer' }) revision: number;
  @ApiProperty({ format: 'date-time' }) publishedAt: string;
  @ApiProperty() contentHash: string;
  @ApiProperty({ type: Object }) summary: Summary;
}

export class PublishReportDto {
  @StringField({ optional: true, pattern: /^[0-9a-f]{64}$/, patternMessage: 'must be a lowercase hex SHA-256', description: 'The contentHash of the draft the caller reviewed: publication is refused (422) when the data have changed since' })
  contentHash?: string;
}
