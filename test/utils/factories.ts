import { withNipCheckDigit, withRegonCheckDigit } from '@app/core';
import type { TestApp } from './test-app';
import { createUser, TEST_PASSWORD } from './users';

let counter = 0;
const runSeed = Math.floor(Math.random() * 90_000) + 10_000;

/** Identifiers unique within a test run, each with a valid checksum. */
export function uniqueIdentifiers(): { krs: string; nip: string; regon: string } {
  counter += 1;
  const n = runSeed * 1000 + counter;
  let nip: string | null = null;
  for (let k = 0; !nip; k++) nip = withNipCheckDigit(String((n * 7 + k) % 1_000_000_000).padStart(9, '1'));
  return {
    krs: String(n).padStart(10, '0'),
    nip,
    regon: withRegonCheckDigit(String(n % 100_000_000).padStart(8, '0')),
  };
}

export function newNgo(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: `Stowarzyszenie Testowe ${counter + 1}`,
    legalForm: 'association',
    ...uniqueIdentifiers(),
    spheres: ['1', '16'],
    publicBenefit: false,
    ...overrides,
  };
}

export function newProgram(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { title: 'Wieloletni program współpracy 2019–2022', kind: 'multi-year', startYear: 2019, endYear: 2022, ...overrides };
}

/** An open-competition task of 2019 under `programId`, carried out by `ngoIds` (the first is the lead). */
export function newTask(programId: string, ngoIds: string[], overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    programId,
    title: 'Prowadzenie Klubu Seniora',
    sphere: '16',
    mode: 'open-competition',
    form: 'support',
    department: 'Wydział Kultury i Dziedzictwa Narodowego',
    ngoIds,
    amountRequested: '60000.00',
    amountGranted: '50000.00',
    startDate: '2019-03-01',
    endDate: '2019-11-30',
    status: 'contracted',
    ...overrides,
  };
}

export interface Tokens {
  admin: string;
  official: string;
  auditor: string;
  ngo: string;
  /** the NGO the ngo user speaks for */
  ngoId: string;
}

/** The password of every user the factories make (test/utils/users.ts). */
export const ROLE_PASSWORD = TEST_PASSWORD;

/**
 * As the municipality's admin of `adminToken`, creates one user of each other role (the ngo user
 * bound to a new NGO, made through the API) and returns their tokens. The users are written as
 * POST /users writes them, audit entry included, but without argon2 (see test/utils/users.ts).
 */
export async function usersOfEveryRole(t: TestApp, adminToken: string, tag: string): Promise<Tokens> {
  const ngo = await t.call('POST', '/api/v1/ngos', { token: adminToken, body: newNgo({ name: `NGO of ${tag}` }) });
  if (ngo.status !== 201) throw new Error(`could not create the NGO: ${ngo.text}`);
  const tokens: Partial<Tokens> = { admin: adminToken, ngoId: ngo.body.id };
  for (const role of ['official', 'auditor', 'ngo'] as const) {
    tokens[role] = (await createUser(t, adminToken, { email: `${role}.${tag}@test.example`, role, ngoId: role === 'ngo' ? ngo.body.id : null })).token;
  }
  return tokens as Tokens;
}

/** A non-financial activity inside the default programme years (2019–2022) of `newProgram()`. */
export function newActivity(programId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    programId,
    type: 'consultation',
    title: 'Konsultacje projektu rocznego programu współpracy',
    startDate: '2020-10-01',
    department: 'Wydział Polityki Społecznej i Zdrowia',
    ngoIds: [],
    ...overrides,
  };
}

/** A commission whose term runs from 1 January of last year to 31 December of the year after next (so today is inside it). */
export function newCommission(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const year = new Date().getUTCFullYear();
  counter += 1;
  return {
    name: `Komisja Dialogu Obywatelskiego ${counter}`,
    department: 'Wydział Polityki Społecznej',
    termStart: `${year - 1}-01-01`,
    termEnd: `${year + 2}-12-31`,
    ...overrides,
  };
}

/** A member that joins on the first day of newCommission()'s term and stays. */
export function newMember(ngoId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ngoId, representative: 'Anna Nowak', role: 'member', from: `${new Date().getUTCFullYear() - 1}-01-01`, ...overrides };
}
