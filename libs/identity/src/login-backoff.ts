import { TooManyRequests } from '@app/core';
import type { DataSource, EntityManager } from 'typeorm';

/** Failures allowed before the back-off starts. */
export const BACKOFF_FREE_FAILURES = 5;
/** The longest wait, in seconds (15 minutes). */
export const BACKOFF_MAX_SECONDS = 900;

// A failure streak older than a day starts again from one.
const FRESH = `b.last_failure_at < now() - interval '1 day'`;
const NEXT = `CASE WHEN ${FRESH} THEN 1 ELSE b.failures + 1 END`;

/**
 * Counts the attempt as a failure before the password is checked, in one statement, unless the
 * email is inside its waiting window: so parallel guesses on one or many instances cannot slip
 * past the count. After BACKOFF_FREE_FAILURES failures each further one opens a window of
 * 1 s, 2 s, 4 s … (at most BACKOFF_MAX_SECONDS). Returns nothing while the window is open.
 */
const CLAIM_SQL = `
  INSERT INTO login_backoff AS b (email, failures, last_failure_at)
  VALUES ($1, 1, now())
  ON CONFLICT (email) DO UPDATE SET
    failures = ${NEXT},
    last_failure_at = now(),
    blocked_until = CASE WHEN ${NEXT} >= ${BACKOFF_FREE_FAILURES}
      THEN now() + least(power(2, ${NEXT} - ${BACKOFF_FREE_FAILURES}), ${BACKOFF_MAX_SECONDS}) * interval '1 second' END
  WHERE b.blocked_until IS NULL OR b.blocked_until <= now()
  RETURNING failures`;

/** The email as the back-off keys it: whether or not an account has it, so the answer reveals nothing. */
export function backoffKey(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * The per-account sign-in back-off, kept in PostgreSQL (table login_backoff) so that every
 * instance shares it. Used by sign-in and by the password change (its current password).
 */
export class LoginBackoff {
  constructor(private readonly db: DataSource | EntityManager) {}

  /** Records the attempt; throws 429 with Retry-After while the email must wait. */
  async claim(email: string): Promise<void> {
    const key = backoffKey(email);
    const claimed: unknown[] = await this.db.query(CLAIM_SQL, [key]);
    if (claimed.length) return;
    const [row]: Array<{ wait: number }> = await this.db.query(
      `SELECT greatest(1, ceil(extract(epoch FROM blocked_until - now())))::int AS wait FROM login_backoff WHERE email = $1`,
      [key],
    );
    const wait = row?.wait ?? 1;
    throw new TooManyRequests(`Too many failed sign-ins for this account; try again in ${wait} second${wait === 1 ? '' : 's'}`, wait);
  }

  /**
   * A failed check: the wait is measured from its answer (the claim opened it before the slow
   * password check, to hold back attempts made meanwhile).
   */
  async failed(email: string): Promise<void> {
    await this.db.query(
      `UPDATE login_backoff SET blocked_until = now() + least(power(2, failures - ${BACKOFF_FREE_FAILURES}), ${BACKOFF_MAX_SECONDS}) * interval '1 second'
       WHERE email = $1 AND failures >= ${BACKOFF_FREE_FAILURES}`,
      [backoffKey(email)],
    );
  }

  /** A success ends the streak. */
  async succeeded(email: string): Promise<void> {
    await this.db.query('DELETE FROM login_backoff WHERE email = $1', [backoffKey(email)]);
  }

  /** Rows of streaks that ended more than a day ago mean nothing any more. */
  async purgeStale(): Promise<void> {
    await this.db.query(`DELETE FROM login_backoff WHERE last_failure_at < now() - interval '1 day' AND (blocked_until IS NULL OR blocked_until < now())`);
  }
}
