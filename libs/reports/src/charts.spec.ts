import { renderCharts } from './charts';
import type { CountGranted, Summary } from './report.types';

/** Real: Apache ECharts' server-side SVG rendering. Nothing is mocked. */

const cg = (count: number, granted: string): CountGranted => ({ count, granted });

function summaryWith(tasks: Partial<Summary['tasks']> = {}): Summary {
  return {
    programmes: [],
    tasks: {
      count: 0,
      ngosFunded: 0,
      granted: '0.00',
      settled: '0.00',
      competitions: 0,
      byMode: { 'open-competition': cg(0, '0.00'), 'small-grant': cg(0, '0.00'), 'local-initiative': cg(0, '0.00'), 'other-act': cg(0, '0.00') },
      byForm: { support: cg(0, '0.00'), entrustment: cg(0, '0.00') },
      bySphere: {},
      byDepartment: {},
      ...tasks,
    },
    activities: { count: 0, byType: {}, ngos: 0 },
    commissions: { count: 0, memberNgos: 0, meetings: 0 },
    ngos: { registered: 0, cooperating: 0 },
  };
}

/** The texts use no-break spaces inside amounts and counts ("1 250 000,00 zł", "12 zadań"); compared here as plain spaces. */
const plain = (text: string) => text.replace(/\u00a0/g, ' ');

const krakow = summaryWith({
  count: 15,
  byMode: {
    'open-competition': cg(12, '1250000.00'),
    'small-grant': cg(2, '18500.50'),
    'local-initiative': cg(1, '9000.00'),
    'other-act': cg(0, '0.00'),
  },
  bySphere: { '16': cg(10, '1000000.00'), '1': cg(4, '268500.50'), '7': cg(1, '9000.00') },
  byDepartment: { 'Wydział Kultury i Dziedzictwa Narodowego': cg(10, '1000000.00'), 'Wydział Polityki Społecznej i Zdrowia': cg(5, '277500.50') },
});

const SPHERE_NAMES = { '16': 'kultura, sztuka, ochrona dóbr kultury i dziedzictwa narodowego', '1': 'pomoc społeczna' };

describe('renderCharts', () => {
  it('draws granted amounts by mode, by sphere and by department, with Polish titles', () => {
    const charts = renderCharts(krakow, { sphereNames: SPHERE_NAMES });
    expect(charts.map((c) => c.key)).toEqual(['granted-by-mode', 'granted-by-sphere', 'granted-by-department']);
    expect(charts.map((c) => c.title)).toEqual([
      'Kwota przyznanych dotacji według trybu',
      'Kwota przyznanych dotacji według sfery zadań publicznych',
      'Kwota przyznanych dotacji według wydziału',
    ]);
    for (const c of charts) expect(c.svg.startsWith('<svg ')).toBe(true);
  });

  it('draws each chart twice: 660 px wide for screens and print, 340 px for a phone, with ids of their own and the same words', () => {
    for (const c of renderCharts(krakow, { sphereNames: SPHERE_NAMES })) {
      expect(c.svg).toMatch(/viewBox="0 0 660 /);
      expect(c.narrowSvg).toMatch(/^<svg role="img"[^>]*viewBox="0 0 340 /);
      expect(c.narrowSvg).toContain(`<desc>${c.description.replace(/\u00a0/g, '&nbsp;')}</desc>`.replace(/&nbsp;/g, '\u00a0'));
      const ids = (svg: string) => [...svg.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
      for (const id of ids(c.narrowSvg!)) expect(ids(c.svg)).not.toContain(id);
    }
    // a long title over lines that fit the narrow drawing
    const sphere = renderCharts(krakow, { sphereNames: SPHERE_NAMES })[1];
    expect(sphere.narrowSvg).toContain('>Kwota przyznanych dotacji według</text>');
    expect(sphere.narrowSvg).toContain('>sfery zadań publicznych</text>');
  });

  it('states the figures in words, every mode included, money in Polish style', () => {
    const [mode, sphere, department] = renderCharts(krakow, { sphereNames: SPHERE_NAMES });
    expect(mode.description).toContain('1\u00a0250\u00a0000,00\u00a0zł');
    expect(plain(mode.description)).toBe(
      'Otwarty konkurs ofert: 12 zadań, 1 250 000,00 zł; mały grant: 2 zadania, 18 500,50 zł; inicjatywa lokalna: 1 zadanie, 9000,00 zł; inny tryb: 0 zadań, 0,00 zł.',
    );
    expect(plain(sphere.description)).toBe(
      'Sfera 16 (kultura, sztuka, ochrona dóbr kultury i dziedzictwa narodowego): 10 zadań, 1 000 000,00 zł; ' +
        'sfera 1 (pomoc społeczna): 4 zadania, 268 500,50 zł; sfera 7: 1 zadanie, 9000,00 zł.',
    );
    expect(plain(department.description)).toBe(
      'Wydział Kultury i Dziedzictwa Narodowego: 10 zadań, 1 000 000,00 zł; Wydział Polityki Społecznej i Zdrowia: 5 zadań, 277 500,50 zł.',
    );
  });

  it('labels the bars with the exact amounts, never rounded through a float', () => {
    const [mode] = renderCharts(summaryWith({ byMode: { 'open-competition': cg(1, '999999999999.99'), 'small-grant': cg(3, '0.10') } }));
    expect(mode.svg).toContain('999\u00a0999\u00a0999\u00a0999,99\u00a0zł');
    expect(mode.svg).toContain('0,10\u00a0zł');
  });

  it('shows the ten largest spheres and sums the rest as "pozostałe" in exact money', () => {
    const bySphere: Record<string, CountGranted> = {};
    for (let i = 1; i <= 12; i++) bySphere[String(i)] = cg(1, `${100 - i}000.10`);
    const [, sphere] = renderCharts(summaryWith({ bySphere }));
    // spheres 11 and 12 (89 000,10 and 88 000,10) are the smallest
    expect(plain(sphere.description)).toContain('sfera 10: 1 zadanie, 90 000,10 zł; pozostałe (2 sfery): 2 zadania, 177 000,20 zł.');
    expect(sphere.description).not.toContain('sfera 11:');
    expect(plain(sphere.description).startsWith('Sfera 1: 1 zadanie, 99 000,10 zł; sfera 2:')).toBe(true);
  });

  it('orders ties by count, then by key, whatever the order of the input', () => {
    const a = renderCharts(summaryWith({ byDepartment: { B: cg(1, '10.00'), A: cg(1, '10.00'), C: cg(2, '10.00') } }))[2];
    const b = renderCharts(summaryWith({ byDepartment: { C: cg(2, '10.00'), A: cg(1, '10.00'), B: cg(1, '10.00') } }))[2];
    expect(plain(a.description).startsWith('C: 2 zadania')).toBe(true);
    expect(a.description.indexOf('A:')).toBeLessThan(a.description.indexOf('B:'));
    expect(a.svg).toBe(b.svg);
  });

  it('groups departments past the fifteenth', () => {
    const byDepartment: Record<string, CountGranted> = {};
    for (let i = 10; i < 30; i++) byDepartment[`Wydział ${i}`] = cg(1, `${i}.00`);
    const [, , department] = renderCharts(summaryWith({ byDepartment }));
    expect(plain(department.description)).toContain('pozostałe (5 wydziałów): 5 zadań, 60,00 zł.'); // 10 + 11 + 12 + 13 + 14
  });

  it('carries role="img", an accessible name and its description in the SVG', () => {
    for (const c of renderCharts(krakow)) {
      expect(c.svg).toMatch(/^<svg role="img" aria-label="[^"]+"/);
      expect(c.svg).toContain(`aria-label="${c.title}"`);
      expect(c.svg).toContain(`<title>${c.title}</title>`);
      expect(c.svg).toContain('<desc>');
    }
  });

  it('escapes names that come from users', () => {
    const [, , department] = renderCharts(summaryWith({ byDepartment: { 'Wydział <script>alert(1)</script> & "Spółka"': cg(1, '10.00') } }));
    expect(department.svg).not.toContain('<script');
    expect(department.svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Spółka&quot;');
    expect(department.description).toContain('<script>'); // the description is text; whoever prints it escapes it
  });

  it('is deterministic: the same summary gives the same bytes, however many charts were drawn before', () => {
    const first = renderCharts(krakow, { sphereNames: SPHERE_NAMES });
    renderCharts(summaryWith({ byDepartment: { X: cg(1, '1.00') } }));
    const second = renderCharts(krakow, { sphereNames: SPHERE_NAMES });
    expect(second).toEqual(first);
    expect(first.map((c) => c.svg).join('')).not.toMatch(/zr\d+-|ecmeta_/);
  });

  it('needs no inline CSS: no <style> element and no style attribute (a strict CSP blocks both)', () => {
    for (const c of renderCharts(krakow)) {
      expect(c.svg).not.toContain('<style');
      expect(c.svg).not.toMatch(/\sstyle=/);
      expect(c.svg).toContain('font-size="12px"');
    }
  });

  it('draws text with enough contrast on its white background (WCAG AA 4.5:1) and bars at 3:1', () => {
    const luminance = (hex: string) => {
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const contrast = (hex: string) => 1.05 / (luminance(hex) + 0.05);
    for (const c of renderCharts(krakow)) {
      expect(c.svg).toContain('fill="#ffffff"');
      const textFills = [...c.svg.matchAll(/<text [^>]*fill="(#[0-9a-f]{6})"/g)].map((m) => m[1]);
      expect(textFills.length).toBeGreaterThan(0);
      for (const fill of textFills) expect(contrast(fill)).toBeGreaterThanOrEqual(4.5);
      const barFills = [...c.svg.matchAll(/<path d="M[^"]*Z" fill="(#[0-9a-f]{6})"/g)].map((m) => m[1]);
      for (const fill of barFills) expect(contrast(fill)).toBeGreaterThanOrEqual(3);
    }
  });

  it('says so when the year has no grants', () => {
    const charts = renderCharts(summaryWith());
    expect(plain(charts[0].description)).toBe('Otwarty konkurs ofert: 0 zadań, 0,00 zł; mały grant: 0 zadań, 0,00 zł; inicjatywa lokalna: 0 zadań, 0,00 zł; inny tryb: 0 zadań, 0,00 zł.');
    expect(charts[1].description).toBe('Brak dotacji w tym roku: żadnych sfer do pokazania.');
    expect(charts[2].svg).toContain('Brak dotacji w tym roku');
  });
});
