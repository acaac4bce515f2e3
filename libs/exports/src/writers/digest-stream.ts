import { createHash } from 'node:crypto';
import { Transform, type TransformCallback, type Writable } from 'node:stream';

/**
 * Passes bytes through unchanged while hashing (SHA-256) and counting them, so that an export's
 * digest and length are known the moment its last byte is written, without reading it again.
 */
export class DigestStream extends Transform {
  private readonly hash = createHash('sha256');
  private digest: Buffer | undefined;
  bytes = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    done(null, chunk);
  }

  /** The SHA-256 of everything that passed; call it once the stream has ended. */
  sha256(): Buffer {
    this.digest ??= this.hash.digest();
    return this.digest;
  }
}

/** Writes a chunk and waits while the stream's buffer is full, so a long export never piles up in memory. */
export async function writeChunk(out: Writable, chunk: string): Promise<void> {
  if (!out.write(chunk)) {
    await new Promise<void>((resolve, reject) => {
      const onDrain = () => {
        out.off('error', onError);
        resolve();
      };
      const onError = (error: Error) => {
        out.off('drain', onDrain);
        reject(error);
      };
      out.once('drain', onDrain);
      out.once('error', onError);
    });
  }
}

/** Ends the stream and waits until it has flushed (or failed). */
export function endStream(out: Writable): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.end(() => resolve());
  });
}
