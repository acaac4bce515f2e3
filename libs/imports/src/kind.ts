import type { AuditEntity } from '@app/audit';
import type { Actor } from '@app/core';
import type { Type } from '@nestjs/common';
import type { ColumnSpec } from './columns';
import type { ImportKind } from './dto/import.dto';

/** What a file of one kind holds and where its rows go. */
export interface KindSpec {
  kind: ImportKind;
  entity: AuditEntity;
  /** The Create DTO of the matching POST route: the file's columns and the rules a row is checked against. */
  dto: Type;
  columns: ColumnSpec[];
  create(actor: Actor, dto: object): Promise<unknown>;
  /** Unique fields, to tell a clash with an earlier row of the same file. */
  unique: string[];
}
