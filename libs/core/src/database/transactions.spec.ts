import type { DataSource, EntityManager } from 'typeorm';
import { afterCommit, contextTrackingActive, currentManager, inTransaction, withAmbientTransaction } from './transactions';

const own = { name: 'data source manager' } as unknown as EntityManager;
const ds = { manager: own, transaction: <T>(fn: (em: EntityManager) => Promise<T>) => fn({ name: 'tx' } as unknown as EntityManager) } as unknown as DataSource;
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('the ambient transaction and its context tracking', () => {
  it('keeps each run its own manager across awaits, also when runs overlap, and switches tracking off when none is in flight', async () => {
    const a = { name: 'a' } as unknown as EntityManager;
    const b = { name: 'b' } as unknown as EntityManager;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = withAmbientTransaction(a, async () => {
      await gate;
      await tick();
      return currentManager(ds);
    });
    const second = withAmbientTransaction(b, async () => {
      await tick();
      return currentManager(ds);
    });
    expect(contextTrackingActive()).toBe(true);
    expect(await second).toBe(b);
    // the first is still running: tracking stays on for it
    expect(contextTrackingActive()).toBe(true);
    release();
    expect(await first).toBe(a);
    expect(contextTrackingActive()).toBe(false);
    expect(currentManager(ds)).toBe(own);
  });

  it('runs after-commit work once the transaction has committed, and never for one that failed', async () => {
    const ran: string[] = [];
    await inTransaction(ds, async () => {
      afterCommit(() => ran.push('committed'));
      await tick();
      expect(ran).toEqual([]);
    });
    expect(ran).toEqual(['committed']);
    await expect(
      inTransaction(ds, async () => {
        afterCommit(() => ran.push('rolled back'));
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(ran).toEqual(['committed']);
    expect(contextTrackingActive()).toBe(false);
  });
});
