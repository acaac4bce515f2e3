import { sha256Hex } from '@app/core';
import { IMPORT_FILE_LIMIT, ImportRejected, ImportsService, type ImportError } from '@app/imports';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { CommandFailed, messageOf } from '../errors';
import { operatorActor, type Outcome } from '../outcome';
import { startActivity } from '../progress';
import type { Session } from '../session';
import type { ImportKind } from '../values';

export interface ImportRequest {
  kind: ImportKind;
  file: string;
  dryRun: boolean;
  municipality?: string;
  progress: boolean;
}

const MIME_TYPES: Record<string, string> = {
  csv: 'text/csv',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** `line 3, column nip: NIP checksum is invalid` (an error of a whole row has no column). */
export function errorLine(e: ImportError): string {
  return `line ${e.line}${e.column === null ? '' : `, column ${e.column}`}: ${e.message}`;
}

async function readImportFile(path: string): Promise<Buffer> {
  try {
    const size = (await stat(path)).size;
    // the API's upload limit: the whole file is held in memory, and its rows in one transaction
    if (size > IMPORT_FILE_LIMIT) throw new CommandFailed(`${path} is larger than ${IMPORT_FILE_LIMIT / 1024 / 1024} MiB, the limit of one import: split it`);
    return await readFile(path);
  } catch (error) {
    if (error instanceof CommandFailed) throw error;
    throw new CommandFailed(`cannot read ${path}: ${messageOf(error)}`);
  }
}

/**
 * import — what POST /imports/{kind} does with an uploaded file, for a file on the server: every
 * row checked with the API's own rules, all imported in one transaction or (any row bad) none.
 * The rows are written as the operator's (audit entries name the cli actor). The service reports
 * no count while it works, so the display is a spinner (plain lines off a terminal).
 */
export async function importFile(session: Session, o: ImportRequest): Promise<Outcome> {
  const m = await session.municipality(o.municipality);
  const buffer = await readImportFile(o.file);
  const fileName = basename(o.file);
  const upload = { buffer, fileName, mimeType: MIME_TYPES[fileName.split('.').pop()?.toLowerCase() ?? ''] ?? '', sha256: sha256Hex(buffer) };
  const service = session.app.get(ImportsService);
  const actor = operatorActor(session, m);
  const activity = startActivity(`${o.dryRun ? 'check' : 'import'} ${o.kind} from ${fileName}`, o.progress);
  const rejected = (rows: number | null, errors: ImportError[]): Outcome => ({
    lines: [`invalid: ${rows === null ? '' : `${rows} rows, `}${errors.length} errors${o.dryRun ? ' (dry run: nothing written)' : ', nothing imported'}`, ...errors.map(errorLine)],
    json: { valid: false, ...(rows === null ? {} : { rows }), errors },
    failure: `${o.file} has ${errors.length} error(s)${o.dryRun ? '' : '; nothing was imported'}`,
  });
  try {
    if (o.dryRun) {
      const check = await service.check(actor, o.kind, upload);
      activity.stop(`${check.rows} rows checked`);
      if (!check.valid) return rejected(check.rows, check.errors);
      return { lines: [`valid: ${check.rows} rows, 0 errors (dry run: nothing written)`], json: check };
    }
    const done = await service.import(actor, o.kind, upload);
    activity.stop(`${done.imported} rows imported`);
    return { lines: [`imported ${done.imported} ${o.kind} into ${m.slug}`], json: done };
  } catch (error) {
    activity.abort();
    if (error instanceof ImportRejected) return rejected(null, error.importErrors);
    throw error;
  }
}
