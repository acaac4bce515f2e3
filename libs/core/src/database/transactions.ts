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
 * Runs `fn` with `manager` as the ambient transaction. Callbacks given to afterCommit() inside it
 * go to `afterCommitQueue`, which the caller runs once it has committed that transaction.
 */
export function withAmbientTransaction<T>(manager: EntityManager, fn: () => Promise<T>, afterCommitQueue = new AfterCommitQueue()): Promise<T> {
  return ambient.run(manager, () => pending.run(afterCommitQueue, fn));
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
  const result = await ds.transaction((em) => pending.run(queue, () => fn(em)));
  queue.run();
  return result;
}
