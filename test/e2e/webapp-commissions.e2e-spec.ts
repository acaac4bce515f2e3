import { newCommission, newMember, newNgo } from '../utils/factories';
import { createTestApp, PLATFORM_ADMIN, type TestApp } from '../utils/test-app';
import { createUser, signIn, TEST_PASSWORD } from '../utils/users';
import { textOf, WebClient } from '../utils/web-client';

/**
 * Real: HTTP, PostgreSQL, the sessions table, the API's DTOs and services behind every form.
 * The commissions pages of the web app (/app/commissions) as a browser without JavaScript uses
 * them: a commission, its members (add, change role, end) and its meetings (add).
 */
describe('the web app: dialogue commissions', () => {
  let t: TestApp;
  let admin: string;
  let official: { id: string; email: string; token: string };
  let auditor: { id: string; email: string; token: string };
  const year = new Date().getUTCFullYear();
  const count = async (table: string) => Number((await t.db.query(`SELECT count(*) AS n FROM ${table}`))[0].n);
  /** What a refused or forged form must leave as it was. */
  const written = async () => ({
    commissions: await count('commissions'),
    members: await count('commission_members'),
    meetings: await count('commission_meetings'),
    present: await count('meeting_ngos'),
    audit: await count('audit_entries'),
    versions: (await t.db.query(`SELECT coalesce(sum(version), 0)::int AS v FROM (SELECT version FROM commissions UNION ALL SELECT version FROM commission_members) x`))[0].v,
  });
  const auditOf = async (entity: string, id: string) => t.db.query(`SELECT actor_id, action FROM audit_entries WHERE entity = $1 AND entity_id = $2 ORDER BY seq`, [entity, id]);

  beforeAll(async () => {
    t = await createTestApp({ loginRateLimitPerMinute: 1000 });
    admin = await signIn(t, PLATFORM_ADMIN.email);
    official = await createUser(t, admin, { email: 'official@commissions.web.test.example', role: 'official' });
    auditor = await createUser(t, admin, { email: 'auditor@commissions.web.test.example', role: 'auditor' });
  }, 60_000);

  afterAll(() => t?.close());

  const client = (email: string) => WebClient.signedIn(t.url, email, TEST_PASSWORD);

  async function arrange(o: { ngos?: number } = {}) {
    const ngos = [];
    for (let i = 0; i < (o.ngos ?? 2); i++) ngos.push((await t.call('POST', '/api/v1/ngos', { token: official.token, body: newNgo() })).body as { id: string; name: string });
    const commission = (await t.call('POST', '/api/v1/commissions', { token: official.token, body: newCommission() })).body as { id: string; name: string; termStart: string; termEnd: string };
    return { ngos, commission, path: `/app/commissions/${commission.id}` };
  }

  /** The hidden version of a member's role form on the record page. */
  const roleVersion = (html: string, memberId: string) => new RegExp(`action="/app/commissions/[^"]+/members/${memberId}/role"[^>]*>\\s*<input type="hidden" name="_csrf" value="[^"]+">\\s*<input type="hidden" name="version" value="(\\d+)">`).exec(html)?.[1];

  it('lists commissions in the menu, with a search by name and the API\'s filters', async () => {
    const web = await client(official.email);
    const { commission } = await arrange({ ngos: 0 });
    const other = (await t.call('POST', '/api/v1/commissions', { token: official.token, body: newCommission({ name: 'Komisja ds. Dawnej Kadencji', sphere: '16', termStart: '2015-01-01', termEnd: '2018-12-31' }) })).body;
    const list = await web.get('/app/commissions');
    expect(list.status).toBe(200);
    expect(list.text).toContain('<h1>Komisje dialogu obywatelskiego</h1>');
    expect(list.text).toContain('<a href="/app/commissions" aria-current="page">Komisje</a>');
    expect(list.text).toContain('<a class="button" href="/app/commissions/new">Dodaj komisję</a>');
    expect(list.text).toContain(`<a href="/app/commissions/${commission.id}">${commission.name}</a>`);
    expect(list.text).toContain(`<a href="/app/commissions/${other.id}">Komisja ds. Dawnej Kadencji</a>`);

    const searched = await web.get('/app/commissions?search=dawnej');
    expect(searched.text).toContain(`/app/commissions/${other.id}`);
    expect(searched.text).not.toContain(`/app/commissions/${commission.id}"`);
    const inTerm = await web.get('/app/commissions?on=2016-05-01&sphere=16');
    expect(inTerm.text).toContain(`/app/commissions/${other.id}`);
    expect(inTerm.text).not.toContain(`/app/commissions/${commission.id}"`);
    expect(inTerm.text).toMatch(/<option value="16" selected>16\. /);
    expect((await web.get('/app/commissions?search=nic-takiego')).text).toContain('Nie znaleziono żadnej komisji.');
    const badFilter = await web.get('/app/commissions?on=2016-13-01');
    expect(badFilter.status).toBe(200);
    expect(badFilter.text).toContain('Nie można tak filtrować');
  });

  it('creates a commission: a term ending before it starts is refused beside its field (422), values kept, nothing written; then saved, audited, confirmed once; then edited', async () => {
    const web = await client(official.email);
    const form = await web.get('/app/commissions/new');
    expect(form.status).toBe(200);
    expect(form.text).toContain('<h1>Dodaj komisję</h1>');
    expect(form.text).toMatch(/<select id="f-sphere" name="sphere"/);
    expect(form.text).toMatch(/id="f-termStart" name="termStart" type="text"/);
    const fields = { name: 'Komisja Dialogu Obywatelskiego ds. Formularzy', sphere: '16', department: 'Wydział Kultury i Dziedzictwa Narodowego', termStart: '2027-01-01', termEnd: '2026-12-31' };

    const before = await written();
    const refused = await web.post('/app/commissions/new', fields);
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('<title>Błąd: Dodaj komisję');
    expect(refused.text).toMatch(/<div class="error-summary" role="alert"/);
    expect(refused.text).toContain('<a href="#f-termEnd">Koniec kadencji nie może być wcześniejszy niż jej początek</a>');
    expect(textOf(refused.text, 'f-termEnd-error')).toBe('Błąd: Koniec kadencji nie może być wcześniejszy niż jej początek');
    expect(refused.text).toMatch(/id="f-termEnd" name="termEnd" type="text" value="2026-12-31"[^>]*aria-describedby="f-termEnd-hint f-termEnd-error" aria-invalid="true"/);
    expect(refused.text).toContain('value="Komisja Dialogu Obywatelskiego ds. Formularzy"');
    expect(refused.text).toMatch(/<option value="16" selected>/);
    const empty = await web.post('/app/commissions/new', { ...fields, name: '', termStart: '2027-02-30' });
    expect(empty.status).toBe(400);
    expect(textOf(empty.text, 'f-name-error')).toBe('Błąd: Uzupełnij pole „Nazwa komisji”');
    expect(textOf(empty.text, 'f-termStart-error')).toBe('Błąd: Wpisz datę „Początek kadencji” w formacie RRRR-MM-DD, np. 2026-03-01');
    expect(await written()).toEqual(before);

    const saved = await web.post('/app/commissions/new', { ...fields, termEnd: '2030-12-31' });
    expect(saved.status).toBe(303);
    const [row] = await t.db.query(`SELECT id, sphere, department, term_start::text, term_end::text, version FROM commissions WHERE name = $1`, [fields.name]);
    expect(row).toMatchObject({ sphere: '16', department: fields.department, term_start: '2027-01-01', term_end: '2030-12-31', version: 1 });
    expect(saved.location).toBe(`/app/commissions/${row.id}`);
    expect(await auditOf('commission', row.id)).toEqual([{ actor_id: official.id, action: 'create' }]);
    const record = await web.get(saved.location!);
    expect(record.text).toContain(`<h1>${fields.name}</h1>`);
    expect(record.text).toContain(`<div class="notice" role="status"><p>Dodano komisję „${fields.name}”.</p></div>`);
    expect(record.text).toMatch(/<dt>Kadencja<\/dt><dd>1 stycznia 2027 – 31 grudnia 2030<\/dd>/);
    expect(record.text).toContain('Komisja nie ma jeszcze członków.');
    expect((await web.get(saved.location!)).text).not.toContain('class="notice"');

    // edited with the version read; a stale one is 409 with what changed meanwhile
    const edit = await web.get(`${saved.location}/edit`);
    expect(edit.text).toContain('name="version" value="1"');
    expect(edit.text).toContain('value="2027-01-01"');
    const changed = { ...fields, termEnd: '2030-12-31', sphere: '', department: 'Wydział Polityki Społecznej', version: '1' };
    const ok = await web.post(`${saved.location}/edit`, changed);
    expect(ok.status).toBe(303);
    expect(ok.location).toBe(saved.location);
    const [after] = await t.db.query(`SELECT sphere, department, version FROM commissions WHERE id = $1`, [row.id]);
    expect(after).toEqual({ sphere: null, department: 'Wydział Polityki Społecznej', version: 2 });
    expect((await web.get(saved.location!)).text).toContain(`Zapisano zmiany komisji „${fields.name}”.`);
    const stale = await web.post(`${saved.location}/edit`, { ...changed, department: 'Wydział Inny' });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('Ktoś inny zmienił ten rekord');
    expect(stale.text).toContain('name="version" value="2"');
    expect(await auditOf('commission', row.id)).toEqual([
      { actor_id: official.id, action: 'create' },
      { actor_id: official.id, action: 'update' },
    ]);
  });

  it('adds members, refusing dates outside the term, an unknown NGO and an overlap beside their fields with nothing written; changes a role; ends a membership, which stays as past', async () => {
    const web = await client(official.email);
    const { ngos, commission, path } = await arrange({ ngos: 2 });
    const [first, second] = ngos;
    const record = await web.get(path);
    expect(record.status).toBe(200);
    expect(record.text).toContain(`<form method="post" action="${path}/members" aria-labelledby="add-member-heading" novalidate>`);
    expect(record.text).toContain(`<option value="${first.id}">${first.name}, KRS `);
    expect(record.text).toMatch(/<select id="f-role" name="role"[\s\S]*<option value="chair">przewodniczący<\/option>/);

    const fields = { ngoId: first.id, representative: 'Anna Nowak', role: 'vice-chair', from: `${year - 3}-01-01`, to: '' };
    const before = await written();
    const outside = await web.post(`${path}/members`, fields);
    expect(outside.status).toBe(422);
    expect(outside.text).toContain(`<title>Błąd: ${commission.name}`);
    const inTerm = `Członkostwo musi zaczynać się w czasie kadencji komisji (od ${commission.termStart} do ${commission.termEnd})`;
    expect(outside.text).toContain(`<a href="#f-from">${inTerm}</a>`);
    expect(textOf(outside.text, 'f-from-error')).toBe(`Błąd: ${inTerm}`);
    expect(outside.text).toMatch(/id="f-from" name="from" type="text" value="\d{4}-01-01"[^>]*aria-invalid="true"/);
    expect(outside.text).toContain('id="f-representative" name="representative" type="text" value="Anna Nowak"');
    expect(outside.text).toContain(`<option value="${first.id}" selected>`);
    expect(outside.text).toContain('<option value="vice-chair" selected>wiceprzewodniczący</option>');

    const unknown = await web.post(`${path}/members`, { ...fields, ngoId: '00000000-0000-4000-8000-000000000000', from: `${year}-01-01` });
    expect(unknown.status).toBe(422);
    expect(textOf(unknown.text, 'f-ngoId-error')).toBe('Błąd: Nie ma takiej organizacji w rejestrze gminy');
    const empty = await web.post(`${path}/members`, { ngoId: '', representative: '', role: '', from: '', to: '' });
    expect(empty.status).toBe(400);
    expect(textOf(empty.text, 'f-ngoId-error')).toBe('Błąd: Wybierz: organizacja');
    expect(textOf(empty.text, 'f-representative-error')).toBe('Błąd: Uzupełnij pole „Przedstawiciel organizacji”');
    expect(textOf(empty.text, 'f-role-error')).toBe('Błąd: Wybierz: funkcja');
    expect(await written()).toEqual(before);

    const added = await web.post(`${path}/members`, { ...fields, from: `${year - 1}-01-01` });
    expect(added.status).toBe(303);
    expect(added.location).toBe(path);
    const [member] = await t.db.query(`SELECT id, role, representative, from_date::text, to_date FROM commission_members WHERE commission_id = $1 AND ngo_id = $2`, [commission.id, first.id]);
    expect(member).toMatchObject({ role: 'vice-chair', representative: 'Anna Nowak', from_date: `${year - 1}-01-01`, to_date: null });
    expect(await auditOf('member', member.id)).toEqual([{ actor_id: official.id, action: 'create' }]);
    const shown = await web.get(path);
    expect(shown.text).toContain(`Dodano do komisji organizację „${first.name}” (wiceprzewodniczący) od 1 stycznia ${year - 1}.`);
    expect(shown.text).toContain(`<tr><th scope="row"><a href="/app/ngos/${first.id}">${first.name}</a></th><td>Anna Nowak</td><td>wiceprzewodniczący</td><td>1 stycznia ${year - 1}</td><td>do końca kadencji</td><td>obecnie</td></tr>`);

    // the same NGO again on overlapping days: 409, as the API
    const overlap = await web.post(`${path}/members`, { ...fields, representative: 'Jan Kowalski', from: `${year}-01-01` });
    expect(overlap.status).toBe(409);
    expect(textOf(overlap.text, 'f-from-error')).toBe('Błąd: Ta organizacja jest już członkiem tej komisji w części tych dni');
    expect(await count('commission_members')).toBe(before.members + 1);

    // a new role, with the version read
    const version = roleVersion(shown.text, member.id);
    expect(version).toBe('1');
    const role = await web.post(`${path}/members/${member.id}/role`, { role: 'chair', version: version! });
    expect(role.status).toBe(303);
    expect(role.location).toBe(path);
    expect((await t.db.query(`SELECT role, version FROM commission_members WHERE id = $1`, [member.id]))[0]).toEqual({ role: 'chair', version: 2 });
    expect((await web.get(path)).text).toContain(`Zmieniono funkcję organizacji „${first.name}” w komisji na: przewodniczący.`);
    const beforeStale = await written();
    const stale = await web.post(`${path}/members/${member.id}/role`, { role: 'secretary', version: '1' });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('Ktoś inny zmienił ten rekord');
    // the refused form opens with the user's choice, and now the current version
    expect(stale.text).toMatch(new RegExp(`<details class="member-change" open>\\s*<summary>${first.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(przewodniczący\\)</summary>`));
    expect(stale.text).toContain(`<select id="m-${member.id}-role" name="role"`);
    expect(stale.text).toContain('<option value="secretary" selected>sekretarz</option>');
    expect(roleVersion(stale.text, member.id)).toBe('2');
    expect(await written()).toEqual(beforeStale);

    // ending it: a malformed day (400) and one before its start (422) beside the field; then on a given day
    const badDay = await web.post(`${path}/members/${member.id}/end`, { on: `${year}-02-30` });
    expect(badDay.status).toBe(400);
    expect(textOf(badDay.text, `m-${member.id}-on-error`)).toBe('Błąd: Wpisz datę „Ostatni dzień członkostwa” w formacie RRRR-MM-DD, np. 2026-03-01');
    expect(badDay.text).toContain(`<a href="#m-${member.id}-on">`);
    expect(badDay.text).toMatch(new RegExp(`id="m-${member.id}-on" name="on" type="text" value="${year}-02-30"[^>]*aria-describedby="m-${member.id}-on-hint m-${member.id}-on-error" aria-invalid="true"`));
    const early = await web.post(`${path}/members/${member.id}/end`, { on: `${year - 2}-12-31` });
    expect(early.status).toBe(422);
    expect(textOf(early.text, `m-${member.id}-on-error`)).toBe(`Błąd: Członkostwo zaczyna się ${year - 1}-01-01; nie może skończyć się wcześniej`);
    expect(await written()).toEqual(beforeStale);

    const ended = await web.post(`${path}/members/${member.id}/end`, { on: `${year - 1}-06-30` });
    expect(ended.status).toBe(303);
    expect(ended.location).toBe(path);
    expect((await t.db.query(`SELECT to_date::text FROM commission_members WHERE id = $1`, [member.id]))[0].to_date).toBe(`${year - 1}-06-30`);
    expect((await auditOf('member', member.id)).map((e: { action: string }) => e.action)).toEqual(['create', 'update', 'end']);
    const history = await web.get(path);
    expect(history.text).toContain(`Zakończono członkostwo organizacji „${first.name}” w komisji; ostatni dzień: 30 czerwca ${year - 1}.`);
    // still in the table, as past; no longer offered for a change
    expect(history.text).toContain(`<tr><th scope="row"><a href="/app/ngos/${first.id}">${first.name}</a></th><td>Anna Nowak</td><td>przewodniczący</td><td>1 stycznia ${year - 1}</td><td>30 czerwca ${year - 1}</td><td>zakończone</td></tr>`);
    expect(history.text).toContain(`Członkowie obecni i dawni (1)`);
    expect(history.text).not.toContain(`/members/${member.id}/end"`);
    const again = await web.post(`${path}/members/${member.id}/end`, { on: `${year}-01-31` });
    expect(again.status).toBe(422);
    expect(textOf(again.text, `m-${member.id}-on-error`)).toBe(`Błąd: To członkostwo skończyło się już ${year - 1}-06-30`);

    // with the day left empty, the membership ends today (Europe/Warsaw)
    expect((await t.call('POST', `/api/v1/commissions/${commission.id}/members`, { token: official.token, body: newMember(second.id) })).status).toBe(201);
    const [other] = await t.db.query(`SELECT id FROM commission_members WHERE commission_id = $1 AND ngo_id = $2`, [commission.id, second.id]);
    await web.get(path);
    expect((await web.post(`${path}/members/${other.id}/end`, { on: '' })).status).toBe(303);
    const [{ today }] = await t.db.query(`SELECT ((now() AT TIME ZONE 'Europe/Warsaw')::date)::text AS today`);
    expect((await t.db.query(`SELECT to_date::text FROM commission_members WHERE id = $1`, [other.id]))[0].to_date).toBe(today);
  });

  it('adds a meeting with the NGOs present; a date outside the term and an NGO chosen twice are refused beside their fields, nothing written', async () => {
    const web = await client(official.email);
    const { ngos, commission, path } = await arrange({ ngos: 2 });
    const [first, second] = ngos;
    const record = await web.get(path);
    expect(record.text).toContain(`<form method="post" action="${path}/meetings" aria-labelledby="add-meeting-heading" novalidate>`);
    expect(record.text).toContain('Nie zapisano jeszcze żadnego posiedzenia.');
    expect(record.text).toMatch(/<select id="f-ngoIdsPresent" name="ngoIdsPresent"/);
    expect(record.text).toMatch(/<select id="f-ngoIdsPresent-3" name="ngoIdsPresent"/);

    const fields = { date: `${year + 5}-03-12`, title: 'Opinia o projekcie programu współpracy', ngoIdsPresent: [second.id, first.id, '', ''] };
    const before = await written();
    const outside = await web.post(`${path}/meetings`, fields);
    expect(outside.status).toBe(422);
    const inTerm = `Posiedzenie musi odbyć się w czasie kadencji komisji (od ${commission.termStart} do ${commission.termEnd})`;
    expect(outside.text).toContain(`<a href="#f-date">${inTerm}</a>`);
    expect(textOf(outside.text, 'f-date-error')).toBe(`Błąd: ${inTerm}`);
    expect(outside.text).toContain('value="Opinia o projekcie programu współpracy"');
    expect(outside.text).toMatch(new RegExp(`<select id="f-ngoIdsPresent" name="ngoIdsPresent"[\\s\\S]*?<option value="${second.id}" selected>[\\s\\S]*?<select id="f-ngoIdsPresent-1" name="ngoIdsPresent"[\\s\\S]*?<option value="${first.id}" selected>`));
    const twice = await web.post(`${path}/meetings`, { ...fields, date: `${year}-03-12`, ngoIdsPresent: [first.id, first.id, '', ''] });
    expect(twice.status).toBe(400);
    expect(textOf(twice.text, 'f-ngoIdsPresent-error')).toBe('Błąd: Ta sama organizacja jest wybrana więcej niż raz w polu „Organizacja obecna”');
    expect(await written()).toEqual(before);

    const saved = await web.post(`${path}/meetings`, { ...fields, date: `${year}-03-12` });
    expect(saved.status).toBe(303);
    expect(saved.location).toBe(path);
    const [meeting] = await t.db.query(
      `SELECT m.id, m.title, m.date::text, array(SELECT ngo_id::text FROM meeting_ngos n WHERE n.meeting_id = m.id ORDER BY ngo_id) AS present FROM commission_meetings m WHERE m.commission_id = $1`,
      [commission.id],
    );
    expect(meeting).toMatchObject({ title: fields.title, date: `${year}-03-12`, present: [first.id, second.id].sort() });
    expect(await auditOf('meeting', meeting.id)).toEqual([{ actor_id: official.id, action: 'create' }]);
    const shown = await web.get(path);
    expect(shown.text).toContain(`Dodano posiedzenie z 12 marca ${year}: „${fields.title}”.`);
    expect(shown.text).toMatch(/<dt>Posiedzenia<\/dt><dd>1<\/dd>/);
    const names = [first.name, second.name].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
    expect(shown.text).toContain(`<tr><th scope="row">12 marca ${year}</th><td>${fields.title}</td><td><ul class="plain"><li>${names[0]}</li><li>${names[1]}</li></ul></td></tr>`);
  });

  it('lets an auditor read the list and the record without forms, and refuses the forms and their POSTs (403, nothing written); unknown ids are 404', async () => {
    const { ngos, commission, path } = await arrange({ ngos: 1 });
    expect((await t.call('POST', `/api/v1/commissions/${commission.id}/members`, { token: official.token, body: newMember(ngos[0].id, { representative: 'Ewa Czytelna' }) })).status).toBe(201);
    const [member] = await t.db.query(`SELECT id FROM commission_members WHERE commission_id = $1`, [commission.id]);
    const web = await client(auditor.email);
    const list = await web.get('/app/commissions');
    expect(list.status).toBe(200);
    expect(list.text).toContain('<a href="/app/commissions" aria-current="page">Komisje</a>');
    expect(list.text).not.toContain('/app/commissions/new');
    const record = await web.get(path);
    expect(record.status).toBe(200);
    expect(record.text).toContain('<td>Ewa Czytelna</td>');
    expect(record.text).not.toContain(`action="${path}`);
    expect(record.text).not.toContain(`${path}/edit`);
    expect((await web.get('/app/commissions/new')).status).toBe(403);
    expect((await web.get(`${path}/edit`)).status).toBe(403);

    const before = await written();
    const posts: Array<[string, Record<string, string | string[]>]> = [
      ['/app/commissions/new', { name: 'Komisja audytora', department: 'Wydział', termStart: `${year}-01-01`, termEnd: `${year}-12-31` }],
      [`${path}/edit`, { name: 'Zmieniona przez audytora', version: '1' }],
      [`${path}/members`, { ngoId: ngos[0].id, representative: 'X', role: 'member', from: `${year}-01-01` }],
      [`${path}/members/${member.id}/role`, { role: 'chair', version: '1' }],
      [`${path}/members/${member.id}/end`, { on: '' }],
      [`${path}/meetings`, { date: `${year}-02-01`, title: 'Posiedzenie audytora' }],
    ];
    for (const [url, fields] of posts) {
      const answer = await web.post(url, fields);
      expect([url, answer.status]).toEqual([url, 403]);
      expect(answer.text).toContain('Brak dostępu');
    }
    expect(await written()).toEqual(before);

    expect((await web.get('/app/commissions/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await web.get('/app/commissions/not-a-uuid')).status).toBe(404);
    const official404 = await client(official.email);
    await official404.get(path);
    expect((await official404.post(`${path}/members/00000000-0000-4000-8000-000000000000/role`, { role: 'chair', version: '1' })).status).toBe(404);
  });

  it('is not in the menu of an NGO account, which cannot open it', async () => {
    const { ngos } = await arrange({ ngos: 1 });
    const user = await createUser(t, admin, { email: 'ngo@commissions.web.test.example', role: 'ngo', ngoId: ngos[0].id });
    const web = await client(user.email);
    const start = await web.get('/app');
    expect(start.status).toBe(200);
    expect(start.text).not.toContain('href="/app/commissions"');
    expect((await web.get('/app/commissions')).status).toBe(403);
  });

  describe('CSRF: every form of the pages without the session\'s token or from another origin is refused with 403, nothing written', () => {
    const cases: Array<[string, { csrf?: string | null; origin?: string | null }]> = [
      ['no token', { csrf: null }],
      ['a wrong token', { csrf: 'x'.repeat(43) }],
      ['a foreign Origin', { origin: 'https://evil.example' }],
    ];
    it.each(cases)('%s', async (_what, o) => {
      const { ngos, commission, path } = await arrange({ ngos: 1 });
      expect((await t.call('POST', `/api/v1/commissions/${commission.id}/members`, { token: official.token, body: newMember(ngos[0].id) })).status).toBe(201);
      const [member] = await t.db.query(`SELECT id FROM commission_members WHERE commission_id = $1`, [commission.id]);
      const web = await client(official.email);
      await web.get(path);
      const before = await written();
      const posts: Array<[string, Record<string, string | string[]>]> = [
        ['/app/commissions/new', { name: 'Komisja bez tokenu', department: 'Wydział', termStart: `${year}-01-01`, termEnd: `${year}-12-31` }],
        [`${path}/edit`, { name: 'Zmieniona bez tokenu', department: 'Wydział', termStart: commission.termStart, termEnd: commission.termEnd, version: '1' }],
        [`${path}/members`, { ngoId: ngos[0].id, representative: 'X', role: 'member', from: `${year + 2}-01-01` }],
        [`${path}/members/${member.id}/role`, { role: 'chair', version: '1' }],
        [`${path}/members/${member.id}/end`, { on: '' }],
        [`${path}/meetings`, { date: `${year}-02-01`, title: 'Posiedzenie bez tokenu', ngoIdsPresent: [ngos[0].id] }],
      ];
      for (const [url, fields] of posts) {
        const answer = await web.post(url, fields, o);
        expect([url, answer.status]).toEqual([url, 403]);
        expect(answer.text).toContain('Nie zapisano zmian');
      }
      expect(await written()).toEqual(before);
      // the same forms with the token and our origin are accepted (the refusals above were the token's or the origin's)
      expect((await web.post(`${path}/members/${member.id}/role`, { role: 'chair', version: '1' })).status).toBe(303);
    });
  });

  it('shows the web writes in the audit trail', async () => {
    const web = await client(official.email);
    await web.get('/app/commissions/new');
    const saved = await web.post('/app/commissions/new', { name: 'Komisja Dziennikowa', sphere: '', department: 'Wydział Spraw Społecznych', termStart: `${year - 1}-01-01`, termEnd: `${year + 1}-12-31` });
    expect(saved.status).toBe(303);
    const id = saved.location!.split('/').pop()!;
    const ngo = (await t.call('POST', '/api/v1/ngos', { token: official.token, body: newNgo() })).body;
    await web.get(saved.location!);
    expect((await web.post(`${saved.location}/members`, { ngoId: ngo.id, representative: 'Adam Dziennik', role: 'member', from: `${year - 1}-02-01`, to: '' })).status).toBe(303);
    const [member] = await t.db.query(`SELECT id FROM commission_members WHERE commission_id = $1`, [id]);
    expect((await web.post(`${saved.location}/members/${member.id}/end`, { on: `${year - 1}-12-31` })).status).toBe(303);
    expect((await web.post(`${saved.location}/meetings`, { date: `${year - 1}-05-05`, title: 'Posiedzenie dziennikowe', ngoIdsPresent: [ngo.id, '', '', ''] })).status).toBe(303);
    const [meeting] = await t.db.query(`SELECT id FROM commission_meetings WHERE commission_id = $1`, [id]);
    const email = official.email.replace(/\./g, '\\.');
    const rows: Array<[string, string, string]> = [
      ['commission', 'create', `komisja ${id}`],
      ['member', 'create', `członek komisji ${member.id}`],
      ['member', 'end', `członek komisji ${member.id}`],
      ['meeting', 'create', `posiedzenie ${meeting.id}`],
    ];
    for (const [entity, action, what] of rows) {
      const trail = await web.get(`/app/audit?entity=${entity}&action=${action}`);
      expect(trail.status).toBe(200);
      expect(trail.text).toMatch(new RegExp(`<td>${email}</td><td>${action === 'end' ? 'zakończenie' : 'dodanie'}</td><td>${what}</td>`));
      // each entry links to the commission's page, the members' and meetings' entries too
      expect(trail.text).toContain(`href="/app/commissions/${id}"`);
    }
  });
});
