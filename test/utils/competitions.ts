import { newNgo } from './factories';
import type { TestApp } from './test-app';
import { createUser } from './users';

/** Today's day and year in Warsaw, as the service counts the 21 days. */
export async function warsawToday(t: TestApp): Promise<{ today: string; year: number }> {
  const [{ today }] = await t.db.query(`SELECT to_char((now() AT TIME ZONE 'Europe/Warsaw')::date, 'YYYY-MM-DD') AS today`);
  return { today, year: Number(today.slice(0, 4)) };
}

export const plusDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

let calls = 0;

/**
 * A call of the annual programme `programId` (of `year`) whose deadline is `days` days after
 * `today` at 12:00 Warsaw time (21 passes the art. 13 rule; 20 does not). Task period: the whole year.
 */
export function newCall(programId: string, year: number, today: string, days = 22, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  calls += 1;
  const deadlineDay = plusDays(today, days);
  return {
    programId,
    number: `OK-${year}-${process.pid}-${calls}`,
    title: `Wspieranie aktywności seniorów ${calls}`,
    sphere: '4',
    form: 'support',
    department: 'Wydział Polityki Społecznej i Zdrowia',
    budget: '100000.00',
    taskStart: `${year}-01-01`,
    taskEnd: `${year}-12-31`,
    offersUntil: `${deadlineDay}T12:00:00+01:00`,
    grantRules: 'Dotacja do 90% kosztów zadania; wkład własny co najmniej 10%.',
    selectionProcedure: 'Oceny dokonuje komisja konkursowa w ciągu 14 dni od terminu składania ofert.',
    decisionBy: plusDays(deadlineDay, 14),
    minGrant: '5000.00',
    maxGrant: '60000.00',
    ownContributionMin: 10,
    ...overrides,
  };
}

/**
 * A complete offer inside `year` that keeps every rule of a support call with a 10 % own
 * contribution: grant 36 000.00, own 3 000.00 + personal 1 000.00, other 0.
 */
export function newOffer(year: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: 'Klub Seniora na Kazimierzu',
    place: 'Kraków, Dzielnica I Stare Miasto',
    targetGroup: 'Seniorzy 60+ mieszkający w dzielnicy',
    summary: 'Cotygodniowe spotkania, warsztaty ruchowe i komputerowe dla seniorów.',
    startDate: `${year}-03-01`,
    endDate: `${year}-11-30`,
    schedule: [
      { name: 'Rekrutacja uczestników', description: 'Ogłoszenia w klubach i parafiach', from: `${year}-03-01`, to: `${year}-03-31` },
      { name: 'Warsztaty', description: 'Dwa spotkania w tygodniu', from: `${year}-04-01`, to: `${year}-11-30` },
    ],
    results: [{ name: 'Uczestnicy warsztatów', targetValue: '60 osób', monitoring: 'Listy obecności' }],
    priorActivity: 'Od 2015 roku prowadzimy zajęcia dla seniorów.',
    resources: 'Sala w siedzibie, dwóch instruktorów, wolontariusze.',
    costs: [
      { category: 'action', name: 'Wynagrodzenie instruktora', unit: 'godzina', quantity: 200, unitCost: '150.00', fromGrant: '27000.00', fromOwn: '3000.00', fromOther: '0.00' },
      { category: 'action', name: 'Materiały', unit: 'komplet', quantity: 60, unitCost: '100.00', fromGrant: '6000.00', fromOwn: '0.00', fromOther: '0.00' },
      { category: 'administrative', name: 'Koordynacja (praca wolontariusza)', unit: 'miesiąc', quantity: 10, unitCost: '400.00', fromGrant: '3000.00', fromOwn: '1000.00', fromOther: '0.00' },
    ],
    funding: { grantRequested: '36000.00', ownFinancial: '3000.00', benefitPayments: '0.00', otherPublic: '0.00', otherFunds: '0.00', personalInput: '1000.00', inKindInput: '0.00' },
    volunteers: 'Dwóch wolontariuszy koordynuje zajęcia.',
    ...overrides,
  };
}

/** An NGO and a user of the ngo role speaking for it. */
export async function ngoWithUser(t: TestApp, adminToken: string, tag: string): Promise<{ ngoId: string; name: string; userId: string; email: string; token: string }> {
  const ngo = await t.call('POST', '/api/v1/ngos', { token: adminToken, body: newNgo({ name: `Fundacja ${tag}` }) });
  if (ngo.status !== 201) throw new Error(`could not create the NGO: ${ngo.text}`);
  const user = await createUser(t, adminToken, { email: `${tag}@ngo.test.example`, role: 'ngo', ngoId: ngo.body.id });
  return { ngoId: ngo.body.id, name: ngo.body.name, userId: user.id, email: user.email, token: user.token };
}

/** An annual programme of `year`. */
export async function annualProgram(t: TestApp, token: string, year: number): Promise<string> {
  const r = await t.call('POST', '/api/v1/programs', { token, body: { title: `Roczny program współpracy na ${year}`, kind: 'annual', startYear: year, endYear: year } });
  if (r.status !== 201) throw new Error(`could not create the programme: ${r.text}`);
  return r.body.id;
}

/** Moves a published call's deadline (competitions.md, "For acceptance tests"): `seconds` from now, negative for the past. */
export async function moveDeadline(t: TestApp, callId: string, seconds: number): Promise<void> {
  await t.db.query(`UPDATE calls SET offers_until = clock_timestamp() + make_interval(secs => $2) WHERE id = $1`, [callId, seconds]);
}
