import { InvalidArgumentError } from 'commander';
import { parseContentHash, parseEmail, parseNgoRef, parseRevision, parseSlug, parseTeryt, parseYear, passwordProblem } from './values';

describe('CLI values', () => {
  it('takes years 2000–2100 written with four digits', () => {
    expect(parseYear('2019')).toBe(2019);
    for (const bad of ['19', '1999', '2101', '2019.0', ' 2019', 'dwa']) expect(() => parseYear(bad)).toThrow(InvalidArgumentError);
  });

  it('trims and lower-cases an email, and refuses what is not one', () => {
    expect(parseEmail(' Anna@Krakow.PL ')).toBe('anna@krakow.pl');
    expect(() => parseEmail('anna')).toThrow('must be an email address');
  });

  it('takes slugs as the API does, reserved paths refused', () => {
    expect(parseSlug('nowa-huta')).toBe('nowa-huta');
    for (const bad of ['Nowa', 'nowa--huta', '-nowa', 'api']) expect(() => parseSlug(bad)).toThrow(InvalidArgumentError);
  });

  it('takes a TERYT with spaces or dashes, and an NGO by id or KRS', () => {
    expect(parseTeryt('1261 011')).toBe('1261011');
    expect(() => parseTeryt('126101')).toThrow('TERYT must be 7 digits');
    expect(parseNgoRef('0000-123-456')).toEqual({ krs: '0000123456' });
    expect(parseNgoRef('0B1E2C3D-0000-4000-8000-000000000001')).toEqual({ id: '0b1e2c3d-0000-4000-8000-000000000001' });
    expect(() => parseNgoRef('Fundacja')).toThrow(InvalidArgumentError);
  });

  it('takes a content hash in either case and a revision as draft or a number from 1', () => {
    expect(parseContentHash('AB'.repeat(32))).toBe('ab'.repeat(32));
    expect(() => parseContentHash('ab')).toThrow(InvalidArgumentError);
    expect(parseRevision('draft')).toBe('draft');
    expect(parseRevision('3')).toBe(3);
    for (const bad of ['0', '-1', '1.5', 'latest']) expect(() => parseRevision(bad)).toThrow(InvalidArgumentError);
  });

  it('applies the API\'s password rules, counting code points and keeping spaces', () => {
    expect(passwordProblem('ośmioznk')).toBeNull();
    expect(passwordProblem(' 1234567')).toBeNull();
    expect(passwordProblem('short')).toBe('must be at least 8 characters long');
    expect(passwordProblem('x'.repeat(201))).toBe('must be at most 200 characters long');
    expect(passwordProblem('long\u0000password')).toBe('must not contain control characters');
  });
});
