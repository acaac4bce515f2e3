import { Client } from 'pg';
import { newNgo, usersOfEveryRole, type Tokens } from '../utils/factories';
import { createTestApp, PLATFORM_ADMIN, type TestApp } from '../utils/test-app';

interface Entry {
  id: string;
  seq: number;
  at: string;
  actor: { id: string | null; email: string | null };
  action: string;
  entity: string;
  entityId: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  hash: string;
  prevHash: string;
}

/**
 * Real: HTTP, PostgreSQL, its triggers. The audit trail: one entry per write in the write's own
 * transaction, a hash chain per municipality, append-only in the database itself, and a verifier
 * that finds rows edited or deleted behind the application's back.
 */
describe('audit trail', () => {
  let t: TestApp;
  let tokens: Tokens;

  /** The database's superuser, outside the application (the test server's own credentials). */
  async function asSuperuser<T>(fn: (c: Client) => Promise<T>): Promise<T> {
    const client = new Client({ connectionString: t.databaseUrl });
    await client.connect();
    try {
      const [{ rolsuper }] = (await client.query('SELECT rolsuper FROM pg_roles WHERE rolname = current_user')).rows;
      expect(rolsuper).toBe(true);
      return await fn(client);
    } finally {
      await client.end();
    }
  }

  const trail = async (token: string, query = ''): Promise<Entry[]> => {
    const r = await t.call('GET', `/api/v1/audit?limit=200${query}`, { token });
    expect(r.status).toBe(200);
    return r.body.items;
  };
  const verify = async (token = tokens.auditor) => {
    const r = await t.call('GET', '/api/v1/audit/verify', { token });
    expect(r.status).toBe(200);
    return r.body;
  };

  beforeEach(async () => {
    t = await createTestApp();
    tokens = await usersOfEveryRole(t, await t.login(PLATFORM_ADMIN.email, PLATFORM_ADMIN.password), 'audit');
  });
  afterEach(() => t.close());

  it('appends who, when, what, before and after for each write, chained by hash', async () => {
    const created = await t.call('POST', '/api/v1/ngos', { token: tokens.official, body: newNgo({ name: 'Fundacja Audytowana' }) });
    const id = created.body.id;
    await t.call('PATCH', `/api/v1/ngos/${id}`, { token: tokens.official, body: { version: 1, name: 'Fundacja Audytowana II' } });
    await t.call('DELETE', `/api/v1/ngos/${id}`, { token: tokens.admin });

    const entries = await trail(tokens.auditor, `&entity=ngo&entityId=${id}`);
    expect(entries.map((e) => e.action)).toEqual(['archive', 'update', 'create']);
    const [archive, update, create] = entries;
    expect(create).toMatchObject({ entity: 'ngo', entityId: id, actor: { email: 'official.audit@test.example' }, before: null, after: { name: 'Fundacja Audytowana', version: 1 } });
    expect(update).toMatchObject({ before: { name: 'Fundacja Audytowana', version: 1 }, after: { name: 'Fundacja Audytowana II', version: 2 } });
    expect(archive).toMatchObject({ actor: { email: 'platform-admin@test.example' }, before: { archived: false }, after: { archived: true, version: 3 } });
    expect(Date.parse(create.at)).toBeGreaterThan(Date.now() - 60_000);

    // the whole trail of the municipality: consecutive seq, each prevHash the previous hash
    const all = (await trail(tokens.auditor)).reverse();
    expect(all[0]).toMatchObject({ seq: 1, prevHash: '0'.repeat(64), entity: 'municipality', actor: { id: null, email: 'system' } });
    all.forEach((e, i) => {
      expect(e.seq).toBe(i + 1);
      expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
      if (i > 0) expect(e.prevHash).toBe(all[i - 1].hash);
    });
    expect(await verify()).toEqual({ valid: true, entries: all.length, firstBroken: null });
  });

  it('a refused write leaves no entry', async () => {
    const before = (await verify()).entries;
    expect((await t.call('POST', '/api/v1/ngos', { token: tokens.official, body: newNgo({ nip: '8567346216' }) })).status).toBe(400);
    const ngo = (await t.call('POST', '/api/v1/ngos', { token: tokens.official, body: newNgo() })).body;
    expect((await t.call('POST', '/api/v1/ngos', { token: tokens.official, body: newNgo({ krs: ngo.krs }) })).status).toBe(409);
    expect((await t.call('PATCH', `/api/v1/ngos/${ngo.id}`, { token: tokens.official, body: { version: 7, name: 'x' } })).status).toBe(409);
    expect((await t.call('POST', '/api/v1/programs', { token: tokens.official, body: { title: 'Roczny', kind: 'annual', startYear: 2019, endYear: 2020 } })).status).toBe(422);
    expect((await verify()).entries).toBe(before + 1);
  });

  it('filters by entity, entity id, action and actor, newest first, in pages', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await t.call('POST', '/api/v1/ngos', { token: tokens.official, body: newNgo() })).body.id);
    await t.call('POST', '/api/v1/programs', { token: tokens.admin, body: { title: 'Program', kind: 'annual', startYear: 2019, endYear: 2019 } });
    const ngoCreates = await trail(tokens.auditor, '&entity=ngo&action=create');
    expect(ngoCreates.slice(0, 3).map((e) => e.entityId)).toEqual([...ids].reverse());
    const programs = await trail(tokens.auditor, '&entity=program');
    expect(programs).toHaveLength(1);
    const me = await t.call('GET', '/api/v1/me', { token: tokens.official });
    const byOfficial = await trail(tokens.auditor, `&actorId=${me.body.id}`);
    expect(byOfficial.every((e) => e.actor.email === 'official.audit@test.example')).toBe(true);
    expect(byOfficial.length).toBe(3);
    const page = await t.call('GET', '/api/v1/audit?entity=ngo&action=create&limit=2&page=2', { token: tokens.auditor });
    expect(page.body).toMatchObject({ page: 2, limit: 2 });
    expect(page.body.items[0].entityId).toBe(ids[0]);
    expect((await t.call('GET', '/api/v1/audit?entity=planet', { token: tokens.auditor })).status).toBe(400);
  });

  it('is readable by auditors, officials and admins only', async () => {
    for (const [token, status] of [
      [tokens.auditor, 200],
      [tokens.official, 200],
      [tokens.admin, 200],
      [tokens.ngo, 403],
      [undefined, 401],
    ] as const) {
      expect((await t.call('GET', '/api/v1/audit', { token })).status).toBe(status);
      expect((await t.call('GET', '/api/v1/audit/verify', { token })).status).toBe(status);
    }
  });

  it('keeps one chain per municipality, without gaps or forks under concurrent writes', async () => {
    const platform = await t.login(PLATFORM_ADMIN.email, PLATFORM_ADMIN.password);
    await t.call('POST', '/api/v1/municipalities', { token: platform, body: { name: 'Gmina Skawina', slug: 'skawina', teryt: '1206114', admin: { email: 'admin@skawina.test', password: 'long-enough-1' } } });
    const other = await t.login('admin@skawina.test', 'long-enough-1');
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, i) => t.call('POST', '/api/v1/ngos', { token: i % 2 ? other : tokens.official, body: newNgo() })),
    );
    expect(answers.every((r) => r.status === 201)).toBe(true);
    const ours = await verify();
    const theirs = await verify(other);
    expect(ours.valid).toBe(true);
    expect(theirs).toEqual({ valid: true, entries: 2 + 12, firstBroken: null });
    const theirTrail = await trail(other);
    expect(theirTrail.map((e) => e.seq)).toEqual(Array.from({ length: 14 }, (_, i) => 14 - i));
    // neither municipality sees the other's entries
    const ourIds = new Set((await trail(tokens.auditor)).map((e) => e.id));
    expect(theirTrail.some((e) => ourIds.has(e.id))).toBe(false);
  });

  it('the database refuses UPDATE, DELETE and TRUNCATE of audit rows, even from the application\'s own connection', async () => {
    await t.call('POST', '/api/v1/ngos', { token: tokens.official, body: newNgo() });
    await expect(t.db.query(`UPDATE audit_entries SET actor_email = 'someone@else.example'`)).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(t.db.query(`DELETE FROM audit_entries WHERE seq = 1`)).rejects.toThrow(/append-only: DELETE refused/);
    await expect(t.db.query(`TRUNCATE audit_entries`)).rejects.toThrow(/append-only: TRUNCATE refused/);
    await expect(t.db.query(`UPDATE audit_heads SET seq = 1, hash = repeat('0', 64)`)).rejects.toThrow(/only moves forward/);
    expect((await verify()).valid).toBe(true);
  });

  it('names the first broken entry after a superuser edits one row and deletes another behind the application', async () => {
    for (let i = 0; i < 6; i++) await t.call('POST', '/api/v1/ngos', { token: tokens.official, body: newNgo() });
    const entries = (await trail(tokens.auditor)).reverse();
    expect(entries.length).toBeGreaterThan(10);
    const edited = entries[6];
    const deleted = entries[9];
    await asSuperuser(async (c) => {
      await c.query('ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only');
      await c.query(`UPDATE audit_entries SET after = jsonb_set(after, '{name}', '"Ktoś inny"') WHERE id = $1`, [edited.id]);
      await c.query('DELETE FROM audit_entries WHERE id = $1', [deleted.id]);
      await c.query('ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_append_only');
    });
    expect(await verify()).toEqual({ valid: false, entries: entries.length - 1, firstBroken: { id: edited.id, seq: edited.seq, reason: 'content-changed' } });
  });

  it('names the entry after a deleted one, and a cut-off end of the chain', async () => {
    for (let i = 0; i < 4; i++) await t.call('POST', '/api/v1/ngos', { token: tokens.official, body: newNgo() });
    const entries = (await trail(tokens.auditor)).reverse();
    const last = entries[entries.length - 1];
    await asSuperuser(async (c) => {
      await c.query('ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only');
      await c.query('DELETE FROM audit_entries WHERE id = $1', [last.id]);
      await c.query('ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_append_only');
    });
    expect((await verify()).firstBroken).toEqual({ id: null, seq: last.seq, reason: 'missing' });
    await asSuperuser(async (c) => {
      await c.query('ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only');
      await c.query('DELETE FROM audit_entries WHERE id = $1', [entries[3].id]);
      await c.query('ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_append_only');
    });
    expect((await verify()).firstBroken).toEqual({ id: entries[4].id, seq: entries[4].seq, reason: 'chain-broken' });
  });

  it('catches an edit of the newest entry that also rewrites its hash, against the chain\'s head', async () => {
    await t.call('POST', '/api/v1/ngos', { token: tokens.official, body: newNgo() });
    const [last] = await trail(tokens.auditor);
    await asSuperuser(async (c) => {
      await c.query('ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only');
      await c.query(`UPDATE audit_entries SET after = jsonb_set(after, '{name}', '"Podrobiona"') WHERE id = $1`, [last.id]);
      await c.query(`UPDATE audit_entries a SET hash = audit_entry_hash(a) WHERE id = $1`, [last.id]);
      await c.query('ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_append_only');
    });
    expect((await verify()).firstBroken).toEqual({ id: last.id, seq: last.seq, reason: 'content-changed' });
  });

  it('catches an entry slipped in past the head with the chain trigger off', async () => {
    const [last] = await trail(tokens.auditor);
    const [{ municipality_id: m }] = await t.db.query('SELECT municipality_id FROM audit_entries WHERE id = $1', [last.id]);
    const forged = await asSuperuser(async (c) => {
      await c.query('ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_chain');
      const { rows } = await c.query(
        `INSERT INTO audit_entries (municipality_id, seq, at, actor_email, action, entity, prev_hash, hash) VALUES ($1, $2, now(), 'ghost@example.org', 'create', 'ngo', $3, '') RETURNING id`,
        [m, last.seq + 1, last.hash],
      );
      await c.query(`ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only`);
      await c.query(`UPDATE audit_entries a SET hash = audit_entry_hash(a) WHERE id = $1`, [rows[0].id]);
      await c.query('ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_append_only');
      await c.query('ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_chain');
      return rows[0].id as string;
    });
    expect((await verify()).firstBroken).toEqual({ id: forged, seq: last.seq + 1, reason: 'chain-broken' });
  });

  it('catches an edit that also rewrites the stored hash, at the next entry', async () => {
    for (let i = 0; i < 3; i++) await t.call('POST', '/api/v1/ngos', { token: tokens.official, body: newNgo() });
    const entries = (await trail(tokens.auditor)).reverse();
    const victim = entries[4];
    await asSuperuser(async (c) => {
      await c.query('ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only');
      await c.query(`UPDATE audit_entries SET actor_email = 'ghost@example.org' WHERE id = $1`, [victim.id]);
      await c.query(`UPDATE audit_entries a SET hash = audit_entry_hash(a) WHERE id = $1`, [victim.id]);
      await c.query('ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_append_only');
    });
    expect((await verify()).firstBroken).toEqual({ id: entries[5].id, seq: entries[5].seq, reason: 'chain-broken' });
  });
});
