import { annualProgram, moveDeadline, newCall, newOffer, ngoWithUser, warsawToday } from '../utils/competitions';
import { createTestApp, PLATFORM_ADMIN, type TestApp } from '../utils/test-app';
import { createUser, signIn, TEST_PASSWORD } from '../utils/users';
import { textOf, WebClient } from '../utils/web-client';

type Ngo = Awaited<ReturnType<typeof ngoWithUser>>;

/** An id with brackets and dots (`f-costs[1].fromGrant-error`) as textOf's pattern takes it. */
const idPattern = (id: string) => id.replace(/[[\].]/g, (c) => `\\${c}`);
const text = (html: string, id: string) => textOf(html, idPattern(id))?.replace(/\u00a0|\u202f/g, ' ') ?? null;
const versionOf = (html: string, action: string) => new RegExp(`action="${action.replace(/[[\].]/g, (c) => `\\${c}`)}"[^>]*>\\s*<input type="hidden" name="_csrf" value="[^"]+">\\s*<input type="hidden" name="version" value="(\\d+)">`).exec(html)?.[1];

/**
 * Real: HTTP, PostgreSQL, the server's clock, the sessions table, the API's DTOs and OffersService
 * behind every form. An NGO's offer pages of the web app (/app/offers) as a browser without
 * JavaScript uses them: the 2018 form section by section, the rules shown beside their fields,
 * submission with its checksum and printable confirmation, the deadline, privacy of drafts,
 * CSRF, withdrawal.
 */
describe('the web app: an NGO\'s offers in open competitions', () => {
  let t: TestApp;
  let admin: string;
  let official: { id: string; email: string; token: string };
  let ngoA: Ngo;
  let ngoB: Ngo;
  let partner: Ngo;
  let today: string;
  let year: number;
  let programId: string;

  beforeAll(async () => {
    t = await createTestApp({ loginRateLimitPerMinute: 1000 });
    admin = await signIn(t, PLATFORM_ADMIN.email);
    official = await createUser(t, admin, { email: 'official@offers.web.test.example', role: 'official' });
    ({ today, year } = await warsawToday(t));
    programId = await annualProgram(t, official.token, year);
    ngoA = await ngoWithUser(t, admin, 'oferent-a');
    ngoB = await ngoWithUser(t, admin, 'oferent-b');
    partner = await ngoWithUser(t, admin, 'partner-c');
  }, 60_000);

  afterAll(() => t?.close());

  const client = (email: string) => WebClient.signedIn(t.url, email, TEST_PASSWORD);

  async function publishedCall(overrides: Record<string, unknown> = {}) {
    const draft = await t.call('POST', '/api/v1/calls', { token: official.token, body: newCall(programId, year, today, 22, overrides) });
    expect(draft.status).toBe(201);
    const published = await t.call('POST', `/api/v1/calls/${draft.body.id}/publish`, { token: official.token, body: { version: draft.body.version } });
    expect(published.status).toBe(200);
    return published.body as { id: string; number: string; title: string };
  }

  const offerRow = async (id: string) =>
    (await t.db.query(`SELECT status, version, checksum, content, (SELECT count(*)::int FROM audit_entries WHERE entity = 'offer' AND entity_id::text = $1::text) AS audits FROM offers WHERE id = $1::uuid`, [id]))[0];

  /** The section I–III as the page posts it: the lead (hidden) first, then the partner selects. */
  const basic = (lead: string, partners: string[] = []) => ({
    ngoIds: [lead, ...partners, ...Array(3 - partners.length).fill('')],
    title: 'Klub Seniora na Kazimierzu',
    place: 'Kraków, Dzielnica I Stare Miasto',
    startDate: `${year}-03-01`,
    endDate: `${year}-11-30`,
  });
  const description = () => ({
    summary: 'Cotygodniowe spotkania, warsztaty ruchowe i komputerowe dla seniorów.',
    targetGroup: 'Seniorzy 60+ mieszkający w dzielnicy',
    'schedule[0].name': 'Rekrutacja uczestników',
    'schedule[0].description': 'Ogłoszenia w klubach i parafiach',
    'schedule[0].from': `${year}-03-01`,
    'schedule[0].to': `${year}-03-31`,
    'schedule[1].name': 'Warsztaty',
    'schedule[1].description': '',
    'schedule[1].from': `${year}-04-01`,
    'schedule[1].to': `${year}-11-30`,
    'schedule[2].name': '',
    'schedule[2].from': '',
    'schedule[2].to': '',
    'results[0].name': 'Uczestnicy warsztatów',
    'results[0].targetValue': '60 osób',
    'results[0].monitoring': 'Listy obecności',
    priorActivity: 'Od 2015 roku prowadzimy zajęcia dla seniorów.',
    resources: 'Sala w siedzibie, dwóch instruktorów, wolontariusze.',
  });
  /** Section V, money as people type it; `materialsFromGrant` breaks line 2 when it is not 6 000,00. */
  const costs = (materialsFromGrant: string, grantRequested: string, extra: Record<string, string> = {}) => ({
    'costs[0].category': 'action',
    'costs[0].name': 'Wynagrodzenie instruktora',
    'costs[0].unit': 'godzina',
    'costs[0].quantity': '200',
    'costs[0].unitCost': '150,00',
    'costs[0].fromGrant': '27 000,00',
    'costs[0].fromOwn': '3000.00',
    'costs[0].fromOther': '0',
    'costs[1].category': 'action',
    'costs[1].name': 'Materiały',
    'costs[1].unit': 'komplet',
    'costs[1].quantity': '60',
    'costs[1].unitCost': '100',
    'costs[1].fromGrant': materialsFromGrant,
    'costs[1].fromOwn': '',
    'costs[1].fromOther': '',
    'costs[2].category': 'administrative',
    'costs[2].name': 'Koordynacja (praca wolontariusza)',
    'costs[2].unit': 'miesiąc',
    'costs[2].quantity': '10',
    'costs[2].unitCost': '400,00',
    'costs[2].fromGrant': '3 000,00',
    'costs[2].fromOwn': '1 000,00',
    'costs[2].fromOther': '',
    'costs[3].category': '',
    'costs[3].name': '',
    'costs[3].quantity': '',
    'funding.grantRequested': grantRequested,
    'funding.ownFinancial': '3 000,00',
    'funding.personalInput': '1 000,00',
    'funding.inKindInput': '',
    'funding.benefitPayments': '',
    'funding.otherPublic': '',
    'funding.otherFunds': '',
    ...extra,
  });

  /** Starts a draft through the pages: the list's link, the new-offer page, its POST; returns the offer's path. */
  async function startDraft(web: WebClient, call: { id: string }): Promise<{ id: string; path: string }> {
    const started = await web.get(`/app/offers/new?call=${call.id}`);
    expect(started.status).toBe(200);
    const created = await web.post('/app/offers/new', { call: call.id });
    expect(created.status).toBe(303);
    const id = /^\/app\/offers\/([0-9a-f-]{36})$/.exec(created.location ?? '')?.[1];
    expect(id).toBeDefined();
    return { id: id!, path: created.location! };
  }

  it('drafts an offer section by section, shows a broken cost line beside costs[1].fromGrant with the arithmetic, then submits it; the checksum on the page and the printable confirmation is the API\'s', async () => {
    const call = await publishedCall();
    const web = await client(ngoA.email);

    const start = await web.get('/app');
    expect(start.text).toContain('<a href="/app/offers">Moje oferty</a>');
    const list = await web.get('/app/offers');
    expect(list.status).toBe(200);
    expect(list.text).toContain('<h1>Moje oferty</h1>');
    expect(list.text).toContain('<a href="/app/offers" aria-current="page">Moje oferty</a>');
    expect(list.text).toContain(call.number);
    expect(list.text).toContain(`<a class="button" href="/app/offers/new?call=${call.id}">Złóż ofertę<span class="visually-hidden"> w konkursie ${call.number}</span></a>`);

    const { id, path } = await startDraft(web, call);
    expect(await offerRow(id)).toMatchObject({ status: 'draft', version: 1, checksum: null });
    let page = await web.get(path);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Utworzono szkic oferty');
    for (const name of ['title', 'place', 'startDate', 'ngoIds', 'summary', 'schedule[0].from', 'results[0].name', 'costs[1].unitCost', 'costs[0].remove', 'funding.grantRequested', 'volunteers', 'otherInformation']) {
      if (name !== 'costs[0].remove') expect([name, page.text.includes(`name="${name}"`)]).toEqual([name, true]);
    }
    // a fresh draft lists what submission would refuse, each linked to its field
    expect(page.text).toContain('<a href="#f-title">Uzupełnij pole „Tytuł zadania publicznego” przed złożeniem oferty</a>');
    expect(page.text).toContain('<a href="#f-costs[0].category">Dodaj co najmniej jedną pozycję do zestawienia kosztów</a>');
    expect(page.text).not.toContain('<title>Błąd:');

    // I–III, with a partner of a joint offer
    let version = versionOf(page.text, `${path}/sections/basic`);
    expect(version).toBe('1');
    let saved = await web.post(`${path}/sections/basic`, { ...basic(ngoA.ngoId, [partner.ngoId]), version: version! });
    expect(saved.status).toBe(303);
    expect(saved.location).toBe(`${path}#s-basic`);
    expect((await t.call('GET', `/api/v1/offers/${id}`, { token: ngoA.token })).body).toMatchObject({ title: 'Klub Seniora na Kazimierzu', ngoIds: [ngoA.ngoId, partner.ngoId], startDate: `${year}-03-01`, version: 2 });

    // IV: rows, the empty third schedule row left out
    page = await web.get(path);
    expect(page.text).toContain('Zapisano część I–III szkicu oferty.');
    expect(page.text).toMatch(/<option value="[0-9a-f-]{36}" selected>Fundacja partner-c/);
    saved = await web.post(`${path}/sections/description`, { ...description(), version: versionOf(page.text, `${path}/sections/description`)! });
    expect(saved.status).toBe(303);

    // V with line 2 broken: 60 × 100,00 = 6 000,00, but only 5 000,00 from the grant
    page = await web.get(path);
    saved = await web.post(`${path}/sections/costs`, { ...costs('5 000,00', '35 000,00'), version: versionOf(page.text, `${path}/sections/costs`)! });
    expect(saved.status).toBe(303);
    let api = (await t.call('GET', `/api/v1/offers/${id}`, { token: ngoA.token })).body;
    expect(api.schedule).toHaveLength(2);
    expect(api.costs).toHaveLength(3);
    expect(api.costs[0]).toMatchObject({ quantity: 200, unitCost: '150.00', fromGrant: '27000.00', fromOwn: '3000.00', fromOther: '0.00' });
    expect(api.costs[1]).toMatchObject({ fromGrant: '5000.00', fromOwn: null });
    expect(api.funding).toMatchObject({ grantRequested: '35000.00', ownFinancial: '3000.00', personalInput: '1000.00', inKindInput: null });
    expect(api.problems).toEqual([{ rule: 'offer.cost-line-sum', field: 'costs[1].fromGrant', message: expect.any(String) }]);

    page = await web.get(path);
    expect(page.text).toContain('<a href="#f-costs[1].fromGrant">');
    expect(text(page.text, 'f-costs[1].fromGrant-error')).toBe('Błąd: Ilość × koszt jednostkowy = 6000,00 zł, a dotacja, wkład własny i inne źródła w tej pozycji dają razem 5000,00 zł – te kwoty muszą być równe');
    expect(page.text).toMatch(/id="f-costs\[1\]\.fromGrant" name="costs\[1\]\.fromGrant" type="text" value="5000,00"[^>]*aria-describedby="f-costs\[1\]\.fromGrant-error" aria-invalid="true"/);
    expect(text(page.text, 'c-costs-1')).toBe('Koszt całkowity (ilość × koszt jednostkowy): 6000,00 zł. Dotacja + wkład własny + inne źródła: 5000,00 zł – nie zgadza się z kosztem całkowitym.');
    expect(text(page.text, 'c-costs-0')).toContain('30 000,00 zł – zgadza się.');
    expect(page.text.replace(/\u00a0|\u202f/g, ' ')).toContain('Koszt całkowity zadania (suma pozycji): 40 000,00 zł');
    // the values shown are money as people read it; a saved line has its "usuń"
    expect(page.text).toMatch(/name="costs\[0\]\.fromGrant" type="text" value="27\s000,00"/);
    expect(page.text).toContain('<label for="f-costs[2].remove">Usuń: koszt 3</label>');

    // submission refuses it with the rule beside the field (422); nothing changes
    const before = await offerRow(id);
    const refused = await web.post(`${path}/submit`, { confirm: 'true', version: String(before.version) });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('<title>Błąd:');
    expect(refused.text).toContain('Oferty nie złożono: nie spełnia reguł konkursu.');
    expect(text(refused.text, 'f-costs[1].fromGrant-error')).toContain('Ilość × koszt jednostkowy = 6000,00 zł');
    expect(await offerRow(id)).toEqual(before);

    // a value the DTO refuses: 400, the section shown again with what was typed, nothing written
    const bad = await web.post(`${path}/sections/costs`, { ...costs('6 000,00', 'dużo'), version: String(before.version) });
    expect(bad.status).toBe(400);
    expect(text(bad.text, 'f-funding.grantRequested-error')).toBe('Błąd: Wpisz kwotę „Wnioskowana kwota dotacji” w złotych, np. 12 500,50');
    expect(bad.text).toMatch(/name="funding\.grantRequested" type="text" value="dużo"/);
    expect(await offerRow(id)).toEqual(before);

    // fixed; a fourth line added and then removed with its "usuń"
    saved = await web.post(`${path}/sections/costs`, {
      ...costs('6 000,00', '36 000,00', { 'costs[3].category': 'action', 'costs[3].name': 'Poczęstunek', 'costs[3].unit': 'spotkanie', 'costs[3].quantity': '1,5', 'costs[3].unitCost': '10,00', 'costs[3].fromOwn': '15' }),
      'funding.ownFinancial': '3 015,00',
      version: String(before.version),
    });
    expect(saved.status).toBe(303);
    api = (await t.call('GET', `/api/v1/offers/${id}`, { token: ngoA.token })).body;
    expect(api.costs[3]).toMatchObject({ quantity: 1.5, unitCost: '10.00', fromOwn: '15.00' });
    page = await web.get(path);
    expect(page.text).toContain('name="costs[3].remove"');
    saved = await web.post(`${path}/sections/costs`, { ...costs('6 000,00', '36 000,00', { 'costs[3].name': 'Poczęstunek', 'costs[3].remove': 'true' }), version: versionOf(page.text, `${path}/sections/costs`)! });
    expect(saved.status).toBe(303);
    page = await web.get(path);
    saved = await web.post(`${path}/sections/other`, { volunteers: 'Dwóch wolontariuszy koordynuje zajęcia.', otherInformation: '', version: versionOf(page.text, `${path}/sections/other`)! });
    expect(saved.status).toBe(303);
    api = (await t.call('GET', `/api/v1/offers/${id}`, { token: ngoA.token })).body;
    expect(api.costs).toHaveLength(3);
    expect(api.problems).toEqual([]);
    page = await web.get(path);
    expect(page.text).toContain('Oferta spełnia wszystkie reguły konkursu i można ją złożyć.');
    expect(page.text).not.toContain('class="error-summary"');

    // the confirmation must be ticked
    version = versionOf(page.text, `${path}/submit`);
    const unconfirmed = await web.post(`${path}/submit`, { version: version! });
    expect(unconfirmed.status).toBe(400);
    expect(text(unconfirmed.text, 'f-confirm-error')).toBe('Błąd: Zaznacz potwierdzenie, aby złożyć ofertę');
    expect((await offerRow(id)).status).toBe('draft');

    const submitted = await web.post(`${path}/submit`, { confirm: 'true', version: version! });
    expect(submitted.status).toBe(303);
    expect(submitted.location).toBe(path);
    api = (await t.call('GET', `/api/v1/offers/${id}`, { token: ngoA.token })).body;
    expect(api.status).toBe('submitted');
    expect(api.checksum).toMatch(/^[0-9a-f]{64}$/);
    page = await web.get(path);
    expect(page.text).toContain(`Suma kontrolna: ${api.checksum}.`);
    expect(page.text).toContain(`<dt>Suma kontrolna SHA-256</dt><dd>${api.checksum}</dd>`);
    expect(page.text).toContain('<dt>Status oferty</dt><dd>złożona</dd>');
    expect(page.text).not.toContain(`action="${path}/sections/`);
    expect(page.text).toContain(`<a class="button secondary" href="${path}/print">`);
    const listed = await web.get('/app/offers');
    expect(listed.text).toContain(`<td>${api.checksum}</td>`);

    const print = await web.get(`${path}/print`);
    expect(print.status).toBe(200);
    expect(print.text).toContain(`<code id="checksum">${api.checksum}</code>`);
    expect(print.text).toContain('<h1>Potwierdzenie złożenia oferty realizacji zadania publicznego</h1>');
    expect(print.text).toContain(`${call.number}: ${call.title}`);
    expect(print.text).toContain('Fundacja oferent-a');
    expect(print.text).toContain('Fundacja partner-c');
    expect(print.text.replace(/\u00a0|\u202f/g, ' ')).toContain('<dt>Wnioskowana kwota dotacji</dt><dd>36 000,00 zł</dd>');
    const [{ shown }] = await t.db.query(`SELECT to_char(submitted_at AT TIME ZONE 'Europe/Warsaw', 'HH24:MI') AS shown FROM offers WHERE id = $1`, [id]);
    expect(print.text).toContain(`godz. ${shown} (czas warszawski)`);
    expect(print.text).not.toContain('class="app"');

    // frozen: a section posted now is refused (409), nothing written
    const frozen = await offerRow(id);
    const late = await web.post(`${path}/sections/other`, { volunteers: 'Zmiana', version: String(frozen.version) });
    expect(late.status).toBe(409);
    expect(await offerRow(id)).toEqual(frozen);
  });

  it('refuses a submission after the deadline with a clear message, nothing changed; the page then says the call no longer takes offers', async () => {
    const call = await publishedCall();
    const draft = await t.call('POST', `/api/v1/calls/${call.id}/offers`, { token: ngoA.token, body: newOffer(year) });
    expect(draft.status).toBe(201);
    const web = await client(ngoA.email);
    const path = `/app/offers/${draft.body.id}`;
    const page = await web.get(path);
    const version = versionOf(page.text, `${path}/submit`);
    expect(version).toBe(String(draft.body.version));

    await moveDeadline(t, call.id, -60);
    const before = await offerRow(draft.body.id);
    const refused = await web.post(`${path}/submit`, { confirm: 'true', version: version! });
    expect(refused.status).toBe(422);
    expect(refused.text).toMatch(/<div class="error-summary" role="alert"[\s\S]*Termin składania ofert w tym konkursie minął \([^)]+\) – oferty nie można już złożyć/);
    expect(await offerRow(draft.body.id)).toEqual(before);
    expect(before).toMatchObject({ status: 'draft', checksum: null });

    const after = await web.get(path);
    expect(after.text).toContain('Ten konkurs nie przyjmuje już ofert');
    expect(after.text).not.toContain(`action="${path}/submit"`);
    expect((await web.get('/app/offers')).text).not.toContain(`/app/offers/new?call=${call.id}`);
    const late = await web.get(`/app/offers/new?call=${call.id}`);
    expect(late.status).toBe(409);
    expect(late.text).toContain('Ten konkurs nie przyjmuje już ofert.');
    const count = (await t.db.query(`SELECT count(*)::int AS n FROM offers WHERE call_id = $1`, [call.id]))[0].n;
    expect((await web.post('/app/offers/new', { call: call.id })).status).toBe(409);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM offers WHERE call_id = $1`, [call.id]))[0].n).toBe(count);
  });

  it('keeps a draft to its NGO: another NGO\'s user and an official get the 404 page; both are refused the forms', async () => {
    const call = await publishedCall();
    const draft = await t.call('POST', `/api/v1/calls/${call.id}/offers`, { token: ngoA.token, body: newOffer(year) });
    const path = `/app/offers/${draft.body.id}`;
    const before = await offerRow(draft.body.id);

    const other = await client(ngoB.email);
    for (const url of [path, `${path}/print`]) {
      const answer = await other.get(url);
      expect([url, answer.status]).toEqual([url, 404]);
      expect(answer.text).toContain('<h1>Nie znaleziono</h1>');
      expect(answer.text).not.toContain('Klub Seniora');
    }
    await other.get('/app/offers');
    expect((await other.post(`${path}/sections/other`, { volunteers: 'Cudze', version: String(before.version) })).status).toBe(404);
    expect((await other.post(`${path}/submit`, { confirm: 'true', version: String(before.version) })).status).toBe(404);
    expect((await other.get('/app/offers')).text).not.toContain(path);

    const officer = await client(official.email);
    const seen = await officer.get(path);
    expect(seen.status).toBe(404);
    expect(seen.text).not.toContain('Klub Seniora');
    expect((await officer.get('/app/offers')).status).toBe(403);
    expect((await officer.get('/app')).text).not.toContain('Moje oferty');
    expect((await officer.post(`${path}/submit`, { confirm: 'true', version: String(before.version) })).status).toBe(403);
    expect(await offerRow(draft.body.id)).toEqual(before);
  });

  it('refuses every form without the session\'s CSRF token or from another origin (403), nothing written', async () => {
    const call = await publishedCall();
    const draft = await t.call('POST', `/api/v1/calls/${call.id}/offers`, { token: ngoA.token, body: newOffer(year) });
    const path = `/app/offers/${draft.body.id}`;
    const web = await client(ngoA.email);
    await web.get(path);
    const before = await offerRow(draft.body.id);
    const offers = (await t.db.query(`SELECT count(*)::int AS n FROM offers`))[0].n;
    const posts: Array<[string, Record<string, string | string[]>]> = [
      ['/app/offers/new', { call: call.id }],
      [`${path}/sections/basic`, { ...basic(ngoA.ngoId), title: 'Podmieniony', version: String(before.version) }],
      [`${path}/sections/costs`, { ...costs('1,00', '1,00'), version: String(before.version) }],
      [`${path}/submit`, { confirm: 'true', version: String(before.version) }],
      [`${path}/withdraw`, { confirm: 'true', version: String(before.version) }],
    ];
    for (const [url, fields] of posts) {
      for (const o of [{ csrf: null }, { csrf: 'x'.repeat(43) }, { origin: 'http://evil.example' }, { origin: null }]) {
        const answer = await web.post(url, fields, o);
        expect([url, o, answer.status]).toEqual([url, o, 403]);
      }
    }
    expect(await offerRow(draft.body.id)).toEqual(before);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM offers`))[0].n).toBe(offers);
  });

  it('answers a stale version with the user\'s values kept and the current version, so saving again applies them', async () => {
    const call = await publishedCall();
    const draft = await t.call('POST', `/api/v1/calls/${call.id}/offers`, { token: ngoA.token, body: newOffer(year) });
    const path = `/app/offers/${draft.body.id}`;
    const web = await client(ngoA.email);
    const page = await web.get(path);
    const version = versionOf(page.text, `${path}/sections/other`)!;
    expect((await t.call('PATCH', `/api/v1/offers/${draft.body.id}`, { token: ngoA.token, body: { version: Number(version), title: 'Zmieniony w API', volunteers: 'Zmienione w API' } })).status).toBe(200);
    const stale = await web.post(`${path}/sections/other`, { volunteers: 'Moja wersja', otherInformation: '', version });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('Ktoś inny zapisał ten szkic');
    expect(stale.text).toContain('>Moja wersja</textarea>');
    // what someone else saved in this section, beside the user's values
    expect(stale.text).toContain('<caption id="changes-caption">Zmiany zapisane w międzyczasie przez kogoś innego</caption>');
    expect(stale.text).toContain('<tr><th scope="row">Działania, które będą realizować wolontariusze</th><td>Zmienione w API</td><td>Moja wersja</td></tr>');
    expect(stale.text).not.toContain('Zmieniony w API</td>');
    const current = versionOf(stale.text, `${path}/sections/other`)!;
    expect(Number(current)).toBe(Number(version) + 1);
    expect((await web.post(`${path}/sections/other`, { volunteers: 'Moja wersja', otherInformation: '', version: current })).status).toBe(303);
    expect((await t.call('GET', `/api/v1/offers/${draft.body.id}`, { token: ngoA.token })).body).toMatchObject({ title: 'Zmieniony w API', volunteers: 'Moja wersja' });
  });

  it('withdraws a submitted offer after a confirmation; officials read the submitted offer but not its forms', async () => {
    const call = await publishedCall();
    const draft = await t.call('POST', `/api/v1/calls/${call.id}/offers`, { token: ngoA.token, body: newOffer(year) });
    const submitted = await t.call('POST', `/api/v1/offers/${draft.body.id}/submit`, { token: ngoA.token, body: { version: draft.body.version } });
    expect(submitted.status).toBe(200);
    const path = `/app/offers/${draft.body.id}`;

    const officer = await client(official.email);
    const read = await officer.get(path);
    expect(read.status).toBe(200);
    expect(read.text).toContain(submitted.body.checksum);
    expect(read.text).not.toContain(`action="${path}/withdraw"`);

    const web = await client(ngoA.email);
    const page = await web.get(path);
    expect(page.text).toContain('<h2 id="s-withdraw">Wycofanie oferty</h2>');
    const version = versionOf(page.text, `${path}/withdraw`)!;
    const unconfirmed = await web.post(`${path}/withdraw`, { version });
    expect(unconfirmed.status).toBe(400);
    expect(text(unconfirmed.text, 'f-confirm-withdraw-error')).toBe('Błąd: Zaznacz „Tak, wycofuję tę ofertę”, aby ją wycofać');
    expect((await offerRow(draft.body.id)).status).toBe('submitted');

    const withdrawn = await web.post(`${path}/withdraw`, { confirm: 'true', version });
    expect(withdrawn.status).toBe(303);
    expect((await offerRow(draft.body.id)).status).toBe('withdrawn');
    const after = await web.get(path);
    expect(after.text).toContain('Wycofano ofertę.');
    expect(after.text).toContain('<dt>Status oferty</dt><dd>wycofana</dd>');
    expect(after.text).not.toContain(`action="${path}/withdraw"`);
  });

  it('shows the formal check, then after the resolution the score and the award, with no withdrawal left', async () => {
    const call = await publishedCall();
    const draft = await t.call('POST', `/api/v1/calls/${call.id}/offers`, { token: ngoA.token, body: newOffer(year) });
    expect((await t.call('POST', `/api/v1/offers/${draft.body.id}/submit`, { token: ngoA.token, body: { version: draft.body.version } })).status).toBe(200);
    await moveDeadline(t, call.id, -1);
    expect((await t.call('POST', `/api/v1/offers/${draft.body.id}/formal-check`, { token: official.token, body: { result: 'accepted' } })).status).toBe(200);
    const path = `/app/offers/${draft.body.id}`;
    const web = await client(ngoA.email);
    const checked = await web.get(path);
    expect(checked.text).toContain('<dt>Status oferty</dt><dd>przyjęta – spełnia wymogi formalne</dd>');
    expect(checked.text).toContain('<dt>Ocena formalna</dt><dd>spełnia wymogi formalne</dd>');
    expect(checked.text).not.toContain('Przyznana dotacja');
    expect(checked.text).toContain(`action="${path}/withdraw"`);

    const resolved = await t.call('POST', `/api/v1/calls/${call.id}/resolve`, { token: official.token, body: { awards: [{ offerId: draft.body.id, amount: '30000.00' }] } });
    expect(resolved.status).toBe(200);
    const page = await web.get(path);
    const shown = page.text.replace(/\u00a0|\u202f/g, ' ');
    expect(shown).toContain('<dt>Status oferty</dt><dd>dotacja przyznana</dd>');
    expect(shown).toContain('<dt>Przyznana dotacja</dt><dd>30 000,00 zł</dd>');
    expect(shown).toContain('<dt>Ocena komisji (średnia punktów)</dt><dd>oferta nie była oceniana</dd>');
    expect(page.text).not.toContain(`action="${path}/withdraw"`);
    const before = await offerRow(draft.body.id);
    expect((await web.post(`${path}/withdraw`, { confirm: 'true', version: String(before.version) })).status).toBe(409);
    expect(await offerRow(draft.body.id)).toEqual(before);
  });
});
