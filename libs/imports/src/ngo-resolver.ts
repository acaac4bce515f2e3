import { checkNip, compactId } from '@app/core';
import type { EntityManager } from 'typeorm';
import { cellValue } from './columns';
import type { Layout } from './layout';
import type { Sheet } from './sheet';

export type Resolution = { id: string } | { error: string };
export type NgoResolver = (token: string) => Resolution;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Resolves the `ngoIds` entries of a task file in one query: an NGO of the municipality by id,
 * or by a 10-digit number read as a KRS first and then, when it is a valid NIP, as a NIP (a KRS
 * has no checksum). A number that is one NGO's KRS and another's NIP is ambiguous.
 */
export async function ngoResolver(em: EntityManager, municipalityId: string, sheet: Sheet, layout: Layout): Promise<NgoResolver> {
  const index = layout.byIndex.findIndex((c) => c?.name === 'ngoIds');
  const spec = layout.byIndex[index];
  const ids = new Set<string>();
  const numbers = new Set<string>();
  if (spec) {
    for (const row of sheet.rows) {
      const value = cellValue(spec, row.cells[index] ?? null, 'krs');
      for (const token of Array.isArray(value) ? (value as string[]) : []) {
        if (UUID.test(token)) ids.add(token.toLowerCase());
        else if (/^\d{10}$/.test(compactId(token))) numbers.add(compactId(token));
      }
    }
  }
  const rows: Array<{ id: string; krs: string | null; nip: string | null }> =
    ids.size || numbers.size
      ? await em.query(`SELECT id::text, krs, nip FROM ngos WHERE municipality_id = $1 AND (id = ANY($2::uuid[]) OR krs = ANY($3::bpchar[]) OR nip = ANY($3::bpchar[]))`, [
          municipalityId,
          [...ids],
          [...numbers],
        ])
      : [];
  const byId = new Set(rows.map((r) => r.id));
  const byKrs = new Map(rows.filter((r) => r.krs).map((r) => [r.krs!, r.id]));
  const byNip = new Map(rows.filter((r) => r.nip).map((r) => [r.nip!, r.id]));
  return (token) => {
    if (UUID.test(token)) {
      const id = token.toLowerCase();
      return byId.has(id) ? { id } : { error: `"${token}": no NGO with this id in this municipality` };
    }
    const number = compactId(token);
    if (!/^\d{10}$/.test(number)) return { error: `"${token}" is neither an NGO id (UUID) nor a KRS or NIP number (10 digits)` };
    const krs = byKrs.get(number);
    const nip = checkNip(number) === 'ok' ? byNip.get(number) : undefined;
    if (krs && nip && krs !== nip) return { error: `"${token}" is the KRS of one NGO and the NIP of another; give the NGO's id` };
    const id = krs ?? nip;
    return id ? { id } : { error: `"${token}": no NGO with this KRS or NIP in this municipality` };
  };
}
