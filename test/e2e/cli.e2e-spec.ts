import { freePort } from '@app/core';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { Client } from 'pg';
import { newNgo, newProgram, newTask, uniqueIdentifiers } from '../utils/factories';
import { builtProgram } from '../utils/program';
import { createTestApp, PLATFORM_ADMIN, type TestApp } from '../utils/test-app';

/**
 * The command line as `npm run cli` runs it: the run's build of the project (test/utils/program.ts), run as a child process with DATABASE_URL of a test database and stdin a pipe (no
 * terminal), so progress comes as plain lines. Real: PostgreSQL, its triggers, the audit chain,
 * argon2; the API of the same database checks what the commands wrote (a user created here signs in there).
 */
const ROOT = process.cwd(); // jest runs from the project root
const WORK = join(ROOT, '.data', `test-cli-files-${process.pid}`);
const ACTOR = `cli:${userInfo().username}`;
const COMMANDS = ['user:create', 'municipality:create', 'import', 'report:compile', 'report:publish', 'report:export', 'audit:verify', 'demo:national'];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('the command line', () => {
  let t: TestApp;
  let official: string;
  let krakowId: string;
  let serial = 0;
  let BUILD: string;

  /** Runs the built CLI; `input` is written to its stdin (a pipe, never a terminal), then stdin is closed. */
  function cli(args: string[], o: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: t.databaseUrl, LOG_LEVEL: 'warn', ...o.env };
    for (const name of ['ADMIN_EMAIL', 'ADMIN_PASSWORD', 'MUNICIPALITY_SLUG', 'DEMO_DATA']) delete env[name];
    for (const [k, v] of Object.entries(o.env ?? {})) if (v === undefined) delete env[k];
    // from the build directory, so that a developer's .env cannot fill in what the test leaves out
    const child = spawn(process.execPath, [join(BUILD, 'apps/cli/src/main.js'), ...args], { cwd: BUILD, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.on('error', () => undefined); // a command that exits before reading its input
    child.stdin.end(o.input ?? '');
    return new Promise((done) => child.on('close', (code) => done({ code, stdout, stderr })));
  }

  /** A failure or usage error says why in one line (commander may add its hint), never with a stack. */
  function expectNoStack(run: Run): void {
    expect(run.stderr).not.toMatch(/\n\s+at /);
  }

  const unique = (tag: string) => `${tag}-${process.pid}-${++serial}`;
  const auditRows = (municipalityId: string, entity: string, entityId: string) =>
    t.db.query(`SELECT actor_id, actor_email, action, after FROM audit_entries WHERE municipality_id = $1 AND entity = $2 AND entity_id = $3 ORDER BY seq`, [municipalityId, entity, entityId]);

  beforeAll(async () => {
    mkdirSync(WORK, { recursive: true });
    BUILD = await builtProgram();
    t = await createTestApp();
    const admin = await t.login(PLATFORM_ADMIN.email, PLATFORM_ADMIN.password);
    const created = await t.call('POST', '/api/v1/users', { token: admin, body: { email: 'official.cli@test.example', password: 'official-password', role: 'official' } });
    expect(created.status).toBe(201);
    official = await t.login('official.cli@test.example', 'official-password');
    [{ id: krakowId }] = await t.db.query(`SELECT id FROM municipalities WHERE slug = 'krakow'`);
  }, 180_000);

  afterAll(async () => {
    await t?.close();
    rmSync(WORK, { recursive: true, force: true });
  });

  describe('--help', () => {
    it('lists the eight commands, the global options and the exit codes, with exit 0', async () => {
      const run = await cli(['--help']);
      expect(run.code).toBe(0);
      for (const command of COMMANDS) expect(run.stdout).toContain(command);
      expect(run.stdout).toMatch(/--json[\s\S]*--verbose[\s\S]*--no-progress/);
      expect(run.stdout).toMatch(/Exit codes: 0 done, 1 failed .*, 2 usage error/);
      expect(run.stderr).toBe('');
    });

    const expected: Record<string, string[]> = {
      'user:create': ['--email <address>', '--role <role>', '"official"', '--ngo <id-or-krs>', '--password-stdin', '--password <password>', '--municipality <slug>'],
      'municipality:create': ['--name <name>', '--slug <slug>', '--teryt <code>', '--admin-email <address>', '--admin-password-stdin', '--admin-password <password>'],
      import: ['<kind>', '<file>', '--dry-run', '--municipality <slug>', 'line L, column C'],
      'report:compile': ['<year>', '--municipality <slug>'],
      'report:publish': ['<year>', '--content-hash <hex>', '--municipality <slug>'],
      'report:export': ['<year>', '--format <format>', '"xlsx"', '--out <file>', '--revision <draft|N>', '--delimiter <delimiter>', '"semicolon"', '--table <table>', '--municipality <slug>'],
      'audit:verify': ['--municipality <slug>', '--all'],
      'demo:national': ['--scale <fraction>', '--seed <n>', '(default: 2807)'],
    };
    it.each(COMMANDS)('%s --help: its options and examples, exit 0', async (command) => {
      const run = await cli([command, '--help']);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`Usage: npm run cli -- ${command}`);
      for (const option of expected[command]) expect(run.stdout).toContain(option);
      expect(run.stdout).toMatch(/Global Options:[\s\S]*--json/);
      expect(run.stdout).toMatch(new RegExp(`Examples:\\n  \\$ npm run cli -- ${command}(\\s|$)`));
    });

    it('answers `help <command>` as `<command> --help`', async () => {
      const run = await cli(['help', 'report:publish']);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('--content-hash <hex>');
    });
  });

  describe('usage errors: exit 2, the reason on stderr, nothing written', () => {
    it.each([
      ['an unknown command', ['user:delete'], /error: unknown command 'user:delete'/],
      ['no command', [], /Usage: npm run cli --/],
      ['an unknown option', ['audit:verify', '--everything'], /error: unknown option '--everything'/],
      ['a missing option', ['user:create', '--role', 'official', '--password', 'a-long-password'], /error: required option '--email <address>' not specified/],
      ['a missing argument', ['report:compile'], /error: missing required argument 'year'/],
      ['a year of two digits', ['report:compile', '19'], /'19' is invalid for argument 'year'\. must be a year from 2000 to 2100/],
      ['a year past 2100', ['report:publish', '2101'], /must be a year from 2000 to 2100/],
      ['an unknown role', ['user:create', '--email', 'x@test.example', '--role', 'boss', '--password', 'a-long-password'], /argument 'boss' is invalid\. Allowed choices are admin, official, auditor, ngo/],
      ['a malformed email', ['user:create', '--email', 'not-an-email', '--role', 'official', '--password', 'a-long-password'], /'not-an-email' is invalid\. must be an email address/],
      ['the ngo role without --ngo', ['user:create', '--email', 'x@test.example', '--role', 'ngo', '--password', 'a-long-password'], /error: --ngo <id-or-krs> is required for the ngo role/],
      ['a password too short', ['user:create', '--email', 'x@test.example', '--role', 'auditor', '--password', 'short'], /error: the password must be at least 8 characters long/],
      ['no password and no terminal', ['user:create', '--email', 'x@test.example', '--role', 'auditor'], /error: no password: pipe it in with --password-stdin/],
      ['a malformed content hash', ['report:publish', '2019', '--content-hash', 'abc'], /must be a SHA-256 in hex/],
      ['an unknown import kind', ['import', 'people', 'file.csv'], /error: command-argument value 'people' is invalid for argument 'kind'\. Allowed choices are ngos, tasks/],
      ['an unknown export format', ['report:export', '2019', '--format', 'pdf', '--out', 'x.pdf'], /Allowed choices are csv, xlsx, json/],
      ['a delimiter for XLSX', ['report:export', '2019', '--format', 'xlsx', '--delimiter', 'semicolon', '--out', 'x.xlsx'], /error: --delimiter applies to --format csv only/],
      ['a malformed TERYT', ['municipality:create', '--name', 'X', '--slug', 'x', '--teryt', '12', '--admin-email', 'a@test.example', '--admin-password', 'a-long-password'], /TERYT must be 7 digits/],
    ])('%s', async (_what, args, message) => {
      const [{ before }] = await t.db.query('SELECT count(*)::int AS before FROM audit_entries');
      const run = await cli(args as string[]);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(message);
      expectNoStack(run);
      const [{ after }] = await t.db.query('SELECT count(*)::int AS after FROM audit_entries');
      expect(after).toBe(before);
    });

    it('refuses an invalid configuration with exit 2', async () => {
      const run = await cli(['audit:verify'], { env: { DATABASE_URL: 'mysql://nope' } });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/DATABASE_URL must be a postgres:\/\/ URL/);
    });
  });

  describe('user:create', () => {
    it('creates a user with the password from stdin, audited as the cli actor; the user signs in through the API', async () => {
      const email = `${unique('auditor')}@test.example`;
      const run = await cli(['user:create', '--email', email.toUpperCase(), '--role', 'auditor', '--password-stdin'], { input: 'pass word from stdin\n' });
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(run.stdout).toMatch(new RegExp(`^created the auditor ${email} in krakow\\n  id: [0-9a-f-]{36}\\n$`));
      const [user] = await t.db.query('SELECT id, role, ngo_id, platform_admin FROM users WHERE email = $1', [email]);
      expect(user).toMatchObject({ role: 'auditor', ngo_id: null, platform_admin: false });
      expect(await auditRows(krakowId, 'user', user.id)).toEqual([
        { actor_id: null, actor_email: ACTOR, action: 'create', after: expect.objectContaining({ id: user.id, email, role: 'auditor', ngoId: null }) },
      ]);
      // the trailing line break of stdin is not part of the password
      await expect(t.login(email, 'pass word from stdin')).resolves.toEqual(expect.any(String));
    });

    it('creates an ngo user bound to an NGO named by its KRS, in the municipality given, and prints JSON with --json', async () => {
      const ngo = await t.call('POST', '/api/v1/ngos', { token: official, body: newNgo() });
      expect(ngo.status).toBe(201);
      const email = `${unique('ngo')}@test.example`;
      const run = await cli(['--json', 'user:create', '--email', email, '--role', 'ngo', '--ngo', ngo.body.krs, '-m', 'krakow', '--password', 'ngo-password-1']);
      expect(run.code).toBe(0);
      const printed = JSON.parse(run.stdout);
      expect(printed).toMatchObject({ email, role: 'ngo', ngoId: ngo.body.id, municipality: { id: krakowId, slug: 'krakow' } });
      const me = await t.call('GET', '/api/v1/me', { token: await t.login(email, 'ngo-password-1') });
      expect(me.body).toMatchObject({ role: 'ngo', ngoId: ngo.body.id });
    });

    it('fails with exit 1 and a one-line reason on a duplicate email, an unknown NGO or an unknown municipality', async () => {
      const duplicate = await cli(['user:create', '--email', 'official.cli@test.example', '--role', 'official', '--password-stdin'], { input: 'a-long-password' });
      expect(duplicate.code).toBe(1);
      expect(duplicate.stderr).toBe('error: A user with the email official.cli@test.example exists already (email: is already used by another user)\n');
      expect(duplicate.stdout).toBe('');

      const noNgo = await cli(['user:create', '--email', `${unique('x')}@test.example`, '--role', 'ngo', '--ngo', '0000000001', '--password', 'a-long-password']);
      expect(noNgo.code).toBe(1);
      expect(noNgo.stderr).toBe('error: no NGO with the KRS 0000000001 in krakow\n');

      const nowhere = await cli(['user:create', '--email', `${unique('x')}@test.example`, '--role', 'official', '--password', 'a-long-password', '--municipality', 'atlantyda']);
      expect(nowhere.code).toBe(1);
      expect(nowhere.stderr).toMatch(/^error: no municipality with the slug "atlantyda" \(known: .*krakow.*\)\n$/);
    });

    it('prints the stack of a failure only with --verbose', async () => {
      const run = await cli(['--verbose', 'user:create', '--email', 'official.cli@test.example', '--role', 'official', '--password', 'a-long-password']);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/error: A user with the email official\.cli@test\.example exists already/);
      expect(run.stderr).toMatch(/Conflict: A user with the email[\s\S]*\n\s+at /);
    });
  });

  describe('municipality:create', () => {
    it('creates a municipality with its admin, both in its own audit trail as the cli actor; the admin signs in', async () => {
      const slug = unique('gmina');
      const adminEmail = `admin.${slug}@test.example`;
      const run = await cli(['municipality:create', '--name', 'Gmina Testowa', '--slug', slug, '--teryt', '1219 064', '--admin-email', adminEmail, '--admin-password-stdin'], { input: 'admin-password-1\n' });
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(run.stdout).toContain(`created the municipality Gmina Testowa (${slug}, TERYT 1219064)`);
      const [m] = await t.db.query('SELECT id, name, teryt FROM municipalities WHERE slug = $1', [slug]);
      expect(m).toMatchObject({ name: 'Gmina Testowa', teryt: '1219064' });
      const trail = await t.db.query('SELECT actor_id, actor_email, action, entity FROM audit_entries WHERE municipality_id = $1 ORDER BY seq', [m.id]);
      expect(trail).toEqual([
        { actor_id: null, actor_email: ACTOR, action: 'create', entity: 'municipality' },
        { actor_id: null, actor_email: ACTOR, action: 'create', entity: 'user' },
      ]);
      const me = await t.call('GET', '/api/v1/me', { token: await t.login(adminEmail, 'admin-password-1') });
      expect(me.body).toMatchObject({ role: 'admin', platformAdmin: false, municipality: { slug } });

      const again = await cli(['municipality:create', '--name', 'Inna', '--slug', slug, '--teryt', '1219065', '--admin-email', `other.${slug}@test.example`, '--admin-password', 'admin-password-1']);
      expect(again.code).toBe(1);
      expect(again.stderr).toBe(`error: The slug "${slug}" is taken (slug: is already used by another municipality)\n`);
    });
  });

  describe('reports', () => {
    let slug: string;
    let municipalityId: string;

    beforeAll(async () => {
      // a municipality of its own with one funded task of 2019
      slug = unique('raporty');
      const made = await cli(['municipality:create', '--name', 'Gmina Raportowa', '--slug', slug, '--teryt', '1219066', '--admin-email', `admin.${slug}@test.example`, '--admin-password', 'admin-password-1']);
      expect(made.code).toBe(0);
      [{ id: municipalityId }] = await t.db.query('SELECT id FROM municipalities WHERE slug = $1', [slug]);
      const token = await t.login(`admin.${slug}@test.example`, 'admin-password-1');
      const ngo = await t.call('POST', '/api/v1/ngos', { token, body: newNgo() });
      const multi = await t.call('POST', '/api/v1/programs', { token, body: newProgram() });
      const annual = await t.call('POST', '/api/v1/programs', { token, body: newProgram({ title: 'Roczny 2019', kind: 'annual', startYear: 2019, endYear: 2019, parentId: multi.body.id }) });
      const task = await t.call('POST', '/api/v1/tasks', { token, body: newTask(annual.body.id, [ngo.body.id]) });
      expect(task.status).toBe(201);
    });

    it('compiles, refuses to publish a draft other than the one reviewed, publishes it, and says when nothing is new', async () => {
      const compiled = await cli(['report:compile', '2019', '-m', slug]);
      expect(compiled).toMatchObject({ code: 0, stderr: '' });
      const [report] = await t.db.query('SELECT content_hash FROM reports WHERE municipality_id = $1 AND year = 2019', [municipalityId]);
      expect(compiled.stdout).toContain(`compiled the 2019 report of ${slug}`);
      expect(compiled.stdout).toContain('tasks: 1 (granted 50000.00 PLN');
      expect(compiled.stdout).toContain(`content hash: ${report.content_hash}`);
      expect(await auditRows(municipalityId, 'report', '2019')).toEqual([{ actor_id: null, actor_email: ACTOR, action: 'compile', after: { year: 2019, contentHash: report.content_hash } }]);

      const stale = await cli(['report:publish', '2019', '-m', slug, '--content-hash', '0'.repeat(64)]);
      expect(stale.code).toBe(1);
      expect(stale.stderr).toMatch(/^error: The data changed since that draft was compiled: the report now hashes to [0-9a-f]{64}; review it again\n$/);

      const published = await cli(['--json', 'report:publish', '2019', '-m', slug, '--content-hash', report.content_hash]);
      expect(published.code).toBe(0);
      expect(JSON.parse(published.stdout)).toMatchObject({ year: 2019, status: 'published', revision: 1, contentHash: report.content_hash, published: true });
      const publicReport = await t.call('GET', `/api/v1/public/${slug}/reports/2019`);
      expect(publicReport.body).toMatchObject({ revision: 1, contentHash: report.content_hash });
      const publishEntries = (await auditRows(municipalityId, 'report', '2019')).filter((e: { action: string }) => e.action === 'publish');
      expect(publishEntries).toEqual([{ actor_id: null, actor_email: ACTOR, action: 'publish', after: expect.objectContaining({ year: 2019, revision: 1, tasks: 1 }) }]);
      const [revision] = await t.db.query('SELECT published_by, published_by_email FROM report_revisions WHERE municipality_id = $1 AND year = 2019', [municipalityId]);
      expect(revision).toEqual({ published_by: null, published_by_email: ACTOR });

      const again = await cli(['report:publish', '2019', '-m', slug]);
      expect(again.code).toBe(0);
      expect(again.stdout).toContain(`nothing new to publish: revision 1 of the 2019 report of ${slug} already holds this compile`);
    });

    it('fails with exit 1 on a rule broken: a year that has not begun, a year never compiled', async () => {
      const future = await cli(['report:compile', '2100', '-m', slug]);
      expect(future.code).toBe(1);
      expect(future.stderr).toBe('error: 2100 has not begun; a report covers the current year at the latest\n');
      const never = await cli(['report:publish', '2005', '-m', slug]);
      expect(never.code).toBe(1);
      expect(never.stderr).toMatch(/^error: 2005 has no compiled report yet; compile it first/);
      expectNoStack(never);
    });

    it('exports the published revision to a file: rows, bytes and the SHA-256 of the file, audited as the cli actor; plain progress lines', async () => {
      const out = join(WORK, `raport-${slug}.csv`);
      const run = await cli(['report:export', '2019', '-m', slug, '--format', 'csv', '--delimiter', 'semicolon', '--out', out]);
      expect(run.code).toBe(0);
      const file = readFileSync(out);
      const sha256 = createHash('sha256').update(file).digest('hex');
      expect(run.stdout).toBe(`wrote ${out}\n  revision: 1\n  rows: 1\n  bytes: ${file.length}\n  sha-256: ${sha256}\n`);
      expect(file.toString('utf8')).toContain(';');
      // no terminal: plain lines, no bar drawn with escape codes
      expect(run.stderr).toMatch(/^export 2019: [\d.]+ (B|KiB|MiB)\n$/);
      expect(run.stderr).not.toContain('\x1b');
      const entries = (await auditRows(municipalityId, 'report', '2019')).filter((e: { action: string }) => e.action === 'export');
      expect(entries).toEqual([{ actor_id: null, actor_email: ACTOR, action: 'export', after: expect.objectContaining({ year: 2019, revision: 1, format: 'csv', rows: 1, sha256 }) }]);
      // no partial file left beside it
      expect(readdirSync(WORK).filter((f) => f.includes('.partial'))).toEqual([]);
    });

    it('exports the draft as JSON with --json output, and fails with exit 1 for a revision that does not exist, leaving no file', async () => {
      const out = join(WORK, `draft-${slug}.json`);
      const run = await cli(['--json', '--no-progress', 'report:export', '2019', '-m', slug, '--format', 'json', '--revision', 'draft', '--out', out]);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      const printed = JSON.parse(run.stdout);
      expect(printed).toMatchObject({ file: out, year: 2019, format: 'json', revision: 'draft', rows: 1, bytes: readFileSync(out).length });
      expect(printed.sha256).toBe(createHash('sha256').update(readFileSync(out)).digest('hex'));

      const missing = join(WORK, `r9-${slug}.json`);
      const none = await cli(['report:export', '2019', '-m', slug, '--format', 'json', '--revision', '9', '--out', missing]);
      expect(none.code).toBe(1);
      expect(none.stderr).toMatch(/^error: .*revision 9.*\n$/); // one line: no progress line for a failed export
      expect(existsSync(missing)).toBe(false);
      expect(readdirSync(WORK).filter((f) => f.includes('.partial'))).toEqual([]);
    });
  });

  describe('audit:verify', () => {
    it('reports a valid trail (exit 0), then the first broken entry after a superuser edits one (exit 1)', async () => {
      const slug = unique('audyt');
      expect((await cli(['municipality:create', '--name', 'Gmina Audytowa', '--slug', slug, '--teryt', '1219067', '--admin-email', `admin.${slug}@test.example`, '--admin-password', 'admin-password-1'])).code).toBe(0);
      const token = await t.login(`admin.${slug}@test.example`, 'admin-password-1');
      for (let i = 0; i < 3; i++) expect((await t.call('POST', '/api/v1/ngos', { token, body: newNgo() })).status).toBe(201);
      const [{ id: municipalityId }] = await t.db.query('SELECT id FROM municipalities WHERE slug = $1', [slug]);

      const [head] = await t.db.query('SELECT seq::int AS seq, hash FROM audit_heads WHERE municipality_id = $1', [municipalityId]);
      const valid = await cli(['audit:verify', '-m', slug]);
      expect(valid).toMatchObject({ code: 0, stdout: `audit trail of ${slug}: valid, 5 entries; head: seq 5, hash ${head.hash}\n`, stderr: '' });
      expect(JSON.parse((await cli(['--json', 'audit:verify', '-m', slug])).stdout)).toEqual({ municipality: { id: municipalityId, slug }, valid: true, entries: 5, firstBroken: null, headHash: head.hash, headSeq: 5 });

      const [edited] = await t.db.query(`SELECT id, seq FROM audit_entries WHERE municipality_id = $1 AND entity = 'ngo' ORDER BY seq LIMIT 1`, [municipalityId]);
      const superuser = new Client({ connectionString: t.databaseUrl });
      await superuser.connect();
      try {
        await superuser.query('ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only');
        await superuser.query(`UPDATE audit_entries SET after = jsonb_set(after, '{name}', '"Ktoś inny"') WHERE id = $1`, [edited.id]);
        await superuser.query('ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_append_only');
      } finally {
        await superuser.end();
      }

      const broken = await cli(['audit:verify', '-m', slug]);
      expect(broken.code).toBe(1);
      expect(broken.stdout).toBe(`audit trail of ${slug}: BROKEN, 5 entries; first broken: seq ${edited.seq} (id ${edited.id}), content-changed; head: seq 5, hash ${head.hash}\n`);
      expect(broken.stderr).toBe(`error: the audit trail of ${slug} is broken: entries were changed or removed outside the application\n`);
      const all = await cli(['--json', 'audit:verify', '--all']);
      expect(all.code).toBe(1);
      expect(JSON.parse(all.stdout)).toEqual(
        expect.arrayContaining([
          { municipality: { id: municipalityId, slug }, valid: false, entries: 5, firstBroken: { id: edited.id, seq: Number(edited.seq), reason: 'content-changed' }, headHash: head.hash, headSeq: 5 },
          expect.objectContaining({ municipality: { id: krakowId, slug: 'krakow' }, valid: true }),
        ]),
      );
    });
  });

  describe('import', () => {
    const header = 'name,legalForm,krs,nip,spheres,publicBenefit';
    const row = (name: string, ids = uniqueIdentifiers()) => `"${name}",foundation,${ids.krs},${ids.nip},1;16,false`;

    it('imports a file of NGOs, with plain progress lines and the count on stdout', async () => {
      const file = join(WORK, 'ngos.csv');
      const names = [1, 2, 3].map((i) => `Fundacja z importu ${process.pid} ${i}`);
      writeFileSync(file, [header, ...names.map((n) => row(n))].join('\n') + '\n');
      const run = await cli(['import', 'ngos', file]);
      expect(run.code).toBe(0);
      expect(run.stdout).toBe('imported 3 ngos into krakow\n');
      // no terminal: a line when the work starts and one when it ends, no spinner drawn with escape codes
      expect(run.stderr).toMatch(/^import ngos from ngos\.csv…\n(.*\n)*import ngos from ngos\.csv: 3 rows imported in \d+\.\d s$/m);
      expect(run.stderr).not.toContain('\x1b');
      const rows = await t.db.query('SELECT name FROM ngos WHERE municipality_id = $1 AND name = ANY($2::text[])', [krakowId, names]);
      expect(rows).toHaveLength(3);
      const [entry] = await t.db.query(`SELECT actor_id, actor_email FROM audit_entries WHERE municipality_id = $1 AND after->>'name' = $2`, [krakowId, names[0]]);
      expect(entry).toEqual({ actor_id: null, actor_email: ACTOR });
    });

    it('checks a file with --dry-run and writes nothing', async () => {
      const file = join(WORK, 'dry.csv');
      const name = `Fundacja próbna ${process.pid}`;
      writeFileSync(file, `${header}\n${row(name)}\n`);
      const run = await cli(['import', 'ngos', file, '--dry-run']);
      expect(run.code).toBe(0);
      expect(run.stdout).toBe('valid: 1 rows, 0 errors (dry run: nothing written)\n');
      expect(run.stderr).toMatch(/^check ngos from dry\.csv…\n(.*\n)*check ngos from dry\.csv: 1 rows checked in \d+\.\d s$/m);
      expect(await t.db.query('SELECT 1 FROM ngos WHERE name = $1', [name])).toEqual([]);
    });

    it('lists every error as "line L, column C: message" and exits 1, writing nothing', async () => {
      const file = join(WORK, 'bad.csv');
      const good = `Fundacja dobra ${process.pid}`;
      const ids = uniqueIdentifiers();
      writeFileSync(file, [header, row(good), `"Zła NIP",foundation,${ids.krs},1234567890,1,false`, `"",association,,,1,false`].join('\n') + '\n');
      const run = await cli(['import', 'ngos', file]);
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/^invalid: 2 errors, nothing imported\nline 3, column nip: .+\nline 4, column name: .+\n$/);
      expect(run.stderr).toMatch(/error: .*bad\.csv has 2 error\(s\); nothing was imported\n$/);
      expectNoStack(run);
      expect(await t.db.query('SELECT 1 FROM ngos WHERE name = $1', [good])).toEqual([]);

      const dry = await cli(['import', 'ngos', file, '--dry-run']);
      expect(dry.code).toBe(1);
      expect(dry.stdout).toMatch(/^invalid: 3 rows, 2 errors \(dry run: nothing written\)$/m);
      expect(dry.stdout).toMatch(/^line 3, column nip: .+$/m);
    });

    it('imports funded tasks from an XLSX file, their NGO given by KRS, audited as the cli actor', async () => {
      const ngo = await t.call('POST', '/api/v1/ngos', { token: official, body: newNgo() });
      const multi = await t.call('POST', '/api/v1/programs', { token: official, body: newProgram() });
      const annual = await t.call('POST', '/api/v1/programs', { token: official, body: newProgram({ title: 'Roczny 2019 (CLI)', kind: 'annual', startYear: 2019, endYear: 2019, parentId: multi.body.id }) });
      expect(annual.status).toBe(201);
      const task = { ...newTask(annual.body.id, []), title: `Zadanie z pliku ${process.pid}`, ngoIds: ngo.body.krs };
      const workbook = new ExcelJS.Workbook();
      const sheet = workbook.addWorksheet('Zadania');
      sheet.addRow(Object.keys(task));
      sheet.addRow(Object.values(task) as string[]);
      const file = join(WORK, 'zadania.xlsx');
      writeFileSync(file, Buffer.from(await workbook.xlsx.writeBuffer()));

      const run = await cli(['--no-progress', 'import', 'tasks', file]);
      expect(run).toMatchObject({ code: 0, stdout: 'imported 1 tasks into krakow\n' });
      expect(run.stderr).not.toMatch(/^import tasks/m); // --no-progress
      const [row] = await t.db.query('SELECT id FROM tasks WHERE municipality_id = $1 AND title = $2', [krakowId, task.title]);
      expect(await auditRows(krakowId, 'task', row.id)).toEqual([expect.objectContaining({ actor_id: null, actor_email: ACTOR, action: 'create' })]);
      const [summary] = await t.db.query(`SELECT actor_email, after FROM audit_entries WHERE municipality_id = $1 AND action = 'import' ORDER BY seq DESC LIMIT 1`, [krakowId]);
      expect(summary).toEqual({ actor_email: ACTOR, after: expect.objectContaining({ kind: 'tasks', rows: 1, fileName: 'zadania.xlsx' }) });
    });

    it('fails with exit 1 on a file that cannot be read', async () => {
      const run = await cli(['import', 'tasks', join(WORK, 'no-such-file.xlsx')]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^error: cannot read .*no-such-file\.xlsx: ENOENT/);
    });
  });

  it('fails with exit 1 and a clear line when the database cannot be reached', async () => {
    const url = `postgres://postgres@127.0.0.1:${await freePort()}/nothing`;
    const run = await cli(['audit:verify'], { env: { DATABASE_URL: url } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: the database postgres:\/\/postgres@127\.0\.0\.1:\d+\/nothing cannot be used: .*ECONNREFUSED.*\n$/);
  });
});
