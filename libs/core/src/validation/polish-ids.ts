/**
 * Polish register identifiers. Checksums as python-stdnum computes them (stdnum.pl.nip, stdnum.pl.regon).
 */

/** Strips the separators people type: spaces and dashes ("856-734-62-15"). */
export function compactId(value: string): string {
  return value.replace(/[\s-]/g, '');
}

function weightedSum(digits: string, weights: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += weights[i] * Number(digits[i]);
  return sum;
}

const NIP_WEIGHTS = [6, 5, 7, 2, 3, 4, 5, 6, 7] as const;
const REGON9_WEIGHTS = [8, 9, 2, 3, 4, 5, 6, 7] as const;
const REGON14_WEIGHTS = [2, 4, 8, 5, 0, 9, 7, 3, 6, 1, 2, 4, 8] as const;

export type IdCheck = 'ok' | 'format' | 'checksum';

/** KRS: 10 digits, leading zeros kept; the register has no check digit. */
export function checkKrs(value: string): IdCheck {
  return /^\d{10}$/.test(value) ? 'ok' : 'format';
}

/** NIP: 10 digits; the weighted sum mod 11 is the last digit (a remainder of 10 is never valid). */
export function checkNip(value: string): IdCheck {
  if (!/^\d{10}$/.test(value)) return 'format';
  const check = weightedSum(value, NIP_WEIGHTS) % 11;
  return check !== 10 && check === Number(value[9]) ? 'ok' : 'checksum';
}

function regonCheckDigit(body: string): number {
  const weights = body.length === 8 ? REGON9_WEIGHTS : REGON14_WEIGHTS;
  return (weightedSum(body, weights) % 11) % 10;
}

/** REGON: 9 digits, or 14 digits whose first 9 are a valid REGON of their own (a local unit). */
export function checkRegon(value: string): IdCheck {
  if (!/^(\d{9}|\d{14})$/.test(value)) return 'format';
  if (regonCheckDigit(value.slice(0, 8)) !== Number(value[8])) return 'checksum';
  if (value.length === 14 && regonCheckDigit(value.slice(0, 13)) !== Number(value[13])) return 'checksum';
  return 'ok';
}

/** Completes a body with its check digit; used by the demo data and the test factories. */
export function withNipCheckDigit(body9: string): string | null {
  const check = weightedSum(body9, NIP_WEIGHTS) % 11;
  return check === 10 ? null : body9 + String(check);
}

export function withRegonCheckDigit(body8: string): string {
  return body8 + String(regonCheckDigit(body8));
}

/** TERYT code of a gmina: 7 digits (voivodeship, county, gmina, type). */
export function checkTeryt(value: string): IdCheck {
  return /^\d{7}$/.test(value) ? 'ok' : 'format';
}
