import { recordAudit } from '@app/audit';
import { NotFound, ReadReplicas, ValidationFailed, type Actor } from '@app/core';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import type { ExportQuery } from './dto/export-query.dto';
import { EXPORTS } from './export-registry';
import type { ExportOptions, ExportResult, ExportRevision, ResolvedExportOptions } from './export-types';
import { DigestStream } from './writers/digest-stream';

/**
 * Limits of the export's own connection. The API's pool cuts a query off after a few seconds
 * (DATABASE_QUERY_TIMEOUT), but a cursor over a large task list stays open for as long as the
 * file takes to write; these still end an export stuck on a silent network.
 */
const EXPORT_QUERY_TIMEOUT_MS = 15 * 60 * 1000;
const EXPORT_STATEMENT_TIMEOUT_MS = 5 * 60 * 1000;

/**
 * Exports running at once in one process, each on a connection of its own; more wait their turn,
 * so that a burst of exports can neither open connections without bound nor crowd the CPU.
 */
const CONCURRENT_EXPORTS = 4;

/** A counting semaphore: at most `size` holders; the rest queue in order. */
class Slots {
  private free: number;
  private readonly waiting: Array<() => void> = [];

  constructor(size: number) {
    this.free = size;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free -= 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free += 1;
    }
  }
}

/** A finished export in a temporary file, for the HTTP route to send and delete. */
export interface ExportFile extends ExportResult {
  path: string;
}

/** `draft`, or a revision number from 1 (as the query string and the CLI give it). */
export function parseRevision(value: string | undefined): ExportRevision | undefined {
  if (value === undefined) return undefined;
  if (value === 'draft') return 'draft';
  if (/^[1-9]\d{0,8}$/.test(value)) return Number(value);
  throw ValidationFailed.field('revision', 'must be "draft" or a revision number from 1');
}

/** Defaults filled in; a delimiter or table asked of a format other than CSV is a mistake, not something to ignore. */
export function resolveExportOptions(o: ExportOptions): ResolvedExportOptions {
  if (!(o.format in EXPORTS['annual-report'].formats)) throw ValidationFailed.field('format', 'must be one of: csv, xlsx, json');
  if (o.format !== 'csv') {
    if (o.delimiter !== undefined) throw ValidationFailed.field('delimiter', 'applies to format=csv only');
    if (o.table !== undefined) throw ValidationFailed.field('table', 'applies to format=csv only (XLSX and JSON hold both tables)');
  }
  if (o.revision !== undefined && o.revision !== 'draft' && !(Number.isInteger(o.revision) && o.revision >= 1)) {
    throw ValidationFailed.field('revision', 'must be "draft" or a revision number from 1');
  }
  return { format: o.format, revision: o.revision ?? 'newest', delimiter: o.delimiter ?? 'comma', table: o.table ?? 'tasks' };
}

/** Digests of published revisions' exports kept in memory (digestOf). */
const DIGESTS_KEPT = 500;

@Injectable()
export class ExportsService {
  private readonly slots = new Slots(CONCURRENT_EXPORTS);
  private readonly digests = new Map<string, string>();

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly replicas: ReadReplicas,
  ) {}

  /**
   * Writes the annual report export of `year` into `output` (a file path, created or replaced,
   * or a stream, which is ended) and returns what was written: data rows, bytes and their
   * SHA-256, the revision. Rows are read through a cursor and written as they come, so memory
   * stays flat whatever the size of the task list. With `auditAs`, the finished export is then
   * recorded in the audit trail, in a transaction of its own; a path whose export failed or could
   * not be recorded is removed. NotFound (404) when the revision does not exist, and then no file
   * is made.
   */
  writeExport(municipalityId: string, year: number, options: ExportOptions, output: Writable | string): Promise<ExportResult> {
    return typeof output === 'string' ? this.write(municipalityId, year, options, () => createWriteStream(output), output) : this.write(municipalityId, year, options, () => output);
  }

  /**
   * GET /reports/{year}/export: the export written to a temporary file (so that its length and
   * digest go into the headers before the body) and recorded in the audit trail as the caller's.
   * The caller sends the file and deletes it.
   */
  async exportToTemporaryFile(actor: Actor, year: number, query: ExportQuery): Promise<ExportFile> {
    const options: ExportOptions = { format: query.format, revision: parseRevision(query.revision), delimiter: query.delimiter, table: query.table, auditAs: actor };
    const path = join(tmpdir(), `ngo-tracker-export-${randomUUID()}.${EXPORTS['annual-report'].formats[resolveExportOptions(options).format].extension}`);
    // readable by this process's user only: a draft is not public, nor is who exported what
    const written = await this.write(actor.municipalityId, year, options, () => createWriteStream(path, { flags: 'wx', mode: 0o600 }), path);
    return { path, ...written };
  }

  /**
   * The SHA-256 (hex) of an export of a published revision without recording an export: what the
   * web app shows beside a download link. A published revision is frozen and its files are
   * byte-for-byte repeatable, so digests are kept in memory (the newest few hundred).
   */
  async digestOf(municipalityId: string, year: number, revision: number, options: Pick<ExportOptions, 'format' | 'delimiter' | 'table'>): Promise<string> {
    const o = resolveExportOptions({ ...options, revision });
    const key = `${municipalityId}/${year}/${revision}/${o.format}/${o.delimiter}/${o.table}`;
    const known = this.digests.get(key);
    if (known) return known;
    const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
    const { sha256 } = await this.write(municipalityId, year, { ...options, revision }, () => sink);
    if (this.digests.size >= DIGESTS_KEPT) this.digests.delete(this.digests.keys().next().value!);
    this.digests.set(key, sha256);
    return sha256;
  }

  /**
   * GET /public/{slug}/reports/{year}/export: a published revision (the newest, or `revision`) for
   * anyone, never a draft; the same bytes as the signed-in export of that revision. Not recorded
   * in the audit trail: the file is public, and anonymous downloads must not be able to grow a
   * municipality's trail.
   */
  async publicExportToTemporaryFile(slug: string, year: number, query: ExportQuery): Promise<ExportFile> {
    const revision = parseRevision(query.revision);
    if (revision === 'draft') throw ValidationFailed.field('revision', 'drafts are not public: a revision number from 1, or none for the newest');
    // published data: a read replica when one is fit (the file is read in one snapshot there)
    const source = this.replicas.dataSource();
    const [municipality]: Array<{ id: string }> = /^[a-z0-9-]{1,100}$/.test(slug) ? await source.query('SELECT id FROM municipalities WHERE slug = $1', [slug]) : [];
    if (!municipality) throw new NotFound('municipality', slug);
    // no revision: the newest published one
    const options: ExportOptions = { format: query.format, revision, delimiter: query.delimiter, table: query.table };
    const path = join(tmpdir(), `ngo-tracker-export-${randomUUID()}.${EXPORTS['annual-report'].formats[resolveExportOptions(options).format].extension}`);
    const written = await this.write(municipality.id, year, options, () => createWriteStream(path, { flags: 'wx', mode: 0o600 }), path, source);
    return { path, ...written };
  }

  /** `open` makes the output once the export's source is open (an unknown revision makes no file); `path` is removed on failure. */
  private async write(municipalityId: string, year: number, options: ExportOptions, open: () => Writable, path?: string, source: DataSource = this.ds): Promise<ExportResult> {
    const o = resolveExportOptions(options);
    const definition = EXPORTS['annual-report'];
    const format = definition.formats[o.format];
    let opened = false;
    try {
      const written = await this.withSnapshot(source, async (client) => {
        const source = await definition.source(client, municipalityId, year, o.revision);
        const digest = new DigestStream();
        const destination = open();
        opened = true;
        const delivered = pipeline(digest, destination);
        let rows: number;
        try {
          rows = await format.write(source, o, digest);
        } catch (error) {
          digest.destroy(error as Error);
          await delivered.catch(() => undefined);
          throw error;
        }
        await delivered;
        return { rows, sha256: digest.sha256().toString('hex'), bytes: digest.bytes, revision: source.meta.revision, fileName: definition.fileName(source, o), contentType: format.contentType };
      });
      if (options.auditAs) {
        const auditAs = options.auditAs;
        const after = {
          year,
          revision: written.revision,
          format: o.format,
          ...(o.format === 'csv' ? { table: o.table, delimiter: o.delimiter } : {}),
          rows: written.rows,
          sha256: written.sha256,
        };
        await this.ds.transaction((em) => recordAudit(em, municipalityId, auditAs, { action: 'export', entity: 'report', entityId: String(year), after }));
      }
      return written;
    } catch (error) {
      if (opened && path) await rm(path, { force: true });
      throw error;
    }
  }

  /**
   * Runs `fn`, once one of the process's export slots is free, on a connection of its own (not
   * one of the pool's: an export holds its connection for as long as the file takes, and must not
   * starve the API's requests) in one read-only REPEATABLE READ transaction, so the header and
   * every row of the export come from one snapshot. The connection is made with the pool's own
   * settings (server, credentials, TLS, connect timeout, keep-alive), less the pool's sizing and
   * the API's per-query limits, with limits that suit a long cursor instead.
   */
  private withSnapshot<T>(source: DataSource, fn: (client: pg.ClientBase) => Promise<T>): Promise<T> {
    return this.slots.run(() => this.inSnapshot(source, fn));
  }

  private async inSnapshot<T>(source: DataSource, fn: (client: pg.ClientBase) => Promise<T>): Promise<T> {
    const pool = (source.driver as unknown as { master: pg.Pool }).master;
    const { max, min, idleTimeoutMillis, Client, maxUses, allowExitOnIdle, log, query_timeout, statement_timeout, application_name, ...connection } = pool.options as pg.PoolConfig;
    const client = new pg.Client({
      ...connection,
      application_name: `${application_name ?? 'ngo-tracker'}-export`,
      query_timeout: EXPORT_QUERY_TIMEOUT_MS,
      statement_timeout: EXPORT_STATEMENT_TIMEOUT_MS,
    });
    // a connection that breaks between queries reports here, not as an uncaught error
    client.on('error', () => undefined);
    await client.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
