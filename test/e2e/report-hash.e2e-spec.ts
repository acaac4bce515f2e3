import { canonicalJson, dataSourceOptions } from '@app/core';
import independentJcs from 'canonicalize';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { CanonicalReportHashes1796000000001 } from '../../database/migrations/1796000000001-CanonicalReportHashes';
import { newNgo, newProgram, newTask } from '../utils/factories';
import { createTestApp, PLATFORM_ADMIN, type Answer, type TestApp } from '../utils/test-app';
import { signIn } from '../utils/users';

/**
 * Real: HTTP, PostgreSQL, the migration's own code. A report's contentHash is SHA-256 of its
 * summary's RFC 8785 (JCS) form, checked here with a JCS implementation the application does not
 * use (the `canonicalize` package), on sphere codes a JavaScript object cannot hold in JCS order.
 */

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const jcsHash = (value: unknown) => sha256(independentJcs(value)!);
/** What the application hashed before: JSON.stringify of a key-sorted copy (integer-like keys still first). */
const formerHash = (value: unknown) => {
  const sorted = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sorted) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])])) : v;
  return sha256(JSON.stringify(sorted(value)));
};

describe('report hashes by RFC 8785', () => {
  let t: TestApp;
  let official: string;
  let auditor: string;
  let municipalityId: string;
  let owner: DataSource | undefined;

  const ok = (r: Answer, status = 201) => {
    if (r.status !== status) throw new Error(`${r.status} ${r.text}`);
    return r.body;
  };
  const post = (token: string, path: string, body: unknown) => t.call('POST', `/api/v1${path}`, { token, body });
  const get = (token: string, path: string) => t.call('GET', `/api/v1${path}`, { token });

  beforeAll(async () => {
    t = await createTestApp();
    const platform = await signIn(t, PLATFORM_ADMIN.email);
    municipalityId = ok(
      await t.call('POST', '/api/v1/municipalities', { token: platform, body: { name: 'Gmina Skrótowa', slug: 'skrotowa', teryt: '1201021', admin: { email: 'admin@skrotowa.test', password: 'long-enough-1' } } }),
    ).id;
    const admin = await signIn(t, 'admin@skrotowa.test');
    for (const [role, email] of [['official', 'o@skrotowa.test'], ['auditor', 'a@skrotowa.test']] as const) ok(await post(admin, '/users', { email, password: 'long-enough-1', role }));
    official = await signIn(t, 'o@skrotowa.test');
    auditor = await signIn(t, 'a@skrotowa.test');
    const ngo = ok(await post(official, '/ngos', newNgo())).id;
    const program = ok(await post(official, '/programs', newProgram())).id;
    // inserted in an order that is neither JCS order nor the order a JavaScript object keeps
    for (const [sphere, amountGranted] of [['2', '200.00'], ['1a', '150.00'], ['10', '1000.00'], ['1', '100.00']]) {
      ok(await post(official, '/tasks', newTask(program, [ngo], { sphere, amountGranted, amountRequested: null })));
    }
  });
  afterAll(async () => {
    await owner?.destroy();
    await t.close();
  });

  it('hashes a summary with sphere codes 1, 1a, 2 and 10 as an independent JCS implementation does', async () => {
    const compiled = ok(await post(official, '/reports/2019/compile', {}), 200);
    expect(Object.keys(compiled.summary.tasks.bySphere).sort()).toEqual(['1', '10', '1a', '2']);
    expect(compiled.contentHash).toBe(jcsHash(compiled.summary));
    const text = canonicalJson(compiled.summary);
    expect(text).toBe(independentJcs(compiled.summary));
    expect(text).toContain(
      '"bySphere":{"1":{"count":1,"granted":"100.00"},"10":{"count":1,"granted":"1000.00"},"1a":{"count":1,"granted":"150.00"},"2":{"count":1,"granted":"200.00"}}',
    );
    // the former form put "1", "2", "10" first: the hash differs, which is what the issue was about
    expect(formerHash(compiled.summary)).not.toBe(compiled.contentHash);
  });

  it('publishes with a contentHash the client computed from the summary with any JCS library', async () => {
    const draft = ok(await get(official, '/reports/2019'), 200);
    const contentHash = jcsHash(draft.summary);
    const published = ok(await post(official, '/reports/2019/publish', { contentHash }), 200);
    expect(published).toMatchObject({ status: 'published', revision: 1, contentHash });
    const open = ok(await t.call('GET', '/api/v1/public/skrotowa/reports/2019'), 200);
    expect(open.contentHash).toBe(jcsHash(open.summary));
    expect(open.contentHash).toBe(contentHash);
  });

  it('has the migration recompute former hashes of compiles and frozen revisions, each change in the audit trail, the chain valid', async () => {
    const summary = ok(await get(official, '/reports/2019'), 200).summary;
    const [canonical, former] = [jcsHash(summary), formerHash(summary)];
    // the schema's owner, as migrations run (the application's own role may not disable a trigger)
    const db = (owner = new DataSource(dataSourceOptions({ url: t.databaseUrl, poolSize: 1 })));
    await db.initialize();
    // as the migration finds a database written before it: the former hash on the compile and on revision 1
    await db.transaction(async (em) => {
      await em.query(`UPDATE reports SET content_hash = $2 WHERE municipality_id = $1 AND year = 2019`, [municipalityId, former]);
      await em.query(`ALTER TABLE report_revisions DISABLE TRIGGER report_revisions_frozen`);
      await em.query(`UPDATE report_revisions SET content_hash = $2 WHERE municipality_id = $1 AND year = 2019`, [municipalityId, former]);
      await em.query(`ALTER TABLE report_revisions ENABLE TRIGGER report_revisions_frozen`);
    });
    expect(ok(await get(official, '/reports/2019'), 200).contentHash).toBe(former);

    expect(ok(await get(auditor, '/audit/verify'), 200)).toMatchObject({ valid: true, firstBroken: null });
    const migration = new CanonicalReportHashes1796000000001();
    const migrate = async (step: 'up' | 'down') => {
      const runner = db.createQueryRunner();
      await runner.connect();
      try {
        await runner.startTransaction();
        await migration[step](runner);
        await runner.commitTransaction();
      } finally {
        await runner.release();
      }
    };
    await migrate('up');

    expect(ok(await get(official, '/reports/2019'), 200)).toMatchObject({ status: 'published', revision: 1, contentHash: canonical });
    expect(ok(await t.call('GET', '/api/v1/public/skrotowa/reports/2019'), 200).contentHash).toBe(canonical);
    const rows: Array<{ content_hash: string }> = await t.db.query(`SELECT content_hash FROM report_revisions WHERE municipality_id = $1 AND year = 2019`, [municipalityId]);
    expect(rows).toEqual([{ content_hash: canonical }]);

    const trail = ok(await get(auditor, '/audit?entity=report&entityId=2019&action=rehash'), 200);
    const reason = 'RFC 8785 canonical form (JCS)';
    expect(trail.items.map((e: { actor: unknown; before: unknown; after: unknown }) => ({ actor: e.actor, before: e.before, after: e.after }))).toEqual(
      expect.arrayContaining([
        { actor: { id: null, email: 'system:migration' }, before: { contentHash: former }, after: { contentHash: canonical, revision: null, reason } },
        { actor: { id: null, email: 'system:migration' }, before: { contentHash: former }, after: { contentHash: canonical, revision: 1, reason } },
      ]),
    );
    expect(trail.items).toHaveLength(2);
    expect(ok(await get(auditor, '/audit/verify'), 200)).toMatchObject({ valid: true, firstBroken: null });
    // the revision is frozen again
    await expect(t.db.query(`UPDATE report_revisions SET content_hash = 'x'`)).rejects.toThrow(/frozen/);

    // a second run finds nothing to change and writes nothing
    await migrate('up');
    expect(ok(await get(auditor, '/audit?entity=report&entityId=2019&action=rehash'), 200).items).toHaveLength(2);

    // reverting restores the former hashes, audited as well; running it again brings the canonical ones back
    await migrate('down');
    expect(ok(await get(official, '/reports/2019'), 200)).toMatchObject({ status: 'published', contentHash: former });
    await migrate('up');
    expect(ok(await get(official, '/reports/2019'), 200)).toMatchObject({ status: 'published', contentHash: canonical });
    expect(ok(await get(auditor, '/audit?entity=report&entityId=2019&action=rehash'), 200).items).toHaveLength(6);
    expect(ok(await get(auditor, '/audit/verify'), 200)).toMatchObject({ valid: true });
  });
});
