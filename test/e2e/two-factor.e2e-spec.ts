import { generate } from 'otplib';
import { createTestApp, PLATFORM_ADMIN, type TestApp } from '../utils/test-app';
import { createUser, signIn, TEST_PASSWORD } from '../utils/users';
import { WebClient } from '../utils/web-client';

/**
 * Two-factor sign-in (TOTP, RFC 6238) over real HTTP and PostgreSQL: setting it up in the web
 * app, the second step of the web sign-in and of the API's login (`otp`), wrong, replayed and
 * recovery codes, the municipality's requirement and an admin's reset. Codes are computed from
 * the secret the page shows, as an authenticator app does.
 */
describe('two-factor sign-in', () => {
  let t: TestApp;
  let admin: string;
  let serial = 0;
  const email = (tag: string) => `${tag}.${++serial}@2fa.test.example`;

  beforeAll(async () => {
    t = await createTestApp({ loginRateLimitPerMinute: 1000 });
    admin = await signIn(t, PLATFORM_ADMIN.email);
  }, 60_000);

  afterAll(() => t?.close());

  /** The code an authenticator app shows for `secret`, `stepsAhead` periods of 30 s from now. */
  const codeOf = (secret: string, stepsAhead = 0) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 * stepsAhead });

  async function apiLogin(body: Record<string, string>) {
    const response = await fetch(`${t.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as { accessToken?: string; detail?: string } };
  }

  const totpColumns = async (id: string) =>
    (await t.db.query(`SELECT totp_secret IS NOT NULL AS on, totp_pending_secret IS NOT NULL AS pending FROM users WHERE id = $1`, [id]))[0] as { on: boolean; pending: boolean };

  /** A signed-in web client of a new user with two-factor turned on: its secret and recovery codes. */
  async function enrolled(role: 'official' | 'auditor' | 'admin' = 'official') {
    const user = await createUser(t, admin, { email: email(role), role });
    const web = new WebClient(t.url);
    await web.signIn(user.email, TEST_PASSWORD);
    const setUp = await web.get('/app/account/two-factor');
    expect(setUp.status).toBe(200);
    const secret = /<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(setUp.text)![1].replace(/ /g, '');
    const enabled = await web.post('/app/account/two-factor/enable', { otp: await codeOf(secret) });
    expect(enabled.status).toBe(200);
    const codes = [...enabled.text.matchAll(/<li><code>([a-z2-9]{5}-[a-z2-9]{5})<\/code><\/li>/g)].map((m) => m[1]);
    return { user, web, secret, codes };
  }

  describe('setting it up in the web app', () => {
    it('shows a secret with its QR code, refuses a wrong code beside its field, and turns on with a right one, showing ten recovery codes once', async () => {
      const user = await createUser(t, admin, { email: email('setup'), role: 'official' });
      const web = new WebClient(t.url);
      await web.signIn(user.email, TEST_PASSWORD);
      const page = await web.get('/app/account/two-factor');
      expect(page.text).toContain('<h1>Logowanie dwuetapowe</h1>');
      expect(page.text).toMatch(/<svg role="img" aria-label="Kod QR[^"]*"/);
      const secret = /<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(page.text)![1].replace(/ /g, '');
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      // a reload keeps the same secret, so a scan made before it still works
      expect((await web.get('/app/account/two-factor')).text).toContain(/<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(page.text)![1]);

      const wrong = await web.post('/app/account/two-factor/enable', { otp: '000000' === (await codeOf(secret)) ? '111111' : '000000' });
      expect(wrong.status).toBe(422);
      expect(wrong.text).toContain('To nie jest aktualny kod z aplikacji');
      expect(wrong.text).toContain('aria-invalid="true"');
      expect(await totpColumns(user.id)).toEqual({ on: false, pending: true });
      const empty = await web.post('/app/account/two-factor/enable', { otp: '' });
      expect(empty.status).toBe(400);

      const right = await web.post('/app/account/two-factor/enable', { otp: await codeOf(secret) });
      expect(right.status).toBe(200);
      const codes = [...right.text.matchAll(/<li><code>([a-z2-9]{5}-[a-z2-9]{5})<\/code><\/li>/g)].map((m) => m[1]);
      expect(new Set(codes).size).toBe(10);
      expect(await totpColumns(user.id)).toEqual({ on: true, pending: false });
      const stored: Array<{ code_hash: Buffer }> = await t.db.query(`SELECT code_hash FROM recovery_codes WHERE user_id = $1`, [user.id]);
      expect(stored).toHaveLength(10);
      expect(stored.some((r) => r.code_hash.toString('utf8').includes(codes[0]))).toBe(false);
      const [entry] = await t.db.query(`SELECT after FROM audit_entries WHERE entity = 'user' AND entity_id = $1 ORDER BY seq DESC LIMIT 1`, [user.id]);
      expect(entry.after).toEqual({ id: user.id, twoFactor: 'on' });
      // the codes are not shown again
      const later = await web.get('/app/account/two-factor');
      expect(later.text).not.toContain(codes[0]);
      expect(later.text).toContain('Niewykorzystane kody odzyskiwania');
    });
  });

  describe('the web sign-in', () => {
    it('asks for the code after the password, serves no page meanwhile, refuses a wrong and a replayed code, and lets in with the right one under a new session id', async () => {
      const { user, secret } = await enrolled();
      const web = new WebClient(t.url);
      const password = await web.signIn(user.email, TEST_PASSWORD, '/app/ngos');
      expect(password.location).toBe('/app/login/code?next=%2Fapp%2Fngos');
      const waitingCookie = web.cookies.get('ngo_session');
      // the password alone opens nothing
      const blocked = await web.get('/app/ngos');
      expect(blocked.status).toBe(303);
      expect(blocked.location).toBe('/app/login/code?next=%2Fapp%2Fngos');
      expect((await web.post('/app/ngos/new', { name: 'X' })).status).toBe(403);

      const form = await web.get('/app/login/code?next=%2Fapp%2Fngos');
      expect(form.status).toBe(200);
      expect(form.text).toContain('autocomplete="one-time-code"');
      const code = await codeOf(secret, 1);
      const wrong = await web.post('/app/login/code', { otp: code === '123456' ? '654321' : '123456', next: '/app/ngos' });
      expect(wrong.status).toBe(401);
      expect(wrong.text).toContain('Ten kod jest błędny albo został już użyty');
      expect(wrong.text).toMatch(/id="f-otp-error"/);
      // without the session's CSRF token: refused, nothing changes
      expect((await web.post('/app/login/code', { otp: code, next: '/app/ngos' }, { csrf: 'forged' })).status).toBe(403);

      const right = await web.post('/app/login/code', { otp: code, next: '/app/ngos' });
      expect(right.status).toBe(303);
      expect(right.location).toBe('/app/ngos');
      expect(web.cookies.get('ngo_session')).not.toBe(waitingCookie);
      expect((await web.get('/app/ngos')).status).toBe(200);

      // the same code again, in another sign-in inside its 30 seconds: refused
      const other = new WebClient(t.url);
      await other.signIn(user.email, TEST_PASSWORD);
      await other.get('/app/login/code');
      const replay = await other.post('/app/login/code', { otp: code });
      expect(replay.status).toBe(401);
      expect((await other.get('/app')).location).toMatch(/^\/app\/login\/code/);
    });

    it('takes a recovery code once, and ends the waiting session after three wrong codes', async () => {
      const { user, codes } = await enrolled();
      const web = new WebClient(t.url);
      await web.signIn(user.email, TEST_PASSWORD);
      await web.get('/app/login/code');
      expect((await web.post('/app/login/code', { otp: codes[0].toUpperCase() })).status).toBe(303);
      expect((await web.get('/app')).status).toBe(200);

      const again = new WebClient(t.url);
      await again.signIn(user.email, TEST_PASSWORD);
      await again.get('/app/login/code');
      expect((await again.post('/app/login/code', { otp: codes[0] })).status).toBe(401);
      expect((await again.post('/app/login/code', { otp: '999999' })).status).toBe(401);
      const third = await again.post('/app/login/code', { otp: '999999' });
      expect(third.status).toBe(303);
      expect(third.location).toBe('/app/login?signedOut=codes');
      expect((await again.get('/app/login/code')).location).toBe('/app/login');
      // an unused recovery code still works after all that (the back-off let these attempts through)
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL`, [user.id]);
      expect(n).toBe(9);
    });
  });

  describe('the API login', () => {
    it('answers 401 without otp, with a wrong and with a replayed code, and a token with the right one', async () => {
      const { user, secret, codes } = await enrolled();
      const without = await apiLogin({ email: user.email, password: TEST_PASSWORD });
      expect(without.status).toBe(401);
      expect(without.body.detail).toContain('two-factor code');
      const code = await codeOf(secret, 1);
      expect((await apiLogin({ email: user.email, password: TEST_PASSWORD, otp: code === '000000' ? '111111' : '000000' })).status).toBe(401);
      const right = await apiLogin({ email: user.email, password: TEST_PASSWORD, otp: code });
      expect(right.status).toBe(200);
      expect(right.body.accessToken).toBeTruthy();
      const replayed = await apiLogin({ email: user.email, password: TEST_PASSWORD, otp: code });
      expect(replayed.status).toBe(401);
      expect(replayed.body.detail).toContain('wrong or was already used');
      // a recovery code in otp, once
      expect((await apiLogin({ email: user.email, password: TEST_PASSWORD, otp: codes[3] })).status).toBe(200);
      expect((await apiLogin({ email: user.email, password: TEST_PASSWORD, otp: codes[3] })).status).toBe(401);
      // a wrong password with a right code is still the one answer to every failure
      expect((await apiLogin({ email: user.email, password: 'not-the-password', otp: codes[4] })).status).toBe(401);
    });

    it('counts wrong codes in the per-account back-off: after five, even the right code waits', async () => {
      const { user, secret } = await enrolled();
      for (let i = 0; i < 5; i++) expect((await apiLogin({ email: user.email, password: TEST_PASSWORD, otp: '000001' })).status).toBe(401);
      const blocked = await apiLogin({ email: user.email, password: TEST_PASSWORD, otp: await codeOf(secret, 1) });
      expect(blocked.status).toBe(429);
    });
  });

  describe('turning it off and renewing the recovery codes', () => {
    it('needs a current code; renewing replaces every code; turning off ends the other sessions', async () => {
      const { user, web, secret, codes } = await enrolled();
      const renew = await web.post('/app/account/two-factor/recovery-codes', { otp: codes[0] });
      expect(renew.status).toBe(200);
      const renewed = [...renew.text.matchAll(/<li><code>([a-z2-9]{5}-[a-z2-9]{5})<\/code><\/li>/g)].map((m) => m[1]);
      expect(renewed).toHaveLength(10);
      expect(renewed).not.toContain(codes[1]);
      expect((await apiLogin({ email: user.email, password: TEST_PASSWORD, otp: codes[1] })).status).toBe(401);

      const other = new WebClient(t.url);
      await other.signIn(user.email, TEST_PASSWORD);
      await other.get('/app/login/code');
      expect((await other.post('/app/login/code', { otp: renewed[0] })).status).toBe(303);

      expect((await web.post('/app/account/two-factor/disable', { otp: '000000' === (await codeOf(secret, 1)) ? '111111' : '000000' })).status).toBe(422);
      expect(await totpColumns(user.id)).toEqual({ on: true, pending: false });
      const off = await web.post('/app/account/two-factor/disable', { otp: await codeOf(secret, 1) });
      expect(off.status).toBe(303);
      expect(off.location).toBe('/app/account');
      expect(await totpColumns(user.id)).toEqual({ on: false, pending: false });
      expect((await web.get('/app/account')).status).toBe(200);
      expect((await other.get('/app')).status).toBe(303);
      expect((await apiLogin({ email: user.email, password: TEST_PASSWORD })).status).toBe(200);
    });
  });

  describe("the municipality's requirement and an admin's reset", () => {
    it('an admin must have it on before requiring it; then an official without it sets it up before any page, cannot get an API token, cannot turn it off; the auditor is not asked', async () => {
      const a = await createUser(t, admin, { email: email('admin'), role: 'admin' });
      const adminWeb = new WebClient(t.url);
      await adminWeb.signIn(a.email, TEST_PASSWORD);
      await adminWeb.get('/app/users');
      const first = await adminWeb.post('/app/users/two-factor-requirement', { twoFactorRequired: 'true' });
      expect(first.status).toBe(422);
      expect(first.text).toContain('Najpierw włącz logowanie dwuetapowe dla własnego konta');
      expect((await t.db.query(`SELECT two_factor_required FROM municipalities WHERE id = (SELECT municipality_id FROM users WHERE id = $1)`, [a.id]))[0].two_factor_required).toBe(false);

      const { web: enrolledAdmin, codes: adminCodes } = await enrolled('admin');
      await enrolledAdmin.get('/app/users');
      const required = await enrolledAdmin.post('/app/users/two-factor-requirement', { twoFactorRequired: 'true' });
      expect(required.status).toBe(303);
      try {
        const official = await createUser(t, admin, { email: email('official'), role: 'official' });
        const web = new WebClient(t.url);
        await web.signIn(official.email, TEST_PASSWORD, '/app/tasks');
        const sent = await web.get('/app/tasks');
        expect(sent.location).toBe('/app/account/two-factor');
        const setUp = await web.get('/app/account/two-factor');
        expect(setUp.text).toContain('Gmina wymaga logowania dwuetapowego');
        expect(setUp.text).not.toContain('aria-label="Menu główne"');
        expect((await apiLogin({ email: official.email, password: TEST_PASSWORD })).body.detail).toContain('requires two-factor sign-in');

        const auditor = await createUser(t, admin, { email: email('auditor'), role: 'auditor' });
        const auditorWeb = new WebClient(t.url);
        await auditorWeb.signIn(auditor.email, TEST_PASSWORD);
        expect((await auditorWeb.get('/app/audit')).status).toBe(200);

        const secret = /<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(setUp.text)![1].replace(/ /g, '');
        expect((await web.post('/app/account/two-factor/enable', { otp: await codeOf(secret) })).status).toBe(200);
        expect((await web.get('/app/tasks')).status).toBe(200);
        const refused = await web.post('/app/account/two-factor/disable', { otp: await codeOf(secret, 1) });
        expect(refused.status).toBe(422);
        expect(refused.text).toContain('Twoja gmina wymaga logowania dwuetapowego');

        // the admin turns it off for the official (a lost phone): their session ends, and the next sign-in asks to set it up again
        await enrolledAdmin.get(`/app/users/${official.id}`);
        const reset = await enrolledAdmin.post(`/app/users/${official.id}/two-factor-reset`, {});
        expect(reset.status).toBe(303);
        expect((await web.get('/app/tasks')).location).toMatch(/^\/app\/login/);
        const again = new WebClient(t.url);
        await again.signIn(official.email, TEST_PASSWORD);
        expect((await again.get('/app')).location).toBe('/app/account/two-factor');
      } finally {
        await enrolledAdmin.get('/app/users');
        expect((await enrolledAdmin.post('/app/users/two-factor-requirement', { twoFactorRequired: 'false' })).status).toBe(303);
        expect(adminCodes).toHaveLength(10);
      }
    });
  });
});
