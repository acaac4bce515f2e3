import type { FieldError } from '@app/core';
import type { ProgramKind } from './program.entity';

export interface ProgramShape {
  kind: ProgramKind;
  startYear: number;
  endYear: number;
  parentId: string | null;
}

export interface ParentShape {
  kind: ProgramKind;
  startYear: number;
  endYear: number;
}

const rule = (rule: string, field: string, message: string): FieldError => ({ rule, field, message });

/** The year rules of a programme on its own and against its parent. */
export function programRuleErrors(p: ProgramShape, parent: ParentShape | null | undefined): FieldError[] {
  const errors: FieldError[] = [];
  if (p.startYear > p.endYear) {
    errors.push(rule('program.year-order', 'endYear', 'endYear must not be before startYear'));
  } else if (p.kind === 'annual' && p.startYear !== p.endYear) {
    errors.push(rule('program.annual-single-year', 'endYear', 'An annual programme covers one calendar year: endYear must equal startYear'));
  } else if (p.kind === 'multi-year' && p.startYear === p.endYear) {
    errors.push(rule('program.multi-year-span', 'endYear', 'A multi-year programme spans at least two years'));
  }
  if (p.parentId && p.kind !== 'annual') {
    errors.push(rule('program.parent-only-annual', 'parentId', 'Only an annual programme can belong to a multi-year programme'));
  }
  if (p.parentId && p.kind === 'annual') {
    if (parent === null) {
      errors.push(rule('program.parent-exists', 'parentId', 'No programme with this id in this municipality'));
    } else if (parent && parent.kind !== 'multi-year') {
      errors.push(rule('program.parent-multi-year', 'parentId', 'The parent must be a multi-year programme'));
    } else if (parent && (p.startYear < parent.startYear || p.startYear > parent.endYear)) {
      errors.push(rule('program.inside-parent', 'startYear', `The year must lie inside the parent programme's years (${parent.startYear}–${parent.endYear})`));
    }
  }
  return errors;
}

/** An annual programme for year Y must be adopted by 30 November of Y−1 (null when it cannot be told). */
export function adoptedOnTime(kind: ProgramKind, startYear: number, adoptedOn: string | null): boolean | null {
  if (kind !== 'annual' || !adoptedOn) return null;
  return adoptedOn <= `${startYear - 1}-11-30`;
}
