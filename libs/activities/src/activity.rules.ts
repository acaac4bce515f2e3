import type { FieldError } from '@app/core';

export interface ActivityShape {
  startDate: string;
  endDate: string | null;
}

/** The programme as the rules see it; null when no such programme is in the municipality. */
export interface ProgramYears {
  startYear: number;
  endYear: number;
  archived: boolean;
}

export interface NgoState {
  id: string;
  archived: boolean;
}

const rule = (rule: string, field: string, message: string): FieldError => ({ rule, field, message });

/** The field an NGO of the list is named by in errors[], as the validation of spheres names its entries. */
export const ngoField = (index: number) => `ngoIds.${index}`;

/**
 * The rules of an activity against its programme. `programIsNew`: the programme is named by this
 * write (create, or a PATCH that moves the activity), so an archived one is refused; an activity
 * already under a programme archived later may still be corrected.
 */
export function activityRuleErrors(a: ActivityShape, program: ProgramYears | null, programIsNew: boolean): FieldError[] {
  const errors: FieldError[] = [];
  if (a.endDate !== null && a.endDate < a.startDate) {
    errors.push(rule('activity.dates-order', 'endDate', 'endDate must not be before startDate'));
  }
  if (program === null) {
    errors.push(rule('activity.program-exists', 'programId', 'No programme with this id in this municipality'));
    return errors;
  }
  if (programIsNew && program.archived) {
    errors.push(rule('activity.program-archived', 'programId', 'The programme is archived'));
  }
  // ISO dates compare as strings
  const first = `${program.startYear}-01-01`;
  const last = `${program.endYear}-12-31`;
  const years = program.startYear === program.endYear ? `${program.startYear}` : `${program.startYear}–${program.endYear}`;
  if (a.startDate < first || a.startDate > last) {
    errors.push(rule('activity.dates-in-program', 'startDate', `startDate must lie inside the programme's years (${years})`));
  }
  if (a.endDate !== null && (a.endDate < first || a.endDate > last)) {
    errors.push(rule('activity.dates-in-program', 'endDate', `endDate must lie inside the programme's years (${years})`));
  }
  return errors;
}

/**
 * The NGOs of the list against the register: each must exist in the municipality; one newly
 * added must not be archived (an NGO archived after it took part stays on the record).
 */
export function ngoRuleErrors(ngoIds: readonly string[], found: readonly NgoState[], alreadyListed: ReadonlySet<string>): FieldError[] {
  const byId = new Map(found.map((n) => [n.id, n]));
  return ngoIds.flatMap((id, i) => {
    if (alreadyListed.has(id)) return [];
    const ngo = byId.get(id);
    if (!ngo) return [rule('activity.ngo-exists', ngoField(i), 'No NGO with this id in this municipality')];
    if (ngo.archived) return [rule('activity.ngo-archived', ngoField(i), 'The NGO is archived')];
    return [];
  });
}
