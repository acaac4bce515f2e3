import { audit } from '@app/audit';
import { inTransaction, RuleViolation, Unauthenticated, type Actor, type Role } from '@app/core';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { generateSecret, generateURI, verify } from 'otplib';
import { createHash, randomInt } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { LoginBackoff } from './login-backoff';

/** The roles a municipality's requirement applies to: those who write the registers or manage users. */
export const TWO_FACTOR_REQUIRED_ROLES: readonly Role[] = ['admin', 'official'];
/** Codes of the step before and after the current one are accepted (a phone's clock a little off). */
const EPOCH_TOLERANCE_SECONDS = 30;
export const RECOVERY_CODE_COUNT = 10;
const RECOVERY_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789'; // no l, o, 0, 1: read off paper without doubt

/** Where a user stands: turned on or not, codes left, whether their municipality requires it of their role. */
export interface TwoFactorStatus {
  enabled: boolean;
  enabledAt: string | null;
  recoveryCodesLeft: number;
  required: boolean;
  /** Required of this user and not turned on: they must set it up before anything else. */
  mustEnrol: boolean;
}

/** Six digits, or a recovery code (ten letters and digits, a dash or spaces allowed), as typed. */
export function normaliseCode(code: string): { totp: string } | { recovery: string } | null {
  const compact = code.replace(/[\s-]/g, '').toLowerCase();
  if (/^\d{6}$/.test(compact)) return { totp: compact };
  if (compact.length === 10 && [...compact].every((c) => RECOVERY_ALPHABET.includes(c))) return { recovery: compact };
  return null;
}

/** The time step of `token` when it is a code of `secret` later than `afterTimeStep` (within the tolerance), else null. */
async function totpStep(secret: string, token: string, afterTimeStep?: number): Promise<number | null> {
  const result = await verify({ strategy: 'totp', secret, token, epochTolerance: EPOCH_TOLERANCE_SECONDS, ...(afterTimeStep === undefined ? {} : { afterTimeStep }) });
  return result.valid && 'timeStep' in result ? result.timeStep : null;
}

const recoveryHash = (code: string) => createHash('sha256').update(code, 'utf8').digest();

function newRecoveryCode(): string {
  let code = '';
  for (let i = 0; i < 10; i++) code += RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)];
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

interface TotpRow {
  totp_secret: string | null;
  totp_pending_secret: string | null;
  totp_enabled_at: Date | null;
  totp_last_step: string | null;
  role: Role;
  two_factor_required: boolean;
}

/**
 * Two-factor sign-in with TOTP (RFC 6238, otplib): a user sets it up by scanning a secret and
 * typing a code from it, and gets ten single-use recovery codes; from then on a sign-in needs a
 * code besides the password, each code accepted once. An admin may require it of the
 * municipality's admins and officials, and may turn it off for a user who lost their phone.
 */
@Injectable()
export class TwoFactorService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  private async row(db: DataSource | EntityManager, userId: string, municipalityId: string, lock = false): Promise<TotpRow> {
    const [row]: TotpRow[] = await db.query(
      `SELECT u.totp_secret, u.totp_pending_secret, u.totp_enabled_at, u.totp_last_step, u.role, m.two_factor_required
         FROM users u JOIN municipalities m ON m.id = u.municipality_id
        WHERE u.id = $1 AND u.municipality_id = $2${lock ? ' FOR UPDATE OF u' : ''}`,
      [userId, municipalityId],
    );
    if (!row) throw new Unauthenticated('The user no longer exists');
    return row;
  }

  async status(actor: Actor): Promise<TwoFactorStatus> {
    return this.statusOf(actor.municipalityId, actor.userId);
  }

  /** A user's status, for an admin of the same municipality (the caller checks the permission). */
  async statusOf(municipalityId: string, userId: string): Promise<TwoFactorStatus> {
    const row = await this.row(this.ds, userId, municipalityId);
    const [{ n }]: Array<{ n: number }> = await this.ds.query(`SELECT count(*)::int AS n FROM recovery_codes WHERE municipality_id = $1 AND user_id = $2 AND used_at IS NULL`, [
      municipalityId,
      userId,
    ]);
    const required = row.two_factor_required && TWO_FACTOR_REQUIRED_ROLES.includes(row.role);
    const enabled = row.totp_secret !== null;
    return { enabled, enabledAt: row.totp_enabled_at?.toISOString() ?? null, recoveryCodesLeft: enabled ? n : 0, required, mustEnrol: required && !enabled };
  }

  /** The secret to scan while setting up (the same one until it is confirmed, so a reload does not invalidate a scan). */
  async begin(actor: Actor, issuer: string): Promise<{ secret: string; uri: string }> {
    return inTransaction(this.ds, async (em) => {
      const row = await this.row(em, actor.userId, actor.municipalityId, true);
      if (row.totp_secret) throw RuleViolation.of('two-factor.already-on', 'otp', 'Two-factor sign-in is already on');
      let secret = row.totp_pending_secret;
      if (!secret) {
        secret = generateSecret();
        await em.query(`UPDATE users SET totp_pending_secret = $3 WHERE id = $1 AND municipality_id = $2`, [actor.userId, actor.municipalityId, secret]);
      }
      return { secret, uri: generateURI({ issuer, label: actor.email, secret }) };
    });
  }

  /** Turns it on when `code` comes from the secret being set up; returns the recovery codes, shown once. */
  async confirm(actor: Actor, code: string): Promise<string[]> {
    const backoff = new LoginBackoff(this.ds);
    await backoff.claim(actor.email);
    return inTransaction(this.ds, async (em) => {
      const row = await this.row(em, actor.userId, actor.municipalityId, true);
      if (row.totp_secret) throw RuleViolation.of('two-factor.already-on', 'otp', 'Two-factor sign-in is already on');
      const typed = normaliseCode(code);
      const step = row.totp_pending_secret && typed && 'totp' in typed ? await totpStep(row.totp_pending_secret, typed.totp) : null;
      if (step === null) {
        await backoff.failed(actor.email);
        throw RuleViolation.of('two-factor.code', 'otp', 'is not the current code of this secret');
      }
      await backoff.succeeded(actor.email);
      await em.query(
        `UPDATE users SET totp_secret = totp_pending_secret, totp_pending_secret = NULL, totp_enabled_at = now(), totp_last_step = $3, version = version + 1, updated_at = now()
          WHERE id = $1 AND municipality_id = $2`,
        [actor.userId, actor.municipalityId, step],
      );
      const codes = await this.replaceRecoveryCodes(em, actor.userId, actor.municipalityId);
      await audit(em, actor, { action: 'update', entity: 'user', entityId: actor.userId, after: { id: actor.userId, twoFactor: 'on' } });
      return codes;
    });
  }

  private async replaceRecoveryCodes(em: EntityManager, userId: string, municipalityId: string): Promise<string[]> {
    await em.query(`DELETE FROM recovery_codes WHERE municipality_id = $1 AND user_id = $2`, [municipalityId, userId]);
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    await em.query(`INSERT INTO recovery_codes (municipality_id, user_id, code_hash) SELECT $1, $2, unnest($3::bytea[])`, [
      municipalityId,
      userId,
      codes.map((c) => recoveryHash(c.replace('-', ''))),
    ]);
    return codes;
  }

  /** New recovery codes (the old ones stop working); needs a current code. */
  async regenerateRecoveryCodes(actor: Actor, code: string): Promise<string[]> {
    await this.checkOwnCode(actor, code);
    return inTransaction(this.ds, async (em) => {
      const codes = await this.replaceRecoveryCodes(em, actor.userId, actor.municipalityId);
      await audit(em, actor, { action: 'update', entity: 'user', entityId: actor.userId, after: { id: actor.userId, recoveryCodes: 'renewed' } });
      return codes;
    });
  }

  /** The user turns it off with a current code; not while their municipality requires it of their role. */
  async disable(actor: Actor, code: string): Promise<void> {
    const status = await this.status(actor);
    if (status.required) throw RuleViolation.of('two-factor.required', 'otp', 'Your municipality requires two-factor sign-in of your role');
    await this.checkOwnCode(actor, code);
    await this.turnOff(actor, actor.userId);
  }

  /** An admin turns it off for a user of the municipality (a lost phone); the user's sessions and tokens end. */
  async reset(actor: Actor, userId: string): Promise<void> {
    await this.turnOff(actor, userId);
  }

  private async turnOff(actor: Actor, userId: string): Promise<void> {
    await inTransaction(this.ds, async (em) => {
      // TypeORM answers an UPDATE with [rows, count]
      const [changed]: [unknown[], number] = await em.query(
        `UPDATE users SET totp_secret = NULL, totp_pending_secret = NULL, totp_enabled_at = NULL, totp_last_step = NULL, token_version = token_version + 1, version = version + 1, updated_at = now()
          WHERE id = $1 AND municipality_id = $2 AND totp_secret IS NOT NULL RETURNING id`,
        [userId, actor.municipalityId],
      );
      if (!changed.length) throw RuleViolation.of('two-factor.off', 'otp', 'Two-factor sign-in is not on for this user');
      await em.query(`DELETE FROM recovery_codes WHERE municipality_id = $1 AND user_id = $2`, [actor.municipalityId, userId]);
      await audit(em, actor, { action: 'update', entity: 'user', entityId: userId, after: { id: userId, twoFactor: 'off' } });
    });
  }

  /** A current code of the signed-in user (for turning it off or renewing codes), under the sign-in back-off. */
  private async checkOwnCode(actor: Actor, code: string): Promise<void> {
    const backoff = new LoginBackoff(this.ds);
    await backoff.claim(actor.email);
    if (!(await this.accept(actor.userId, actor.municipalityId, code))) {
      await backoff.failed(actor.email);
      throw RuleViolation.of('two-factor.code', 'otp', 'is not a current code or an unused recovery code');
    }
    await backoff.succeeded(actor.email);
  }

  /**
   * Whether `code` lets the user in: a TOTP code of a step later than the last one accepted
   * (taken in the same statement, so two requests with one code cannot both pass), or an unused
   * recovery code (used up by this call). Back-off is the caller's.
   */
  async accept(userId: string, municipalityId: string, code: string): Promise<boolean> {
    const typed = normaliseCode(code);
    if (!typed) return false;
    if ('recovery' in typed) {
      const [used]: [unknown[], number] = await this.ds.query(
        `UPDATE recovery_codes SET used_at = now() WHERE municipality_id = $1 AND user_id = $2 AND code_hash = $3 AND used_at IS NULL RETURNING user_id`,
        [municipalityId, userId, recoveryHash(typed.recovery)],
      );
      return used.length === 1;
    }
    const row = await this.row(this.ds, userId, municipalityId);
    if (!row.totp_secret) return false;
    const last = row.totp_last_step === null ? undefined : Number(row.totp_last_step);
    const step = await totpStep(row.totp_secret, typed.totp, last);
    if (step === null) return false;
    const [taken]: [unknown[], number] = await this.ds.query(
      `UPDATE users SET totp_last_step = $3 WHERE id = $1 AND municipality_id = $2 AND totp_secret IS NOT NULL AND (totp_last_step IS NULL OR totp_last_step < $3) RETURNING id`,
      [userId, municipalityId, step],
    );
    return taken.length === 1;
  }

  /** Whether the municipality requires two-factor sign-in of its admins and officials. */
  async required(municipalityId: string): Promise<boolean> {
    const [m]: Array<{ two_factor_required: boolean }> = await this.ds.query(`SELECT two_factor_required FROM municipalities WHERE id = $1`, [municipalityId]);
    return !!m?.two_factor_required;
  }

  /** An admin requires it (or not) of the municipality's admins and officials; an admin must have it on before requiring it. */
  async setRequired(actor: Actor, required: boolean): Promise<void> {
    if (required && !(await this.status(actor)).enabled) {
      throw RuleViolation.of('two-factor.admin-first', 'twoFactorRequired', 'Turn on two-factor sign-in for your own account before requiring it of others');
    }
    await inTransaction(this.ds, async (em) => {
      const [before]: Array<{ two_factor_required: boolean }> = await em.query(`SELECT two_factor_required FROM municipalities WHERE id = $1 FOR UPDATE`, [actor.municipalityId]);
      if (before.two_factor_required === required) return;
      await em.query(`UPDATE municipalities SET two_factor_required = $2 WHERE id = $1`, [actor.municipalityId, required]);
      await audit(em, actor, { action: 'update', entity: 'municipality', entityId: actor.municipalityId, before: { twoFactorRequired: before.two_factor_required }, after: { twoFactorRequired: required } });
    });
  }
}
