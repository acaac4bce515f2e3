import { ExportsService } from '@app/exports';
import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CommandFailed, messageOf } from '../errors';
import type { Outcome } from '../outcome';
import { bytes, startProgress } from '../progress';
import type { Session } from '../session';
import type { ExportDelimiter, ExportFormat, ExportTable } from '../values';

export interface ExportRequest {
  year: number;
  format: ExportFormat;
  out: string;
  revision?: 'draft' | number;
  delimiter?: ExportDelimiter;
  table?: ExportTable;
  municipality?: string;
  progress: boolean;
}

/** Counts the bytes on their way to the file, for the progress display. */
function byteCounter(onBytes: (total: number) => void): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      total += chunk.length;
      onBytes(total);
      done(null, chunk);
    },
  });
}

/** Fails before any work when the file cannot be made: its directory missing, or a directory in its place. */
async function checkWritable(out: string): Promise<void> {
  const dir = await stat(dirname(out)).catch(() => null);
  if (!dir?.isDirectory()) throw new CommandFailed(`cannot write ${out}: the directory ${dirname(out)} does not exist`);
  if ((await stat(out).catch(() => null))?.isDirectory()) throw new CommandFailed(`cannot write ${out}: it is a directory`);
}

/**
 * report:export — the annual report export of the API (GET /reports/{year}/export) written to a
 * file, and recorded in the audit trail as the operator's. The file is written beside the target
 * and renamed at the end, so a failed export never leaves half a file, nor spoils one that was there.
 */
export async function exportReport(session: Session, o: ExportRequest): Promise<Outcome> {
  const m = await session.municipality(o.municipality);
  const service = session.app.get(ExportsService);
  const out = resolve(o.out);
  await checkWritable(out);
  const partial = join(dirname(out), `.${basename(out)}.${process.pid}.partial`);
  // the service reports no rows while it writes: the bytes on their way to the file are the progress
  const progress = startProgress({ label: `export ${o.year}`, format: bytes, every: 1024 * 1024, enabled: o.progress });
  const counter = byteCounter((n) => progress.update(n));
  const file = createWriteStream(partial);
  let fileError: Error | undefined;
  file.on('error', (error) => (fileError = error));
  const written = pipeline(counter, file);
  written.catch(() => undefined); // awaited below when the export succeeds; a failure is reported by the service
  try {
    const result = await service.writeExport(m.id, o.year, { format: o.format, revision: o.revision, delimiter: o.delimiter, table: o.table, auditAs: session.actor }, counter);
    await written;
    progress.stop();
    await rename(partial, out);
    return {
      lines: [`wrote ${out}`, `  revision: ${result.revision}`, `  rows: ${result.rows}`, `  bytes: ${result.bytes}`, `  sha-256: ${result.sha256}`],
      json: { file: out, municipality: { id: m.id, slug: m.slug }, year: o.year, format: o.format, rows: result.rows, bytes: result.bytes, sha256: result.sha256, revision: result.revision },
    };
  } catch (error) {
    progress.abort();
    counter.destroy();
    await written.catch(() => undefined);
    await rm(partial, { force: true });
    // the file could not be made or written (no such directory, no permission): that, not the stream's end, is the reason
    if (fileError && fileError !== error && 'syscall' in fileError) throw new CommandFailed(`cannot write ${out}: ${messageOf(fileError)}`);
    throw error;
  }
}
