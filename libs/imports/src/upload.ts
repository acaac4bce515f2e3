import { sha256Hex, ValidationFailed } from '@app/core';
import type { Multipart } from '@fastify/multipart';
import { CanActivate, createParamDecorator, ExecutionContext, Injectable, PayloadTooLargeException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { IMPORT_KINDS, type ImportKind } from './dto/import.dto';

/** The largest import file (100 000 task rows of about 300 bytes each fit) (multipart's `fileSize` limit, registered in apps/api/src/app.ts); a larger one is 413. */
export const IMPORT_FILE_LIMIT = 40 * 1024 * 1024;

/** @fastify/multipart's options for the application: one file part, no other fields. */
export const MULTIPART_OPTIONS = { limits: { fileSize: IMPORT_FILE_LIMIT, files: 1, fields: 0, fieldNameSize: 100, headerPairs: 100 } };

export interface Upload {
  buffer: Buffer;
  fileName: string;
  mimeType: string;
  sha256: string;
}

const UPLOAD = Symbol('import upload');
type UploadRequest = FastifyRequest & { [UPLOAD]?: Upload };

export function isImportKind(kind: unknown): kind is ImportKind {
  return (IMPORT_KINDS as readonly unknown[]).includes(kind);
}

const FORM = 'must be a multipart/form-data body with one file part named "file" and no other fields';

async function drain(part: Multipart): Promise<void> {
  if (part.type === 'file') for await (const chunk of part.file) void chunk;
}

/** Reads the one file part named `file` into memory (at most IMPORT_FILE_LIMIT bytes). */
async function readUpload(request: FastifyRequest): Promise<Upload> {
  if (typeof request.isMultipart !== 'function' || !request.isMultipart()) throw ValidationFailed.field('file', FORM);
  let upload: Omit<Upload, 'sha256'> | undefined;
  let stray: string | undefined;
  try {
    for await (const part of request.parts()) {
      if (part.type !== 'file' || part.fieldname !== 'file' || upload) {
        stray = part.fieldname;
        await drain(part);
        continue;
      }
      upload = { buffer: await part.toBuffer(), fileName: part.filename ?? '', mimeType: part.mimetype ?? '' };
    }
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw new PayloadTooLargeException(`The file is larger than ${IMPORT_FILE_LIMIT / 1024 / 1024} MiB`);
    if (code === 'FST_FIELDS_LIMIT' || code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT') throw ValidationFailed.field('file', FORM);
    // a body that is not well-formed multipart (no boundary, cut short, …)
    throw ValidationFailed.field('file', `${FORM}; the body could not be read as multipart`);
  }
  if (!upload) throw ValidationFailed.field('file', stray === undefined ? 'is required' : `${FORM}; got "${stray}"`);
  return { ...upload, sha256: sha256Hex(upload.buffer) };
}

/**
 * Reads the uploaded file of POST /imports/{kind}, after the global AuthGuard has admitted the
 * caller. A guard rather than a pipe or an interceptor so that the file is read before the
 * Idempotency-Key interceptor fingerprints the request: it gets the file's name, size and SHA-256
 * as the body, so the same key with another file is 422 and with the same file a replay.
 */
@Injectable()
export class ImportUploadGuard implements CanActivate {
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<UploadRequest>();
    const kind = (request.params as { kind?: string }).kind;
    if (!isImportKind(kind)) throw ValidationFailed.field('kind', `must be one of: ${IMPORT_KINDS.join(', ')}`);
    const upload = await readUpload(request);
    request[UPLOAD] = upload;
    request.body = { file: { name: upload.fileName, size: upload.buffer.length, sha256: upload.sha256 } };
    return true;
  }
}

/** The file ImportUploadGuard read. */
export const UploadedImport = createParamDecorator((_data: unknown, ctx: ExecutionContext): Upload => {
  const upload = ctx.switchToHttp().getRequest<UploadRequest>()[UPLOAD];
  if (!upload) throw new Error('UploadedImport used without ImportUploadGuard');
  return upload;
});
