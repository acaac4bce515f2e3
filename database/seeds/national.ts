import { withNipCheckDigit, withRegonCheckDigit } from '@app/core';
import { SMALL_GRANT_MAX, SMALL_GRANT_MAX_DAYS, SMALL_GRANT_YEARLY_MAX } from '@app/tasks';
import { createHash } from 'node:crypto';
import { addDays, dayOf, grosze, money, PLN, seeded, type Rng } from './generators';

/**
 * A synthetic country for load and scale work (`npm run cli -- demo:national`): 2 477 gminy,
 * 314 powiaty and 16 województwa, each a municipality with a multi-year programme 2023–2026 and
 * its four annual programmes, about 300 000 NGOs and 1 000 000 funded tasks in all, commissions
 * with members and meetings, and non-financial activities. Nothing here is real: names come from
 * syllable lists, identifiers are generated with valid check digits, and everything is drawn
 * from seeded generators, so one seed and one scale always give the same rows (ids included).
 *
 * The rows are produced as lines of PostgreSQL's COPY text format, one self-government at a time
 * (each from a generator of its own, so the order of loading changes nothing), for a bulk load.
 */
export const NATIONAL_YEARS = [2023, 2024, 2025, 2026] as const;
/** The full country: counts of self-governments by kind, and the totals the counts are spread to. */
export const NATIONAL_FULL = { gmina: 2477, powiat: 314, wojewodztwo: 16, ngos: 300_000, tasks: 1_000_000 } as const;
/** The day the data describe: tasks of 2026 ending before it are settled, running ones in progress, later ones contracted or planned. */
export const NATIONAL_AS_OF = '2026-06-30';

export type JstKind = 'gmina' | 'powiat' | 'wojewodztwo';

/** The tables the national set writes, in the order a load must follow (foreign keys), with the columns each COPY names. */
export const NATIONAL_TABLES = {
  municipalities: ['id', 'name', 'slug', 'teryt'],
  programs: ['id', 'municipality_id', 'kind', 'parent_id', 'title', 'start_year', 'end_year', 'resolution_number', 'adopted_on'],
  ngos: ['id', 'municipality_id', 'name', 'legal_form', 'krs', 'nip', 'regon', 'address', 'spheres', 'public_benefit', 'registered_on'],
  tasks: [
    'id', 'municipality_id', 'program_id', 'title', 'sphere', 'mode', 'form', 'department', 'competition_ref',
    'amount_requested', 'amount_granted', 'amount_settled', 'start_date', 'end_date', 'status', 'beneficiaries',
  ],
  task_ngos: ['municipality_id', 'task_id', 'ngo_id', 'position'],
  activities: ['id', 'municipality_id', 'program_id', 'type', 'title', 'start_date', 'end_date', 'department', 'participants'],
  activity_ngos: ['municipality_id', 'activity_id', 'ngo_id', 'position'],
  commissions: ['id', 'municipality_id', 'name', 'sphere', 'department', 'term_start', 'term_end'],
  commission_members: ['id', 'municipality_id', 'commission_id', 'ngo_id', 'representative', 'role', 'from_date', 'to_date'],
  commission_meetings: ['id', 'municipality_id', 'commission_id', 'date', 'title'],
  meeting_ngos: ['municipality_id', 'meeting_id', 'ngo_id'],
} as const;
export type NationalTable = keyof typeof NATIONAL_TABLES;
export const NATIONAL_TABLE_NAMES = Object.keys(NATIONAL_TABLES) as NationalTable[];

// ---------------------------------------------------------------------------------------------
// Generators, money, dates, ids
// ---------------------------------------------------------------------------------------------


/** A 32-bit mix of the seed and a number (the self-government's index), for its own generator. */
function mix(seed: number, n: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(n + 0x165667b1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}

const SMALL_MAX = grosze(SMALL_GRANT_MAX);
const SMALL_YEARLY_MAX = grosze(SMALL_GRANT_YEARLY_MAX);
const roundTo = (grosze: number, step: number) => Math.max(step, Math.round(grosze / step) * step);


/**
 * Ids: a prefix per seed and kind of row (SHA-1 of both), then the self-government's index and
 * the row's number, so that ids are unique, the same on every run, and cheap to make by the million.
 */
function idMaker(seed: number, kind: string): (jst: number, n: number) => string {
  const h = createHash('sha1').update(`ngo-tracker/national/${seed}/${kind}`).digest('hex');
  const head = `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(12, 15)}-${(8 + (parseInt(h[15], 16) & 3)).toString(16)}${h.slice(16, 19)}-`;
  return (jst, n) => `${head}${jst.toString(16).padStart(4, '0')}${n.toString(16).padStart(8, '0')}`;
}

// ---------------------------------------------------------------------------------------------
// Word lists
// ---------------------------------------------------------------------------------------------

const ONSETS = ['Bie', 'Dą', 'Gó', 'Kro', 'Lu', 'Mi', 'No', 'Pru', 'Ra', 'Sta', 'Wo', 'Zie', 'Ży', 'Ko', 'Ja', 'Brze', 'Cho', 'Grą', 'Ol', 'Pia', 'Ru', 'Sie', 'Tu', 'Wą', 'Łę', 'Prze', 'Strze', 'Szcze', 'Czar', 'Gro'];
const MIDDLES = ['li', 'ro', 'ło', 'ni', 'sz', 'ch', 'bo', 'wi', 'rz', 'ka', 'dz', 'mi', 'st', 'ck', 'kó'];
const CODAS = ['wo', 'ów', 'ice', 'no', 'in', 'owa', 'ek', 'ewo', 'any', 'yce', 'ia', 'sk', 'ów Wielki', 'owice', 'any Górne', 'ki'];
const FOLD: Record<string, string> = { ą: 'a', ć: 'c', ę: 'e', ł: 'l', ń: 'n', ó: 'o', ś: 's', ź: 'z', ż: 'z' };
const ascii = (s: string) => s.toLowerCase().replace(/[ąćęłńóśźż]/g, (c) => FOLD[c]).replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

const STREETS = ['Kościuszki', 'Mickiewicza', 'Długa', 'Polna', 'Szkolna', 'Kolejowa', 'Lipowa', 'Ogrodowa', 'Słoneczna', 'Leśna', 'Kwiatowa', 'Sienkiewicza', 'Rynek', 'Kościelna', 'Krótka', 'Parkowa', '3 Maja', 'Jana Pawła II', 'Wojska Polskiego', 'Łąkowa'];
const WORDS = ['Przystań', 'Horyzont', 'Promyk', 'Dobry Start', 'Otwarte Drzwi', 'Krok Dalej', 'Wspólna Sprawa', 'Zielony Most', 'Nadzieja', 'Razem', 'Kotwica', 'Iskra', 'Dobre Miejsce', 'Nowa Droga', 'Światło', 'Tęcza', 'Ogród', 'Sąsiedzi', 'Źródło', 'Korzenie'];
const FIRST_NAMES: ReadonlyArray<[female: string, male: string]> = [
  ['Anna', 'Jan'], ['Maria', 'Piotr'], ['Katarzyna', 'Andrzej'], ['Małgorzata', 'Krzysztof'], ['Agnieszka', 'Tomasz'], ['Barbara', 'Paweł'], ['Ewa', 'Marek'], ['Krystyna', 'Michał'],
  ['Elżbieta', 'Grzegorz'], ['Zofia', 'Józef'], ['Joanna', 'Stanisław'], ['Magdalena', 'Wojciech'], ['Monika', 'Marcin'], ['Beata', 'Łukasz'], ['Dorota', 'Jakub'], ['Aleksandra', 'Adam'],
];
const SURNAMES: ReadonlyArray<[female: string, male: string]> = [
  ['Nowak', 'Nowak'], ['Kowalska', 'Kowalski'], ['Wiśniewska', 'Wiśniewski'], ['Wójcik', 'Wójcik'], ['Kowalczyk', 'Kowalczyk'], ['Kamińska', 'Kamiński'], ['Lewandowska', 'Lewandowski'],
  ['Zielińska', 'Zieliński'], ['Szymańska', 'Szymański'], ['Woźniak', 'Woźniak'], ['Dąbrowska', 'Dąbrowski'], ['Kozłowska', 'Kozłowski'], ['Jankowska', 'Jankowski'], ['Mazur', 'Mazur'],
  ['Kwiatkowska', 'Kwiatkowski'], ['Krawczyk', 'Krawczyk'], ['Piotrowska', 'Piotrowski'], ['Grabowska', 'Grabowski'], ['Pawłowska', 'Pawłowski'], ['Michalska', 'Michalski'],
];

/** The areas of cooperation: a sphere (art. 4), the office unit that runs it, what NGOs are called, and the tasks. */
interface Theme {
  sphere: string;
  spheres: string[];
  unit: string;
  commission: string;
  association: string;
  tasks: string[];
}
const THEMES: Theme[] = [
  { sphere: '1', spheres: ['1', '3'], unit: 'Spraw Społecznych', commission: 'Pomocy Społecznej', association: 'Pomocy Bliźniemu', tasks: ['Dystrybucja żywności dla osób najuboższych', 'Prowadzenie noclegowni', 'Usługi opiekuńcze w miejscu zamieszkania'] },
  { sphere: '1a', spheres: ['1a', '31'], unit: 'Spraw Społecznych', commission: 'Rodziny', association: 'Wspierania Rodziny', tasks: ['Prowadzenie placówki wsparcia dziennego', 'Wsparcie rodzin zastępczych'] },
  { sphere: '1b', spheres: ['1b', '22'], unit: 'Organizacyjny', commission: 'Praw Obywatelskich', association: 'Pomocy Prawnej', tasks: ['Nieodpłatna pomoc prawna', 'Edukacja prawna mieszkańców'] },
  { sphere: '6', spheres: ['6', '7'], unit: 'Zdrowia', commission: 'Zdrowia', association: 'Promocji Zdrowia', tasks: ['Program profilaktyki chorób układu krążenia', 'Edukacja zdrowotna dla seniorów', 'Wsparcie psychologiczne dla osób chorych'] },
  { sphere: '7', spheres: ['7', '2'], unit: 'Spraw Społecznych', commission: 'Osób z Niepełnosprawnościami', association: 'na rzecz Osób z Niepełnosprawnościami', tasks: ['Asystent osobisty osoby z niepełnosprawnością', 'Turnus rehabilitacyjny dla dzieci', 'Zajęcia rehabilitacyjne w wodzie'] },
  { sphere: '10', spheres: ['10', '13'], unit: 'Spraw Społecznych', commission: 'Seniorów', association: 'Aktywnych Seniorów', tasks: ['Prowadzenie klubu seniora', 'Uniwersytet Trzeciego Wieku', 'Warsztaty rękodzieła dla seniorów'] },
  { sphere: '14', spheres: ['14', '15'], unit: 'Edukacji', commission: 'Edukacji', association: 'Przyjaciół Szkoły', tasks: ['Koło robotyki dla uczniów', 'Zajęcia wyrównawcze z matematyki', 'Edukacja obywatelska w szkołach'] },
  { sphere: '15', spheres: ['15', '14'], unit: 'Edukacji', commission: 'Młodzieży', association: 'Aktywnej Młodzieży', tasks: ['Półkolonie letnie', 'Obóz wędrowny dla młodzieży', 'Ferie zimowe dla dzieci'] },
  { sphere: '16', spheres: ['16', '4'], unit: 'Kultury', commission: 'Kultury', association: 'Miłośników Kultury', tasks: ['Festiwal muzyki dawnej', 'Przegląd zespołów ludowych', 'Warsztaty teatralne', 'Renowacja kapliczek przydrożnych'] },
  { sphere: '17', spheres: ['17', '15'], unit: 'Sportu', commission: 'Sportu', association: 'Sportowe', tasks: ['Szkolenie sportowe dzieci i młodzieży', 'Turniej piłki nożnej', 'Bieg uliczny', 'Zajęcia rekreacyjne dla dorosłych'] },
  { sphere: '18', spheres: ['18', '13'], unit: 'Ochrony Środowiska', commission: 'Ekologii', association: 'Ochrony Przyrody', tasks: ['Edukacja ekologiczna', 'Opieka nad bezdomnymi zwierzętami', 'Sadzenie drzew i krzewów'] },
  { sphere: '19', spheres: ['19', '17'], unit: 'Promocji', commission: 'Turystyki', association: 'Miłośników Krajoznawstwa', tasks: ['Rajd krajoznawczy', 'Oznakowanie szlaku turystycznego'] },
  { sphere: '23', spheres: ['23', '20'], unit: 'Bezpieczeństwa', commission: 'Bezpieczeństwa', association: 'Ratownictwa Wodnego', tasks: ['Ratownictwo wodne na kąpieliskach', 'Nauka pierwszej pomocy w szkołach'] },
  { sphere: '32', spheres: ['32', '6'], unit: 'Spraw Społecznych', commission: 'Przeciwdziałania Uzależnieniom', association: 'Profilaktyki Uzależnień', tasks: ['Świetlica socjoterapeutyczna', 'Punkt konsultacyjny dla osób uzależnionych'] },
  { sphere: '13', spheres: ['13', '32a'], unit: 'Rozwoju', commission: 'Rozwoju Lokalnego', association: 'Rozwoju Wsi', tasks: ['Animacja społeczności lokalnej', 'Kawiarenka sąsiedzka', 'Piknik sąsiedzki'] },
  { sphere: '27', spheres: ['27', '33'], unit: 'Organizacyjny', commission: 'Wolontariatu', association: 'Wolontariuszy', tasks: ['Centrum wolontariatu', 'Doradztwo dla organizacji pozarządowych'] },
];
const UNIT_PREFIX: Record<JstKind, string> = { gmina: 'Referat', powiat: 'Wydział', wojewodztwo: 'Departament' };
/** Grants grow with the self-government: a województwo's competitions are larger than a gmina's. */
const AMOUNT_FACTOR: Record<JstKind, number> = { gmina: 1, powiat: 2, wojewodztwo: 5 };

type ActivityType = 'consultation' | 'information' | 'joint-team' | 'event' | 'training' | 'premises' | 'promotion' | 'other';
const ACTIVITY_TITLES: ReadonlyArray<[ActivityType, (year: number) => string]> = [
  ['consultation', (y) => `Konsultacje projektu programu współpracy na rok ${y + 1}`],
  ['information', () => 'Spotkanie informacyjne o otwartych konkursach ofert'],
  ['joint-team', () => 'Zespół doradczy ds. współpracy z organizacjami'],
  ['event', (y) => `Forum organizacji pozarządowych ${y}`],
  ['training', () => 'Szkolenie z rozliczania dotacji'],
  ['premises', () => 'Użyczenie lokalu na działalność statutową'],
  ['promotion', () => 'Promocja działań organizacji w serwisie urzędu'],
  ['other', () => 'Patronat nad wydarzeniem organizacji'],
];
const MEETING_TITLES = ['Plan pracy komisji', 'Opinia o projektach ogłoszeń konkursów', 'Konsultacje programu współpracy', 'Podsumowanie roku'];
const ROLES = ['chair', 'vice-chair', 'secretary'] as const;

// ---------------------------------------------------------------------------------------------
// The plan: which self-governments, how large
// ---------------------------------------------------------------------------------------------

export interface Jst {
  /** the index in the full country (0 … 2806), the same at every scale */
  index: number;
  kind: JstKind;
  teryt: string;
  name: string;
  slug: string;
  weight: number;
  ngos: number;
  /** funded tasks per year of NATIONAL_YEARS */
  tasks: number[];
  /** the number of NGOs of the self-governments before it in the plan: its NGOs' identifiers start there */
  ngoOffset: number;
}

export interface NationalPlan {
  seed: number;
  scale: number;
  jsts: Jst[];
  totals: { municipalities: number; ngos: number; tasks: number };
}

const MIN_NGOS = 6;
const MIN_TASKS_PER_YEAR = 2;
const YEAR_SHARES = [0.235, 0.245, 0.255, 0.265];

/** Splits `total` over `weights` in whole numbers that add up to it (largest remainder). */
function apportion(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (total * w) / sum);
  const out = exact.map(Math.floor);
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k++, left--) out[order[k % order.length][1]]++;
  return out;
}

/** The full list of 2 807, with names, TERYT codes and weights drawn from the seed alone (so a subset keeps them). */
function country(seed: number): Array<Omit<Jst, 'ngos' | 'tasks' | 'ngoOffset'>> {
  const rng = seeded(mix(seed, 0x7e4));
  // distinct names: 330 of the 450 stems for powiaty and województwa, 2 477 of the 7 200 stems with an ending for gminy
  const unique = (names: Set<string>, draw: () => string): string => {
    for (;;) {
      const s = draw();
      if (!names.has(s)) {
        names.add(s);
        return s;
      }
    }
  };
  const stems = new Set<string>();
  const stem = () => unique(stems, () => rng.pick(ONSETS) + rng.pick(MIDDLES));
  const gminy = new Set<string>();
  const out: Array<Omit<Jst, 'ngos' | 'tasks' | 'ngoOffset'>> = [];
  const add = (kind: JstKind, teryt: string, name: string, weight: number) => out.push({ index: out.length, kind, teryt, name, slug: `${ascii(name)}-${teryt}`, weight });
  const ww = (w: number) => String(2 + 2 * w).padStart(2, '0'); // 02, 04, … 32 as the real województwa
  // TERYT as the schema keeps it, 7 digits: a województwo WW00000, a powiat WWPP000, a gmina WWPPGGR (R 1–3: urban, rural, urban-rural)
  for (let w = 0; w < NATIONAL_FULL.wojewodztwo; w++) add('wojewodztwo', `${ww(w)}00000`, `Województwo ${stem().toLowerCase()}skie`, 25 * Math.exp(0.3 * rng.normal()));
  for (let p = 0; p < NATIONAL_FULL.powiat; p++) {
    const pp = String(Math.floor(p / NATIONAL_FULL.wojewodztwo) + 1).padStart(2, '0');
    add('powiat', `${ww(p % NATIONAL_FULL.wojewodztwo)}${pp}000`, `Powiat ${stem().toLowerCase()}ski`, 1.5 * Math.exp(0.5 * rng.normal()));
  }
  for (let g = 0; g < NATIONAL_FULL.gmina; g++) {
    const p = g % NATIONAL_FULL.powiat;
    const powiat = out[NATIONAL_FULL.wojewodztwo + p].teryt.slice(0, 4);
    const gg = String(Math.floor(g / NATIONAL_FULL.powiat) + 1).padStart(2, '0');
    const type = rng.int(1, 3);
    const base = unique(gminy, () => rng.pick(ONSETS) + rng.pick(MIDDLES) + rng.pick(CODAS));
    add('gmina', `${powiat}${gg}${type}`, type === 2 ? `Gmina ${base}` : base, Math.exp(0.9 * rng.normal()));
  }
  return out;
}

/**
 * The self-governments of a run and the size of each: at scale s, round(s × n) of each kind
 * (at least one), spread evenly over the country, and round(s × 300 000) NGOs and
 * round(s × 1 000 000) tasks shared by weight (each at least a few).
 */
export function nationalPlan(o: { seed: number; scale: number }): NationalPlan {
  const all = country(o.seed);
  const chosen: typeof all = [];
  for (const kind of ['wojewodztwo', 'powiat', 'gmina'] as const) {
    const ofKind = all.filter((j) => j.kind === kind);
    const n = Math.max(1, Math.round(ofKind.length * o.scale));
    for (let i = 0; i < n; i++) chosen.push(ofKind[Math.floor((i * ofKind.length) / n)]);
  }
  const totalNgos = Math.round(NATIONAL_FULL.ngos * o.scale);
  const totalTasks = Math.round(NATIONAL_FULL.tasks * o.scale);
  const weights = chosen.map((j) => j.weight);
  const ngos = apportion(Math.max(0, totalNgos - MIN_NGOS * chosen.length), weights).map((n) => n + MIN_NGOS);
  const minTasks = MIN_TASKS_PER_YEAR * NATIONAL_YEARS.length;
  const tasks = apportion(Math.max(0, totalTasks - minTasks * chosen.length), weights).map((n) => n + minTasks);
  let offset = 0;
  const jsts = chosen.map((j, k) => {
    const perYear = apportion(tasks[k] - minTasks, YEAR_SHARES).map((n) => n + MIN_TASKS_PER_YEAR);
    const jst: Jst = { ...j, ngos: ngos[k], tasks: perYear, ngoOffset: offset };
    offset += ngos[k];
    return jst;
  });
  return {
    seed: o.seed,
    scale: o.scale,
    jsts,
    totals: { municipalities: jsts.length, ngos: offset, tasks: tasks.reduce((a, b) => a + b, 0) },
  };
}

// ---------------------------------------------------------------------------------------------
// Identifiers
// ---------------------------------------------------------------------------------------------

/** KRS, NIP and REGON of the g-th NGO of the country: unique across the whole set, with valid check digits. */
export function nationalIdentifiers(g: number): { krs: string; nip: string; regon: string } {
  const krs = String(2_000_000 + g).padStart(10, '0');
  // eleven bodies per NGO, so no two NGOs share one; a body whose check would be 10 has no NIP: take the next
  let nip: string | null = null;
  for (let k = 0; !nip; k++) {
    if (k > 10) throw new Error(`no NIP for NGO ${g}`);
    nip = withNipCheckDigit(String(520_000_000 + g * 11 + k));
  }
  const regon9 = withRegonCheckDigit(String(70_000_000 + g));
  // one in 25 is a local unit's 14-digit REGON
  const regon = g % 25 === 24 ? withRegonCheckDigit(`${regon9}${String(1 + (g % 9)).padStart(4, '0')}`) : regon9;
  return { krs, nip, regon };
}

// ---------------------------------------------------------------------------------------------
// One self-government's rows
// ---------------------------------------------------------------------------------------------

type Cell = string | number | boolean | null;
/** A value in COPY's text format: \N for null, backslash, tab and line breaks escaped. */
function cell(v: Cell): string {
  if (v === null) return '\\N';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'number') return String(v);
  return /[\\\t\n\r]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : v;
}
const line = (values: Cell[]): string => `${values.map(cell).join('\t')}\n`;

export type NationalRows = Record<NationalTable, string[]>;

export interface NationalGenerator {
  plan: NationalPlan;
  /** The rows of one self-government of the plan, as COPY lines per table. */
  rows(jst: Jst): NationalRows;
}

export function nationalGenerator(plan: NationalPlan): NationalGenerator {
  const ids = Object.fromEntries(
    ['municipality', 'programme', 'ngo', 'task', 'activity', 'commission', 'member', 'meeting'].map((k) => [k, idMaker(plan.seed, k)]),
  ) as Record<'municipality' | 'programme' | 'ngo' | 'task' | 'activity' | 'commission' | 'member' | 'meeting', (jst: number, n: number) => string>;
  return { plan, rows: (jst) => jstRows(plan.seed, jst, ids) };
}

function jstRows(seed: number, jst: Jst, ids: Record<string, (jst: number, n: number) => string>): NationalRows {
  const rng = seeded(mix(seed, jst.index + 1));
  const out: NationalRows = Object.fromEntries(NATIONAL_TABLE_NAMES.map((t) => [t, [] as string[]])) as unknown as NationalRows;
  const j = jst.index;
  const mid = ids.municipality(j, 0);
  const factor = AMOUNT_FACTOR[jst.kind];
  const town = jst.kind === 'gmina' ? jst.name.replace(/^Gmina /, '') : jst.name.split(' ')[1].replace(/(ski|skie)$/, 'ów').replace(/^./, (c) => c.toUpperCase());
  const unitOf = (t: Theme) => `${UNIT_PREFIX[jst.kind]} ${t.unit}`;

  out.municipalities.push(line([mid, jst.name, jst.slug, jst.teryt]));

  // the programmes: one multi-year 2023–2026, an annual one per year (adopted by 30 November of the year before)
  const [first, last] = [NATIONAL_YEARS[0], NATIONAL_YEARS[NATIONAL_YEARS.length - 1]];
  const multiYear = ids.programme(j, 0);
  const annual = (year: number) => ids.programme(j, year);
  out.programs.push(line([multiYear, mid, 'multi-year', null, `Wieloletni program współpracy z organizacjami pozarządowymi na lata ${first}–${last} (${jst.name})`, first, last, `XL/${rng.int(100, 999)}/${String(first - 1).slice(2)}`, dayOf(first - 1, 11, rng.int(5, 28))]));
  for (const year of NATIONAL_YEARS) {
    out.programs.push(line([annual(year), mid, 'annual', multiYear, `Roczny program współpracy z organizacjami pozarządowymi na rok ${year} (${jst.name})`, year, year, `${['XLI', 'LVI', 'XII', 'XXV'][year % 4]}/${rng.int(100, 999)}/${String(year - 1).slice(2)}`, dayOf(year - 1, rng.int(9, 11), rng.int(1, 28))]));
  }

  // NGOs: all registered by the end of 2022, so each may take part in anything of 2023–2026
  const ngoIds: string[] = [];
  const ngoTheme: number[] = [];
  for (let n = 0; n < jst.ngos; n++) {
    const g = jst.ngoOffset + n;
    const theme = rng.int(0, THEMES.length - 1);
    const t = THEMES[theme];
    const roll = rng.int(1, 100);
    const legalForm = roll <= 56 ? 'association' : roll <= 86 ? 'foundation' : roll <= 91 ? 'church-entity' : roll <= 95 ? 'cooperative' : 'other';
    const word = rng.pick(WORDS);
    const name =
      legalForm === 'association' ? `Stowarzyszenie ${t.association} „${word}” (${town})`
      : legalForm === 'foundation' ? `Fundacja „${word}” ${n + 1}`
      : legalForm === 'church-entity' ? `Parafialny Zespół Caritas ${n + 1} (${town})`
      : legalForm === 'cooperative' ? `Spółdzielnia Socjalna „${word}” (${town})`
      : `Centrum Usług Społecznych „${word}” sp. z o.o. non-profit`;
    const { krs, nip, regon } = nationalIdentifiers(g);
    const spheres = rng.chance(0.3) ? [...t.spheres, rng.pick(['13', '15', '27', '3', '14'])].filter((s, i, a) => a.indexOf(s) === i) : t.spheres;
    const id = ids.ngo(j, n);
    ngoIds.push(id);
    ngoTheme.push(theme);
    out.ngos.push(line([id, mid, name, legalForm, krs, nip, regon, `ul. ${rng.pick(STREETS)} ${rng.int(1, 120)}, ${town}`, `{${spheres.join(',')}}`, rng.chance(0.18), dayOf(rng.int(1990, 2022), rng.int(1, 12), rng.int(1, 28))]));
  }
  const byTheme = THEMES.map((_, k) => ngoTheme.map((t, i) => (t === k ? i : -1)).filter((i) => i >= 0));

  // funded tasks
  let taskNo = 0;
  for (const [y, year] of NATIONAL_YEARS.entries()) {
    const smallGrants = new Map<number, number>(); // grosze of small grants per NGO this year (art. 19a: at most 20 000.00)
    for (let k = 0; k < jst.tasks[y]; k++) {
      const theme = rng.int(0, THEMES.length - 1);
      const t = THEMES[theme];
      const own = byTheme[theme];
      const anyNgo = () => (own.length && rng.chance(0.7) ? rng.pick(own) : rng.int(0, jst.ngos - 1));
      const roll = rng.int(1, 100);
      let mode: 'open-competition' | 'small-grant' | 'local-initiative' | 'other-act' = roll <= 58 ? 'open-competition' : roll <= 82 ? 'small-grant' : roll <= 88 ? 'local-initiative' : 'other-act';
      let ngos: number[];
      let granted: number;
      let requested: number | null = null;
      let start: string;
      let end: string;
      if (mode === 'small-grant') {
        granted = rng.int(100, 1_000) * 10 * PLN; // 1 000.00 … 10 000.00
        const from = anyNgo();
        let lead = -1;
        for (let i = 0; i < jst.ngos && lead < 0; i++) {
          const c = (from + i) % jst.ngos;
          if ((smallGrants.get(c) ?? 0) + granted <= SMALL_YEARLY_MAX) lead = c;
        }
        if (lead < 0) mode = 'open-competition';
        else {
          smallGrants.set(lead, (smallGrants.get(lead) ?? 0) + granted);
          ngos = [lead];
          if (rng.chance(0.5)) requested = Math.min(SMALL_MAX, granted + rng.int(0, 150) * 10 * PLN);
          start = dayOf(year, rng.int(1, 9), rng.int(1, 28));
          end = addDays(start, rng.int(6, SMALL_GRANT_MAX_DAYS - 1)); // both the first and the last day count
        }
      }
      if (mode !== 'small-grant') {
        const lead = anyNgo();
        const extra = rng.chance(0.8) ? 0 : rng.chance(0.75) ? 1 : 2;
        ngos = [lead, ...rng.distinct(jst.ngos, extra + 1).filter((n) => n !== lead).slice(0, extra)];
        if (mode === 'local-initiative') {
          granted = rng.int(5, 60) * 1_000 * PLN;
          start = dayOf(year, rng.int(3, 8), rng.int(1, 28));
          end = addDays(start, rng.int(30, 120));
        } else {
          granted = mode === 'open-competition' ? roundTo(Math.round(Math.exp(rng.normal() * 0.9) * 25_000 * factor) * PLN, 100 * PLN) : rng.int(20, 400) * 1_000 * factor * PLN;
          if (mode === 'open-competition' && rng.chance(0.85)) requested = granted + roundTo(Math.floor((granted * rng.int(0, 30)) / 100), 100 * PLN) * (rng.chance(0.3) ? 0 : 1);
          if (rng.chance(0.6)) {
            start = dayOf(year, 1, rng.int(2, 31));
            end = dayOf(year, 12, rng.pick([15, 20, 31]));
          } else {
            start = dayOf(year, rng.int(3, 9), rng.int(1, 28));
            const e = addDays(start, rng.int(30, 150));
            end = e > `${year}-12-31` ? `${year}-12-15` : e;
          }
        }
      }
      const form = mode === 'other-act' ? 'entrustment' : mode === 'open-competition' && rng.chance(0.25) ? 'entrustment' : 'support';
      let status: 'planned' | 'contracted' | 'in-progress' | 'settled' | 'terminated';
      if (end! < NATIONAL_AS_OF) status = rng.chance(0.05) ? 'terminated' : 'settled';
      else if (start! <= NATIONAL_AS_OF) status = 'in-progress';
      else status = rng.chance(0.6) ? 'contracted' : 'planned';
      const settled = status === 'settled' ? (rng.chance(0.4) ? granted! - rng.int(1, Math.max(1, Math.floor(granted! / 25))) : granted!) : status === 'terminated' ? Math.floor((granted! * rng.int(20, 70)) / 100) : null;
      const id = ids.task(j, taskNo++);
      out.tasks.push(
        line([
          id, mid, annual(year), `${rng.pick(t.tasks)} ${year}`, t.sphere, mode, form, unitOf(t), mode === 'open-competition' ? `OK-${theme + 1}/${year}` : null,
          requested === null ? null : money(requested), money(granted!), settled === null ? null : money(settled), start!, end!, status, status === 'planned' ? null : rng.int(10, 900) * factor,
        ]),
      );
      ngos!.forEach((n, position) => out.task_ngos.push(line([mid, id, ngoIds[n], position])));
    }
  }

  // non-financial cooperation: about one activity for every eight tasks
  let activityNo = 0;
  for (const [y, year] of NATIONAL_YEARS.entries()) {
    const count = Math.max(1, Math.round(jst.tasks[y] / 8));
    for (let k = 0; k < count; k++) {
      const [type, title] = rng.pick(ACTIVITY_TITLES);
      const start = dayOf(year, rng.int(1, 11), rng.int(1, 28));
      const e = addDays(start, rng.int(0, 30));
      const id = ids.activity(j, activityNo++);
      out.activities.push(line([id, mid, annual(year), type, title(year), start, rng.chance(0.5) ? null : e > `${year}-12-31` ? `${year}-12-31` : e, `${UNIT_PREFIX[jst.kind]} Organizacyjny`, rng.chance(0.8) ? rng.int(5, 200) : null]));
      rng.distinct(jst.ngos, rng.int(1, 4)).forEach((n, position) => out.activity_ngos.push(line([mid, id, ngoIds[n], position])));
    }
  }

  // dialogue commissions of the 2023–2026 term: one for every fifty NGOs (one to eight), members and two meetings a year
  const termStart = `${first}-01-01`;
  const termEnd = `${last}-12-31`;
  const commissions = Math.min(8, 1 + Math.floor(jst.ngos / 50));
  let memberNo = 0;
  let meetingNo = 0;
  for (const [c, theme] of rng.distinct(THEMES.length, commissions).entries()) {
    const t = THEMES[theme];
    const cid = ids.commission(j, c);
    out.commissions.push(line([cid, mid, `Komisja Dialogu Obywatelskiego ds. ${t.commission}`, t.sphere, unitOf(t), termStart, termEnd]));
    // one membership per NGO and commission: no two can overlap
    const members = rng.distinct(jst.ngos, rng.int(3, 9)).map((ngo, k) => {
      const left = k >= 3 && rng.chance(0.15);
      const joined = !left && k >= 3 && rng.chance(0.15);
      return { ngo, from: joined ? '2025-03-01' : termStart, to: left ? '2024-06-30' : null, role: ROLES[k] ?? 'member' };
    });
    for (const m of members) {
      const h = rng.int(0, 999);
      const female = h % 5 < 3;
      const person = `${FIRST_NAMES[h % FIRST_NAMES.length][female ? 0 : 1]} ${SURNAMES[(h * 7) % SURNAMES.length][female ? 0 : 1]}`;
      out.commission_members.push(line([ids.member(j, memberNo++), mid, cid, ngoIds[m.ngo], person, m.role, m.from, m.to]));
    }
    for (const year of NATIONAL_YEARS) {
      for (const month of [rng.int(2, 5), rng.int(9, 11)]) {
        const date = dayOf(year, month, rng.int(1, 28));
        const meeting = ids.meeting(j, meetingNo++);
        out.commission_meetings.push(line([meeting, mid, cid, date, MEETING_TITLES[(month + year) % MEETING_TITLES.length]]));
        const active = members.filter((m) => m.from <= date && (m.to === null || m.to >= date));
        const present = active.filter(() => rng.chance(0.8));
        for (const m of present.length ? present : active.slice(0, 1)) out.meeting_ngos.push(line([mid, meeting, ngoIds[m.ngo]]));
      }
    }
  }
  return out;
}
