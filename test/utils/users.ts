import { audit } from '@app/audit';
import { inTransaction, type Actor, type Role, type TokenClaims } from '@app/core';
import { createMunicipalityWithAdmin, insertUser, PasswordHasher, UserEntity } from '@app/identity';
import { JwtService } from '@nestjs/jwt';
import { testConfig, type TestApp } from './test-app';
import { TEST_PASSWORD } from './test-password';

/**
 * Users as a means, not as the subject: inserted straight into the database with a password hash
 * computed once per run (argon2id, as the application hashes, of TEST_PASSWORD), and signed in by
 * the application's own JwtService with the claims a sign-in gives. Argon2 costs a second or more
 * on a loaded machine, twice per user through POST /users and POST /auth/login; specs that test
 * accounts or sign-in itself keep the real endpoints.
 */
export { TEST_PASSWORD };

let hash: Promise<string> | undefined;
/** The global set-up computes it once per run (TEST_PASSWORD_HASH); a file run without it hashes once. */
export function testPasswordHash(): Promise<string> {
  hash ??= process.env.TEST_PASSWORD_HASH ? Promise.resolve(process.env.TEST_PASSWORD_HASH) : new PasswordHasher(testConfig()).hash(TEST_PASSWORD);
  return hash;
}

type Signable = Pick<UserEntity, 'id' | 'email' | 'municipalityId' | 'role' | 'ngoId' | 'platformAdmin' | 'tokenVersion'>;

/** The token POST /auth/login would give this user now. */
export async function tokenOf(t: TestApp, user: Signable): Promise<string> {
  const claims: TokenClaims = { sub: user.id, email: user.email, mun: user.municipalityId, role: user.role, ngo: user.ngoId, pa: user.platformAdmin, tv: user.tokenVersion };
  return t.app.get(JwtService).signAsync(claims, { expiresIn: t.config.tokenTtlSeconds });
}

/** Signs in the active user with this email (in the municipality of `slug` when the email is used in several). */
export async function signIn(t: TestApp, email: string, slug?: string): Promise<string> {
  const qb = t.db.getRepository(UserEntity).createQueryBuilder('u').where('u.email = :email AND u.active', { email: email.toLowerCase() });
  if (slug) qb.innerJoin('municipalities', 'm', 'm.id = u.municipality_id AND m.slug = :slug', { slug });
  const users = await qb.getMany();
  if (users.length !== 1) throw new Error(`signIn(${email}${slug ? `, ${slug}` : ''}): ${users.length} active users match`);
  return tokenOf(t, users[0]);
}

/** The actor a token stands for (the token is trusted: the tests made it). */
function actorOf(t: TestApp, token: string): Actor {
  const c = t.app.get(JwtService).decode<TokenClaims>(token);
  return { userId: c.sub, email: c.email, municipalityId: c.mun, role: c.role, ngoId: c.ngo, platformAdmin: c.pa };
}

export interface NewTestUser {
  email: string;
  role: Role;
  ngoId?: string | null;
}

/**
 * What POST /users does, as the admin of `adminToken` (the user and its audit entry, in one
 * transaction), with TEST_PASSWORD's hash; returns the user's view and token.
 */
export async function createUser(t: TestApp, adminToken: string, values: NewTestUser): Promise<{ id: string; email: string; token: string }> {
  const actor = actorOf(t, adminToken);
  const passwordHash = await testPasswordHash();
  const user = await inTransaction(t.db, async (em) => {
    const created = await insertUser(em, { municipalityId: actor.municipalityId, email: values.email, passwordHash, role: values.role, ngoId: values.ngoId ?? null, platformAdmin: false });
    const row = await em.getRepository(UserEntity).findOneByOrFail({ id: created.id });
    const after = { id: row.id, email: row.email, role: row.role, ngoId: row.ngoId, platformAdmin: row.platformAdmin, active: row.active, municipalityId: row.municipalityId, createdAt: row.createdAt.toISOString(), version: row.version };
    await audit(em, actor, { action: 'create', entity: 'user', entityId: row.id, after });
    return row;
  });
  return { id: user.id, email: user.email, token: await tokenOf(t, user) };
}

export interface NewTestMunicipality {
  name: string;
  slug: string;
  teryt: string;
  adminEmail: string;
}

/**
 * What POST /municipalities does, as the platform admin (the municipality, its first admin with
 * TEST_PASSWORD's hash, and their audit entries); returns the ids and the admin's token.
 */
export async function createMunicipality(t: TestApp, platformAdminToken: string, m: NewTestMunicipality): Promise<{ id: string; adminId: string; admin: string }> {
  const actor = actorOf(t, platformAdminToken);
  const passwordHash = await testPasswordHash();
  const { municipality, admin } = await inTransaction(t.db, (em) =>
    createMunicipalityWithAdmin(em, { name: m.name, slug: m.slug, teryt: m.teryt }, { email: m.adminEmail, passwordHash, platformAdmin: false }, actor),
  );
  const row = await t.db.getRepository(UserEntity).findOneByOrFail({ id: admin.id });
  return { id: municipality.id, adminId: admin.id, admin: await tokenOf(t, row) };
}
