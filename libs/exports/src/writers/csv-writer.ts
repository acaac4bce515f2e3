import { stringify } from 'csv-stringify';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { csvField } from '../cells';
import type { ExportColumn } from './columns';

export interface CsvSettings {
  delimiter: ',' | ';';
  /** A UTF-8 byte order mark first: what spreadsheet programs set to Polish need to read UTF-8. */
  bom: boolean;
  /** Money with a decimal comma (12500,50), as spreadsheets set to Polish read numbers. */
  decimalComma?: boolean;
}

/**
 * One table as RFC 4180 CSV: a header row of the column names, CRLF after every record, a field
 * quoted when it holds the delimiter, a quote (doubled inside) or a line break. Text fields that
 * start like a formula are neutralised (cells.ts). Rows are pulled one by one from `rows` as the
 * output drains; `out` is ended. Returns the number of data rows.
 */
export async function writeCsv<R>(out: Writable, columns: ReadonlyArray<ExportColumn<R>>, rows: Iterable<R> | AsyncIterable<R>, settings: CsvSettings): Promise<number> {
  let count = 0;
  async function* records(): AsyncGenerator<string[]> {
    for await (const row of rows) {
      count += 1;
      yield columns.map((c) => {
        const field = csvField(c.kind, c.value(row));
        return settings.decimalComma && c.kind === 'money' ? field.replace('.', ',') : field;
      });
    }
  }
  const stringifier = stringify({
    delimiter: settings.delimiter,
    bom: settings.bom,
    record_delimiter: '\r\n',
    quote: '"',
    escape: '"',
    header: true,
    columns: columns.map((c) => c.name),
  });
  await pipeline(Readable.from(records()), stringifier, out);
  return count;
}
