/**
 * What the demo (demo.ts) and the national set (national.ts) generate their data with: a seeded
 * generator (no Math.random, so the same seed gives the same data), money in integer grosze and
 * calendar days as the contract writes them.
 */

/** mulberry32: a small seeded generator (no Math.random), so the demo (and the national set) is the same on every run. */
export function seeded(seed: number) {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1));
  return {
    next,
    int,
    chance: (p: number): boolean => next() < p,
    pick: <T>(items: readonly T[]): T => items[int(0, items.length - 1)],
    /** a standard normal draw (Box–Muller) */
    normal: (): number => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
    /** n distinct integers of 0..size-1 */
    distinct: (size: number, n: number): number[] => {
      const out = new Set<number>();
      const want = Math.min(n, size);
      while (out.size < want) out.add(int(0, size - 1));
      return [...out];
    },
    /** n distinct items of the pool, in the pool's order of drawing */
    some: <T>(pool: readonly T[], n: number): T[] => {
      const rest = [...pool];
      const out: T[] = [];
      while (out.length < n && rest.length) out.push(rest.splice(int(0, rest.length - 1), 1)[0]);
      return out;
    },
  };
}
export type Rng = ReturnType<typeof seeded>;

/** Money in integer grosze, written as the contract's two-decimal string. */
export const money = (grosze: number): string => `${Math.trunc(grosze / 100)}.${String(grosze % 100).padStart(2, '0')}`;
/** "9800.00" → 980000, read digit by digit (no float). */
export const grosze = (amount: string): number => {
  const [zloty, cents] = amount.split('.');
  return Number(zloty) * 100 + Number(cents);
};
export const PLN = 100;

const DAY_MS = 86_400_000;
export const addDays = (day: string, days: number): string => new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
export const dayOf = (year: number, month: number, day: number): string => `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
