import { recordAudit, type AuditActor } from '@app/audit';
import { Conflict, isUniqueViolation } from '@app/core';
import type { EntityManager } from 'typeorm';
import { MunicipalityEntity } from './municipality.entity';
import { UserEntity, type NewUser } from './user.entity';

export interface NewMunicipality {
  name: string;
  slug: string;
  teryt: string;
}

export interface NewAdmin {
  email: string;
  passwordHash: string;
  platformAdmin: boolean;
}

/**
 * Creates a municipality and its first admin, and opens the municipality's audit trail with both;
 * used by the API (actor: the platform admin) and by the first-start bootstrap (actor: the system).
 */
export async function createMunicipalityWithAdmin(em: EntityManager, m: NewMunicipality, admin: NewAdmin, actor: AuditActor): Promise<{ municipality: MunicipalityEntity; admin: UserEntity }> {
  let municipality: MunicipalityEntity;
  try {
    municipality = await em.save(em.create(MunicipalityEntity, m));
  } catch (error) {
    if (isUniqueViolation(error, 'municipalities_slug_key')) throw new Conflict(`The slug "${m.slug}" is taken`, [{ field: 'slug', message: 'is already used by another municipality' }]);
    if (isUniqueViolation(error, 'municipalities_teryt_key')) throw new Conflict(`The TERYT code ${m.teryt} is registered already`, [{ field: 'teryt', message: 'is already registered' }]);
    throw error;
  }
  const user = await insertUser(em, { municipalityId: municipality.id, email: admin.email, passwordHash: admin.passwordHash, role: 'admin', ngoId: null, platformAdmin: admin.platformAdmin }, 'admin.email');
  await recordAudit(em, municipality.id, actor, { action: 'create', entity: 'municipality', entityId: municipality.id, after: { id: municipality.id, name: municipality.name, slug: municipality.slug, teryt: municipality.teryt } });
  await recordAudit(em, municipality.id, actor, { action: 'create', entity: 'user', entityId: user.id, after: { id: user.id, email: user.email, role: user.role, platformAdmin: user.platformAdmin } });
  return { municipality, admin: user };
}

/** A new user; 409 only when the email is taken in the same municipality (emails are unique per municipality, so nothing is told about others). */
export async function insertUser(em: EntityManager, values: NewUser, emailField = 'email'): Promise<UserEntity> {
  try {
    return await em.save(em.create(UserEntity, { ...values, email: values.email.toLowerCase() }));
  } catch (error) {
    if (isUniqueViolation(error, 'users_municipality_email_key')) throw new Conflict(`A user with the email ${values.email} exists already`, [{ field: emailField, message: 'is already used by another user' }]);
    throw error;
  }
}
