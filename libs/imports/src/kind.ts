import type { AuditEntity } from '@app/audit';
import type { Actor, DomainError } from '@app/core';
import type { Type } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
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
  /** Data rows in one file at most (IMPORT_ROW_LIMITS). */
  maxRows: number;
  /** The service's batch create, when it has one: the file goes in chunks (bulk.ts) instead of row by row through create(). */
  batch?(em: EntityManager, actor: Actor): RowBatch;
}

/** A service's create of many rows in the caller's transaction, chunk by chunk, with every rule of its create() (TasksService.batch). */
export interface RowBatch {
  /** Reads (and locks) what the rules of these rows need. */
  read(dtos: object[]): Promise<void>;
  /** The error create() would throw for the row, after the rows accepted before it; null when none. */
  check(dto: object): DomainError | null;
  /** Counts a good row for the rules of the rows after it. */
  accept(dto: object): void;
  /** Writes good rows, each with its audit entry. */
  insert(dtos: object[]): Promise<void>;
}
