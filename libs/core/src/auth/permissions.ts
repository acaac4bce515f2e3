import type { Role } from './actor';

/**
 * The contract's permission table (../shared/api-contract.md, "Permissions"). Routes name a
 * permission with @Permit(); the guard admits the roles listed here. Reads by the `ngo` role are
 * further limited to its own NGO by the services (per-record checks).
 */
export const PERMISSIONS = {
  /** any signed-in user (e.g. GET /me) */
  'signed-in': ['admin', 'official', 'auditor', 'ngo'],
  /** read NGOs, programmes, tasks, activities, commissions (ngo: own NGO only) */
  'registers.read': ['admin', 'official', 'auditor', 'ngo'],
  /** write NGOs, programmes, tasks, activities, commissions, members, meetings */
  'registers.write': ['admin', 'official'],
  /** read annual reports, drafts included (the public reads published revisions without signing in) */
  'reports.read': ['admin', 'official', 'auditor'],
  /** compile / publish reports; read the scheduler's runs */
  'reports.manage': ['admin', 'official'],
  /** exports, audit log */
  'audit.read': ['admin', 'official', 'auditor'],
  /** the municipality's users */
  'users.manage': ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function roleHas(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}
