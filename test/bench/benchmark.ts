import type { AppConfig } from '@app/core';
import type { DataSource } from 'typeorm';

/**
 * What a benchmark is: a measurement of the application set against a baseline measured in the
 * same run on the same machine, and a goal for their ratio (measured / baseline). Speed and size
 * targets live here, never in unit tests.
 */
export interface Goal {
  /** `>=`: the measured figure should reach `ratio` × baseline (throughput); `<=`: stay within it (time, memory). */
  op: '>=' | '<=';
  ratio: number;
}

export interface Measurement {
  measured: number;
  baseline: number;
  /** e.g. 'req/s', 'ms', 'MiB'; both figures share it */
  unit: string;
  /** Lines printed under the table: method, settings, breakdowns, findings. */
  notes: string[];
}

export interface Benchmark {
  /** Short, unique, lower case; `npm run bench -- <name>` runs only the benchmarks whose names contain it. */
  name: string;
  /** What `measured` and `baseline` are, one line each. */
  measuredIs: string;
  baselineIs: string;
  goal: Goal;
  run(ctx: BenchContext): Promise<Measurement>;
}

export interface BenchContext {
  /** The throwaway database of this run: migrated, with the demo data and its published 2019 report. */
  databaseUrl: string;
  /** The configuration the demo data were created with (the application processes use the same). */
  config: AppConfig;
  /** A data source on the bench database (pool of 4), owned by the runner. */
  dataSource: DataSource;
  /** Absolute path of the compiled tree (…/.data/bench/dist), for child processes. */
  distRoot: string;
  /** A progress line (stderr, so that stdout stays the results). */
  progress(message: string): void;
}

export function median(values: number[]): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function ratioPasses(goal: Goal, ratio: number): boolean {
  return Number.isFinite(ratio) && (goal.op === '>=' ? ratio >= goal.ratio : ratio <= goal.ratio);
}

/** Milliseconds with a precision that suits their size. */
export function ms(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}
