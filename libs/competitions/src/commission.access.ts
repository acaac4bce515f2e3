import { audit } from '@app/audit';
import { Conflict, Forbidden, inTransaction, isUniqueViolation, moneyFromDb, NotFound, RuleViolation, type SqlWhere, type Actor, type FieldError } from '@app/core';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { CallsService, type CallRow } from './calls.service';
import type { AddMemberDto, CallMemberView, DeclarationDto, RankingItem, ScoresDto } from './dto/offer.dto';
import { OFFER_NGO_IDS_SQL, OFFER_NGO_NAMES_SQL } from './offer.sql';

interface MemberRow {
  id: string;
  user_id: string;
  email: string;
  user_role: string;
  user_ngo_id: string | null;
  role: string;
  nominated_by: string | null;
  declared_at: Date | null;
  conflicts: string[];
  suspended_at: Date | null;
  suspension_reason: string | null;
}

const SELECT_MEMBER = `
  SELECT m.id::text, m.user_id::text, u.email, u.role AS user_role, u.ngo_id::text AS user_ngo_id, m.role, m.nominated_by::text,
         m.declared_at, m.conflicts::text[] AS conflicts, m.suspended_at, m.suspension_reason
    FROM call_members m JOIN users u ON u.municipality_id = m.municipality_id AND u.id = m.user_id`;

/** The statuses of offers a commission weighs: passed the formal check, and what resolution makes of them. */
const WEIGHED = `('accepted', 'awarded', 'not-awarded')`;
/** Offers that make their NGOs take part in the call (art. 15 ust. 2d). */
const TAKING_PART = `('submitted', 'accepted', 'rejected', 'awarded', 'not-awarded')`;

/** The NGOs a member speaks for: the one that nominated them, and an ngo account's own. */
const memberNgos = (m: Pick<MemberRow, 'nominated_by' | 'user_ngo_id'>) => [...new Set([m.nominated_by, m.user_ngo_id].filter((x): x is string => !!x))];

/**
 * The call's commission (art. 15 ust. 2a–2h): who sits on it, their declarations, what each of
 * them may read of the offers, their scoring cards and the ranking.
 */
@Injectable()
export class CommissionAccess {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly calls: CallsService,
  ) {}

  /** The actor's seat on the call's commission, if any and not suspended. */
  async seat(em: EntityManager, actor: Actor, callId: string): Promise<MemberRow | null> {
    const [row]: MemberRow[] = await em.query(`${SELECT_MEMBER} WHERE m.municipality_id = $1 AND m.call_id = $2 AND m.user_id = $3 AND m.suspended_at IS NULL`, [
      actor.municipalityId,
      callId,
      actor.userId,
    ]);
    return row ?? null;
  }

  private memberView(m: MemberRow, showConflicts: boolean): CallMemberView {
    return {
      id: m.id,
      userId: m.user_id,
      email: m.email,
      role: m.role,
      nominatedBy: m.nominated_by,
      declaredAt: m.declared_at?.toISOString() ?? null,
      conflicts: showConflicts ? m.conflicts : [],
      suspendedAt: m.suspended_at?.toISOString() ?? null,
      suspensionReason: m.suspension_reason,
    };
  }

  private async assertCanSeeCommission(em: EntityManager, actor: Actor, callId: string): Promise<MemberRow | null> {
    const seat = await this.seat(em, actor, callId);
    if (!seat && !['admin', 'official', 'auditor'].includes(actor.role)) throw new Forbidden('The commission is read by officials and its members');
    return seat;
  }

  async members(actor: Actor, callId: string): Promise<CallMemberView[]> {
    const em = this.ds.manager;
    await this.calls.row(em, actor.municipalityId, callId);
    const seat = await this.assertCanSeeCommission(em, actor, callId);
    const rows: MemberRow[] = await em.query(`${SELECT_MEMBER} WHERE m.municipality_id = $1 AND m.call_id = $2 ORDER BY m.role = 'chair' DESC, u.email`, [actor.municipalityId, callId]);
    return rows.map((m) => this.memberView(m, actor.role !== 'ngo' || m.id === seat?.id));
  }

  /** NGOs with an offer in the call that makes them take part (submitted, whatever came of it since). */
  private async bidders(em: EntityManager, municipalityId: string, callId: string, ngoIds: string[]): Promise<string[]> {
    if (!ngoIds.length) return [];
    const rows: Array<{ ngo_id: string }> = await em.query(
      `SELECT DISTINCT n.ngo_id::text FROM offer_ngos n JOIN offers o ON o.municipality_id = n.municipality_id AND o.id = n.offer_id
        WHERE n.municipality_id = $1 AND o.call_id = $2 AND o.status IN ${TAKING_PART} AND n.ngo_id = ANY($3::uuid[])`,
      [municipalityId, callId, ngoIds],
    );
    return rows.map((r) => r.ngo_id);
  }

  /**
   * Adds a member: an official or admin, or a person of the ngo role an NGO nominated. Under the
   * call's row lock, which a submission's share lock waits for, so a member and an offer of the
   * member's NGO never both get in unseen: the later one is refused or suspends.
   */
  async add(actor: Actor, callId: string, dto: AddMemberDto): Promise<CallMemberView> {
    return inTransaction(this.ds, async (em) => {
      const call = await this.calls.row(em, actor.municipalityId, callId, 'update');
      if (call.status === 'resolved' || call.status === 'cancelled') throw new Conflict(`The call is ${call.status}`);
      const [user]: Array<{ role: string; ngo_id: string | null; active: boolean }> = await em.query(`SELECT role, ngo_id::text, active FROM users WHERE municipality_id = $1 AND id = $2`, [
        actor.municipalityId,
        dto.userId,
      ]);
      if (!user) throw RuleViolation.of('call.member-user', 'userId', 'No user with this id in this municipality');
      if (!user.active) throw RuleViolation.of('call.member-user', 'userId', 'The account is deactivated');
      if (user.role === 'auditor') throw RuleViolation.of('call.member-role', 'userId', 'An auditor cannot sit on a commission: officials and persons nominated by NGOs do');
      const nominatedBy = dto.nominatedBy ?? (user.role === 'ngo' ? user.ngo_id : null);
      if (nominatedBy) {
        const [ngo] = await em.query(`SELECT 1 FROM ngos WHERE municipality_id = $1 AND id = $2`, [actor.municipalityId, nominatedBy]);
        if (!ngo) throw RuleViolation.of('call.member-ngo', 'nominatedBy', 'No NGO with this id in this municipality');
      }
      if (user.role === 'ngo' && !nominatedBy) throw RuleViolation.of('call.member-ngo', 'nominatedBy', 'Name the NGO that nominated the person');
      const taking = await this.bidders(em, actor.municipalityId, callId, memberNgos({ nominated_by: nominatedBy, user_ngo_id: user.ngo_id }));
      if (taking.length) {
        throw RuleViolation.of('call.member-bidder', nominatedBy && taking.includes(nominatedBy) ? 'nominatedBy' : 'userId', 'A person nominated by, or acting for, an NGO that takes part in the call cannot sit on its commission (art. 15 ust. 2d)');
      }
      let id: string;
      try {
        [{ id }] = await em.query(`INSERT INTO call_members (municipality_id, call_id, user_id, role, nominated_by) VALUES ($1, $2, $3, $4, $5) RETURNING id::text`, [
          actor.municipalityId,
          callId,
          dto.userId,
          dto.role ?? 'member',
          nominatedBy,
        ]);
      } catch (error) {
        if (isUniqueViolation(error, 'call_members_user_key')) throw new Conflict('The person sits on this commission already');
        throw error;
      }
      const [row]: MemberRow[] = await em.query(`${SELECT_MEMBER} WHERE m.municipality_id = $1 AND m.id = $2`, [actor.municipalityId, id]);
      const after = this.memberView(row, true);
      await audit(em, actor, { action: 'create', entity: 'call-member', entityId: id, after: { ...after, callId } });
      return after;
    });
  }

  /** Removes a member who has scored nothing yet. */
  async remove(actor: Actor, callId: string, memberId: string): Promise<void> {
    await inTransaction(this.ds, async (em) => {
      const call = await this.calls.row(em, actor.municipalityId, callId, 'update');
      if (call.status === 'resolved' || call.status === 'cancelled') throw new Conflict(`The call is ${call.status}`);
      const [row]: MemberRow[] = await em.query(`${SELECT_MEMBER} WHERE m.municipality_id = $1 AND m.call_id = $2 AND m.id = $3`, [actor.municipalityId, callId, memberId]);
      if (!row) throw new NotFound('commission member', memberId);
      const [scored] = await em.query(`SELECT 1 FROM offer_scores WHERE municipality_id = $1 AND member_id = $2 LIMIT 1`, [actor.municipalityId, memberId]);
      if (scored) throw new Conflict('The member has scored offers; their cards stay on the record');
      await em.query(`DELETE FROM call_members WHERE municipality_id = $1 AND id = $2`, [actor.municipalityId, memberId]);
      await audit(em, actor, { action: 'end', entity: 'call-member', entityId: memberId, before: { ...this.memberView(row, true), callId } });
    });
  }

  /** art. 15 ust. 2d: a submission suspends the members its NGOs nominated or who act for them. */
  async suspendBidders(em: EntityManager, actor: Actor, callId: string, ngoIds: string[]): Promise<void> {
    const [rows]: [Array<{ id: string }>, number] = await em.query(
      `UPDATE call_members m SET suspended_at = now(), suspension_reason = 'art. 15 ust. 2d: an NGO the member was nominated by or acts for submitted an offer'
        WHERE m.municipality_id = $1 AND m.call_id = $2 AND m.suspended_at IS NULL
          AND (m.nominated_by = ANY($3::uuid[]) OR m.user_id IN (SELECT u.id FROM users u WHERE u.municipality_id = $1 AND u.ngo_id = ANY($3::uuid[])))
      RETURNING m.id::text`,
      [actor.municipalityId, callId, ngoIds],
    );
    for (const r of rows) await audit(em, actor, { action: 'suspend', entity: 'call-member', entityId: r.id, after: { callId, suspended: true } });
  }

  /** What the member declares about: the offers submitted to the call (titles and NGOs, not their contents). */
  async declaration(actor: Actor, callId: string) {
    const em = this.ds.manager;
    const call = await this.calls.row(em, actor.municipalityId, callId);
    const seat = await this.seat(em, actor, callId);
    if (!seat) throw new Forbidden('Only a member of the call\'s commission files a declaration');
    const offers: Array<{ id: string; title: string | null; ngo_names: string[] }> =
      call.status === 'published'
        ? []
        : await em.query(
            `SELECT o.id::text, o.content->>'title' AS title,
                    ${OFFER_NGO_NAMES_SQL} AS ngo_names
               FROM offers o WHERE o.municipality_id = $1 AND o.call_id = $2 AND o.status IN ${TAKING_PART} ORDER BY o.submitted_at, o.id`,
            [actor.municipalityId, callId],
          );
    return { declaredAt: seat.declared_at?.toISOString() ?? null, conflicts: seat.conflicts, offers: offers.map((o) => ({ id: o.id, title: o.title, ngoNames: o.ngo_names })) };
  }

  /** art. 15 ust. 2f: the declaration, filed once the offers are in and before any is shown. */
  async declare(actor: Actor, callId: string, dto: DeclarationDto) {
    return inTransaction(this.ds, async (em) => {
      const call = await this.calls.row(em, actor.municipalityId, callId, 'share');
      const [seat]: MemberRow[] = await em.query(`${SELECT_MEMBER} WHERE m.municipality_id = $1 AND m.call_id = $2 AND m.user_id = $3 AND m.suspended_at IS NULL FOR UPDATE OF m`, [
        actor.municipalityId,
        callId,
        actor.userId,
      ]);
      if (!seat) throw new Forbidden('Only a member of the call\'s commission files a declaration');
      if (call.status !== 'closed') throw new Conflict(call.status === 'published' ? 'The declaration is filed once the deadline has passed and the offers are known' : `The call is ${call.status}`);
      if (seat.declared_at) throw new Conflict('The declaration is filed already');
      const known: Array<{ id: string }> = await em.query(`SELECT id::text FROM offers WHERE municipality_id = $1 AND call_id = $2 AND status IN ${TAKING_PART}`, [actor.municipalityId, callId]);
      const ids = new Set(known.map((k) => k.id));
      const errors: FieldError[] = dto.conflicts.flatMap((id, i) => (ids.has(id) ? [] : [{ rule: 'call.declaration-offer', field: `conflicts[${i}]`, message: 'No submitted offer with this id in this call' }]));
      if (errors.length) throw new RuleViolation(errors);
      await em.query(`UPDATE call_members SET declared_at = now(), conflicts = $3::uuid[] WHERE municipality_id = $1 AND id = $2`, [actor.municipalityId, seat.id, dto.conflicts]);
      await audit(em, actor, { action: 'declare', entity: 'call-member', entityId: seat.id, after: { callId, conflicts: dto.conflicts } });
      const [row]: MemberRow[] = await em.query(`${SELECT_MEMBER} WHERE m.municipality_id = $1 AND m.id = $2`, [actor.municipalityId, seat.id]);
      return this.memberView(row, true);
    });
  }

  /**
   * Whether the actor may read this submitted offer, as someone other than its NGOs: a member only
   * after the declaration and never an offer declared in conflict (403); a member nominated by an
   * NGO only the offers passed on to the commission; officials, admins and auditors otherwise.
   */
  async offerAccess(em: EntityManager, actor: Actor, call: CallRow, offer: { id: string; status: string }): Promise<{ score: boolean }> {
    const seat = await this.seat(em, actor, call.id);
    if (seat) {
      if (!seat.declared_at) throw new Forbidden('File the declaration of impartiality (art. 15 ust. 2f) before reading the offers');
      if (seat.conflicts.includes(offer.id)) throw new Forbidden('You declared a conflict of interest with this offer');
      if (actor.role === 'ngo' && !['accepted', 'awarded', 'not-awarded'].includes(offer.status)) throw new NotFound('offer', offer.id);
      return { score: true };
    }
    if (actor.role === 'ngo') throw new NotFound('offer', offer.id);
    return { score: true };
  }

  /** Narrows a list of the call's offers to what the actor may read; `score` when they may see the means. */
  async listScope(em: EntityManager, actor: Actor, call: CallRow, where: SqlWhere): Promise<{ score: boolean }> {
    const seat = await this.seat(em, actor, call.id);
    const own = `EXISTS (SELECT 1 FROM offer_ngos n WHERE n.municipality_id = o.municipality_id AND n.offer_id = o.id AND n.ngo_id = ?::uuid)`;
    if (seat && !seat.declared_at) {
      if (actor.role !== 'ngo') throw new Forbidden('File the declaration of impartiality (art. 15 ust. 2f) before reading the offers');
      where.and(own, actor.ngoId);
      return { score: false };
    }
    if (seat?.conflicts.length) where.and('NOT (o.id = ANY(?::uuid[]))', seat.conflicts);
    if (actor.role === 'ngo') {
      where.and(seat ? `(${own} OR o.status IN ${WEIGHED})` : own, actor.ngoId);
      return { score: !!seat };
    }
    where.and(`o.status <> ?`, 'draft');
    return { score: true };
  }

  async score(em: EntityManager, actor: Actor, call: CallRow, offer: { id: string; status: string }, dto: ScoresDto) {
    const seat = await this.seat(em, actor, call.id);
    if (!seat) throw new Forbidden('Only the call\'s commission members score offers');
    if (!seat.declared_at) throw new Forbidden('File the declaration of impartiality (art. 15 ust. 2f) before scoring');
    if (seat.conflicts.includes(offer.id)) throw new Forbidden('You declared a conflict of interest with this offer');
    if (call.status !== 'closed') throw new Conflict(call.status === 'published' ? 'Offers are scored once the deadline has passed' : `The call is ${call.status}`);
    if (offer.status !== 'accepted') throw new Conflict('Only an offer accepted at the formal check is scored');
    const errors: FieldError[] = [];
    const criteria = new Map(call.criteria.map((c) => [c.code, c]));
    const given = new Set<string>();
    dto.scores.forEach((s, i) => {
      const criterion = criteria.get(s.code);
      if (!criterion) errors.push({ rule: 'score.criterion', field: `scores[${i}].code`, message: `"${s.code}" is not a criterion of this call` });
      else if (given.has(s.code)) errors.push({ rule: 'score.criterion-once', field: `scores[${i}].code`, message: `"${s.code}" is scored twice` });
      else if (s.points > criterion.maxPoints) errors.push({ rule: 'score.max-points', field: `scores[${i}].points`, message: `at most ${criterion.maxPoints} points for "${criterion.name}"` });
      given.add(s.code);
    });
    call.criteria.forEach((c) => {
      if (!given.has(c.code)) errors.push({ rule: 'score.every-criterion', field: 'scores', message: `"${c.name}" (${c.code}) is not scored` });
    });
    if (errors.length) throw new RuleViolation(errors);
    const scores = call.criteria.map((c) => {
      const s = dto.scores.find((x) => x.code === c.code)!;
      return { code: c.code, points: s.points, comment: s.comment?.trim() || null };
    });
    const totalHundredths = scores.reduce((sum, s) => sum + Math.round(s.points * 100), 0);
    const total = (totalHundredths / 100).toFixed(2);
    await em.query(
      `INSERT INTO offer_scores (municipality_id, offer_id, member_id, scores, total) VALUES ($1, $2, $3, $4::jsonb, $5)
       ON CONFLICT (municipality_id, offer_id, member_id) DO UPDATE SET scores = EXCLUDED.scores, total = EXCLUDED.total, updated_at = now()`,
      [actor.municipalityId, offer.id, seat.id, JSON.stringify(scores), total],
    );
    await audit(em, actor, { action: 'score', entity: 'offer', entityId: offer.id, after: { memberId: seat.id, scores, total } });
    return { offerId: offer.id, scores, total };
  }

  /** The member's own card of an offer, if filed. */
  async card(actor: Actor, offerId: string): Promise<{ scores: Array<{ code: string; points: number; comment: string | null }>; total: string } | null> {
    const [row]: Array<{ scores: Array<{ code: string; points: number; comment: string | null }>; total: string }> = await this.ds.query(
      `SELECT s.scores, s.total::text FROM offer_scores s JOIN call_members m ON m.municipality_id = s.municipality_id AND m.id = s.member_id
        WHERE s.municipality_id = $1 AND s.offer_id = $2 AND m.user_id = $3`,
      [actor.municipalityId, offerId, actor.userId],
    );
    return row ?? null;
  }

  /** The offers passed on to the commission by their mean score (art. 15 ust. 2h); to officials and declared members. */
  async ranking(actor: Actor, callId: string): Promise<RankingItem[]> {
    const em = this.ds.manager;
    await this.calls.row(em, actor.municipalityId, callId);
    const seat = await this.assertCanSeeCommission(em, actor, callId);
    if (seat && !seat.declared_at) throw new Forbidden('File the declaration of impartiality (art. 15 ust. 2f) first');
    const rows: Array<{ id: string; title: string | null; ngo_ids: string[]; ngo_names: string[]; grant_requested: string | null; score: string | null; cards: number; status: string; award: string | null }> =
      await em.query(
        `SELECT o.id::text, o.content->>'title' AS title, o.grant_requested::text, o.status, o.award::text,
                ${OFFER_NGO_IDS_SQL} AS ngo_ids,
                ${OFFER_NGO_NAMES_SQL} AS ngo_names,
                s.score, coalesce(s.cards, 0)::int AS cards
           FROM offers o
           LEFT JOIN LATERAL (SELECT round(avg(total), 2)::text AS score, count(*) AS cards FROM offer_scores x WHERE x.municipality_id = o.municipality_id AND x.offer_id = o.id) s ON true
          WHERE o.municipality_id = $1 AND o.call_id = $2 AND o.status IN ${WEIGHED} AND NOT (o.id = ANY($3::uuid[]))
          ORDER BY s.score::numeric DESC NULLS LAST, o.submitted_at, o.id`,
        [actor.municipalityId, callId, seat?.conflicts ?? []],
      );
    return rows.map((r, i) => ({
      position: i + 1,
      offerId: r.id,
      title: r.title,
      ngoIds: r.ngo_ids,
      ngoNames: r.ngo_names,
      grantRequested: moneyFromDb(r.grant_requested),
      score: r.score,
      cards: r.cards,
      status: r.status,
      award: moneyFromDb(r.award),
    }));
  }
}
