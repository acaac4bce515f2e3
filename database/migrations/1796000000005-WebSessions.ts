import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The web app's server-side sessions (libs/webapp), in PostgreSQL so that any instance serves
 * them. The cookie holds a random value; the row is keyed by its SHA-256, so a reader of the table
 * cannot sign in as anyone. A session counts only while its user is active and still has the
 * token_version the session was opened with: a role change, deactivation or a password change
 * ends it at once, as it refuses the user's API tokens. `flash` is the one-time confirmation shown
 * on the page after a successful form.
 */
export class WebSessions1796000000005 implements MigrationInterface {
  name = 'WebSessions1796000000005';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE web_sessions (
        id bytea PRIMARY KEY CHECK (length(id) = 32),
        municipality_id uuid NOT NULL REFERENCES municipalities (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        token_version integer NOT NULL,
        csrf_token text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        flash text
      )`);
    await q.query(`CREATE INDEX web_sessions_user_idx ON web_sessions (user_id)`);
    await q.query(`CREATE INDEX web_sessions_last_seen_idx ON web_sessions (last_seen_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE web_sessions`);
  }
}
