import { checksumOf, defaultCriteria, type OfferContent } from '@app/competitions';
import { warsawToday, withNipCheckDigit, withRegonCheckDigit } from '@app/core';
import { insertUser } from '@app/identity';
import type { LegalForm } from '@app/ngos';
import { SMALL_GRANT_MAX, SMALL_GRANT_MAX_DAYS, SMALL_GRANT_YEARLY_MAX } from '@app/tasks';
import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { addDays, dayOf, grosze, money, PLN, seeded, type Rng } from './generators';

/**
 * Demo data modelled on Kraków's cooperation programme 2019–2022 and its 2019 report: the
 * multi-year programme with its annual programmes, 168 NGOs, some 260 funded tasks in 2019 (and
 * about 130 in 2020–2021) across the four modes, both forms, thirty spheres and eleven departments,
 * the non-financial cooperation the report names, and eighteen dialogue commissions whose members
 * in 2019 are 114 distinct NGOs.
 *
 * The organisations, people and titles are invented (names built from word lists, identifiers
 * generated with valid checksums), not real ones. Everything comes from fixed lists and a small
 * seeded generator, ids included (UUIDv5 of the municipality's TERYT code and the row), so every
 * first start writes the same data and the 2019 report always hashes to the same contentHash.
 */
/** The demo accounts' password on the embedded database only; elsewhere each gets a random one (see firstStart). */
export const DEMO_PASSWORD = 'krakow-demo-2019';
export const DEMO_ADMIN_EMAIL = 'admin@krakow.example';
/** The year whose report the demo publishes on first start. */
export const DEMO_REPORT_YEAR = 2019;
export const DEMO_USERS = [
  { email: 'official@krakow.example', role: 'official' },
  { email: 'auditor@krakow.example', role: 'auditor' },
  { email: 'ngo@krakow.example', role: 'ngo' },
] as const;
/** How many NGOs the demo registers (index 0 is the ngo@krakow.example account's). */
export const DEMO_NGO_COUNT = 168;
/** Distinct NGOs with a commission membership active on some day of 2019, as in the real 2019 report. */
export const DEMO_COMMISSION_NGOS_2019 = 114;

// ---------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------

type Mode = 'open-competition' | 'small-grant' | 'local-initiative' | 'other-act';
type Form = 'support' | 'entrustment';
type Status = 'planned' | 'contracted' | 'in-progress' | 'settled' | 'terminated';
type Role = 'chair' | 'vice-chair' | 'secretary' | 'member';
type ActivityType = 'consultation' | 'information' | 'joint-team' | 'event' | 'training' | 'premises' | 'promotion' | 'other';



/** A UUIDv5 (RFC 9562, SHA-1) in the demo's own namespace. */
const NAMESPACE = Buffer.from('6f1c2a4e9b7d4c0e8a35d2f0b1c7e913', 'hex');
function uuidV5(name: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const D = {
  social: 'Wydział Polityki Społecznej i Zdrowia',
  mops: 'Miejski Ośrodek Pomocy Społecznej',
  culture: 'Wydział Kultury i Dziedzictwa Narodowego',
  sport: 'Wydział Sportu',
  education: 'Wydział Edukacji',
  environment: 'Wydział Kształtowania Środowiska',
  mayor: 'Kancelaria Prezydenta Miasta',
  affairs: 'Wydział Spraw Społecznych',
  greenery: 'Zarząd Zieleni Miejskiej',
  development: 'Wydział Rozwoju Miasta',
  safety: 'Wydział Bezpieczeństwa i Zarządzania Kryzysowego',
} as const;

/** Kraków's eighteen districts, as "in the district" (with the right preposition) and as a name. */
const DISTRICTS: ReadonlyArray<[at: string, name: string]> = [
  ['na Starym Mieście', 'Stare Miasto'],
  ['w Grzegórzkach', 'Grzegórzki'],
  ['na Prądniku Czerwonym', 'Prądnik Czerwony'],
  ['na Prądniku Białym', 'Prądnik Biały'],
  ['na Krowodrzy', 'Krowodrza'],
  ['w Bronowicach', 'Bronowice'],
  ['na Zwierzyńcu', 'Zwierzyniec'],
  ['w Dębnikach', 'Dębniki'],
  ['w Łagiewnikach', 'Łagiewniki-Borek Fałęcki'],
  ['w Swoszowicach', 'Swoszowice'],
  ['w Podgórzu Duchackim', 'Podgórze Duchackie'],
  ['w Bieżanowie i Prokocimiu', 'Bieżanów-Prokocim'],
  ['w Podgórzu', 'Podgórze'],
  ['w Czyżynach', 'Czyżyny'],
  ['w Mistrzejowicach', 'Mistrzejowice'],
  ['w Bieńczycach', 'Bieńczyce'],
  ['na Wzgórzach Krzesławickich', 'Wzgórza Krzesławickie'],
  ['w Nowej Hucie', 'Nowa Huta'],
];
const STREETS = [
  'Reymonta', 'Dietla', 'Karmelicka', 'Długa', 'Lubicz', 'Mogilska', 'Kalwaryjska', 'Wielicka', 'Zakopiańska', 'Bronowicka', 'Królewska', 'Grzegórzecka',
  'Krowoderska', 'Starowiślna', 'Limanowskiego', 'Józefińska', 'Kamieńskiego', 'Bieżanowska', 'Kocmyrzowska', 'Ujastek', 'Sławkowska', 'Mazowiecka', 'Zamoyskiego', 'Praska',
];
const WORDS = [
  'Przystań', 'Horyzont', 'Promyk', 'Dobry Start', 'Otwarte Drzwi', 'Krok Dalej', 'Wspólna Sprawa', 'Zielony Most', 'Nadzieja', 'Razem',
  'Kotwica', 'Iskra', 'Dobre Miejsce', 'Nowa Droga', 'Światło', 'Tęcza', 'Ogród', 'Spinacz', 'Pod Kopcem', 'Sąsiedzi',
];
const SAINTS = ['św. Mikołaja', 'św. Józefa', 'św. Jadwigi Królowej', 'św. Maksymiliana', 'św. Wojciecha', 'św. Jana Kantego', 'św. Bartłomieja', 'św. Kazimierza'];
const FIRST_NAMES: ReadonlyArray<[female: string, male: string]> = [
  ['Anna', 'Jan'], ['Maria', 'Piotr'], ['Katarzyna', 'Andrzej'], ['Małgorzata', 'Krzysztof'], ['Agnieszka', 'Tomasz'], ['Barbara', 'Paweł'], ['Ewa', 'Marek'], ['Krystyna', 'Michał'],
  ['Elżbieta', 'Grzegorz'], ['Zofia', 'Józef'], ['Joanna', 'Stanisław'], ['Magdalena', 'Wojciech'], ['Monika', 'Marcin'], ['Beata', 'Łukasz'], ['Dorota', 'Jakub'], ['Aleksandra', 'Adam'],
];
const SURNAMES: ReadonlyArray<[female: string, male: string]> = [
  ['Nowak', 'Nowak'], ['Kowalska', 'Kowalski'], ['Wiśniewska', 'Wiśniewski'], ['Wójcik', 'Wójcik'], ['Kowalczyk', 'Kowalczyk'], ['Kamińska', 'Kamiński'], ['Lewandowska', 'Lewandowski'],
  ['Zielińska', 'Zieliński'], ['Szymańska', 'Szymański'], ['Woźniak', 'Woźniak'], ['Dąbrowska', 'Dąbrowski'], ['Kozłowska', 'Kozłowski'], ['Jankowska', 'Jankowski'], ['Mazur', 'Mazur'],
  ['Kwiatkowska', 'Kwiatkowski'], ['Krawczyk', 'Krawczyk'], ['Piotrowska', 'Piotrowski'], ['Grabowska', 'Grabowski'], ['Pawłowska', 'Pawłowski'], ['Michalska', 'Michalski'], ['Nowicka', 'Nowicki'],
  ['Adamczyk', 'Adamczyk'], ['Dudek', 'Dudek'], ['Zając', 'Zając'], ['Wieczorek', 'Wieczorek'], ['Jabłońska', 'Jabłoński'], ['Król', 'Król'], ['Majewska', 'Majewski'], ['Olszewska', 'Olszewski'],
  ['Stępień', 'Stępień'], ['Malinowska', 'Malinowski'], ['Jaworska', 'Jaworski'], ['Pawlak', 'Pawlak'], ['Sikora', 'Sikora'], ['Baran', 'Baran'], ['Rutkowska', 'Rutkowski'], ['Michalak', 'Michalak'],
];

/** The themes of the NGOs, one per dialogue commission (the commission's index is the theme's). */
interface Theme {
  commission: string;
  sphere: string;
  department: string;
  term: [start: string, end: string];
  /** the NGOs' spheres */
  spheres: string[];
  /** "Stowarzyszenie <…> w Bronowicach" */
  associations: string[];
  /** "<…> „Przystań”" */
  foundation: string;
}
const T2019 = ['2019-01-01', '2020-12-31'] as [string, string];
const T2018 = ['2018-01-01', '2020-12-31'] as [string, string];
const T2021 = ['2019-01-01', '2021-12-31'] as [string, string];
const THEMES: Theme[] = [
  { commission: 'Seniorów', sphere: '10', department: D.social, term: T2019, spheres: ['10', '13'], associations: ['Aktywnych Seniorów', 'Przyjaciół Seniorów', 'Klub Seniora', 'Emerytów i Rencistów'], foundation: 'Fundacja Pomocy Seniorom' },
  { commission: 'Kultury', sphere: '16', department: D.culture, term: T2019, spheres: ['16', '4'], associations: ['Miłośników Teatru', 'Twórców Kultury', 'Przyjaciół Sztuki', 'Muzyki Dawnej'], foundation: 'Fundacja Sztuki' },
  { commission: 'Sportu', sphere: '17', department: D.sport, term: T2019, spheres: ['17', '15'], associations: ['Sportowe', 'Kultury Fizycznej', 'Biegaczy', 'Miłośników Koszykówki'], foundation: 'Fundacja Sportowa' },
  { commission: 'Ekologii', sphere: '18', department: D.environment, term: T2018, spheres: ['18', '13'], associations: ['Ekologiczne', 'Ochrony Przyrody', 'Przyjaciół Zwierząt', 'Miłośników Zieleni'], foundation: 'Fundacja Ekologiczna' },
  { commission: 'Osób Niepełnosprawnych', sphere: '7', department: D.social, term: T2019, spheres: ['7', '1'], associations: ['na rzecz Osób z Niepełnosprawnościami', 'Rodziców Dzieci Niepełnosprawnych', 'Osób Niewidomych i Słabowidzących', 'Integracji Społecznej'], foundation: 'Fundacja Pomocy Osobom z Niepełnosprawnościami' },
  { commission: 'Pomocy Społecznej', sphere: '1', department: D.mops, term: T2019, spheres: ['1', '3'], associations: ['Pomocy Bliźniemu', 'Pomocy Osobom Bezdomnym', 'Wzajemnej Pomocy', 'Pomocy Rodzinom'], foundation: 'Fundacja Pomocy Społecznej' },
  { commission: 'Zdrowia', sphere: '6', department: D.social, term: T2019, spheres: ['6', '7'], associations: ['Amazonek', 'Chorych na Cukrzycę', 'Promocji Zdrowia', 'Zdrowia Psychicznego'], foundation: 'Fundacja Zdrowia' },
  { commission: 'Edukacji', sphere: '14', department: D.education, term: T2019, spheres: ['14', '15'], associations: ['Edukacyjne', 'Przyjaciół Szkoły', 'Nauczycieli i Wychowawców', 'Edukacji Obywatelskiej'], foundation: 'Fundacja Edukacyjna' },
  { commission: 'Turystyki', sphere: '19', department: D.development, term: T2018, spheres: ['19', '17'], associations: ['Turystyczne', 'Przewodników Miejskich', 'Miłośników Krajoznawstwa', 'Turystyki Rowerowej'], foundation: 'Fundacja Turystyki' },
  { commission: 'Przeciwdziałania Uzależnieniom', sphere: '32', department: D.social, term: T2019, spheres: ['32', '6'], associations: ['Trzeźwości', 'Profilaktyki Uzależnień', 'Abstynentów', 'Pomocy Osobom Uzależnionym'], foundation: 'Fundacja Profilaktyki' },
  { commission: 'Rodziny', sphere: '31', department: D.social, term: T2019, spheres: ['31', '1a'], associations: ['Rodzin Wielodzietnych', 'Dużych Rodzin', 'Rodziców i Dzieci', 'Wspierania Rodziny'], foundation: 'Fundacja Rodzinna' },
  { commission: 'Rewitalizacji', sphere: '32a', department: D.development, term: T2018, spheres: ['32a', '13'], associations: ['Mieszkańców', 'Sąsiedzkie', 'Odnowy Dzielnicy', 'Przyjaciół Osiedla'], foundation: 'Fundacja Rewitalizacji' },
  { commission: 'Bezpieczeństwa', sphere: '20', department: D.safety, term: T2021, spheres: ['20', '23'], associations: ['Ratownictwa Wodnego', 'Bezpieczeństwa Publicznego', 'Ratowników Medycznych', 'Straży Obywatelskiej'], foundation: 'Fundacja Bezpieczeństwa' },
  { commission: 'Równego Traktowania', sphere: '22', department: D.mayor, term: T2019, spheres: ['22', '9'], associations: ['Praw Człowieka', 'Równych Szans', 'Przeciw Dyskryminacji', 'na rzecz Równości'], foundation: 'Fundacja Równości' },
  { commission: 'Wielokulturowości', sphere: '5', department: D.affairs, term: T2021, spheres: ['5', '26'], associations: ['Dialogu Międzykulturowego', 'Przyjaźni Polsko-Ukraińskiej', 'Kultury Romskiej', 'Cudzoziemców i Przyjaciół'], foundation: 'Fundacja Dialogu Kultur' },
  { commission: 'Młodzieży', sphere: '15', department: D.education, term: T2021, spheres: ['15', '14'], associations: ['Młodzieżowe', 'Harcerskie', 'Aktywnej Młodzieży', 'Młodych Wolontariuszy'], foundation: 'Fundacja Młodzieżowa' },
  { commission: 'Rozwoju Gospodarczego', sphere: '11', department: D.development, term: T2018, spheres: ['11', '8'], associations: ['Przedsiębiorców', 'Ekonomii Społecznej', 'Młodych Przedsiębiorców', 'Rozwoju Lokalnego'], foundation: 'Fundacja Przedsiębiorczości' },
  { commission: 'Wolontariatu', sphere: '27', department: D.affairs, term: T2021, spheres: ['27', '33'], associations: ['Wolontariuszy', 'Inicjatyw Obywatelskich', 'Centrum Wolontariatu', 'Organizacji Pozarządowych'], foundation: 'Fundacja Wolontariatu' },
];
const TH = { seniors: 0, culture: 1, sport: 2, ecology: 3, disability: 4, social: 5, health: 6, education: 7, tourism: 8, addictions: 9, family: 10, revitalisation: 11, safety: 12, equality: 13, multicultural: 14, youth: 15, economy: 16, volunteering: 17 } as const;

// ---------------------------------------------------------------------------------------------
// NGOs
// ---------------------------------------------------------------------------------------------

export interface DemoNgo {
  name: string;
  legalForm: LegalForm;
  spheres: string[];
  publicBenefit: boolean;
  registeredOn: string;
  theme: number;
}

/** The first twelve, kept as they were (index 0 is the ngo@krakow.example account's NGO). */
const LEGACY_NGOS: DemoNgo[] = [
  { name: 'Stowarzyszenie Seniorzy Nowej Huty', legalForm: 'association', spheres: ['10', '13'], publicBenefit: true, registeredOn: '2004-05-12', theme: TH.seniors },
  { name: 'Fundacja Pomocy Prawnej „Paragraf”', legalForm: 'foundation', spheres: ['1b', '22'], publicBenefit: true, registeredOn: '2009-09-01', theme: TH.equality },
  { name: 'Stowarzyszenie Dom Pod Wawelem', legalForm: 'association', spheres: ['1', '2'], publicBenefit: true, registeredOn: '1998-03-20', theme: TH.social },
  { name: 'Fundacja Kocham Kraków z Wzajemnością', legalForm: 'foundation', spheres: ['7', '16'], publicBenefit: false, registeredOn: '2012-06-15', theme: TH.disability },
  { name: 'Krakowskie Towarzystwo Tramwajowe Praw Człowieka', legalForm: 'association', spheres: ['22', '26'], publicBenefit: false, registeredOn: '2015-11-02', theme: TH.equality },
  { name: 'Fundacja Zielony Zakrzówek', legalForm: 'foundation', spheres: ['18', '13'], publicBenefit: false, registeredOn: '2016-04-28', theme: TH.ecology },
  { name: 'Stowarzyszenie Sportowe Wisła Nad Wisłą', legalForm: 'association', spheres: ['17', '15'], publicBenefit: true, registeredOn: '2001-02-14', theme: TH.sport },
  { name: 'Parafialny Zespół Caritas św. Floriana', legalForm: 'church-entity', spheres: ['1', '3'], publicBenefit: true, registeredOn: '1995-10-10', theme: TH.social },
  { name: 'Spółdzielnia Socjalna Obwarzanek', legalForm: 'cooperative', spheres: ['2', '8'], publicBenefit: false, registeredOn: '2017-07-07', theme: TH.economy },
  { name: 'Fundacja Teatr w Podgórzu', legalForm: 'foundation', spheres: ['16', '14'], publicBenefit: true, registeredOn: '2006-01-30', theme: TH.culture },
  { name: 'Stowarzyszenie Rodzin Zastępczych „Gniazdo”', legalForm: 'association', spheres: ['1a', '31'], publicBenefit: true, registeredOn: '2011-03-03', theme: TH.family },
  { name: 'Fundacja Uzależnieniom Stop', legalForm: 'foundation', spheres: ['32', '6'], publicBenefit: true, registeredOn: '2003-08-19', theme: TH.addictions },
];
/** NGOs 12..113 are the commissions' own members (with the twelve above: the 114 of 2019). */
const FIRST_OUTSIDER = 114;
/** NGOs 150..163 were registered but did not cooperate with the city in 2019 (no task, activity or seat that year). */
const FIRST_DORMANT = 150;
/** NGOs registered in 2020: no 2019 records, so the 2019 report does not count them as registered. */
const FIRST_YOUNG = 164;
const activeIn = (i: number, year: number) => i > 0 && (year !== 2019 || i < FIRST_DORMANT || i >= FIRST_YOUNG);
const CHURCH_THEMES: number[] = [TH.social, TH.family, TH.seniors, TH.disability];
const COOPERATIVE_THEMES: number[] = [TH.economy, TH.social, TH.disability, TH.revitalisation];
const themeOf = (i: number): number => (i < LEGACY_NGOS.length ? LEGACY_NGOS[i].theme : (i - LEGACY_NGOS.length) % THEMES.length);

function buildNgos(rng: Rng): DemoNgo[] {
  const ngos = [...LEGACY_NGOS];
  const names = new Set(ngos.map((n) => n.name));
  const counters = { church: 0, cooperative: 0, company: 0 };
  for (let i = LEGACY_NGOS.length; i < DEMO_NGO_COUNT; i++) {
    const theme = themeOf(i);
    const t = THEMES[theme];
    const k = Math.floor((i - LEGACY_NGOS.length) / THEMES.length);
    const district = DISTRICTS[(theme * 5 + k * 7) % DISTRICTS.length];
    const roll = rng.int(1, 100);
    let legalForm: LegalForm = roll <= 58 ? 'association' : roll <= 88 ? 'foundation' : roll <= 93 ? 'church-entity' : roll <= 97 ? 'cooperative' : 'other';
    if (legalForm === 'church-entity' && !CHURCH_THEMES.includes(theme)) legalForm = 'association';
    if (legalForm === 'cooperative' && !COOPERATIVE_THEMES.includes(theme)) legalForm = 'foundation';
    let name: string;
    switch (legalForm) {
      case 'association':
        name = k % 3 === 2 ? `Krakowskie Stowarzyszenie ${t.associations[k % 4]}` : `Stowarzyszenie ${t.associations[k % 4]} ${district[0]}`;
        break;
      case 'foundation':
        name = `${t.foundation} „${WORDS[(theme * 3 + k) % WORDS.length]}”`;
        break;
      case 'church-entity':
        name = `Parafialny Zespół Caritas przy Parafii ${SAINTS[counters.church++ % SAINTS.length]}`;
        break;
      case 'cooperative':
        name = `Spółdzielnia Socjalna „${WORDS[(counters.cooperative++ * 7 + 3) % WORDS.length]}”`;
        break;
      case 'other':
        name = `Centrum Usług Społecznych „${WORDS[(counters.company++ * 11 + 5) % WORDS.length]}” sp. z o.o. non-profit`;
    }
    if (names.has(name)) name = `${name} (${district[1]})`;
    for (let n = 2; names.has(name); n++) name = `${name.replace(/ \d+$/, '')} ${n}`;
    names.add(name);
    const spheres = [...t.spheres];
    if (rng.chance(0.3)) {
      const extra = rng.pick(['13', '15', '27', '3', '14', '2']);
      if (!spheres.includes(extra)) spheres.push(extra);
    }
    const registeredOn = i >= FIRST_YOUNG ? dayOf(2020, rng.int(1, 10), rng.int(1, 28)) : dayOf(1990 + ((i * 7) % 29), rng.int(1, 12), rng.int(1, 28));
    ngos.push({ name, legalForm, spheres, publicBenefit: i < FIRST_YOUNG && rng.chance(0.38), registeredOn, theme });
  }
  return ngos;
}

function address(i: number): string {
  return `ul. ${STREETS[(i * 5) % STREETS.length]} ${1 + ((i * 13) % 97)}, ${DISTRICTS[(i * 7) % DISTRICTS.length][1]}, Kraków`;
}

/** A KRS, NIP and REGON for the n-th demo organisation, each with a valid checksum where one exists. */
export function demoIdentifiers(n: number): { krs: string; nip: string; regon: string } {
  const krs = String(100_000 + n * 7919).padStart(10, '0');
  let nip: string | null = null;
  for (let k = 0; !nip; k++) nip = withNipCheckDigit(String(676_000_000 + n * 1013 + k).padStart(9, '0'));
  const regon = withRegonCheckDigit(String(35_000_000 + n * 211).padStart(8, '0'));
  return { krs, nip, regon };
}

// ---------------------------------------------------------------------------------------------
// Funded tasks
// ---------------------------------------------------------------------------------------------

export interface DemoTask {
  year: number;
  title: string;
  sphere: string;
  mode: Mode;
  form: Form;
  department: string;
  ngos: number[];
  requested: string | null;
  granted: string;
  settled: string | null;
  startDate: string;
  endDate: string;
  status: Status;
  competitionRef: string | null;
  beneficiaries: number | null;
}

type LegacyTask = [title: string, sphere: string, mode: Mode, form: Form, department: string, ngos: number[], requested: string | null, granted: string, settled: string | null, startDate: string, endDate: string, status: Status, competitionRef: string | null];

/** The first eleven funded tasks of 2019, kept as they were. */
const LEGACY_TASKS: LegacyTask[] = [
  ['Prowadzenie Centrum Aktywności Seniorów w Nowej Hucie', '10', 'open-competition', 'support', D.social, [0], '160000.00', '150000.00', '149820.50', '2019-01-02', '2019-12-31', 'settled', 'OK-3/2019'],
  ['Nieodpłatna pomoc prawna i edukacja prawna', '1b', 'other-act', 'entrustment', D.affairs, [1], null, '420000.00', '420000.00', '2019-01-02', '2019-12-31', 'settled', null],
  ['Mieszkania chronione dla osób w kryzysie bezdomności', '1', 'open-competition', 'entrustment', D.mops, [2], '900000.00', '870000.00', '868120.00', '2019-01-02', '2019-12-31', 'settled', 'OK-1/2019'],
  ['Usługi opiekuńcze w miejscu zamieszkania', '1', 'open-competition', 'entrustment', D.mops, [7, 2], '2500000.00', '2400000.00', '2381450.35', '2019-01-02', '2019-12-31', 'settled', 'OK-1/2019'],
  ['Tydzień Osób Niepełnosprawnych „Kocham Kraków z wzajemnością”', '7', 'small-grant', 'support', D.social, [3], '10000.00', '9800.00', '9800.00', '2019-05-20', '2019-06-30', 'settled', null],
  ['Tramwaj Praw Człowieka', '22', 'small-grant', 'support', D.mayor, [4], null, '6000.00', '5950.00', '2019-11-15', '2019-12-20', 'settled', null],
  ['Sprzątanie Zakrzówka razem z mieszkańcami', '18', 'local-initiative', 'support', D.environment, [5], null, '12000.00', '12000.00', '2019-04-01', '2019-06-30', 'settled', null],
  ['Zajęcia sportowe dla dzieci i młodzieży', '17', 'open-competition', 'support', D.sport, [6], '80000.00', '65000.00', '20000.00', '2019-03-01', '2019-11-30', 'terminated', 'OK-9/2019'],
  ['Spektakle teatralne w Podgórzu', '16', 'open-competition', 'support', D.culture, [9], '45000.00', '40000.00', '40000.00', '2019-02-01', '2019-12-15', 'settled', 'OK-12/2019'],
  ['Wsparcie rodzin zastępczych', '1a', 'open-competition', 'entrustment', D.mops, [10], '120000.00', '118000.00', '117990.00', '2019-01-02', '2019-12-31', 'settled', 'OK-2/2019'],
  ['Profilaktyka uzależnień w szkołach', '32', 'open-competition', 'support', D.social, [11, 0], '70000.00', '70000.00', '69500.00', '2019-02-15', '2019-12-15', 'settled', 'OK-5/2019'],
];

type Period = 'year' | 'summer' | 'winter' | 'season';

/** An open competition (otwarty konkurs ofert): its number, theme, sphere, department, form, tasks and amounts in PLN. */
interface Competition {
  no: number;
  theme: number;
  sphere: string;
  department: string;
  form: Form;
  tasks: number;
  grant: [min: number, max: number];
  period: Period;
  /** {at}: "w Bronowicach" */
  titles: string[];
}
const COMPETITIONS: Competition[] = [
  { no: 1, theme: TH.social, sphere: '1', department: D.mops, form: 'entrustment', tasks: 5, grant: [80_000, 600_000], period: 'year', titles: ['Prowadzenie noclegowni dla osób w kryzysie bezdomności', 'Prowadzenie ogrzewalni dla osób w kryzysie bezdomności', 'Streetworking wśród osób w kryzysie bezdomności', 'Prowadzenie łaźni i punktu higieny', 'Dystrybucja żywności dla osób najuboższych'] },
  { no: 2, theme: TH.family, sphere: '1a', department: D.mops, form: 'entrustment', tasks: 6, grant: [60_000, 250_000], period: 'year', titles: ['Prowadzenie placówki wsparcia dziennego {at}'] },
  { no: 3, theme: TH.seniors, sphere: '10', department: D.social, form: 'support', tasks: 10, grant: [40_000, 160_000], period: 'year', titles: ['Prowadzenie Centrum Aktywności Seniorów {at}'] },
  { no: 4, theme: TH.health, sphere: '6', department: D.social, form: 'support', tasks: 5, grant: [20_000, 90_000], period: 'year', titles: ['Program profilaktyki chorób układu krążenia', 'Rehabilitacja osób po udarze mózgu', 'Edukacja zdrowotna dla seniorów', 'Wsparcie psychologiczne dla osób chorych onkologicznie', 'Profilaktyka zdrowia psychicznego dzieci i młodzieży'] },
  { no: 5, theme: TH.addictions, sphere: '32', department: D.social, form: 'support', tasks: 7, grant: [30_000, 150_000], period: 'year', titles: ['Prowadzenie świetlicy socjoterapeutycznej {at}', 'Punkt konsultacyjny dla osób uzależnionych i ich rodzin', 'Program profilaktyki uzależnień od alkoholu dla młodzieży'] },
  { no: 6, theme: TH.disability, sphere: '7', department: D.social, form: 'support', tasks: 7, grant: [20_000, 180_000], period: 'year', titles: ['Warsztaty terapii zajęciowej', 'Asystent osobisty osoby z niepełnosprawnością', 'Turnusy rehabilitacyjne dla dzieci z niepełnosprawnościami', 'Przewóz osób z niepełnosprawnościami na zajęcia', 'Zajęcia rehabilitacyjne w wodzie', 'Klub integracyjny {at}'] },
  { no: 7, theme: TH.disability, sphere: '7', department: D.mops, form: 'entrustment', tasks: 3, grant: [90_000, 220_000], period: 'year', titles: ['Prowadzenie mieszkania treningowego dla osób z niepełnosprawnością intelektualną {at}'] },
  { no: 8, theme: TH.social, sphere: '2', department: D.mops, form: 'support', tasks: 4, grant: [50_000, 200_000], period: 'year', titles: ['Reintegracja społeczna i zawodowa osób zagrożonych wykluczeniem', 'Klub integracji społecznej {at}'] },
  { no: 9, theme: TH.sport, sphere: '17', department: D.sport, form: 'support', tasks: 16, grant: [10_000, 120_000], period: 'year', titles: ['Szkolenie sportowe dzieci i młodzieży: {sport}'] },
  { no: 10, theme: TH.sport, sphere: '17', department: D.sport, form: 'support', tasks: 5, grant: [15_000, 80_000], period: 'season', titles: ['Bieg Lajkonika', 'Turniej piłki nożnej drużyn dzielnicowych', 'Nocny Bieg Podgórski', 'Wiślany spływ kajakowy', 'Rodzinny rajd rowerowy po Nowej Hucie'] },
  { no: 11, theme: TH.sport, sphere: '17', department: D.sport, form: 'support', tasks: 4, grant: [10_000, 50_000], period: 'year', titles: ['Sport dla wszystkich: zajęcia rekreacyjne dla dorosłych {at}'] },
  { no: 12, theme: TH.culture, sphere: '16', department: D.culture, form: 'support', tasks: 12, grant: [8_000, 90_000], period: 'season', titles: ['Festiwal muzyki dawnej', 'Cykl koncertów kameralnych {at}', 'Przegląd filmów dokumentalnych', 'Warsztaty fotograficzne dla młodzieży', 'Antologia krakowskich poetów', 'Festiwal teatrów ulicznych', 'Jarmark sztuki ludowej', 'Noce jazzowe {at}', 'Teatr dla dzieci {at}', 'Warsztaty lutnicze'] },
  { no: 13, theme: TH.culture, sphere: '16', department: D.culture, form: 'support', tasks: 4, grant: [15_000, 70_000], period: 'season', titles: ['Renowacja kapliczek przydrożnych {at}', 'Cyfrowe archiwum historii dzielnicy {at}', 'Szlak pamięci robotniczej Nowej Huty', 'Inwentaryzacja nagrobków zasłużonych krakowian'] },
  { no: 14, theme: TH.culture, sphere: '4', department: D.culture, form: 'support', tasks: 3, grant: [10_000, 40_000], period: 'season', titles: ['Obchody rocznicy odzyskania niepodległości {at}', 'Kultywowanie krakowskich tradycji bożonarodzeniowych', 'Lekcje historii Krakowa dla uczniów'] },
  { no: 15, theme: TH.education, sphere: '14', department: D.education, form: 'support', tasks: 8, grant: [10_000, 60_000], period: 'year', titles: ['Zajęcia rozwijające uzdolnienia matematyczne', 'Koło robotyki dla uczniów {at}', 'Edukacja obywatelska w szkołach ponadpodstawowych', 'Warsztaty programowania dla dziewcząt', 'Konkurs wiedzy o Krakowie dla szkół', 'Korepetycje dla uczniów z rodzin w trudnej sytuacji {at}'] },
  { no: 16, theme: TH.youth, sphere: '15', department: D.education, form: 'support', tasks: 8, grant: [10_000, 70_000], period: 'summer', titles: ['Półkolonie letnie {at}', 'Obóz wędrowny dla młodzieży', 'Letnie warsztaty artystyczne dla dzieci {at}'] },
  { no: 17, theme: TH.youth, sphere: '15', department: D.education, form: 'support', tasks: 4, grant: [8_000, 40_000], period: 'winter', titles: ['Zimowy wypoczynek dzieci {at}', 'Ferie na sportowo {at}'] },
  { no: 18, theme: TH.ecology, sphere: '18', department: D.environment, form: 'support', tasks: 6, grant: [10_000, 60_000], period: 'season', titles: ['Edukacja ekologiczna: segregacja odpadów', 'Ochrona jerzyków i nietoperzy', 'Sterylizacja kotów wolno żyjących', 'Warsztaty o jakości powietrza dla szkół', 'Ochrona płazów w czasie wędrówek wiosennych', 'Pasieka miejska {at}'] },
  { no: 19, theme: TH.ecology, sphere: '18', department: D.greenery, form: 'support', tasks: 4, grant: [15_000, 60_000], period: 'season', titles: ['Sadzenie drzew i krzewów {at}', 'Ogród społeczny {at}'] },
  { no: 20, theme: TH.ecology, sphere: '18', department: D.environment, form: 'entrustment', tasks: 2, grant: [250_000, 600_000], period: 'year', titles: ['Opieka nad bezdomnymi zwierzętami', 'Adopcje psów i kotów ze schroniska'] },
  { no: 21, theme: TH.tourism, sphere: '19', department: D.development, form: 'support', tasks: 4, grant: [8_000, 40_000], period: 'season', titles: ['Szlak turystyczny {at}', 'Rajdy krajoznawcze dla seniorów', 'Przewodnik po Krakowie dla osób niewidomych', 'Wycieczki rowerowe po Dolinie Wisły'] },
  { no: 22, theme: TH.safety, sphere: '20', department: D.safety, form: 'support', tasks: 2, grant: [10_000, 50_000], period: 'year', titles: ['Bezpieczny senior: przeciwdziałanie oszustwom', 'Bezpieczna droga do szkoły {at}'] },
  { no: 23, theme: TH.safety, sphere: '23', department: D.safety, form: 'support', tasks: 3, grant: [20_000, 120_000], period: 'season', titles: ['Ratownictwo wodne na kąpieliskach', 'Nauka pierwszej pomocy w szkołach', 'Szkolenia z ratownictwa dla wolontariuszy'] },
  { no: 24, theme: TH.equality, sphere: '22', department: D.mayor, form: 'support', tasks: 3, grant: [10_000, 50_000], period: 'season', titles: ['Przeciwdziałanie dyskryminacji w szkołach', 'Festiwal Praw Człowieka', 'Poradnictwo antydyskryminacyjne'] },
  { no: 25, theme: TH.equality, sphere: '9', department: D.mayor, form: 'support', tasks: 2, grant: [10_000, 40_000], period: 'season', titles: ['Aktywizacja zawodowa kobiet po przerwie w pracy', 'Kobiety w nauce: warsztaty dla licealistek'] },
  { no: 26, theme: TH.multicultural, sphere: '5', department: D.affairs, form: 'support', tasks: 4, grant: [8_000, 45_000], period: 'season', titles: ['Nauka języka polskiego dla cudzoziemców', 'Integracja dzieci cudzoziemskich w szkołach', 'Dni kultury ukraińskiej', 'Festiwal kultury romskiej'] },
  { no: 27, theme: TH.family, sphere: '31', department: D.social, form: 'support', tasks: 4, grant: [10_000, 60_000], period: 'year', titles: ['Szkoła dla rodziców', 'Poradnictwo rodzinne {at}', 'Mediacje rodzinne', 'Wsparcie rodzin wielodzietnych'] },
  { no: 28, theme: TH.revitalisation, sphere: '32a', department: D.development, form: 'support', tasks: 4, grant: [15_000, 80_000], period: 'year', titles: ['Animacja społeczna na obszarze rewitalizacji {at}', 'Kawiarenka sąsiedzka {at}'] },
  { no: 29, theme: TH.economy, sphere: '11', department: D.development, form: 'support', tasks: 2, grant: [20_000, 90_000], period: 'year', titles: ['Inkubator przedsiębiorczości społecznej', 'Doradztwo dla początkujących przedsiębiorców'] },
  { no: 30, theme: TH.economy, sphere: '8', department: D.affairs, form: 'support', tasks: 2, grant: [30_000, 120_000], period: 'year', titles: ['Aktywizacja zawodowa osób długotrwale bezrobotnych', 'Staże i praktyki dla osób z niepełnosprawnościami'] },
  { no: 31, theme: TH.volunteering, sphere: '27', department: D.affairs, form: 'support', tasks: 2, grant: [20_000, 80_000], period: 'year', titles: ['Krakowskie Centrum Wolontariatu', 'Wolontariat seniorów'] },
  { no: 32, theme: TH.volunteering, sphere: '33', department: D.social, form: 'support', tasks: 2, grant: [30_000, 120_000], period: 'year', titles: ['Doradztwo dla organizacji pozarządowych', 'Inkubator organizacji pozarządowych'] },
  { no: 33, theme: TH.equality, sphere: '29', department: D.mayor, form: 'support', tasks: 2, grant: [10_000, 40_000], period: 'season', titles: ['Opieka nad kombatantami i osobami represjonowanymi', 'Spotkania międzypokoleniowe z kombatantami'] },
  { no: 34, theme: TH.multicultural, sphere: '26', department: D.mayor, form: 'support', tasks: 2, grant: [10_000, 40_000], period: 'season', titles: ['Wymiana młodzieży z miastami partnerskimi', 'Europejskie Dni Sąsiedztwa'] },
  { no: 35, theme: TH.revitalisation, sphere: '13', department: D.social, form: 'support', tasks: 3, grant: [10_000, 50_000], period: 'year', titles: ['Aktywizacja społeczności lokalnej {at}'] },
  { no: 36, theme: TH.social, sphere: '3', department: D.mops, form: 'support', tasks: 2, grant: [15_000, 60_000], period: 'season', titles: ['Paczki świąteczne dla osób samotnych', 'Wigilia dla osób w kryzysie bezdomności'] },
];
const SPORTS = ['piłka nożna', 'koszykówka', 'siatkówka', 'pływanie', 'lekkoatletyka', 'judo', 'szermierka', 'tenis stołowy', 'wioślarstwo', 'kajakarstwo', 'hokej na lodzie', 'szachy', 'gimnastyka artystyczna', 'łyżwiarstwo figurowe', 'boks', 'zapasy'];

/** Small grants (art. 19a): short, single-NGO projects. [title, sphere, theme, department] */
const SMALL_GRANTS: ReadonlyArray<[title: string, sphere: string, theme: number, department: string]> = [
  ['Piknik sąsiedzki {at}', '13', TH.revitalisation, D.social],
  ['Warsztaty rękodzieła dla seniorów {at}', '10', TH.seniors, D.social],
  ['Turniej szachowy dla dzieci {at}', '17', TH.sport, D.sport],
  ['Koncert kolęd {at}', '16', TH.culture, D.culture],
  ['Sprzątanie brzegów Wisły', '18', TH.ecology, D.environment],
  ['Warsztaty kuchni regionalnej {at}', '4', TH.culture, D.culture],
  ['Dzień Sąsiada {at}', '13', TH.revitalisation, D.social],
  ['Wycieczka krajoznawcza dla osób z niepełnosprawnościami', '7', TH.disability, D.social],
  ['Festyn rodzinny {at}', '31', TH.family, D.social],
  ['Spotkanie wigilijne dla osób samotnych {at}', '3', TH.social, D.mops],
  ['Kurs pierwszej pomocy dla seniorów', '23', TH.safety, D.safety],
  ['Rajd rowerowy {at}', '19', TH.tourism, D.development],
  ['Warsztaty teatralne dla młodzieży {at}', '15', TH.youth, D.education],
  ['Dzień Zdrowia {at}', '6', TH.health, D.social],
  ['Kampania „Trzeźwy kierowca”', '32', TH.addictions, D.social],
  ['Spotkania z historią dzielnicy {at}', '16', TH.culture, D.culture],
  ['Warsztaty ekologiczne dla przedszkolaków {at}', '18', TH.ecology, D.environment],
  ['Potańcówka międzypokoleniowa {at}', '10', TH.seniors, D.social],
  ['Międzykulturowy piknik rodzinny', '5', TH.multicultural, D.affairs],
  ['Warsztaty przedsiębiorczości dla licealistów', '11', TH.economy, D.development],
  ['Szkolenie wolontariuszy akcji zimowej', '27', TH.volunteering, D.affairs],
  ['Debata młodzieżowa o prawach człowieka', '22', TH.equality, D.mayor],
  ['Turniej koszykówki ulicznej {at}', '17', TH.sport, D.sport],
  ['Nordic walking dla seniorów {at}', '17', TH.seniors, D.sport],
  ['Budki lęgowe dla ptaków {at}', '18', TH.ecology, D.greenery],
  ['Warsztaty fotografii miejskiej', '16', TH.culture, D.culture],
  ['Gra miejska o Podgórzu', '19', TH.tourism, D.development],
  ['Mikołajki dla dzieci z rodzin zastępczych', '1a', TH.family, D.mops],
  ['Szkolenie z mediacji rówieśniczych', '14', TH.education, D.education],
  ['Konkurs plastyczny „Bezpieczne wakacje”', '20', TH.safety, D.safety],
];

/** Local initiatives (art. 19b): residents' projects with an NGO. [title, sphere, theme, department] */
const LOCAL_INITIATIVES: ReadonlyArray<[title: string, sphere: string, theme: number, department: string]> = [
  ['Zielone podwórko przy ul. {street}', '18', TH.ecology, D.greenery],
  ['Skwer sąsiedzki {at}', '13', TH.revitalisation, D.greenery],
  ['Mural na osiedlu {at}', '32a', TH.revitalisation, D.development],
  ['Ogródek społeczny przy ul. {street}', '18', TH.ecology, D.greenery],
  ['Odnowa boiska osiedlowego {at}', '17', TH.sport, D.sport],
  ['Ławki i stojaki rowerowe przy ul. {street}', '32a', TH.revitalisation, D.development],
  ['Łąka kwietna {at}', '18', TH.ecology, D.environment],
];

/** Tasks under other acts (free legal aid, social assistance, family support). [title, sphere, theme, department, PLN] */
const OTHER_ACTS: ReadonlyArray<[title: string, sphere: string, theme: number, department: string, granted: number]> = [
  ['Punkt nieodpłatnej pomocy prawnej nr 2', '1b', TH.equality, D.affairs, 60_060],
  ['Punkt nieodpłatnej pomocy prawnej nr 3', '1b', TH.equality, D.affairs, 60_060],
  ['Punkt nieodpłatnej pomocy prawnej nr 4', '1b', TH.equality, D.affairs, 60_060],
  ['Punkt nieodpłatnej pomocy prawnej nr 5', '1b', TH.social, D.affairs, 60_060],
  ['Punkt nieodpłatnej pomocy prawnej nr 6', '1b', TH.social, D.affairs, 60_060],
  ['Punkt nieodpłatnego poradnictwa obywatelskiego nr 1', '1b', TH.volunteering, D.affairs, 60_060],
  ['Punkt nieodpłatnego poradnictwa obywatelskiego nr 2', '1b', TH.volunteering, D.affairs, 60_060],
  ['Prowadzenie środowiskowego domu samopomocy {at}', '7', TH.disability, D.mops, 720_000],
  ['Prowadzenie środowiskowego domu samopomocy dla osób z zaburzeniami psychicznymi', '7', TH.health, D.mops, 540_000],
  ['Prowadzenie placówki opiekuńczo-wychowawczej typu socjalizacyjnego {at}', '1a', TH.family, D.mops, 980_000],
  ['Specjalistyczne usługi opiekuńcze dla osób z zaburzeniami psychicznymi', '1', TH.social, D.mops, 1_250_000],
];

/** The k-th title of a competition: each fixed title once, then the ones with a place or a discipline in turn. */
function titleOf(c: Competition, k: number): string {
  if (k < c.titles.length) return c.titles[k];
  const variable = c.titles.filter((t) => t.includes('{'));
  return variable.length ? variable[(k - c.titles.length) % variable.length] : c.titles[k % c.titles.length];
}

function fill(template: string, n: number): string {
  return template
    .replace('{at}', DISTRICTS[n % DISTRICTS.length][0])
    .replace('{street}', STREETS[(n * 3) % STREETS.length])
    .replace('{sport}', SPORTS[n % SPORTS.length]);
}

/** The years of the 2023–2026 programme, built from a generator of their own so that 2019–2022 stay as they were. */
export const RECENT_YEARS = [2023, 2024, 2025, 2026];

function buildTasks(rng: Rng, ngos: DemoNgo[], recent?: Rng): DemoTask[] {
  const tasks: DemoTask[] = LEGACY_TASKS.map(([title, sphere, mode, form, department, ngoIndexes, requested, granted, settled, startDate, endDate, status, competitionRef]) => ({
    year: 2019, title, sphere, mode, form, department, ngos: ngoIndexes, requested, granted, settled, startDate, endDate, status, competitionRef, beneficiaries: null,
  }));
  // the small-grant yearly cap (art. 19a): grosze of small grants per NGO and year, every status counted
  const smallGrants = new Map<string, number>();
  const capKey = (year: number, ngo: number) => `${year}:${ngo}`;
  for (const t of tasks) if (t.mode === 'small-grant') for (const n of t.ngos) smallGrants.set(capKey(t.year, n), (smallGrants.get(capKey(t.year, n)) ?? 0) + grosze(t.granted));

  // one title once a year: a template with a place moves on to the next district, a fixed one names its NGO's
  const seen = new Set(tasks.map((t) => `${t.year}|${t.title}`));
  const uniqueTitle = (year: number, template: string, n: number, ngo: number): string => {
    let title = fill(template, n);
    for (let j = 1; seen.has(`${year}|${title}`); j++) {
      title = template.includes('{') && j < DISTRICTS.length ? fill(template, n + j) : `${fill(template, n)} (${DISTRICTS[(ngo * 7 + j) % DISTRICTS.length][1]})`;
    }
    seen.add(`${year}|${title}`);
    return title;
  };
  const registeredBy = (year: number) => (i: number) => ngos[i].registeredOn <= `${year - 1}-12-31`;
  const everyone = (year: number) => ngos.map((_, i) => i).filter((i) => activeIn(i, year) && registeredBy(year)(i));
  const pool = (theme: number, year: number): number[] => {
    const own = everyone(year).filter((i) => themeOf(i) === theme);
    return own.length ? own : everyone(year);
  };

  const period = (p: Period, year: number): [string, string] => {
    switch (p) {
      case 'year': {
        const start = rng.chance(0.3) ? dayOf(year, rng.int(2, 3), 1) : dayOf(year, 1, rng.pick([2, 7, 14]));
        return [start, dayOf(year, 12, rng.pick([15, 20, 31]))];
      }
      case 'summer':
        return [dayOf(year, 6, 29 - rng.int(0, 2)), dayOf(year, 8, 30 - rng.int(0, 5))];
      case 'winter':
        return [dayOf(year, 1, 28), dayOf(year, 2, 8 + rng.int(0, 2))];
      case 'season': {
        const start = dayOf(year, rng.int(3, 9), rng.int(1, 28));
        const end = addDays(start, rng.int(30, 150));
        return [start, end > `${year}-12-31` ? `${year}-12-15` : end];
      }
    }
  };
  const roundTo = (grosze: number, step: number) => Math.max(step, Math.round(grosze / step) * step);
  const amounts = (grantedPln: number, status: Status, requestedToo: boolean): Pick<DemoTask, 'requested' | 'granted' | 'settled'> => {
    const granted = roundTo(grantedPln * PLN, 100 * PLN);
    const requested = requestedToo ? granted + roundTo(Math.floor((granted * rng.int(0, 30)) / 100), 100 * PLN) * (rng.chance(0.25) ? 0 : 1) : null;
    let settled: number | null = null;
    if (status === 'settled') settled = rng.chance(0.4) ? granted - rng.int(1, Math.floor(granted / 25)) : granted;
    if (status === 'terminated') settled = Math.floor((granted * rng.int(20, 70)) / 100) + rng.int(0, 99);
    return { requested: requested === null ? null : money(requested), granted: money(granted), settled: settled === null ? null : money(settled) };
  };

  const openCompetitions = (year: number, share: number) => {
    let n = 0;
    for (const c of COMPETITIONS) {
      const count = year === 2019 ? c.tasks : Math.max(1, Math.round(c.tasks * share));
      const ref = `OK-${c.no}/${year}`;
      const candidates = pool(c.theme, year);
      for (let k = 0; k < count; k++, n++) {
        const status: Status = year === 2019 && n % 53 === 40 ? 'planned' : (year === 2019 && n % 29 === 17) || (year === 2020 && n % 7 === 3) ? 'terminated' : 'settled';
        const lead = candidates[(k + rng.int(0, candidates.length - 1)) % candidates.length];
        const partners = rng.chance(0.12) ? rng.some(everyone(year).filter((i) => i !== lead), 1) : [];
        const [startDate, endDate] = period(c.period, year);
        const grant = rng.int(c.grant[0], c.grant[1]);
        tasks.push({
          year,
          title: uniqueTitle(year, titleOf(c, k), c.no * 5 + k * 7 + year, lead),
          sphere: c.sphere,
          mode: 'open-competition',
          form: c.form,
          department: c.department,
          ngos: [lead, ...partners],
          ...amounts(grant, status, true),
          startDate,
          endDate,
          status,
          competitionRef: ref,
          beneficiaries: status === 'planned' ? null : rng.int(15, 900),
        });
      }
    }
  };

  const smallGrantsOf = (year: number, count: number) => {
    const max = grosze(SMALL_GRANT_MAX);
    const yearlyMax = grosze(SMALL_GRANT_YEARLY_MAX);
    for (let k = 0; k < count; k++) {
      const [template, sphere, theme, department] = SMALL_GRANTS[(k * 7 + year) % SMALL_GRANTS.length];
      const granted = Math.min(max, roundTo(rng.int(3_000, 10_000) * PLN, 10 * PLN));
      const candidates = pool(theme, year).concat(everyone(year));
      const start = rng.int(0, candidates.length - 1);
      let lead = -1;
      for (let j = 0; j < candidates.length && lead < 0; j++) {
        const c = candidates[(start + j) % candidates.length];
        if ((smallGrants.get(capKey(year, c)) ?? 0) + granted <= yearlyMax) lead = c;
      }
      if (lead < 0) throw new Error('demo data: no NGO left under the small-grant yearly cap');
      smallGrants.set(capKey(year, lead), (smallGrants.get(capKey(year, lead)) ?? 0) + granted);
      const startDate = dayOf(year, rng.int(2, 9), rng.int(1, 28));
      const endDate = addDays(startDate, rng.int(6, SMALL_GRANT_MAX_DAYS - 1)); // both the first and the last day count
      const status: Status = k % 23 === 11 ? 'terminated' : 'settled';
      const requested = Math.min(max, granted + roundTo(rng.int(0, 1_500) * PLN, 10 * PLN) * (rng.chance(0.5) ? 1 : 0));
      const settled = status === 'terminated' ? Math.floor(granted / 2) : rng.chance(0.3) ? granted - rng.int(1, 20_000) : granted;
      tasks.push({
        year, title: uniqueTitle(year, template, k * 5 + year, lead), sphere, mode: 'small-grant', form: 'support', department, ngos: [lead],
        requested: money(requested), granted: money(granted), settled: money(settled), startDate, endDate, status, competitionRef: null, beneficiaries: rng.int(20, 400),
      });
    }
  };

  const localInitiatives = (year: number, count: number) => {
    for (let k = 0; k < count; k++) {
      const [template, sphere, theme, department] = LOCAL_INITIATIVES[(k + year) % LOCAL_INITIATIVES.length];
      const candidates = pool(theme, year);
      const startDate = dayOf(year, rng.int(3, 7), rng.int(1, 28));
      const lead = rng.pick(candidates);
      tasks.push({
        year, title: uniqueTitle(year, template, k * 11 + year, lead), sphere, mode: 'local-initiative', form: 'support', department, ngos: [lead],
        ...amounts(rng.int(5_000, 60_000), 'settled', false), startDate, endDate: addDays(startDate, rng.int(30, 120)), status: 'settled', competitionRef: null, beneficiaries: rng.int(50, 1_500),
      });
    }
  };

  const otherActs = (year: number) => {
    OTHER_ACTS.forEach(([template, sphere, theme, department, grant], k) => {
      const candidates = pool(theme, year);
      const granted = grant * PLN;
      const lead = candidates[k % candidates.length];
      tasks.push({
        year, title: uniqueTitle(year, template, k * 3 + 1, lead), sphere, mode: 'other-act', form: 'entrustment', department, ngos: [lead],
        requested: null, granted: money(granted), settled: money(granted), startDate: dayOf(year, 1, 2), endDate: dayOf(year, 12, 31), status: 'settled', competitionRef: null, beneficiaries: rng.int(200, 2_000),
      });
    });
  };

  openCompetitions(2019, 1);
  smallGrantsOf(2019, 60);
  localInitiatives(2019, 14);
  otherActs(2019);
  for (const year of [2020, 2021]) {
    openCompetitions(year, 0.25);
    smallGrantsOf(year, 12);
    localInitiatives(year, 3);
  }
  if (recent) {
    // the helpers above draw from `rng`: from here on, from the recent years' own generator
    rng = recent;
    for (const year of RECENT_YEARS) {
      openCompetitions(year, 0.3);
      smallGrantsOf(year, 15);
      localInitiatives(year, 4);
      otherActs(year);
    }
    // the tasks of the last year still running at its end are in progress, not yet settled
    for (const t of tasks) {
      if (t.year === RECENT_YEARS[RECENT_YEARS.length - 1] && t.endDate >= `${t.year}-11-30`) Object.assign(t, { status: 'in-progress', settled: null });
    }
  }
  return tasks;
}

// ---------------------------------------------------------------------------------------------
// Non-financial cooperation
// ---------------------------------------------------------------------------------------------

export interface DemoActivity {
  year: number;
  type: ActivityType;
  title: string;
  startDate: string;
  endDate: string | null;
  department: string;
  ngos: number[];
  participants: number | null;
}

type ActivityRow = [type: ActivityType, title: string, startDate: string, endDate: string | null, department: string, ngos: number[], participants: number | null, extra: number];
/** Non-financial cooperation: the first six kept (their NGOs joined by `extra` drawn ones), then more of the kinds the 2019 report names. */
const ACTIVITIES: ActivityRow[] = [
  ['premises', 'Lokale Centrum Obywatelskiego (ul. Reymonta 20) udostępniane organizacjom', '2019-01-02', '2019-12-31', D.social, [0, 3, 4, 5, 8], 2400, 30],
  ['consultation', 'Konsultacje projektu Rocznego Programu Współpracy na rok 2020', '2019-09-16', '2019-10-21', D.social, [0, 1, 2, 9, 10], 35, 12],
  ['event', 'Tydzień Osób Niepełnosprawnych „Kocham Kraków z wzajemnością”', '2019-05-25', '2019-06-02', D.social, [3], 5000, 14],
  ['event', 'Tramwaj Praw Człowieka', '2019-12-10', null, D.mayor, [4, 1], 800, 4],
  ['training', 'Szkolenie z rozliczania dotacji', '2019-02-12', null, D.social, [0, 2, 6, 7, 11], 60, 25],
  ['promotion', 'Patronat Prezydenta nad Dniem Seniora', '2019-10-01', null, D.mayor, [0], null, 6],
  ['consultation', 'Konsultacje ogłoszeń otwartych konkursów ofert na rok 2020', '2019-10-28', '2019-11-22', D.social, [], 48, 18],
  ['consultation', 'Konsultacje programu „Kraków dla Seniorów” na lata 2019–2022', '2019-03-04', '2019-04-05', D.social, [0], 120, 9],
  ['information', 'Serwis informacyjny i cotygodniowy newsletter dla organizacji pozarządowych', '2019-01-02', '2019-12-31', D.social, [], null, 0],
  ['information', 'Spotkania informacyjne o otwartych konkursach ofert', '2019-01-15', '2019-01-24', D.social, [], 210, 40],
  ['joint-team', 'Krakowska Rada Działalności Pożytku Publicznego: posiedzenia', '2019-01-17', '2019-12-12', D.social, [], 16, 7],
  ['joint-team', 'Zespół zadaniowy ds. przeciwdziałania bezdomności', '2019-03-12', '2019-11-26', D.mops, [2, 7], 22, 5],
  ['joint-team', 'Zespół ds. dostępności miasta dla osób z niepełnosprawnościami', '2019-04-09', '2019-12-10', D.social, [3], 14, 6],
  ['event', 'Dzień Organizacji Pozarządowych na Małym Rynku', '2019-06-08', null, D.social, [], 3500, 45],
  ['event', 'Gala Wolontariatu „Krakowski Wolontariusz Roku”', '2019-12-05', null, D.affairs, [], 400, 12],
  ['event', 'Krakowskie Dni Seniora', '2019-09-23', '2019-09-29', D.social, [0], 2800, 16],
  ['training', 'Szkolenie: elektroniczne składanie ofert w konkursach', '2019-11-05', '2019-11-07', D.social, [], 95, 30],
  ['training', 'Szkolenie: ochrona danych osobowych w organizacjach', '2019-04-16', null, D.social, [], 70, 20],
  ['training', 'Warsztaty ekonomii społecznej dla stowarzyszeń', '2019-05-14', '2019-05-15', D.development, [8], 40, 10],
  ['promotion', 'Promocja przekazywania 1% podatku krakowskim organizacjom pożytku publicznego', '2019-02-01', '2019-04-30', D.mayor, [], null, 0],
  ['premises', 'Lokale użytkowe Gminy na preferencyjnych warunkach dla organizacji', '2019-01-02', '2019-12-31', D.development, [], null, 22],
  ['other', 'Użyczenie sprzętu nagłośnieniowego i namiotów na wydarzenia organizacji', '2019-04-01', '2019-10-31', D.mayor, [], null, 15],
  ['consultation', 'Konsultacje projektu Rocznego Programu Współpracy na rok 2021', '2020-09-14', '2020-10-16', D.social, [0, 1], 41, 10],
  ['event', 'Tramwaj Praw Człowieka', '2020-12-10', null, D.mayor, [4], 300, 2],
];

function buildActivities(rng: Rng, ngos: DemoNgo[]): DemoActivity[] {
  return ACTIVITIES.map(([type, title, startDate, endDate, department, fixed, participants, extra]) => {
    const year = Number(startDate.slice(0, 4));
    const pool = ngos.map((_, i) => i).filter((i) => activeIn(i, year) && !fixed.includes(i) && ngos[i].registeredOn < startDate);
    return { year, type, title, startDate, endDate, department, ngos: [...fixed, ...rng.some(pool, extra)], participants };
  });
}

// ---------------------------------------------------------------------------------------------
// Dialogue commissions
// ---------------------------------------------------------------------------------------------

export interface DemoMember {
  ngo: number;
  representative: string;
  role: Role;
  from: string;
  to: string | null;
}
export interface DemoCommission {
  name: string;
  sphere: string;
  department: string;
  termStart: string;
  termEnd: string;
  members: DemoMember[];
  meetings: Array<{ date: string; title: string; present: number[] }>;
}

function representative(ngo: number, commission: number): string {
  const h = (ngo * 31 + commission * 17) % 997;
  const female = h % 5 < 3;
  return `${FIRST_NAMES[h % FIRST_NAMES.length][female ? 0 : 1]} ${SURNAMES[(h * 7 + ngo) % SURNAMES.length][female ? 0 : 1]}`;
}

const MEETING_TITLES = [
  'Plan pracy komisji na rok 2019',
  'Opinia o projektach ogłoszeń otwartych konkursów ofert',
  'Spotkanie z dyrekcją wydziału',
  'Konsultacje projektu programu współpracy na rok 2020',
  'Podsumowanie roku i priorytety na rok 2020',
];
/** The recent terms' meetings of a year: in spring (the year's work) and in autumn (the next year's programme). */
const meetingTitles = (year: number): [string[], string[]] => [
  [`Plan pracy komisji na rok ${year}`, 'Opinia o projektach ogłoszeń otwartych konkursów ofert', 'Spotkanie z dyrekcją wydziału'],
  [`Konsultacje projektu programu współpracy na rok ${year + 1}`, `Podsumowanie roku ${year} i priorytety na rok ${year + 1}`],
];
const ROLE_BY_POSITION: Role[] = ['chair', 'vice-chair', 'secretary'];

/**
 * The commissions of the 2023–2026 term, one per theme but the last few: each theme's own NGOs as
 * members (some leaving or joining during the term), and meetings through the term.
 */
function buildRecentCommissions(rng: Rng, ngos: DemoNgo[]): DemoCommission[] {
  const [termStart, termEnd] = [`${RECENT_YEARS[0]}-01-01`, `${RECENT_YEARS[RECENT_YEARS.length - 1]}-12-31`];
  return THEMES.slice(0, 12).map((t, c) => {
    const own = ngos.map((_, i) => i).filter((i) => i > 0 && themeOf(i) === c && ngos[i].registeredOn <= '2022-12-31').slice(0, 7);
    const members: DemoMember[] = own.map((ngo, k) => ({
      ngo,
      representative: representative(ngo, c + 40),
      role: ROLE_BY_POSITION[k] ?? 'member',
      // the last member left in 2024, the one before joined in 2025
      from: k === own.length - 2 && own.length > 3 ? '2025-03-01' : termStart,
      to: k === own.length - 1 && own.length > 3 ? '2024-06-30' : null,
    }));
    const meetings = RECENT_YEARS.flatMap((year) =>
      [3, 10].map((month, k) => {
        const date = dayOf(year, month, 5 + rng.int(0, 20));
        const present = members.filter((m) => m.from <= date && (m.to === null || m.to >= date)).map((m) => m.ngo);
        const titles = meetingTitles(year)[k];
        return { date, title: titles[(c + year) % titles.length], present: present.slice(0, Math.max(2, present.length - 1)) };
      }),
    );
    return { name: `Komisja Dialogu Obywatelskiego ds. ${t.commission}`, sphere: t.sphere, department: t.department, termStart, termEnd, members, meetings };
  });
}

function buildCommissions(rng: Rng): DemoCommission[] {
  const primaries = (theme: number) => Array.from({ length: FIRST_OUTSIDER - LEGACY_NGOS.length }, (_, k) => k + LEGACY_NGOS.length).filter((i) => themeOf(i) === theme);
  // legacy NGOs seated in a commission after its own members
  const tails: Record<number, number[]> = { [TH.sport]: [6], [TH.ecology]: [5], [TH.equality]: [1], [TH.economy]: [8], [TH.family]: [10] };

  const commissions: DemoCommission[] = THEMES.map((t, c) => {
    const [termStart, termEnd] = t.term;
    const members: DemoMember[] = [];
    const add = (ngo: number, role: Role, from = termStart, to: string | null = null) => members.push({ ngo, representative: representative(ngo, c), role, from, to });
    const own = primaries(c);
    if (c === TH.seniors) {
      members.push(
        { ngo: 0, representative: 'Anna Kowalska', role: 'chair', from: '2019-01-01', to: null },
        { ngo: 7, representative: 'ks. Jan Nowak', role: 'vice-chair', from: '2019-01-01', to: null },
        { ngo: 2, representative: 'Maria Wiśniewska', role: 'secretary', from: '2019-01-01', to: '2019-12-31' },
        { ngo: 11, representative: 'Piotr Zieliński', role: 'member', from: '2019-03-01', to: null },
      );
      // the next secretary: a member until the end of 2019, the secretary from 2020
      add(own[0], 'member', termStart, '2019-12-31');
      add(own[0], 'secretary', '2020-01-01');
      for (const ngo of own.slice(1)) add(ngo, 'member');
    } else if (c === TH.culture) {
      members.push({ ngo: 9, representative: 'Katarzyna Lewandowska', role: 'chair', from: '2019-01-01', to: null });
      own.forEach((ngo, k) => add(ngo, k === 0 ? 'vice-chair' : k === 1 ? 'secretary' : 'member'));
      members.push(
        { ngo: 3, representative: 'Tomasz Wójcik', role: 'member', from: '2019-01-01', to: null },
        { ngo: 4, representative: 'Agnieszka Kamińska', role: 'member', from: '2019-05-01', to: null },
      );
    } else {
      [...own, ...(tails[c] ?? [])].forEach((ngo, k) => {
        const role = ROLE_BY_POSITION[k] ?? 'member';
        if (c === TH.sport && (k === 2 || k === 3)) {
          // the secretary and a member swap roles on 1 July 2019: each a membership until 30 June and another from 1 July
          add(ngo, role, termStart, '2019-06-30');
          add(ngo, k === 2 ? 'member' : 'secretary', '2019-07-01');
        } else if (c === TH.health && k === own.length - 1) {
          add(ngo, role, termStart, '2019-09-30'); // left in 2019
        } else if (c === TH.education && k === 3) {
          add(ngo, role, termStart, '2019-03-31'); // left and came back
          add(ngo, role, '2019-10-01');
        } else if (c === TH.youth && k === own.length - 1) {
          add(ngo, role, '2019-04-15'); // joined in 2019
        } else if (c === TH.volunteering && k === own.length - 1) {
          add(ngo, role, '2019-11-01');
        } else {
          add(ngo, role);
        }
      });
    }
    return { name: `Komisja Dialogu Obywatelskiego ds. ${t.commission}`, sphere: t.sphere, department: t.department, termStart, termEnd, members, meetings: [] };
  });

  // memberships outside 2019, of NGOs not otherwise seated then: the 2019 report must not count them
  const outside: Array<[commission: number, ngo: number, from: string, to: string | null]> = [
    [TH.ecology, FIRST_OUTSIDER, '2018-01-01', '2018-12-31'],
    [TH.tourism, FIRST_OUTSIDER + 1, '2018-03-01', '2018-10-31'],
    [TH.safety, FIRST_OUTSIDER + 2, '2020-02-01', null],
    [TH.youth, FIRST_OUTSIDER + 3, '2020-09-01', null],
  ];
  for (const [c, ngo, from, to] of outside) commissions[c].members.push({ ngo, representative: representative(ngo, c), role: 'member', from, to });

  // twenty NGOs sit in a second commission too, some from the term's start, some from spring or autumn 2019
  for (let j = 0; j < 20; j++) {
    const ngo = LEGACY_NGOS.length + 1 + 5 * j;
    const c = (themeOf(ngo) + 1 + (j % 5) * 3) % THEMES.length;
    const from = j % 3 === 0 ? commissions[c].termStart : j % 3 === 1 ? '2019-04-01' : '2019-09-01';
    commissions[c].members.push({ ngo, representative: representative(ngo, c), role: 'member', from, to: j % 4 === 3 ? '2020-06-30' : null });
  }

  // meetings: the two original commissions keep theirs; the others meet three to five times in 2019 (and outside it)
  const activeOn = (members: DemoMember[], day: string) => [...new Set(members.filter((m) => m.from <= day && (m.to === null || m.to >= day)).map((m) => m.ngo))];
  commissions.forEach((commission, c) => {
    const dates: Array<[string, string]> = [];
    if (c === TH.seniors) {
      commission.meetings.push(
        { date: '2019-02-14', title: 'Posiedzenie inauguracyjne', present: [0, 7, 2] },
        { date: '2019-06-13', title: 'Opinia o projekcie programu „Kraków dla Seniorów”', present: [0, 7, 11] },
        { date: '2019-10-10', title: 'Konsultacje programu współpracy na rok 2020', present: [0, 2, 7, 11] },
      );
      dates.push(['2020-02-13', 'Plan pracy komisji na rok 2020']);
    } else if (c === TH.culture) {
      commission.meetings.push(
        { date: '2019-03-21', title: 'Plan pracy komisji na rok 2019', present: [9, 3] },
        { date: '2019-11-28', title: 'Priorytety konkursów na rok 2020', present: [9, 3, 4] },
      );
    } else {
      const months = [2, 4, 6, 9, 11].slice(0, 3 + (c % 3));
      months.forEach((month, k) => {
        const title = k === 0 && commission.termStart === '2019-01-01' ? 'Posiedzenie inauguracyjne' : MEETING_TITLES[(k + c) % MEETING_TITLES.length];
        dates.push([dayOf(2019, month, 3 + ((c * 7 + k * 5) % 24)), title]);
      });
      if (commission.termStart < '2019-01-01') dates.push([dayOf(2018, 3, 8 + c), 'Posiedzenie inauguracyjne'], [dayOf(2018, 10, 4 + c), 'Plan pracy komisji na rok 2019']);
      dates.push([dayOf(2020, 2, 3 + c), 'Plan pracy komisji na rok 2020']);
    }
    for (const [date, title] of dates) {
      const active = activeOn(commission.members, date);
      let present = active.filter(() => rng.chance(0.8));
      if (present.length < 2) present = active.slice(0, 2);
      commission.meetings.push({ date, title, present });
    }
  });
  return commissions;
}

// ---------------------------------------------------------------------------------------------
// The programmes and the load
// ---------------------------------------------------------------------------------------------

const MULTI_YEAR = {
  title: 'Wieloletni Program Współpracy Gminy Miejskiej Kraków z Organizacjami Pozarządowymi na lata 2019-2022',
  resolution: 'CXII/2950/18',
  adoptedOn: '2018-11-14',
};
const MULTI_YEAR_2023 = {
  title: 'Wieloletni Program Współpracy Gminy Miejskiej Kraków z Organizacjami Pozarządowymi na lata 2023-2026',
  resolution: 'XCVI/2612/22',
  adoptedOn: '2022-11-09',
};
const ANNUAL: Record<number, { resolution: string; adoptedOn: string }> = {
  2023: { resolution: 'XCVI/2613/22', adoptedOn: '2022-11-09' },
  2024: { resolution: 'CXXI/3311/23', adoptedOn: '2023-11-15' },
  2025: { resolution: 'XVIII/402/24', adoptedOn: '2024-11-13' },
  2026: { resolution: 'XLI/1105/25', adoptedOn: '2025-11-19' },
  2019: { resolution: 'CXII/2951/18', adoptedOn: '2018-11-14' },
  2020: { resolution: 'XXVI/612/19', adoptedOn: '2019-11-13' },
  2021: { resolution: 'XLVI/1234/20', adoptedOn: '2020-11-18' },
  2022: { resolution: 'LXVII/1890/21', adoptedOn: '2021-11-17' },
};

export interface DemoDataset {
  ngos: DemoNgo[];
  tasks: DemoTask[];
  activities: DemoActivity[];
  commissions: DemoCommission[];
}

let dataset: DemoDataset | undefined;

/** The demo's rows, built once per process from the word lists and the seeded generator. */
export function demoDataset(): DemoDataset {
  if (!dataset) {
    const rng = seeded(2019);
    const ngos = buildNgos(rng);
    // 2019–2022 from one generator, as they always were; 2023–2026 from generators of their own
    dataset = {
      ngos,
      tasks: buildTasks(rng, ngos, seeded(2023)),
      activities: buildActivities(rng, ngos),
      commissions: [...buildCommissions(rng), ...buildRecentCommissions(seeded(2024), ngos)],
    };
  }
  return dataset;
}

/** `passwordHashOf` gives the hash of each demo account's password (DEMO_USERS), made before the transaction. */
export async function loadDemoData(em: EntityManager, municipalityId: string, passwordHashOf: (email: string) => string): Promise<void> {
  const { ngos, tasks, activities, commissions } = demoDataset();
  const [{ teryt }]: Array<{ teryt: string }> = await em.query('SELECT teryt FROM municipalities WHERE id = $1', [municipalityId]);
  const id = (kind: string, n: number | string) => uuidV5(`${teryt}/${kind}/${n}`);
  const ngoIds = ngos.map((_, i) => id('ngo', i));

  const identifiers = ngos.map((_, i) => demoIdentifiers(i + 1));
  await em.query(
    `INSERT INTO ngos (id, municipality_id, name, legal_form, krs, nip, regon, address, spheres, public_benefit, registered_on)
     SELECT x.id, $1, x.name, x.legal_form, x.krs, x.nip, x.regon, x.address, string_to_array(x.spheres, ','), x.public_benefit, x.registered_on
       FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::boolean[], $11::date[])
         AS x (id, name, legal_form, krs, nip, regon, address, spheres, public_benefit, registered_on)`,
    [
      municipalityId,
      ngoIds,
      ngos.map((n) => n.name),
      ngos.map((n) => n.legalForm),
      identifiers.map((x) => x.krs),
      identifiers.map((x) => x.nip),
      identifiers.map((x) => x.regon),
      ngos.map((_, i) => address(i)),
      ngos.map((n) => n.spheres.join(',')),
      ngos.map((n) => n.publicBenefit),
      ngos.map((n) => n.registeredOn),
    ],
  );

  const multiYearId = id('programme', 'multi-year');
  const recentMultiYearId = id('programme', 'multi-year-2023');
  const years = [2019, 2020, 2021, 2022, ...RECENT_YEARS];
  const parentOf = (year: number) => (year >= RECENT_YEARS[0] ? recentMultiYearId : multiYearId);
  const annualId = (year: number) => id('programme', year);
  await em.query(
    `INSERT INTO programs (id, municipality_id, kind, parent_id, title, start_year, end_year, resolution_number, adopted_on, spheres)
     SELECT x.id, $1, x.kind, x.parent_id, x.title, x.start_year, x.end_year, x.resolution_number, x.adopted_on, '{}'
       FROM unnest($2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::int[], $7::int[], $8::text[], $9::date[])
         AS x (id, kind, parent_id, title, start_year, end_year, resolution_number, adopted_on)`,
    [
      municipalityId,
      [multiYearId, recentMultiYearId, ...years.map(annualId)],
      ['multi-year', 'multi-year', ...years.map(() => 'annual')],
      [null, null, ...years.map(parentOf)],
      [MULTI_YEAR.title, MULTI_YEAR_2023.title, ...years.map((y) => `Roczny Program Współpracy Gminy Miejskiej Kraków z Organizacjami Pozarządowymi na rok ${y}`)],
      [2019, 2023, ...years],
      [2022, 2026, ...years],
      [MULTI_YEAR.resolution, MULTI_YEAR_2023.resolution, ...years.map((y) => ANNUAL[y].resolution)],
      [MULTI_YEAR.adoptedOn, MULTI_YEAR_2023.adoptedOn, ...years.map((y) => ANNUAL[y].adoptedOn)],
    ],
  );

  const taskIds = tasks.map((_, k) => id('task', k));
  await em.query(
    `INSERT INTO tasks (id, municipality_id, program_id, title, sphere, mode, form, department, amount_requested, amount_granted, amount_settled, start_date, end_date, status, competition_ref, beneficiaries)
     SELECT x.id, $1, x.program_id, x.title, x.sphere, x.mode, x.form, x.department, x.requested, x.granted, x.settled, x.start_date, x.end_date, x.status, x.competition_ref, x.beneficiaries
       FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::numeric[], $10::numeric[], $11::numeric[], $12::date[], $13::date[], $14::text[], $15::text[], $16::int[])
         AS x (id, program_id, title, sphere, mode, form, department, requested, granted, settled, start_date, end_date, status, competition_ref, beneficiaries)`,
    [
      municipalityId,
      taskIds,
      tasks.map((t) => annualId(t.year)),
      tasks.map((t) => t.title),
      tasks.map((t) => t.sphere),
      tasks.map((t) => t.mode),
      tasks.map((t) => t.form),
      tasks.map((t) => t.department),
      tasks.map((t) => t.requested),
      tasks.map((t) => t.granted),
      tasks.map((t) => t.settled),
      tasks.map((t) => t.startDate),
      tasks.map((t) => t.endDate),
      tasks.map((t) => t.status),
      tasks.map((t) => t.competitionRef),
      tasks.map((t) => t.beneficiaries),
    ],
  );
  const taskLinks = tasks.flatMap((t, k) => t.ngos.map((ngo, position) => [taskIds[k], ngoIds[ngo], position] as const));
  await em.query(
    `INSERT INTO task_ngos (municipality_id, task_id, ngo_id, position) SELECT $1, x.task_id, x.ngo_id, x.position FROM unnest($2::uuid[], $3::uuid[], $4::smallint[]) AS x (task_id, ngo_id, position)`,
    [municipalityId, taskLinks.map((l) => l[0]), taskLinks.map((l) => l[1]), taskLinks.map((l) => l[2])],
  );

  const activityIds = activities.map((_, k) => id('activity', k));
  await em.query(
    `INSERT INTO activities (id, municipality_id, program_id, type, title, start_date, end_date, department, participants)
     SELECT x.id, $1, x.program_id, x.type, x.title, x.start_date, x.end_date, x.department, x.participants
       FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::date[], $7::date[], $8::text[], $9::int[]) AS x (id, program_id, type, title, start_date, end_date, department, participants)`,
    [
      municipalityId,
      activityIds,
      activities.map((a) => annualId(a.year)),
      activities.map((a) => a.type),
      activities.map((a) => a.title),
      activities.map((a) => a.startDate),
      activities.map((a) => a.endDate),
      activities.map((a) => a.department),
      activities.map((a) => a.participants),
    ],
  );
  const activityLinks = activities.flatMap((a, k) => a.ngos.map((ngo, position) => [activityIds[k], ngoIds[ngo], position] as const));
  await em.query(
    `INSERT INTO activity_ngos (municipality_id, activity_id, ngo_id, position) SELECT $1, x.activity_id, x.ngo_id, x.position FROM unnest($2::uuid[], $3::uuid[], $4::smallint[]) AS x (activity_id, ngo_id, position)`,
    [municipalityId, activityLinks.map((l) => l[0]), activityLinks.map((l) => l[1]), activityLinks.map((l) => l[2])],
  );

  const commissionIds = commissions.map((_, c) => id('commission', c));
  await em.query(
    `INSERT INTO commissions (id, municipality_id, name, sphere, department, term_start, term_end)
     SELECT x.id, $1, x.name, x.sphere, x.department, x.term_start, x.term_end FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::date[], $7::date[]) AS x (id, name, sphere, department, term_start, term_end)`,
    [municipalityId, commissionIds, commissions.map((c) => c.name), commissions.map((c) => c.sphere), commissions.map((c) => c.department), commissions.map((c) => c.termStart), commissions.map((c) => c.termEnd)],
  );
  const members = commissions.flatMap((c, k) => c.members.map((m, j) => ({ ...m, id: id(`commission/${k}/member`, j), commissionId: commissionIds[k] })));
  await em.query(
    `INSERT INTO commission_members (id, municipality_id, commission_id, ngo_id, representative, role, from_date, to_date)
     SELECT x.id, $1, x.commission_id, x.ngo_id, x.representative, x.role, x.from_date, x.to_date
       FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::date[], $8::date[]) AS x (id, commission_id, ngo_id, representative, role, from_date, to_date)`,
    [municipalityId, members.map((m) => m.id), members.map((m) => m.commissionId), members.map((m) => ngoIds[m.ngo]), members.map((m) => m.representative), members.map((m) => m.role), members.map((m) => m.from), members.map((m) => m.to)],
  );
  const meetings = commissions.flatMap((c, k) => c.meetings.map((m, j) => ({ ...m, id: id(`commission/${k}/meeting`, j), commissionId: commissionIds[k] })));
  await em.query(
    `INSERT INTO commission_meetings (id, municipality_id, commission_id, date, title)
     SELECT x.id, $1, x.commission_id, x.date, x.title FROM unnest($2::uuid[], $3::uuid[], $4::date[], $5::text[]) AS x (id, commission_id, date, title)`,
    [municipalityId, meetings.map((m) => m.id), meetings.map((m) => m.commissionId), meetings.map((m) => m.date), meetings.map((m) => m.title)],
  );
  const presence = meetings.flatMap((m) => m.present.map((ngo) => [m.id, ngoIds[ngo]] as const));
  await em.query(`INSERT INTO meeting_ngos (municipality_id, meeting_id, ngo_id) SELECT $1, x.meeting_id, x.ngo_id FROM unnest($2::uuid[], $3::uuid[]) AS x (meeting_id, ngo_id)`, [
    municipalityId,
    presence.map((p) => p[0]),
    presence.map((p) => p[1]),
  ]);

  for (const user of DEMO_USERS) {
    await insertUser(em, { municipalityId, email: user.email, passwordHash: passwordHashOf(user.email), role: user.role, ngoId: user.role === 'ngo' ? ngoIds[0] : null, platformAdmin: false });
  }

  await loadDemoCalls(em, municipalityId, { id, ngoIds, taskIds, tasks, ngos, years, annualId });
}

// ---------------------------------------------------------------------------------------------
// Open competitions (otwarte konkursy ofert)
// ---------------------------------------------------------------------------------------------

interface DemoIds {
  id: (kind: string, n: number | string) => string;
  ngoIds: string[];
  taskIds: string[];
  tasks: DemoTask[];
  ngos: DemoNgo[];
  years: number[];
  annualId: (year: number) => string;
}

/** The resolved call: the sport competition whose five 2025 tasks the generator made (OK-9/2025). */
const RESOLVED_CALL = 'OK-9/2025';

/** A support offer's cost lines and funding for `requested` grosze: the grant plus about 12 % own funds (the call asks for 10 %). */
function offerMoney(requested: number): Pick<OfferContent, 'costs' | 'funding'> {
  const own = Math.ceil((requested * 0.12) / PLN) * PLN;
  const admin = Math.floor((requested * 0.08) / PLN) * PLN;
  const action = requested - admin;
  return {
    costs: [
      { category: 'action', name: 'Wynagrodzenia trenerów i instruktorów', unit: 'usługa', quantity: 1, unitCost: money(action + own), fromGrant: money(action), fromOwn: money(own), fromOther: '0.00' },
      { category: 'administrative', name: 'Koordynacja i obsługa księgowa', unit: 'usługa', quantity: 1, unitCost: money(admin), fromGrant: money(admin), fromOwn: '0.00', fromOther: '0.00' },
    ],
    funding: { grantRequested: money(requested), ownFinancial: money(own), benefitPayments: '0.00', otherPublic: '0.00', otherFunds: '0.00', personalInput: '0.00', inKindInput: '0.00' },
  } as Pick<OfferContent, 'costs' | 'funding'>;
}

/** art. 13 ust. 2 pkt 7 as CallsService.priorSpend computes it at publication: the sphere's funded tasks of `year` and the year before. */
async function priorSpend(em: EntityManager, municipalityId: string, sphere: string, year: number): Promise<string> {
  const rows: Array<{ year: number; tasks: number; granted: string }> = await em.query(
    `SELECT y AS year, count(t.id)::int AS tasks, coalesce(sum(t.amount_granted), 0)::numeric(14,2)::text AS granted
       FROM unnest(ARRAY[$3::int, $3::int - 1]) AS y
       LEFT JOIN tasks t ON t.municipality_id = $1 AND t.sphere = $2 AND extract(year FROM t.start_date)::int = y
      GROUP BY y`,
    [municipalityId, sphere, year],
  );
  const of = (y: number) => {
    const r = rows.find((x) => x.year === y)!;
    return { year: y, tasks: r.tasks, granted: r.granted };
  };
  return JSON.stringify({ currentYear: of(year), previousYear: of(year - 1) });
}

const GRANT_RULES_SPORT = `Dotacja może pokryć do 90% kosztów zadania; wymagany jest wkład własny organizacji w wysokości co najmniej 10% całkowitego kosztu zadania.
Z dotacji nie można finansować zakupu nieruchomości, działalności gospodarczej ani kosztów poniesionych przed zawarciem umowy.
Kwota dotacji może być niższa niż wnioskowana; organizacja może wtedy zmniejszyć zakres zadania.`;
const SELECTION = `Oferty ocenia komisja konkursowa powołana przez Prezydenta Miasta Krakowa, z udziałem osób wskazanych przez organizacje pozarządowe (art. 15 ust. 2a–2d ustawy).
Najpierw sprawdzana jest poprawność formalna ofert, następnie komisja ocenia oferty poprawne według kryteriów podanych niżej. Wybór ofert zatwierdza Prezydent Miasta Krakowa.`;

/**
 * Three calls: one resolved (OK-9/2025: its offers, the commission's scores and the awards that
 * became the five 2025 sport tasks the generator made), one cancelled for want of offers (2026),
 * and one open now: published when the demo loads, offers taken for 30 days, its task period next
 * year, in next year's annual programme (made here when the demo has none). Inserted as the API
 * would leave them; no report the demo publishes (2019) reads them.
 */
async function loadDemoCalls(em: EntityManager, municipalityId: string, d: DemoIds): Promise<void> {
  const users: Array<{ id: string; email: string; role: string }> = await em.query(`SELECT id::text, email, role FROM users WHERE municipality_id = $1 ORDER BY created_at, id`, [municipalityId]);
  const official = users.find((u) => u.email === 'official@krakow.example')!;
  const ngoUser = users.find((u) => u.email === 'ngo@krakow.example')!;
  const admin = users.find((u) => u.role === 'admin');
  const insertCall = async (call: Record<string, unknown>): Promise<void> => {
    const columns = Object.keys(call);
    await em.query(
      `INSERT INTO calls (municipality_id, ${columns.join(', ')}) VALUES ($1, ${columns.map((c, k) => `$${k + 2}${c === 'criteria' || c === 'prior_spend' ? '::jsonb' : ''}`).join(', ')})`,
      [municipalityId, ...Object.values(call)],
    );
  };

  // 1. resolved: OK-9/2025, announced in November 2024
  const awardedTasks = d.tasks.map((t, k) => ({ t, k })).filter(({ t }) => t.competitionRef === RESOLVED_CALL);
  const resolvedId = d.id('call', RESOLVED_CALL);
  const budget = Math.ceil(awardedTasks.reduce((sum, { t }) => sum + grosze(t.granted), 0) / (100_000 * PLN)) * 100_000 * PLN;
  const requestedOf = (t: DemoTask) => grosze(t.requested ?? t.granted);
  const maxGrant = Math.ceil(Math.max(...awardedTasks.map(({ t }) => requestedOf(t))) / (10_000 * PLN)) * 10_000 * PLN;
  const criteria = defaultCriteria('support');
  await insertCall({
    id: resolvedId,
    program_id: d.annualId(2025),
    number: RESOLVED_CALL,
    title: 'Upowszechnianie kultury fizycznej: szkolenie sportowe dzieci i młodzieży w 2025 roku',
    sphere: '17',
    form: 'support',
    department: D.sport,
    budget: money(budget),
    task_start: '2025-01-01',
    task_end: '2025-12-31',
    offers_until: '2024-12-05T15:30:00+01:00',
    grant_rules: GRANT_RULES_SPORT,
    selection_procedure: SELECTION,
    decision_by: '2024-12-30',
    min_grant: '10000.00',
    max_grant: money(maxGrant),
    own_contribution_min: 10,
    criteria: JSON.stringify(criteria),
    prior_spend: await priorSpend(em, municipalityId, '17', 2024),
    status: 'resolved',
    published_at: '2024-11-13T10:00:00+01:00',
    closed_at: '2024-12-05T15:30:00+01:00',
    resolved_at: '2024-12-19T14:00:00+01:00',
  });

  // the offers: one per awarded task (its NGOs, dates and amounts), two weighed and not awarded, one refused at the formal check
  const used = new Set(awardedTasks.flatMap(({ t }) => t.ngos));
  const others = d.ngos
    .map((_, i) => i)
    .filter((i) => i > 0 && themeOf(i) === TH.sport && !used.has(i) && d.ngos[i].registeredOn <= '2024-06-30')
    .slice(0, 3);
  const rng = seeded(2025);
  type DemoOffer = { key: string; ngos: number[]; title: string; startDate: string; endDate: string; requested: number; status: 'awarded' | 'not-awarded' | 'rejected'; award: string | null; taskId: string | null };
  const offers: DemoOffer[] = [
    ...awardedTasks.map(({ t, k }) => ({ key: `${k}`, ngos: t.ngos, title: t.title, startDate: t.startDate, endDate: t.endDate, requested: requestedOf(t), status: 'awarded' as const, award: t.granted, taskId: d.taskIds[k] })),
    ...others.map((ngo, j) => ({
      key: `other-${j}`,
      ngos: [ngo],
      title: ['Szkolenie sportowe dzieci i młodzieży: szermierka', 'Szkolenie sportowe dzieci i młodzieży: łucznictwo', 'Szkolenie sportowe dzieci i młodzieży: wspinaczka sportowa'][j],
      startDate: '2025-02-01',
      endDate: '2025-11-30',
      requested: (30_000 + 5_000 * j) * PLN,
      status: j < 2 ? ('not-awarded' as const) : ('rejected' as const),
      award: null,
      taskId: null,
    })),
  ];
  const members = [
    { id: d.id(`call/${RESOLVED_CALL}/member`, 0), userId: official.id, role: 'chair' },
    ...(admin ? [{ id: d.id(`call/${RESOLVED_CALL}/member`, 1), userId: admin.id, role: 'member' }] : []),
  ];
  for (const m of members) {
    await em.query(
      `INSERT INTO call_members (municipality_id, id, call_id, user_id, role, declared_at, created_at) VALUES ($1, $2, $3, $4, $5, '2024-12-06T09:00:00+01:00', '2024-11-28T12:00:00+01:00')`,
      [municipalityId, m.id, resolvedId, m.userId, m.role],
    );
  }
  for (const [n, o] of offers.entries()) {
    const offerId = d.id(`call/${RESOLVED_CALL}/offer`, o.key);
    const ngoIds = o.ngos.map((i) => d.ngoIds[i]);
    const content = {
      title: o.title,
      place: 'Kraków, obiekty sportowe klubu',
      targetGroup: 'Dzieci i młodzież w wieku 7–18 lat trenujące w klubie',
      summary: 'Regularne treningi, udział w zawodach i obozy szkoleniowe prowadzone przez trenerów z uprawnieniami.',
      startDate: o.startDate,
      endDate: o.endDate,
      schedule: [{ name: 'Treningi i zawody', description: 'Zajęcia trzy razy w tygodniu, udział w zawodach według kalendarza związku sportowego', from: o.startDate, to: o.endDate, ngoId: null }],
      results: [{ name: 'Zawodnicy objęci szkoleniem', targetValue: `${40 + 5 * n} osób`, monitoring: 'Listy obecności i karty zawodników' }],
      priorActivity: 'Klub od lat prowadzi szkolenie dzieci i młodzieży, także w ramach zadań zleconych przez Gminę.',
      resources: 'Trenerzy z uprawnieniami, sprzęt sportowy, sale i boiska udostępniane przez szkoły.',
      ...offerMoney(o.requested),
      volunteers: null,
      otherInformation: null,
    } as OfferContent;
    const submittedAt = new Date(Date.parse('2024-11-18T09:00:00Z') + n * 26 * 3_600_000 + 17 * 60_000);
    const accepted = o.status !== 'rejected';
    await em.query(
      `INSERT INTO offers (municipality_id, id, call_id, content, grant_requested, status, submitted_at, checksum, formal_result, formal_reason, formal_by, formal_at, award, task_id, created_by, created_at, updated_at, version)
       VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9, $10, $11, '2024-12-09T13:00:00+01:00', $12, $13, $14, $7, '2024-12-19T14:00:00+01:00', 4)`,
      [
        municipalityId, offerId, resolvedId, JSON.stringify(content), money(o.requested), o.status, submittedAt, checksumOf(offerId, resolvedId, ngoIds, content, submittedAt),
        accepted ? 'accepted' : 'rejected', accepted ? null : 'Oferta nie zawierała kalkulacji kosztów podpisanej przez osoby upoważnione do reprezentowania organizacji.',
        official.id, o.award, o.taskId,
        // the offers came in on paper and the office entered them
        official.id,
      ],
    );
    await em.query(`INSERT INTO offer_ngos (municipality_id, offer_id, ngo_id, position) SELECT $1, $2, x.ngo_id, x.position - 1 FROM unnest($3::uuid[]) WITH ORDINALITY AS x (ngo_id, position)`, [
      municipalityId,
      offerId,
      ngoIds,
    ]);
    if (!accepted) continue;
    for (const m of members) {
      // the awarded offers scored higher than those left without a grant
      const scores = criteria.map((c) => ({ code: c.code, points: o.status === 'awarded' ? rng.int(7, 10) : rng.int(3, 6), comment: null }));
      const total = scores.reduce((sum, x) => sum + x.points, 0);
      await em.query(
        `INSERT INTO offer_scores (municipality_id, offer_id, member_id, scores, total, created_at, updated_at) VALUES ($1, $2, $3, $4::jsonb, $5, '2024-12-12T11:00:00+01:00', '2024-12-12T11:00:00+01:00')`,
        [municipalityId, offerId, m.id, JSON.stringify(scores), total.toFixed(2)],
      );
    }
  }

  // 2. cancelled: no offer came in (art. 18a ust. 1 pkt 1)
  await insertCall({
    id: d.id('call', 'OK-37/2026'),
    program_id: d.annualId(2026),
    number: 'OK-37/2026',
    title: 'Nauka pływania i bezpiecznego zachowania nad wodą dla dzieci w 2026 roku',
    sphere: '23',
    form: 'entrustment',
    department: D.safety,
    budget: '60000.00',
    task_start: '2026-05-01',
    task_end: '2026-09-30',
    offers_until: '2026-02-12T15:30:00+01:00',
    grant_rules: 'Zadanie zostanie powierzone w całości (powierzenie, art. 5 ust. 4 pkt 1 ustawy); dotacja pokrywa pełny koszt zadania.',
    selection_procedure: SELECTION,
    decision_by: '2026-03-06',
    min_grant: null,
    max_grant: '60000.00',
    own_contribution_min: null,
    criteria: JSON.stringify(defaultCriteria('entrustment')),
    prior_spend: await priorSpend(em, municipalityId, '23', 2026),
    status: 'cancelled',
    published_at: '2026-01-20T10:00:00+01:00',
    closed_at: '2026-02-12T15:30:00+01:00',
    cancelled_at: '2026-02-16T12:00:00+01:00',
    cancellation_reason: 'no-offers',
    cancellation_justification: 'Do upływu terminu składania ofert nie wpłynęła żadna oferta. Zadanie zostanie ogłoszone ponownie w zmienionej formie.',
  });

  // 3. open now: offers taken for 30 days from the moment the demo loads, the task in next year's programme
  const today = warsawToday();
  const year = Number(today.slice(0, 4));
  const next = year + 1;
  let programId = d.annualId(next);
  if (!d.years.includes(next)) {
    programId = d.id('programme', next);
    const adoptedOn = `${year}-11-18`;
    await em.query(
      `INSERT INTO programs (id, municipality_id, kind, parent_id, title, start_year, end_year, resolution_number, adopted_on, spheres) VALUES ($1, $2, 'annual', NULL, $3, $4, $4, $5, $6, '{}')`,
      [programId, municipalityId, `Roczny Program Współpracy Gminy Miejskiej Kraków z Organizacjami Pozarządowymi na rok ${next}`, next, today >= adoptedOn ? `LXX/1905/${String(year).slice(2)}` : null, today >= adoptedOn ? adoptedOn : null],
    );
  }
  const openId = d.id('call', `OK-3/${next}`);
  const [{ deadline }]: Array<{ deadline: Date }> = await em.query(`SELECT now() + interval '30 days' AS deadline`);
  await insertCall({
    id: openId,
    program_id: programId,
    number: `OK-3/${next}`,
    title: `Wspieranie aktywności seniorów: prowadzenie Centrów Aktywności Seniorów w ${next} roku`,
    sphere: '10',
    form: 'support',
    department: D.social,
    budget: '1500000.00',
    task_start: `${next}-01-02`,
    task_end: `${next}-12-31`,
    offers_until: deadline,
    grant_rules: 'Dotacja może pokryć do 90% kosztów zadania; wymagany jest wkład własny organizacji w wysokości co najmniej 10% całkowitego kosztu zadania, w tym wkład osobowy (praca wolontariuszy).\nCentrum działa co najmniej 5 dni w tygodniu, po 4 godziny dziennie.',
    selection_procedure: SELECTION,
    decision_by: addDays(warsawToday(deadline), 21),
    min_grant: '40000.00',
    max_grant: '160000.00',
    own_contribution_min: 10,
    criteria: JSON.stringify(defaultCriteria('support')),
    prior_spend: await priorSpend(em, municipalityId, '10', year),
    status: 'published',
    published_at: new Date(deadline.getTime() - 30 * 86_400_000),
  });
  // the demo NGO's offer to it, begun and not yet submitted (a draft is the NGO's alone)
  const draftId = d.id(`call/OK-3/${next}/offer`, 0);
  await em.query(`INSERT INTO offers (municipality_id, id, call_id, content, grant_requested, status, created_by) VALUES ($1, $2, $3, $4::jsonb, NULL, 'draft', $5)`, [
    municipalityId,
    draftId,
    openId,
    JSON.stringify({ title: 'Centrum Aktywności Seniorów w Nowej Hucie', place: 'Kraków, Dzielnica XVIII Nowa Huta', targetGroup: 'Seniorzy 60+ z Nowej Huty', startDate: `${next}-01-02`, endDate: `${next}-12-31` }),
    ngoUser.id,
  ]);
  await em.query(`INSERT INTO offer_ngos (municipality_id, offer_id, ngo_id, position) VALUES ($1, $2, $3, 0)`, [municipalityId, draftId, d.ngoIds[0]]);
}
