import type { Actor, Role } from '@app/core';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { TWO_FACTOR_REQUIRED_ROLES } from '@app/identity';

/** Idle and absolute limits of a web session (../shared/web-app.md). */
export const SESSION_IDLE_MINUTES = 30;
export const SESSION_ABSOLUTE_HOURS = 12;
/**
 * A session waiting for its two-factor code lasts this long, and allows this many wrong codes
 * before the password is asked again. The sign-in back-off counts the password step until its
 * code comes and each code, so that a waiting session ends before the back-off's free failures
 * are spent: a user who mistyped is sent back to the password, not made to wait.
 */
export const CODE_STEP_MINUTES = 5;
export const CODE_ATTEMPTS = 3;
/** last_seen_at is written at most this often, so a busy page does not write on every request. */
const TOUCH_EVERY_SECONDS = 60;

/** A signed-in visit: who (as the API's services know an actor), the session's CSRF token, and where they belong. */
export interface WebSession {
  /** SHA-256 of the cookie's value: the row's key. */
  id: Buffer;
  actor: Actor;
  csrfToken: string;
  municipality: { slug: string; name: string };
  /** The one-time confirmation left by the last form, already cleared from the row. */
  flash: string | null;
  /**
   * `code`: the password was right, the two-factor code has not come yet (serves only the code
   * page); `enrol`: the municipality requires two-factor sign-in of this user, who has not set it
   * up (serves only its set-up page and sign-out); `in`: signed in.
   */
  stage: 'code' | 'enrol' | 'in';
  codeAttempts: number;
}

interface SessionRow {
  user_id: string;
  csrf_token: string;
  flash: string | null;
  touch: boolean;
  email: string;
  municipality_id: string;
  role: Role;
  ngo_id: string | null;
  platform_admin: boolean;
  slug: string;
  name: string;
  second_factor_pending: boolean;
  must_enrol: boolean;
  code_attempts: number;
}

const hashOf = (cookieValue: string) => createHash('sha256').update(cookieValue, 'utf8').digest();
const token = () => randomBytes(32).toString('base64url');

/**
 * Server-side sessions in PostgreSQL (web_sessions), so that every instance serves every user.
 * A session is valid while it has been used within the idle limit, is younger than the absolute
 * limit, and its user is active with the token_version the session began with: whatever revokes
 * the user's API tokens (role change, deactivation, password change, "sign out everywhere") ends
 * their sessions on the next request too.
 */
@Injectable()
export class WebSessions {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** A new session (a new id at every sign-in); returns the cookie's value. */
  async open(user: { id: string; municipalityId: string; tokenVersion: number }, flash: string | null = null, awaitingCode = false): Promise<string> {
    const value = token();
    await this.ds.query(
      `INSERT INTO web_sessions (id, municipality_id, user_id, token_version, csrf_token, flash, second_factor_pending) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [hashOf(value), user.municipalityId, user.id, user.tokenVersion, token(), flash, awaitingCode],
    );
    if (Math.random() < 0.01) await this.purgeExpired();
    return value;
  }

  /** The session behind a cookie's value, or null when there is none or it has ended. Consumes its flash. */
  async resolve(cookieValue: string | undefined): Promise<WebSession | null> {
    if (!cookieValue || cookieValue.length > 100) return null;
    const id = hashOf(cookieValue);
    const rows: SessionRow[] = await this.ds.query(
      `SELECT s.user_id, s.csrf_token, s.flash, s.last_seen_at < now() - interval '${TOUCH_EVERY_SECONDS} seconds' AS touch,
              u.email, u.municipality_id, u.role, u.ngo_id, u.platform_admin, m.slug, m.name, s.second_factor_pending, s.code_attempts,
              m.two_factor_required AND u.role IN (${TWO_FACTOR_REQUIRED_ROLES.map((r) => `'${r}'`).join(', ')}) AND u.totp_enabled_at IS NULL AS must_enrol
         FROM web_sessions s
         JOIN users u ON u.municipality_id = s.municipality_id AND u.id = s.user_id AND u.active AND u.token_version = s.token_version
         JOIN municipalities m ON m.id = u.municipality_id
        WHERE s.id = $1 -- the cookie names the session alone (web_sessions_id_idx)
          AND s.last_seen_at > now() - interval '${SESSION_IDLE_MINUTES} minutes'
          AND s.created_at > now() - interval '${SESSION_ABSOLUTE_HOURS} hours'
          AND (NOT s.second_factor_pending OR s.created_at > now() - interval '${CODE_STEP_MINUTES} minutes')`,
      [id],
    );
    const row = rows[0];
    if (!row) return null;
    if (row.touch || row.flash !== null) await this.ds.query(`UPDATE web_sessions SET last_seen_at = now(), flash = NULL WHERE municipality_id = $2 AND id = $1`, [id, row.municipality_id]);
    return {
      id,
      actor: { userId: row.user_id, email: row.email, municipalityId: row.municipality_id, role: row.role, ngoId: row.ngo_id, platformAdmin: row.platform_admin },
      csrfToken: row.csrf_token,
      municipality: { slug: row.slug, name: row.name },
      flash: row.flash,
      stage: row.second_factor_pending ? 'code' : row.must_enrol ? 'enrol' : 'in',
      codeAttempts: row.code_attempts,
    };
  }

  /** The code came: the waiting session ends and a signed-in one begins, under a new id; returns its cookie's value. */
  async completeSignIn(session: WebSession): Promise<string | null> {
    const value = token();
    const opened: unknown[] = await this.ds.query(
      `WITH waiting AS (DELETE FROM web_sessions WHERE municipality_id = $4 AND id = $1 AND second_factor_pending RETURNING municipality_id, user_id, token_version)
       INSERT INTO web_sessions (id, municipality_id, user_id, token_version, csrf_token) SELECT $2, municipality_id, user_id, token_version, $3 FROM waiting RETURNING id`,
      [session.id, hashOf(value), token(), session.actor.municipalityId],
    );
    return opened.length ? value : null;
  }

  /** A wrong code: counted; returns false when the session has used up its attempts (it is then ended). */
  async wrongCode(session: WebSession): Promise<boolean> {
    // TypeORM answers an UPDATE with [rows, count]
    const [[row]]: [Array<{ code_attempts: number }>, number] = await this.ds.query(`UPDATE web_sessions SET code_attempts = code_attempts + 1 WHERE municipality_id = $2 AND id = $1 RETURNING code_attempts`, [
      session.id,
      session.actor.municipalityId,
    ]);
    if (row && row.code_attempts < CODE_ATTEMPTS) return true;
    await this.close(session);
    return false;
  }

  /** Leaves a one-time confirmation for the next page of this session. */
  async flash(session: WebSession, message: string): Promise<void> {
    await this.ds.query(`UPDATE web_sessions SET flash = $2 WHERE municipality_id = $3 AND id = $1`, [session.id, message, session.actor.municipalityId]);
  }

  /** Signs this session out. */
  async close(session: WebSession): Promise<void> {
    await this.ds.query(`DELETE FROM web_sessions WHERE municipality_id = $2 AND id = $1`, [session.id, session.actor.municipalityId]);
  }

  /**
   * After the user's own password change (which ended all their sessions): a new session for this
   * browser at the user's new token version, or null when the user is no longer active.
   */
  async renew(session: WebSession, flash: string | null = null): Promise<string | null> {
    const [user]: Array<{ token_version: number }> = await this.ds.query(`SELECT token_version FROM users WHERE id = $1 AND municipality_id = $2 AND active`, [
      session.actor.userId,
      session.actor.municipalityId,
    ]);
    await this.close(session);
    return user ? this.open({ id: session.actor.userId, municipalityId: session.actor.municipalityId, tokenVersion: user.token_version }, flash) : null;
  }

  /** Removes the rows of sessions that can no longer be used. */
  async purgeExpired(): Promise<void> {
    await this.ds.query(
      `DELETE FROM web_sessions WHERE last_seen_at < now() - interval '${SESSION_IDLE_MINUTES} minutes' OR created_at < now() - interval '${SESSION_ABSOLUTE_HOURS} hours'`,
    );
  }
}
