/** The password of every user the factories make (test/utils/users.ts); apart so that the global set-up can import it by path. */
export const TEST_PASSWORD = 'role-password-1';
