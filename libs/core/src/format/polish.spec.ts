import { capitalise, comparePl, formatDay, formatInstant, formatInteger, formatPln, label, MODE_LABELS, plural, TASKS } from './polish';

const plain = (text: string) => text.replace(/\u00a0/g, ' ');

describe('formatPln', () => {
  it('writes amounts the Polish way, with no-break spaces', () => {
    expect(formatPln('1250000.00')).toBe('1\u00a0250\u00a0000,00\u00a0zł');
    expect(plain(formatPln('0.00'))).toBe('0,00 zł');
    expect(plain(formatPln('12500.50'))).toBe('12 500,50 zł');
    // CLDR's Polish grouping starts at five digits
    expect(plain(formatPln('9000.50'))).toBe('9000,50 zł');
    expect(plain(formatPln('-12.05'))).toBe('-12,05 zł');
  });

  it('never rounds through a float: amounts past 2^53 grosze stay exact', () => {
    expect(plain(formatPln('999999999999.99'))).toBe('999 999 999 999,99 zł');
    expect(plain(formatPln('90071992547409.93'))).toBe('90 071 992 547 409,93 zł');
  });

  it('refuses what is not a two-decimal money string', () => {
    for (const bad of ['12', '12.5', '1e3', '', 'abc', '12.345']) expect(() => formatPln(bad)).toThrow(TypeError);
  });
});

describe('plural', () => {
  it('picks the Polish form of the noun', () => {
    expect([0, 1, 2, 4, 5, 12, 14, 21, 22, 25, 112, 122].map((n) => plain(plural(n, TASKS)))).toEqual([
      '0 zadań', '1 zadanie', '2 zadania', '4 zadania', '5 zadań', '12 zadań', '14 zadań', '21 zadań', '22 zadania', '25 zadań', '112 zadań', '122 zadania',
    ]);
    expect(plain(plural(12345, TASKS))).toBe('12 345 zadań');
  });
});

describe('dates', () => {
  it('writes a day in words', () => {
    expect(formatDay('2019-03-01')).toBe('1 marca 2019');
    expect(formatDay('2022-12-31')).toBe('31 grudnia 2022');
    expect(() => formatDay('2019-3-1')).toThrow(TypeError);
  });

  it('writes an instant as Kraków reads it (Europe/Warsaw), whatever the server zone', () => {
    expect(formatInstant(new Date('2020-03-12T23:30:00Z'))).toBe('13 marca 2020 r., godz. 00:30');
    expect(formatInstant(new Date('2020-07-01T10:05:00Z'))).toBe('1 lipca 2020 r., godz. 12:05');
  });
});

describe('words', () => {
  it('names the codes in Polish, and keeps an unknown code as it is', () => {
    expect(label(MODE_LABELS, 'small-grant')).toBe('mały grant');
    expect(label(MODE_LABELS, 'toString')).toBe('toString');
    expect(label(MODE_LABELS, 'new-mode')).toBe('new-mode');
  });

  it('sorts in Polish alphabetical order and capitalises', () => {
    expect(['Łódź', 'Zakopane', 'Lublin', 'Ąty', 'Babice'].sort(comparePl)).toEqual(['Ąty', 'Babice', 'Lublin', 'Łódź', 'Zakopane']);
    expect(capitalise('łódź')).toBe('Łódź');
    expect(formatInteger(1234567)).toBe('1\u00a0234\u00a0567');
  });
});
