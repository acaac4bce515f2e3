import { recordAudit } from '@app/audit';
import type { Role } from '@app/core';
import { createMunicipalityWithAdmin, insertUser, PasswordHasher } from '@app/identity';
import { CommandFailed } from '../errors';
import type { Outcome } from '../outcome';
import type { Session } from '../session';
import type { NgoRef } from '../values';

export interface NewUser {
  email: string;
  role: Role;
  ngo?: NgoRef;
  password: string;
  municipality?: string;
}

/** user:create — a user of one municipality, written with its audit entry in one transaction (as POST /users does). */
export async function createUser(session: Session, input: NewUser): Promise<Outcome> {
  const m = await session.municipality(input.municipality);
  let ngo: { id: string; name: string } | null = null;
  if (input.ngo) {
    const [found]: Array<{ id: string; name: string }> =
      'id' in input.ngo
        ? await session.ds.query('SELECT id, name FROM ngos WHERE municipality_id = $1 AND id = $2', [m.id, input.ngo.id])
        : await session.ds.query('SELECT id, name FROM ngos WHERE municipality_id = $1 AND krs = $2', [m.id, input.ngo.krs]);
    if (!found) throw new CommandFailed(`no NGO with the ${'id' in input.ngo ? `id ${input.ngo.id}` : `KRS ${input.ngo.krs}`} in ${m.slug}`);
    ngo = found;
  }
  const passwordHash = await new PasswordHasher(session.config).hash(input.password);
  const user = await session.ds.transaction(async (em) => {
    const created = await insertUser(em, { municipalityId: m.id, email: input.email, passwordHash, role: input.role, ngoId: ngo?.id ?? null, platformAdmin: false });
    const after = { id: created.id, email: created.email, role: created.role, ngoId: created.ngoId, platformAdmin: created.platformAdmin, municipalityId: m.id, createdAt: created.createdAt.toISOString() };
    await recordAudit(em, m.id, session.actor, { action: 'create', entity: 'user', entityId: created.id, after });
    return after;
  });
  return {
    lines: [`created the ${user.role} ${user.email} in ${m.slug}${ngo ? ` for the NGO "${ngo.name}"` : ''}`, `  id: ${user.id}`],
    json: { ...user, municipality: { id: m.id, slug: m.slug, name: m.name } },
  };
}

export interface NewMunicipality {
  name: string;
  slug: string;
  teryt: string;
  adminEmail: string;
  adminPassword: string;
}

/** municipality:create — a municipality with its first admin, as POST /municipalities does for the platform admin. */
export async function createMunicipality(session: Session, input: NewMunicipality): Promise<Outcome> {
  const passwordHash = await new PasswordHasher(session.config).hash(input.adminPassword);
  const { municipality, admin } = await session.ds.transaction((em) =>
    createMunicipalityWithAdmin(em, { name: input.name, slug: input.slug, teryt: input.teryt }, { email: input.adminEmail, passwordHash, platformAdmin: false }, session.actor),
  );
  return {
    lines: [`created the municipality ${municipality.name} (${municipality.slug}, TERYT ${municipality.teryt})`, `  id: ${municipality.id}`, `  admin: ${admin.email} (id ${admin.id})`],
    json: { id: municipality.id, name: municipality.name, slug: municipality.slug, teryt: municipality.teryt, createdAt: municipality.createdAt.toISOString(), admin: { id: admin.id, email: admin.email } },
  };
}
