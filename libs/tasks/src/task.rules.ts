import { compareMoney, toGrosze, type FieldError } from '@app/core';
import type { TaskMode, TaskStatus } from './task.entity';

/** art. 19a: a small grant is at most 10 000.00 PLN … */
export const SMALL_GRANT_MAX = '10000.00';
/** … lasts at most 90 days (both the first and the last day count) … */
export const SMALL_GRANT_MAX_DAYS = 90;
/** … and one NGO gets at most 20 000.00 PLN of small grants in a calendar year. */
export const SMALL_GRANT_YEARLY_MAX = '20000.00';

export interface TaskShape {
  mode: TaskMode;
  status: TaskStatus;
  startDate: string;
  endDate: string;
  amountRequested: string | null;
  amountGranted: string;
  amountSettled: string | null;
}

export interface ProgramYears {
  startYear: number;
  endYear: number;
}

const FORWARD: Record<Exclude<TaskStatus, 'terminated'>, number> = { planned: 0, contracted: 1, 'in-progress': 2, settled: 3 };

/** Status moves forward only, possibly skipping steps; any status but settled may become terminated; terminated is final. */
export function canMoveStatus(from: TaskStatus, to: TaskStatus): boolean {
  if (from === to) return true;
  if (to === 'terminated') return from !== 'settled';
  if (from === 'terminated') return false;
  return FORWARD[to] > FORWARD[from];
}

/** Days of a period counting both its first and its last day (1 March to 29 May is 90 days). */
export function periodDays(startDate: string, endDate: string): number {
  return Math.round((Date.parse(`${endDate}T00:00:00Z`) - Date.parse(`${startDate}T00:00:00Z`)) / 86_400_000) + 1;
}

/** The rules that need only the task, its programme and (on update) its previous status. */
export function taskRuleErrors(task: TaskShape, program: ProgramYears, previousStatus?: TaskStatus): FieldError[] {
  const errors: FieldError[] = [];
  if (task.endDate < task.startDate) {
    errors.push({ rule: 'task.dates-order', field: 'endDate', message: 'The end date is before the start date' });
  }
  const first = `${program.startYear}-01-01`;
  const last = `${program.endYear}-12-31`;
  const years = program.startYear === program.endYear ? `${program.startYear}` : `${program.startYear}–${program.endYear}`;
  if (task.startDate < first || task.startDate > last) {
    errors.push({ rule: 'task.dates-in-program', field: 'startDate', message: `The start date lies outside the programme's year(s) ${years}` });
  }
  if (task.endDate < first || task.endDate > last) {
    errors.push({ rule: 'task.dates-in-program', field: 'endDate', message: `The end date lies outside the programme's year(s) ${years}` });
  }
  if (task.mode === 'small-grant') {
    if (compareMoney(task.amountGranted, SMALL_GRANT_MAX) > 0) {
      errors.push({ rule: 'task.small-grant-amount', field: 'amountGranted', message: `A small grant is at most ${SMALL_GRANT_MAX} PLN (art. 19a)` });
    }
    if (task.endDate >= task.startDate && periodDays(task.startDate, task.endDate) > SMALL_GRANT_MAX_DAYS) {
      errors.push({ rule: 'task.small-grant-duration', field: 'endDate', message: `A small grant lasts at most ${SMALL_GRANT_MAX_DAYS} days (art. 19a); this one lasts ${periodDays(task.startDate, task.endDate)}` });
    }
  }
  if (task.amountSettled !== null && compareMoney(task.amountSettled, task.amountGranted) > 0) {
    errors.push({ rule: 'task.settled-within-granted', field: 'amountSettled', message: 'The settled amount exceeds the granted amount' });
  }
  if (task.amountRequested !== null && compareMoney(task.amountGranted, task.amountRequested) > 0) {
    errors.push({ rule: 'task.granted-within-requested', field: 'amountGranted', message: 'The granted amount exceeds the requested amount' });
  }
  if (previousStatus && !canMoveStatus(previousStatus, task.status)) {
    errors.push({ rule: 'task.status-forward', field: 'status', message: `The status cannot move from ${previousStatus} to ${task.status}` });
  }
  return errors;
}

/** The small-grant yearly cap for one NGO: the other small grants of the year plus this one. */
export function yearlyCapExceeded(otherSmallGrants: string, amountGranted: string): boolean {
  return toGrosze(otherSmallGrants) + toGrosze(amountGranted) > toGrosze(SMALL_GRANT_YEARLY_MAX);
}
