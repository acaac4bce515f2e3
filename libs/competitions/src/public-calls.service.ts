import { moneyFromDb, NotFound, ReadReplicas } from '@app/core';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { callView, SELECT_CALL, type CallRow } from './calls.service';
import type { CallView } from './dto/call.dto';
import { OFFER_NGO_NAMES_SQL } from './offer.sql';

const SLUG = /^[a-z0-9-]{1,100}$/;

export interface CallResult {
  offerId: string;
  ngoNames: string[];
  title: string | null;
  score: string | null;
  amount: string | null;
}

export interface PublicCall extends Omit<CallView, 'version' | 'createdAt' | 'updatedAt' | 'programId'> {
  /** art. 15 ust. 2h, once resolved: every offer the commission weighed, awarded first */
  results: CallResult[] | null;
  /** offers submitted (withdrawn ones not counted) */
  offers: number;
}

/** Order on the public list: open calls first (nearest deadline first), then closed, resolved and cancelled ones. */
const ORDER = { published: 0, closed: 1, resolved: 2, cancelled: 3 } as Record<string, number>;

/** The calls as the public reads them (no sign-in): every announced call, never a draft; from a read replica when one is fit. */
@Injectable()
export class PublicCallsService {
  constructor(private readonly replicas: ReadReplicas) {}

  async municipality(slug: string, db: EntityManager = this.replicas.manager()): Promise<{ id: string; name: string; slug: string }> {
    const [m]: Array<{ id: string; name: string; slug: string }> = SLUG.test(slug) ? await db.query(`SELECT id::text, name, slug FROM municipalities WHERE slug = $1`, [slug]) : [];
    if (!m) throw new NotFound('municipality', slug);
    return m;
  }

  private publicView(row: CallRow, offers: number, results: CallResult[] | null): PublicCall {
    const { version: _v, createdAt: _c, updatedAt: _u, programId: _p, ...view } = callView(row, row.prior_spend!);
    return { ...view, offers, results };
  }

  async list(slug: string): Promise<{ municipality: { name: string; slug: string }; items: PublicCall[] }> {
    const db = this.replicas.manager();
    const m = await this.municipality(slug, db);
    const rows: Array<CallRow & { offers: number }> = await db.query(
      `${SELECT_CALL.replace('FROM calls c', `, (SELECT count(*)::int FROM offers o WHERE o.municipality_id = c.municipality_id AND o.call_id = c.id AND o.status NOT IN ('draft', 'withdrawn')) AS offers FROM calls c`)}
        WHERE c.municipality_id = $1 AND c.status <> 'draft'`,
      [m.id],
    );
    rows.sort((a, b) => ORDER[a.status] - ORDER[b.status] || (a.status === 'published' ? a.offers_until.getTime() - b.offers_until.getTime() : b.offers_until.getTime() - a.offers_until.getTime()) || a.number.localeCompare(b.number));
    return { municipality: { name: m.name, slug: m.slug }, items: rows.map((r) => this.publicView(r, r.offers, null)) };
  }

  async get(slug: string, id: string): Promise<PublicCall & { municipality: { name: string; slug: string } }> {
    const db = this.replicas.manager();
    const m = await this.municipality(slug, db);
    const [row]: CallRow[] = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id) ? await db.query(`${SELECT_CALL} WHERE c.municipality_id = $1 AND c.id = $2 AND c.status <> 'draft'`, [m.id, id]) : [];
    if (!row) throw new NotFound('call', id);
    const [{ offers }]: Array<{ offers: number }> = await db.query(
      `SELECT count(*)::int AS offers FROM offers WHERE municipality_id = $1 AND call_id = $2 AND status NOT IN ('draft', 'withdrawn')`,
      [m.id, id],
    );
    let results: CallResult[] | null = null;
    if (row.status === 'resolved') {
      const rows: Array<{ id: string; title: string | null; ngo_names: string[]; score: string | null; award: string | null }> = await db.query(
        `SELECT o.id::text, o.content->>'title' AS title, o.award::text,
                ${OFFER_NGO_NAMES_SQL} AS ngo_names,
                s.score::text AS score
           FROM offers o
           LEFT JOIN LATERAL (SELECT round(avg(x.total), 2) AS score FROM offer_scores x WHERE x.municipality_id = o.municipality_id AND x.offer_id = o.id) s ON true
          WHERE o.municipality_id = $1 AND o.call_id = $2 AND o.status IN ('awarded', 'not-awarded')
          ORDER BY o.status = 'awarded' DESC, s.score DESC NULLS LAST, o.id`,
        [m.id, id],
      );
      results = rows.map((r) => ({ offerId: r.id, ngoNames: r.ngo_names, title: r.title, score: r.score, amount: moneyFromDb(r.award) }));
    }
    return { municipality: { name: m.name, slug: m.slug }, ...this.publicView(row, offers, results) };
  }
}
