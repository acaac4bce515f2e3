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
  for (const year of [2019, 2020, 2021, 2022]) {
    await em.save(
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

  const passwordHash = await hasher.hash(DEMO_PASSWORD);
  for (const user of DEMO_USERS) {
    await insertUser(em, { municipalityId, email: user.email, passwordHash, role: user.role, ngoId: user.role === 'ngo' ? ngos[0].id : null, platformAdmin: false });
  }
}
