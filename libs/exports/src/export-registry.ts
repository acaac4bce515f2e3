import type { CountGranted, Summary } from '@app/reports';
import type pg from 'pg';
import type { Writable } from 'node:stream';
import { FORM_LABELS, MODE_LABELS, STATUS_LABELS } from '@app/core';
import { joinNgoValues } from './cells';
import type { ExportFormat, ExportRevision, ExportTask, ReportExportMeta, ReportExportSource, ResolvedExportOptions } from './export-types';
import { openReportSource } from './report-source';
import { forPeople, type ExportColumn } from './writers/columns';
import { writeCsv } from './writers/csv-writer';
import { writeJsonDocument } from './writers/json-writer';
import { writeXlsx, xlsxBlock, xlsxTable, type XlsxBlock } from './writers/xlsx-writer';

/**
 * Every export an auditor sees, declared in one place (style habit 8, after Decidim's export
 * manifests): what it is called, its tables and their columns, where its rows come from and how
 * each format serialises them. The HTTP route and the CLI both go through EXPORTS.
 */

/** The transparency table, one row per task; headers are the contract's field names (for programs) or their Polish labels (for people). */
export const TASK_COLUMNS: ReadonlyArray<ExportColumn<ExportTask>> = [
  { name: 'position', label: 'Lp.', kind: 'integer', width: 9, value: (t) => t.position },
  { name: 'taskId', label: 'Identyfikator zadania', kind: 'text', width: 38, value: (t) => t.taskId },
  { name: 'title', label: 'Tytuł zadania', kind: 'text', width: 50, value: (t) => t.title },
  { name: 'sphere', label: 'Sfera', kind: 'text', width: 8, value: (t) => t.sphere },
  { name: 'mode', label: 'Tryb', codes: MODE_LABELS, kind: 'text', width: 17, value: (t) => t.mode },
  { name: 'form', label: 'Forma', codes: FORM_LABELS, kind: 'text', width: 12, value: (t) => t.form },
  { name: 'department', label: 'Wydział', kind: 'text', width: 36, value: (t) => t.department },
  { name: 'competitionRef', label: 'Numer konkursu', kind: 'text', width: 16, value: (t) => t.competitionRef },
  { name: 'amountRequested', label: 'Kwota wnioskowana', kind: 'money', width: 17, value: (t) => t.amountRequested },
  { name: 'amountGranted', label: 'Kwota przyznana', kind: 'money', width: 17, value: (t) => t.amountGranted },
  { name: 'amountSettled', label: 'Kwota rozliczona', kind: 'money', width: 17, value: (t) => t.amountSettled },
  { name: 'startDate', label: 'Data rozpoczęcia', kind: 'date', width: 11, value: (t) => t.startDate },
  { name: 'endDate', label: 'Data zakończenia', kind: 'date', width: 11, value: (t) => t.endDate },
  { name: 'status', label: 'Status', codes: STATUS_LABELS, kind: 'text', width: 12, value: (t) => t.status },
  { name: 'beneficiaries', label: 'Liczba odbiorców', kind: 'integer', width: 13, value: (t) => t.beneficiaries },
  // all of a task's NGOs in one cell each, lead first, `; ` between them (the contract)
  { name: 'ngoNames', label: 'Organizacje', kind: 'text', width: 50, value: (t) => joinNgoValues(t.ngos.map((n) => n.name)) },
  { name: 'ngoKrs', label: 'KRS', kind: 'text', width: 14, value: (t) => joinNgoValues(t.ngos.map((n) => n.krs)) },
  { name: 'ngoNip', label: 'NIP', kind: 'text', width: 14, value: (t) => joinNgoValues(t.ngos.map((n) => n.nip)) },
  { name: 'ngoRegon', label: 'REGON', kind: 'text', width: 16, value: (t) => joinNgoValues(t.ngos.map((n) => n.regon)) },
  { name: 'leadNgo', label: 'Organizacja wiodąca', kind: 'text', width: 40, value: (t) => t.ngos[0]?.name ?? null },
];

/**
 * The summary as a table (CSV `table=summary`): `figure` is the summary's key path, `key` the
 * mode, form, sphere, department, activity type or programme title of a keyed figure; `count`,
 * `granted` and `settled` are filled where the figure has them (`settled` on the `tasks` row only;
 * `granted` on the `tasks` and `calls` rows: on `calls`, the sum awarded in the year's competitions).
 */
export interface SummaryRow {
  figure: string;
  key: string | null;
  count: number | null;
  granted: string | null;
  settled: string | null;
}

export const SUMMARY_COLUMNS: ReadonlyArray<ExportColumn<SummaryRow>> = [
  { name: 'figure', kind: 'text', width: 26, value: (r) => r.figure },
  { name: 'key', kind: 'text', width: 48, value: (r) => r.key },
  { name: 'count', kind: 'integer', width: 10, value: (r) => r.count },
  { name: 'granted', kind: 'money', width: 20, value: (r) => r.granted },
  { name: 'settled', kind: 'money', width: 20, value: (r) => r.settled },
];

const MODES = ['open-competition', 'small-grant', 'local-initiative', 'other-act'];
const FORMS = ['support', 'entrustment'];
const ACTIVITY_TYPES = ['consultation', 'information', 'joint-team', 'event', 'training', 'premises', 'promotion', 'other'];

/** The keys of a summary object: the dictionary's order first, the rest as a Polish reader sorts them (sphere 2 before 10). */
function orderedKeys(object: Record<string, unknown>, dictionary: string[] = []): string[] {
  const known = dictionary.filter((k) => k in object);
  const rest = Object.keys(object)
    .filter((k) => !dictionary.includes(k))
    .sort((a, b) => a.localeCompare(b, 'pl', { numeric: true }));
  return [...known, ...rest];
}

const row = (figure: string, values: Partial<Omit<SummaryRow, 'figure'>> = {}): SummaryRow => ({ figure, key: null, count: null, granted: null, settled: null, ...values });

function keyed(figure: string, object: Record<string, CountGranted>, dictionary?: string[]): SummaryRow[] {
  return orderedKeys(object, dictionary).map((key) => row(figure, { key, count: object[key].count, granted: object[key].granted }));
}

/** The summary's groups of rows, in the order both the CSV summary and the XLSX summary sheet show them. */
export function summaryGroups(s: Summary) {
  return {
    programmes: s.programmes.map((p) => row('programmes', { key: p.title })),
    figures: [
      row('tasks', { count: s.tasks.count, granted: s.tasks.granted, settled: s.tasks.settled }),
      row('tasks.ngosFunded', { count: s.tasks.ngosFunded }),
      row('tasks.competitions', { count: s.tasks.competitions }),
      row('activities', { count: s.activities.count }),
      row('activities.ngos', { count: s.activities.ngos }),
      row('commissions', { count: s.commissions.count }),
      row('commissions.memberNgos', { count: s.commissions.memberNgos }),
      row('commissions.meetings', { count: s.commissions.meetings }),
      row('ngos.registered', { count: s.ngos.registered }),
      row('ngos.cooperating', { count: s.ngos.cooperating }),
      // summaries compiled before the open competitions came have no `calls`: their exports stay as they were
      ...(s.calls
        ? [
            row('calls', { count: s.calls.count, granted: s.calls.granted }),
            row('calls.offers', { count: s.calls.offers }),
            row('calls.awarded', { count: s.calls.awarded }),
            row('calls.cancelled', { count: s.calls.cancelled }),
          ]
        : []),
    ],
    byMode: keyed('tasks.byMode', s.tasks.byMode, MODES),
    byForm: keyed('tasks.byForm', s.tasks.byForm, FORMS),
    bySphere: keyed('tasks.bySphere', s.tasks.bySphere),
    byDepartment: keyed('tasks.byDepartment', s.tasks.byDepartment),
    byType: orderedKeys(s.activities.byType, ACTIVITY_TYPES).map((key) => row('activities.byType', { key, count: s.activities.byType[key] })),
  };
}

/** The CSV summary table: every group's rows, one after another. */
export function summaryRows(s: Summary): SummaryRow[] {
  const g = summaryGroups(s);
  return [...g.programmes, ...g.figures, ...g.byMode, ...g.byForm, ...g.bySphere, ...g.byDepartment, ...g.byType];
}

const pick = (names: string[]) => SUMMARY_COLUMNS.filter((c) => names.includes(c.name));

/** The XLSX summary sheet: the report's identity, then the summary as small tables. */
function summaryBlocks(meta: ReportExportMeta): XlsxBlock[] {
  const g = summaryGroups(meta.summary);
  const about: Array<[string, string | number | null]> = [
    ['municipality', `${meta.municipality.name} (TERYT ${meta.municipality.teryt})`],
    ['year', meta.year],
    ['revision', String(meta.revision)],
    ['status', meta.status],
    ['publishedAt', meta.publishedAt],
    ['compiledAt', meta.compiledAt],
    ['contentHash', meta.contentHash],
  ];
  const keyedColumns = pick(['key', 'count', 'granted']);
  return [
    xlsxBlock('Sprawozdanie z realizacji programu współpracy', [
      { name: 'field', kind: 'text', value: (r: (typeof about)[number]) => r[0] },
      { name: 'value', kind: 'text', value: (r: (typeof about)[number]) => (r[1] === null ? null : String(r[1])) },
    ], about),
    xlsxBlock('Programy współpracy (programmes)', [
      { name: 'id', kind: 'text', value: (p: Summary['programmes'][number]) => p.id },
      { name: 'title', kind: 'text', value: (p: Summary['programmes'][number]) => p.title },
      { name: 'kind', kind: 'text', value: (p: Summary['programmes'][number]) => p.kind },
      { name: 'startYear', kind: 'integer', value: (p: Summary['programmes'][number]) => p.startYear },
      { name: 'endYear', kind: 'integer', value: (p: Summary['programmes'][number]) => p.endYear },
    ], meta.summary.programmes),
    xlsxBlock('Wskaźniki (figures)', pick(['figure', 'count', 'granted', 'settled']), g.figures),
    xlsxBlock('Zadania według trybu (tasks.byMode)', keyedColumns, g.byMode),
    xlsxBlock('Zadania według formy (tasks.byForm)', keyedColumns, g.byForm),
    xlsxBlock('Zadania według sfery (tasks.bySphere)', keyedColumns, g.bySphere),
    xlsxBlock('Zadania według wydziału (tasks.byDepartment)', keyedColumns, g.byDepartment),
    xlsxBlock('Współpraca pozafinansowa według rodzaju (activities.byType)', pick(['key', 'count']), g.byType),
  ];
}

/** Writes one format of an export into `out` (and ends it); returns the number of data rows. */
export type ExportSerializer<S> = (source: S, options: ResolvedExportOptions, out: Writable) => Promise<number>;

export interface ExportFormatDefinition<S> {
  contentType: string;
  extension: string;
  write: ExportSerializer<S>;
}

export interface ExportDefinition<S> {
  name: string;
  description: string;
  /** Opens the export's rows on a connection that holds one read-only snapshot; 404 when there is nothing to export. */
  source(client: pg.ClientBase, municipalityId: string, year: number, revision: ExportRevision | 'newest'): Promise<S>;
  formats: Record<ExportFormat, ExportFormatDefinition<S>>;
  fileName(source: S, options: ResolvedExportOptions): string;
}

export const ANNUAL_REPORT_EXPORT: ExportDefinition<ReportExportSource> = {
  name: 'annual-report',
  description: 'An annual report (a published revision, or the draft): its summary and its transparency table, one row per funded task',
  source: openReportSource,
  formats: {
    csv: {
      contentType: 'text/csv; charset=utf-8',
      extension: 'csv',
      // RFC 4180: one table per file; plain CSV has no BOM (RFC 4180 and most programs read UTF-8
      // without one), the semicolon variant for Polish spreadsheet settings has it
      write: (source, o, out) => {
        // semicolons for spreadsheets set to Polish, which also want decimal commas, Polish headers and labels; commas for programs, with the API's names and codes
        const polish = o.delimiter === 'semicolon';
        const settings = { delimiter: polish ? ';' : ',', bom: polish, decimalComma: polish } as const;
        const tasks = polish ? TASK_COLUMNS.map(forPeople) : TASK_COLUMNS;
        return o.table === 'summary' ? writeCsv(out, SUMMARY_COLUMNS, summaryRows(source.meta.summary), settings) : writeCsv(out, tasks, source.tasks(), settings);
      },
    },
    xlsx: {
      contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      extension: 'xlsx',
      write: (source, _o, out) =>
        writeXlsx(
          out,
          [{ kind: 'blocks', name: 'Podsumowanie', widths: [48, 48, 12, 20, 20], blocks: summaryBlocks(source.meta) }, xlsxTable('Zadania', TASK_COLUMNS.map(forPeople), source.tasks())],
          { created: new Date(source.meta.publishedAt ?? source.meta.compiledAt) },
        ),
    },
    json: {
      contentType: 'application/json; charset=utf-8',
      extension: 'json',
      write: (source, _o, out) => {
        const { municipality, year, revision, status, publishedAt, compiledAt, contentHash, summary } = source.meta;
        return writeJsonDocument(out, { year, revision, status, publishedAt, compiledAt, contentHash, municipality, summary }, 'tasks', source.tasks());
      },
    },
  },
  fileName: (source, o) => {
    const { municipality, year, revision } = source.meta;
    const table = o.format === 'csv' && o.table === 'summary' ? '-podsumowanie' : '';
    return `raport-${municipality.slug}-${year}-r${revision}${table}.${ANNUAL_REPORT_EXPORT.formats[o.format].extension}`;
  },
};

/** Every export, by name. */
export const EXPORTS = {
  'annual-report': ANNUAL_REPORT_EXPORT,
} as const;
