import { audit, type AuditEntity } from '@app/audit';
import { AppValidationPipe, checkNip, compactId, currentManager, DomainError, isInputError, pgError, PG, toProblem, ValidationFailed, withAmbientTransaction, type Actor } from '@app/core';
import { NgosModule, NgosService } from '@app/ngos';
import { CreateTaskDto, TasksService } from '@app/tasks';
import { Injectable, Logger, type Type } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { bodyDtoOf, cellValue, columnsOf, type ColumnSpec } from './columns';
import { type ImportCheckView, type ImportedView, type ImportKind } from './dto/import.dto';
import { ImportRejected, type ImportError } from './imports.errors';
import { readSheet, type Sheet, type SheetRow } from './sheet';
import type { Upload } from './upload';

/**
 * Rows in one file at most. One transaction holds them all, and the municipality's audit chain
 * with them, while it runs; every audit entry of it updates the chain's head row again, so the
 * time grows faster than the rows (on a 2-core machine: 10 000 NGOs about 25 s, 20 000 about 60 s).
 */
export const MAX_IMPORT_ROWS = 10_000;
const REPLAN_EVERY = 1000;
/** Good rows in one SAVEPOINT at most, so that a failed row replays at most these (each new savepoint costs a little: see importRows). */
const BATCH_ROWS = 2500;

interface KindSpec {
  kind: ImportKind;
  entity: AuditEntity;
  /** The Create DTO of the matching POST route: the file's columns and the rules a row is checked against. */
  dto: Type;
  columns: ColumnSpec[];
  create(actor: Actor, dto: object): Promise<unknown>;
  /** Unique fields, to tell a clash with an earlier row of the same file. */
  unique: string[];
}

/** Where each cell of a row goes: the header mapped onto the kind's columns. */
interface Layout {
  byIndex: Array<ColumnSpec | null>;
  /** Required columns the header lacks: reported once at line 1, not on every row. */
  missing: Set<string>;
  errors: ImportError[];
}

type Resolution = { id: string } | { error: string };

interface PreparedRow {
  line: number;
  /** The validated DTO; null when validation refused the row. */
  dto: object | null;
  /** What the file gave for each of dto.ngoIds, to name it in messages. */
  tokens: string[];
  errors: ImportError[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A field of a domain error ("ngoIds.1", "spheres") → its column ("ngoIds"), or null when no column has it. */
function columnOfField(field: string, columns: ColumnSpec[]): string | null {
  const name = field.split('.')[0];
  return columns.some((c) => c.name === name) ? name : null;
}

@Injectable()
export class ImportsService {
  private readonly logger = new Logger('Imports');
  /** The global pipe's own validation: the same options, transformation and error flattening as a POST. */
  private readonly pipe = new AppValidationPipe();
  private readonly kinds: Record<ImportKind, KindSpec>;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    ngos: NgosService,
    tasks: TasksService,
  ) {
    // libs/ngos does not export its DTOs: take the one POST /ngos validates against
    const ngoDto = bodyDtoOf(NgosModule, 'create');
    this.kinds = {
      ngos: { kind: 'ngos', entity: 'ngo', dto: ngoDto, columns: columnsOf(ngoDto), create: (a, d) => ngos.create(a, d as never), unique: ['krs', 'nip'] },
      tasks: { kind: 'tasks', entity: 'task', dto: CreateTaskDto, columns: columnsOf(CreateTaskDto), create: (a, d) => tasks.create(a, d as CreateTaskDto), unique: [] },
    };
  }

  /** ?dryRun=true: every row checked as an import would, all of it rolled back. */
  async check(actor: Actor, kind: ImportKind, upload: Upload): Promise<ImportCheckView> {
    const { rows, errors } = await this.run(actor, this.kinds[kind], upload, false);
    return { valid: errors.length === 0, rows, errors };
  }

  /** All or nothing: every row imported in one transaction, or (422) none. */
  async import(actor: Actor, kind: ImportKind, upload: Upload): Promise<ImportedView> {
    const { rows, errors } = await this.run(actor, this.kinds[kind], upload, true);
    if (errors.length) throw new ImportRejected(errors);
    return { imported: rows };
  }

  private async run(actor: Actor, spec: KindSpec, upload: Upload, write: boolean): Promise<{ rows: number; errors: ImportError[] }> {
    const sheet = await readSheet(upload.buffer, upload.fileName, upload.mimeType);
    if (sheet.rows.length === 0) throw ValidationFailed.field('file', 'holds no rows below the header');
    if (sheet.rows.length > MAX_IMPORT_ROWS) {
      throw ValidationFailed.field('file', `holds ${sheet.rows.length} rows; one file may hold at most ${MAX_IMPORT_ROWS}: split it`);
    }
    const layout = this.layout(spec, sheet);
    const started = Date.now();
    const errors = await this.inImportTransaction(async (em) => {
      const errors = await this.importRows(em, actor, spec, sheet, layout);
      const commit = write && errors.length === 0;
      if (commit) {
        await audit(em, actor, { action: 'import', entity: spec.entity, entityId: null, after: { kind: spec.kind, rows: sheet.rows.length, fileName: upload.fileName, sha256: upload.sha256 } });
      }
      return { commit, result: errors };
    });
    this.logger.log(
      `${write ? 'import' : 'dry run'} of ${sheet.rows.length} ${spec.kind} rows (${sheet.format}) by user ${actor.userId}: ${errors.length ? `${errors.length} errors, nothing written` : write ? 'imported' : 'valid'} in ${Date.now() - started} ms`,
    );
    return { rows: sheet.rows.length, errors };
  }

  /**
   * Runs `work` in one transaction and commits only when it says so. Inside a keyed request the
   * Idempotency-Key interceptor's transaction is the ambient one: the import nests in a SAVEPOINT
   * of it (so the key, the rows and their audit entries commit together, and a dry run or a bad
   * file rolls back to it). Otherwise it opens its own transaction and makes it the ambient one,
   * so that the services it calls join it.
   */
  private async inImportTransaction<T>(work: (em: EntityManager) => Promise<{ commit: boolean; result: T }>): Promise<T> {
    const ambient = currentManager(this.ds);
    if (ambient !== this.ds.manager) {
      await ambient.query('SAVEPOINT import_file');
      const { commit, result } = await work(ambient);
      await ambient.query(commit ? 'RELEASE SAVEPOINT import_file' : 'ROLLBACK TO SAVEPOINT import_file; RELEASE SAVEPOINT import_file');
      return result;
    }
    const runner = this.ds.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const { commit, result } = await withAmbientTransaction(runner.manager, () => work(runner.manager));
      if (commit) await runner.commitTransaction();
      else await runner.rollbackTransaction();
      return result;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  /** The header against the kind's columns: unknown, repeated and missing columns are errors at line 1. */
  private layout(spec: KindSpec, sheet: Sheet): Layout {
    const byName = new Map(spec.columns.map((c) => [c.name.toLowerCase(), c]));
    const seen = new Set<string>();
    const errors: ImportError[] = [];
    const byIndex = sheet.header.map((name, i) => {
      if (name === '') {
        if (sheet.rows.some((r) => r.cells[i] !== null && r.cells[i] !== undefined && r.cells[i] !== '')) {
          errors.push({ line: 1, column: null, message: `Column ${i + 1} holds values but has no name in the header` });
        }
        return null;
      }
      const column = byName.get(name.toLowerCase());
      if (!column) {
        errors.push({ line: 1, column: name, message: `Unknown column; the columns are ${spec.columns.map((c) => c.name).join(', ')}` });
        return null;
      }
      if (seen.has(column.name)) {
        errors.push({ line: 1, column: column.name, message: 'The column appears more than once' });
        return null;
      }
      seen.add(column.name);
      return column;
    });
    const missing = new Set(spec.columns.filter((c) => c.required && !seen.has(c.name)).map((c) => c.name));
    for (const name of missing) errors.push({ line: 1, column: name, message: 'A required column is missing' });
    return { byIndex, missing, errors };
  }

  /**
   * Each row through the route's DTO validation, then through the service's create, so that every
   * rule, uniqueness check, tenancy check and audit entry of the API applies. Good rows stay in the
   * transaction, so later rows are checked against them (one KRS twice, a small-grant yearly cap).
   *
   * A row that fails in the service (a rule, a unique clash, a value the database refuses) must
   * leave no trace and must not abort the others: the rows run inside SAVEPOINT import_batch, and
   * a failed row rolls back to it, the good rows since are applied again, and a new batch begins.
   * That is what a SAVEPOINT per row gives, without its cost: every audit entry updates the
   * municipality's one chain-head row, and under a subtransaction per row each lookup of that row
   * walks versions of thousands of subtransactions (10 000 NGOs: 64 s, against about 20 s in
   * batches; a batch of 2500 rows instead of one for the whole file costs about 10 %).
   */
  private async importRows(em: EntityManager, actor: Actor, spec: KindSpec, sheet: Sheet, layout: Layout): Promise<ImportError[]> {
    const resolve = spec.kind === 'tasks' ? await this.ngoResolver(em, actor, sheet, layout) : null;
    const order = new Map(spec.columns.map((c, i) => [c.name, i]));
    const earlier = new Map<string, number>(); // "krs:0000123456" → the line that holds it
    const rows: PreparedRow[] = [];
    let batch: PreparedRow[] | null = null; // the good rows since SAVEPOINT import_batch, null when none is set

    const apply = async (row: PreparedRow): Promise<boolean> => {
      try {
        await spec.create(actor, row.dto!);
      } catch (error) {
        const found = this.rowErrors(error, spec);
        if (!found) throw error;
        for (const e of found) {
          const value = e.column && spec.unique.includes(e.column) ? (row.dto as Record<string, unknown>)[e.column] : undefined;
          row.errors.push({ line: row.line, column: e.column, message: this.describe(e.message, row.tokens, earlier.get(`${e.column}:${value}`)) });
        }
      }
      // a row with an error found before the service (an unknown NGO) went through it for its other errors only
      if (row.errors.length) return false;
      for (const field of spec.unique) {
        const value = (row.dto as Record<string, unknown>)[field];
        if (typeof value === 'string' && !earlier.has(`${field}:${value}`)) earlier.set(`${field}:${value}`, row.line);
      }
      return true;
    };

    for (const sheetRow of sheet.rows) {
      // The foreign-key checks (and the audit trigger) run plans the connection cached when the tables
      // were small, and autovacuum's ANALYZE cannot see this transaction's rows: a plan that scans a
      // whole table makes an import quadratic (task_ngos → tasks: 1.35 ms a row at 10 000). Dropping
      // the cached plans now and then lets them be made again for the tables as they are.
      if (rows.length % REPLAN_EVERY === 0) await em.query('DISCARD PLANS');
      const row = await this.prepare(spec, layout, sheetRow, resolve);
      rows.push(row);
      if (!row.dto) continue;
      if (!batch) {
        await em.query('SAVEPOINT import_batch');
        batch = [];
      }
      if (await apply(row)) {
        batch.push(row);
        if (batch.length === BATCH_ROWS) {
          await em.query('RELEASE SAVEPOINT import_batch');
          batch = null;
        }
        continue;
      }
      // undo the failed row (its writes, or the transaction it aborted): back to the batch's start, the good rows again
      let queue = batch;
      for (;;) {
        await em.query('ROLLBACK TO SAVEPOINT import_batch');
        const good: PreparedRow[] = [];
        let failed = -1;
        for (let i = 0; i < queue.length && failed < 0; i++) {
          if (await apply(queue[i])) good.push(queue[i]);
          else failed = i; // a row that passed before and fails now (a concurrent write): undo it too
        }
        if (failed < 0) break;
        queue = [...good, ...queue.slice(failed + 1)];
      }
      // a new batch from here, so that the next failure replays only the rows after this one
      await em.query('RELEASE SAVEPOINT import_batch');
      batch = null;
    }
    if (batch) await em.query('RELEASE SAVEPOINT import_batch');

    const rank = (e: ImportError) => (e.column === null ? Number.MAX_SAFE_INTEGER : (order.get(e.column) ?? Number.MAX_SAFE_INTEGER));
    return [...layout.errors, ...rows.flatMap((r) => r.errors.sort((a, b) => rank(a) - rank(b)))];
  }

  /** A row as the DTO would take it (no database): its cells as values, its NGOs resolved, validated by the global pipe. */
  private async prepare(spec: KindSpec, layout: Layout, sheetRow: SheetRow, resolve: ((token: string) => Resolution) | null): Promise<PreparedRow> {
    const row: PreparedRow = { line: sheetRow.line, dto: null, tokens: [], errors: [] };
    const add = (column: string | null, message: string) => row.errors.push({ line: row.line, column, message });
    const plain: Record<string, unknown> = {};
    let extra = 0;
    sheetRow.cells.forEach((cell, i) => {
      if (i >= layout.byIndex.length) extra += cell === null || cell === '' ? 0 : 1;
      const column = layout.byIndex[i];
      if (!column) return;
      const value = cellValue(column, cell, column.name === 'ngoIds' ? 'krs' : 'text');
      if (value !== undefined) plain[column.name] = value;
    });
    if (extra) add(null, `The row has ${extra} ${extra === 1 ? 'value' : 'values'} beyond the header's ${layout.byIndex.length} columns`);

    // a task's NGOs: ids, KRS or NIP numbers, resolved to ids; tokens[i] is what the file gave for ngoIds[i]
    if (resolve && Array.isArray(plain.ngoIds)) {
      const ids: string[] = [];
      for (const token of plain.ngoIds as string[]) {
        const found = resolve(token);
        if ('id' in found) {
          ids.push(found.id);
          row.tokens.push(token);
        } else {
          add('ngoIds', found.error);
        }
      }
      plain.ngoIds = ids;
    }

    try {
      row.dto = (await this.pipe.transform(plain, { type: 'body', metatype: spec.dto })) as object;
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      const reported = new Set(row.errors.map((e) => e.column));
      for (const e of error.errors ?? []) {
        const column = columnOfField(e.field, spec.columns);
        // a missing required column is reported once at line 1, an unresolved NGO once above
        if (column && (layout.missing.has(column) || reported.has(column))) continue;
        add(column, e.message);
      }
    }
    return row;
  }

  /** A service's error as the row's errors, or null for an error that must abort the import (database gone, a bug). */
  private rowErrors(error: unknown, spec: KindSpec): Array<{ column: string | null; message: string }> | null {
    if (error instanceof DomainError) {
      if (error.kind === 'unavailable') return null;
      if (!error.errors?.length) return [{ column: null, message: error.message }];
      return error.errors.map((e) => ({ column: columnOfField(e.field, spec.columns), message: e.field.startsWith('ngoIds.') ? `${e.field}: ${e.message}` : e.message }));
    }
    const code = pgError(error)?.code;
    if (code === PG.foreignKeyViolation) return [{ column: null, message: 'The row refers to a record that does not exist in this municipality' }];
    if (isInputError(error) || code === PG.uniqueViolation || code === PG.exclusionViolation) return [{ column: null, message: toProblem(error).detail ?? 'The database refused the row' }];
    return null;
  }

  /** Names the file's own entry where a message speaks of ngoIds.<i>, and the earlier line of a unique clash within the file. */
  private describe(message: string, tokens: string[], earlierLine: number | undefined): string {
    const named = message.replace(/ngoIds\.(\d+)(: )?/g, (_m, i: string, colon?: string) => `the NGO "${tokens[Number(i)] ?? i}"${colon ? ': ' : ''}`);
    return earlierLine === undefined ? named : `${named} (line ${earlierLine} of this file)`;
  }

  /**
   * Resolves the `ngoIds` entries of a task file in one query: an NGO of the caller's municipality
   * by id, or by a 10-digit number read as a KRS first and then, when it is a valid NIP, as a NIP
   * (a KRS has no checksum). A number that is one NGO's KRS and another's NIP is ambiguous.
   */
  private async ngoResolver(em: EntityManager, actor: Actor, sheet: Sheet, layout: Layout): Promise<(token: string) => Resolution> {
    const index = layout.byIndex.findIndex((c) => c?.name === 'ngoIds');
    const spec = layout.byIndex[index];
    const ids = new Set<string>();
    const numbers = new Set<string>();
    if (spec) {
      for (const row of sheet.rows) {
        const value = cellValue(spec, row.cells[index] ?? null, 'krs');
        for (const token of Array.isArray(value) ? (value as string[]) : []) {
          if (UUID.test(token)) ids.add(token.toLowerCase());
          else if (/^\d{10}$/.test(compactId(token))) numbers.add(compactId(token));
        }
      }
    }
    const rows: Array<{ id: string; krs: string | null; nip: string | null }> =
      ids.size || numbers.size
        ? await em.query(`SELECT id::text, krs, nip FROM ngos WHERE municipality_id = $1 AND (id = ANY($2::uuid[]) OR krs = ANY($3::bpchar[]) OR nip = ANY($3::bpchar[]))`, [
            actor.municipalityId,
            [...ids],
            [...numbers],
          ])
        : [];
    const byId = new Set(rows.map((r) => r.id));
    const byKrs = new Map(rows.filter((r) => r.krs).map((r) => [r.krs!, r.id]));
    const byNip = new Map(rows.filter((r) => r.nip).map((r) => [r.nip!, r.id]));
    return (token) => {
      if (UUID.test(token)) {
        const id = token.toLowerCase();
        return byId.has(id) ? { id } : { error: `"${token}": no NGO with this id in this municipality` };
      }
      const number = compactId(token);
      if (!/^\d{10}$/.test(number)) return { error: `"${token}" is neither an NGO id (UUID) nor a KRS or NIP number (10 digits)` };
      const krs = byKrs.get(number);
      const nip = checkNip(number) === 'ok' ? byNip.get(number) : undefined;
      if (krs && nip && krs !== nip) return { error: `"${token}" is the KRS of one NGO and the NIP of another; give the NGO's id` };
      const id = krs ?? nip;
      return id ? { id } : { error: `"${token}": no NGO with this KRS or NIP in this municipality` };
    };
  }
}

