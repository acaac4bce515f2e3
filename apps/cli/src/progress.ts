import { SingleBar } from 'cli-progress';

/** Progress of long work, drawn on stderr so that stdout keeps only the result. */
export interface Progress {
  /** `done` so far, of `total` when known. */
  update(done: number, total?: number): void;
  /** The end: the last count is shown, the display taken down. */
  stop(): void;
  /** The work failed: the display is taken down without a last count. */
  abort(): void;
}

export interface ProgressOptions {
  /** What is counted, e.g. "export 2019" */
  label: string;
  /** How a count reads, e.g. `1000 rows` (the default) or `1.5 MiB`. */
  format?: (n: number) => string;
  /** A plain line each time the count passes a multiple of this, when not on a terminal. */
  every?: number;
  enabled?: boolean;
}

const NO_PROGRESS: Progress = { update: () => undefined, stop: () => undefined, abort: () => undefined };
const REDRAW_MS = 100;

export const rows = (n: number) => `${n} rows`;

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** A person watches when both streams are a terminal; anything else (a pipe, a log file, a test) gets plain lines. */
export function interactive(): boolean {
  return Boolean(process.stdout.isTTY && process.stderr.isTTY);
}

/**
 * On a terminal a cli-progress bar (or, while the total is unknown, a count redrawn in place at
 * most every 100 ms); otherwise plain lines, `<label>: 1000 rows`, every `every` and once at the end.
 */
export function startProgress(o: ProgressOptions): Progress {
  if (o.enabled === false) return NO_PROGRESS;
  const format = o.format ?? rows;
  if (!interactive()) return plainProgress(o.label, format, o.every ?? 1000);
  let bar: SingleBar | undefined;
  let last = 0;
  let drawn = 0;
  let counting = false;
  const erase = () => process.stderr.write('\r\x1b[K');
  return {
    update(done, total) {
      last = done;
      if (total !== undefined && total > 0) {
        if (!bar) {
          if (counting) erase();
          bar = new SingleBar({
            format: `${o.label} [{bar}] {percentage}% | {value}/{total} | ETA {eta_formatted}`,
            stream: process.stderr,
            hideCursor: true,
            etaBuffer: 50,
          });
          bar.start(total, done);
        } else {
          bar.setTotal(total);
          bar.update(done);
        }
        return;
      }
      const now = Date.now();
      if (now - drawn < REDRAW_MS) return;
      drawn = now;
      counting = true;
      process.stderr.write(`\r\x1b[K${o.label}: ${format(done)}`);
    },
    stop() {
      if (bar) bar.stop();
      else process.stderr.write(`${counting ? '\r\x1b[K' : ''}${o.label}: ${format(last)}\n`);
    },
    abort() {
      if (bar) bar.stop();
      else if (counting) erase();
    },
  };
}

function plainProgress(label: string, format: (n: number) => string, every: number): Progress {
  let last = 0;
  let lastTotal: number | undefined;
  let printed: number | null = null;
  const line = (done: number, total?: number) => {
    process.stderr.write(`${label}: ${format(done)}${total !== undefined ? ` of ${format(total)}` : ''}\n`);
    printed = done;
  };
  return {
    update(done, total) {
      if (Math.floor(done / every) > Math.floor(last / every)) line(Math.floor(done / every) * every, total);
      last = done;
      lastTotal = total ?? lastTotal;
    },
    stop() {
      if (printed !== last) line(last, lastTotal);
    },
    abort: () => undefined,
  };
}

/** Work that reports no count (an import runs its rows in one call): a spinner on a terminal, else a line when it starts and one when it ends. */
export interface Activity {
  stop(summary: string): void;
  abort(): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function startActivity(label: string, enabled = true): Activity {
  const started = Date.now();
  const seconds = () => ((Date.now() - started) / 1000).toFixed(1);
  if (!enabled) return { stop: () => undefined, abort: () => undefined };
  if (!interactive()) {
    process.stderr.write(`${label}…\n`);
    return { stop: (summary) => process.stderr.write(`${label}: ${summary} in ${seconds()} s\n`), abort: () => undefined };
  }
  let frame = 0;
  const draw = () => process.stderr.write(`\r\x1b[K${FRAMES[frame++ % FRAMES.length]} ${label} (${Math.floor((Date.now() - started) / 1000)} s)`);
  draw();
  const timer = setInterval(draw, REDRAW_MS).unref();
  return {
    stop(summary) {
      clearInterval(timer);
      process.stderr.write(`\r\x1b[K${label}: ${summary} in ${seconds()} s\n`);
    },
    abort() {
      clearInterval(timer);
      process.stderr.write('\r\x1b[K');
    },
  };
}
