/**
 * Money is PLN with exactly two decimals. It never passes through a binary float:
 * amounts travel as canonical strings ("12500.00"), and arithmetic is done in integer
 * grosze with BigInt. The database column is numeric(14,2), so at most 12 integer digits.
 */
export type Money = string & { readonly __money: unique symbol };

const INPUT = /^(-)?(\d{1,12})(?:\.(\d{1,2}))?$/;
export const MONEY_PATTERN = '^-?\\d{1,12}\\.\\d{2}$';

/**
 * Reads an amount given as a string ("12500", "12500.5", "12500.50") or as a JSON number with at
 * most two decimals. Returns null when the value is not such an amount.
 */
export function parseMoney(value: unknown): Money | null {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    // String(n) gives the shortest decimal that round-trips, so 0.1 -> "0.1", 12.345 -> "12.345" (rejected).
    text = String(value);
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    return null;
  }
  const grosze = groszeOf(text);
  return grosze === null ? null : formatGrosze(grosze);
}

function groszeOf(text: string): bigint | null {
  const m = INPUT.exec(text);
  if (!m) return null;
  const grosze = BigInt(m[2]) * 100n + BigInt((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -grosze : grosze;
}

export function toGrosze(amount: Money | string): bigint {
  const grosze = groszeOf(amount);
  if (grosze === null) throw new TypeError(`not a money amount: ${amount}`);
  return grosze;
}

export function formatGrosze(grosze: bigint): Money {
  const negative = grosze < 0n;
  const abs = negative ? -grosze : grosze;
  const whole = abs / 100n;
  const fraction = (abs % 100n).toString().padStart(2, '0');
  return `${negative ? '-' : ''}${whole}.${fraction}` as Money;
}

export function addMoney(...amounts: Array<Money | string>): Money {
  return formatGrosze(amounts.reduce((sum, a) => sum + toGrosze(a), 0n));
}

export function compareMoney(a: Money | string, b: Money | string): -1 | 0 | 1 {
  const d = toGrosze(a) - toGrosze(b);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/** A numeric value as PostgreSQL returns it ("12.50", "0", null) in the canonical form. */
export function moneyFromDb(value: string | null | undefined): Money | null {
  if (value === null || value === undefined) return null;
  const parsed = parseMoney(value);
  if (parsed === null) throw new TypeError(`unexpected numeric from the database: ${value}`);
  return parsed;
}
