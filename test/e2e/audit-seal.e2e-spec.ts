import { sealAllCommitted, sealCommitted } from '@app/audit';
import { Client } from 'pg';
import { newNgo, usersOfEveryRole, type Tokens } from '../utils/factories';
import { createTestApp, PLATFORM_ADMIN, type TestApp } from '../utils/test-app';
import { signIn } from '../utils/users';

/**
 * Real: HTTP, PostgreSQL, its triggers. Audit entries are sealed into the municipality's chain
 * while their transaction commits (migration 1796000000040), so an open transaction that has
 * written audit entries holds no lock the municipality's other writes wait for; whatever holds the
 * chain head (a publication) still keeps every other write from committing meanwhile.
 */
describe('audit entries sealed at commit', () => {
  let t: TestApp;
  let tokens: Tokens;
  let municipalityId: string;
  const clients: Client[] = [];

  /** A connection of its own, as another instance or a long import would hold one. */
  async function connection(): Promise<Client> {
    const c = new Client({ connectionString: t.databaseUrl });
    await c.connect();
    clients.push(c);
    return c;
  }

  const verify = async () => (await t.call('GET', '/api/v1/audit/verify', { token: tokens.auditor })).body;
  const createNgo = () => t.call('POST', '/api/v1/ngos', { token: tokens.official, body: newNgo() });
  const entry = (c: Client, email: string) =>
    c.query(`INSERT INTO audit_entries (municipality_id, actor_email, action, entity, entity_id, after) VALUES ($1, $2, 'create', 'ngo', NULL, '{}'::jsonb)`, [municipalityId, email]);
  /** Resolves with the answer, or with 'waiting' when it has not come within `ms`. */
  const within = async <T>(promise: Promise<T>, ms: number): Promise<T | 'waiting'> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([promise, new Promise<'waiting'>((done) => (timer = setTimeout(() => done('waiting'), ms)))]);
    } finally {
      clearTimeout(timer);
    }
  };

  beforeEach(async () => {
    t = await createTestApp();
    tokens = await usersOfEveryRole(t, await signIn(t, PLATFORM_ADMIN.email), 'seal');
    [{ municipality_id: municipalityId }] = await t.db.query(`SELECT municipality_id FROM users WHERE email = $1`, [PLATFORM_ADMIN.email]);
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.end().catch(() => undefined);
    await t.close();
  });

  it('lets other writes commit while a transaction that has written audit entries is still open, and seals that one when it commits', async () => {
    const long = await connection();
    await long.query('BEGIN');
    await entry(long, 'long-import@seal.test.example');
    // an entry of an open transaction has no place in the chain yet
    expect((await long.query(`SELECT seq, hash FROM audit_entries WHERE actor_email = 'long-import@seal.test.example'`)).rows).toEqual([{ seq: null, hash: null }]);

    const meanwhile = await within(createNgo(), 5000);
    expect(meanwhile).not.toBe('waiting');
    expect((meanwhile as { status: number }).status).toBe(201);

    await long.query('COMMIT');
    const [{ seq: longSeq, hash }] = await t.db.query(`SELECT seq::int AS seq, hash FROM audit_entries WHERE actor_email = 'long-import@seal.test.example'`);
    const [{ seq: ngoSeq }] = await t.db.query(`SELECT max(seq)::int AS seq FROM audit_entries WHERE municipality_id = $1 AND entity = 'ngo' AND actor_email <> 'long-import@seal.test.example'`, [municipalityId]);
    // the chain follows the commits: the write that committed first comes first
    expect(longSeq).toBe(ngoSeq + 1);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await verify()).toMatchObject({ valid: true, firstBroken: null, headSeq: longSeq });
  });

  it('seals a transaction\'s entries in the order they were written, and none of a savepoint rolled back', async () => {
    const c = await connection();
    await c.query('BEGIN');
    await entry(c, 'first@seal.test.example');
    await c.query('SAVEPOINT row');
    await entry(c, 'undone@seal.test.example');
    await c.query('ROLLBACK TO SAVEPOINT row');
    await entry(c, 'second@seal.test.example');
    await c.query('COMMIT');
    const rows = (await t.db.query(`SELECT actor_email, seq::int AS seq FROM audit_entries WHERE actor_email IN ('first@seal.test.example', 'undone@seal.test.example', 'second@seal.test.example') ORDER BY seq`)) as Array<{ actor_email: string; seq: number }>;
    expect(rows.map((r) => r.actor_email)).toEqual(['first@seal.test.example', 'second@seal.test.example']);
    expect(rows[1].seq).toBe(rows[0].seq + 1);
    expect((await verify()).valid).toBe(true);
  });

  it('keeps every write from committing while something holds the chain head, as a publication does', async () => {
    const publication = await connection();
    await publication.query('BEGIN');
    await publication.query(`SELECT 1 FROM audit_heads WHERE municipality_id = $1 FOR UPDATE`, [municipalityId]);
    const write = createNgo();
    expect(await within(write, 1500)).toBe('waiting');
    await publication.query('COMMIT');
    expect((await write).status).toBe(201);
    expect((await verify()).valid).toBe(true);
  });

  it('finds an entry that came in with the sealing trigger off, without a place in the chain', async () => {
    await createNgo();
    const superuser = await connection();
    await superuser.query('ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_seal');
    await entry(superuser, 'ghost@seal.test.example');
    await superuser.query('ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_seal');
    const [{ id }] = await t.db.query(`SELECT id FROM audit_entries WHERE actor_email = 'ghost@seal.test.example'`);
    const result = await verify();
    expect(result.valid).toBe(false);
    expect(result.firstBroken).toEqual({ id, seq: result.headSeq + 1, reason: 'chain-broken' });
  });

  it('refuses the sealing UPDATE to anyone but the sealer, even with its setting raised', async () => {
    await createNgo();
    const c = await connection();
    await c.query('BEGIN');
    await c.query(`SELECT set_config('audit.sealing', 'on', true)`);
    await expect(c.query(`UPDATE audit_entries SET actor_email = 'someone@else.example' WHERE municipality_id = $1`, [municipalityId])).rejects.toThrow(/append-only: UPDATE refused/);
    await c.query('ROLLBACK');
    expect((await verify()).valid).toBe(true);
  });

  describe('sealed after commit (migration 1796000000080: an import of many rows)', () => {
    /** A transaction that asks to be sealed after it commits, with `n` entries, committed and left unsealed (as when its process stops right after the commit). */
    async function committedUnsealed(email: string, n: number): Promise<void> {
      const c = await connection();
      await c.query('BEGIN');
      await c.query(`SET LOCAL audit.seal = 'after-commit'`);
      await c.query(
        `INSERT INTO audit_entries (municipality_id, actor_email, action, entity, entity_id, after) SELECT $1, $2, 'create', 'ngo', i::text, '{}'::jsonb FROM generate_series(1, $3::int) i`,
        [municipalityId, email, n],
      );
      await c.query('COMMIT');
    }
    const places = async (email: string) =>
      (await t.db.query(`SELECT seq::int AS seq, hash, entity_id FROM audit_entries WHERE actor_email = $1 ORDER BY ins`, [email])) as Array<{ seq: number | null; hash: string | null; entity_id: string }>;

    it('commits the entries unsealed and queued, lets other writes seal theirs meanwhile, and the verify gives them their places first, in the order written', async () => {
      await committedUnsealed('after@seal.test.example', 3);
      expect((await places('after@seal.test.example')).map((e) => e.seq)).toEqual([null, null, null]);
      expect(await t.db.query(`SELECT count(*)::int AS n FROM audit_seal_queue WHERE municipality_id = $1`, [municipalityId])).toEqual([{ n: 1 }]);
      // a later write seals its own entry only, at its commit
      expect((await createNgo()).status).toBe(201);
      expect((await places('after@seal.test.example')).map((e) => e.seq)).toEqual([null, null, null]);
      const result = await verify();
      expect(result).toMatchObject({ valid: true, firstBroken: null });
      const sealed = await places('after@seal.test.example');
      expect(sealed.map((e) => e.entity_id)).toEqual(['1', '2', '3']);
      expect(sealed.map((e) => e.seq)).toEqual([result.headSeq - 2, result.headSeq - 1, result.headSeq]);
      expect(await t.db.query(`SELECT count(*)::int AS n FROM audit_seal_queue`)).toEqual([{ n: 0 }]);
    });

    it('seals each waiting entry once when two sealers run at once, a step of 5 000 at a time', async () => {
      await committedUnsealed('many@seal.test.example', 12_000);
      const [a, b] = await Promise.all([sealCommitted(t.db, municipalityId), sealCommitted(t.db, municipalityId)]);
      expect(a + b).toBe(12_000);
      const sealed = await places('many@seal.test.example');
      expect(sealed.every((e) => e.hash !== null)).toBe(true);
      // in the order written, one after the other
      expect(sealed.map((e) => e.seq! - sealed[0].seq!)).toEqual(sealed.map((_, i) => i));
      expect((await verify()).valid).toBe(true);
    }, 60_000);

    it('sealAllCommitted (run at start-up) seals what a stopped process left waiting, in every municipality', async () => {
      await committedUnsealed('stopped@seal.test.example', 2);
      expect(await sealAllCommitted(t.db)).toBe(2);
      expect((await places('stopped@seal.test.example')).every((e) => e.hash !== null)).toBe(true);
      expect(await sealAllCommitted(t.db)).toBe(0);
    });

    it('never seals, after commit, an entry that came in with the seal trigger off in a transaction that was not queued', async () => {
      const superuser = await connection();
      await superuser.query('ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_seal');
      await committedUnsealed('unqueued@seal.test.example', 1);
      await superuser.query('ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_seal');
      expect(await sealAllCommitted(t.db)).toBe(0);
      const [{ id }] = await t.db.query(`SELECT id FROM audit_entries WHERE actor_email = 'unqueued@seal.test.example'`);
      const result = await verify();
      expect(result).toMatchObject({ valid: false, firstBroken: { id, reason: 'chain-broken' } });
    });
  });
});
