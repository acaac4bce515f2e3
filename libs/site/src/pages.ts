import type { CallResult, PublicCall } from '@app/competitions';
import type { ReportChart, RevisionDetails, Summary } from '@app/reports';
import {
  ACTIVITY_LABELS,
  addMoney,
  ACTIVITY_ORDER,
  comparePl,
  FORM_LABELS,
  FORM_ORDER,
  formatDay,
  formatInstant,
  formatInteger,
  formatPln,
  label,
  MODE_LABELS,
  MODE_ORDER,
  plural,
  ROLE_LABELS,
} from '@app/core';
import { eta, STYLESHEET, type TemplateName } from './templates';

/**
 * The public pages as pure functions: data read from the database in, HTML out. Every value is
 * handed to the templates as text, to be escaped there; only the charts' SVG is passed raw.
 */

export interface MunicipalityInfo {
  id: string;
  name: string;
  slug: string;
  teryt: string;
}

export interface PublishedYear {
  year: number;
  revision: number;
  publishedAt: Date;
}

export interface CommissionMember {
  /** Found by a search, but not a member on the commission's day (a past, or a later, membership). */
  notOnTheDay?: boolean;
  ngoName: string;
  krs: string | null;
  representative: string;
  role: string;
  from: string;
  to: string | null;
}

export interface PublicCommission {
  id: string;
  name: string;
  sphere: string | null;
  sphereName: string | null;
  department: string;
  termStart: string;
  termEnd: string;
  /** where today lies against the term (Europe/Warsaw) */
  state: 'current' | 'past' | 'future';
  /** the day whose members are listed: today, or the nearest day of the term */
  asOf: string;
  members: CommissionMember[];
}

export interface RevisionTaskRow {
  title: string;
  sphere: string;
  mode: string;
  amountGranted: string;
  ngos: Array<{ name: string; krs: string | null }>;
}

export interface PublishedRevision {
  municipality: MunicipalityInfo;
  year: number;
  revision: number;
  publishedAt: Date;
  contentHash: string;
  summary: Summary;
  charts: ReportChart[];
  details: Partial<RevisionDetails>;
  tasks: RevisionTaskRow[];
  /** sphere names by code, as in force that year */
  spheres: ReadonlyMap<string, { name: string; sortKey: number }>;
}

interface Crumb {
  label: string;
  href?: string;
}

interface Column {
  label: string;
  num?: boolean;
}

interface Table {
  id: string;
  caption: string;
  columns: Column[];
  rows: Array<{ head: string; href?: string; cells: Array<string | string[]> }>;
  foot?: { head: string; cells: string[] };
}

export const municipalityPath = (slug: string) => `/${encodeURIComponent(slug)}`;
export const commissionsPath = (slug: string) => `${municipalityPath(slug)}/commissions`;
export const reportPath = (slug: string, year: number) => `${municipalityPath(slug)}/reports/${year}`;
export const callsPath = (slug: string) => `${municipalityPath(slug)}/calls`;
export const callPath = (slug: string, id: string) => `${callsPath(slug)}/${encodeURIComponent(id)}`;

function page(template: TemplateName, title: string, crumbs: Crumb[], data: object): string {
  const body = eta.render(template, data);
  return eta.render('@layout', { title, crumbs, css: STYLESHEET, body });
}

const home: Crumb = { label: 'Strona główna', href: '/' };

export function homePage(municipalities: MunicipalityInfo[]): string {
  const items = [...municipalities].sort((a, b) => comparePl(a.name, b.name)).map((m) => ({ href: municipalityPath(m.slug), name: m.name, teryt: m.teryt }));
  return page('@home', 'Gminy', [], { municipalities: items });
}

export function municipalityPage(m: MunicipalityInfo, years: PublishedYear[]): string {
  const reports: Table = {
    id: 'sprawozdania',
    caption: `Sprawozdania z realizacji programu współpracy – ${m.name}`,
    columns: [{ label: 'Rok' }, { label: 'Wersja', num: true }, { label: 'Opublikowano' }],
    rows: [...years]
      .sort((a, b) => b.year - a.year)
      .map((y) => ({ head: `Sprawozdanie za ${y.year} r.`, href: reportPath(m.slug, y.year), cells: [formatInteger(y.revision), formatInstant(y.publishedAt)] })),
  };
  return page('@municipality', m.name, [home, { label: m.name }], { name: m.name, teryt: m.teryt, commissionsHref: commissionsPath(m.slug), callsHref: callsPath(m.slug), reports });
}

const STATE_LABELS: Record<PublicCommission['state'], string> = { current: 'trwa', past: 'zakończona', future: 'jeszcze się nie rozpoczęła' };

export interface CommissionsQuery {
  q: string;
  all: boolean;
}

export function commissionsPage(m: MunicipalityInfo, commissions: PublicCommission[], query: CommissionsQuery): string {
  const base = commissionsPath(m.slug);
  const withQuery = (params: Record<string, string>) => {
    const search = new URLSearchParams(params).toString();
    return search ? `${base}?${search}` : base;
  };
  const shown = query.q ? commissions.filter((c) => c.members.length) : commissions;
  const memberCount = shown.reduce((n, c) => n + c.members.length, 0);
  let found = '';
  if (query.q) {
    found = memberCount
      ? `Wyniki wyszukiwania „${query.q}”: ${plural(memberCount, ['członkostwo', 'członkostwa', 'członkostw'])} w ${plural(shown.length, ['komisji', 'komisjach', 'komisjach'])}.`
      : `Nie znaleziono organizacji „${query.q}” w składzie ${query.all ? 'żadnej komisji' : 'żadnej trwającej komisji'}.`;
  } else if (!shown.length) {
    found = query.all ? 'Gmina nie ma jeszcze żadnej komisji dialogu obywatelskiego.' : 'Żadna komisja dialogu obywatelskiego nie trwa dziś.';
  }
  const vm = {
    name: m.name,
    intro: query.all
      ? 'Wszystkie komisje gminy: trwające, zakończone i przyszłe. Skład trwającej komisji podano na dziś, zakończonej – na ostatni dzień kadencji, przyszłej – na pierwszy.'
      : 'Komisje, których kadencja trwa dziś, i ich obecni członkowie: organizacje pozarządowe i osoby, które je reprezentują.',
    action: base,
    q: query.q,
    all: query.all,
    toggle: query.all
      ? { href: withQuery(query.q ? { q: query.q } : {}), label: 'Pokaż tylko komisje, które trwają dziś' }
      : { href: withQuery(query.q ? { q: query.q, all: '1' } : { all: '1' }), label: 'Pokaż wszystkie komisje, także zakończone' },
    clearHref: withQuery(query.all ? { all: '1' } : {}),
    found,
    commissions: shown.map((c, i) => ({
      headingId: `komisja-${i + 1}`,
      name: c.name,
      term: `${formatDay(c.termStart)} – ${formatDay(c.termEnd)}`,
      status: STATE_LABELS[c.state],
      sphere: c.sphere ? (c.sphereName ? `${c.sphere}. ${c.sphereName}` : c.sphere) : '',
      department: c.department,
      noMembers: c.state === 'current' ? 'Komisja nie ma dziś członków.' : `Komisja nie miała członków w dniu ${formatDay(c.asOf)} r.`,
      members: {
        id: `sklad-${i + 1}`,
        caption: `${c.state === 'current' ? 'Skład komisji dziś' : `Skład komisji na dzień ${formatDay(c.asOf)} r.`} – ${c.name}`,
        columns: [{ label: 'Organizacja' }, { label: 'KRS' }, { label: 'Przedstawiciel(ka)' }, { label: 'Funkcja' }, { label: 'W składzie' }],
        rows: c.members.map((x) => ({
          head: x.notOnTheDay ? `${x.ngoName} (${x.from > c.asOf ? 'przyszły członek' : 'były członek'})` : x.ngoName,
          cells: [x.krs ?? '–', x.representative, label(ROLE_LABELS, x.role), `od ${formatDay(x.from)}` + (x.to && (x.notOnTheDay || x.to < c.termEnd) ? ` do ${formatDay(x.to)}` : '')],
        })),
      } satisfies Table,
    })),
  };
  return page('@commissions', `Komisje dialogu obywatelskiego – ${m.name}`, [home, { label: m.name, href: municipalityPath(m.slug) }, { label: 'Komisje dialogu obywatelskiego' }], vm);
}

function countGrantedTable(
  id: string,
  caption: string,
  keyLabel: string,
  keys: string[],
  values: Record<string, { count: number; granted: string }>,
  name: (key: string) => string,
  total: { count: number; granted: string },
): Table {
  return {
    id,
    caption,
    columns: [{ label: keyLabel }, { label: 'Liczba zadań', num: true }, { label: 'Kwota przyznana', num: true }],
    rows: keys.map((k) => ({ head: name(k), cells: [formatInteger(values[k]?.count ?? 0), formatPln(values[k]?.granted ?? '0.00')] })),
    foot: { head: 'Razem', cells: [formatInteger(total.count), formatPln(total.granted)] },
  };
}

/** The known codes in their fixed order, then any other that occurs. */
const ordered = (known: string[], present: Record<string, unknown>) => [...known, ...Object.keys(present).filter((k) => !known.includes(k)).sort()];

export function reportPage(r: PublishedRevision): string {
  const { summary: s, municipality: m, year } = r;
  const t = s.tasks;
  const sphereName = (code: string) => r.spheres.get(code)?.name;
  const sphereOrder = Object.keys(t.bySphere).sort((a, b) => (r.spheres.get(a)?.sortKey ?? 1e9) - (r.spheres.get(b)?.sortKey ?? 1e9) || a.localeCompare(b, 'pl-PL', { numeric: true }));
  const grantedTotal = { count: t.count, granted: t.granted };

  const bySphere: Table = {
    id: 'wg-sfery',
    caption: 'Zadania i dotacje według sfery zadań publicznych (art. 4 ustawy)',
    columns: [{ label: 'Sfera' }, { label: 'Nazwa sfery' }, { label: 'Liczba zadań', num: true }, { label: 'Kwota przyznana', num: true }],
    rows: sphereOrder.map((code) => ({ head: code, cells: [sphereName(code) ?? '–', formatInteger(t.bySphere[code].count), formatPln(t.bySphere[code].granted)] })),
    foot: { head: 'Razem', cells: ['', formatInteger(t.count), formatPln(t.granted)] },
  };
  const departments = Object.keys(t.byDepartment).sort(comparePl);

  const details = r.details;
  const commissionRows = details.commissions ?? [];
  const activityRows = details.activities ?? [];

  const vm = {
    heading: `${m.name}: sprawozdanie ze współpracy z organizacjami pozarządowymi za ${year} r.`,
    revision: formatInteger(r.revision),
    published: formatInstant(r.publishedAt),
    publishedIso: r.publishedAt.toISOString(),
    contentHash: r.contentHash,
    figures: [
      { label: 'Zlecone zadania publiczne', value: formatInteger(t.count) },
      { label: 'Kwota przyznanych dotacji', value: formatPln(t.granted) },
      { label: 'Kwota rozliczona', value: formatPln(t.settled) },
      { label: 'Organizacje, które otrzymały dotacje', value: formatInteger(t.ngosFunded) },
      { label: 'Otwarte konkursy ofert', value: formatInteger(t.competitions) },
      { label: 'Organizacje współpracujące z gminą', value: formatInteger(s.ngos.cooperating) },
      { label: 'Organizacje zarejestrowane w gminie na koniec roku', value: formatInteger(s.ngos.registered) },
      { label: 'Pozafinansowe formy współpracy (działania)', value: formatInteger(s.activities.count) },
      { label: 'Organizacje biorące udział w działaniach pozafinansowych', value: formatInteger(s.activities.ngos) },
      { label: 'Komisje dialogu obywatelskiego', value: formatInteger(s.commissions.count) },
      { label: 'Organizacje w komisjach', value: formatInteger(s.commissions.memberNgos) },
      { label: 'Posiedzenia komisji', value: formatInteger(s.commissions.meetings) },
    ],
    // revisions published before the open competitions came have no `calls`: their page stays as it was
    calls: s.calls
      ? {
          figures: [
            { label: 'Ogłoszone otwarte konkursy ofert', value: formatInteger(s.calls.count) },
            { label: 'Złożone oferty', value: formatInteger(s.calls.offers) },
            { label: 'Oferty, które otrzymały dotację', value: formatInteger(s.calls.awarded) },
            { label: 'Unieważnione konkursy', value: formatInteger(s.calls.cancelled) },
            { label: 'Kwota dotacji przyznanych w konkursach', value: formatPln(s.calls.granted) },
          ],
          intro: `Konkursy ogłoszone w ramach rocznego programu współpracy na ${year} r. (art. 11–19 ustawy): ich liczba, złożone oferty, oferty wybrane do dofinansowania, konkursy unieważnione (art. 18a) i suma przyznanych dotacji.`,
          href: callsPath(m.slug),
        }
      : null,
    programmes: s.programmes.map((p) => `${p.title} (${p.kind === 'multi-year' ? `program wieloletni, ${p.startYear}–${p.endYear}` : `program roczny, ${p.startYear}`})`),
    byMode: countGrantedTable('wg-trybu', 'Zadania i dotacje według trybu zlecenia', 'Tryb', ordered(MODE_ORDER, t.byMode), t.byMode, (k) => label(MODE_LABELS, k), grantedTotal),
    byForm: countGrantedTable('wg-formy', 'Zadania i dotacje według formy zlecenia', 'Forma', ordered(FORM_ORDER, t.byForm), t.byForm, (k) => label(FORM_LABELS, k), grantedTotal),
    bySphere,
    byDepartment: countGrantedTable('wg-wydzialu', 'Zadania i dotacje według wydziału urzędu', 'Wydział', departments, t.byDepartment, (k) => k, grantedTotal),
    charts: r.charts.filter(isInlineSvg),
    tasks: {
      id: 'zadania',
      caption: `Zlecone zadania publiczne w ${year} r. (${plural(r.tasks.length, ['zadanie', 'zadania', 'zadań'])})`,
      columns: [{ label: 'Zadanie' }, { label: 'Organizacje' }, { label: 'Sfera' }, { label: 'Tryb' }, { label: 'Kwota przyznana', num: true }],
      rows: r.tasks.map((task) => ({
        head: task.title,
        cells: [task.ngos.map((n) => (n.krs ? `${n.name} (KRS ${n.krs})` : n.name)), task.sphere, label(MODE_LABELS, task.mode), formatPln(task.amountGranted)],
      })),
    } satisfies Table,
    commissionsSummary: `Komisje działające w ${year} r.: ${formatInteger(s.commissions.count)}; organizacje członkowskie: ${formatInteger(s.commissions.memberNgos)}; posiedzenia: ${formatInteger(s.commissions.meetings)}.`,
    commissions: {
      id: 'komisje',
      caption: `Komisje dialogu obywatelskiego w ${year} r.`,
      columns: [{ label: 'Komisja' }, { label: 'Kadencja' }, { label: 'Wydział' }, { label: 'Organizacje członkowskie', num: true }, { label: 'Posiedzenia', num: true }],
      rows: commissionRows.map((c) => ({
        head: c.name,
        cells: [`${formatDay(c.termStart)} – ${formatDay(c.termEnd)}`, c.department, formatInteger(c.memberNgos), formatInteger(c.meetings)],
      })),
    } satisfies Table,
    activitiesSummary: `Działania pozafinansowe w ${year} r.: ${formatInteger(s.activities.count)}; organizacje biorące w nich udział: ${formatInteger(s.activities.ngos)}.`,
    activityTypes: {
      id: 'formy-pozafinansowe',
      caption: 'Działania pozafinansowe według formy',
      columns: [{ label: 'Forma współpracy' }, { label: 'Liczba działań', num: true }],
      rows: ordered(ACTIVITY_ORDER, s.activities.byType).map((type) => ({ head: label(ACTIVITY_LABELS, type), cells: [formatInteger(s.activities.byType[type] ?? 0)] })),
      foot: { head: 'Razem', cells: [formatInteger(s.activities.count)] },
    } satisfies Table,
    activities: {
      id: 'dzialania',
      caption: `Działania pozafinansowe w ${year} r.`,
      columns: [{ label: 'Działanie' }, { label: 'Forma' }, { label: 'Termin' }, { label: 'Wydział' }, { label: 'Organizacje' }],
      rows: activityRows.map((a) => ({
        head: a.title,
        cells: [
          label(ACTIVITY_LABELS, a.type),
          a.endDate && a.endDate !== a.startDate ? `${formatDay(a.startDate)} – ${formatDay(a.endDate)}` : formatDay(a.startDate),
          a.department,
          a.ngos.length ? a.ngos.map((n) => n.name) : ['–'],
        ],
      })),
    } satisfies Table,
    links: {
      json: `/api/v1/public/${encodeURIComponent(m.slug)}/reports/${year}`,
      grants: `/api/v1/public/${encodeURIComponent(m.slug)}/grants/${year}.json`,
      csv: `/api/v1/public/${encodeURIComponent(m.slug)}/reports/${year}/export?format=csv&delimiter=semicolon`,
      csvData: `/api/v1/public/${encodeURIComponent(m.slug)}/reports/${year}/export?format=csv`,
      xlsx: `/api/v1/public/${encodeURIComponent(m.slug)}/reports/${year}/export?format=xlsx`,
      exportJson: `/api/v1/public/${encodeURIComponent(m.slug)}/reports/${year}/export?format=json`,
    },
  };
  return page('@report', `Sprawozdanie za ${year} r. – ${m.name}`, [home, { label: m.name, href: municipalityPath(m.slug) }, { label: `Sprawozdanie za ${year} r.` }], vm);
}

/**
 * The charts were drawn by this application at publication (renderCharts) and are frozen with the
 * revision; the page's CSP runs no script whatever they hold. This only keeps out what is not a
 * chart of ours, should a row have been written by other means.
 */
const ourSvg = (svg: unknown) => typeof svg === 'string' && svg.startsWith('<svg role="img"') && !/<script|<foreignObject|\son[a-z]+=/i.test(svg);

function isInlineSvg(chart: ReportChart): boolean {
  return ourSvg(chart.svg) && (chart.narrowSvg === undefined || ourSvg(chart.narrowSvg));
}

// ---------------------------------------------------------------------------------------------
// Open competitions (otwarte konkursy ofert): the list and the announcement of one call
// ---------------------------------------------------------------------------------------------

/** A call as the public pages read it, with its sphere's name (as in force today). */
export type PublicCallView = PublicCall & { sphereName: string | null };

const CALL_FORM_LABELS: Record<string, string> = {
  support: 'wspieranie wykonania zadania (z wkładem własnym organizacji)',
  entrustment: 'powierzenie wykonania zadania (pełne finansowanie)',
};

const CANCELLATION_LABELS: Record<string, string> = {
  'no-offers': 'nie złożono żadnej oferty (art. 18a ust. 1 pkt 1 ustawy)',
  'no-valid-offers': 'żadna ze złożonych ofert nie spełnia wymogów zawartych w ogłoszeniu (art. 18a ust. 1 pkt 2 ustawy)',
};

const CALL_SECTIONS = [
  { status: 'published', id: 'otwarte', heading: 'Trwa przyjmowanie ofert', empty: 'Teraz żaden konkurs nie przyjmuje ofert.' },
  { status: 'closed', id: 'ocena', heading: 'Nabór zakończony, trwa ocena ofert', empty: '' },
  { status: 'resolved', id: 'rozstrzygniete', heading: 'Konkursy rozstrzygnięte', empty: '' },
  { status: 'cancelled', id: 'uniewaznione', heading: 'Konkursy unieważnione', empty: '' },
] as const;

const OFFERS: readonly [string, string, string] = ['oferta', 'oferty', 'ofert'];

/** "87.50" → "87,50" */
const formatScore = (score: string) => score.replace('.', ',');

function sphereText(c: PublicCallView): string {
  return c.sphereName ? `${c.sphere}. ${c.sphereName}` : c.sphere;
}

/** The deadline in words, Warsaw time, as the call's state gives it. */
function deadlineText(c: PublicCallView): string {
  const at = formatInstant(new Date(c.offersUntil));
  return c.status === 'published' ? `do ${at}` : `upłynął ${at}`;
}

export function callsPage(m: MunicipalityInfo, calls: PublicCallView[]): string {
  const sections = CALL_SECTIONS.map((section) => ({
    id: section.id,
    heading: section.heading,
    empty: section.empty,
    calls: calls
      .filter((c) => c.status === section.status)
      .map((c, i) => ({
        headingId: `${section.id}-${i + 1}`,
        href: callPath(m.slug, c.id),
        title: c.title,
        facts: [
          { term: 'Numer ogłoszenia', value: c.number },
          { term: 'Sfera zadań publicznych', value: sphereText(c) },
          { term: 'Forma', value: label(CALL_FORM_LABELS, c.form) },
          { term: 'Środki na realizację zadania', value: formatPln(c.budget) },
          { term: 'Termin składania ofert', value: deadlineText(c), iso: c.offersUntil },
          ...(c.status === 'published' ? [] : [{ term: 'Złożone oferty', value: formatInteger(c.offers) }]),
          ...(c.cancellation ? [{ term: 'Powód unieważnienia', value: label(CANCELLATION_LABELS, c.cancellation.reason) }] : []),
        ],
      })),
  })).filter((section) => section.calls.length || section.empty);
  const open = calls.filter((c) => c.status === 'published').length;
  const vm = {
    name: m.name,
    lead:
      `Otwarte konkursy ofert na realizację zadań publicznych przez organizacje pozarządowe (art. 11–19 ustawy o działalności pożytku publicznego i o wolontariacie). ` +
      `Terminy podano w czasie polskim. Ogłoszone konkursy: ${formatInteger(calls.length)}, w tym przyjmujące teraz oferty: ${formatInteger(open)}.`,
    sections,
    toc: sections.filter((s) => s.calls.length).map((s) => ({ id: s.id, heading: s.heading, count: formatInteger(s.calls.length) })),
  };
  return page('@calls', `Otwarte konkursy ofert – ${m.name}`, [home, { label: m.name, href: municipalityPath(m.slug) }, { label: 'Otwarte konkursy ofert' }], vm);
}

function resultsTable(c: PublicCallView, results: CallResult[]): Table {
  const maxPoints = c.criteria.reduce((n, k) => n + k.maxPoints, 0);
  const awarded = results.filter((r) => r.amount !== null).map((r) => r.amount!);
  return {
    id: 'wyniki-tabela',
    caption: `Wyniki konkursu ${c.number}: oferty ocenione przez komisję konkursową`,
    columns: [{ label: 'Organizacja' }, { label: 'Tytuł oferty' }, { label: `Ocena (średnia punktów, maks. ${formatInteger(maxPoints)})`, num: true }, { label: 'Przyznana dotacja', num: true }],
    rows: results.map((r) => ({
      head: r.ngoNames.join('; ') || '–',
      cells: [r.title ?? '–', r.score === null ? '–' : formatScore(r.score), r.amount === null ? 'nie przyznano' : formatPln(r.amount)],
    })),
    foot: { head: 'Razem przyznano', cells: ['', '', formatPln(awarded.length ? addMoney(...awarded) : '0.00')] },
  };
}

export function callPage(m: MunicipalityInfo, c: PublicCallView): string {
  const deadline = formatInstant(new Date(c.offersUntil));
  const criteriaTotal = c.criteria.reduce((n, k) => n + k.maxPoints, 0);
  const prior = c.priorSpend;
  let state: string;
  switch (c.status) {
    case 'published':
      state = `Trwa przyjmowanie ofert: oferty można składać do ${deadline} (czas polski).`;
      break;
    case 'closed':
      state = `Termin składania ofert upłynął ${deadline}. Złożono ${plural(c.offers, OFFERS)}; trwa ich ocena.`;
      break;
    case 'resolved':
      state = `Konkurs rozstrzygnięty${c.resolvedAt ? ` ${formatInstant(new Date(c.resolvedAt))}` : ''}. Wyniki podano na końcu ogłoszenia.`;
      break;
    case 'cancelled':
      state = `Konkurs unieważniony: ${c.cancellation ? label(CANCELLATION_LABELS, c.cancellation.reason) : 'bez podania powodu'}.`;
      break;
    case 'draft': // never public (PublicCallsService leaves drafts out)
      state = '';
      break;
  }
  const grantFacts = [
    ...(c.minGrant ? [{ term: 'Najniższa kwota dotacji', value: formatPln(c.minGrant) }] : []),
    ...(c.maxGrant ? [{ term: 'Najwyższa kwota dotacji', value: formatPln(c.maxGrant) }] : []),
    ...(c.form === 'support' && c.ownContributionMin !== null ? [{ term: 'Wymagany wkład własny', value: `co najmniej ${String(c.ownContributionMin).replace('.', ',')}% całkowitego kosztu zadania` }] : []),
  ];
  const vm = {
    title: c.title,
    meta: `Otwarty konkurs ofert nr ${c.number}${c.publishedAt ? `, ogłoszony ${formatInstant(new Date(c.publishedAt))}` : ''}.`,
    state,
    stateKind: c.status,
    task: [
      { term: 'Zadanie publiczne', value: c.title },
      { term: 'Sfera zadań publicznych (art. 4 ustawy)', value: sphereText(c) },
      { term: 'Forma realizacji', value: label(CALL_FORM_LABELS, c.form) },
      { term: 'Wydział prowadzący', value: c.department },
    ],
    budget: formatPln(c.budget),
    grantRules: c.grantRules,
    grantFacts,
    taskPeriod: `od ${formatDay(c.taskStart)} r. do ${formatDay(c.taskEnd)} r.`,
    deadline,
    deadlineIso: c.offersUntil,
    offers: c.status === 'published' ? '' : `Złożone oferty: ${formatInteger(c.offers)}.`,
    selectionProcedure: c.selectionProcedure,
    decisionBy: formatDay(c.decisionBy),
    criteria: {
      id: 'kryteria',
      caption: 'Kryteria oceny ofert (art. 15 ust. 1 ustawy)',
      columns: [{ label: 'Kryterium' }, { label: 'Maksymalna liczba punktów', num: true }],
      rows: c.criteria.map((k) => ({ head: k.name, cells: [formatInteger(k.maxPoints)] })),
      foot: { head: 'Razem', cells: [formatInteger(criteriaTotal)] },
    } satisfies Table,
    prior: {
      id: 'zadania-tego-rodzaju',
      caption: `Zadania publiczne tego samego rodzaju (sfera ${c.sphere}) zrealizowane przez gminę i związane z nimi koszty`,
      columns: [{ label: 'Rok' }, { label: 'Liczba zadań', num: true }, { label: 'Kwota dotacji', num: true }],
      rows: [prior.currentYear, prior.previousYear].map((y) => ({
        head: `${y.year} r.${y === prior.currentYear ? ' (rok ogłoszenia konkursu)' : ' (rok poprzedni)'}`,
        cells: [formatInteger(y.tasks), formatPln(y.granted)],
      })),
    } satisfies Table,
    results: c.status === 'resolved' && c.results ? (c.results.length ? resultsTable(c, c.results) : null) : undefined,
    cancellation: c.cancellation ? { reason: label(CANCELLATION_LABELS, c.cancellation.reason), justification: c.cancellation.justification } : null,
    backHref: callsPath(m.slug),
  };
  return page('@call', `${c.title} – otwarty konkurs ofert – ${m.name}`, [
    home,
    { label: m.name, href: municipalityPath(m.slug) },
    { label: 'Otwarte konkursy ofert', href: callsPath(m.slug) },
    { label: c.number },
  ], vm);
}

export interface NotFoundOptions {
  message: string;
  back?: { href: string; label: string };
}

export function notFoundPage(options: NotFoundOptions): string {
  const back = options.back ?? { href: '/', label: 'Przejdź do listy gmin' };
  return page('@not-found', 'Nie znaleziono strony', [home], { message: options.message, backHref: back.href, backLabel: back.label });
}
