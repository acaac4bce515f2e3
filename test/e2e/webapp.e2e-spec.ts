import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { newCommission, newMember, newNgo, newProgram, newTask } from '../utils/factories';
import { createTestApp, PLATFORM_ADMIN, type TestApp } from '../utils/test-app';
import { createUser, signIn, TEST_PASSWORD } from '../utils/users';
import { textOf, WebClient } from '../utils/web-client';

/**
 * Real: HTTP, PostgreSQL, the sessions table, argon2 at sign-in, the API's services behind every
 * form. The web app at /app as a browser without JavaScript uses it: cookies, forms, 303s.
 */
describe('the web app', () => {
  let t: TestApp;
  let admin: string;
  let official: { id: string; email: string; token: string };
  const ngoCount = async () => Number((await t.db.query(`SELECT count(*) AS n FROM ngos`))[0].n);
  const auditCount = async () => Number((await t.db.query(`SELECT count(*) AS n FROM audit_entries`))[0].n);
  let serial = 0;
  const email = (tag: string) => `${tag}.${++serial}@web.test.example`;

  beforeAll(async () => {
    // the sign-in throttle is tested on its own app below; here the specs sign in often
    t = await createTestApp({ loginRateLimitPerMinute: 1000 });
    admin = await signIn(t, PLATFORM_ADMIN.email);
    official = await createUser(t, admin, { email: 'official@web.test.example', role: 'official' });
  }, 60_000);

  afterAll(() => t?.close());

  async function officialClient(): Promise<WebClient> {
    const web = new WebClient(t.url);
    await web.signIn(official.email, TEST_PASSWORD);
    return web;
  }

  describe('sign-in and the session cookie', () => {
    it('sends a page without a session to sign-in with the page to come back to, and back there after', async () => {
      const web = new WebClient(t.url);
      const first = await web.get('/app/ngos?search=abc');
      expect(first.status).toBe(303);
      expect(first.location).toBe('/app/login?next=%2Fapp%2Fngos%3Fsearch%3Dabc');
      await web.get(first.location!);
      const signedIn = await web.post('/app/login', { email: official.email, password: TEST_PASSWORD, next: '/app/ngos?search=abc' });
      expect(signedIn.status).toBe(303);
      expect(signedIn.location).toBe('/app/ngos?search=abc');
      const page = await web.get('/app/ngos?search=abc');
      expect(page.status).toBe(200);
      expect(page.text).toContain('<h1>Organizacje pozarządowe</h1>');
    });

    it('goes nowhere but a local /app path after sign-in', async () => {
      for (const next of ['//evil.example/app', 'https://evil.example/', '/api/v1/ngos', '/app/../api']) {
        const web = new WebClient(t.url);
        const answer = await web.signIn(official.email, TEST_PASSWORD, next);
        expect(answer.location).toBe('/app');
      }
    });

    it('sets one HttpOnly, SameSite=Lax cookie for the whole site, a new session id at every sign-in', async () => {
      const a = await new WebClient(t.url).signIn(official.email, TEST_PASSWORD);
      const b = await new WebClient(t.url).signIn(official.email, TEST_PASSWORD);
      const cookie = a.setCookies.find((c) => c.startsWith('ngo_session='))!;
      expect(cookie).toMatch(/^ngo_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax$/);
      expect(cookie).not.toMatch(/Secure/);
      expect(b.setCookies.find((c) => c.startsWith('ngo_session='))).not.toBe(cookie);
      // the table holds the cookie's hash, never the cookie
      const value = cookie.split(';')[0].split('=')[1];
      expect(await t.db.query(`SELECT 1 FROM web_sessions WHERE encode(id, 'escape') = $1 OR csrf_token = $1`, [value])).toEqual([]);
    });

    it('answers a wrong password with 401 and the form again, in Polish, keeping the email and not the password', async () => {
      const web = new WebClient(t.url);
      await web.get('/app/login');
      const answer = await web.post('/app/login', { email: official.email, password: 'not-the-password' });
      expect(answer.status).toBe(401);
      expect(answer.text).toContain('<title>Błąd: Logowanie');
      expect(answer.text).toContain('role="alert"');
      expect(answer.text).toContain('Nieprawidłowy adres e-mail lub hasło.');
      expect(answer.text).toContain(`value="${official.email}"`);
      expect(answer.text).not.toContain('not-the-password');
      expect(web.cookies.has('ngo_session')).toBe(false);
    });

    it('refuses a sign-in form without its token or from another origin (403)', async () => {
      const web = new WebClient(t.url);
      await web.get('/app/login');
      expect((await web.post('/app/login', { email: official.email, password: TEST_PASSWORD }, { csrf: null })).status).toBe(403);
      await web.get('/app/login');
      expect((await web.post('/app/login', { email: official.email, password: TEST_PASSWORD }, { origin: 'https://evil.example' })).status).toBe(403);
      expect(web.cookies.has('ngo_session')).toBe(false);
    });

    it('over HTTPS (through a trusted proxy) names the cookie __Host- and marks it Secure', async () => {
      const https = await createTestApp({ trustProxy: 1, loginRateLimitPerMinute: 2 });
      try {
        const user = await createUser(https, await signIn(https, PLATFORM_ADMIN.email), { email: 'https@web.test.example', role: 'auditor' });
        const web = new WebClient(https.url);
        await web.get('/app/login', { 'x-forwarded-proto': 'https' });
        // the browser names the page's origin, https, as the proxy received it
        const answer = await web.post('/app/login', { email: user.email, password: TEST_PASSWORD }, { origin: https.url.replace('http:', 'https:'), headers: { 'x-forwarded-proto': 'https' } });
        expect(answer.status).toBe(303);
        expect(answer.setCookies.find((c) => c.startsWith('__Host-ngo_session='))).toMatch(/^__Host-ngo_session=[\w-]{43}; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
        expect((await web.get('/app', { 'x-forwarded-proto': 'https' })).status).toBe(200);
        // without the proxy's word the request is plain HTTP: no __Host- cookie is read
        expect((await web.get('/app')).status).toBe(303);

        // the API's sign-in throttle (here 2 a minute per account and address) holds for the sign-in page too
        const other = new WebClient(https.url);
        const attempts = [];
        for (let i = 0; i < 3; i++) {
          await other.get('/app/login');
          attempts.push(await other.post('/app/login', { email: 'nobody@web.test.example', password: 'wrong-password' }));
        }
        expect(attempts.map((a) => a.status)).toEqual([401, 401, 429]);
        expect(attempts[2].text).toContain('Zbyt wiele prób logowania. Odczekaj chwilę i spróbuj ponownie.');
      } finally {
        await https.close();
      }
    });

    it('marks every page of the app no-store, under a CSP without inline styles or scripts', async () => {
      const web = await officialClient();
      for (const path of ['/app', '/app/login', '/app/ngos', '/app/nothing-here']) {
        const page = await web.get(path);
        expect(page.headers.get('cache-control')).toBe('no-store');
        expect(page.headers.get('content-security-policy')).toMatch(/style-src 'self'; .*script-src 'none'/);
      }
    });

    it('answers an unknown /app address with a Polish 404 page', async () => {
      const page = await (await officialClient()).get('/app/nothing-here');
      expect(page.status).toBe(404);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.text).toContain('<html lang="pl">');
      expect(page.text).toContain('Nie znaleziono strony');
    });
  });

  describe('timeouts and the end of sessions', () => {
    it('ends a session idle for 30 minutes, and one opened 12 hours ago however busy', async () => {
      const idle = await officialClient();
      const busy = await officialClient();
      // the row of a browser's session: keyed by the SHA-256 of its cookie
      const age = (web: WebClient, column: 'last_seen_at' | 'created_at', interval: string) =>
        t.db.query(`UPDATE web_sessions SET ${column} = now() - $2::interval WHERE id = sha256(convert_to($1, 'UTF8'))`, [web.cookies.get('ngo_session'), interval]);
      await age(idle, 'last_seen_at', '29 minutes');
      expect((await idle.get('/app')).status).toBe(200); // within the limit, and the visit renews it
      await age(idle, 'last_seen_at', '31 minutes');
      expect((await idle.get('/app')).location).toBe('/app/login?next=%2Fapp');

      await age(busy, 'created_at', '11 hours 59 minutes');
      expect((await busy.get('/app')).status).toBe(200);
      await age(busy, 'created_at', '12 hours 1 minute');
      expect((await busy.get('/app')).location).toBe('/app/login?next=%2Fapp');
    });

    it('signs out: the cookie is cleared and the session cannot be used again', async () => {
      const web = await officialClient();
      const cookie = web.cookies.get('ngo_session')!;
      await web.get('/app');
      const out = await web.post('/app/logout', {});
      expect(out.status).toBe(303);
      expect(out.location).toBe('/app/login?signedOut=out');
      expect(web.cookies.has('ngo_session')).toBe(false);
      web.cookies.set('ngo_session', cookie);
      expect((await web.get('/app')).status).toBe(303);
    });

    it('"sign out everywhere" ends every session and API token of the user', async () => {
      const user = await createUser(t, admin, { email: email('everywhere'), role: 'auditor' });
      const here = new WebClient(t.url);
      await here.signIn(user.email, TEST_PASSWORD);
      const there = new WebClient(t.url);
      await there.signIn(user.email, TEST_PASSWORD);
      await here.get('/app/account');
      const answer = await here.post('/app/account/sign-out-everywhere', {});
      expect(answer.location).toBe('/app/login?signedOut=everywhere');
      expect((await there.get('/app')).status).toBe(303);
      expect((await t.call('GET', '/api/v1/me', { token: user.token })).status).toBe(401);
    });

    it('changes the password: a wrong current one is 422 beside its field; then other sessions and tokens end, this one goes on', async () => {
      const user = await createUser(t, admin, { email: email('password'), role: 'official' });
      const here = new WebClient(t.url);
      await here.signIn(user.email, TEST_PASSWORD);
      const there = new WebClient(t.url);
      await there.signIn(user.email, TEST_PASSWORD);
      await here.get('/app/account');
      const wrong = await here.post('/app/account/password', { currentPassword: 'wrong-password', newPassword: 'a-new-password-2026' });
      expect(wrong.status).toBe(422);
      expect(textOf(wrong.text, 'f-currentPassword-error')).toBe('Błąd: To nie jest Twoje obecne hasło');
      expect(wrong.text).toMatch(/id="f-currentPassword"[^>]*aria-describedby="f-currentPassword-error"/);
      expect(wrong.text).not.toContain('wrong-password');

      const common = await here.post('/app/account/password', { currentPassword: TEST_PASSWORD, newPassword: 'password123' });
      expect(common.status).toBe(400);
      expect(textOf(common.text, 'f-newPassword-error')).toBe('Błąd: To hasło jest jednym z najczęściej używanych – wybierz inne');

      const changed = await here.post('/app/account/password', { currentPassword: TEST_PASSWORD, newPassword: 'a-new-password-2026' });
      expect(changed.status).toBe(303);
      const after = await here.get('/app/account');
      expect(after.status).toBe(200);
      expect(after.text).toContain('Zmieniono hasło.');
      expect((await there.get('/app')).status).toBe(303);
      expect((await t.call('GET', '/api/v1/me', { token: user.token })).status).toBe(401);
      await expect(new WebClient(t.url).signIn(user.email, 'a-new-password-2026')).resolves.toMatchObject({ status: 303 });
    });
  });

  describe('CSRF: a form without both the session\'s token and our Origin is refused with 403, nothing written', () => {
    const posts: Array<[string, { csrf?: string | null; origin?: string | null }]> = [
      ['no token', { csrf: null }],
      ['a wrong token', { csrf: 'x'.repeat(43) }],
      ['the token of another session', { csrf: 'other' }],
      ['a foreign Origin', { origin: 'https://evil.example' }],
      ['no Origin', { origin: null }],
      ['Origin null', { origin: 'null' }],
    ];
    it.each(posts)('%s', async (_what, o) => {
      const web = await officialClient();
      await web.get('/app/ngos/new');
      let csrf = o.csrf;
      if (csrf === 'other') {
        const other = await officialClient();
        await other.get('/app');
        csrf = other.csrf;
        expect(csrf).not.toBe(web.csrf);
      }
      const [ngos, entries] = [await ngoCount(), await auditCount()];
      const answer = await web.post('/app/ngos/new', { name: 'Nie powinno powstać', legalForm: 'association' }, { ...o, csrf });
      expect(answer.status).toBe(403);
      expect(answer.text).toContain('Nie zapisano zmian');
      expect([await ngoCount(), await auditCount()]).toEqual([ngos, entries]);
    });

    it('refuses a sign-out from another origin, and the session goes on', async () => {
      const web = await officialClient();
      await web.get('/app');
      expect((await web.post('/app/logout', {}, { origin: 'https://evil.example' })).status).toBe(403);
      expect((await web.get('/app')).status).toBe(200);
    });
  });

  describe('the NGO register', () => {
    it('registers an NGO: the rules\' messages beside their fields, values kept, nothing written; then saved, audited, shown once confirmed', async () => {
      const web = await officialClient();
      await web.get('/app/ngos/new');
      const before = [await ngoCount(), await auditCount()];
      const bad = await web.post('/app/ngos/new', { name: '', legalForm: 'association', krs: '', nip: '123-456-78-90', website: 'fundacja.pl', spheres: ['1', '16'] });
      expect(bad.status).toBe(400);
      expect([await ngoCount(), await auditCount()]).toEqual(before);
      expect(bad.text).toMatch(/<div class="error-summary" role="alert"/);
      expect(bad.text).toContain('<a href="#f-name">Uzupełnij pole „Nazwa organizacji”</a>');
      expect(textOf(bad.text, 'f-nip-error')).toBe('Błąd: Numer NIP ma błędną cyfrę kontrolną – sprawdź, czy nie ma w nim literówki');
      expect(textOf(bad.text, 'f-website-error')).toBe('Błąd: Wpisz adres strony zaczynający się od https:// lub http://');
      expect(bad.text).toMatch(/id="f-nip" name="nip" type="text" value="123-456-78-90"/);
      expect(bad.text).toMatch(/id="f-spheres-\d+" name="spheres" value="16" checked/);

      const fields = { ...newNgo({ name: 'Fundacja Formularzowa' }), spheres: ['1', '16'], publicBenefit: 'true' } as Record<string, string | string[]>;
      delete fields.regon;
      const saved = await web.post('/app/ngos/new', fields);
      expect(saved.status).toBe(303);
      const [row] = await t.db.query(`SELECT id, name, krs, spheres, public_benefit FROM ngos WHERE name = 'Fundacja Formularzowa'`);
      expect(row).toMatchObject({ krs: fields.krs, spheres: ['1', '16'], public_benefit: true });
      expect(saved.location).toBe(`/app/ngos/${row.id}`);
      const [entry] = await t.db.query(`SELECT actor_id, action FROM audit_entries WHERE entity = 'ngo' AND entity_id = $1`, [row.id]);
      expect(entry).toEqual({ actor_id: official.id, action: 'create' });
      const record = await web.get(saved.location!);
      expect(record.text).toContain('<div class="notice" role="status"><p>Dodano organizację „Fundacja Formularzowa”.</p></div>');
      expect((await web.get(saved.location!)).text).not.toContain('class="notice"');

      const duplicate = await web.post('/app/ngos/new', { ...fields, name: 'Inna nazwa' });
      expect(duplicate.status).toBe(409);
      expect(textOf(duplicate.text, 'f-krs-error')).toBe('Błąd: Organizacja z takim numerem (Numer KRS) jest już w rejestrze');
    });

    it('finds NGOs by name, KRS or NIP, 50 to a page', async () => {
      const web = await officialClient();
      const ngo = (await t.call('POST', '/api/v1/ngos', { token: official.token, body: newNgo({ name: 'Stowarzyszenie Szukane' }) })).body;
      for (const search of ['szukane', ngo.krs, ngo.nip.slice(0, 6)]) {
        const page = await web.get(`/app/ngos?search=${encodeURIComponent(search)}`);
        expect(page.text).toContain(`<a href="/app/ngos/${ngo.id}">Stowarzyszenie Szukane</a>`);
      }
      const none = await web.get('/app/ngos?search=nic-takiego');
      expect(none.text).toContain('Nie znaleziono żadnej organizacji.');
    });

    it('edits with the version read; a stale version is 409 with what changed meanwhile, and re-applying saves', async () => {
      const web = await officialClient();
      const ngo = (await t.call('POST', '/api/v1/ngos', { token: official.token, body: newNgo({ name: 'Fundacja Przed Zmianą' }) })).body;
      const form = await web.get(`/app/ngos/${ngo.id}/edit`);
      expect(form.text).toContain(`name="version" value="${ngo.version}"`);
      // someone else saves meanwhile
      expect((await t.call('PATCH', `/api/v1/ngos/${ngo.id}`, { token: official.token, body: { version: ngo.version, address: 'ul. Nowa 1, Kraków' } })).status).toBe(200);
      const mine = { name: 'Fundacja Po Zmianie', legalForm: 'foundation', krs: ngo.krs, nip: ngo.nip, regon: ngo.regon, spheres: ['1'], version: String(ngo.version) };
      const stale = await web.post(`/app/ngos/${ngo.id}/edit`, mine);
      expect(stale.status).toBe(409);
      expect(stale.text).toContain('Ktoś inny zmienił ten rekord');
      expect(stale.text).toMatch(/<th scope="row">Adres siedziby<\/th><td>ul\. Nowa 1, Kraków<\/td><td>—<\/td>/);
      expect(stale.text).toContain(`name="version" value="${ngo.version + 1}"`);
      expect(stale.text).toContain('value="Fundacja Po Zmianie"');
      const again = await web.post(`/app/ngos/${ngo.id}/edit`, { ...mine, address: 'ul. Nowa 1, Kraków', version: String(ngo.version + 1) });
      expect(again.status).toBe(303);
      const [row] = await t.db.query(`SELECT name, legal_form, address FROM ngos WHERE id = $1`, [ngo.id]);
      expect(row).toEqual({ name: 'Fundacja Po Zmianie', legal_form: 'foundation', address: 'ul. Nowa 1, Kraków' });
    });

    it('refuses an edit that empties a required field (beside it, 400), rather than keeping the old value and saying saved', async () => {
      const web = await officialClient();
      const ngo = (await t.call('POST', '/api/v1/ngos', { token: official.token, body: newNgo({ name: 'Fundacja Z Nazwą' }) })).body;
      await web.get(`/app/ngos/${ngo.id}/edit`);
      const emptied = await web.post(`/app/ngos/${ngo.id}/edit`, { name: '  ', legalForm: 'foundation', krs: ngo.krs, nip: ngo.nip, regon: ngo.regon, spheres: ['1'], version: String(ngo.version) });
      expect(emptied.status).toBe(400);
      expect(emptied.text).toMatch(/id="f-name-error"[^>]*>[\s\S]*?Uzupełnij pole/);
      const [row] = await t.db.query(`SELECT name, version FROM ngos WHERE id = $1`, [ngo.id]);
      expect(row).toEqual({ name: 'Fundacja Z Nazwą', version: ngo.version });
    });

    it('lets an auditor read the register but not open its forms; an unknown or malformed id is a 404 page', async () => {
      const auditor = await createUser(t, admin, { email: email('auditor'), role: 'auditor' });
      const web = new WebClient(t.url);
      await web.signIn(auditor.email, TEST_PASSWORD);
      const list = await web.get('/app/ngos');
      expect(list.status).toBe(200);
      expect(list.text).not.toContain('/app/ngos/new');
      expect((await web.get('/app/ngos/new')).status).toBe(403);
      expect((await web.get('/app/ngos/00000000-0000-4000-8000-000000000000')).status).toBe(404);
      expect((await web.get('/app/ngos/not-a-uuid')).status).toBe(404);
    });
  });

  describe('cooperation programmes', () => {
    it('adds a multi-year programme and an annual one under it; a rule broken is shown beside its field', async () => {
      const web = await officialClient();
      await web.get('/app/programs/new');
      const multi = await web.post('/app/programs/new', { title: 'Program wieloletni 2027–2030', kind: 'multi-year', startYear: '2027', endYear: '2030', parentId: '', resolutionNumber: 'I/1/26', adoptedOn: '2026-11-10', plannedBudget: '4 000 000,00', spheres: ['1', '16'] });
      expect(multi.status).toBe(303);
      const parentId = multi.location!.split('/').pop()!;
      const bad = await web.post('/app/programs/new', { title: 'Program roczny 2027', kind: 'annual', startYear: '2027', endYear: '2028', parentId, resolutionNumber: '', adoptedOn: '', plannedBudget: '' });
      expect(bad.status).toBe(422);
      expect(textOf(bad.text, 'f-endYear-error')).toBe('Błąd: Program roczny obejmuje jeden rok: rok zakończenia musi być równy rokowi rozpoczęcia');
      const annual = await web.post('/app/programs/new', { title: 'Program roczny 2027', kind: 'annual', startYear: '2027', endYear: '2027', parentId, resolutionNumber: '', adoptedOn: '', plannedBudget: '' });
      expect(annual.status).toBe(303);
      const record = await web.get(`/app/programs/${parentId}`);
      expect(record.text).toContain(`<a href="${annual.location}">Program roczny 2027</a>`);
      expect(record.text).toMatch(/<dt>Planowane środki<\/dt><dd>4\s000\s000,00\szł<\/dd>/);
      const [row] = await t.db.query(`SELECT planned_budget, spheres FROM programs WHERE id = $1`, [parentId]);
      expect(row).toEqual({ planned_budget: '4000000.00', spheres: ['1', '16'] });
    });
  });

  describe('non-financial cooperation', () => {
    it('logs an activity with its NGOs; an end before the start is refused beside its field; an edit can clear the NGOs', async () => {
      const web = await officialClient();
      const ngo = (await t.call('POST', '/api/v1/ngos', { token: official.token, body: newNgo({ name: 'Fundacja Konsultacyjna' }) })).body;
      const program = (await t.call('POST', '/api/v1/programs', { token: official.token, body: newProgram({ title: 'Program do działań', startYear: 2025, endYear: 2026 }) })).body;
      await web.get('/app/activities/new');
      const fields = { programId: program.id, type: 'consultation', title: 'Konsultacje programu na 2027', startDate: '2026-10-01', endDate: '2026-09-01', department: 'Wydział Polityki Społecznej', ngoIds: [ngo.id, '', '', ''], participants: '35' };
      const bad = await web.post('/app/activities/new', fields);
      expect(bad.status).toBe(422);
      expect(textOf(bad.text, 'f-endDate-error')).toBe('Błąd: Data zakończenia nie może być wcześniejsza niż data rozpoczęcia');
      const saved = await web.post('/app/activities/new', { ...fields, endDate: '2026-10-31' });
      expect(saved.status).toBe(303);
      const record = await web.get(saved.location!);
      expect(record.text).toContain(`<a href="/app/ngos/${ngo.id}">Fundacja Konsultacyjna</a>`);
      const edit = await web.get(`${saved.location}/edit`);
      const version = /name="version" value="(\d+)"/.exec(edit.text)![1];
      expect((await web.post(`${saved.location}/edit`, { ...fields, endDate: '2026-10-31', ngoIds: ['', '', '', ''], version })).status).toBe(303);
      expect((await web.get(saved.location!)).text).toContain('Działanie otwarte, bez wskazanych organizacji.');
    });
  });

  describe('funded tasks', () => {
    it('the start page names this year\'s figures, the report deadline and the tasks past their end date not settled, linked to the list that shows them', async () => {
      const web = await officialClient();
      const ngo = (await t.call('POST', '/api/v1/ngos', { token: official.token, body: newNgo({ name: 'Fundacja Terminowa' }) })).body;
      const multi = (await t.call('POST', '/api/v1/programs', { token: official.token, body: newProgram() })).body;
      const annual = (await t.call('POST', '/api/v1/programs', { token: official.token, body: newProgram({ title: 'Roczny 2019 (terminy)', kind: 'annual', startYear: 2019, endYear: 2019, parentId: multi.id }) })).body;
      const late = (await t.call('POST', '/api/v1/tasks', { token: official.token, body: newTask(annual.id, [ngo.id], { title: 'Zadanie po terminie' }) })).body;
      const done = (await t.call('POST', '/api/v1/tasks', { token: official.token, body: newTask(annual.id, [ngo.id], { title: 'Zadanie rozliczone', status: 'settled', amountSettled: '50000.00' }) })).body;
      expect([late.id, done.id].every(Boolean)).toBe(true);
      const [{ n }] = await t.db.query(
        `SELECT count(*)::int AS n FROM tasks WHERE end_date < (now() AT TIME ZONE 'Europe/Warsaw')::date AND status NOT IN ('settled', 'terminated')`,
      );
      // the API's filter
      const api = await t.call('GET', '/api/v1/tasks?overdue=true&limit=200', { token: official.token });
      expect(api.body.total).toBe(n);
      expect(api.body.items.map((x: { id: string }) => x.id)).toContain(late.id);
      expect(api.body.items.map((x: { id: string }) => x.id)).not.toContain(done.id);
      // the start page
      const start = await web.get('/app');
      const year = Number(new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Warsaw', year: 'numeric' }).format(new Date()));
      expect(start.text).toContain(`<h2>Rok ${year} w liczbach</h2>`);
      expect(start.text).toContain(`Sprawozdanie za ${year - 1} r.`);
      expect(start.text).toMatch(new RegExp(`<li><strong>Po terminie:</strong> <a href="/app/tasks\\?overdue=true">${n}[\\s\\u00a0]zada(nie|nia|ń) po dniu zakończenia, nierozliczone</a></li>`));
      // the list it links to
      const list = await web.get('/app/tasks?overdue=true');
      expect(list.text).toContain('Zadanie po terminie');
      expect(list.text).not.toContain('Zadanie rozliczone');
    });

    it('logs a task: a small grant over 10 000 zł is refused beside its field (422, nothing written); corrected, it is saved with Polish money, listed and audited', async () => {
      const web = await officialClient();
      const ngo = (await t.call('POST', '/api/v1/ngos', { token: official.token, body: newNgo({ name: 'Fundacja Grantowa' }) })).body;
      const multi = (await t.call('POST', '/api/v1/programs', { token: official.token, body: newProgram({ title: 'Program 2023–2026', startYear: 2023, endYear: 2026 }) })).body;
      const annual = (await t.call('POST', '/api/v1/programs', { token: official.token, body: newProgram({ title: 'Program roczny 2026', kind: 'annual', startYear: 2026, endYear: 2026, parentId: multi.id }) })).body;
      const form = await web.get('/app/tasks/new');
      expect(form.text).toContain(`<option value="${ngo.id}">Fundacja Grantowa, KRS ${ngo.krs}, NIP ${ngo.nip}</option>`);
      const fields = {
        programId: annual.id,
        title: 'Warsztaty dla seniorów',
        ngoIds: [ngo.id, '', '', ''],
        sphere: '1',
        mode: 'small-grant',
        form: 'support',
        competitionRef: '',
        department: 'Wydział Polityki Społecznej',
        amountRequested: '',
        amountGranted: '15 000,00',
        amountSettled: '',
        startDate: '2026-03-01',
        endDate: '2026-04-30',
        status: 'contracted',
        beneficiaries: '40',
      };
      const before = [await auditCount(), Number((await t.db.query('SELECT count(*) AS n FROM tasks'))[0].n)];
      const refused = await web.post('/app/tasks/new', fields);
      expect(refused.status).toBe(422);
      expect(textOf(refused.text, 'f-amountGranted-error')).toBe('Błąd: Mały grant (art. 19a ustawy) może wynosić najwyżej 10 000,00 zł');
      expect(refused.text).toContain('<a href="#f-amountGranted">Mały grant (art. 19a ustawy) może wynosić najwyżej 10 000,00 zł</a>');
      expect(refused.text).toMatch(/id="f-amountGranted" name="amountGranted" type="text" value="15 000,00"/);
      expect([await auditCount(), Number((await t.db.query('SELECT count(*) AS n FROM tasks'))[0].n)]).toEqual(before);

      const saved = await web.post('/app/tasks/new', { ...fields, amountGranted: '9 500,50' });
      expect(saved.status).toBe(303);
      const [row] = await t.db.query(
        `SELECT t.id, t.amount_granted, array(SELECT ngo_id FROM task_ngos n WHERE n.task_id = t.id ORDER BY position) AS ngo_ids, t.beneficiaries FROM tasks t WHERE t.title = 'Warsztaty dla seniorów'`,
      );
      expect(row).toMatchObject({ amount_granted: '9500.50', ngo_ids: [ngo.id], beneficiaries: 40 });
      expect(saved.location).toBe(`/app/tasks/${row.id}`);
      const record = await web.get(saved.location!);
      expect(record.text).toContain('Dodano zadanie „Warsztaty dla seniorów”.');
      expect(record.text).toMatch(/<dt>Kwota przyznana<\/dt><dd>9\s?500,50\szł<\/dd>/);
      const list = await web.get('/app/tasks?year=2026&mode=small-grant');
      expect(list.text).toContain(`<a href="/app/tasks/${row.id}">Warsztaty dla seniorów</a>`);
      const [entry] = await t.db.query(`SELECT actor_id, action FROM audit_entries WHERE entity = 'task' AND entity_id = $1`, [row.id]);
      expect(entry).toEqual({ actor_id: official.id, action: 'create' });
    });

    it('says which filter is wrong instead of failing', async () => {
      const page = await (await officialClient()).get('/app/tasks?year=20x6');
      expect(page.status).toBe(200);
      expect(page.text).toContain('Nie można tak filtrować');
    });
  });

  describe('annual reports', () => {
    it('compiles and publishes the reviewed draft; an auditor downloads each file, whose SHA-256 is the one shown beside its link', async () => {
      const web = await officialClient();
      const ngo = (await t.call('POST', '/api/v1/ngos', { token: official.token, body: newNgo() })).body;
      const multi = (await t.call('POST', '/api/v1/programs', { token: official.token, body: newProgram() })).body;
      const annual = (await t.call('POST', '/api/v1/programs', { token: official.token, body: newProgram({ title: 'Roczny 2019', kind: 'annual', startYear: 2019, endYear: 2019, parentId: multi.id }) })).body;
      expect((await t.call('POST', '/api/v1/tasks', { token: official.token, body: newTask(annual.id, [ngo.id]) })).status).toBe(201);

      expect((await web.get('/app/reports/2019')).status).toBe(404);
      await web.get('/app/reports');
      expect((await web.post('/app/reports/2019/compile', {})).status).toBe(303);
      const draft = await web.get('/app/reports/2019');
      expect(draft.text).toContain('Przeliczono wersję roboczą sprawozdania za 2019 r.');
      const hash = /name="contentHash" value="([0-9a-f]{64})"/.exec(draft.text)![1];
      const [{ content_hash }] = await t.db.query(`SELECT content_hash FROM reports WHERE year = 2019`);
      expect(hash).toBe(content_hash);
      expect((await web.post('/app/reports/2019/publish', { contentHash: '0'.repeat(64) })).status).toBe(303);
      expect((await web.get('/app/reports/2019')).text).toContain('Nie opublikowano: dane zmieniły się');
      expect(await t.db.query(`SELECT 1 FROM report_revisions WHERE year = 2019`)).toEqual([]);
      expect((await web.post('/app/reports/2019/publish', { contentHash: hash })).status).toBe(303);
      expect((await web.get('/app/reports/2019')).text).toContain('Opublikowano sprawozdanie za 2019 r. jako wersję 1.');

      const auditor = await createUser(t, admin, { email: email('reports.auditor'), role: 'auditor' });
      const reader = new WebClient(t.url);
      await reader.signIn(auditor.email, TEST_PASSWORD);
      const page = await reader.get('/app/reports/2019');
      expect(page.text).not.toContain('/app/reports/2019/publish');
      const links = [...page.text.matchAll(/<a href="([^"]+)" download>[^<]+<\/a> – SHA-256: <code>([0-9a-f]{64})<\/code>/g)].map((m) => ({ href: m[1].replace(/&amp;/g, '&'), sha256: m[2] }));
      expect(links.map((l) => l.href)).toEqual([
        '/app/reports/2019/export?format=xlsx&revision=1',
        '/app/reports/2019/export?format=csv&revision=1&delimiter=semicolon',
        '/app/reports/2019/export?format=csv&revision=1&delimiter=comma',
        '/app/reports/2019/export?format=json&revision=1',
      ]);
      for (const link of links) {
        const response = await fetch(t.url + link.href, { headers: { cookie: `ngo_session=${reader.cookies.get('ngo_session')}` } });
        expect(response.status).toBe(200);
        const bytes = Buffer.from(await response.arrayBuffer());
        expect([link.href, createHash('sha256').update(bytes).digest('hex')]).toEqual([link.href, link.sha256]);
      }
      const exported = await t.db.query(`SELECT after->>'sha256' AS sha256 FROM audit_entries WHERE action = 'export' AND actor_id = $1 ORDER BY seq`, [auditor.id]);
      expect(exported.map((e: { sha256: string }) => e.sha256)).toEqual(links.map((l) => l.sha256));
      // the semicolon CSV is for Polish spreadsheets: decimal commas
      const csv = await (await fetch(t.url + links[1].href, { headers: { cookie: `ngo_session=${reader.cookies.get('ngo_session')}` } })).text();
      expect(csv).toMatch(/;\d+,\d{2}(;|\r?\n)/);
      expect((await reader.get('/app/reports/2019/export?format=pdf')).status).toBe(400);
    });
  });

  describe('the audit trail and the scheduler', () => {
    it('lists a web write in the trail, linked to its record; the check shows the head hash, and names the first broken entry after tampering', async () => {
      const web = await officialClient();
      await web.get('/app/ngos/new');
      const saved = await web.post('/app/ngos/new', { ...(newNgo({ name: 'Fundacja Dziennikowa' }) as Record<string, string>), spheres: [] });
      expect(saved.status).toBe(303);
      const trail = await web.get('/app/audit?entity=ngo&action=create');
      expect(trail.status).toBe(200);
      const id = saved.location!.split('/').pop()!;
      expect(trail.text).toContain(`<a href="/app/ngos/${id}">`);
      expect(trail.text).toMatch(new RegExp(`<td>${official.email.replace('.', '\\.')}</td><td>dodanie</td><td>organizacja ${id}</td>`));

      const [head] = await t.db.query(`SELECT h.seq::int AS seq, h.hash FROM audit_heads h JOIN municipalities m ON m.id = h.municipality_id WHERE m.slug = 'krakow'`);
      const intact = await web.get('/app/audit/verify');
      expect(intact.text).toContain('Dziennik jest nienaruszony.');
      expect(intact.text).toContain(`<dt>Skrót ostatniego wpisu (SHA-256)</dt><dd>${head.hash}</dd>`);

      const [entry] = await t.db.query(`SELECT id, seq::int AS seq FROM audit_entries WHERE entity = 'ngo' AND entity_id = $1`, [id]);
      const superuser = new Client({ connectionString: t.databaseUrl });
      await superuser.connect();
      try {
        await superuser.query('ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only');
        await superuser.query(`UPDATE audit_entries SET after = jsonb_set(after, '{name}', '"Ktoś inny"') WHERE id = $1`, [entry.id]);
        await superuser.query('ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_append_only');
      } finally {
        await superuser.end();
      }
      const broken = await web.get('/app/audit/verify');
      expect(broken.text).toContain('Dziennik został naruszony');
      expect(broken.text).toContain(`Pierwszy naruszony wpis: nr ${entry.seq} – treść wpisu zmieniono po zapisaniu.`);
      expect((await web.get('/app/audit?from=2026-13-01')).text).toContain('Nie można tak filtrować');
    });

    it('shows the scheduler\'s runs to officials, not to auditors', async () => {
      const web = await officialClient();
      const page = await web.get('/app/jobs?job=compile-report');
      expect(page.status).toBe(200);
      expect(page.text).toContain('<h1>Zadania harmonogramu</h1>');
      const auditor = await createUser(t, admin, { email: email('jobs.auditor'), role: 'auditor' });
      const reader = new WebClient(t.url);
      await reader.signIn(auditor.email, TEST_PASSWORD);
      expect((await reader.get('/app/jobs')).status).toBe(403);
      expect((await reader.get('/app/audit')).status).toBe(200);
    });
  });

  describe('an NGO\'s account', () => {
    it('sees its organisation, its funded tasks and its memberships current and past, and not the register', async () => {
      const ngo = (await t.call('POST', '/api/v1/ngos', { token: official.token, body: newNgo({ name: 'Stowarzyszenie Członkowskie' }) })).body;
      const commission = (await t.call('POST', '/api/v1/commissions', { token: official.token, body: newCommission({ name: 'Komisja Dialogu Obywatelskiego ds. Testów' }) })).body;
      const member = (await t.call('POST', `/api/v1/commissions/${commission.id}/members`, { token: official.token, body: newMember(ngo.id, { representative: 'Anna Nowak', role: 'chair' }) })).body;
      expect(member.id).toEqual(expect.any(String));
      const user = await createUser(t, admin, { email: email('ngo'), role: 'ngo', ngoId: ngo.id });
      const web = new WebClient(t.url);
      await web.signIn(user.email, TEST_PASSWORD);
      const page = await web.get('/app/my-organisation');
      expect(page.status).toBe(200);
      expect(page.text).toContain('<h1>Stowarzyszenie Członkowskie</h1>');
      expect(page.text).toMatch(/<th scope="row">Komisja Dialogu Obywatelskiego ds\. Testów<\/th><td>Anna Nowak<\/td><td>przewodniczący<\/td>/);
      expect((await web.get('/app/ngos')).status).toBe(403);
      expect((await web.get(`/app/ngos/${ngo.id}`)).status).toBe(403);
    });
  });

  describe('users, for admins', () => {
    it('deactivates a user whose open session is then refused, and reactivates them; a role change ends sessions too', async () => {
      const adminWeb = new WebClient(t.url);
      await adminWeb.signIn(PLATFORM_ADMIN.email, PLATFORM_ADMIN.password);
      const user = await createUser(t, admin, { email: email('deactivated'), role: 'official' });
      const userWeb = new WebClient(t.url);
      await userWeb.signIn(user.email, TEST_PASSWORD);
      expect((await userWeb.get('/app')).status).toBe(200);

      const record = await adminWeb.get(`/app/users/${user.id}`);
      const version = /name="version" value="(\d+)"/.exec(record.text)![1];
      const off = await adminWeb.post(`/app/users/${user.id}/active`, { active: 'false', version });
      expect(off.status).toBe(303);
      expect((await userWeb.get('/app')).status).toBe(303);
      expect((await t.call('GET', '/api/v1/me', { token: user.token })).status).toBe(401);
      await expect(new WebClient(t.url).signIn(user.email, TEST_PASSWORD)).rejects.toThrow(/answered 401/);

      const on = await adminWeb.post(`/app/users/${user.id}/active`, { active: 'true', version: String(Number(version) + 1) });
      expect(on.status).toBe(303);
      await userWeb.signIn(user.email, TEST_PASSWORD);
      expect((await userWeb.get('/app/ngos/new')).status).toBe(200);
      const role = await adminWeb.post(`/app/users/${user.id}/role`, { role: 'auditor', ngoId: '', version: String(Number(version) + 2) });
      expect(role.status).toBe(303);
      expect((await userWeb.get('/app')).status).toBe(303);
    });

    it('creates a user, refusing a common password and an ngo role without its NGO beside their fields', async () => {
      const adminWeb = new WebClient(t.url);
      await adminWeb.signIn(PLATFORM_ADMIN.email, PLATFORM_ADMIN.password);
      await adminWeb.get('/app/users/new');
      const bad = await adminWeb.post('/app/users/new', { email: 'new.ngo@web.test.example', password: 'qwerty123', role: 'ngo', ngoId: '' });
      expect(bad.status).toBe(400);
      expect(textOf(bad.text, 'f-password-error')).toBe('Błąd: To hasło jest jednym z najczęściej używanych – wybierz inne');
      expect(await t.db.query(`SELECT 1 FROM users WHERE email = 'new.ngo@web.test.example'`)).toEqual([]);
      const good = await adminWeb.post('/app/users/new', { email: 'new.auditor@web.test.example', password: 'a-long-unusual-password', role: 'auditor', ngoId: '' });
      expect(good.status).toBe(303);
      await expect(new WebClient(t.url).signIn('new.auditor@web.test.example', 'a-long-unusual-password')).resolves.toMatchObject({ status: 303 });
    });

    it('is closed to every other role', async () => {
      const web = await officialClient();
      expect((await web.get('/app/users')).status).toBe(403);
      const [entries] = [await auditCount()];
      await web.get('/app');
      expect((await web.post(`/app/users/${official.id}/role`, { role: 'admin', version: '1' })).status).toBe(403);
      expect(await auditCount()).toBe(entries);
    });
  });
});
