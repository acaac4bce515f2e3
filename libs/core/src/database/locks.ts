/**
 * The registry of PostgreSQL advisory lock keys. Every session-level or transaction-level
 * advisory lock the application takes is listed here, so two features never share a key
 * by accident. Keys are 64-bit; the high part 0x4e474f ("NGO") marks them as ours.
 */
const NS = 0x4e474f00n << 32n;

export const LOCKS = {
  /** Held while migrations and the first-start bootstrap run, so that two processes starting together do not both run them. */
  schema: NS + 1n,
  /**
   * Held (pg_try_advisory_lock, session level, on one dedicated connection) for the whole of a nightly
   * report run, so that of several processes whose cron fires together exactly one runs it; the others skip.
   */
  nightlyReports: NS + 2n,
  /** The same for the yearly run that opens the draft of the year just ended. */
  yearlyReports: NS + 3n,
  /** The same for the minutely run that records the calls whose offer deadline has passed (status `closed`, audit entry). */
  closeCalls: NS + 4n,
} as const;

export type LockName = keyof typeof LOCKS;
