import independentJcs from 'canonicalize';
import { canonicalHash, canonicalJson, sha256Hex } from './canonical-json';

/** RFC 8785 (JSON Canonicalization Scheme), its own examples. */
describe('canonicalJson (RFC 8785)', () => {
  it('canonicalises the sample of section 3.2.2 to the text of section 3.2.3 and the UTF-8 of section 3.2.4', () => {
    const input = JSON.parse(String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`);
    const expected = String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,0.000001],"string":"€$\u000f\nA'B\"\\\\\"/"}`;
    expect(canonicalJson(input)).toBe(expected);
    expect(Buffer.from(canonicalJson(input), 'utf8').toString('hex')).toBe(
      '7b226c69746572616c73223a5b6e756c6c2c747275652c66616c73655d2c226e756d62657273223a5b3333333333333333332e333333333333332c31652b33302c342e352c302e3030322c302e3030303030315d2c22737472696e67223a22e282ac245c75303030665c6e41274' +
        '25c225c5c5c5c5c222f227d',
    );
  });

  it('sorts property names by their UTF-16 code units (section 3.2.3)', () => {
    const input = JSON.parse(String.raw`{
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis"
    }`);
    const sorted: Array<[string, string]> = [
      ['\r', 'Carriage Return'],
      ['1', 'One'],
      ['\u0080', 'Control'],
      ['\u00f6', 'Latin Small Letter O With Diaeresis'],
      ['\u20ac', 'Euro Sign'],
      ['\ud83d\ude00', 'Emoji: Grinning Face'],
      ['\ufb33', 'Hebrew Letter Dalet With Dagesh'],
    ];
    // written out member by member: a JavaScript object would put "1" first again
    expect(canonicalJson(input)).toBe(`{${sorted.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`);
  });

  it('serialises numbers as ECMAScript does (Appendix B)', () => {
    const cases: Array<[string, string]> = [
      ['0000000000000000', '0'],
      ['8000000000000000', '0'],
      ['0000000000000001', '5e-324'],
      ['8000000000000001', '-5e-324'],
      ['7fefffffffffffff', '1.7976931348623157e+308'],
      ['ffefffffffffffff', '-1.7976931348623157e+308'],
      ['4340000000000000', '9007199254740992'],
      ['c340000000000000', '-9007199254740992'],
      ['4430000000000000', '295147905179352830000'],
      ['44b52d02c7e14af5', '9.999999999999997e+22'],
      ['44b52d02c7e14af6', '1e+23'],
      ['44b52d02c7e14af7', '1.0000000000000001e+23'],
      ['444b1ae4d6e2ef4e', '999999999999999700000'],
      ['444b1ae4d6e2ef4f', '999999999999999900000'],
      ['444b1ae4d6e2ef50', '1e+21'],
      ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
      ['3eb0c6f7a0b5ed8d', '0.000001'],
      ['41b3de4355555553', '333333333.3333332'],
      ['41b3de4355555554', '333333333.33333325'],
      ['41b3de4355555555', '333333333.3333333'],
      ['41b3de4355555556', '333333333.3333334'],
      ['41b3de4355555557', '333333333.33333343'],
      ['becbf647612f3696', '-0.0000033333333333333333'],
      ['43143ff3c1cb0959', '1424953923781206.2'],
    ];
    for (const [ieee754, text] of cases) expect([ieee754, canonicalJson(Buffer.from(ieee754, 'hex').readDoubleBE(0))]).toEqual([ieee754, text]);
    // NaN and Infinity have no JSON form (Appendix B: "must cause an error")
    expect(() => canonicalJson(Buffer.from('7fffffffffffffff', 'hex').readDoubleBE(0))).toThrow();
    expect(() => canonicalJson(Buffer.from('7ff0000000000000', 'hex').readDoubleBE(0))).toThrow();
  });

  it('canonicalises the object of Appendix E, where integer-like names sort as text', () => {
    const input = JSON.parse(`{
      "1": {"f": {"f": "hi","F": 5} ,"\\n": 56.0},
      "10": { },
      "": "empty",
      "a": { },
      "111": [ {"e": "yes","E": "no" } ],
      "A": { }
    }`);
    expect(canonicalJson(input)).toBe('{"":"empty","1":{"\\n":56,"f":{"F":5,"f":"hi"}},"10":{},"111":[{"E":"no","e":"yes"}],"A":{},"a":{}}');
  });

  it('orders sphere codes "1", "10", "1a", "2", whatever order a JavaScript object holds them in', () => {
    const bySphere = { '2': 1, '1a': 2, '10': 3, '1': 4 };
    expect(Object.keys(bySphere)).toEqual(['1', '2', '10', '1a']);
    expect(canonicalJson({ tasks: { bySphere } })).toBe('{"tasks":{"bySphere":{"1":4,"10":3,"1a":2,"2":1}}}');
    expect(canonicalJson({ tasks: { bySphere } })).toBe(independentJcs({ tasks: { bySphere } }));
  });

  it('keeps non-ASCII text as is and leaves out undefined members, as JSON.stringify does', () => {
    expect(canonicalJson({ b: 'Zażółć', a: undefined, c: [undefined] })).toBe('{"b":"Zażółć","c":[null]}');
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('hashes the UTF-8 of the canonical text as lowercase hex SHA-256', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(canonicalHash({ b: 'ł', a: 1 })).toBe(sha256Hex(Buffer.from('{"a":1,"b":"ł"}', 'utf8')));
  });
});
