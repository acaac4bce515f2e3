import { DEFAULT_PASSWORD_HASH_COST } from '@app/core';
import { PasswordHasher } from './password-hasher';

describe('PasswordHasher', () => {
  const floor = new PasswordHasher({ passwordHash: { memoryKib: 19_456, passes: 2 } });

  it('hashes with argon2id at the configured cost, by default 64 MiB and 3 passes', async () => {
    expect(await floor.hash('hasło-próbne')).toMatch(/^\$argon2id\$v=19\$m=19456,p=4,t=2\$/);
    expect(await new PasswordHasher().hash('hasło-próbne')).toMatch(/^\$argon2id\$v=19\$m=65536,p=4,t=3\$/);
    expect(DEFAULT_PASSWORD_HASH_COST).toEqual({ memoryKib: 65_536, passes: 3 });
  });

  it('verifies a hash made at another cost (each hash carries its own), and refuses a wrong password, an unknown user and a damaged hash', async () => {
    const stronger = await new PasswordHasher({ passwordHash: { memoryKib: 32_768, passes: 3 } }).hash('hasło-próbne');
    expect(await floor.verify(stronger, 'hasło-próbne')).toBe(true);
    expect(await floor.verify(stronger, 'hasło-inne')).toBe(false);
    expect(await floor.verify(null, 'hasło-próbne')).toBe(false);
    expect(await floor.verify('not-a-hash', 'hasło-próbne')).toBe(false);
  });
});
