import { audit, recordAudit, SYSTEM_ACTOR } from '@app/audit';
import { addMoney, compareMoney, Conflict, definedOnly, inTransaction, isUniqueViolation, moneyFromDb, NotFound, pageWindow, RuleViolation, SqlWhere, StaleVersion, ValidationFailed, warsawToday, withAmbientTransaction, likePattern, type Actor, type FieldError, type Page } from '@app/core';
import { SpheresService } from '@app/spheres';
import { TasksService } from '@app/tasks';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { callRuleErrors, defaultCriteria, offerPeriodErrors } from './call.rules';
import type { CallQuery, CallStatus, CallView, CancelCallDto, CreateCallDto, PriorSpend, ResolveCallDto, UpdateCallDto } from './dto/call.dto';
import { OFFER_NGO_IDS_SQL } from './offer.sql';

export interface CallRow {
  id: string;
  municipality_id: string;
  program_id: string;
  number: string;
  title: string;
  sphere: string;
  form: string;
  department: string;
  budget: string;
  task_start: string;
  task_end: string;
  offers_until: Date;
  grant_rules: string;
  selection_procedure: string;
  decision_by: string;
  min_grant: string | null;
  max_grant: string | null;
  own_contribution_min: string | null;
  criteria: Array<{ code: string; name: string; maxPoints: number }>;
  prior_spend: PriorSpend | null;
  status: CallStatus;
  stored_status: string;
  published_at: Date | null;
  resolved_at: Date | null;
  cancellation_reason: string | null;
  cancellation_justification: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

/** The call's status as the clock gives it: a published call is closed the moment its deadline passes. */
export const CALL_STATUS_SQL = `CASE WHEN c.status = 'published' AND c.offers_until <= clock_timestamp() THEN 'closed' ELSE c.status END`;

export const SELECT_CALL = `
  SELECT c.id::text, c.municipality_id::text, c.program_id::text, c.number, c.title, c.sphere, c.form, c.department, c.budget::text,
         to_char(c.task_start, 'YYYY-MM-DD') AS task_start, to_char(c.task_end, 'YYYY-MM-DD') AS task_end, c.offers_until,
         c.grant_rules, c.selection_procedure, to_char(c.decision_by, 'YYYY-MM-DD') AS decision_by,
         c.min_grant::text, c.max_grant::text, c.own_contribution_min::text, c.criteria, c.prior_spend,
         ${CALL_STATUS_SQL} AS status, c.status AS stored_status, c.published_at, c.resolved_at,
         c.cancellation_reason, c.cancellation_justification, c.version, c.created_at, c.updated_at
    FROM calls c`;

/** An instant as the API answers it: ISO 8601 in UTC. */
const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function callView(r: CallRow, priorSpend: PriorSpend): CallView {
  return {
    id: r.id,
    programId: r.program_id,
    number: r.number,
    title: r.title,
    sphere: r.sphere,
    form: r.form,
    department: r.department,
    budget: moneyFromDb(r.budget)!,
    taskStart: r.task_start,
    taskEnd: r.task_end,
    offersUntil: r.offers_until.toISOString(),
    grantRules: r.grant_rules,
    selectionProcedure: r.selection_procedure,
    decisionBy: r.decision_by,
    minGrant: moneyFromDb(r.min_grant),
    maxGrant: moneyFromDb(r.max_grant),
    ownContributionMin: r.own_contribution_min === null ? null : Number(r.own_contribution_min),
    criteria: r.criteria,
    priorSpend,
    status: r.status,
    publishedAt: iso(r.published_at),
    resolvedAt: iso(r.resolved_at),
    cancellation: r.cancellation_reason ? { reason: r.cancellation_reason, justification: r.cancellation_justification ?? '' } : null,
    version: r.version,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

/** The Warsaw day of an instant. */
export const warsawDayOf = (instant: Date | string) => warsawToday(new Date(instant));

@Injectable()
export class CallsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly spheres: SpheresService,
    private readonly tasks: TasksService,
  ) {}

  /** The call row; `lock` takes it FOR SHARE or FOR UPDATE until the transaction ends. */
  async row(em: EntityManager, municipalityId: string, id: string, lock?: 'share' | 'update'): Promise<CallRow> {
    const [row]: CallRow[] = await em.query(`${SELECT_CALL} WHERE c.municipality_id = $1 AND c.id = $2 ${lock ? `FOR ${lock.toUpperCase()}` : ''}`, [municipalityId, id]);
    if (!row) throw new NotFound('call', id);
    return row;
  }

  /**
   * art. 13 ust. 2 pkt 7: the funded tasks of the call's sphere in the current and previous year
   * and their cost, the current year being the year of publication (today's for a draft). Counted
   * as the annual report counts them: past `planned` (contracted, so funded).
   */
  async priorSpend(em: EntityManager, municipalityId: string, sphere: string, year: number): Promise<PriorSpend> {
    const rows: Array<{ year: number; tasks: number; granted: string }> = await em.query(
      `SELECT extract(year FROM start_date)::int AS year, count(*)::int AS tasks, sum(amount_granted)::text AS granted
         FROM tasks WHERE municipality_id = $1 AND sphere = $2 AND status <> 'planned' AND start_date >= make_date($3::int - 1, 1, 1) AND start_date < make_date($3::int + 1, 1, 1)
        GROUP BY 1`,
      [municipalityId, sphere, year],
    );
    const of = (y: number) => {
      const r = rows.find((x) => x.year === y);
      return { year: y, tasks: r?.tasks ?? 0, granted: moneyFromDb(r?.granted ?? '0')! };
    };
    return { currentYear: of(year), previousYear: of(year - 1) };
  }

  async view(em: EntityManager, row: CallRow): Promise<CallView> {
    return callView(row, row.prior_spend ?? (await this.priorSpend(em, row.municipality_id, row.sphere, Number(warsawToday().slice(0, 4)))));
  }

  async list(actor: Actor, query: CallQuery): Promise<Page<CallView>> {
    const { page, limit, offset } = pageWindow(query);
    const where = new SqlWhere('c.municipality_id = ?', actor.municipalityId);
    if (actor.role === 'ngo') where.and(`c.status <> 'draft' AND true = ?`, true);
    if (query.status) where.and(`${CALL_STATUS_SQL} = ?`, query.status);
    if (query.year) where.and('c.program_id IN (SELECT id FROM programs p WHERE p.municipality_id = c.municipality_id AND p.start_year = ?)', query.year);
    if (query.search) where.and('(c.title ILIKE ? OR c.number ILIKE ?)', likePattern(query.search));
    const [{ total }]: Array<{ total: number }> = await this.ds.query(`SELECT count(*)::int AS total FROM calls c WHERE ${where.sql}`, where.params);
    const rows: CallRow[] = await this.ds.query(`${SELECT_CALL} WHERE ${where.sql} ORDER BY c.offers_until DESC, c.number, c.id LIMIT ${limit} OFFSET ${offset}`, where.params);
    const items = [];
    for (const row of rows) items.push(await this.view(this.ds.manager, row));
    return { items, total, page, limit };
  }

  async get(actor: Actor, id: string): Promise<CallView> {
    const row = await this.row(this.ds.manager, actor.municipalityId, id);
    if (actor.role === 'ngo' && row.status === 'draft') throw new NotFound('call', id);
    return this.view(this.ds.manager, row);
  }


  /** The programme's year when it is an annual programme of this municipality, else a 422. */
  private async programYear(em: EntityManager, municipalityId: string, programId: string): Promise<number> {
    const [program]: Array<{ kind: string; start_year: number; archived: boolean }> = await em.query(
      `SELECT kind, start_year, archived_at IS NOT NULL AS archived FROM programs WHERE municipality_id = $1 AND id = $2 FOR SHARE`,
      [municipalityId, programId],
    );
    if (!program) throw RuleViolation.of('call.program-exists', 'programId', 'No programme with this id in this municipality');
    if (program.kind !== 'annual') throw RuleViolation.of('call.program-annual', 'programId', 'A call carries out an annual programme; this one is multi-year');
    if (program.archived) throw RuleViolation.of('call.program-archived', 'programId', 'The programme is archived');
    return program.start_year;
  }

  private rules(call: Parameters<typeof callRuleErrors>[0], year: number): FieldError[] {
    return callRuleErrors(call, warsawDayOf(call.offersUntil), year);
  }

  async create(actor: Actor, dto: CreateCallDto): Promise<CallView> {
    await this.spheres.assertKnownOne(dto.sphere);
    const call = { ...dto, minGrant: dto.minGrant ?? null, maxGrant: dto.maxGrant ?? null, ownContributionMin: dto.ownContributionMin ?? null, criteria: dto.criteria ?? defaultCriteria(dto.form) };
    return inTransaction(this.ds, async (em) => {
      const errors = this.rules(call, await this.programYear(em, actor.municipalityId, dto.programId));
      if (errors.length) throw new RuleViolation(errors);
      let id: string;
      try {
        [{ id }] = await em.query(
          `INSERT INTO calls (municipality_id, program_id, number, title, sphere, form, department, budget, task_start, task_end, offers_until,
                              grant_rules, selection_procedure, decision_by, min_grant, max_grant, own_contribution_min, criteria)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18::jsonb) RETURNING id::text`,
          [actor.municipalityId, call.programId, call.number, call.title, call.sphere, call.form, call.department, call.budget, call.taskStart, call.taskEnd, call.offersUntil,
            call.grantRules, call.selectionProcedure, call.decisionBy, call.minGrant, call.maxGrant, call.ownContributionMin, JSON.stringify(call.criteria)],
        );
      } catch (error) {
        if (isUniqueViolation(error, 'calls_number_key')) throw new Conflict(`A call numbered "${call.number}" exists already`);
        throw error;
      }
      const after = await this.view(em, await this.row(em, actor.municipalityId, id));
      await audit(em, actor, { action: 'create', entity: 'call', entityId: id, after });
      return after;
    });
  }

  async update(actor: Actor, id: string, dto: UpdateCallDto): Promise<CallView> {
    const { version, ...rest } = dto;
    const changes = definedOnly(rest);
    await this.spheres.assertKnownOne(changes.sphere);
    return inTransaction(this.ds, async (em) => {
      const row = await this.row(em, actor.municipalityId, id, 'update');
      if (row.version !== version) throw new StaleVersion('call');
      if (row.stored_status !== 'draft') throw new Conflict('A published call\'s announcement is frozen; only a draft can be edited');
      const before = await this.view(em, row);
      const next = { ...before, ...changes, minGrant: changes.minGrant === undefined ? before.minGrant : changes.minGrant, maxGrant: changes.maxGrant === undefined ? before.maxGrant : changes.maxGrant };
      if (changes.form && !changes.criteria && JSON.stringify(before.criteria) === JSON.stringify(defaultCriteria(before.form))) next.criteria = defaultCriteria(changes.form);
      const errors = this.rules(next, await this.programYear(em, actor.municipalityId, next.programId));
      if (errors.length) throw new RuleViolation(errors);
      try {
        await em.query(
          `UPDATE calls SET program_id = $3, number = $4, title = $5, sphere = $6, form = $7, department = $8, budget = $9, task_start = $10, task_end = $11,
                  offers_until = $12, grant_rules = $13, selection_procedure = $14, decision_by = $15, min_grant = $16, max_grant = $17,
                  own_contribution_min = $18, criteria = $19::jsonb, version = version + 1, updated_at = now()
            WHERE municipality_id = $1 AND id = $2`,
          [actor.municipalityId, id, next.programId, next.number, next.title, next.sphere, next.form, next.department, next.budget, next.taskStart, next.taskEnd,
            next.offersUntil, next.grantRules, next.selectionProcedure, next.decisionBy, next.minGrant, next.maxGrant, next.ownContributionMin, JSON.stringify(next.criteria)],
        );
      } catch (error) {
        if (isUniqueViolation(error, 'calls_number_key')) throw new Conflict(`A call numbered "${next.number}" exists already`);
        throw error;
      }
      const after = await this.view(em, await this.row(em, actor.municipalityId, id));
      await audit(em, actor, { action: 'update', entity: 'call', entityId: id, before, after });
      return after;
    });
  }

  /** Announces the call: the 21-day rule against today's Warsaw day, and the prior spend frozen. */
  async publish(actor: Actor, id: string, version: number): Promise<CallView> {
    return inTransaction(this.ds, async (em) => {
      const row = await this.row(em, actor.municipalityId, id, 'update');
      if (row.version !== version) throw new StaleVersion('call');
      if (row.stored_status !== 'draft') throw new Conflict(`The call is ${row.status} already`);
      const before = await this.view(em, row);
      const today = warsawToday();
      const errors = [...this.rules(before, await this.programYear(em, actor.municipalityId, row.program_id)), ...offerPeriodErrors(today, warsawDayOf(row.offers_until))];
      if (errors.length) throw new RuleViolation(errors);
      const prior = await this.priorSpend(em, actor.municipalityId, row.sphere, Number(today.slice(0, 4)));
      await em.query(
        `UPDATE calls SET status = 'published', published_at = now(), prior_spend = $3::jsonb, version = version + 1, updated_at = now() WHERE municipality_id = $1 AND id = $2`,
        [actor.municipalityId, id, JSON.stringify(prior)],
      );
      const after = await this.view(em, await this.row(em, actor.municipalityId, id));
      await audit(em, actor, { action: 'publish', entity: 'call', entityId: id, before, after });
      return after;
    });
  }

  /** Offers counted for art. 18a: submitted and not withdrawn; `valid` = accepted at the formal check or not yet checked. */
  private async offerCounts(em: EntityManager, municipalityId: string, id: string): Promise<{ submitted: number; open: number; accepted: number }> {
    const [counts] = await em.query(
      `SELECT count(*) FILTER (WHERE status IN ('submitted', 'accepted', 'rejected'))::int AS submitted,
              count(*) FILTER (WHERE status = 'submitted')::int AS open,
              count(*) FILTER (WHERE status = 'accepted')::int AS accepted
         FROM offers WHERE municipality_id = $1 AND call_id = $2`,
      [municipalityId, id],
    );
    return counts;
  }

  /** art. 18a: cancelled when no offer came in, or none meets the call's requirements; published with its reason, creates nothing. */
  async cancel(actor: Actor, id: string, dto: CancelCallDto): Promise<CallView> {
    return inTransaction(this.ds, async (em) => {
      const row = await this.row(em, actor.municipalityId, id, 'update');
      if (row.status !== 'closed') {
        throw new Conflict(row.status === 'published' ? 'A call can be cancelled once its deadline has passed (art. 18a needs the offers to be in)' : `The call is ${row.status}`);
      }
      const counts = await this.offerCounts(em, actor.municipalityId, id);
      if (dto.reason === 'no-offers' && counts.submitted > 0) {
        throw RuleViolation.of('call.cancel-no-offers', 'reason', `${counts.submitted} offer(s) were submitted; "no-offers" does not apply`);
      }
      if (dto.reason === 'no-valid-offers' && (counts.accepted > 0 || counts.open > 0)) {
        throw RuleViolation.of('call.cancel-no-valid-offers', 'reason', counts.open ? `${counts.open} offer(s) still await the formal check` : `${counts.accepted} offer(s) passed the formal check`);
      }
      const before = await this.view(em, row);
      await em.query(
        `UPDATE calls SET status = 'cancelled', cancelled_at = now(), cancellation_reason = $3, cancellation_justification = $4, version = version + 1, updated_at = now()
          WHERE municipality_id = $1 AND id = $2`,
        [actor.municipalityId, id, dto.reason, dto.justification],
      );
      const after = await this.view(em, await this.row(em, actor.municipalityId, id));
      await audit(em, actor, { action: 'cancel', entity: 'call', entityId: id, before, after });
      return after;
    });
  }

  /**
   * art. 15 ust. 2h: the selection. Under the call's row lock (a second resolver waits, then finds
   * it resolved): every amount within its offer's request, their sum within the budget, only
   * accepted offers; the offers marked, and one funded task per award created through the tasks'
   * own rules in this transaction, each with its audit entry.
   */
  async resolve(actor: Actor, id: string, dto: ResolveCallDto): Promise<CallView> {
    return inTransaction(this.ds, async (em) => {
      const row = await this.row(em, actor.municipalityId, id, 'update');
      if (row.status !== 'closed') {
        throw new Conflict(row.status === 'published' ? 'The call is still taking offers' : row.status === 'resolved' ? 'The call is resolved already' : `The call is ${row.status}`);
      }
      const offers: Array<{ id: string; status: string; grant_requested: string | null; title: string | null; start_date: string | null; end_date: string | null; ngo_ids: string[] }> = await em.query(
        `SELECT o.id::text, o.status, o.grant_requested::text, o.content->>'title' AS title, o.content->>'startDate' AS start_date, o.content->>'endDate' AS end_date,
                ${OFFER_NGO_IDS_SQL} AS ngo_ids
           FROM offers o WHERE o.municipality_id = $1 AND o.call_id = $2 AND o.status IN ('submitted', 'accepted', 'rejected') ORDER BY o.id FOR UPDATE`,
        [actor.municipalityId, id],
      );
      const byId = new Map(offers.map((o) => [o.id, o]));
      const errors: FieldError[] = [];
      const open = offers.filter((o) => o.status === 'submitted').length;
      if (open) errors.push({ rule: 'call.offers-unchecked', field: 'awards', message: `${open} offer(s) still await the formal check` });
      const seen = new Set<string>();
      dto.awards.forEach((award, i) => {
        const offer = byId.get(award.offerId);
        if (seen.has(award.offerId)) errors.push({ rule: 'call.award-once', field: `awards[${i}].offerId`, message: 'An offer is awarded once' });
        seen.add(award.offerId);
        if (!offer) errors.push({ rule: 'call.award-offer', field: `awards[${i}].offerId`, message: 'No submitted offer with this id in this call' });
        else if (offer.status !== 'accepted') errors.push({ rule: 'call.award-accepted', field: `awards[${i}].offerId`, message: 'Only an offer accepted at the formal check can be awarded' });
        else if (compareMoney(award.amount, offer.grant_requested ?? '0') > 0) {
          errors.push({ rule: 'call.award-within-request', field: `awards[${i}].amount`, message: `The award cannot exceed the ${offer.grant_requested} PLN the offer asks for` });
        }
      });
      const total = dto.awards.length ? addMoney(...dto.awards.map((a) => a.amount)) : '0.00';
      if (compareMoney(total, row.budget) > 0) errors.push({ rule: 'call.awards-within-budget', field: 'awards', message: `The awards add up to ${total} PLN, above the call's ${moneyFromDb(row.budget)} PLN` });
      if (!dto.awards.length && offers.some((o) => o.status === 'accepted')) {
        errors.push({ rule: 'call.awards-required', field: 'awards', message: 'Name the awarded offers; with no offer meeting the requirements the call is cancelled instead' });
      }
      if (errors.length) throw new RuleViolation(errors);

      const before = await this.view(em, row);
      const awarded = new Map(dto.awards.map((a) => [a.offerId, a.amount]));
      for (const offer of offers.filter((o) => o.status === 'accepted')) {
        const amount = awarded.get(offer.id);
        let taskId: string | null = null;
        if (amount) {
          const task = await withAmbientTransaction(em, () =>
            this.tasks.create(actor, {
              programId: row.program_id,
              title: offer.title ?? row.title,
              sphere: row.sphere,
              mode: 'open-competition',
              form: row.form as 'support' | 'entrustment',
              competitionRef: row.number,
              department: row.department,
              ngoIds: offer.ngo_ids,
              startDate: offer.start_date!,
              endDate: offer.end_date!,
              amountRequested: offer.grant_requested,
              amountGranted: amount,
              status: 'planned',
            } as never),
          );
          taskId = task.id;
        }
        await em.query(
          `UPDATE offers SET status = $3, award = $4, task_id = $5, version = version + 1, updated_at = now() WHERE municipality_id = $1 AND id = $2`,
          [actor.municipalityId, offer.id, amount ? 'awarded' : 'not-awarded', amount ?? null, taskId],
        );
        await audit(em, actor, { action: 'resolve', entity: 'offer', entityId: offer.id, after: { status: amount ? 'awarded' : 'not-awarded', award: amount ?? null, taskId } });
      }
      await em.query(`UPDATE calls SET status = 'resolved', resolved_at = now(), version = version + 1, updated_at = now() WHERE municipality_id = $1 AND id = $2`, [actor.municipalityId, id]);
      const after = await this.view(em, await this.row(em, actor.municipalityId, id));
      await audit(em, actor, { action: 'resolve', entity: 'call', entityId: id, before, after: { ...after, awards: dto.awards } });
      return after;
    });
  }

  /**
   * The scheduler's record of passed deadlines (readers already treat such calls as closed):
   * status `closed` and closed_at, one audit entry per call by the system. Returns how many.
   * `municipalityId`: only that municipality's calls (the scheduler records one municipality per item).
   */
  async recordClosed(municipalityId?: string): Promise<number> {
    return inTransaction(this.ds, async (em) => {
      // an UPDATE … RETURNING comes back as [rows, count]
      const [rows]: [Array<{ id: string; municipality_id: string; number: string; offers_until: Date }>, number] = await em.query(
        `UPDATE calls SET status = 'closed', closed_at = offers_until, updated_at = now()
          WHERE status = 'published' AND offers_until <= clock_timestamp() AND ($1::uuid IS NULL OR municipality_id = $1::uuid)
        RETURNING id::text, municipality_id::text, number, offers_until`,
        [municipalityId ?? null],
      );
      for (const r of rows) {
        await recordAudit(em, r.municipality_id, SYSTEM_ACTOR, { action: 'close', entity: 'call', entityId: r.id, after: { number: r.number, status: 'closed', offersUntil: r.offers_until.toISOString() } });
      }
      return rows.length;
    });
  }
}
