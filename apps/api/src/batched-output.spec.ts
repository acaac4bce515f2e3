import { execFileSync, spawn } from 'node:child_process';
import { transformFileSync } from '@swc/core';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { BatchedOutput } from './batched-output';

describe('BatchedOutput', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'batched-output-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const flushed = (out: BatchedOutput) => new Promise<void>((done) => out.flush(done));

  it('writes every line whole and in order, in batches, a line longer than a batch included', async () => {
    const file = join(dir, 'log');
    const fd = openSync(file, 'w');
    try {
      const out = new BatchedOutput(fd, 1024, 10_000);
      const lines = Array.from({ length: 3000 }, (_, i) => `{"n":${i},"text":"zażółć gęślą jaźń ${'x'.repeat(i % 97)}"}\n`);
      lines.splice(1500, 0, `{"long":"${'ą'.repeat(5000)}"}\n`);
      for (const line of lines) out.write(line);
      // full batches are on their way already; the last, partial one waits for its time or a flush
      await flushed(out);
      expect(readFileSync(file, 'utf8')).toBe(lines.join(''));
    } finally {
      closeSync(fd);
    }
  });

  it('keeps lines encoded into the batch by their writer (room, commit) in order with string lines, across batches', async () => {
    const file = join(dir, 'log');
    const fd = openSync(file, 'w');
    try {
      const out = new BatchedOutput(fd, 256, 10_000);
      const expected: string[] = [];
      for (let i = 0; i < 500; i++) {
        const text = `{"n":${i},"pad":"${'y'.repeat(i % 50)}"}\n`;
        expected.push(text);
        if (i % 2) {
          out.write(text);
          continue;
        }
        const batch = out.room(text.length)!;
        const end = out.at + batch.write(text, out.at, 'latin1');
        out.commit(end);
      }
      await flushed(out);
      expect(readFileSync(file, 'utf8')).toBe(expected.join(''));
    } finally {
      closeSync(fd);
    }
  });

  it('writes a partial batch after flushMs without a flush', async () => {
    const file = join(dir, 'log');
    const fd = openSync(file, 'w');
    try {
      const out = new BatchedOutput(fd, 64 * 1024, 20);
      out.write('one line\n');
      expect(readFileSync(file, 'utf8')).toBe('');
      const deadline = Date.now() + 5000;
      while (readFileSync(file, 'utf8') === '' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(readFileSync(file, 'utf8')).toBe('one line\n');
    } finally {
      closeSync(fd);
    }
  });

  it('writes what is still in memory when the process exits, and a full pipe is waited for', () => {
    // a child logs 20 000 lines into a pipe, then calls process.exit() at once: no flush, no event loop after
    const compiled = join(dir, 'batched-output.cjs');
    const source = join(process.cwd(), 'apps/api/src/batched-output.ts'); // jest runs from the project root
    writeFileSync(compiled, transformFileSync(source, { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }).code);
    const script = `
      const { BatchedOutput } = require(${JSON.stringify(compiled)});
      const out = new BatchedOutput(1, 64 * 1024, 250);
      for (let i = 0; i < 20000; i++) out.write('line ' + i + '\\n');
      process.exit(0);`;
    const output = execFileSync(process.execPath, ['-e', script], { maxBuffer: 64 * 1024 * 1024 }).toString();
    expect(output.split('\n').filter(Boolean)).toEqual(Array.from({ length: 20000 }, (_, i) => `line ${i}`));
  });

  it('stops logging, not the process, when the reader goes away', async () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const reader = spawn('head', ['-c', '10', fifo], { stdio: 'ignore' });
    const exited = new Promise((done) => reader.once('exit', done));
    const fd = openSync(fifo, 'w'); // once head has opened its end
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const out = new BatchedOutput(fd, 1024, 5);
      out.write('0123456789\n'); // head reads 10 bytes and goes
      await flushed(out);
      await exited;
      for (let i = 0; i < 5000; i++) out.write(`line ${i}\n`);
      await flushed(out); // resolves: the write failed with EPIPE and logging stopped
      out.write('after\n');
      await flushed(out);
      expect(stderr.mock.calls).toEqual([]); // EPIPE is the reader's going, not an error to report
    } finally {
      stderr.mockRestore();
      closeSync(fd);
    }
  });
});
