import type { FastifyReply } from 'fastify';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { ExportFile } from './exports.service';

/**
 * Sends a finished export file: its length and its SHA-256 (RFC 9530 `Repr-Digest`, the digest of
 * the representation; the body is sent as is, without content coding) before the body, never
 * stored by a cache. The file is deleted once the response ends, fails or is abandoned.
 */
export function sendExportFile(reply: FastifyReply, file: ExportFile): FastifyReply {
  const body = createReadStream(file.path);
  body.once('close', () => {
    rm(file.path, { force: true }).catch(() => undefined);
  });
  return reply
    .status(200)
    .headers({
      'content-type': file.contentType,
      'content-length': String(file.bytes),
      'repr-digest': `sha-256=:${Buffer.from(file.sha256, 'hex').toString('base64')}:`,
      'content-disposition': `attachment; filename="${file.fileName}"`,
      'cache-control': 'no-store',
    })
    .send(body);
}
