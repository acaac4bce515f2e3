import { SYSTEM_ACTOR } from '@app/audit';
import { withAmbientTransaction, type AppConfig } from '@app/core';
import { createMunicipalityWithAdmin, PasswordHasher } from '@app/identity';
import { ReportsService } from '@app/reports';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { DEMO_ADMIN_EMAIL, DEMO_PASSWORD, DEMO_REPORT_YEAR, DEMO_USERS, loadDemoData } from './demo';

export type FirstStartOutcome = 'already-set-up' | 'created' | 'created-with-demo' | 'no-admin-configured';

/**
 * The demo accounts' passwords: `published` (DEMO_PASSWORD, for the embedded database on a
 * developer's machine, whose README prints it) or `random` (any other database: a published
 * password must never guard a reachable service).
 */
export type DemoPasswords = 'published' | 'random';

/** A demo account whose random password was just made: shown once at start-up, kept nowhere in clear. */
export interface DemoSignIn {
  email: string;
  role: string;
  password: string;
}

export interface FirstStart {
  outcome: FirstStartOutcome;
  /** With random demo passwords, the accounts just created and their passwords. */
  demoSignIns: DemoSignIn[];
}

/** 24 random bytes: 32 characters of base64url. */
const randomPassword = (): string => randomBytes(24).toString('base64url');

/**
 * On a database without users: creates the default municipality (MUNICIPALITY_*) with the
 * first admin (ADMIN_EMAIL / ADMIN_PASSWORD, or the demo admin), who is also the platform
 * admin, and with `demo` the demo data. Runs under the schema lock (see migrateUnderLock).
 */
export async function firstStart(ds: DataSource, config: AppConfig, demo: boolean, demoPasswords: DemoPasswords = 'published'): Promise<FirstStart> {
  const [{ n }]: Array<{ n: number }> = await ds.query('SELECT count(*)::int AS n FROM users');
  if (n > 0) return { outcome: 'already-set-up', demoSignIns: [] };
  const demoPassword = () => (demoPasswords === 'published' ? DEMO_PASSWORD : randomPassword());
  const email = config.adminEmail ?? (demo ? DEMO_ADMIN_EMAIL : undefined);
  const password = config.adminPassword ?? (demo ? demoPassword() : undefined);
  if (!email || !password) return { outcome: 'no-admin-configured', demoSignIns: [] };
  const hasher = new PasswordHasher(config);
  const passwordHash = await hasher.hash(password);
  const demoSignIns: DemoSignIn[] = [];
  if (demo && demoPasswords === 'random' && !config.adminPassword) demoSignIns.push({ email, role: 'admin, platform admin', password });
  const demoHashes = new Map<string, string>();
  if (demo) {
    const shared = demoPasswords === 'published' ? await hasher.hash(DEMO_PASSWORD) : undefined;
    for (const user of DEMO_USERS) {
      if (shared) {
        demoHashes.set(user.email, shared);
      } else {
        const own = randomPassword();
        demoHashes.set(user.email, await hasher.hash(own));
        demoSignIns.push({ email: user.email, role: user.role, password: own });
      }
    }
  }
  await ds.transaction(async (em) => {
    const { municipality } = await createMunicipalityWithAdmin(em, config.municipality, { email, passwordHash, platformAdmin: true }, SYSTEM_ACTOR);
    if (!demo) return;
    await loadDemoData(em, municipality.id, (userEmail) => demoHashes.get(userEmail)!);
    // a newcomer opens a published report at once: the demo's 2019, compiled and published by the system, in this same transaction
    const reports = new ReportsService(ds);
    await withAmbientTransaction(em, async () => {
      await reports.compile(municipality.id, DEMO_REPORT_YEAR);
      await reports.publish({ ...SYSTEM_ACTOR, municipalityId: municipality.id }, DEMO_REPORT_YEAR);
    });
  });
  return { outcome: demo ? 'created-with-demo' : 'created', demoSignIns };
}
