import { ConfigError } from '@app/core';
import { DEFAULT_LICENSE, identifiersOf, openDataSettings } from './opendata.settings';

const krakow = { teryt: '1261011', slug: 'krakow' };
const other = { teryt: '1201022', slug: 'druga' };

describe('openDataSettings', () => {
  it('defaults to a prefix per municipality, the prefix as the funder\'s identifier, and CC BY 4.0', () => {
    const s = openDataSettings({});
    expect(identifiersOf(s, krakow)).toEqual({ prefix: '360G-gmina1261011', funderId: '360G-gmina1261011' });
    expect(s.license).toBe(DEFAULT_LICENSE);
  });

  it('takes a registered prefix, with {teryt} and {slug} filled in', () => {
    expect(identifiersOf(openDataSettings({ OPEN_DATA_PREFIX: '360G-krakow' }), krakow).prefix).toBe('360G-krakow');
    expect(identifiersOf(openDataSettings({ OPEN_DATA_PREFIX: '360G-pl_{slug}-{teryt}' }), krakow).prefix).toBe('360G-pl_krakow-1261011');
  });

  it('takes one funder identifier for every municipality, or one per TERYT code', () => {
    expect(identifiersOf(openDataSettings({ OPEN_DATA_FUNDER_ID: 'PL-REGON-123456785' }), other).funderId).toBe('PL-REGON-123456785');
    const s = openDataSettings({ OPEN_DATA_FUNDER_ID: '1261011=PL-REGON-123456785, 1201022 = PL-NIP-1234563218' });
    expect(identifiersOf(s, krakow).funderId).toBe('PL-REGON-123456785');
    expect(identifiersOf(s, other).funderId).toBe('PL-NIP-1234563218');
    expect(identifiersOf(s, { teryt: '1465011', slug: 'warszawa' }).funderId).toBe('360G-gmina1465011');
  });

  it('stops the start on a bad value, saying which', () => {
    const problems = (env: NodeJS.ProcessEnv): string[] => {
      try {
        openDataSettings(env);
        return [];
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).problems;
      }
    };
    expect(problems({ OPEN_DATA_PREFIX: 'gmina-krakow' })[0]).toMatch(/OPEN_DATA_PREFIX/);
    expect(problems({ OPEN_DATA_PREFIX: '360G-kraków/1' })[0]).toMatch(/OPEN_DATA_PREFIX/);
    expect(problems({ OPEN_DATA_FUNDER_ID: 'PL-REGON-123456789' })[0]).toMatch(/REGON number is invalid \(checksum\)/);
    expect(problems({ OPEN_DATA_FUNDER_ID: 'Gmina Kraków' })[0]).toMatch(/not an organisation identifier/);
    expect(problems({ OPEN_DATA_FUNDER_ID: '126101=PL-REGON-123456785' })[0]).toMatch(/not teryt=identifier/);
    expect(problems({ OPEN_DATA_LICENSE: 'CC BY' })[0]).toMatch(/OPEN_DATA_LICENSE/);
    expect(problems({ OPEN_DATA_PREFIX: 'x', OPEN_DATA_LICENSE: 'y' })).toHaveLength(2);
  });
});
