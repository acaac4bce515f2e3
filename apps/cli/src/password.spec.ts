import { isCommonPassword } from '@app/core';
import { readPassword } from './password';

describe('passwords given to the CLI', () => {
  it('refuses one of the most common passwords, in any case, as a usage error', async () => {
    await expect(readPassword({ given: 'password123', flag: '--password' })).rejects.toThrow('the password is one of the most common passwords; choose another');
    await expect(readPassword({ given: 'PASSWORD123', flag: '--password' })).rejects.toThrow(/most common passwords/);
    await expect(readPassword({ given: 'a-long-password-of-mine', flag: '--password' })).resolves.toBe('a-long-password-of-mine');
  });
});

describe('the common-password list', () => {
  it('holds well-known passwords of 8 characters or more, and none of the passwords the tests and the demo use', () => {
    for (const p of ['password', '12345678', 'iloveyou', 'qwertyuiop', 'sunshine', 'football', 'princess1']) expect(isCommonPassword(p)).toBe(true);
    for (const p of ['platform-admin-pass', 'krakow-demo-2019', 'role-password-1', 'long-enough-1', 'municipal-admin-1', 'a-long-password', 'admin-password-1', 'official-password', 'ngo-password-1']) {
      expect(isCommonPassword(p)).toBe(false);
    }
  });
});
