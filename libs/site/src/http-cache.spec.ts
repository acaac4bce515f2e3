import { etagOf, matchesIfNoneMatch } from './http-cache';

describe('etagOf', () => {
  it('is a quoted SHA-256 of the body: equal bodies, equal tags', () => {
    expect(etagOf('abc')).toBe('"ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"');
    expect(etagOf(Buffer.from('abc'))).toBe(etagOf('abc'));
    expect(etagOf('abd')).not.toBe(etagOf('abc'));
  });
});

describe('matchesIfNoneMatch', () => {
  const tag = '"abc"';
  it('matches the same tag, in a list, weak or strong, and "*"', () => {
    expect(matchesIfNoneMatch('"abc"', tag)).toBe(true);
    expect(matchesIfNoneMatch('"x", "abc"', tag)).toBe(true);
    expect(matchesIfNoneMatch('W/"abc"', tag)).toBe(true);
    expect(matchesIfNoneMatch(' * ', tag)).toBe(true);
    expect(matchesIfNoneMatch(['"x"', '"abc"'], tag)).toBe(true);
  });

  it('does not match another tag, an unquoted one or no header', () => {
    expect(matchesIfNoneMatch(undefined, tag)).toBe(false);
    expect(matchesIfNoneMatch('', tag)).toBe(false);
    expect(matchesIfNoneMatch('"abcd"', tag)).toBe(false);
    expect(matchesIfNoneMatch('abc', tag)).toBe(false);
  });
});
