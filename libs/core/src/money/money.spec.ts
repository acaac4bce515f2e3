import { addMoney, compareMoney, formatGrosze, moneyFromDb, parseMoney, toGrosze } from './money';

describe('money', () => {
  it.each([
    ['12500', '12500.00'],
    ['12500.5', '12500.50'],
    ['12500.50', '12500.50'],
    [' 7.1 ', '7.10'],
    ['0', '0.00'],
    ['999999999999.99', '999999999999.99'],
    [12500, '12500.00'],
    [0.1, '0.10'],
    [12500.55, '12500.55'],
    [-3.5, '-3.50'],
  ])('reads %p as %s', (input, expected) => {
    expect(parseMoney(input)).toBe(expected);
  });

  it.each([['12.345'], ['1e3'], ['abc'], [''], ['12,50'], ['1000000000000'], [12.345], [Number.NaN], [Infinity], [null], [true], [{}], ['0x10']])(
    'rejects %p',
    (input) => {
      expect(parseMoney(input)).toBeNull();
    },
  );

  it('adds exactly where floats do not', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(addMoney('0.10', '0.20')).toBe('0.30');
    expect(addMoney('999999999999.99', '0.01')).toBe('1000000000000.00');
    expect(addMoney()).toBe('0.00');
  });

  it('converts to and from grosze', () => {
    expect(toGrosze('12.34')).toBe(1234n);
    expect(toGrosze('-0.05')).toBe(-5n);
    expect(formatGrosze(5n)).toBe('0.05');
    expect(formatGrosze(-105n)).toBe('-1.05');
  });

  it('compares', () => {
    expect(compareMoney('10.00', '9.99')).toBe(1);
    expect(compareMoney('10', '10.00')).toBe(0);
    expect(compareMoney('0.01', '0.02')).toBe(-1);
  });

  it('normalises what the database returns', () => {
    expect(moneyFromDb('12.5')).toBe('12.50');
    expect(moneyFromDb(null)).toBeNull();
  });
});
