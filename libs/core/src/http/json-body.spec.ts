import { jsonDepthExceeds, MAX_JSON_DEPTH } from './json-body';

const bytes = (text: string) => Buffer.from(text, 'utf8');
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('jsonDepthExceeds', () => {
  it('allows 32 levels and refuses 33, objects and arrays alike', () => {
    expect(MAX_JSON_DEPTH).toBe(32);
    expect(jsonDepthExceeds(bytes(nested(32)))).toBe(false);
    expect(jsonDepthExceeds(bytes(nested(33)))).toBe(true);
    expect(jsonDepthExceeds(bytes('{"a":'.repeat(32) + '1' + '}'.repeat(32)))).toBe(false);
    expect(jsonDepthExceeds(bytes('{"a":'.repeat(16) + nested(17) + '}'.repeat(16)))).toBe(true);
  });

  it('counts depth, not brackets: siblings do not add up', () => {
    expect(jsonDepthExceeds(bytes(`[${Array(100).fill(nested(31)).join(',')}]`))).toBe(false);
  });

  it('skips brackets inside strings, escaped quotes included', () => {
    expect(jsonDepthExceeds(bytes(JSON.stringify({ a: '{['.repeat(100) })))).toBe(false);
    expect(jsonDepthExceeds(bytes(JSON.stringify({ a: '\\"{[\\'.repeat(100), b: 'zażółć [' })))).toBe(false);
    expect(jsonDepthExceeds(bytes(JSON.stringify(['"', '\\', nested(40)])))).toBe(false);
  });

  it('stops early on a huge body: reads the bytes up to the first bracket over the limit, no further', () => {
    let reads = 0;
    const body = new Proxy(bytes(nested(500_000)), {
      get(target, key) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key) as unknown;
      },
    });
    expect(jsonDepthExceeds(body)).toBe(true);
    expect(reads).toBe(MAX_JSON_DEPTH + 1);
  });
});
