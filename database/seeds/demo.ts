import { withNipCheckDigit, withRegonCheckDigit } from '@app/core';
import { insertUser, type PasswordHasher } from '@app/identity';
import { NgoEntity, type LegalForm } from '@app/ngos';
import { ProgramEntity } from '@app/programs';
import type { EntityManager } from 'typeorm';

/**
 * Demo data modelled on Kraków's cooperation programme 2019–2022. The organisations are
 * illustrative (names invented, identifiers generated with valid checksums), not real ones.
 */
export const DEMO_PASSWORD = 'krakow-demo-2019';
export const DEMO_ADMIN_EMAIL = 'admin@krakow.example';
export const DEMO_USERS = [
  { email: 'official@krakow.example', role: 'official' },
  { email: 'auditor@krakow.example', role: 'auditor' },
  { email: 'ngo@krakow.example', role: 'ngo' },
] as const;

const NGOS: Array<[name: string, form: LegalForm, spheres: string[], publicBenefit: boolean, registeredOn: string]> = [
  ['Stowarzyszenie Seniorzy Nowej Huty', 'association', ['10', '13'], true, '2004-05-12'],
  ['Fundacja Pomocy Prawnej „Paragraf”', 'foundation', ['1b', '22'], true, '2009-09-01'],
  ['Stowarzyszenie Dom Pod Wawelem', 'association', ['1', '2'], true, '1998-03-20'],
  ['Fundacja Kocham Kraków z Wzajemnością', 'foundation', ['7', '16'], false, '2012-06-15'],
  ['Krakowskie Towarzystwo Tramwajowe Praw Człowieka', 'association', ['22', '26'], false, '2015-11-02'],
  ['Fundacja Zielony Zakrzówek', 'foundation', ['18', '13'], false, '2016-04-28'],
  ['Stowarzyszenie Sportowe Wisła Nad Wisłą', 'association', ['17', '15'], true, '2001-02-14'],
  ['Parafialny Zespół Caritas św. Floriana', 'church-entity', ['1', '3'], true, '1995-10-10'],
  ['Spółdzielnia Socjalna Obwarzanek', 'cooperative', ['2', '8'], false, '2017-07-07'],
  ['Fundacja Teatr w Podgórzu', 'foundation', ['16', '14'], true, '2006-01-30'],
  ['Stowarzyszenie Rodzin Zastępczych „Gniazdo”', 'association', ['1a', '31'], true, '2011-03-03'],
  ['Fundacja Uzależnieniom Stop', 'foundation', ['32', '6'], true, '2003-08-19'],
];

type DemoTask = [
  title: string,
  sphere: string,
  mode: 'open-competition' | 'small-grant' | 'local-initiative' | 'other-act',
  form: 'support' | 'entrustment',
  department: string,
  ngos: number[],
  requested: string | null,
  granted: string,
  settled: string | null,
  startDate: string,
  endDate: string,
  status: 'contracted' | 'in-progress' | 'settled' | 'terminated',
  competitionRef: string | null,
];

/** Funded tasks of 2019, modelled on the kinds of work the 2019 report describes. */
const TASKS_2019: DemoTask[] = [
  ['Prowadzenie Centrum Aktywności Seniorów w Nowej Hucie', '10', 'open-competition', 'support', 'Wydział Polityki Społecznej i Zdrowia', [0], '160000.00', '150000.00', '149820.50', '2019-01-02', '2019-12-31', 'settled', 'OK-3/2019'],
  ['Nieodpłatna pomoc prawna i edukacja prawna', '1b', 'other-act', 'entrustment', 'Wydział Spraw Społecznych', [1], null, '420000.00', '420000.00', '2019-01-02', '2019-12-31', 'settled', null],
  ['Mieszkania chronione dla osób w kryzysie bezdomności', '1', 'open-competition', 'entrustment', 'Miejski Ośrodek Pomocy Społecznej', [2], '900000.00', '870000.00', '868120.00', '2019-01-02', '2019-12-31', 'settled', 'OK-1/2019'],
  ['Usługi opiekuńcze w miejscu zamieszkania', '1', 'open-competition', 'entrustment', 'Miejski Ośrodek Pomocy Społecznej', [7, 2], '2500000.00', '2400000.00', '2381450.35', '2019-01-02', '2019-12-31', 'settled', 'OK-1/2019'],
  ['Tydzień Osób Niepełnosprawnych „Kocham Kraków z wzajemnością”', '7', 'small-grant', 'support', 'Wydział Polityki Społecznej i Zdrowia', [3], '10000.00', '9800.00', '9800.00', '2019-05-20', '2019-06-30', 'settled', null],
  ['Tramwaj Praw Człowieka', '22', 'small-grant', 'support', 'Kancelaria Prezydenta Miasta', [4], null, '6000.00', '5950.00', '2019-11-15', '2019-12-20', 'settled', null],
  ['Sprzątanie Zakrzówka razem z mieszkańcami', '18', 'local-initiative', 'support', 'Wydział Kształtowania Środowiska', [5], null, '12000.00', '12000.00', '2019-04-01', '2019-06-30', 'settled', null],
  ['Zajęcia sportowe dla dzieci i młodzieży', '17', 'open-competition', 'support', 'Wydział Sportu', [6], '80000.00', '65000.00', '20000.00', '2019-03-01', '2019-11-30', 'terminated', 'OK-9/2019'],
  ['Spektakle teatralne w Podgórzu', '16', 'open-competition', 'support', 'Wydział Kultury i Dziedzictwa Narodowego', [9], '45000.00', '40000.00', '40000.00', '2019-02-01', '2019-12-15', 'settled', 'OK-12/2019'],
  ['Wsparcie rodzin zastępczych', '1a', 'open-competition', 'entrustment', 'Miejski Ośrodek Pomocy Społecznej', [10], '120000.00', '118000.00', '117990.00', '2019-01-02', '2019-12-31', 'settled', 'OK-2/2019'],
  ['Profilaktyka uzależnień w szkołach', '32', 'open-competition', 'support', 'Wydział Polityki Społecznej i Zdrowia', [11, 0], '70000.00', '70000.00', '69500.00', '2019-02-15', '2019-12-15', 'settled', 'OK-5/2019'],
];

type DemoActivity = [type: string, title: string, startDate: string, endDate: string | null, department: string, ngos: number[], participants: number | null];

/** Non-financial cooperation of 2019, after the kinds the 2019 report names. */
const ACTIVITIES_2019: DemoActivity[] = [
  ['premises', 'Lokale Centrum Obywatelskiego (ul. Reymonta 20) udostępniane organizacjom', '2019-01-02', '2019-12-31', 'Wydział Polityki Społecznej i Zdrowia', [0, 3, 4, 5, 8], 2400],
  ['consultation', 'Konsultacje projektu Rocznego Programu Współpracy na rok 2020', '2019-09-16', '2019-10-21', 'Wydział Polityki Społecznej i Zdrowia', [0, 1, 2, 9, 10], 35],
  ['event', 'Tydzień Osób Niepełnosprawnych „Kocham Kraków z wzajemnością”', '2019-05-25', '2019-06-02', 'Wydział Polityki Społecznej i Zdrowia', [3], 5000],
  ['event', 'Tramwaj Praw Człowieka', '2019-12-10', null, 'Kancelaria Prezydenta Miasta', [4, 1], 800],
  ['training', 'Szkolenie z rozliczania dotacji', '2019-02-12', null, 'Wydział Polityki Społecznej i Zdrowia', [0, 2, 6, 7, 11], 60],
  ['promotion', 'Patronat Prezydenta nad Dniem Seniora', '2019-10-01', null, 'Kancelaria Prezydenta Miasta', [0], null],
];

type DemoMember = [ngo: number, representative: string, role: 'chair' | 'vice-chair' | 'secretary' | 'member', from: string, to: string | null];

/** Two dialogue commissions (Komisje Dialogu Obywatelskiego) of the 2019–2020 term. */
const COMMISSIONS: Array<{ name: string; sphere: string; department: string; members: DemoMember[]; meetings: Array<[date: string, title: string, present: number[]]> }> = [
  {
    name: 'Komisja Dialogu Obywatelskiego ds. Seniorów',
    sphere: '10',
    department: 'Wydział Polityki Społecznej i Zdrowia',
    members: [
      [0, 'Anna Kowalska', 'chair', '2019-01-01', null],
      [7, 'ks. Jan Nowak', 'vice-chair', '2019-01-01', null],
      [2, 'Maria Wiśniewska', 'secretary', '2019-01-01', '2019-12-31'],
      [11, 'Piotr Zieliński', 'member', '2019-03-01', null],
    ],
    meetings: [
      ['2019-02-14', 'Posiedzenie inauguracyjne', [0, 7, 2]],
      ['2019-06-13', 'Opinia o projekcie programu „Kraków dla Seniorów”', [0, 7, 11]],
      ['2019-10-10', 'Konsultacje programu współpracy na rok 2020', [0, 2, 7, 11]],
    ],
  },
  {
    name: 'Komisja Dialogu Obywatelskiego ds. Kultury',
    sphere: '16',
    department: 'Wydział Kultury i Dziedzictwa Narodowego',
    members: [
      [9, 'Katarzyna Lewandowska', 'chair', '2019-01-01', null],
      [3, 'Tomasz Wójcik', 'member', '2019-01-01', null],
      [4, 'Agnieszka Kamińska', 'member', '2019-05-01', null],
    ],
    meetings: [
      ['2019-03-21', 'Plan pracy komisji na rok 2019', [9, 3]],
      ['2019-11-28', 'Priorytety konkursów na rok 2020', [9, 3, 4]],
    ],
  },
];

/** A KRS, NIP and REGON for the n-th demo organisation, each with a valid checksum where one exists. */
export function demoIdentifiers(n: number): { krs: string; nip: string; regon: string } {
  const krs = String(100_000 + n * 7919).padStart(10, '0');
  let nip: string | null = null;
  for (let k = 0; !nip; k++) nip = withNipCheckDigit(String(676_000_000 + n * 1013 + k).padStart(9, '0'));
  const regon = withRegonCheckDigit(String(35_000_000 + n * 211).padStart(8, '0'));
  return { krs, nip, regon };
}

export async function loadDemoData(em: EntityManager, municipalityId: string, hasher: PasswordHasher): Promise<void> {
  const ngos = await em.save(
    NGOS.map(([name, legalForm, spheres, publicBenefit, registeredOn], i) =>
      em.create(NgoEntity, { municipalityId, name, legalForm, spheres, publicBenefit, registeredOn, ...demoIdentifiers(i + 1), address: 'Kraków' }),
    ),
  );

  const multiYear = await em.save(
    em.create(ProgramEntity, {
      municipalityId,
      kind: 'multi-year',
      title: 'Wieloletni Program Współpracy Gminy Miejskiej Kraków z Organizacjami Pozarządowymi na lata 2019-2022',
      startYear: 2019,
      endYear: 2022,
      adoptedOn: '2018-11-14',
      spheres: [],
    }),
  );
  const annual: Record<number, ProgramEntity> = {};
  for (const year of [2019, 2020, 2021, 2022]) {
    annual[year] = await em.save(
      em.create(ProgramEntity, {
        municipalityId,
        kind: 'annual',
        parentId: multiYear.id,
        title: `Roczny Program Współpracy Gminy Miejskiej Kraków z Organizacjami Pozarządowymi na rok ${year}`,
        startYear: year,
        endYear: year,
        adoptedOn: `${year - 1}-11-14`,
        spheres: [],
      }),
    );
  }

  for (const [title, sphere, mode, form, department, ngoIndexes, requested, granted, settled, startDate, endDate, status, competitionRef] of TASKS_2019) {
    const [task]: Array<{ id: string }> = await em.query(
      `INSERT INTO tasks (municipality_id, program_id, title, sphere, mode, form, department, amount_requested, amount_granted, amount_settled, start_date, end_date, status, competition_ref)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
      [municipalityId, annual[2019].id, title, sphere, mode, form, department, requested, granted, settled, startDate, endDate, status, competitionRef],
    );
    await em.query(
      `INSERT INTO task_ngos (municipality_id, task_id, ngo_id, position) SELECT $1, $2, ngo_id, ord - 1 FROM unnest($3::uuid[]) WITH ORDINALITY AS n (ngo_id, ord)`,
      [municipalityId, task.id, ngoIndexes.map((i) => ngos[i].id)],
    );
  }

  for (const [type, title, startDate, endDate, department, ngoIndexes, participants] of ACTIVITIES_2019) {
    const [activity]: Array<{ id: string }> = await em.query(
      `INSERT INTO activities (municipality_id, program_id, type, title, start_date, end_date, department, participants)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [municipalityId, annual[2019].id, type, title, startDate, endDate, department, participants],
    );
    await em.query(
      `INSERT INTO activity_ngos (municipality_id, activity_id, ngo_id, position) SELECT $1, $2, ngo_id, ord - 1 FROM unnest($3::uuid[]) WITH ORDINALITY AS n (ngo_id, ord)`,
      [municipalityId, activity.id, ngoIndexes.map((i) => ngos[i].id)],
    );
  }

  for (const { name, sphere, department, members, meetings } of COMMISSIONS) {
    const [commission]: Array<{ id: string }> = await em.query(
      `INSERT INTO commissions (municipality_id, name, sphere, department, term_start, term_end) VALUES ($1, $2, $3, $4, '2019-01-01', '2020-12-31') RETURNING id`,
      [municipalityId, name, sphere, department],
    );
    for (const [ngo, representative, role, from, to] of members) {
      await em.query(
        `INSERT INTO commission_members (municipality_id, commission_id, ngo_id, representative, role, from_date, to_date) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [municipalityId, commission.id, ngos[ngo].id, representative, role, from, to],
      );
    }
    for (const [date, title, present] of meetings) {
      const [meeting]: Array<{ id: string }> = await em.query(
        `INSERT INTO commission_meetings (municipality_id, commission_id, date, title) VALUES ($1, $2, $3, $4) RETURNING id`,
        [municipalityId, commission.id, date, title],
      );
      await em.query(`INSERT INTO meeting_ngos (municipality_id, meeting_id, ngo_id) SELECT $1, $2, unnest($3::uuid[])`, [municipalityId, meeting.id, present.map((i) => ngos[i].id)]);
    }
  }

  const passwordHash = await hasher.hash(DEMO_PASSWORD);
  for (const user of DEMO_USERS) {
    await insertUser(em, { municipalityId, email: user.email, passwordHash, role: user.role, ngoId: user.role === 'ngo' ? ngos[0].id : null, platformAdmin: false });
  }
}
