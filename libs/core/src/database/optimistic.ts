import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

export interface VersionedKey {
  id: string;
  municipalityId: string;
  version: number;
}

/**
 * The optimistic write: `UPDATE … SET …, version = version + 1 WHERE id = … AND
 * municipality_id = … AND version = …`. The condition is part of the write itself, so of
 * several concurrent updates carrying the same version exactly one matches a row.
 * Returns false when no row matched (stale version, or no such record).
 */
export async function updateIfVersion<E extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<E>,
  key: VersionedKey,
  changes: Partial<E>,
): Promise<boolean> {
  const result = await manager
    .createQueryBuilder()
    .update(entity)
    .set({ ...changes, version: () => 'version + 1', updatedAt: () => 'now()' } as never)
    .where('id = :id AND municipality_id = :municipalityId AND version = :version', key)
    .execute();
  return result.affected === 1;
}

/**
 * Archives instead of deleting: sets archived_at once (the record and its history stay) and
 * moves the version on; archiving an archived record changes nothing.
 */
export async function archiveOnce<E extends ObjectLiteral>(manager: EntityManager, entity: EntityTarget<E>, key: { id: string; municipalityId: string }): Promise<void> {
  await manager
    .createQueryBuilder()
    .update(entity)
    .set({ archivedAt: () => 'now()', updatedAt: () => 'now()', version: () => 'version + 1' } as never)
    .where('id = :id AND municipality_id = :municipalityId AND archived_at IS NULL', key)
    .execute();
}

/** Escapes a user's search text for ILIKE. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The fields a PATCH body actually carries (undefined means "leave as it is"; null clears). */
export function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
