import { checkKrs, checkNip, checkRegon, checkTeryt, compactId, withNipCheckDigit, withRegonCheckDigit } from './polish-ids';

// Test vectors from python-stdnum's tests, as ../shared/domain.md lists them.
describe('NIP', () => {
  it.each(['8567346215', '5211355116', '5840304472', '7010098470'])('accepts %s', (nip) => {
    expect(checkNip(nip)).toBe('ok');
  });
  it('rejects a wrong check digit', () => {
    expect(checkNip('8567346216')).toBe('checksum');
  });
  it.each(['856734621', '85673462150', '856734621a', ''])('rejects the format of %p', (nip) => {
    expect(checkNip(nip)).toBe('format');
  });
  it('rejects a body whose remainder is 10', () => {
    // 123456789: 6+10+21+8+15+24+35+48+63 = 230, 230 mod 11 = 10, so no digit can complete it
    expect(withNipCheckDigit('123456789')).toBeNull();
    for (let d = 0; d <= 9; d++) expect(checkNip(`123456789${d}`)).toBe('checksum');
  });
  it('reads the dashed form after compacting', () => {
    expect(checkNip(compactId('856-734-62-15'))).toBe('ok');
  });
});

describe('REGON', () => {
  it.each(['192598184', '123456785', '12345678512347', '000144992'])('accepts %s', (regon) => {
    expect(checkRegon(regon)).toBe('ok');
  });
  it.each(['192598183', '12345678612342', '12345678512348'])('rejects the checksum of %s', (regon) => {
    expect(checkRegon(regon)).toBe('checksum');
  });
  it.each(['12345678', '1234567851234', '123456785123456', 'abcdefghi'])('rejects the format of %p', (regon) => {
    expect(checkRegon(regon)).toBe('format');
  });
  it('completes a body with its check digit', () => {
    expect(withRegonCheckDigit('19259818')).toBe('192598184');
  });
});

describe('KRS and TERYT', () => {
  it('accepts 10 digits with leading zeros', () => {
    expect(checkKrs('0000123456')).toBe('ok');
  });
  it.each(['123456', '00001234567', '000012345a'])('rejects %p', (krs) => {
    expect(checkKrs(krs)).toBe('format');
  });
  it('reads TERYT', () => {
    expect(checkTeryt('1261011')).toBe('ok');
    expect(checkTeryt('126101')).toBe('format');
  });
});
