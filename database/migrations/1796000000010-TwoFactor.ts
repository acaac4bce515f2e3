import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Two-factor sign-in (TOTP, RFC 6238). A user's secret is kept while they set it up
 * (`totp_pending_secret`) and moves to `totp_secret` once they have typed a code from it;
 * `totp_last_step` is the time step of the last code accepted, so a code is taken once (a replay
 * inside its 30 s window is refused). Recovery codes are kept as SHA-256 of the code (each is
 * random, 50 bits), each usable once. A municipality may require two-factor sign-in of its admins
 * and officials. A web session opened by the password alone waits for the code
 * (`second_factor_pending`) and serves no page until it comes.
 */
export class TwoFactor1796000000010 implements MigrationInterface {
  name = 'TwoFactor1796000000010';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE municipalities ADD COLUMN two_factor_required boolean NOT NULL DEFAULT false`);
    await q.query(`
      ALTER TABLE users
        ADD COLUMN totp_secret text,
        ADD COLUMN totp_pending_secret text,
        ADD COLUMN totp_enabled_at timestamptz,
        ADD COLUMN totp_last_step bigint,
        ADD CONSTRAINT users_totp_enabled CHECK ((totp_secret IS NULL) = (totp_enabled_at IS NULL))`);
    await q.query(`
      CREATE TABLE recovery_codes (
        municipality_id uuid NOT NULL REFERENCES municipalities (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        code_hash bytea NOT NULL CHECK (length(code_hash) = 32),
        used_at timestamptz,
        PRIMARY KEY (municipality_id, user_id, code_hash)
      )`);
    await q.query(`ALTER TABLE web_sessions ADD COLUMN second_factor_pending boolean NOT NULL DEFAULT false, ADD COLUMN code_attempts integer NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE web_sessions DROP COLUMN second_factor_pending, DROP COLUMN code_attempts`);
    await q.query(`DROP TABLE recovery_codes`);
    await q.query(`ALTER TABLE users DROP CONSTRAINT users_totp_enabled, DROP COLUMN totp_secret, DROP COLUMN totp_pending_secret, DROP COLUMN totp_enabled_at, DROP COLUMN totp_last_step`);
    await q.query(`ALTER TABLE municipalities DROP COLUMN two_factor_required`);
  }
}
