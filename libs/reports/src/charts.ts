import { addMoney, capitalise, compareMoney, comparePl, DEPARTMENTS, formatPln, label, MODE_LABELS, MODE_ORDER, plural, SPHERES, TASKS } from '@app/core';
import { BarChart } from 'echarts/charts';
import { AriaComponent, GridComponent, TitleComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import type { CountGranted, ReportChart, Summary } from './report.types';

echarts.use([BarChart, GridComponent, TitleComponent, AriaComponent, SVGRenderer]);

export interface ChartOptions {
  /** Sphere names by code (the spheres table); without them a sphere is shown by its code alone. */
  sphereNames?: Readonly<Record<string, string>>;
}

interface Bar {
  /** shown beside the bar (shortened by the chart when long) */
  axisLabel: string;
  /** said in full in the description */
  spoken: string;
  count: number;
  granted: string;
}

/**
 * Two drawings of each chart: wide (660 px, labels left of the bars) for a screen or print, and
 * narrow (340 px, labels wrapped over up to three lines) for a phone, where the wide one would be
 * scaled to half its size and its 12 px labels to 6 px. The page shows one of them by the width of
 * the screen (a media query in the stylesheet); both say the same in their description.
 */
interface Layout {
  suffix: string;
  width: number;
  row: number;
  top: number;
  titleSize: number;
  grid: { left: number; right: number };
  labelWidth: number;
  wrap: boolean;
}
const WIDE: Layout = { suffix: '', width: 660, row: 34, top: 56, titleSize: 16, grid: { left: 250, right: 150 }, labelWidth: 236, wrap: false };
// the server measures text with an estimate narrower than a browser's fonts: labels get room to spare
const NARROW: Layout = { suffix: '-narrow', width: 340, row: 48, top: 64, titleSize: 14, grid: { left: 126, right: 124 }, labelWidth: 100, wrap: true };
/** A title over lines of at most this many characters (the narrow drawing's). */
const NARROW_TITLE_CHARS = 34;
const BOTTOM = 16;
const TOP_SPHERES = 10;
const TOP_DEPARTMENTS = 15;

// Contrast on the white background: text #1a1a1a 17:1, axis #595959 7:1, bars #1d4f91 8:1 (WCAG 1.4.3 and 1.4.11).
const TEXT = '#1a1a1a';
const AXIS = '#595959';
const BAR = '#1d4f91';
const FONT = 'Arial, Helvetica, sans-serif';

/**
 * The charts of a published revision, drawn on the server as SVG (Apache ECharts' server-side
 * rendering): granted amounts by mode, by public-benefit sphere (the ten largest, the rest as
 * "pozostałe") and by department. Each carries its content in words, for screen readers and as a
 * caption. The output depends on the summary only: the same summary gives the same bytes.
 */
export function renderCharts(summary: Summary, options: ChartOptions = {}): ReportChart[] {
  return [byMode(summary), bySphere(summary, options.sphereNames ?? {}), byDepartment(summary)];
}

function byMode(summary: Summary): ReportChart {
  const modes = [...MODE_ORDER, ...Object.keys(summary.tasks.byMode).filter((m) => !MODE_ORDER.includes(m)).sort()];
  const bars = modes.map((mode) => {
    const v = summary.tasks.byMode[mode] ?? { count: 0, granted: '0.00' };
    const name = label(MODE_LABELS, mode);
    return { axisLabel: name, spoken: name, count: v.count, granted: v.granted };
  });
  return chart('granted-by-mode', 'Kwota przyznanych dotacji według trybu', bars);
}

function bySphere(summary: Summary, names: Readonly<Record<string, string>>): ReportChart {
  const rows = largestFirst(summary.tasks.bySphere, (a, b) => a.localeCompare(b, 'pl-PL', { numeric: true }));
  const bars: Bar[] = rows.slice(0, TOP_SPHERES).map(([code, v]) => {
    const name = Object.hasOwn(names, code) ? names[code] : undefined;
    return {
      axisLabel: name ? `${code}. ${name}` : `sfera ${code}`,
      spoken: name ? `sfera ${code} (${name})` : `sfera ${code}`,
      count: v.count,
      granted: v.granted,
    };
  });
  const rest = rows.slice(TOP_SPHERES);
  if (rest.length) bars.push(others(rest, `pozostałe (${plural(rest.length, SPHERES)})`));
  return chart('granted-by-sphere', 'Kwota przyznanych dotacji według sfery zadań publicznych', bars, 'sfer');
}

function byDepartment(summary: Summary): ReportChart {
  const rows = largestFirst(summary.tasks.byDepartment, comparePl);
  const bars: Bar[] = rows.slice(0, TOP_DEPARTMENTS).map(([name, v]) => ({ axisLabel: name, spoken: name, count: v.count, granted: v.granted }));
  const rest = rows.slice(TOP_DEPARTMENTS);
  if (rest.length) bars.push(others(rest, `pozostałe (${plural(rest.length, DEPARTMENTS)})`));
  return chart('granted-by-department', 'Kwota przyznanych dotacji według wydziału', bars, 'wydziałów');
}

/** Entries by granted amount, largest first; ties by count, then by key, so the order never depends on the input's. */
function largestFirst(entries: Record<string, CountGranted>, compareKeys: (a: string, b: string) => number): Array<[string, CountGranted]> {
  return Object.entries(entries).sort(([ka, a], [kb, b]) => compareMoney(b.granted, a.granted) || b.count - a.count || compareKeys(ka, kb));
}

function others(rest: Array<[string, CountGranted]>, name: string): Bar {
  return {
    axisLabel: name,
    spoken: name,
    count: rest.reduce((sum, [, v]) => sum + v.count, 0),
    granted: addMoney(...rest.map(([, v]) => v.granted)),
  };
}

function describe(bars: Bar[], what: string): string {
  if (!bars.length) return `Brak dotacji w tym roku: żadnych ${what} do pokazania.`;
  return capitalise(`${bars.map((b) => `${b.spoken}: ${plural(b.count, TASKS)}, ${formatPln(b.granted)}`).join('; ')}.`);
}

/** The one drawing surface of zrender's SVG painter used here: its string output without hover CSS (a <style> a strict CSP would block). */
interface SvgPainter {
  renderToString(opts: { cssAnimation?: boolean; cssEmphasis?: boolean; useViewBox?: boolean }): string;
}

function chart(key: string, title: string, bars: Bar[], what = 'trybów'): ReportChart {
  const description = describe(bars, what);
  return { key, title, description, svg: draw(WIDE, key, title, description, bars), narrowSvg: draw(NARROW, key, title, description, bars) };
}

function draw(layout: Layout, key: string, title: string, description: string, bars: Bar[]): string {
  const height = layout.top + Math.max(bars.length, 1) * layout.row + BOTTOM;
  const instance = echarts.init(null, null, { renderer: 'svg', ssr: true, width: layout.width, height, locale: 'EN' });
  let svg: string;
  try {
    instance.setOption({
      animation: false,
      aria: { enabled: true, label: { description } },
      backgroundColor: '#ffffff',
      textStyle: { fontFamily: FONT, color: TEXT },
      title: {
        text: layout.wrap ? wrapWords(title, NARROW_TITLE_CHARS) : title,
        subtext: bars.length ? undefined : 'Brak dotacji w tym roku',
        left: 8,
        top: 8,
        textStyle: { fontSize: layout.titleSize, fontWeight: 'bold', color: TEXT, fontFamily: FONT, lineHeight: layout.titleSize + 4 },
        subtextStyle: { fontSize: 13, color: TEXT, fontFamily: FONT },
      },
      grid: { ...layout.grid, top: layout.top, bottom: BOTTOM },
      xAxis: { type: 'value', min: 0, max: 'dataMax', show: false },
      yAxis: {
        type: 'category',
        inverse: true,
        data: bars.map((b) => b.axisLabel),
        axisTick: { show: false },
        axisLine: { lineStyle: { color: AXIS } },
        axisLabel: layout.wrap
          ? { color: TEXT, fontSize: 12, fontFamily: FONT, width: layout.labelWidth, overflow: 'break', lineHeight: 14, height: 42, lineOverflow: 'truncate', ellipsis: '…' }
          : { color: TEXT, fontSize: 12, fontFamily: FONT, width: layout.labelWidth, overflow: 'truncate', ellipsis: '…' },
      },
      series: [
        {
          type: 'bar',
          silent: true,
          barMaxWidth: 22,
          itemStyle: { color: BAR },
          // the bar's length may go through a float; the label is the exact amount, formatted from its string
          data: bars.map((b) => Number(b.granted)),
          label: { show: true, position: 'right', color: TEXT, fontSize: 12, fontFamily: FONT, formatter: (p: { dataIndex: number }) => formatPln(bars[p.dataIndex].granted) },
        },
      ],
    });
    svg = (instance.getZr().painter as unknown as SvgPainter).renderToString({ cssAnimation: false, cssEmphasis: false, useViewBox: true });
  } finally {
    instance.dispose();
  }
  return accessibleSvg(svg, key + layout.suffix, title, description);
}

/** Words over lines of at most `max` characters (a longer word keeps a line of its own). */
function wrapWords(text: string, max: number): string {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines.length ? lines[lines.length - 1] : null;
    if (last !== null && last.length + 1 + word.length <= max) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines.join('\n');
}

const escapeText = (text: string): string => echarts.format.encodeHTML(text);

/**
 * Makes zrender's output fit for inlining into a page: an accessible name and description,
 * ids that depend on the chart and not on how many charts this process drew before (zrender
 * numbers its painters), no client-side metadata, and presentation attributes instead of
 * `style="…"` (a Content-Security-Policy without 'unsafe-inline' blocks style attributes).
 */
function accessibleSvg(svg: string, key: string, title: string, description: string): string {
  const prefix = `chart-${key}-`;
  const out = svg
    .replace(/(id="|url\(#|href="#)zr\d+-/g, `$1${prefix}`)
    .replace(/ ecmeta_[a-z_]+="[^"]*"/g, '')
    .replace(/ class="zr\d+-cls-\d+"/g, '')
    .replace(/ style="([^"]*)"/g, (_, css: string) => presentationAttributes(css))
    .replace(/^<svg /, `<svg role="img" aria-label="${escapeText(title)}" class="report-chart" `)
    .replace(/^(<svg[^>]*>)/, `$1<title>${escapeText(title)}</title><desc>${escapeText(description)}</desc>`);
  if (!out.startsWith('<svg role="img"')) throw new Error('unexpected SVG from the chart renderer');
  return out;
}

function presentationAttributes(css: string): string {
  return css
    .split(';')
    .map((declaration) => declaration.trim())
    .filter(Boolean)
    .map((declaration) => {
      const colon = declaration.indexOf(':');
      const name = declaration.slice(0, colon).trim();
      const value = declaration.slice(colon + 1).trim();
      if (colon < 1 || !/^[a-z-]+$/.test(name)) throw new Error(`unexpected style in the chart's SVG: ${declaration}`);
      return ` ${name}="${value}"`;
    })
    .join('');
}
