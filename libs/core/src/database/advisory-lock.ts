import type { DataSource } from 'typeorm';
import { LOCKS, type LockName } from './locks';

/**
 * Runs `fn` while holding a session-level advisory lock on one dedicated connection.
 * Other processes asking for the same lock wait until it is released.
 */
export async function withAdvisoryLock<T>(dataSource: DataSource, lock: LockName, fn: () => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  const key = LOCKS[lock].toString();
  try {
    await runner.query('SELECT pg_advisory_lock($1::bigint)', [key]);
    try {
      return await fn();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1::bigint)', [key]);
    }
  } finally {
    await runner.release();
  }
}
