import commonPasswordList from 'fxa-common-password-list';

/**
 * The 50 000 most common passwords of at least 8 characters (Mozilla's fxa-common-password-list,
 * drawn from the SecLists "10 million passwords" top million), all lowercase: a password is
 * refused when it, or it lowercased, is on the list ("Password123" is as weak as "password123").
 */
export function isCommonPassword(password: string): boolean {
  return commonPasswordList.test(password) || commonPasswordList.test(password.toLowerCase());
}

export const COMMON_PASSWORD_MESSAGE = 'is one of the most common passwords; choose another';
