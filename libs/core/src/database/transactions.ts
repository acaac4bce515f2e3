import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, EntityManager } from 'typeorm';

/**
 * The request's ambient transaction. A write carrying an Idempotency-Key runs inside the
 * transaction that claimed the key, so the key, the write and its audit entry commit together;
 * services join it through inTransaction() instead of opening their own.
 */
const ambient = new AsyncLocalStorage<EntityManager>();

export function withAmbientTransaction<T>(manager: EntityManager, fn: () => Promise<T>): Promise<T> {
  return ambient.run(manager, fn);
}

/**
 * The manager to read with: the ambient transaction's inside a keyed write (so a request holds one
 * pooled connection, never two), else the data source's own.
 */
export function currentManager(ds: DataSource): EntityManager {
  return ambient.getStore() ?? ds.manager;
}

/** Runs `fn` in the ambient transaction when there is one, else in a new transaction. */
export function inTransaction<T>(ds: DataSource, fn: (em: EntityManager) => Promise<T>): Promise<T> {
  const manager = ambient.getStore();
  return manager ? fn(manager) : ds.transaction(fn);
}
