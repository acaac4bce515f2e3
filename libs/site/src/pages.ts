import type { ReportChart, RevisionDetails, Summary } from '@app/reports';
import {
  ACTIVITY_LABELS,
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
  return page('@municipality', m.name, [home, { label: m.name }], { name: m.name, teryt: m.teryt, commissionsHref: commissionsPath(m.slug), reports });
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

export interface NotFoundOptions {
  message: string;
  back?: { href: string; label: string };
}

export function notFoundPage(options: NotFoundOptions): string {
  const back = options.back ?? { href: '/', label: 'Przejdź do listy gmin' };
  return page('@not-found', 'Nie znaleziono strony', [home], { message: options.message, backHref: back.href, backLabel: back.label });
}
