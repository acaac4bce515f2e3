export const ROLES = ['admin', 'official', 'auditor', 'ngo'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: read from the bearer token; every query is scoped to `municipalityId`. */
export interface Actor {
  userId: string;
  email: string;
  municipalityId: string;
  role: Role;
  /** The NGO an `ngo` user speaks for; null for every other role. */
  ngoId: string | null;
  platformAdmin: boolean;
}

/** Claims of the access token (a JWT signed with HS256). */
export interface TokenClaims {
  sub: string;
  email: string;
  mun: string;
  role: Role;
  ngo: string | null;
  pa: boolean;
  /** users.token_version when the token was issued: a token whose version is no longer the user's is refused. */
  tv: number;
}
