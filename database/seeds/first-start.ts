import { SYSTEM_ACTOR } from '@app/audit';
import { withAmbientTransaction, type AppConfig } from '@app/core';
import { createMunicipalityWithAdmin, PasswordHasher } from '@app/identity';
import { ReportsService } from '@app/reports';
import type { DataSource } from 'typeorm';
import { DEMO_ADMIN_EMAIL, DEMO_PASSWORD, DEMO_REPORT_YEAR, loadDemoData } from './demo';

export type FirstStartOutcome = 'already-set-up' | 'created' | 'created-with-demo' | 'no-admin-configured';

/**
 * On a database without users: creates the default municipality (MUNICIPALITY_*) with the
 * first admin (ADMIN_EMAIL / ADMIN_PASSWORD, or the demo admin), who is also the platform
 * admin, and with `demo` the demo data. Runs under the schema lock (see migrateUnderLock).
 */
export async function firstStart(ds: DataSource, config: AppConfig, demo: boolean): Promise<FirstStartOutcome> {
  const [{ n }]: Array<{ n: number }> = await ds.query('SELECT count(*)::int AS n FROM users');
  if (n > 0) return 'already-set-up';
  const email = config.adminEmail ?? (demo ? DEMO_ADMIN_EMAIL : undefined);
  const password = config.adminPassword ?? (demo ? DEMO_PASSWORD : undefined);
  if (!email || !password) return 'no-admin-configured';
  const hasher = new PasswordHasher();
  const passwordHash = await hasher.hash(password);
  await ds.transaction(async (em) => {
    const { municipality } = await createMunicipalityWithAdmin(em, config.municipality, { email, passwordHash, platformAdmin: true }, SYSTEM_ACTOR);
    if (!demo) return;
    await loadDemoData(em, municipality.id, hasher);
    // a newcomer opens a published report at once: the demo's 2019, compiled and published by the system, in this same transaction
    const reports = new ReportsService(ds);
    await withAmbientTransaction(em, async () => {
      await reports.compile(municipality.id, DEMO_REPORT_YEAR);
      await reports.publish({ ...SYSTEM_ACTOR, municipalityId: municipality.id }, DEMO_REPORT_YEAR);
    });
  });
  return demo ? 'created-with-demo' : 'created';
}
