import type { ReportChart, Summary } from '@app/reports';
import { createHash } from 'node:crypto';
import { callPage, callsPage, commissionsPage, homePage, municipalityPage, notFoundPage, reportPage, type PublicCommission, type PublishedRevision } from './pages';
import { PAGE_CSP, STYLESHEET } from './templates';

/** Real: the Eta templates. Pure rendering, no database. */

const krakow = { id: 'm-1', name: 'Kraków', slug: 'krakow', teryt: '1261011' };
const evil = '<script>alert(1)</script> & "x"';
const escapedEvil = '&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;';

const summary: Summary = {
  programmes: [{ id: 'p', title: `Program ${evil}`, kind: 'multi-year', startYear: 2019, endYear: 2022 }],
  tasks: {
    count: 2,
    ngosFunded: 2,
    granted: '1259000.50',
    settled: '0.00',
    competitions: 1,
    byMode: { 'open-competition': { count: 1, granted: '1250000.00' }, 'small-grant': { count: 1, granted: '9000.50' }, 'local-initiative': { count: 0, granted: '0.00' }, 'other-act': { count: 0, granted: '0.00' } },
    byForm: { support: { count: 2, granted: '1259000.50' }, entrustment: { count: 0, granted: '0.00' } },
    bySphere: { '17': { count: 1, granted: '9000.50' }, '16': { count: 1, granted: '1250000.00' } },
    byDepartment: { [evil]: { count: 2, granted: '1259000.50' } },
  },
  activities: { count: 1, byType: { consultation: 1 }, ngos: 1 },
  commissions: { count: 1, memberNgos: 1, meetings: 2 },
  ngos: { registered: 10, cooperating: 3 },
};

const chart = (svg: string): ReportChart => ({ key: 'k', title: 'Wykres', description: `Opis ${evil}`, svg });

function revision(overrides: Partial<PublishedRevision> = {}): PublishedRevision {
  return {
    municipality: krakow,
    year: 2019,
    revision: 2,
    publishedAt: new Date('2020-05-04T10:00:00Z'),
    contentHash: 'a'.repeat(64),
    summary,
    charts: [chart('<svg role="img" aria-label="Wykres" viewBox="0 0 10 10"><title>Wykres</title></svg>')],
    details: {
      commissions: [{ id: 'c', name: `Komisja ${evil}`, sphere: null, department: 'Wydział', termStart: '2019-01-01', termEnd: '2022-12-31', memberNgos: 1, meetings: 2 }],
      activities: [{ id: 'a', type: 'consultation', title: 'Konsultacje', startDate: '2019-10-01', endDate: null, department: 'Wydział', ngos: [{ id: 'n', name: evil }] }],
    },
    tasks: [{ title: `Zadanie ${evil}`, sphere: '16', mode: 'open-competition', amountGranted: '1250000.00', ngos: [{ name: evil, krs: '0000123456' }, { name: 'Partner', krs: null }] }],
    spheres: new Map([
      ['16', { name: 'kultura, sztuka, ochrona dóbr kultury i dziedzictwa narodowego', sortKey: 160 }],
      ['17', { name: 'wspieranie i upowszechnianie kultury fizycznej', sortKey: 170 }],
    ]),
    ...overrides,
  };
}

const levels = (html: string) => [...html.matchAll(/<h([1-6])[\s>]/g)].map((m) => Number(m[1]));

describe('the page layout', () => {
  it('is Polish HTML with a skip link, its one stylesheet allowed by the CSP hash', () => {
    const html = homePage([krakow]);
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="pl">')).toBe(true);
    expect(html).toContain(`<style>${STYLESHEET}</style>`);
    expect(PAGE_CSP).toContain(`style-src 'sha256-${createHash('sha256').update(STYLESHEET).digest('base64')}'`);
    expect(PAGE_CSP).not.toContain('unsafe');
    expect(STYLESHEET).toContain('@media print');
    expect(STYLESHEET).toContain(':focus-visible');
  });
});

describe('homePage', () => {
  it('lists the municipalities in Polish order, escaped', () => {
    const html = homePage([{ ...krakow, name: 'Łódź', slug: 'lodz' }, { ...krakow, name: evil, slug: 'evil' }, krakow]);
    expect(html).toContain(`<a href="/evil">${escapedEvil}</a>`);
    expect(html.indexOf('Kraków')).toBeLessThan(html.indexOf('Łódź'));
    expect(html).not.toContain('<script');
    expect(homePage([])).toContain('Nie ma jeszcze żadnej gminy.');
  });
});

describe('municipalityPage', () => {
  it('lists the published years, newest first', () => {
    const html = municipalityPage(krakow, [
      { year: 2019, revision: 2, publishedAt: new Date('2020-05-04T10:00:00Z') },
      { year: 2020, revision: 1, publishedAt: new Date('2021-05-04T10:00:00Z') },
    ]);
    expect(html.indexOf('/krakow/reports/2020')).toBeLessThan(html.indexOf('/krakow/reports/2019'));
    expect(html).toContain('4 maja 2020 r., godz. 12:00');
  });
});

describe('reportPage', () => {
  it('escapes every value from users; only the chart SVG is inlined as it is', () => {
    const html = reportPage(revision());
    expect(html).not.toContain('<script');
    expect(html).toContain(`Zadanie ${escapedEvil}`);
    expect(html).toContain(`<li>${escapedEvil} (KRS 0000123456)</li>`);
    expect(html).toContain(`Komisja ${escapedEvil}`);
    expect(html).toContain(`Opis ${escapedEvil}`);
    expect(html).toContain('<figure>\n<svg role="img" aria-label="Wykres"');
  });

  it('collapses a list of more than three NGOs under <details>, and leaves short lists open', () => {
    const many = Array.from({ length: 5 }, (_x, i) => ({ name: `Organizacja ${i + 1}`, krs: null }));
    const html = reportPage(revision({ tasks: [{ title: 'Duże partnerstwo', sphere: '16', mode: 'open-competition', amountGranted: '1000.00', ngos: many }, { title: 'Małe', sphere: '16', mode: 'open-competition', amountGranted: '10.00', ngos: many.slice(0, 2) }] }));
    expect(html).toMatch(/<details><summary>5 organizacji<\/summary><ul class="plain"><li>Organizacja 1<\/li>/);
    expect(html.match(/<details>/g)).toHaveLength(1);
    expect(html).toContain('<ul class="plain"><li>Organizacja 1</li><li>Organizacja 2</li></ul>');
  });

  it('leaves out a chart that is not one of ours', () => {
    for (const svg of ['<svg onload="alert(1)"></svg>', '<svg role="img" aria-label="x"><script>alert(1)</script></svg>', '<svg role="img" aria-label="x" onload="x()"></svg>', 'text']) {
      const html = reportPage(revision({ charts: [chart(svg)] }));
      expect(html).not.toContain('<figure>');
      expect(html).not.toContain('alert(1)</script>');
    }
  });

  it('has its headings in order, a caption on every table and scoped header cells', () => {
    const html = reportPage(revision());
    const l = levels(html);
    expect(l[0]).toBe(1);
    l.forEach((level, i) => i && expect(level).toBeLessThanOrEqual(l[i - 1] + 1));
    const tables = [...html.matchAll(/<table>\n<caption id="[^"]+">/g)].length;
    expect(tables).toBe(8);
    expect([...html.matchAll(/<table>/g)].length).toBe(tables);
    expect(html).not.toMatch(/<th(?![^>]*scope=)[\s>]/);
  });

  it('lists spheres in the order of the act, with their names, and totals every table', () => {
    const html = reportPage(revision());
    expect(html.indexOf('<th scope="row">16</th>')).toBeLessThan(html.indexOf('<th scope="row">17</th>'));
    expect(html).toContain('<td>wspieranie i upowszechnianie kultury fizycznej</td>');
    expect(html).toContain('<tfoot><tr><th scope="row">Razem</th><td class="num">2</td><td class="num">1\u00a0259\u00a0000,50\u00a0zł</td></tr></tfoot>');
  });

  it('copes with a revision without details or charts', () => {
    const html = reportPage(revision({ details: {}, charts: [], tasks: [] }));
    expect(html).not.toContain('<h2>Wykresy</h2>');
    expect(html).toContain('nie zleciła organizacjom żadnego zadania');
  });
});

describe('commissionsPage', () => {
  const commission = (overrides: Partial<PublicCommission> = {}): PublicCommission => ({
    id: 'c',
    name: 'Komisja',
    sphere: '10',
    sphereName: 'działalność na rzecz osób w wieku emerytalnym',
    department: 'Wydział',
    termStart: '2025-01-01',
    termEnd: '2028-12-31',
    state: 'current',
    asOf: '2026-11-29',
    members: [{ ngoName: evil, krs: '0000000001', representative: 'Anna', role: 'chair', from: '2025-01-01', to: null }],
    ...overrides,
  });

  it('shows the members, escaped, and says what a search found', () => {
    const html = commissionsPage(krakow, [commission(), commission({ id: 'd', name: 'Pusta', members: [] })], { q: 'anna', all: false });
    expect(html).toContain(`<tr><th scope="row">${escapedEvil}</th><td>0000000001</td><td>Anna</td><td>przewodniczący</td>`);
    expect(html).toContain('1\u00a0członkostwo w 1\u00a0komisji');
    expect(html).not.toContain('Pusta'); // a search shows only commissions with a match
    expect(html).toContain('href="/krakow/commissions?q=anna&amp;all=1"');
  });

  it('says when nothing matches or nothing is in its term', () => {
    expect(commissionsPage(krakow, [commission({ members: [] })], { q: 'x', all: true })).toContain('Nie znaleziono organizacji „x” w składzie żadnej komisji.');
    expect(commissionsPage(krakow, [], { q: '', all: false })).toContain('Żadna komisja dialogu obywatelskiego nie trwa dziś.');
    expect(commissionsPage(krakow, [commission({ state: 'past', asOf: '2028-12-31', members: [] })], { q: '', all: true })).toContain('Komisja nie miała członków w dniu 31 grudnia 2028 r.');
  });
});

describe('notFoundPage', () => {
  it('is a page with a way back', () => {
    const html = notFoundPage({ message: `Brak ${evil}` });
    expect(html).toContain('<h1>Nie znaleziono strony</h1>');
    expect(html).toContain(`Brak ${escapedEvil}`);
    expect(html).toContain('<a href="/">');
  });
});

describe('the open competitions pages', () => {
  const base = {
    id: '0b4f3a2e-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
    number: 'OK-3/2027',
    title: `Seniorzy ${evil}`,
    sphere: '10',
    sphereName: 'działalność na rzecz osób w wieku emerytalnym',
    form: 'support',
    department: 'Wydział Polityki Społecznej i Zdrowia',
    budget: '1500000.00',
    taskStart: '2027-01-02',
    taskEnd: '2027-12-31',
    offersUntil: '2027-01-04T11:00:00.000Z',
    grantRules: `Zasady\n${evil}`,
    selectionProcedure: 'Komisja konkursowa',
    decisionBy: '2027-01-25',
    minGrant: '40000.00',
    maxGrant: '160000.00',
    ownContributionMin: 10,
    criteria: [{ code: 'feasibility', name: 'Możliwość realizacji', maxPoints: 10 }],
    priorSpend: { currentYear: { year: 2026, tasks: 3, granted: '450000.00' }, previousYear: { year: 2025, tasks: 0, granted: '0.00' } },
    status: 'published' as const,
    publishedAt: '2026-12-05T10:00:00.000Z',
    resolvedAt: null,
    cancellation: null,
    offers: 0,
    results: null,
  };

  it('lists the calls by state with the deadline in Warsaw time, text escaped', () => {
    const html = callsPage(krakow, [base, { ...base, id: 'x', status: 'cancelled', cancellation: { reason: 'no-offers', justification: 'brak' } }] as never);
    expect(html).toContain('<h2 id="otwarte">Trwa przyjmowanie ofert</h2>');
    expect(html).toContain('do 4 stycznia 2027 r., godz. 12:00');
    expect(html).toContain(escapedEvil);
    expect(html).not.toContain(evil);
    expect(html).toContain('nie złożono żadnej oferty (art. 18a ust. 1 pkt 1 ustawy)');
  });

  it('shows the announcement and, once resolved, the results', () => {
    const open = callPage(krakow, base as never);
    expect(open).toContain('7. Zadania publiczne tego samego rodzaju');
    expect(open).toContain(`<p class="text">Zasady\n${escapedEvil}</p>`);
    const resolved = callPage(krakow, {
      ...base,
      status: 'resolved',
      resolvedAt: '2027-01-20T10:00:00.000Z',
      offers: 2,
      results: [
        { offerId: 'a', ngoNames: ['Fundacja A', 'Stowarzyszenie B'], title: 'Klub', score: '9.50', amount: '40000.00' },
        { offerId: 'b', ngoNames: ['Fundacja C'], title: null, score: null, amount: null },
      ],
    } as never);
    expect(resolved).toContain('<h2 id="wyniki">Wyniki konkursu</h2>');
    expect(resolved).toContain('9,50');
    expect(resolved).toContain('nie przyznano');
  });
});
