/** The password of every user the factories make (test/utils/users.ts); apart so that the global set-up can import it by path. */
export const TEST_PASSWORD = 'role-password-1';

/**
 * The tests' argon2id cost: OWASP's minimum (19 MiB, 2 passes), the lowest the configuration
 * accepts, about a sixth of the default's CPU time. The suite signs in some hundreds of times, and
 * every hash it verifies carries the cost it was made with. The global set-up puts these in the
 * environment, so test apps (testConfig), their child processes (CLI, worker, the built program)
 * and the hash of TEST_PASSWORD all use them; config.spec keeps the default (64 MiB, 3 passes) tested.
 */
export const TEST_PASSWORD_HASH_ENV = { PASSWORD_HASH_MEMORY_KIB: '19456', PASSWORD_HASH_PASSES: '2' } as const;

/** The same cost as argon2's options, for the global set-up, which hashes before the application's modules can be loaded. */
export const TEST_ARGON2_OPTIONS = { memoryCost: Number(TEST_PASSWORD_HASH_ENV.PASSWORD_HASH_MEMORY_KIB), timeCost: Number(TEST_PASSWORD_HASH_ENV.PASSWORD_HASH_PASSES) };
