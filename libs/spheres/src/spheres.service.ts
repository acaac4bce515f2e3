import { currentManager, ValidationFailed } from '@app/core';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { SphereQuery, SphereView } from './sphere.dto';

@Injectable()
export class SpheresService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** The spheres in force on a day (today by default), or every version with `all`. */
  async list(query: SphereQuery): Promise<SphereView[]> {
    const params: unknown[] = [];
    let where = '';
    if (!query.all) {
      params.push(query.on ?? new Date().toISOString().slice(0, 10));
      where = 'WHERE (valid_from IS NULL OR valid_from <= $1::date) AND (valid_to IS NULL OR valid_to >= $1::date)';
    }
    const rows: Array<{ code: string; name: string; valid_from: string | null; valid_to: string | null }> = await this.ds.query(
      `SELECT code, name, to_char(valid_from, 'YYYY-MM-DD') AS valid_from, to_char(valid_to, 'YYYY-MM-DD') AS valid_to
         FROM spheres ${where} ORDER BY sort_key, valid_from NULLS FIRST`,
      params,
    );
    return rows.map((r) => ({ code: r.code, name: r.name, validFrom: r.valid_from, validTo: r.valid_to }));
  }

  /** Refuses codes that the dictionary does not hold (in any version), naming each bad entry. */
  async assertKnown(codes: readonly string[] | undefined | null, field = 'spheres', em: EntityManager = currentManager(this.ds)): Promise<void> {
    if (!codes?.length) return;
    const rows: Array<{ code: string }> = await em.query('SELECT DISTINCT code FROM spheres WHERE code = ANY($1::text[])', [codes]);
    const known = new Set(rows.map((r) => r.code));
    const errors = codes.flatMap((code, i) => (known.has(code) ? [] : [{ field: `${field}.${i}`, message: `"${code}" is not a public-benefit sphere code` }]));
    if (errors.length) throw new ValidationFailed(errors);
  }

  /** One record's sphere (a single code in `field`, e.g. a commission's or a call's): 400 naming the field when unknown. */
  async assertKnownOne(code: string | null | undefined, field = 'sphere'): Promise<void> {
    if (!code) return;
    const [row] = await currentManager(this.ds).query('SELECT 1 FROM spheres WHERE code = $1 LIMIT 1', [code]);
    if (!row) throw ValidationFailed.field(field, `"${code}" is not a public-benefit sphere code`);
  }
}
