import { write as writeAsync, writeSync } from 'node:fs';

/** A pipe or a terminal that is full answers EAGAIN: try again after this many ms (in order: nothing else is written meanwhile). */
const RETRY_MS = 10;
/** At exit there is no event loop: a full pipe is waited for this long at most, in steps of RETRY_MS. */
const EXIT_WAIT_MS = 2000;
/** Written batches whose memory is kept for the next ones. */
const SPARE_BATCHES = 2;
/** Bytes waiting for their write at most: past them a reader that cannot keep up loses lines, counted on stderr, rather than the process its memory. */
const MAX_WAITING_BYTES = 16 * 1024 * 1024;

/**
 * Log lines to a file descriptor in large batches: each line is encoded at once into a batch of
 * `batchBytes` bytes; a full batch, or one that has waited `flushMs`, goes in one write by libuv's
 * thread pool, one write at a time, so their order is kept and each line stays whole (a short
 * write goes on from where it stopped). Pino's sonic-boom gathers 4–16 KB of strings instead,
 * measures the UTF-8 length of its growing buffer on every line (flattening it each time), keeps
 * the lines' strings alive until their write (work for the garbage collector) and hands the thread
 * pool four times as many writes: at the public page's rate that cost several µs of CPU per
 * request (issue 14; docs/benchmarks.md). Pino still formats the lines.
 *
 * `flush` calls back once every line written before it is on the descriptor; at the process's
 * `exit` (process.exit, an uncaught exception) what is still in memory is written synchronously.
 * A batch already handed to the thread pool at that moment is its to finish. A reader that has
 * gone away (EPIPE) ends the logging rather than the process.
 */
export class BatchedOutput {
  private batch: Buffer;
  private used = 0;
  /** full batches waiting for their write, oldest first */
  private readonly ready: Buffer[] = [];
  /** written batches' memory, for the next batches: a fresh 64 KB buffer cost ~5 µs and work for the garbage collector */
  private readonly spare: Buffer[] = [];
  /** the batches' own memory (a line longer than a batch has its own buffer, not kept) */
  private readonly batches = new WeakSet<ArrayBufferLike>();
  private readyBytes = 0;
  /** a batch is with the thread pool */
  private writing = false;
  private timer: NodeJS.Timeout | undefined;
  private flushed: Array<() => void> = [];
  private closed = false;
  private dropped = 0;

  constructor(
    private readonly fd: number,
    private readonly batchBytes: number,
    private readonly flushMs: number,
  ) {
    this.batch = this.newBatch();
    process.once('exit', () => this.flushSync());
  }

  /** The longest line `room` makes space for: a batch. */
  get maxLineBytes(): number {
    return this.batchBytes;
  }

  /** Where in the batch `room` returned the line is to start. */
  get at(): number {
    return this.used;
  }

  write(line: string): boolean {
    // a UTF-16 code unit is at most 3 bytes of UTF-8
    if (line.length * 3 > this.batchBytes) {
      this.writeBytes(Buffer.from(line, 'utf8'));
      return true;
    }
    const batch = this.room(line.length * 3);
    if (batch) this.commit(this.used + batch.write(line, this.used, 'utf8'));
    return true;
  }

  /**
   * For a line its writer encodes itself, with no string in between (logging.ts's request line):
   * space for `bytes` bytes (at most maxLineBytes) in the batch returned, from `at` on; the writer
   * then calls `commit` with the end of what it wrote. Undefined: the line is not taken (logging
   * has stopped, or the reader is too far behind).
   */
  room(bytes: number): Buffer | undefined {
    if (!this.takes()) return undefined;
    if (bytes > this.batchBytes - this.used) this.seal();
    return this.batch;
  }

  /** A line already encoded, longer than a batch has room for: written on its own, after the current batch. */
  writeBytes(line: Buffer): void {
    if (!this.takes()) return;
    this.seal();
    this.enqueue(line);
  }

  /** The line written into the batch from `at` ends at `end`. */
  commit(end: number): void {
    this.used = end;
    this.timer ??= setTimeout(() => this.seal(), this.flushMs).unref();
  }

  /** Calls back when every line written so far is on the descriptor. */
  flush(done: () => void): void {
    this.seal();
    if (this.closed || !this.writing) {
      done();
      return;
    }
    this.flushed.push(done);
  }

  /** Writes what is in memory now, blocking; for the process's exit. */
  flushSync(): void {
    this.seal(false);
    if (this.closed) return;
    const deadline = Date.now() + EXIT_WAIT_MS;
    // the first ready batch is the thread pool's when a write is under way
    for (const data of this.ready.splice(this.writing ? 1 : 0)) {
      let offset = 0;
      while (offset < data.length) {
        try {
          offset += writeSync(this.fd, data, offset, data.length - offset);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EAGAIN' || Date.now() > deadline) return;
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, RETRY_MS);
        }
      }
    }
  }

  /** Whether a line is taken now; one that is not is counted when the reader has fallen behind. */
  private takes(): boolean {
    if (this.closed) return false;
    if (this.readyBytes < MAX_WAITING_BYTES) return true;
    this.dropped++;
    return false;
  }

  /** Ends the current batch: it joins the ready ones, and the next line starts a new one. */
  private seal(send = true): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.used === 0) return;
    const full = this.batch.subarray(0, this.used);
    this.batch = this.spare.pop() ?? this.newBatch();
    this.used = 0;
    if (send) this.enqueue(full);
    else this.ready.push(full);
  }

  private newBatch(): Buffer {
    // its own memory, not a slice of Node's shared pool
    const batch = Buffer.from(new ArrayBuffer(this.batchBytes));
    this.batches.add(batch.buffer);
    return batch;
  }

  private enqueue(data: Buffer): void {
    this.ready.push(data);
    this.readyBytes += data.length;
    this.next();
  }

  private next(): void {
    if (this.writing || this.closed || this.ready.length === 0) return;
    this.writing = true;
    this.send(this.ready[0], 0);
  }

  private send(data: Buffer, offset: number): void {
    writeAsync(this.fd, data, offset, data.length - offset, null, (error, written) => {
      if (error?.code === 'EAGAIN') {
        setTimeout(() => this.send(data, offset), RETRY_MS);
        return;
      }
      if (error) {
        // the reader is gone (EPIPE) or the descriptor unusable: stop logging, keep serving
        this.closed = true;
        this.ready.length = 0;
        this.readyBytes = 0;
        if (error.code !== 'EPIPE') process.stderr.write(`log output failed, logging stopped: ${error.message}\n`);
      } else if (offset + written < data.length) {
        this.send(data, offset + written);
        return;
      }
      const done = this.ready.shift();
      if (done) {
        this.readyBytes -= done.length;
        if (this.batches.has(done.buffer) && this.spare.length < SPARE_BATCHES) this.spare.push(Buffer.from(done.buffer, 0, this.batchBytes));
      }
      this.writing = false;
      if (this.dropped > 0 && this.ready.length === 0) {
        process.stderr.write(`the log's reader fell behind: ${this.dropped} log lines dropped\n`);
        this.dropped = 0;
      }
      this.next();
      if (!this.writing) for (const done of this.flushed.splice(0)) done();
    });
  }
}
