import { ValidationFailed } from '@app/core';
import ExcelJS from 'exceljs';
import { detectDelimiter, readSheet, unzippedSize } from './sheet';

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

  it('sums the uncompressed sizes of a ZIP from its central directory', async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('s').addRow(['x'.repeat(10_000)]);
    const zip = Buffer.from(await workbook.xlsx.writeBuffer());
    expect(unzippedSize(zip)).toBeGreaterThan(10_000);
    expect(unzippedSize(Buffer.from('PK\u0003\u0004 not really a zip'))).toBeNull();
  });

  it('refuses, naming the file, what is neither CSV in UTF-8 nor XLSX', async () => {
    expect(await fileError(readSheet(Buffer.alloc(0)))).toBe('is empty');
    expect(await fileError(readSheet(Buffer.from([0x4e, 0x61, 0x7a, 0x77, 0x61, 0x0a, 0xb3, 0xb9, 0x6b, 0x61])))).toMatch(/UTF-8/); // windows-1250
    expect(await fileError(readSheet(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0x00, 0x00])))).toMatch(/neither an XLSX workbook nor a CSV file/); // an .xls
    expect(await fileError(readSheet(Buffer.from('PK\u0003\u0004garbage garbage garbage garbage')))).toBe('is not a valid XLSX workbook');
    expect(await fileError(readSheet(Buffer.from('name,legalForm'), 'ngos.xlsx'))).toBe('is not a valid XLSX workbook');
    expect(await fileError(csv('name,legalForm\n"Fundacja "Żółw"",other\n'))).toMatch(/^is not a valid CSV file: Invalid Closing Quote/);
    expect(await fileError(csv('\n\n'))).toBe('holds no header row');
    expect(await fileError(csv('\nname,legalForm\n'))).toBe('must have its header (the column names) on line 1');
  });
});
