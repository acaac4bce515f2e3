import { audit } from '@app/audit';
import { canonicalHash, Conflict, Forbidden, inTransaction, moneyFromDb, NotFound, pageWindow, RuleViolation, SqlWhere, StaleVersion, type Actor, type Page } from '@app/core';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { CallsService, type CallRow } from './calls.service';
import { CommissionAccess } from './commission.access';
import type { CreateOfferDto, FormalCheckDto, OfferQuery, OfferStatus, OfferView, ScoresDto, UpdateOfferDto } from './dto/offer.dto';
import { FUNDING_KEYS, grantRequestedOf, offerRuleErrors, type CallTerms, type OfferContent } from './offer.rules';
import { OFFER_NGO_IDS_SQL } from './offer.sql';

export interface OfferRow {
  id: string;
  call_id: string;
  content: OfferContent;
  grant_requested: string | null;
  status: OfferStatus;
  submitted_at: Date | null;
  checksum: string | null;
  formal_result: string | null;
  formal_reason: string | null;
  formal_by: string | null;
  formal_at: Date | null;
  award: string | null;
  task_id: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  ngo_ids: string[];
  score: string | null;
}

export const SELECT_OFFER = `
  SELECT o.id::text, o.call_id::text, o.content, o.grant_requested::text, o.status, o.submitted_at, o.checksum,
         o.formal_result, o.formal_reason, o.formal_by::text, o.formal_at, o.award::text, o.task_id::text, o.version, o.created_at, o.updated_at,
         ${OFFER_NGO_IDS_SQL} AS ngo_ids,
         (SELECT round(avg(s.total), 2)::text FROM offer_scores s WHERE s.municipality_id = o.municipality_id AND s.offer_id = o.id) AS score
    FROM offers o`;

/** The form's sections in a fixed shape: every field present (null or empty when not filled in). */
export function fullContent(c: OfferContent): Required<OfferContent> {
  return {
    title: c.title ?? null,
    place: c.place ?? null,
    targetGroup: c.targetGroup ?? null,
    summary: c.summary ?? null,
    startDate: c.startDate ?? null,
    endDate: c.endDate ?? null,
    schedule: (c.schedule ?? []).map((s) => ({ name: s.name ?? null, description: s.description ?? null, from: s.from ?? null, to: s.to ?? null, ngoId: s.ngoId ?? null })),
    results: (c.results ?? []).map((r) => ({ name: r.name ?? null, targetValue: r.targetValue ?? null, monitoring: r.monitoring ?? null })),
    priorActivity: c.priorActivity ?? null,
    resources: c.resources ?? null,
    costs: (c.costs ?? []).map((l) => ({
      category: l.category ?? null,
      name: l.name ?? null,
      unit: l.unit ?? null,
      quantity: l.quantity ?? null,
      unitCost: l.unitCost ?? null,
      fromGrant: l.fromGrant ?? null,
      fromOwn: l.fromOwn ?? null,
      fromOther: l.fromOther ?? null,
    })),
    funding: Object.fromEntries(FUNDING_KEYS.map((k) => [k, c.funding?.[k] ?? null])),
    volunteers: c.volunteers ?? null,
    otherInformation: c.otherInformation ?? null,
  };
}

export function callTerms(call: CallRow): CallTerms {
  return {
    form: call.form,
    taskStart: call.task_start,
    taskEnd: call.task_end,
    minGrant: moneyFromDb(call.min_grant),
    maxGrant: moneyFromDb(call.max_grant),
    ownContributionMin: call.own_contribution_min === null ? null : Number(call.own_contribution_min),
  };
}

/** What the checksum covers: the offer as submitted, in RFC 8785 canonical JSON. */
export function checksumOf(id: string, callId: string, ngoIds: string[], content: OfferContent, submittedAt: Date): string {
  return canonicalHash({ id, callId, ngoIds, ...fullContent(content), submittedAt: submittedAt.toISOString() });
}

const CONTENT_KEYS = ['title', 'place', 'targetGroup', 'summary', 'startDate', 'endDate', 'schedule', 'results', 'priorActivity', 'resources', 'costs', 'funding', 'volunteers', 'otherInformation'] as const;

function contentOf(dto: Partial<OfferContent>): OfferContent {
  const out: Record<string, unknown> = {};
  for (const key of CONTENT_KEYS) if (dto[key] !== undefined) out[key] = dto[key];
  // class-transformer instances to plain data
  return JSON.parse(JSON.stringify(out)) as OfferContent;
}

@Injectable()
export class OffersService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly calls: CallsService,
    private readonly access: CommissionAccess,
  ) {}

  async row(em: EntityManager, municipalityId: string, id: string, lock = false): Promise<OfferRow> {
    const [row]: OfferRow[] = await em.query(`${SELECT_OFFER} WHERE o.municipality_id = $1 AND o.id = $2 ${lock ? 'FOR UPDATE OF o' : ''}`, [municipalityId, id]);
    if (!row) throw new NotFound('offer', id);
    return row;
  }

  view(row: OfferRow, call: CallRow | null, options: { score?: boolean; problems?: boolean } = {}): OfferView {
    const content = fullContent(row.content);
    const view = {
      id: row.id,
      callId: row.call_id,
      ngoIds: row.ngo_ids,
      ...content,
      status: row.status,
      submittedAt: row.submitted_at?.toISOString() ?? null,
      checksum: row.checksum,
      formalCheck: row.formal_result ? { result: row.formal_result, reason: row.formal_reason, by: row.formal_by!, at: row.formal_at!.toISOString() } : null,
      award: moneyFromDb(row.award),
      taskId: row.task_id,
      version: row.version,
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
    } as OfferView;
    if (options.score) view.score = row.score;
    if (options.problems && call && row.status === 'draft') view.problems = offerRuleErrors(row.content, row.ngo_ids, callTerms(call)) as OfferView['problems'];
    return view;
  }

  /** Who may read the offer, and what they see: the NGOs of the offer; officials, auditors and members as CommissionAccess allows. */
  private async readable(em: EntityManager, actor: Actor, row: OfferRow): Promise<OfferView> {
    const call = await this.calls.row(em, actor.municipalityId, row.call_id);
    const own = actor.ngoId !== null && row.ngo_ids.includes(actor.ngoId);
    if (own) return this.view(row, call, { score: call.status === 'resolved', problems: true });
    if (row.status === 'draft') throw new NotFound('offer', row.id);
    const seen = await this.access.offerAccess(em, actor, call, row);
    return this.view(row, call, { score: seen.score });
  }

  async get(actor: Actor, id: string): Promise<OfferView> {
    return this.readable(this.ds.manager, actor, await this.row(this.ds.manager, actor.municipalityId, id));
  }

  /** GET /calls/{id}/offers: an NGO's own (drafts included); to others the submitted ones they may see. */
  async listOfCall(actor: Actor, callId: string, query: OfferQuery): Promise<Page<OfferView>> {
    const em = this.ds.manager;
    const call = await this.calls.row(em, actor.municipalityId, callId);
    const { page, limit, offset } = pageWindow(query);
    const where = new SqlWhere('o.municipality_id = ?', actor.municipalityId).and('o.call_id = ?', callId);
    if (query.status) where.and('o.status = ?', query.status);
    const scope = await this.access.listScope(em, actor, call, where);
    const [{ total }]: Array<{ total: number }> = await em.query(`SELECT count(*)::int AS total FROM offers o WHERE ${where.sql}`, where.params);
    const rows: OfferRow[] = await em.query(`${SELECT_OFFER} WHERE ${where.sql} ORDER BY o.submitted_at NULLS LAST, o.created_at, o.id LIMIT ${limit} OFFSET ${offset}`, where.params);
    return {
      items: rows.map((r) => {
        const own = actor.ngoId !== null && r.ngo_ids.includes(actor.ngoId);
        return this.view(r, call, own ? { score: call.status === 'resolved', problems: true } : { score: scope.score });
      }),
      total,
      page,
      limit,
    };
  }

  /** GET /offers: an NGO's offers in every call. */
  async listOwn(actor: Actor, query: OfferQuery): Promise<Page<OfferView>> {
    if (actor.role !== 'ngo' || !actor.ngoId) throw new Forbidden('The list of one\'s own offers is for NGO accounts; officials read the offers of a call');
    const { page, limit, offset } = pageWindow(query);
    const where = new SqlWhere('o.municipality_id = ?', actor.municipalityId).and(
      'EXISTS (SELECT 1 FROM offer_ngos n WHERE n.municipality_id = o.municipality_id AND n.offer_id = o.id AND n.ngo_id = ?)',
      actor.ngoId,
    );
    if (query.status) where.and('o.status = ?', query.status);
    const [{ total }]: Array<{ total: number }> = await this.ds.query(`SELECT count(*)::int AS total FROM offers o WHERE ${where.sql}`, where.params);
    const rows: OfferRow[] = await this.ds.query(`${SELECT_OFFER} WHERE ${where.sql} ORDER BY o.updated_at DESC, o.id LIMIT ${limit} OFFSET ${offset}`, where.params);
    const calls = new Map<string, CallRow>();
    const items: OfferView[] = [];
    for (const r of rows) {
      let call = calls.get(r.call_id);
      if (!call) calls.set(r.call_id, (call = await this.calls.row(this.ds.manager, actor.municipalityId, r.call_id)));
      items.push(this.view(r, call, { score: call.status === 'resolved', problems: true }));
    }
    return { items, total, page, limit };
  }

  private assertLead(actor: Actor, ngoIds: string[]): void {
    if (actor.role !== 'ngo' || !actor.ngoId) throw new Forbidden('Offers are written by NGO accounts');
    if (ngoIds[0] !== actor.ngoId) throw new Forbidden('Only the lead NGO of an offer writes it');
  }

  private async checkNgos(em: EntityManager, actor: Actor, ngoIds: string[]): Promise<void> {
    const known: Array<{ id: string }> = await em.query(`SELECT id::text FROM ngos WHERE municipality_id = $1 AND id = ANY($2::uuid[]) AND archived_at IS NULL`, [actor.municipalityId, ngoIds]);
    const ids = new Set(known.map((k) => k.id));
    const errors = ngoIds.flatMap((id, i) => (ids.has(id) ? [] : [{ rule: 'offer.ngo-exists', field: `ngoIds[${i}]`, message: 'No active NGO with this id in this municipality' }]));
    if (errors.length) throw new RuleViolation(errors);
  }

  private async writeNgos(em: EntityManager, actor: Actor, offerId: string, ngoIds: string[]): Promise<void> {
    await em.query('DELETE FROM offer_ngos WHERE municipality_id = $1 AND offer_id = $2', [actor.municipalityId, offerId]);
    await em.query(
      `INSERT INTO offer_ngos (municipality_id, offer_id, ngo_id, position) SELECT $1, $2, ngo_id, ord - 1 FROM unnest($3::uuid[]) WITH ORDINALITY AS n (ngo_id, ord)`,
      [actor.municipalityId, offerId, ngoIds],
    );
  }

  /** A draft of the NGO's offer to a published call still taking offers; it may be incomplete or break rules. */
  async create(actor: Actor, callId: string, dto: CreateOfferDto): Promise<OfferView> {
    const ngoIds = dto.ngoIds ?? (actor.ngoId ? [actor.ngoId] : []);
    this.assertLead(actor, ngoIds);
    const content = contentOf(dto);
    return inTransaction(this.ds, async (em) => {
      const call = await this.calls.row(em, actor.municipalityId, callId, 'share');
      if (call.status !== 'published') throw new Conflict(call.status === 'draft' ? 'The call is not announced yet' : 'The call no longer takes offers');
      await this.checkNgos(em, actor, ngoIds);
      const [{ id }]: Array<{ id: string }> = await em.query(
        `INSERT INTO offers (municipality_id, call_id, content, grant_requested, created_by) VALUES ($1, $2, $3::jsonb, $4, $5) RETURNING id::text`,
        [actor.municipalityId, callId, JSON.stringify(content), grantRequestedOf(content), actor.userId],
      );
      await this.writeNgos(em, actor, id, ngoIds);
      const after = this.view(await this.row(em, actor.municipalityId, id), call, { problems: true });
      await audit(em, actor, { action: 'create', entity: 'offer', entityId: id, after });
      return after;
    });
  }

  /** Saves the draft's sections that are given (a section given replaces the stored one). */
  async update(actor: Actor, id: string, dto: UpdateOfferDto): Promise<OfferView> {
    return inTransaction(this.ds, async (em) => {
      const row = await this.row(em, actor.municipalityId, id, true);
      if (!actor.ngoId || !row.ngo_ids.includes(actor.ngoId)) throw new NotFound('offer', id);
      this.assertLead(actor, row.ngo_ids);
      if (row.version !== dto.version) throw new StaleVersion('offer');
      if (row.status !== 'draft') throw new Conflict('A submitted offer is frozen');
      const call = await this.calls.row(em, actor.municipalityId, row.call_id, 'share');
      if (call.status !== 'published') throw new Conflict('The call no longer takes offers: its drafts stay as they were');
      const ngoIds = dto.ngoIds ?? row.ngo_ids;
      this.assertLead(actor, ngoIds);
      if (dto.ngoIds) await this.checkNgos(em, actor, ngoIds);
      const content = { ...row.content, ...contentOf(dto) };
      await em.query(`UPDATE offers SET content = $3::jsonb, grant_requested = $4, version = version + 1, updated_at = now() WHERE municipality_id = $1 AND id = $2`, [
        actor.municipalityId,
        id,
        JSON.stringify(content),
        grantRequestedOf(content),
      ]);
      if (dto.ngoIds && dto.ngoIds.join() !== row.ngo_ids.join()) await this.writeNgos(em, actor, id, ngoIds);
      const before = this.view(row, call);
      const after = this.view(await this.row(em, actor.municipalityId, id), call, { problems: true });
      await audit(em, actor, { action: 'update', entity: 'offer', entityId: id, before, after });
      return after;
    });
  }

  /**
   * Submission, by the server's clock: the instant is read under the call's share lock and must
   * be before offersUntil (as the column holds it now); every rule of the form is checked; the
   * offer is frozen with its checksum. Commission members the offer's NGOs nominated or act for
   * are suspended (art. 15 ust. 2d) in the same transaction.
   */
  async submit(actor: Actor, id: string, version: number): Promise<OfferView> {
    return inTransaction(this.ds, async (em) => {
      const row = await this.row(em, actor.municipalityId, id, true);
      if (!actor.ngoId || !row.ngo_ids.includes(actor.ngoId)) throw new NotFound('offer', id);
      this.assertLead(actor, row.ngo_ids);
      if (row.version !== version) throw new StaleVersion('offer');
      if (row.status !== 'draft') throw new Conflict(`The offer is ${row.status} already`);
      const call = await this.calls.row(em, actor.municipalityId, row.call_id, 'share');
      const [{ now }]: Array<{ now: Date }> = await em.query('SELECT clock_timestamp() AS now');
      if (call.stored_status !== 'published' || now.getTime() >= call.offers_until.getTime()) {
        throw RuleViolation.of('offer.deadline', 'offersUntil', `Offers were taken until ${call.offers_until.toISOString()}; this one came at ${now.toISOString()}`);
      }
      const errors = offerRuleErrors(row.content, row.ngo_ids, callTerms(call));
      if (errors.length) throw new RuleViolation(errors);
      const checksum = checksumOf(row.id, row.call_id, row.ngo_ids, row.content, now);
      await em.query(`UPDATE offers SET status = 'submitted', submitted_at = $3, checksum = $4, version = version + 1, updated_at = now() WHERE municipality_id = $1 AND id = $2`, [
        actor.municipalityId,
        id,
        now,
        checksum,
      ]);
      await this.access.suspendBidders(em, actor, row.call_id, row.ngo_ids);
      const after = this.view(await this.row(em, actor.municipalityId, id), call);
      await audit(em, actor, { action: 'submit', entity: 'offer', entityId: id, after: { status: after.status, submittedAt: after.submittedAt, checksum } });
      return after;
    });
  }

  /** The NGO takes its offer back, until the call is resolved. */
  async withdraw(actor: Actor, id: string, version: number): Promise<OfferView> {
    return inTransaction(this.ds, async (em) => {
      const row = await this.row(em, actor.municipalityId, id, true);
      if (!actor.ngoId || !row.ngo_ids.includes(actor.ngoId)) throw new NotFound('offer', id);
      this.assertLead(actor, row.ngo_ids);
      if (row.version !== version) throw new StaleVersion('offer');
      if (!['draft', 'submitted', 'accepted', 'rejected'].includes(row.status)) throw new Conflict(`A ${row.status} offer cannot be withdrawn`);
      const call = await this.calls.row(em, actor.municipalityId, row.call_id, 'share');
      if (call.status === 'resolved' || call.status === 'cancelled') throw new Conflict(`The call is ${call.status}`);
      await em.query(`UPDATE offers SET status = 'withdrawn', withdrawn_at = now(), version = version + 1, updated_at = now() WHERE municipality_id = $1 AND id = $2`, [actor.municipalityId, id]);
      const after = this.view(await this.row(em, actor.municipalityId, id), call);
      await audit(em, actor, { action: 'withdraw', entity: 'offer', entityId: id, before: { status: row.status }, after: { status: after.status } });
      return after;
    });
  }

  /** The formal check (officials), once the deadline has passed and until the call is resolved. */
  async formalCheck(actor: Actor, id: string, dto: FormalCheckDto): Promise<OfferView> {
    if (dto.result === 'rejected' && !dto.reason?.trim()) throw RuleViolation.of('offer.rejection-reason', 'reason', 'Say why the offer fails the formal check');
    return inTransaction(this.ds, async (em) => {
      const row = await this.row(em, actor.municipalityId, id, true);
      if (row.status === 'draft') throw new NotFound('offer', id);
      const call = await this.calls.row(em, actor.municipalityId, row.call_id, 'share');
      if (call.status !== 'closed') throw new Conflict(call.status === 'published' ? 'The formal check starts when the deadline has passed' : `The call is ${call.status}`);
      if (!['submitted', 'accepted', 'rejected'].includes(row.status)) throw new Conflict(`A ${row.status} offer is not checked`);
      await em.query(
        `UPDATE offers SET status = $3, formal_result = $3, formal_reason = $4, formal_by = $5, formal_at = now(), version = version + 1, updated_at = now() WHERE municipality_id = $1 AND id = $2`,
        [actor.municipalityId, id, dto.result, dto.result === 'rejected' ? dto.reason!.trim() : (dto.reason?.trim() || null), actor.userId],
      );
      const after = this.view(await this.row(em, actor.municipalityId, id), call);
      await audit(em, actor, { action: 'check', entity: 'offer', entityId: id, before: { status: row.status }, after: { status: after.status, formalCheck: after.formalCheck } });
      return after;
    });
  }

  async score(actor: Actor, id: string, dto: ScoresDto): Promise<{ offerId: string; scores: ScoresDto['scores']; total: string }> {
    return inTransaction(this.ds, async (em) => {
      const row = await this.row(em, actor.municipalityId, id);
      if (row.status === 'draft') throw new NotFound('offer', id);
      const call = await this.calls.row(em, actor.municipalityId, row.call_id, 'share');
      return this.access.score(em, actor, call, row, dto);
    });
  }
}
