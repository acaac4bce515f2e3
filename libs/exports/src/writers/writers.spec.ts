import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import yauzl from 'yauzl';
import { neutraliseFormula } from '../cells';
import type { ExportColumn } from './columns';
import { writeCsv } from './csv-writer';
import { DigestStream } from './digest-stream';
import { writeJsonDocument } from './json-writer';
import { writeXlsx, xlsxBlock, xlsxTable } from './xlsx-writer';

/** Real: csv-stringify, exceljs and csv-parse; the writers' output read back by the readers a user would use. */

interface Row {
  text: string;
  n: number | null;
  amount: string | null;
  day: string | null;
}
const COLUMNS: Array<ExportColumn<Row>> = [
  { name: 'text', kind: 'text', value: (r) => r.text },
  { name: 'n', kind: 'integer', value: (r) => r.n },
  { name: 'amount', kind: 'money', value: (r) => r.amount },
  { name: 'day', kind: 'date', value: (r) => r.day },
];
const ROWS: Row[] = [
  { text: 'Zażółć gęślą jaźń', n: 1, amount: '12500.00', day: '2019-03-01' },
  { text: 'z przecinkiem, i "cudzysłowem"', n: null, amount: null, day: null },
  { text: 'dwie\nlinie\r\ni trzecia', n: 3, amount: '0.10', day: '2019-12-31' },
  { text: '=SUM(A1:A2)', n: 4, amount: '999999999999.99', day: '2019-01-01' },
  { text: '+48', n: 5, amount: '1.00', day: '2019-01-01' },
  { text: '-1', n: 6, amount: '1.00', day: '2019-01-01' },
  { text: '@cmd', n: 7, amount: '1.00', day: '2019-01-01' },
  { text: '\tz tabulatorem', n: 8, amount: '1.00', day: '2019-01-01' },
  { text: '\rz powrotem karetki', n: 9, amount: '1.00', day: '2019-01-01' },
  { text: '; średnik', n: 10, amount: '1.00', day: '2019-01-01' },
];

async function collect(write: (out: PassThrough) => Promise<number>): Promise<{ body: Buffer; rows: number }> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const rows = await write(out);
  return { body: Buffer.concat(chunks), rows };
}

async function* slowly<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) {
    await new Promise((resolve) => setImmediate(resolve));
    yield item;
  }
}

describe('neutraliseFormula', () => {
  it('prefixes a quote to text that starts like a formula, and only then', () => {
    for (const text of ['=1', '+1', '-1', '@A1', '\tx', '\rx', '＝1', '＋1', '－1', '＠A1']) expect(neutraliseFormula(text)).toBe(`'${text}`);
    for (const text of ['', 'a=1', ' =1', "'=1", '1-2', 'Zażółć']) expect(neutraliseFormula(text)).toBe(text);
  });
});

describe('writeCsv', () => {
  it('writes RFC 4180 (CRLF, quoting) that csv-parse reads back as written, formulas neutralised', async () => {
    const { body, rows } = await collect((out) => writeCsv(out, COLUMNS, slowly(ROWS), { delimiter: ',', bom: false }));
    expect(rows).toBe(ROWS.length);
    const text = body.toString('utf8');
    expect(text.startsWith('text,n,amount,day\r\n')).toBe(true);
    expect(body[0]).not.toBe(0xef);
    expect(text).toContain('"z przecinkiem, i ""cudzysłowem"""');
    const parsed: string[][] = parse(body, { relax_column_count: false });
    expect(parsed[0]).toEqual(['text', 'n', 'amount', 'day']);
    expect(parsed.slice(1)).toEqual(ROWS.map((r) => [neutraliseFormula(r.text), r.n === null ? '' : String(r.n), r.amount ?? '', r.day ?? '']));
    expect(parsed[4][0]).toBe("'=SUM(A1:A2)");
    expect(parsed[8][0]).toBe("'\tz tabulatorem");
  });

  it('with semicolons, starts with a BOM and quotes fields that hold a semicolon', async () => {
    const { body } = await collect((out) => writeCsv(out, COLUMNS, ROWS, { delimiter: ';', bom: true }));
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(body.toString('utf8')).toContain('"; średnik"');
    const parsed: string[][] = parse(body, { delimiter: ';', bom: true });
    expect(parsed[0]).toEqual(['text', 'n', 'amount', 'day']);
    expect(parsed.slice(1).map((r) => r[0])).toEqual(ROWS.map((r) => neutraliseFormula(r.text)));
  });

  it('writes the header row of an empty table', async () => {
    const { body, rows } = await collect((out) => writeCsv(out, COLUMNS, [], { delimiter: ',', bom: false }));
    expect(rows).toBe(0);
    expect(body.toString('utf8')).toBe('text,n,amount,day\r\n');
  });
});

describe('writeJsonDocument', () => {
  it('writes one JSON document, the list item by item', async () => {
    const { body, rows } = await collect((out) => writeJsonDocument(out, { year: 2019, revision: 'draft', nothing: null }, 'items', slowly(ROWS)));
    expect(rows).toBe(ROWS.length);
    expect(JSON.parse(body.toString('utf8'))).toEqual({ year: 2019, revision: 'draft', nothing: null, items: ROWS });
    const { body: empty } = await collect((out) => writeJsonDocument(out, { a: 1 }, 'items', []));
    expect(JSON.parse(empty.toString('utf8'))).toEqual({ a: 1, items: [] });
  });
});

describe('writeXlsx', () => {
  it('writes a blocks sheet and a streamed table sheet: number cells with formats, date cells, neutralised text, a bold frozen header', async () => {
    const { body, rows } = await collect((out) =>
      writeXlsx(out, [{ kind: 'blocks', name: 'Podsumowanie', widths: [20, 20, 20, 20], blocks: [xlsxBlock('Tytuł', COLUMNS, ROWS.slice(0, 2))] }, xlsxTable('Zadania', COLUMNS, slowly(ROWS))], {
        created: new Date('2020-05-01T10:00:00Z'),
      }),
    );
    expect(rows).toBe(ROWS.length);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(body as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((w) => w.name)).toEqual(['Podsumowanie', 'Zadania']);
    const sheet = workbook.getWorksheet('Zadania')!;
    expect(sheet.getRow(1).values).toEqual([undefined, 'text', 'n', 'amount', 'day']);
    expect(sheet.getRow(1).getCell(1).font?.bold).toBe(true);
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    ROWS.forEach((r, i) => {
      const row = sheet.getRow(i + 2);
      // a cell's line break is LF (XML reads a stored CR as LF anyway)
      expect(row.getCell(1).value).toBe(neutraliseFormula(r.text).replace(/\r\n?/g, '\n'));
      expect(row.getCell(2).value).toBe(r.n);
      expect(row.getCell(3).value).toBe(r.amount === null ? null : Number(r.amount));
      if (r.amount !== null) expect(row.getCell(3).numFmt).toBe('#,##0.00 "zł"');
      expect(row.getCell(4).value).toEqual(r.day === null ? null : new Date(`${r.day}T00:00:00Z`));
    });
    expect(sheet.getRow(5).getCell(3).value).toBe(999999999999.99);
    expect((sheet.getRow(5).getCell(3).value as number).toFixed(2)).toBe('999999999999.99');
    const summary = workbook.getWorksheet('Podsumowanie')!;
    expect(summary.getRow(1).getCell(1).value).toBe('Tytuł');
    expect(summary.getRow(3).getCell(3).value).toBe(12500);
    expect(summary.getRow(3).getCell(3).numFmt).toBe('#,##0.00 "zł"');
  });

  it('dates every zip entry with the export\'s date, so the same rows give the same bytes at any time', async () => {
    const created = new Date('2020-05-01T10:00:00Z');
    const write = () => collect((out) => writeXlsx(out, [xlsxTable('Zadania', COLUMNS, slowly(ROWS))], { created }));
    const { body } = await write();
    const dates = await new Promise<Date[]>((done, fail) =>
      yauzl.fromBuffer(body, { lazyEntries: false }, (error, zip) => {
        if (error) return fail(error);
        const found: Date[] = [];
        zip.on('entry', (entry: yauzl.Entry) => found.push(entry.getLastModDate()));
        zip.on('end', () => done(found));
      }),
    );
    expect(dates.length).toBeGreaterThan(5);
    // DOS times: local time, to two seconds
    for (const date of dates) expect(Math.abs(date.getTime() - created.getTime())).toBeLessThanOrEqual(2000);
    expect(createHash('sha256').update((await write()).body).digest('hex')).toBe(createHash('sha256').update(body).digest('hex'));
  });
});

describe('DigestStream', () => {
  it('passes bytes through unchanged while hashing and counting them', async () => {
    const digest = new DigestStream();
    const chunks: Buffer[] = [];
    digest.on('data', (c: Buffer) => chunks.push(c));
    const ended = new Promise((resolve) => digest.once('end', resolve));
    digest.write('Zażółć ');
    digest.end(Buffer.from('gęślą'));
    await ended;
    expect(Buffer.concat(chunks).toString('utf8')).toBe('Zażółć gęślą');
    expect(digest.bytes).toBe(Buffer.byteLength('Zażółć gęślą'));
    expect(digest.sha256().toString('hex')).toBe(createHash('sha256').update('Zażółć gęślą').digest('hex'));
  });
});
