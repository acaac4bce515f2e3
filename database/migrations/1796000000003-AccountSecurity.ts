import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Accounts that can be changed and revoked, emails unique per municipality, and the sign-in
 * back-off shared by every instance.
 * - users.token_version is carried in every access token; the auth guard admits a token only
 *   while it equals the row's (logout, a password change, a role/NGO change or deactivation
 *   move it on), and only while the user is active.
 * - An email is unique within its municipality only, so creating a user never reveals that the
 *   address is used in another municipality.
 * - login_backoff counts consecutive failed sign-ins per normalised email, whether or not an
 *   account has it (so it reveals nothing).
 */
export class AccountSecurity1796000000003 implements MigrationInterface {
  name = 'AccountSecurity1796000000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE users
        ADD COLUMN active boolean NOT NULL DEFAULT true,
        ADD COLUMN token_version integer NOT NULL DEFAULT 1,
        ADD COLUMN version integer NOT NULL DEFAULT 1,
        ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now()`);
    await q.query(`ALTER TABLE users DROP CONSTRAINT users_email_key`);
    await q.query(`DROP INDEX users_municipality_idx`);
    await q.query(`ALTER TABLE users ADD CONSTRAINT users_municipality_email_key UNIQUE (municipality_id, email)`);
    // sign-in looks an email up across municipalities
    await q.query(`CREATE INDEX users_email_idx ON users (email)`);

    await q.query(`
      CREATE TABLE login_backoff (
        email text PRIMARY KEY,
        failures integer NOT NULL CHECK (failures > 0),
        last_failure_at timestamptz NOT NULL,
        blocked_until timestamptz
      )`);
    await q.query(`CREATE INDEX login_backoff_last_failure_idx ON login_backoff (last_failure_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE login_backoff`);
    await q.query(`DROP INDEX users_email_idx`);
    await q.query(`ALTER TABLE users DROP CONSTRAINT users_municipality_email_key`);
    // fails if an email is now used in two municipalities: those accounts must be merged first
    await q.query(`ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email)`);
    await q.query(`CREATE INDEX users_municipality_idx ON users (municipality_id, email)`);
    await q.query(`ALTER TABLE users DROP COLUMN active, DROP COLUMN token_version, DROP COLUMN version, DROP COLUMN updated_at`);
  }
}
