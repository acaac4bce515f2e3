import { annualProgram, moveDeadline, newOffer, ngoWithUser, plusDays, warsawToday } from '../utils/competitions';
import { createTestApp, PLATFORM_ADMIN, type TestApp } from '../utils/test-app';
import { createUser, signIn, TEST_PASSWORD } from '../utils/users';
import { textOf, WebClient } from '../utils/web-client';

type Ngo = Awaited<ReturnType<typeof ngoWithUser>>;

/**
 * Real: HTTP, PostgreSQL, the server's clock, the API's DTOs and services behind every form.
 * The open competitions' pages for officials and commission members (/app/calls), as a browser
 * without JavaScript uses them: the announcement's forms, publication (art. 13 ust. 1), the
 * commission, the formal checks, the member's declaration and scoring cards, the resolution into
 * funded tasks; CSRF; an auditor who reads only. Offers are drafted and submitted through the API
 * (the NGO's own pages are another spec's), and the deadline is moved in the database
 * (competitions.md, "For acceptance tests").
 */
describe('the web app: open competitions for officials and commission members', () => {
  let t: TestApp;
  let admin: string;
  let official: { id: string; email: string; token: string };
  let scorer: { id: string; email: string; token: string };
  let auditor: { id: string; email: string; token: string };
  let today: string;
  let year: number;
  let programId: string;
  let a: Ngo;
  let b: Ngo;
  let c: Ngo;
  let nominating: Ngo;

  const count = async (table: string) => Number((await t.db.query(`SELECT count(*) AS n FROM ${table}`))[0].n);
  /** What a refused or forged form must leave as it was. */
  const written = async () => ({
    calls: await count('calls'),
    members: await count('call_members'),
    scores: await count('offer_scores'),
    tasks: await count('tasks'),
    audit: await count('audit_entries'),
    versions: (await t.db.query(`SELECT coalesce(sum(version), 0)::int AS v FROM (SELECT version FROM calls UNION ALL SELECT version FROM offers) x`))[0].v,
    declared: (await t.db.query(`SELECT count(*)::int AS n FROM call_members WHERE declared_at IS NOT NULL`))[0].n,
  });

  beforeAll(async () => {
    t = await createTestApp({ loginRateLimitPerMinute: 1000 });
    admin = await signIn(t, PLATFORM_ADMIN.email);
    official = await createUser(t, admin, { email: 'official@calls.web.test.example', role: 'official' });
    scorer = await createUser(t, admin, { email: 'scorer@calls.web.test.example', role: 'official' });
    auditor = await createUser(t, admin, { email: 'auditor@calls.web.test.example', role: 'auditor' });
    ({ today, year } = await warsawToday(t));
    programId = await annualProgram(t, official.token, year);
    [a, b, c, nominating] = await Promise.all(['alfa', 'beta', 'gamma', 'delta'].map((tag) => ngoWithUser(t, admin, `web-calls-${tag}`)));
  }, 60_000);

  afterAll(() => t?.close());

  const client = (email: string) => WebClient.signedIn(t.url, email, TEST_PASSWORD);

  /** The create form's fields for a call whose deadline is `days` after today at 15:30 Warsaw time. */
  const callForm = (days: number, overrides: Record<string, string> = {}) => ({
    programId,
    number: `OK-WEB-${year}-${days}-${Math.random().toString(36).slice(2, 8)}`,
    title: `Aktywni seniorzy ${days}`,
    sphere: '4',
    form: 'support',
    department: 'Wydział Polityki Społecznej',
    budget: '40 000,00',
    taskStart: `${year}-01-01`,
    taskEnd: `${year}-12-31`,
    offersUntilDate: plusDays(today, days),
    offersUntilTime: '15:30',
    decisionBy: plusDays(today, days + 14),
    grantRules: 'Dotacja do 90% kosztów zadania.\n\nWkład własny co najmniej 10%.',
    selectionProcedure: 'Oferty ocenia komisja konkursowa.',
    minGrant: '5000',
    maxGrant: '40 000,00',
    ownContributionMin: '10',
    criteriaMode: 'default',
    ...overrides,
  });

  const versionOn = (html: string, action: string) => new RegExp(`action="${action}"[^>]*>\\s*<input type="hidden" name="_csrf" value="[^"]+">\\s*<input type="hidden" name="version" value="(\\d+)">`).exec(html)?.[1];

  describe('a whole competition through the pages', () => {
    let web: WebClient;
    let callId: string;
    let path: string;
    let offerA: string;
    let offerB: string;
    let offerC: string;

    it('lists calls in the menu of every role, with a "Nowy konkurs" button for officials', async () => {
      web = await client(official.email);
      const list = await web.get('/app/calls');
      expect(list.status).toBe(200);
      expect(list.text).toContain('<a href="/app/calls" aria-current="page">Konkursy ofert</a>');
      expect(list.text).toContain('<a class="button" href="/app/calls/new">Nowy konkurs</a>');
      const ngoWeb = await client(a.email);
      expect((await ngoWeb.get('/app')).text).toContain('<a href="/app/calls">Konkursy ofert</a>');
      const auditorList = await (await client(auditor.email)).get('/app/calls');
      expect(auditorList.status).toBe(200);
      expect(auditorList.text).not.toContain('/app/calls/new');
    });

    it('creates a draft through the form: a missing title is refused beside its field (400, nothing written); the deadline is stored as the Warsaw instant', async () => {
      const form = await web.get('/app/calls/new');
      expect(form.status).toBe(200);
      expect(form.text).toContain('<h1>Nowy otwarty konkurs ofert</h1>');
      for (const name of ['programId', 'number', 'title', 'sphere', 'form', 'department', 'budget', 'taskStart', 'taskEnd', 'offersUntilDate', 'offersUntilTime', 'decisionBy', 'grantRules', 'selectionProcedure', 'minGrant', 'maxGrant', 'ownContributionMin']) {
        expect(form.text).toMatch(new RegExp(`<label for="f-${name}">`));
      }
      // the statutory criteria of art. 15 ust. 1, shown
      expect(form.text).toContain('value="Możliwość realizacji zadania publicznego przez organizację"');

      const before = await written();
      const empty = await web.post('/app/calls/new', callForm(20, { title: '' }));
      expect(empty.status).toBe(400);
      expect(textOf(empty.text, 'f-title-error')).toBe('Błąd: Uzupełnij pole „Tytuł konkursu”');
      expect(empty.text).toContain('<a href="#f-title">Uzupełnij pole „Tytuł konkursu”</a>');
      expect(empty.text).toContain('value="40 000,00"');
      const badTime = await web.post('/app/calls/new', callForm(20, { offersUntilTime: '25:00' }));
      expect(badTime.status).toBe(400);
      expect(textOf(badTime.text, 'f-offersUntilTime-error')).toBe('Błąd: Wpisz godzinę terminu składania ofert w formacie GG:MM, np. 15:30');
      expect(textOf(badTime.text, 'f-offersUntilDate-error')).toBeNull();
      expect(await written()).toEqual(before);

      // a 20-day deadline may be drafted; publication refuses it
      const fields = callForm(20);
      const saved = await web.post('/app/calls/new', fields);
      expect(saved.status).toBe(303);
      const [row] = await t.db.query(
        `SELECT id::text, budget::text, max_grant::text, own_contribution_min::text, status, jsonb_array_length(criteria) AS criteria,
                offers_until = (($2 || ' 15:30')::timestamp AT TIME ZONE 'Europe/Warsaw') AS warsaw
           FROM calls WHERE number = $1`,
        [fields.number, fields.offersUntilDate],
      );
      expect(row).toMatchObject({ budget: '40000.00', max_grant: '40000.00', own_contribution_min: '10.00', status: 'draft', criteria: 6, warsaw: true });
      callId = row.id;
      path = `/app/calls/${callId}`;
      expect(saved.location).toBe(path);
      const record = await web.get(path);
      expect(record.text).toContain('<div class="notice" role="status">');
      expect(record.text).toContain('<dt>Status</dt><dd>szkic</dd>');
      expect(record.text).toContain('<dt>Środki na realizację zadania</dt><dd>40\u00a0000,00\u00a0zł</dd>');
      expect(record.text).toMatch(/<dt>Termin składania ofert<\/dt><dd>\d{1,2} \S+ \d{4} r\., godz\. 15:30<\/dd>/);
      expect(record.text).toContain('Zadania tego rodzaju w roku bieżącym i poprzednim');
    });

    it('refuses to publish a 20-day deadline (422) with the message beside the deadline and in the summary; after the edit form moves it, publishes', async () => {
      const record = await web.get(path);
      const version = versionOn(record.text, `${path}/publish`);
      expect(version).toBe('1');
      const before = await written();
      const refused = await web.post(`${path}/publish`, { version: version! });
      expect(refused.status).toBe(422);
      expect(refused.text).toContain('<title>Błąd: ');
      expect(refused.text).toContain('<a href="#publish-deadline">Oferty przyjmuje się co najmniej 21 dni od dnia ogłoszenia konkursu (art. 13 ust. 1 ustawy)');
      expect(textOf(refused.text, 'publish-deadline-error')).toMatch(/^Błąd: Oferty przyjmuje się co najmniej 21 dni .* najwcześniej .* Zmień termin składania ofert$/);
      expect(await written()).toEqual(before);

      const edit = await web.get(`${path}/edit`);
      expect(edit.text).toContain('name="version" value="1"');
      expect(edit.text).toContain(`value="${plusDays(today, 20)}"`);
      expect(edit.text).toContain('value="15:30"');
      const moved = await web.post(`${path}/edit`, { ...callForm(22), number: (await t.db.query(`SELECT number FROM calls WHERE id = $1`, [callId]))[0].number, version: '1' });
      expect(moved.status).toBe(303);
      // a stale version: 409 with what changed
      const stale = await web.post(`${path}/edit`, { ...callForm(22), version: '1' });
      expect(stale.status).toBe(409);
      expect(stale.text).toContain('Zmiany zapisane w międzyczasie przez kogoś innego');

      const published = await web.post(`${path}/publish`, { version: versionOn((await web.get(path)).text, `${path}/publish`)! });
      expect(published.status).toBe(303);
      const page = await web.get(path);
      expect(page.text).toContain('<dd>ogłoszony – przyjmuje oferty</dd>');
      expect(page.text).not.toContain(`${path}/edit`);
      expect(page.text).not.toContain(`${path}/publish`);
    });

    it('adds commission members by choosing a user (an official, and a person an NGO nominated); refuses a repeat', async () => {
      const page = await web.get(path);
      expect(page.text).toContain(`<option value="${scorer.id}">scorer@calls.web.test.example (urzędnik)</option>`);
      expect(page.text).not.toContain(`<option value="${auditor.id}">`);
      expect((await web.post(`${path}/commission`, { userId: scorer.id, role: 'chair', nominatedBy: '' })).status).toBe(303);
      expect((await web.post(`${path}/commission`, { userId: nominating.userId, role: 'member', nominatedBy: '' })).status).toBe(303);
      const rows = await t.db.query(`SELECT user_id::text, role, nominated_by::text FROM call_members WHERE call_id = $1 ORDER BY role`, [callId]);
      expect(rows).toEqual([
        { user_id: scorer.id, role: 'chair', nominated_by: null },
        { user_id: nominating.userId, role: 'member', nominated_by: nominating.ngoId },
      ]);
      const again = await web.post(`${path}/commission`, { userId: scorer.id, role: 'member', nominatedBy: '' });
      expect(again.status).toBe(409);
      expect(again.text).toContain('<li>Ta osoba jest już członkiem komisji</li>');
    });

    it('records formal checks after the deadline: a rejection needs a reason (422 beside it)', async () => {
      const submitted = async (ngo: Ngo) => {
        const draft = await t.call('POST', `/api/v1/calls/${callId}/offers`, { token: ngo.token, body: newOffer(year, { title: `Oferta ${ngo.name}` }) });
        expect(draft.status).toBe(201);
        const sent = await t.call('POST', `/api/v1/offers/${draft.body.id}/submit`, { token: ngo.token, body: { version: draft.body.version } });
        expect(sent.status).toBe(200);
        return draft.body.id as string;
      };
      offerA = await submitted(a);
      offerB = await submitted(b);
      offerC = await submitted(c);
      // before the deadline: no offers on the page
      expect((await web.get(path)).text).not.toContain('Złożone oferty');
      await moveDeadline(t, callId, -1);

      const page = await web.get(path);
      expect(page.text).toContain('<dd>zamknięty</dd>');
      expect(page.text).toContain(`action="${path}/offers/${offerA}/formal-check"`);
      const before = await written();
      const noReason = await web.post(`${path}/offers/${offerB}/formal-check`, { result: 'rejected', reason: '' });
      expect(noReason.status).toBe(422);
      expect(textOf(noReason.text, `check-${offerB}-reason-error`)).toBe('Błąd: Podaj powód odrzucenia oferty');
      expect(noReason.text).toContain(`<a href="#check-${offerB}-reason">Podaj powód odrzucenia oferty</a>`);
      expect(await written()).toEqual(before);

      expect((await web.post(`${path}/offers/${offerA}/formal-check`, { result: 'accepted', reason: '' })).status).toBe(303);
      expect((await web.post(`${path}/offers/${offerB}/formal-check`, { result: 'rejected', reason: 'Brak podpisów' })).status).toBe(303);
      expect((await web.post(`${path}/offers/${offerC}/formal-check`, { result: 'accepted', reason: '' })).status).toBe(303);
      const statuses = await t.db.query(`SELECT id::text, status FROM offers WHERE call_id = $1 ORDER BY status, id`, [callId]);
      expect(Object.fromEntries(statuses.map((s: { id: string; status: string }) => [s.id, s.status]))).toEqual({ [offerA]: 'accepted', [offerB]: 'rejected', [offerC]: 'accepted' });
    });

    it('a member files the declaration (the confirmation required) and scores through /scoring; an out-of-range score is refused beside its field', async () => {
      const member = await client(scorer.email);
      const scoringPath = `${path}/scoring`;
      const first = await member.get(scoringPath);
      expect(first.status).toBe(200);
      expect(first.text).toContain('Oświadczenie członka komisji');
      expect(first.text).toContain(`name="conflicts" value="${offerA}"`);
      expect(first.text).toContain(`Oferta ${a.name} – ${a.name}`);
      expect(first.text).toContain('name="confirm" value="true"');
      expect(first.text).toContain('>Złóż oświadczenie</button>');
      expect(first.text).not.toContain('name="points.');

      const before = await written();
      const unconfirmed = await member.post(`${scoringPath}/declaration`, { conflicts: [] });
      expect(unconfirmed.status).toBe(400);
      expect(textOf(unconfirmed.text, 'f-confirm-error')).toBe('Błąd: Zaznacz potwierdzenie, aby złożyć oświadczenie');
      expect(await written()).toEqual(before);

      const declared = await member.post(`${scoringPath}/declaration`, { confirm: 'true' });
      expect(declared.status).toBe(303);
      expect(declared.location).toBe(scoringPath);
      const afterDeclaration = await written();
      const cards = await member.get(scoringPath);
      expect(cards.text).toContain('bez konfliktu interesów');
      expect(cards.text).toContain(`action="${scoringPath}/${offerA}"`);
      expect(cards.text).toContain(`action="${scoringPath}/${offerC}"`);
      expect(cards.text).not.toContain(`action="${scoringPath}/${offerB}"`); // rejected: not scored
      for (const code of ['feasibility', 'costs', 'quality', 'own-funds', 'input', 'reliability']) {
        expect(cards.text).toContain(`name="points.${code}"`);
        expect(cards.text).toContain(`name="comment.${code}"`);
      }
      expect(cards.text).toContain('>Zapisz ocenę</button>');

      const points = (p: string[]) => Object.fromEntries(['feasibility', 'costs', 'quality', 'own-funds', 'input', 'reliability'].flatMap((code, i) => [[`points.${code}`, p[i]], [`comment.${code}`, i === 0 ? 'Dobrze opisane działania' : '']]));
      const tooMany = await member.post(`${scoringPath}/${offerA}`, points(['11', '8', '8', '8', '8', '8']));
      expect(tooMany.status).toBe(422);
      expect(textOf(tooMany.text, `o-${offerA}-points-feasibility-error`)).toBe('Błąd: Najwyżej 10 pkt');
      expect(tooMany.text).toContain('value="11"');
      const notNumber = await member.post(`${scoringPath}/${offerA}`, points(['dużo', '8', '8', '8', '8', '8']));
      expect(notNumber.status).toBe(400);
      expect(textOf(notNumber.text, `o-${offerA}-points-feasibility-error`)).toBe('Błąd: Wpisz w polu „Możliwość realizacji zadania publicznego przez organizację” liczbę, najwyżej z dwoma miejscami po przecinku, np. 7,5');
      expect(await written()).toEqual(afterDeclaration);

      expect((await member.post(`${scoringPath}/${offerA}`, points(['9', '8', '8,5', '7', '8', '9']))).status).toBe(303);
      expect((await member.post(`${scoringPath}/${offerC}`, points(['5', '5', '5', '5', '5', '5']))).status).toBe(303);
      const [card] = await t.db.query(`SELECT total::text FROM offer_scores WHERE offer_id = $1`, [offerA]);
      expect(card.total).toBe('49.50');
      const again = await member.get(scoringPath);
      expect(again.text).toContain('Twoja zapisana ocena: <strong>49,50 pkt');
      expect(again.text).toContain('value="8,5"');
      // saved again with new points: PUT semantics, one card
      expect((await member.post(`${scoringPath}/${offerA}`, points(['10', '8', '8,5', '7', '8', '9']))).status).toBe(303);
      expect((await t.db.query(`SELECT total::text FROM offer_scores WHERE offer_id = $1`, [offerA])).map((r: { total: string }) => r.total)).toEqual(['50.50']);
    });

    it('a nominee who declares a conflict with an offer is not shown it', async () => {
      const nominee = await client(nominating.email);
      expect((await nominee.get('/app')).text).toContain('<a href="/app/calls">Konkursy ofert</a>');
      expect((await nominee.get(`${path}/scoring`)).text).toContain(`name="conflicts" value="${offerA}"`);
      const declared = await nominee.post(`${path}/scoring/declaration`, { conflicts: offerA, confirm: 'true' });
      expect(declared.status).toBe(303);
      const page = await nominee.get(`${path}/scoring`);
      expect(page.text).not.toContain(offerA);
      expect(page.text).toContain(`action="${path}/scoring/${offerC}"`);
    });

    it('resolves: over the budget and over a request refused (422, nothing written, messages shown); within them the funded task is created and linked', async () => {
      const page = await web.get(path);
      expect(page.text).toContain('Ranking ofert');
      expect(page.text).toContain(`name="amount.${offerA}"`);
      expect(page.text).toContain(`name="amount.${offerC}"`);
      expect(page.text).not.toContain(`name="amount.${offerB}"`);
      const before = await written();

      const overBudget = await web.post(`${path}/resolve`, { [`amount.${offerA}`]: '30 000,00', [`amount.${offerC}`]: '20 000' });
      expect(overBudget.status).toBe(422);
      expect(textOf(overBudget.text, 'f-awards')).toBe('Błąd: Suma dotacji (50 000,00 zł) przekracza środki przeznaczone na konkurs (40 000,00 zł)'); // textOf folds the no-break spaces
      expect(overBudget.text).toContain('<a href="#f-awards">Suma dotacji');
      expect(overBudget.text).toContain('value="30 000,00"');
      expect(await written()).toEqual(before);

      const overRequest = await web.post(`${path}/resolve`, { [`amount.${offerA}`]: '36000,01', [`amount.${offerC}`]: '' });
      expect(overRequest.status).toBe(422);
      expect(textOf(overRequest.text, `f-amount.${offerA}-error`)).toBe('Błąd: Dotacja nie może przekraczać kwoty, o którą wnosi oferta (36 000,00 zł)');
      expect(await written()).toEqual(before);

      const resolved = await web.post(`${path}/resolve`, { [`amount.${offerA}`]: '30 000,00', [`amount.${offerC}`]: '' });
      expect(resolved.status).toBe(303);
      const [task] = await t.db.query(`SELECT t.id::text, t.amount_granted::text, t.mode FROM tasks t JOIN offers o ON o.task_id = t.id WHERE o.id = $1`, [offerA]);
      expect(task).toMatchObject({ amount_granted: '30000.00', mode: 'open-competition' });
      const after = await web.get(path);
      expect(after.text).toContain('<dd>rozstrzygnięty</dd>');
      expect(after.text).toContain(`<a href="/app/tasks/${task.id}">Oferta ${a.name}</a>`);
      expect(after.text).toContain('30\u00a0000,00\u00a0zł');
      expect(after.text).not.toContain(`${path}/resolve"`);
      expect((await web.get(`/app/tasks/${task.id}`)).status).toBe(200);
    });
  });

  it('saves custom criteria as rows of code, name and points; a repeated code is refused beside its row (422)', async () => {
    const web = await client(official.email);
    await web.get('/app/calls/new');
    const rows = (second: string) => ({
      criteriaMode: 'custom',
      'criteria[0].code': 'jakosc', 'criteria[0].name': 'Jakość działań', 'criteria[0].maxPoints': '20',
      'criteria[1].code': '', 'criteria[1].name': '', 'criteria[1].maxPoints': '',
      'criteria[2].code': second, 'criteria[2].name': 'Koszty', 'criteria[2].maxPoints': '5',
    });
    const before = await written();
    const repeated = await web.post('/app/calls/new', callForm(30, rows('jakosc')));
    expect(repeated.status).toBe(422);
    expect(textOf(repeated.text, 'f-criteria-2-code-error')).toBe('Błąd: Ten kod kryterium już się powtarza – każde kryterium musi mieć inny kod');
    expect(repeated.text).toContain('<a href="#f-criteria-2-code">Kryterium 3: Ten kod kryterium już się powtarza');
    expect(await written()).toEqual(before);
    const fields = callForm(30, rows('koszty'));
    const saved = await web.post('/app/calls/new', fields);
    expect(saved.status).toBe(303);
    const [row] = await t.db.query(`SELECT criteria FROM calls WHERE number = $1`, [fields.number]);
    expect(row.criteria).toEqual([{ code: 'jakosc', name: 'Jakość działań', maxPoints: 20 }, { code: 'koszty', name: 'Koszty', maxPoints: 5 }]);
    const edit = await web.get(`${saved.location}/edit`);
    expect(edit.text).toMatch(/id="f-criteriaMode-1" name="criteriaMode" value="custom" checked/);
  });

  it('cancels a call without offers (art. 18a): the justification required; an official on its commission sees the call before the declaration', async () => {
    const web = await client(official.email);
    await web.get('/app/calls/new');
    const saved = await web.post('/app/calls/new', callForm(22));
    const path = saved.location!;
    const callId = path.split('/').pop()!;
    expect((await web.post(`${path}/publish`, { version: versionOn((await web.get(path)).text, `${path}/publish`)! })).status).toBe(303);
    expect((await web.post(`${path}/commission`, { userId: official.id, role: 'chair', nominatedBy: '' })).status).toBe(303);
    await moveDeadline(t, callId, -1);

    const page = await web.get(path);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`Jesteś członkiem komisji konkursowej`);
    expect(page.text).toContain(`<a href="${path}/scoring">Złóż oświadczenie</a>`);
    expect((await web.post(`${path}/scoring/declaration`, { confirm: 'true' })).status).toBe(303);

    const form = await web.get(path);
    expect(form.text).toContain(`action="${path}/cancel"`);
    expect(form.text).toContain('W konkursie nie złożono żadnej oferty.');
    const before = await written();
    const empty = await web.post(`${path}/cancel`, { reason: 'no-offers', justification: '' });
    expect(empty.status).toBe(400);
    expect(textOf(empty.text, 'f-justification-error')).toBe('Błąd: Uzupełnij pole „Uzasadnienie”');
    expect(await written()).toEqual(before);
    expect((await web.post(`${path}/cancel`, { reason: 'no-offers', justification: 'Nie wpłynęła żadna oferta.' })).status).toBe(303);
    const cancelled = await web.get(path);
    expect(cancelled.text).toContain('<dd>unieważniony</dd>');
    expect(cancelled.text).toContain('<strong>Powód (art. 18a ustawy):</strong> nie złożono żadnej oferty');
    expect(cancelled.text).toContain('<p>Nie wpłynęła żadna oferta.</p>');
    expect(cancelled.text).not.toContain(`${path}/commission"`);
  });

  describe('CSRF and the auditor', () => {
    let callId: string;
    let path: string;

    beforeAll(async () => {
      const web = await client(official.email);
      await web.get('/app/calls/new');
      const saved = await web.post('/app/calls/new', callForm(25));
      expect(saved.status).toBe(303);
      path = saved.location!;
      callId = path.split('/').pop()!;
    });

    it('refuses every form of the pages without the session\'s token or from another origin (403, nothing written)', async () => {
      const web = await client(official.email);
      const version = versionOn((await web.get(path)).text, `${path}/publish`)!;
      const before = await written();
      const posts: Array<[string, Record<string, string | string[]>]> = [
        ['/app/calls/new', callForm(30)],
        [`${path}/edit`, { ...callForm(30), version }],
        [`${path}/publish`, { version }],
        [`${path}/commission`, { userId: scorer.id, role: 'member' }],
        [`${path}/resolve`, {}],
        [`${path}/cancel`, { reason: 'no-offers', justification: 'x' }],
        [`${path}/scoring/declaration`, { confirm: 'true' }],
      ];
      for (const [url, fields] of posts) {
        for (const o of [{ csrf: null }, { csrf: 'forged-token-forged-token-forged-token-00' }, { origin: 'https://evil.example' }] as const) {
          const answer = await web.post(url, fields, o);
          expect([url, answer.status]).toEqual([url, 403]);
        }
      }
      expect(await written()).toEqual(before);
      expect((await t.db.query(`SELECT status FROM calls WHERE id = $1`, [callId]))[0].status).toBe('draft');
    });

    it('lets an auditor read a call without any form that writes; its forms and POSTs are 403', async () => {
      const web = await client(auditor.email);
      const page = await web.get(path);
      expect(page.status).toBe(200);
      expect(page.text).toContain('<dt>Status</dt><dd>szkic</dd>');
      expect(page.text).toContain('Komisja konkursowa');
      // the only form that posts is the layout's sign-out
      expect(page.text.match(/<form method="post"/g)).toEqual(['<form method="post"']);
      expect(page.text).not.toContain(`${path}/edit`);
      expect((await web.get('/app/calls/new')).status).toBe(403);
      expect((await web.get(`${path}/edit`)).status).toBe(403);
      const before = await written();
      expect((await web.post(`${path}/publish`, { version: '1' })).status).toBe(403);
      expect((await web.post(`${path}/commission`, { userId: scorer.id, role: 'member' })).status).toBe(403);
      expect(await written()).toEqual(before);
      // nor does the scoring page open to someone off the commission
      expect((await web.get(`${path}/scoring`)).status).toBe(403);
    });
  });
});
