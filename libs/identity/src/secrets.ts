import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';

/** Reads a generated secret from app_settings, creating it on first use (race-safe across processes). */
export async function loadOrCreateSecret(ds: DataSource, key: string): Promise<string> {
  await ds.query('INSERT INTO app_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, randomBytes(48).toString('base64url')]);
  const rows: Array<{ value: string }> = await ds.query('SELECT value FROM app_settings WHERE key = $1', [key]);
  return rows[0].value;
}
