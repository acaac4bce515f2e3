import { constants, deflateRawSync } from 'node:zlib';

/** A part's content: plain bytes, or `head`, then `unit` repeated `times`, then `tail`, deflated without ever being held whole. */
export type ZipContent = Buffer | string | { head: string; unit: string; times: number; tail: string };

export interface ZipPart {
  name: string;
  content: ZipContent;
  /** The uncompressed size written in the ZIP's headers; the true size when left out. */
  declaredSize?: number;
  /** Bytes written as the part's deflated data as they are, in place of the content's (which is then ignored). */
  deflated?: Buffer;
}

/**
 * Deflates the content. A repeated unit is deflated once with a full flush (byte-aligned, no
 * reference to earlier data), so its output can be repeated as it is: a few hundred MiB of
 * repeated XML cost a few hundred KiB and no time.
 */
function deflate(content: ZipContent): { data: Buffer; size: number } {
  if (typeof content === 'string' || Buffer.isBuffer(content)) {
    const raw = Buffer.from(content);
    return { data: deflateRawSync(raw), size: raw.length };
  }
  const flushed = (s: string) => deflateRawSync(Buffer.from(s), { level: 9, finishFlush: constants.Z_FULL_FLUSH });
  const unit = flushed(content.unit);
  const data = Buffer.concat([flushed(content.head), ...Array.from({ length: content.times }, () => unit), deflateRawSync(Buffer.from(content.tail))]);
  return { data, size: Buffer.byteLength(content.head) + Buffer.byteLength(content.unit) * content.times + Buffer.byteLength(content.tail) };
}

/** A ZIP (deflate, no data descriptors, CRC-32 left 0: readers that count bytes do not check it). */
export function zip(parts: ZipPart[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const part of parts) {
    const { data, size } = part.deflated ? { data: part.deflated, size: part.deflated.length } : deflate(part.content);
    const name = Buffer.from(part.name);
    const declared = part.declaredSize ?? size;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(declared, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(declared, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/** A workbook of one sheet whose sheetData is `sheetData` (and shared strings when given), built by hand. */
export function xlsxParts(sheetData: ZipContent, o: { sharedStrings?: ZipContent; declaredSheetSize?: number } = {}): ZipPart[] {
  const sheet: ZipContent =
    typeof sheetData === 'string' || Buffer.isBuffer(sheetData)
      ? `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="${MAIN}"><sheetData>${String(sheetData)}</sheetData></worksheet>`
      : { ...sheetData, head: `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="${MAIN}"><sheetData>${sheetData.head}`, tail: `${sheetData.tail}</sheetData></worksheet>` };
  return [
    {
      name: '[Content_Types].xml',
      content: `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>`,
    },
    { name: 'xl/workbook.xml', content: `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${MAIN}" xmlns:r="${REL}"><sheets><sheet name="Import" sheetId="1" r:id="rId1"/></sheets></workbook>` },
    {
      name: 'xl/_rels/workbook.xml.rels',
      content: `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
    },
    ...(o.sharedStrings === undefined ? [] : [{ name: 'xl/sharedStrings.xml', content: o.sharedStrings }]),
    { name: 'xl/worksheets/sheet1.xml', content: sheet, declaredSize: o.declaredSheetSize },
  ];
}
