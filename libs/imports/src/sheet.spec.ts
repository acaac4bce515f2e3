import { RuleViolation, ValidationFailed } from '@app/core';
import ExcelJS from 'exceljs';
import { xlsxParts, zip } from '../../../test/utils/zip';
import { CHUNK_BYTES } from './csv';
import { MAX_IMPORT_CELLS, MAX_IMPORT_ROWS, MAX_UNZIPPED_BYTES } from './limits';
import { detectDelimiter, readSheet } from './sheet';

const csv = (text: string) => readSheet(Buffer.from(text, 'utf8'), 'file.csv', 'text/csv');

async function fileError(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationFailed);
  const [first] = (error as ValidationFailed).errors!;
  expect(first.field).toBe('file');
  return first.message;
}

/** The limit a file is over: a 422 naming `file`, with the rule's code. */
async function limitError(promise: Promise<unknown>): Promise<{ rule?: string; message: string }> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RuleViolation);
  const [first] = (error as RuleViolation).errors!;
  expect(first.field).toBe('file');
  return { rule: first.rule, message: first.message };
}

/**
 * Runs `work` and counts the turns the event loop made meanwhile (a setImmediate that schedules
 * itself again): a reader that held the loop for the whole file would let it turn once or not at
 * all. A count, not a time, so that a busy machine cannot fail it.
 */
async function withLoopTurns<T>(work: () => Promise<T>): Promise<{ turns: number; outcome: Promise<T> }> {
  let turns = 0;
  let running = true;
  const turn = () => {
    if (!running) return;
    turns++;
    setImmediate(turn);
  };
  setImmediate(turn);
  const outcome = work();
  await outcome.catch(() => undefined);
  running = false;
  return { turns, outcome };
}

const MiB = 1024 * 1024;

describe('reading an import file', () => {
  it('detects the delimiter from the header line, outside quotes', () => {
    expect(detectDelimiter('name,legalForm\nx;y;z')).toBe(',');
    expect(detectDelimiter('name;legalForm;krs\n')).toBe(';');
    expect(detectDelimiter('"a;b;c",d\n')).toBe(',');
    expect(detectDelimiter('name')).toBe(',');
  });

  it('reads RFC 4180 CSV: quotes, doubled quotes, commas and line breaks inside cells, a BOM, Polish letters', async () => {
    const sheet = await csv('\ufeffname,address\n"Fundacja ""Żółw""","ul. Reymonta 20, Kraków"\n');
    expect(sheet).toEqual({ format: 'csv', header: ['name', 'address'], rows: [{ line: 2, cells: ['Fundacja "Żółw"', 'ul. Reymonta 20, Kraków'] }] });
  });

  it('gives each record the line it starts on, across CRLF line breaks inside quoted cells and blank lines', async () => {
    const sheet = await csv('a;b\r\n1;"x\r\ny"\r\n\r\n3;4\r\n;\r\n"5";"q;""r"""\r\n');
    expect(sheet.header).toEqual(['a', 'b']);
    expect(sheet.rows).toEqual([
      { line: 2, cells: ['1', 'x\r\ny'] },
      { line: 5, cells: ['3', '4'] },
      { line: 7, cells: ['5', 'q;"r"'] },
    ]);
  });

  it('keeps rows shorter or longer than the header', async () => {
    const sheet = await csv('a,b,c\n1\n1,2,3,4\n');
    expect(sheet.rows.map((r) => r.cells)).toEqual([['1'], ['1', '2', '3', '4']]);
  });

  it('reads the first worksheet of an XLSX, keeping each cell\'s type', async () => {
    const workbook = new ExcelJS.Workbook();
    const first = workbook.addWorksheet('NGOs');
    first.addRow(['name', 'registeredOn', 'publicBenefit', 'krs']);
    first.addRow(['Fundacja Łąka', new Date(Date.UTC(2006, 0, 30)), true, 123456]);
    first.addRow([]);
    first.addRow([{ richText: [{ text: 'Koło ' }, { text: 'Gospodyń' }] }, null, { formula: 'LOWER("TAK")', result: 'tak' }, { text: '0000000042', hyperlink: 'https://krs.example' }]);
    workbook.addWorksheet('ignored').addRow(['x']);
    const sheet = await readSheet(Buffer.from(await workbook.xlsx.writeBuffer()), 'ngos.xlsx');
    expect(sheet.format).toBe('xlsx');
    expect(sheet.header).toEqual(['name', 'registeredOn', 'publicBenefit', 'krs']);
    expect(sheet.rows).toEqual([
      { line: 2, cells: ['Fundacja Łąka', new Date(Date.UTC(2006, 0, 30)), true, 123456] },
      { line: 4, cells: ['Koło Gospodyń', null, 'tak', '0000000042'] },
    ]);
  });

  it('reads a hand-made XLSX: shared strings with rich text and phonetic guides, inline strings, prefixed names, cells without a reference', async () => {
    const file = zip([
      ...xlsxParts('<row r="1"><c r="A1" t="s"><v>0</v></c><c t="inlineStr"><is><t> legalForm </t></is></c></row><row r="3"><c r="B3" t="s"><v>1</v></c><c r="D3" t="b"><v>1</v></c></row>', {
        sharedStrings: '<x:sst xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:si><x:t>name</x:t></x:si><x:si><x:r><x:t>Koło </x:t></x:r><x:r><x:t>Gospodyń</x:t></x:r><x:rPh><x:t>ignored</x:t></x:rPh></x:si></x:sst>',
      }),
    ]);
    expect(await readSheet(file)).toEqual({ format: 'xlsx', header: ['name', 'legalForm'], rows: [{ line: 3, cells: [null, 'Koło Gospodyń', null, true] }] });
  });

  describe('limits, enforced while reading', () => {
    it(`stops a CSV at row ${MAX_IMPORT_ROWS + 1}: 2 MiB of "a" lines (a million rows) is refused there, without reading on`, async () => {
      // a quote never closed at the very end: a reader that went on to the end would report it instead
      const file = Buffer.from(`name,legalForm\n${'a\n'.repeat(MiB)}"`);
      expect(await limitError(readSheet(file, 'attack.csv', 'text/csv'))).toEqual({ rule: 'import.max-rows', message: `holds more than ${MAX_IMPORT_ROWS} rows; one file may hold at most ${MAX_IMPORT_ROWS}: split it` });
      expect(await fileError(readSheet(Buffer.from(`name,legalForm\n${'a\n'.repeat(10)}"`)))).toMatch(/Quote Not Closed/);
    });

    it('gives the event loop a turn after each 64 KiB of a CSV, inside a long line too', async () => {
      const lines = Buffer.from(`name\n${`${'x'.repeat(98)}\n`.repeat(10_000)}`); // about 1 MB
      const { turns, outcome } = await withLoopTurns(() => readSheet(lines));
      expect((await outcome).rows).toHaveLength(10_000);
      expect(turns).toBeGreaterThanOrEqual(Math.floor(lines.length / CHUNK_BYTES) - 1);
      const delimiters = Buffer.from(`name\nx${','.repeat(MiB)}\n`); // one line of a million cells
      const inLine = await withLoopTurns(() => readSheet(delimiters));
      expect((await inLine.outcome).rows[0].cells).toHaveLength(MiB + 1);
      expect(inLine.turns).toBeGreaterThanOrEqual(Math.floor(delimiters.length / CHUNK_BYTES) - 1);
    });

    it(`reads a CSV of exactly ${MAX_IMPORT_ROWS} rows`, async () => {
      const sheet = await readSheet(Buffer.from(`name\n${'a\n'.repeat(MAX_IMPORT_ROWS)}`));
      expect(sheet.rows).toHaveLength(MAX_IMPORT_ROWS);
      expect(sheet.rows[MAX_IMPORT_ROWS - 1]).toEqual({ line: MAX_IMPORT_ROWS + 1, cells: ['a'] });
    });

    it(`refuses a CSV of more than ${MAX_IMPORT_CELLS} cells before the parser holds them: one line of delimiters, or blank lines`, async () => {
      const cells = { rule: 'import.max-cells', message: `holds more than ${MAX_IMPORT_CELLS} cells; one file may hold at most ${MAX_IMPORT_CELLS}: split it` };
      expect(await limitError(readSheet(Buffer.from(`name,legalForm\nx${','.repeat(MAX_IMPORT_CELLS)}\n`)))).toEqual(cells);
      expect(await limitError(readSheet(Buffer.from(`name,legalForm\n${'\r\n'.repeat(MAX_IMPORT_CELLS)}`)))).toEqual(cells);
      // delimiters inside quotes are not cells
      const quoted = await readSheet(Buffer.from(`name\n"${','.repeat(MAX_IMPORT_CELLS)}"\n`));
      expect(quoted.rows).toEqual([{ line: 2, cells: [','.repeat(MAX_IMPORT_CELLS)] }]);
    });

    const unzipped = { rule: 'import.max-unzipped-size', message: `expands to more than ${MAX_UNZIPPED_BYTES / MiB} MiB when unzipped; a workbook may expand to at most ${MAX_UNZIPPED_BYTES / MiB} MiB: split it` };
    // 600 MiB of XML that holds no row to count: blank rows between runs of white space
    const bomb = { head: '<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row>', unit: `<row/>${' '.repeat(MiB / 2 - 6)}`, times: 1200, tail: '' };

    it('refuses an XLSX whose sheet declares that it inflates past the limit, before inflating it', async () => {
      const file = zip(xlsxParts(bomb));
      expect(file.length).toBeLessThan(2 * MiB);
      expect(await limitError(readSheet(file))).toEqual(unzipped);
      // the same declared size over bytes that are not deflate data at all: inflating them would fail
      const garbage = xlsxParts(bomb).map((part) => (part.name === 'xl/worksheets/sheet1.xml' ? { ...part, content: '', deflated: Buffer.alloc(4096, 0xff), declaredSize: 600 * MiB } : part));
      expect(await limitError(readSheet(zip(garbage)))).toEqual(unzipped);
      expect(await fileError(readSheet(zip(garbage.map((part) => (part.deflated ? { ...part, declaredSize: 1000 } : part)))))).toBe('is not a valid XLSX workbook');
    });

    it('stops inflating an XLSX whose sheet declares a few bytes and inflates to 600 MiB, at the limit, the event loop turning as it inflates', async () => {
      const file = zip(xlsxParts(bomb, { declaredSheetSize: 1000 }));
      const { turns, outcome } = await withLoopTurns(() => readSheet(file));
      expect(await limitError(outcome)).toEqual(unzipped);
      // at least a turn for each MiB of the 100 MiB inflated
      expect(turns).toBeGreaterThanOrEqual(MAX_UNZIPPED_BYTES / MiB);
    }, 30_000);

    it(`stops an XLSX at row ${MAX_IMPORT_ROWS + 1}, and at shared string ${MAX_IMPORT_CELLS + 1}`, async () => {
      const rows = zip(xlsxParts({ head: '', unit: '<row><c t="inlineStr"><is><t>a</t></is></c></row>'.repeat(100), times: MAX_IMPORT_ROWS / 100 + 10, tail: '' }));
      expect((await limitError(readSheet(rows))).rule).toBe('import.max-rows');
      const strings = zip(xlsxParts('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', { sharedStrings: { head: '<sst>', unit: '<si><t>x</t></si>'.repeat(1000), times: MAX_IMPORT_CELLS / 1000 + 1, tail: '</sst>' } }));
      expect((await limitError(readSheet(strings))).rule).toBe('import.max-cells');
    }, 30_000);

    it('refuses an XLSX cell longer than the XML parser may hold', async () => {
      const file = zip(xlsxParts({ head: '<row r="1"><c r="A1" t="inlineStr"><is><t>', unit: 'x'.repeat(MiB), times: 3, tail: '</t></is></c></row>' }));
      expect((await limitError(readSheet(file))).rule).toBe('import.max-cell-size');
    });
  });

  it('refuses, naming the file, what is neither CSV in UTF-8 nor XLSX', async () => {
    expect(await fileError(readSheet(Buffer.alloc(0)))).toBe('is empty');
    expect(await fileError(readSheet(Buffer.from([0x4e, 0x61, 0x7a, 0x77, 0x61, 0x0a, 0xb3, 0xb9, 0x6b, 0x61])))).toMatch(/UTF-8/); // windows-1250
    expect(await fileError(readSheet(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0x00, 0x00])))).toMatch(/neither an XLSX workbook nor a CSV file/); // an .xls
    expect(await fileError(readSheet(Buffer.from('PK\u0003\u0004garbage garbage garbage garbage')))).toBe('is not a valid XLSX workbook');
    expect(await fileError(readSheet(Buffer.from('name,legalForm'), 'ngos.xlsx'))).toBe('is not a valid XLSX workbook');
    expect(await fileError(csv('name,legalForm\n"Fundacja "Żółw"",other\n'))).toMatch(/^is not a valid CSV file: Invalid Closing Quote/);
    expect(await fileError(csv('name,legalForm\nFundacja "Żółw",other\n'))).toBe('is not a valid CSV file: Invalid Opening Quote: a quote is found on field 0 at line 2, value is "Fundacja "');
    expect(await fileError(csv('name,legalForm\n"Fundacja,other\n\n'))).toBe('is not a valid CSV file: Quote Not Closed: the quote opened at line 2 is never closed');
    expect(await fileError(csv('\n\n'))).toBe('holds no header row');
    expect(await fileError(csv('\nname,legalForm\n'))).toBe('must have its header (the column names) on line 1');
  });
});
