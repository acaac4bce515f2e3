import { columnLetter, escapeXmlText, excelDate, rowXml, type SheetColumn } from './sheet-xml';

/** Pure: the row XML of the streamed task sheet. */
describe('sheet rows as XML', () => {
  it('names columns as spreadsheets do', () => {
    expect([0, 1, 19, 25, 26, 27, 701, 702].map(columnLetter)).toEqual(['A', 'B', 'T', 'Z', 'AA', 'AB', 'ZZ', 'AAA']);
  });

  it('turns days into Excel serial numbers (1900 date system)', () => {
    expect(excelDate('1970-01-01')).toBe(25569);
    expect(excelDate('2019-03-01')).toBe(43525);
    expect(excelDate('2019-3-1')).toBeNull();
  });

  it('escapes markup and replaces what XML cannot hold', () => {
    expect(escapeXmlText('a < b & c > "d" \'e\'')).toBe('a &lt; b &amp; c &gt; "d" \'e\'');
    expect(escapeXmlText('x\u0001y\u000bz\ud800')).toBe('x\ufffdy\ufffdz\ufffd');
    expect(escapeXmlText('tab\tnew\nline 😀 Zażółć')).toBe('tab\tnew\nline 😀 Zażółć');
  });

  it('writes text inline (neutralised, LF line breaks), numbers and money verbatim with their style, dates as serials, nothing for empty values', () => {
    const columns: SheetColumn[] = [
      { letter: 'A', kind: 'integer', styleId: 0 },
      { letter: 'B', kind: 'text', styleId: 0 },
      { letter: 'C', kind: 'money', styleId: 3 },
      { letter: 'D', kind: 'date', styleId: 4 },
      { letter: 'E', kind: 'text', styleId: 0 },
    ];
    expect(rowXml(2, columns, [1, '=1+1 & <b>\r\nx', '12500.10', '2019-03-01', null])).toBe(
      '<row r="2"><c r="A2"><v>1</v></c><c r="B2" t="inlineStr"><is><t xml:space="preserve">\'=1+1 &amp; &lt;b&gt;\nx</t></is></c>' +
        '<c r="C2" s="3"><v>12500.10</v></c><c r="D2" s="4"><v>43525</v></c></row>',
    );
    expect(rowXml(3, columns, [null, '', null, null, 'e'])).toBe('<row r="3"><c r="E3" t="inlineStr"><is><t xml:space="preserve">e</t></is></c></row>');
    // anything that is not a number or a day stays readable as text rather than corrupting the file
    expect(rowXml(4, columns, [null, null, '1e5; DROP', 'soon', null])).toBe(
      '<row r="4"><c r="C4" t="inlineStr"><is><t xml:space="preserve">1e5; DROP</t></is></c><c r="D4" t="inlineStr"><is><t xml:space="preserve">soon</t></is></c></row>',
    );
  });
});
