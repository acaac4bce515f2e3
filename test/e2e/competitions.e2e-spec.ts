import { annualProgram, moveDeadline, newCall, newOffer, ngoWithUser, warsawToday } from '../utils/competitions';
import { newTask, usersOfEveryRole, type Tokens } from '../utils/factories';
import { createTestApp, PLATFORM_ADMIN, type Answer, type TestApp } from '../utils/test-app';
import { createMunicipality, createUser, signIn } from '../utils/users';

type Ngo = Awaited<ReturnType<typeof ngoWithUser>>;

const expectStatus = (r: Answer, status: number) => {
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${r.text}`);
};
const ruleFields = (r: Answer) => (r.body.errors as Array<{ rule: string; field: string }>).map((e) => `${e.rule} ${e.field}`);

/**
 * Real: HTTP, PostgreSQL, the server's clock. A whole open competition through the API
 * (competitions.md): the call, the offers, the commission, the scores, the resolution into
 * funded tasks and the public results; a cancelled call; submissions racing the deadline; two
 * resolutions at once.
 */
describe('open competitions', () => {
  let t: TestApp;
  let k: Tokens;
  let slug: string;
  let today: string;
  let year: number;
  let programId: string;

  beforeAll(async () => {
    t = await createTestApp();
    const platformAdmin = await signIn(t, PLATFORM_ADMIN.email);
    k = await usersOfEveryRole(t, platformAdmin, 'konkurs');
    [{ slug }] = await t.db.query(`SELECT m.slug FROM municipalities m JOIN users u ON u.municipality_id = m.id WHERE u.email = 'official.konkurs@test.example'`);
    ({ today, year } = await warsawToday(t));
    programId = await annualProgram(t, k.official, year);
  });
  afterAll(() => t.close());

  const draftCall = async (days = 22, overrides: Record<string, unknown> = {}) => {
    const r = await t.call('POST', '/api/v1/calls', { token: k.official, body: newCall(programId, year, today, days, overrides) });
    expectStatus(r, 201);
    return r.body as { id: string; version: number; number: string };
  };
  const publish = (call: { id: string; version: number }) => t.call('POST', `/api/v1/calls/${call.id}/publish`, { token: k.official, body: { version: call.version } });
  const publishedCall = async (overrides: Record<string, unknown> = {}) => {
    const r = await publish(await draftCall(22, overrides));
    expectStatus(r, 200);
    return r.body as { id: string; version: number; number: string; budget: string };
  };
  const draftOffer = async (callId: string, ngo: Ngo, body: Record<string, unknown> = newOffer(year)) => {
    const r = await t.call('POST', `/api/v1/calls/${callId}/offers`, { token: ngo.token, body });
    expectStatus(r, 201);
    return r.body as { id: string; version: number; problems: Array<{ field: string; rule: string }> };
  };
  const submit = (offer: { id: string; version: number }, ngo: Ngo) => t.call('POST', `/api/v1/offers/${offer.id}/submit`, { token: ngo.token, body: { version: offer.version } });
  const formalCheck = (offerId: string, result: 'accepted' | 'rejected', reason?: string) =>
    t.call('POST', `/api/v1/offers/${offerId}/formal-check`, { token: k.official, body: { result, reason } });
  const criteriaScores = (points: number[]) =>
    ['feasibility', 'costs', 'quality', 'own-funds', 'input', 'reliability'].map((code, i) => ({ code, points: points[i], comment: i === 0 ? 'Dobrze opisane działania' : undefined }));

  describe('a whole competition', () => {
    let call: { id: string; version: number; number: string; budget: string };
    let a: Ngo; // lead of the joint offer
    let b: Ngo; // its partner
    let c: Ngo; // the offer with a broken cost line, fixed before submission
    let d: Ngo; // submits a second after the deadline
    let n: Ngo; // a non-bidding NGO that nominates a member
    let offerA: { id: string; version: number };
    let offerC: { id: string; version: number };
    let offerD: { id: string; version: number };
    let chair: { id: string; token: string };
    let nominee: { id: string; token: string };
    let nomineeOfC: { id: string; token: string };
    let memberIds: Record<string, string>;

    beforeAll(async () => {
      [a, b, c, d, n] = await Promise.all(['lider', 'partner', 'poprawiona', 'spozniona', 'nominujaca'].map((tag) => ngoWithUser(t, k.admin, `${tag}-${process.pid}`)));
      chair = await createUser(t, k.admin, { email: `przewodniczaca-${process.pid}@test.example`, role: 'official' });
      nominee = { id: n.userId, token: n.token };
      nomineeOfC = await createUser(t, k.admin, { email: `kandydat-c-${process.pid}@test.example`, role: 'ngo', ngoId: c.ngoId });
    });

    it('refuses to publish with 20 days for offers, and publishes with 21 or more (art. 13 ust. 1)', async () => {
      const short = await draftCall(20);
      const refused = await publish(short);
      expect(refused.status).toBe(422);
      expect(ruleFields(refused)).toEqual(['call.offer-period-21-days offersUntil']);
      expect((await t.call('GET', `/api/v1/calls/${short.id}`, { token: k.official })).body.status).toBe('draft');

      const exact = await draftCall(21);
      expectStatus(await publish(exact), 200);

      call = await publishedCall({ budget: '60000.00' });
      expect(call).toMatchObject({ status: 'published', budget: '60000.00' });
      expect((call as unknown as { priorSpend: unknown }).priorSpend).toEqual({
        currentYear: { year, tasks: 0, granted: '0.00' },
        previousYear: { year: year - 1, tasks: 0, granted: '0.00' },
      });
      // the announcement is frozen once published
      const edit = await t.call('PATCH', `/api/v1/calls/${call.id}`, { token: k.official, body: { version: call.version, title: 'Inny tytuł' } });
      expect(edit.status).toBe(409);
    });

    it('adds the commission: an official chair, a person nominated by a non-bidding NGO, and a nominee of an NGO that will bid', async () => {
      const add = (userId: string, role = 'member') => t.call('POST', `/api/v1/calls/${call.id}/commission`, { token: k.official, body: { userId, role } });
      const added = [await add(chair.id, 'chair'), await add(nominee.id), await add(nomineeOfC.id)];
      added.forEach((r) => expectStatus(r, 201));
      expect(added[1].body).toMatchObject({ nominatedBy: n.ngoId, declaredAt: null });
      memberIds = { chair: added[0].body.id, nominee: added[1].body.id, nomineeOfC: added[2].body.id };
      expect((await add(chair.id)).status).toBe(409);
      const auditor = await t.db.query(`SELECT id::text FROM users WHERE email = 'auditor.konkurs@test.example'`);
      expect(ruleFields(await add(auditor[0].id))).toEqual(['call.member-role userId']);
    });

    it('takes three offers: a joint one, one whose broken cost line is fixed before submission, and one a second late', async () => {
      const draftA = await draftOffer(call.id, a, { ...newOffer(year), ngoIds: [a.ngoId, b.ngoId], title: 'Wspólny klub seniora' });
      expect(draftA.problems).toEqual([]);
      const submittedA = await submit(draftA, a);
      expectStatus(submittedA, 200);
      expect(submittedA.body).toMatchObject({ status: 'submitted', ngoIds: [a.ngoId, b.ngoId] });
      expect(submittedA.body.checksum).toMatch(/^[0-9a-f]{64}$/);
      offerA = submittedA.body;

      // a draft may be saved wrong; each broken rule is named by its field
      const broken = newOffer(year, { title: 'Warsztaty komputerowe' }) as { costs: Array<Record<string, unknown>> };
      broken.costs[1] = { ...broken.costs[1], fromGrant: '5000.00' };
      const draft = await draftOffer(call.id, c, broken);
      expect(draft.problems.map((p) => `${p.rule} ${p.field}`)).toEqual(['offer.cost-line-sum costs[1].fromGrant', 'offer.funding-grant funding.grantRequested']);
      const refused = await submit(draft, c);
      expect(refused.status).toBe(422);
      expect(ruleFields(refused)).toEqual(['offer.cost-line-sum costs[1].fromGrant', 'offer.funding-grant funding.grantRequested']);
      expect((await t.db.query(`SELECT status, checksum FROM offers WHERE id = $1`, [draft.id]))[0]).toEqual({ status: 'draft', checksum: null });
      const fixed = await t.call('PATCH', `/api/v1/offers/${draft.id}`, { token: c.token, body: { version: draft.version, costs: newOffer(year).costs } });
      expectStatus(fixed, 200);
      expect(fixed.body.problems).toEqual([]);
      const submittedC = await submit(fixed.body, c);
      expectStatus(submittedC, 200);
      offerC = submittedC.body;

      // drafts are the NGO's alone
      offerD = await draftOffer(call.id, d, newOffer(year, { title: 'Spóźniona oferta' }));
      expect((await t.call('GET', `/api/v1/offers/${offerD.id}`, { token: k.official })).status).toBe(404);
      expect((await t.call('GET', `/api/v1/offers/${offerD.id}`, { token: a.token })).status).toBe(404);
      const officialList = await t.call('GET', `/api/v1/calls/${call.id}/offers`, { token: k.official });
      expect((officialList.body.items as Array<{ id: string }>).map((o) => o.id).sort()).toEqual([offerA.id, offerC.id].sort());
    });

    it("suspends the nominee of an NGO that submits after the member was added, and refuses a bidder's nominee (art. 15 ust. 2d)", async () => {
      const members = await t.call('GET', `/api/v1/calls/${call.id}/commission`, { token: k.official });
      const ofC = (members.body as Array<{ id: string; suspendedAt: string | null }>).find((m) => m.id === memberIds.nomineeOfC)!;
      expect(ofC.suspendedAt).not.toBeNull();
      const bidderNominee = await createUser(t, k.admin, { email: `kandydat-a-${process.pid}@test.example`, role: 'ngo', ngoId: a.ngoId });
      const refused = await t.call('POST', `/api/v1/calls/${call.id}/commission`, { token: k.official, body: { userId: bidderNominee.id } });
      expect(refused.status).toBe(422);
      expect(ruleFields(refused)).toEqual(['call.member-bidder nominatedBy']);
      // a partner of a joint offer takes part as well
      const partnerNominee = await createUser(t, k.admin, { email: `kandydat-b-${process.pid}@test.example`, role: 'ngo', ngoId: b.ngoId });
      expect((await t.call('POST', `/api/v1/calls/${call.id}/commission`, { token: k.official, body: { userId: partnerNominee.id } })).status).toBe(422);
    });

    it('refuses the offer submitted a second after the deadline, and changes nothing', async () => {
      await moveDeadline(t, call.id, -1);
      const late = await submit(offerD, d);
      expect(late.status).toBe(422);
      expect(ruleFields(late)).toEqual(['offer.deadline offersUntil']);
      expect((await t.db.query(`SELECT status, checksum, submitted_at, version FROM offers WHERE id = $1`, [offerD.id]))[0]).toEqual({ status: 'draft', checksum: null, submitted_at: null, version: offerD.version });
      expect((await t.call('GET', `/api/v1/calls/${call.id}`, { token: k.official })).body.status).toBe('closed');
      // nor can a new offer be started
      expect((await t.call('POST', `/api/v1/calls/${call.id}/offers`, { token: n.token, body: {} })).status).toBe(409);
    });

    it('shows no offer to a member before their declaration, and hides the offer they declared a conflict with', async () => {
      expect((await t.call('GET', `/api/v1/calls/${call.id}/offers`, { token: chair.token })).status).toBe(403);
      expect((await t.call('GET', `/api/v1/offers/${offerA.id}`, { token: chair.token })).status).toBe(403);
      expect((await t.call('GET', `/api/v1/offers/${offerA.id}`, { token: nominee.token })).status).toBe(403);
      // the suspended member has no seat
      expect((await t.call('POST', `/api/v1/calls/${call.id}/commission/declaration`, { token: nomineeOfC.token, body: { conflicts: [] } })).status).toBe(403);

      const declarationPage = await t.call('GET', `/api/v1/calls/${call.id}/commission/declaration`, { token: chair.token });
      expectStatus(declarationPage, 200);
      expect((declarationPage.body.offers as Array<{ id: string; ngoNames: string[] }>).find((o) => o.id === offerA.id)!.ngoNames).toEqual([a.name, b.name]);

      expectStatus(await t.call('POST', `/api/v1/calls/${call.id}/commission/declaration`, { token: chair.token, body: { conflicts: [offerC.id] } }), 201);
      expectStatus(await t.call('POST', `/api/v1/calls/${call.id}/commission/declaration`, { token: nominee.token, body: { conflicts: [] } }), 201);
      expect((await t.call('POST', `/api/v1/calls/${call.id}/commission/declaration`, { token: nominee.token, body: { conflicts: [] } })).status).toBe(409);

      expect((await t.call('GET', `/api/v1/offers/${offerC.id}`, { token: chair.token })).status).toBe(403);
      const chairList = await t.call('GET', `/api/v1/calls/${call.id}/offers`, { token: chair.token });
      expect((chairList.body.items as Array<{ id: string }>).map((o) => o.id)).toEqual([offerA.id]);
    });

    it('records the formal checks, and the members score the accepted offers within each criterion', async () => {
      expect((await formalCheck(offerA.id, 'rejected')).status).toBe(422); // a rejection says why
      expectStatus(await formalCheck(offerA.id, 'accepted'), 200);
      expectStatus(await formalCheck(offerC.id, 'accepted'), 200);
      // the nominee sees the offers passed to the commission
      expect((await t.call('GET', `/api/v1/offers/${offerC.id}`, { token: nominee.token })).status).toBe(200);

      const score = (offerId: string, token: string, scores: unknown) => t.call('PUT', `/api/v1/offers/${offerId}/scores`, { token, body: { scores } });
      const tooMany = await score(offerA.id, chair.token, criteriaScores([11, 5, 5, 5, 5, 5]));
      expect(ruleFields(tooMany)).toEqual(['score.max-points scores[0].points']);
      const missing = await score(offerA.id, chair.token, criteriaScores([5, 5, 5, 5, 5, 5]).slice(1));
      expect(ruleFields(missing)).toEqual(['score.every-criterion scores']);
      expect((await score(offerC.id, chair.token, criteriaScores([5, 5, 5, 5, 5, 5]))).status).toBe(403); // declared conflict
      expect((await score(offerA.id, k.official, criteriaScores([5, 5, 5, 5, 5, 5]))).status).toBe(403); // not a member

      expect((await score(offerA.id, chair.token, criteriaScores([9, 8, 9, 7, 8, 9]))).body.total).toBe('50.00');
      expect((await score(offerA.id, nominee.token, criteriaScores([8, 8, 8, 8, 8, 7.5]))).body.total).toBe('47.50');
      expect((await score(offerC.id, nominee.token, criteriaScores([6, 5, 6, 5, 6, 5]))).body.total).toBe('33.00');
      // a card is replaced, not added
      expect((await score(offerC.id, nominee.token, criteriaScores([6, 6, 6, 6, 6, 6]))).body.total).toBe('36.00');

      const ranking = await t.call('GET', `/api/v1/calls/${call.id}/ranking`, { token: k.official });
      expectStatus(ranking, 200);
      expect(ranking.body.map((r: Record<string, unknown>) => [r.offerId, r.score, r.cards, r.position])).toEqual([
        [offerA.id, '48.75', 2, 1],
        [offerC.id, '36.00', 1, 2],
      ]);
      expect(ranking.body[0].ngoNames).toEqual([a.name, b.name]);
      const chairRanking = await t.call('GET', `/api/v1/calls/${call.id}/ranking`, { token: chair.token });
      expect(chairRanking.body.map((r: { offerId: string }) => r.offerId)).toEqual([offerA.id]);
      // an NGO does not see the ranking before the results
      expect((await t.call('GET', `/api/v1/calls/${call.id}/ranking`, { token: a.token })).status).toBe(403);
    });

    it('refuses a resolution over the budget or above a request, then resolves: one funded task per award, in the same transaction', async () => {
      const resolve = (awards: unknown) => t.call('POST', `/api/v1/calls/${call.id}/resolve`, { token: k.official, body: { awards } });
      const overBudget = await resolve([
        { offerId: offerA.id, amount: '36000.00' },
        { offerId: offerC.id, amount: '30000.00' },
      ]);
      expect(ruleFields(overBudget)).toEqual(['call.awards-within-budget awards']);
      const overRequest = await resolve([{ offerId: offerA.id, amount: '36000.01' }]);
      expect(ruleFields(overRequest)).toEqual(['call.award-within-request awards[0].amount']);
      const notAccepted = await resolve([{ offerId: offerD.id, amount: '100.00' }]);
      expect(ruleFields(notAccepted)).toEqual(['call.award-offer awards[0].offerId']);
      expect(Number((await t.db.query(`SELECT count(*) FROM tasks WHERE competition_ref = $1`, [call.number]))[0].count)).toBe(0);

      const resolved = await resolve([
        { offerId: offerA.id, amount: '36000.00' },
        { offerId: offerC.id, amount: '24000.00' },
      ]);
      expectStatus(resolved, 200);
      expect(resolved.body).toMatchObject({ status: 'resolved' });
      expect((await resolve([{ offerId: offerA.id, amount: '1.00' }])).status).toBe(409);

      const a1 = (await t.call('GET', `/api/v1/offers/${offerA.id}`, { token: a.token })).body;
      expect(a1).toMatchObject({ status: 'awarded', award: '36000.00', score: '48.75' });
      const task = await t.call('GET', `/api/v1/tasks/${a1.taskId}`, { token: k.official });
      expectStatus(task, 200);
      expect(task.body).toMatchObject({
        programId,
        title: 'Wspólny klub seniora',
        sphere: '4',
        mode: 'open-competition',
        form: 'support',
        competitionRef: call.number,
        department: 'Wydział Polityki Społecznej i Zdrowia',
        ngoIds: [a.ngoId, b.ngoId],
        startDate: `${year}-03-01`,
        endDate: `${year}-11-30`,
        amountRequested: '36000.00',
        amountGranted: '36000.00',
        status: 'planned',
      });
      const tasks: Array<{ id: string; amount_granted: string }> = await t.db.query(`SELECT id::text, amount_granted::text FROM tasks WHERE competition_ref = $1 ORDER BY amount_granted DESC`, [call.number]);
      expect(tasks.map((x) => x.amount_granted)).toEqual(['36000.00', '24000.00']);
      // each task has its audit entry, written with the resolution's
      const entries: Array<{ entity: string; action: string; entity_id: string }> = await t.db.query(
        `SELECT entity, action, entity_id FROM audit_entries WHERE (entity = 'task' AND entity_id = ANY($1)) OR (entity = 'call' AND entity_id = $2 AND action = 'resolve')`,
        [tasks.map((x) => x.id), call.id],
      );
      expect(entries).toHaveLength(3);
      // the NGO sees its score now; the offer is frozen
      expect((await t.call('POST', `/api/v1/offers/${offerA.id}/withdraw`, { token: a.token, body: { version: a1.version } })).status).toBe(409);
    });

    it('publishes the results: NGO, title, score and amount (art. 15 ust. 2h)', async () => {
      const list = await t.call('GET', `/api/v1/public/${slug}/calls`);
      expectStatus(list, 200);
      expect((list.body.items as Array<{ id: string }>).some((x) => x.id === call.id)).toBe(true);
      const one = await t.call('GET', `/api/v1/public/${slug}/calls/${call.id}`);
      expectStatus(one, 200);
      expect(one.body).toMatchObject({ status: 'resolved', offers: 2, cancellation: null });
      expect(one.body.results).toEqual([
        { offerId: offerA.id, ngoNames: [a.name, b.name], title: 'Wspólny klub seniora', score: '48.75', amount: '36000.00' },
        { offerId: offerC.id, ngoNames: [c.name], title: 'Warsztaty komputerowe', score: '36.00', amount: '24000.00' },
      ]);
      // drafts are never public
      const draft = await draftCall();
      expect((await t.call('GET', `/api/v1/public/${slug}/calls/${draft.id}`)).status).toBe(404);
    });
    it("counts the year's calls in the annual report's summary", async () => {
      const compiled = await t.call('POST', `/api/v1/reports/${year}/compile`, { token: k.official });
      expectStatus(compiled, 200);
      // announced: the 21-day call and this one (drafts are not); offers submitted: A and C (D stayed a draft)
      expect(compiled.body.summary.calls).toEqual({ count: 2, offers: 2, awarded: 2, cancelled: 0, granted: '60000.00' });
    });
  });

  it('cancels a call whose offers all fail the formal check, shows the reason in public and creates nothing', async () => {
    const call = await publishedCall();
    const ngo = await ngoWithUser(t, k.admin, `odrzucona-${process.pid}`);
    const offer = await draftOffer(call.id, ngo);
    expectStatus(await submit(offer, ngo), 200);
    // an offer withdrawn before the deadline does not count
    const quitter = await ngoWithUser(t, k.admin, `wycofana-${process.pid}`);
    const withdrawn = await submit(await draftOffer(call.id, quitter), quitter);
    expectStatus(withdrawn, 200);
    const quit = await t.call('POST', `/api/v1/offers/${withdrawn.body.id}/withdraw`, { token: quitter.token, body: { version: withdrawn.body.version } });
    expectStatus(quit, 200);
    expect(quit.body.status).toBe('withdrawn');
    const cancel = (reason: string) => t.call('POST', `/api/v1/calls/${call.id}/cancel`, { token: k.official, body: { reason, justification: 'Żadna oferta nie spełniła wymogów formalnych ogłoszenia.' } });
    expect((await cancel('no-valid-offers')).status).toBe(409); // still taking offers
    await moveDeadline(t, call.id, -1);
    expect(ruleFields(await cancel('no-valid-offers'))).toEqual(['call.cancel-no-valid-offers reason']); // not checked yet
    expectStatus(await formalCheck(offer.id, 'rejected', 'Oferta złożona na nieaktualnym wzorze'), 200);
    expect(ruleFields(await cancel('no-offers'))).toEqual(['call.cancel-no-offers reason']);
    const cancelled = await cancel('no-valid-offers');
    expectStatus(cancelled, 200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', cancellation: { reason: 'no-valid-offers' } });
    expect((await t.call('POST', `/api/v1/calls/${call.id}/resolve`, { token: k.official, body: { awards: [] } })).status).toBe(409);
    const pub = await t.call('GET', `/api/v1/public/${slug}/calls/${call.id}`);
    expect(pub.body).toMatchObject({ status: 'cancelled', results: null, cancellation: { reason: 'no-valid-offers', justification: 'Żadna oferta nie spełniła wymogów formalnych ogłoszenia.' } });
    expect(Number((await t.db.query(`SELECT count(*) FROM tasks WHERE competition_ref = $1`, [call.number]))[0].count)).toBe(0);
    expect((await t.db.query(`SELECT status FROM offers WHERE id = $1`, [offer.id]))[0].status).toBe('rejected');
  });

  it('takes the submissions of 20 clients in the last second before the deadline whole or refuses them whole, by the clock', async () => {
    const call = await publishedCall();
    const ngos = await Promise.all(Array.from({ length: 20 }, (_, i) => ngoWithUser(t, k.admin, `wyscig-${i}-${process.pid}`)));
    const offers = await Promise.all(ngos.map((ngo) => draftOffer(call.id, ngo)));
    await moveDeadline(t, call.id, 1);
    const answers = await Promise.all(offers.map((offer, i) => submit(offer, ngos[i])));
    const [{ deadline }] = await t.db.query(`SELECT offers_until AS deadline FROM calls WHERE id = $1`, [call.id]);
    const rows: Array<{ id: string; status: string; checksum: string | null; submitted_at: Date | null; version: number }> = await t.db.query(
      `SELECT id::text, status, checksum, submitted_at, version FROM offers WHERE id = ANY($1)`,
      [offers.map((o) => o.id)],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    let accepted = 0;
    answers.forEach((answer, i) => {
      const row = byId.get(offers[i].id)!;
      if (answer.status === 200) {
        accepted += 1;
        expect(row).toMatchObject({ status: 'submitted', checksum: answer.body.checksum, version: offers[i].version + 1 });
        expect(row.submitted_at!.getTime()).toBeLessThan(deadline.getTime());
      } else {
        expect(answer.status).toBe(422);
        expect(ruleFields(answer)).toEqual(['offer.deadline offersUntil']);
        expect(row).toMatchObject({ status: 'draft', checksum: null, submitted_at: null, version: offers[i].version });
      }
    });
    const [{ entries }] = await t.db.query(`SELECT count(*)::int AS entries FROM audit_entries WHERE entity = 'offer' AND action = 'submit' AND entity_id = ANY($1)`, [offers.map((o) => o.id)]);
    expect(entries).toBe(accepted);
    expect(accepted).toBeGreaterThan(0);
    // the same 20 again, now after the deadline: all refused, none written
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline.getTime() - Date.now() + 50)));
    const late = await Promise.all(offers.filter((o) => byId.get(o.id)!.status === 'draft').map((o) => submit(o, ngos[offers.indexOf(o)])));
    late.forEach((answer) => expect(answer.status).toBe(422));
    const [{ submitted }] = await t.db.query(`SELECT count(*)::int AS submitted FROM offers WHERE call_id = $1 AND status = 'submitted'`, [call.id]);
    expect(submitted).toBe(accepted);
  });

  it('computes pkt 7 from the funded tasks of the sphere in the year of publication and the one before, and freezes it at publication', async () => {
    const ngo = await ngoWithUser(t, k.admin, `pkt7-${process.pid}`);
    const task = (overrides: Record<string, unknown>) =>
      t.call('POST', '/api/v1/tasks', { token: k.official, body: newTask(programId, [ngo.ngoId], { sphere: '7', startDate: `${year}-02-01`, endDate: `${year}-10-31`, ...overrides }) });
    expectStatus(await task({ amountGranted: '1000.10', status: 'contracted' }), 201);
    expectStatus(await task({ amountGranted: '2000.20', status: 'settled', amountSettled: '2000.20' }), 201);
    expectStatus(await task({ amountGranted: '999.00', status: 'planned' }), 201); // not funded yet
    const draft = await draftCall(22, { sphere: '7' });
    const prior = { currentYear: { year, tasks: 2, granted: '3000.30' }, previousYear: { year: year - 1, tasks: 0, granted: '0.00' } };
    expect((await t.call('GET', `/api/v1/calls/${draft.id}`, { token: k.official })).body.priorSpend).toEqual(prior);
    const published = await publish(draft);
    expect(published.body.priorSpend).toEqual(prior);
    // a task funded after the announcement does not change what was announced
    expectStatus(await task({ amountGranted: '5.00', status: 'contracted' }), 201);
    expect((await t.call('GET', `/api/v1/public/${slug}/calls/${draft.id}`)).body.priorSpend).toEqual(prior);
  });

  it("answers bad input with 400 naming the field, and keeps every municipality's calls to itself", async () => {
    const call = await publishedCall();
    const ngo = await ngoWithUser(t, k.admin, `zle-dane-${process.pid}`);
    const offer = await draftOffer(call.id, ngo);
    const bad = async (method: string, path: string, token: string, body: unknown, field: string) => {
      const r = await t.call(method, path, { token, body });
      expect(r.status).toBe(400);
      expect((r.body.errors as Array<{ field: string }>).map((e) => e.field)).toContain(field);
    };
    await bad('POST', '/api/v1/calls', k.official, { ...newCall(programId, year, today), offersUntil: '2030-02-30T12:00' }, 'offersUntil');
    await bad('POST', '/api/v1/calls', k.official, { ...newCall(programId, year, today), criteria: [{ code: 'Zły kod', name: 'x', maxPoints: 0 }] }, 'criteria.0.code');
    await bad('PATCH', `/api/v1/offers/${offer.id}`, ngo.token, { version: offer.version, costs: [{ unitCost: '12,50' }] }, 'costs.0.unitCost');
    await bad('PATCH', `/api/v1/offers/${offer.id}`, ngo.token, { version: offer.version, costs: [{ quantity: 1.005 }] }, 'costs.0.quantity');
    await bad('PATCH', `/api/v1/offers/${offer.id}`, ngo.token, { version: offer.version, bankAccount: '1234' }, 'bankAccount');
    await bad('POST', `/api/v1/calls/${call.id}/resolve`, k.official, { awards: [{ offerId: 'x', amount: '1.00' }] }, 'awards.0.offerId');
    expect((await t.db.query(`SELECT version FROM offers WHERE id = $1`, [offer.id]))[0].version).toBe(offer.version);
    expect((await t.call('PATCH', `/api/v1/offers/${offer.id}`, { token: ngo.token, body: { version: offer.version + 5, title: 'x' } })).status).toBe(409);

    const platformAdmin = await signIn(t, PLATFORM_ADMIN.email);
    const other = await createMunicipality(t, platformAdmin, { name: 'Wieliczka', slug: `wieliczka-${process.pid}`, teryt: '1219063', adminEmail: `admin-${process.pid}@wieliczka.test` });
    const w = await usersOfEveryRole(t, other.admin, `wieliczka-${process.pid}`);
    expect((await t.call('GET', `/api/v1/calls/${call.id}`, { token: w.official })).status).toBe(404);
    expect((await t.call('GET', `/api/v1/offers/${offer.id}`, { token: w.ngo })).status).toBe(404);
    expect((await t.call('POST', `/api/v1/calls/${call.id}/offers`, { token: w.ngo, body: {} })).status).toBe(404);
    expect((await t.call('GET', `/api/v1/public/wieliczka-${process.pid}/calls/${call.id}`)).status).toBe(404);
    expect((await t.call('GET', '/api/v1/calls', { token: w.official })).body.total).toBe(0);
  });

  it('gives one resolution when two officials resolve at once', async () => {
    const call = await publishedCall();
    const ngo = await ngoWithUser(t, k.admin, `jednoczesna-${process.pid}`);
    const offer = await draftOffer(call.id, ngo);
    expectStatus(await submit(offer, ngo), 200);
    await moveDeadline(t, call.id, -1);
    expectStatus(await formalCheck(offer.id, 'accepted'), 200);
    const awards = [{ offerId: offer.id, amount: '30000.00' }];
    const [one, two] = await Promise.all([k.official, k.admin].map((token) => t.call('POST', `/api/v1/calls/${call.id}/resolve`, { token, body: { awards } })));
    expect([one.status, two.status].sort()).toEqual([200, 409]);
    expect(Number((await t.db.query(`SELECT count(*) FROM tasks WHERE competition_ref = $1`, [call.number]))[0].count)).toBe(1);
    expect(Number((await t.db.query(`SELECT count(*) FROM audit_entries WHERE entity = 'call' AND entity_id = $1 AND action = 'resolve'`, [call.id]))[0].count)).toBe(1);
  });
});
