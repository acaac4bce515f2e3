import { Logger } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, EntityManager } from 'typeorm';

/**
 * The request's ambient transaction. A write carrying an Idempotency-Key runs inside the
 * transaction that claimed the key, so the key, the write and its audit entry commit together;
 * services join it through inTransaction() instead of opening their own.
 */
const ambient = new AsyncLocalStorage<EntityManager>();

/**
 * Work to do once a transaction has committed (a cache to drop, an event to announce): run in
 * order after COMMIT returns, dropped when the transaction rolls back. Doing it before the commit
 * would let another request read the old rows in between and keep them as if they were new.
 */
export class AfterCommitQueue {
  private readonly callbacks: Array<() => void> = [];

  add(callback: () => void): void {
    this.callbacks.push(callback);
  }

  /** Called by whoever committed; a callback's failure is logged, not thrown (the commit stands). */
  run(): void {
    for (const callback of this.callbacks.splice(0)) {
      try {
        callback();
      } catch (error) {
        new Logger('AfterCommit').error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      }
    }
  }
}

const pending = new AsyncLocalStorage<AfterCommitQueue>();

/**
 * On Node 20 an enabled AsyncLocalStorage turns on async hooks and promise hooks for the whole
 * process: every promise and every async resource (each socket write's WriteWrap included) then
 * runs a JavaScript hook, which cost a plain Fastify route 20–30 % of its requests per second
 * (docs/benchmarks.md). Writes are what need the context, and only while one runs: the two
 * stores are enabled by run() and disabled again when no run is in flight, so reads served
 * while no write runs (the public pages, most of the load) pay nothing.
 */
let runsInFlight = 0;

function runIn<S, T>(storage: AsyncLocalStorage<S>, store: S, fn: () => Promise<T>): Promise<T> {
  runsInFlight += 1;
  let result: Promise<T>;
  try {
    result = storage.run(store, fn);
  } catch (error) {
    settle();
    throw error;
  }
  return result.finally(settle);
}

function settle(): void {
  runsInFlight -= 1;
  if (runsInFlight === 0) {
    ambient.disable();
    pending.disable();
  }
}

/** Whether the stores' async hooks are on now (for the test of their switching off). */
export function contextTrackingActive(): boolean {
  return runsInFlight > 0;
}

/**
 * Runs `fn` with `manager` as the ambient transaction. Callbacks given to afterCommit() inside it
 * go to `afterCommitQueue`, which the caller runs once it has committed that transaction.
 */
export function withAmbientTransaction<T>(manager: EntityManager, fn: () => Promise<T>, afterCommitQueue = new AfterCommitQueue()): Promise<T> {
  return runIn(ambient, manager, () => runIn(pending, afterCommitQueue, fn));
}

/**
 * Runs `callback` after the current transaction commits: the ambient one of a keyed write, or
 * the one inTransaction() opened; never if it rolls back. Outside any transaction, at once.
 */
export function afterCommit(callback: () => void): void {
  const queue = pending.getStore();
  if (queue) queue.add(callback);
  else callback();
}

/**
 * The manager to read with: the ambient transaction's inside a keyed write (so a request holds one
 * pooled connection, never two), else the data source's own.
 */
export function currentManager(ds: DataSource): EntityManager {
  return ambient.getStore() ?? ds.manager;
}

/** Runs `fn` in the ambient transaction when there is one, else in a new transaction. */
export async function inTransaction<T>(ds: DataSource, fn: (em: EntityManager) => Promise<T>): Promise<T> {
  const manager = ambient.getStore();
  if (manager) return fn(manager);
  const queue = new AfterCommitQueue();
  const result = await ds.transaction((em) => runIn(pending, queue, () => fn(em)));
  queue.run();
  return result;
}
