import type { FieldError } from '@app/core';

/** "Today" as the municipality lives it, whatever the server's time zone. */
export const TODAY_SQL = `(now() AT TIME ZONE 'Europe/Warsaw')::date`;

export interface Term {
  termStart: string;
  termEnd: string;
}

export interface MembershipDates {
  from: string;
  to: string | null;
}

const rule = (rule: string, field: string, message: string): FieldError => ({ rule, field, message });

export function termErrors(t: Term): FieldError[] {
  return t.termEnd < t.termStart ? [rule('commission.term-order', 'termEnd', 'termEnd must not be before termStart')] : [];
}

/** A membership lies inside the commission's term: it starts in the term and, when it has an end, ends in it. */
export function membershipErrors(m: MembershipDates, term: Term): FieldError[] {
  const errors: FieldError[] = [];
  if (m.to !== null && m.to < m.from) errors.push(rule('member.dates-order', 'to', 'to (the last day of membership) must not be before from'));
  if (m.from < term.termStart || m.from > term.termEnd) {
    errors.push(rule('member.inside-term', 'from', `The membership must start inside the commission's term (${term.termStart} to ${term.termEnd})`));
  }
  if (m.to !== null && m.to > term.termEnd) {
    errors.push(rule('member.inside-term', 'to', `The membership must end by the end of the commission's term (${term.termEnd})`));
  }
  return errors;
}

/** Ending a membership on `day` (its last day); an empty list and `unchanged` when it already ends that day. */
export function endErrors(m: MembershipDates, day: string, term: Term): { errors: FieldError[]; unchanged: boolean } {
  if (day < m.from) return { errors: [rule('member.end-before-start', 'to', `The membership starts on ${m.from}; it cannot end before that`)], unchanged: false };
  if (m.to !== null && m.to < day) return { errors: [rule('member.already-ended', 'to', `The membership already ended on ${m.to}`)], unchanged: false };
  if (m.to === day) return { errors: [], unchanged: true };
  if (day > term.termEnd) {
    return { errors: [rule('member.inside-term', 'to', `The commission's term ends on ${term.termEnd}; end the membership on or before it (?on=YYYY-MM-DD)`)], unchanged: false };
  }
  return { errors: [], unchanged: false };
}

export function meetingDateErrors(date: string, term: Term): FieldError[] {
  return date < term.termStart || date > term.termEnd
    ? [rule('meeting.date-in-term', 'date', `The meeting must take place inside the commission's term (${term.termStart} to ${term.termEnd})`)]
    : [];
}
