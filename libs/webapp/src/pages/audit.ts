import { AUDIT_ACTIONS, AUDIT_ENTITIES, AuditQuery, AuditService, type AuditEntryView } from '@app/audit';
import { formatInstant, formatInteger, label } from '@app/core';
import { JOB_NAMES, JOB_OUTCOMES, JobRunsQuery, JobRunsService } from '@app/jobs';
import { renderLayout, type WebRoutes } from '../http';
import { codeOptions, filteredPage, FILTERED_LIST, one, pager, selectFilter } from '../lists';
import { eta, template } from '../views';
import { activityPath } from './activities';
import { commissionPath } from './commissions';
import { ngoPath } from './ngos';
import { programPath } from './programs';
import { taskPath } from './tasks';

export const ACTION_LABELS: Record<string, string> = {
  create: 'dodanie',
  update: 'zmiana',
  archive: 'archiwizacja',
  end: 'zakończenie',
  publish: 'publikacja',
  compile: 'przeliczenie',
  export: 'eksport',
  import: 'import',
  rehash: 'przeliczenie skrótu',
  cancel: 'unieważnienie',
  resolve: 'rozstrzygnięcie',
  close: 'zamknięcie naboru',
  submit: 'złożenie',
  withdraw: 'wycofanie',
  check: 'ocena formalna',
  score: 'ocena merytoryczna',
  declare: 'oświadczenie',
  suspend: 'zawieszenie',
};
export const ENTITY_LABELS: Record<string, string> = {
  municipality: 'gmina',
  user: 'użytkownik',
  ngo: 'organizacja',
  program: 'program',
  task: 'zadanie',
  activity: 'działanie',
  commission: 'komisja',
  member: 'członek komisji',
  meeting: 'posiedzenie',
  report: 'sprawozdanie',
  call: 'konkurs ofert',
  offer: 'oferta',
  'call-member': 'członek komisji konkursowej',
};
const JOB_LABELS: Record<string, string> = { 'compile-report': 'nocne przeliczenie sprawozdań', 'open-report': 'otwarcie sprawozdania roku', 'purge-idempotency-keys': 'usunięcie starych kluczy idempotencji', 'close-calls': 'zamknięcie naboru ofert w konkursach' };
const OUTCOME_LABELS: Record<string, string> = { queued: 'w kolejce', running: 'w toku', compiled: 'przeliczono', skipped: 'bez zmian', opened: 'otwarto', failed: 'błąd', done: 'wykonano' };

const VERIFY = template(
  '@audit-verify',
  `<h1>Sprawdzenie dziennika zmian</h1>
<% if (it.valid) { %>
<div class="notice" role="status"><p><strong>Dziennik jest nienaruszony.</strong> Sprawdzono <%= it.entries %> wpisów: każdy skrót zgadza się z treścią wpisu i z poprzednim wpisem.</p></div>
<% } else { %>
<div class="error-summary" role="alert" tabindex="-1"><h2>Dziennik został naruszony</h2><p>Pierwszy naruszony wpis: nr <%= it.broken.seq %> – <%= it.broken.reason %>. Zgłoś to administratorowi i audytorowi; wpisy przed nim są nienaruszone.</p></div>
<% } %>
<%~ include('@facts', { facts: it.facts }) %>
<p>Skrót ostatniego wpisu warto zapisać poza systemem (na przykład w protokole albo w opublikowanym sprawozdaniu): późniejsze sprawdzenie pokaże wtedy także podmianę całego dziennika.</p>
<p><a href="/app/audit">Wróć do dziennika zmian</a></p>
`,
);

const BROKEN: Record<string, string> = {
  'content-changed': 'treść wpisu zmieniono po zapisaniu',
  'chain-broken': 'brakuje wpisu przed nim albo jego łańcuch się nie zgadza',
  missing: 'koniec dziennika został obcięty',
};

/** The commission a member's or a meeting's entry belongs to (its `after`, or `before` for a removal). */
function commissionOf(e: AuditEntryView): string | null {
  const state = (e.after ?? e.before) as { commissionId?: unknown } | null;
  return typeof state?.commissionId === 'string' && /^[0-9a-f-]{36}$/.test(state.commissionId) ? state.commissionId : null;
}

/** The record's page an entry is about, for the registers the web app has pages of. */
function entityHref(e: AuditEntryView): string | null {
  if (!e.entityId) return null;
  switch (e.entity) {
    case 'ngo':
      return ngoPath(e.entityId);
    case 'task':
      return taskPath(e.entityId);
    case 'program':
      return programPath(e.entityId);
    case 'activity':
      return activityPath(e.entityId);
    case 'commission':
      return commissionPath(e.entityId);
    case 'member':
    case 'meeting': {
      const commission = commissionOf(e);
      return commission && commissionPath(commission);
    }
    case 'report':
      return /^\d{4}$/.test(e.entityId) ? `/app/reports/${e.entityId}` : null;
    case 'call':
      return `/app/calls/${e.entityId}`;
    case 'offer':
      return `/app/offers/${e.entityId}`;
    case 'call-member': {
      const call = (e.after ?? e.before) as { callId?: unknown } | null;
      return typeof call?.callId === 'string' && /^[0-9a-f-]{36}$/.test(call.callId) ? `/app/calls/${call.callId}` : null;
    }
    case 'user': // the users' pages are the admins' alone
    case 'municipality':
      return null;
  }
}

/** /app/audit and /app/audit/verify (auditors, officials, admins); /app/jobs (officials, admins). */
export function registerAuditPages(routes: WebRoutes, deps: { audit: AuditService; jobRuns: JobRunsService }): void {
  const { audit, jobRuns } = deps;
  routes.get('/app/audit', { permission: 'audit.read' }, async (ctx) => {
    const filters = Object.fromEntries(['entity', 'action', 'entityId', 'from', 'to'].map((k) => [k, one(ctx.query[k])])) as Record<string, string | undefined>;
    const page = one(ctx.query.page);
    const { result, problem } = await filteredPage(AuditQuery, filters, page, (query: AuditQuery) => audit.list(ctx.actor, query));
    const body = eta.render(FILTERED_LIST, {
      heading: 'Dziennik zmian',
      lead: 'Każdy zapis w systemie zostawia tu wpis, którego nie można zmienić ani usunąć.',
      leadLink: { href: '/app/audit/verify', label: 'Sprawdź, czy dziennik jest nienaruszony' },
      action: '/app/audit',
      searchLabel: 'Filtruj dziennik',
      submit: 'Pokaż',
      filters: [
        selectFilter('entity', 'Rodzaj rekordu', codeOptions(ENTITY_LABELS, AUDIT_ENTITIES), filters.entity),
        selectFilter('action', 'Działanie', codeOptions(ACTION_LABELS, AUDIT_ACTIONS), filters.action),
        { name: 'from', label: 'Od dnia', kind: 'date', value: filters.from ?? '' },
        { name: 'to', label: 'Do dnia', kind: 'date', value: filters.to ?? '' },
      ],
      problem,
      found: result.total === 0 ? 'Brak wpisów.' : `Wpisów: ${formatInteger(result.total)}.`,
      table: {
        id: 'audit-caption',
        caption: 'Wpisy, od najnowszego',
        columns: [{ label: 'Nr' }, { label: 'Kiedy' }, { label: 'Kto' }, { label: 'Działanie' }, { label: 'Rekord' }],
        rows: result.items.map((e) => ({
          head: String(e.seq),
          cells: [formatInstant(new Date(e.at)), e.actor.email ?? 'system', label(ACTION_LABELS, e.action), `${label(ENTITY_LABELS, e.entity)}${e.entityId ? ` ${e.entityId}` : ''}`],
          href: entityHref(e) ?? undefined,
        })),
      },
      pager: pager('/app/audit', filters, result),
    });
    return { html: renderLayout({ title: 'Dziennik zmian', body, session: ctx.session, section: '/app/audit' }) };
  });

  routes.get('/app/audit/verify', { permission: 'audit.read' }, async (ctx) => {
    const v = await audit.verify(ctx.actor);
    const body = eta.render(VERIFY, {
      valid: v.valid,
      entries: formatInteger(v.entries),
      broken: v.firstBroken ? { seq: v.firstBroken.seq, reason: BROKEN[v.firstBroken.reason] ?? v.firstBroken.reason } : null,
      facts: [
        { label: 'Wpisów', value: formatInteger(v.entries) },
        { label: 'Numer ostatniego wpisu', value: String(v.headSeq) },
        { label: 'Skrót ostatniego wpisu (SHA-256)', value: v.headHash ?? '—' },
      ],
    });
    return { html: renderLayout({ title: 'Sprawdzenie dziennika zmian', body, session: ctx.session, section: '/app/audit' }) };
  });

  routes.get('/app/jobs', { permission: 'reports.manage' }, async (ctx) => {
    const filters = { job: one(ctx.query.job), outcome: one(ctx.query.outcome) };
    const page = one(ctx.query.page);
    const { result, problem } = await filteredPage(JobRunsQuery, filters, page, (query: JobRunsQuery) => jobRuns.list(ctx.actor, query));
    const body = eta.render(FILTERED_LIST, {
      heading: 'Zadania harmonogramu',
      lead: 'Co noc system przelicza sprawozdania, w których zmieniły się dane; 1 stycznia otwiera sprawozdanie za miniony rok.',
      action: '/app/jobs',
      searchLabel: 'Filtruj przebiegi',
      submit: 'Pokaż',
      filters: [selectFilter('job', 'Zadanie', codeOptions(JOB_LABELS, JOB_NAMES), filters.job), selectFilter('outcome', 'Wynik', codeOptions(OUTCOME_LABELS, JOB_OUTCOMES), filters.outcome)],
      problem,
      found: result.total === 0 ? 'Brak przebiegów.' : `Przebiegów: ${formatInteger(result.total)}.`,
      table: {
        id: 'jobs-caption',
        caption: 'Przebiegi, od najnowszego',
        columns: [{ label: 'Rozpoczęto' }, { label: 'Zadanie' }, { label: 'Rok' }, { label: 'Wynik' }, { label: 'Zakończono' }, { label: 'Błąd' }],
        rows: result.items.map((r) => ({
          head: formatInstant(new Date(r.startedAt)),
          cells: [label(JOB_LABELS, r.job), r.year === null ? '—' : String(r.year), label(OUTCOME_LABELS, r.outcome), r.finishedAt ? formatInstant(new Date(r.finishedAt)) : '—', r.error ?? '—'],
        })),
      },
      pager: pager('/app/jobs', filters, result),
    });
    return { html: renderLayout({ title: 'Zadania harmonogramu', body, session: ctx.session, section: '/app/jobs' }) };
  });
}
