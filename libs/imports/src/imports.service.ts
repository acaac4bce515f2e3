import { audit, sealAfterCommit, sealCommitted } from '@app/audit';
import { AfterCommitQueue, afterCommit, currentManager, ValidationFailed, withAmbientTransaction, type Actor } from '@app/core';
import { NgosModule, NgosService } from '@app/ngos';
import { CreateTaskDto, TasksService } from '@app/tasks';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { bodyDtoOf, columnsOf } from './columns';
import { type ImportCheckView, type ImportedView, type ImportKind } from './dto/import.dto';
import { ImportRejected, type ImportError } from './imports.errors';
import { importInBulk } from './bulk';
import type { KindSpec } from './kind';
import { IMPORT_ROW_LIMITS } from './limits';
import { layoutOf } from './layout';
import { ngoResolver } from './ngo-resolver';
import { importRows } from './savepoint-loop';
import { readSheet } from './sheet';
import type { Upload } from './upload';

@Injectable()
export class ImportsService {
  private readonly logger = new Logger('Imports');
  private readonly kinds: Record<ImportKind, KindSpec>;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    ngos: NgosService,
    tasks: TasksService,
  ) {
    // libs/ngos does not export its DTOs: take the one POST /ngos validates against
    const ngoDto = bodyDtoOf(NgosModule, 'create');
    this.kinds = {
      ngos: { kind: 'ngos', entity: 'ngo', dto: ngoDto, columns: columnsOf(ngoDto), create: (a, d) => ngos.create(a, d as never), unique: ['krs', 'nip'], maxRows: IMPORT_ROW_LIMITS.ngos },
      tasks: {
        kind: 'tasks',
        entity: 'task',
        dto: CreateTaskDto,
        columns: columnsOf(CreateTaskDto),
        create: (a, d) => tasks.create(a, d as CreateTaskDto),
        unique: [],
        maxRows: IMPORT_ROW_LIMITS.tasks,
        batch: (em, a) => tasks.batch(em, a),
      },
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
    // the limits (rows, cells, inflated bytes) are enforced while the file is read, before any transaction
    const reading = Date.now();
    const sheet = await readSheet(upload.buffer, upload.fileName, upload.mimeType, spec.maxRows);
    if (sheet.rows.length === 0) throw ValidationFailed.field('file', 'holds no rows below the header');
    const layout = layoutOf(spec, sheet);
    const started = Date.now();
    const phases = { read: started - reading, rows: 0, commit: 0, seal: 0 };
    const errors = await this.inImportTransaction(actor.municipalityId, phases, async (em) => {
      const resolve = spec.kind === 'tasks' ? await ngoResolver(em, actor.municipalityId, sheet, layout) : null;
      const inBulk = spec.batch ? await importInBulk(em, actor, spec, spec.batch(em, actor), sheet, layout, resolve) : null;
      if (spec.batch && !inBulk) this.logger.warn(`the database refused a row of an import of ${spec.kind} that the rules passed: the file goes again row by row`);
      const errors = inBulk ?? (await importRows(em, actor, spec, sheet, layout, resolve));
      phases.rows = Date.now() - started;
      const commit = write && errors.length === 0;
      if (commit) {
        await audit(em, actor, { action: 'import', entity: spec.entity, entityId: null, after: { kind: spec.kind, rows: sheet.rows.length, fileName: upload.fileName, sha256: upload.sha256 } });
      }
      return { commit, result: errors };
    });
    this.logger.log(
      `${write ? 'import' : 'dry run'} of ${sheet.rows.length} ${spec.kind} rows (${sheet.format}) by user ${actor.userId}: ${errors.length ? `${errors.length} errors, nothing written` : write ? 'imported' : 'valid'} in ${Date.now() - started} ms (read ${phases.read} ms, rows ${phases.rows} ms, commit ${phases.commit} ms, seal ${phases.seal} ms)`,
    );
    return { rows: sheet.rows.length, errors };
  }

  /**
   * Runs `work` in one transaction and commits only when it says so. Inside a keyed request the
   * Idempotency-Key interceptor's transaction is the ambient one: the import nests in a SAVEPOINT
   * of it (so the key, the rows and their audit entries commit together, and a dry run or a bad
   * file rolls back to it). Otherwise it opens its own transaction and makes it the ambient one,
   * so that the services it calls join it. Either way the transaction's audit entries are sealed
   * after it commits (sealAfterCommit: a 100 000-row import does not hold the municipality's
   * other writes for the seconds its seal takes): here before answering, or right after the
   * interceptor's commit.
   */
  private async inImportTransaction<T>(municipalityId: string, phases: { commit: number; seal: number }, work: (em: EntityManager) => Promise<{ commit: boolean; result: T }>): Promise<T> {
    const seal = () => sealCommitted(this.ds, municipalityId);
    const ambient = currentManager(this.ds);
    if (ambient !== this.ds.manager) {
      await ambient.query('SAVEPOINT import_file');
      const { commit, result } = await work(ambient);
      await ambient.query(commit ? 'RELEASE SAVEPOINT import_file' : 'ROLLBACK TO SAVEPOINT import_file; RELEASE SAVEPOINT import_file');
      if (commit) {
        await sealAfterCommit(ambient);
        afterCommit(() => void seal().catch((error: unknown) => this.logger.warn(`the import's audit entries wait for the next sealer: ${error instanceof Error ? error.message : String(error)}`)));
      }
      return result;
    }
    const runner = this.ds.createQueryRunner();
    const afterCommitQueue = new AfterCommitQueue();
    await runner.connect();
    try {
      await runner.startTransaction();
      await sealAfterCommit(runner.manager);
      const { commit, result } = await withAmbientTransaction(runner.manager, () => work(runner.manager), afterCommitQueue);
      if (commit) {
        const committing = Date.now();
        await runner.commitTransaction();
        afterCommitQueue.run();
        const sealing = Date.now();
        await seal();
        Object.assign(phases, { commit: sealing - committing, seal: Date.now() - sealing });
      } else {
        await runner.rollbackTransaction();
      }
      return result;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }
}
