import { auditEntryHash, pgJsonString, hashedInstant, verifyAuditTrail } from '@app/audit';
import { Client } from 'pg';
import { newNgo, usersOfEveryRole, type Tokens } from '../utils/factories';
import { createTestApp, PLATFORM_ADMIN, type TestApp } from '../utils/test-app';
import { signIn } from '../utils/users';

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
    tokens = await usersOfEveryRole(t, await signIn(t, PLATFORM_ADMIN.email), 'audit');
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
    // the head to anchor elsewhere: the newest entry's hash and seq
    expect(await verify()).toEqual({ valid: true, entries: all.length, firstBroken: null, headHash: all[all.length - 1].hash, headSeq: all.length });
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
    const platform = await signIn(t, PLATFORM_ADMIN.email);
    await t.call('POST', '/api/v1/municipalities', { token: platform, body: { name: 'Gmina Skawina', slug: 'skawina', teryt: '1206114', admin: { email: 'admin@skawina.test', password: 'long-enough-1' } } });
    const other = await signIn(t, 'admin@skawina.test');
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, i) => t.call('POST', '/api/v1/ngos', { token: i % 2 ? other : tokens.official, body: newNgo() })),
    );
    expect(answers.every((r) => r.status === 201)).toBe(true);
    const ours = await verify();
    const theirs = await verify(other);
    expect(ours.valid).toBe(true);
    expect(theirs).toEqual({ valid: true, entries: 2 + 12, firstBroken: null, headHash: (await trail(other))[0].hash, headSeq: 14 });
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
    expect(await verify()).toEqual({
      valid: false,
      entries: entries.length - 1,
      firstBroken: { id: edited.id, seq: edited.seq, reason: 'content-changed' },
      headHash: entries[entries.length - 1].hash,
      headSeq: entries.length,
    });
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
  it('answers a null head and seq 0 for a municipality whose trail is empty', async () => {
    const [{ id }] = await t.db.query(`INSERT INTO municipalities (name, slug, teryt) VALUES ('Gmina Pusta', 'pusta', '1206022') RETURNING id`);
    expect(await verifyAuditTrail(t.db.manager, id)).toEqual({ valid: true, entries: 0, firstBroken: null, headHash: null, headSeq: 0 });
  });

  it('recomputes each hash in the application: an owner who redefines audit_entry_hash to bless any row hides no edit', async () => {
    for (let i = 0; i < 3; i++) await t.call('POST', '/api/v1/ngos', { token: tokens.official, body: newNgo() });
    const entries = (await trail(tokens.auditor)).reverse();
    const edited = entries[entries.length - 2];
    await asSuperuser(async (c) => {
      await c.query(`CREATE OR REPLACE FUNCTION audit_entry_hash(e audit_entries) RETURNS text LANGUAGE sql STABLE AS $$ SELECT e.hash $$`);
      await c.query('ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only');
      await c.query(`UPDATE audit_entries SET after = jsonb_set(after, '{name}', '"Ukryta zmiana"') WHERE id = $1`, [edited.id]);
      await c.query('ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_append_only');
      // the database's own function now vouches for every row, the edited one included
      const { rows } = await c.query('SELECT bool_and(audit_entry_hash(a) = a.hash) AS blessed FROM audit_entries a');
      expect(rows[0].blessed).toBe(true);
    });
    expect(await verify()).toEqual({
      valid: false,
      entries: entries.length,
      firstBroken: { id: edited.id, seq: edited.seq, reason: 'content-changed' },
      headHash: entries[entries.length - 1].hash,
      headSeq: entries.length,
    });
  });

  describe('the application\'s hash input is the trigger\'s, byte for byte', () => {
    const awkward = [
      'Zażółć gęślą jaźń — ŻÓŁW € ü ß 東京 😀',
      'a "quoted" word and a back\\slash \\" and \\\\ and \\u0041 as text',
      'controls: \b \f \n \r \t \u0001 \u0007 \u000b \u001b \u001f, then \u007f \u0080 \u00a0 \u2028 \u2029 \ufeff',
      '',
      ' ',
      '/ <script> </script> & \'single\'',
    ];

    it('escapes text as PostgreSQL\'s jsonb does, every control character included', async () => {
      const all = [...awkward, Array.from({ length: 127 }, (_, i) => String.fromCharCode(i + 1)).join('')];
      for (const s of all) {
        const [{ pg }] = await t.db.query('SELECT to_jsonb($1::text)::text AS pg', [s]);
        expect(pgJsonString(s)).toBe(pg);
      }
    });

    it('writes the instant as the trigger\'s to_char does, whatever the fraction of the second', async () => {
      const runner = t.db.createQueryRunner();
      try {
        await runner.query(`SET TimeZone = 'UTC'`);
        await runner.query(`SET DateStyle = 'ISO, YMD'`);
        for (const at of ['2026-12-02 17:28:37.123456+00', '2026-12-02 17:28:37.12+00', '2026-12-02 17:28:37+00', '2026-01-01 00:00:00.000001+00', '0999-12-31 23:59:59.5+00', '2024-02-29 12:00:00.1+01']) {
          const [{ text, want }] = await runner.query(`SELECT $1::timestamptz::text AS text, to_char($1::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS want`, [at]);
          expect(hashedInstant(text)).toBe(want);
        }
      } finally {
        await runner.release();
      }
      expect(hashedInstant('2026-12-02 17:28:37+01')).toBeNull();
      expect(hashedInstant('infinity')).toBeNull();
    });

    it('verifies a trail of non-ASCII text, quotes, backslashes, control characters, nested JSON and a null actor, and matches audit_entry_hash row by row', async () => {
      const [{ id: m }] = await t.db.query(`SELECT id FROM municipalities WHERE slug = 'krakow'`);
      const nested = {
        [awkward[0]]: awkward[1],
        list: [1, 1.5, '1.50', -0, 1e21, 12345678901234567890.5, true, false, null, [], {}, [[awkward[2]]]],
        deep: { a: { b: { c: { d: awkward[2], '': awkward[3], 'klucz "z" \\': awkward[5] } } } },
        b: 2,
        aa: 1,
        '10': 'integer-like key',
        '2': 'another',
      };
      const rows: Array<[string | null, string | null, string | null, string | null, string | null]> = [
        [null, null, null, null, JSON.stringify(nested)],
        [null, awkward[0], awkward[1], JSON.stringify(nested), JSON.stringify({ ...nested, b: awkward[2] })],
        [null, awkward[2], awkward[2], 'null', '"just a string with \\\\ and \\" and \\u0001"'],
        [null, awkward[3], awkward[5], '12345678901234567890.123456789', '[1, "2", [3, {"4": 5}]]'],
        [null, 'system', null, '{"numbers": [1.0, 1.50, 100e-2, -0.0, 0.000001]}', '{"emoji": "😀", "escaped": "\\ud83d\\ude00", "nbsp": "\\u00a0"}'],
      ];
      for (const [actorId, actorEmail, entityId, before, after] of rows) {
        await t.db.query(
          `INSERT INTO audit_entries (municipality_id, actor_id, actor_email, action, entity, entity_id, before, after) VALUES ($1, $2, $3, 'update', 'ngo', $4, $5::jsonb, $6::jsonb)`,
          [m, actorId, actorEmail, entityId, before, after],
        );
      }
      const stored = await t.db.query(
        `SELECT municipality_id::text AS "municipalityId", seq::text AS seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00' AS at, actor_id::text AS "actorId", actor_email AS "actorEmail",
                action, entity, entity_id AS "entityId", before::text AS before, after::text AS after, prev_hash AS "prevHash", hash, audit_entry_hash(a) AS "byDatabase"
           FROM audit_entries a WHERE municipality_id = $1 ORDER BY a.seq`,
        [m],
      );
      expect(stored.length).toBeGreaterThan(rows.length);
      for (const e of stored) {
        expect(e.byDatabase).toBe(e.hash);
        expect(auditEntryHash(e)).toBe(e.hash);
      }
      const answer = await verify();
      expect(answer).toMatchObject({ valid: true, firstBroken: null, entries: stored.length, headSeq: stored.length, headHash: stored[stored.length - 1].hash });
    });
  });
});
