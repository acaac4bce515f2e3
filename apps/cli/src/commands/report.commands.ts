import { recordAudit, verifyAuditTrail, type AuditVerification } from '@app/audit';
import { NotFound, withAmbientTransaction } from '@app/core';
import { ReportsService, type ReportView } from '@app/reports';
import { operatorActor, type Outcome } from '../outcome';
import type { Municipality, Session } from '../session';

function reportLines(m: Municipality, r: ReportView): string[] {
  return [
    `  status: ${r.status}; newest published revision: ${r.revision || 'none'}`,
    `  tasks: ${r.summary.tasks.count} (granted ${r.summary.tasks.granted} PLN, settled ${r.summary.tasks.settled} PLN); NGOs funded: ${r.summary.tasks.ngosFunded}`,
    `  compiled at: ${r.compiledAt}`,
    `  content hash: ${r.contentHash}`,
  ];
}

const reportJson = (m: Municipality, r: ReportView) => ({ municipality: { id: m.id, slug: m.slug }, ...r });

/** report:compile — compiles the year now, with a `compile` audit entry in the same transaction (as POST /reports/{year}/compile does). */
export async function compileReport(session: Session, year: number, slug?: string): Promise<Outcome> {
  const m = await session.municipality(slug);
  const reports = session.app.get(ReportsService);
  await session.ds.transaction((em) =>
    withAmbientTransaction(em, async () => {
      await reports.compile(m.id, year);
      const [{ content_hash: contentHash }]: Array<{ content_hash: string }> = await em.query('SELECT content_hash FROM reports WHERE municipality_id = $1 AND year = $2', [m.id, year]);
      await recordAudit(em, m.id, session.actor, { action: 'compile', entity: 'report', entityId: String(year), after: { year, contentHash } });
    }),
  );
  const report = await reports.get(operatorActor(session, m), year);
  return { lines: [`compiled the ${year} report of ${m.slug}`, ...reportLines(m, report)], json: reportJson(m, report) };
}

/** report:publish — freezes the newest compile as the next revision (refused when --content-hash no longer matches). */
export async function publishReport(session: Session, year: number, contentHash: string | undefined, slug?: string): Promise<Outcome> {
  const m = await session.municipality(slug);
  const reports = session.app.get(ReportsService);
  const before = await reports.get(operatorActor(session, m), year).catch((error: unknown) => {
    if (error instanceof NotFound) return null;
    throw error;
  });
  const report = await reports.publish({ ...session.actor, municipalityId: m.id }, year, contentHash);
  const head =
    before && before.revision === report.revision
      ? `nothing new to publish: revision ${report.revision} of the ${year} report of ${m.slug} already holds this compile`
      : `published revision ${report.revision} of the ${year} report of ${m.slug}`;
  return { lines: [head, ...reportLines(m, report)], json: { ...reportJson(m, report), published: !(before && before.revision === report.revision) } };
}

function verificationLine(m: Municipality, v: AuditVerification): string {
  const head = `head: seq ${v.headSeq}, hash ${v.headHash ?? 'none'}`;
  if (v.valid) return `audit trail of ${m.slug}: valid, ${v.entries} entries; ${head}`;
  const broken = v.firstBroken!;
  return `audit trail of ${m.slug}: BROKEN, ${v.entries} entries; first broken: seq ${broken.seq}${broken.id ? ` (id ${broken.id})` : ''}, ${broken.reason}; ${head}`;
}

/** audit:verify — recomputes the hash chain of one municipality's trail (or of all with `all`); a broken chain exits 1. */
export async function verifyAudit(session: Session, options: { municipality?: string; all?: boolean }): Promise<Outcome> {
  const municipalities: Municipality[] = options.all
    ? await session.ds.query('SELECT id, slug, name FROM municipalities ORDER BY slug')
    : [await session.municipality(options.municipality)];
  const results: Array<{ municipality: Municipality; verification: AuditVerification }> = [];
  for (const m of municipalities) results.push({ municipality: m, verification: await verifyAuditTrail(session.ds.manager, m.id) });
  const broken = results.filter((r) => !r.verification.valid);
  const json = results.map((r) => ({ municipality: { id: r.municipality.id, slug: r.municipality.slug }, ...r.verification }));
  return {
    lines: results.map((r) => verificationLine(r.municipality, r.verification)),
    json: options.all ? json : json[0],
    failure: broken.length ? `the audit trail of ${broken.map((b) => b.municipality.slug).join(', ')} is broken: entries were changed or removed outside the application` : undefined,
  };
}
