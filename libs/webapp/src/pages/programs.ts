import { formatDay, formatInteger, formatPln, label, roleHas, type Actor } from '@app/core';
import { CreateProgramDto, ProgramsService, UpdateProgramDto, type ProgramView } from '@app/programs';
import { SpheresService } from '@app/spheres';
import { moneyForForm, type FieldSpec, type FormState, type Option } from '../forms';
import { renderLayout, type WebRoutes } from '../http';
import { one, pager } from '../lists';
import type { WebSessions } from '../sessions';
import { eta, template } from '../views';
import { registerRecordForms } from '../record-forms';
import { uuid } from './ngos';

export const programPath = (id: string) => `/app/programs/${id}`;
const KIND_LABELS: Record<string, string> = { 'multi-year': 'wieloletni', annual: 'roczny' };
const years = (p: Pick<ProgramView, 'startYear' | 'endYear'>) => (p.startYear === p.endYear ? String(p.startYear) : `${p.startYear}–${p.endYear}`);

/** The municipality's active programmes, newest first, as the options of a "programme" select. */
export async function programOptions(programs: ProgramsService, actor: Actor): Promise<Option[]> {
  const list = await programs.list(actor, { archived: false, limit: 200 });
  return [...list.items].sort((a, b) => b.startYear - a.startYear || a.title.localeCompare(b.title, 'pl')).map((p) => ({ value: p.id, label: `${p.title} (${years(p)})` }));
}

const LIST = template(
  '@programs',
  `<h1>Programy współpracy</h1>
<% if (it.canWrite) { %><p><a class="button" href="/app/programs/new">Dodaj program</a></p><% } %>
<p role="status"><%= it.found %></p>
<% if (it.table.rows.length) { %><%~ include('@table', it.table) %><% } %>
<%~ include('@pager', it.pager) %>
`,
);

const RECORD = template(
  '@program',
  `<h1><%= it.title %></h1>
<% if (it.archived) { %><p><span class="tag">zarchiwizowany</span></p><% } %>
<%~ include('@facts', { facts: it.facts }) %>
<% if (it.canWrite && !it.archived) { %><p class="actions"><a class="button" href="<%= it.editHref %>">Zmień dane programu</a></p><% } %>
<% if (it.children.rows.length) { %><h2>Programy roczne</h2><%~ include('@table', it.children) %><% } %>
<p><a href="<%= it.tasksHref %>">Zadania zlecone w ramach tego programu</a></p>
`,
);

/** /app/programs: cooperation programmes, multi-year with their annual ones and their totals; create and edit. */
export function registerProgramPages(routes: WebRoutes, deps: { programs: ProgramsService; spheres: SpheresService; sessions: WebSessions }): void {
  const { programs, spheres, sessions } = deps;
  const canWrite = (actor: Actor) => roleHas(actor.role, 'registers.write');

  const fields = async (actor: Actor): Promise<FieldSpec[]> => {
    const multi = await programs.list(actor, { kind: 'multi-year', archived: false, limit: 200 });
    const parents: Option[] = [{ value: '', label: 'brak (program wieloletni albo samodzielny)' }, ...multi.items.map((p) => ({ value: p.id, label: `${p.title} (${years(p)})` }))];
    return [
      { name: 'title', label: 'Tytuł programu', kind: 'text' },
      { name: 'kind', label: 'Rodzaj', kind: 'select', options: [{ value: '', label: 'Wybierz…' }, { value: 'multi-year', label: 'wieloletni' }, { value: 'annual', label: 'roczny' }] },
      { name: 'startYear', label: 'Rok rozpoczęcia', kind: 'integer', hint: 'Na przykład 2026' },
      { name: 'endYear', label: 'Rok zakończenia', kind: 'integer', hint: 'Dla programu rocznego ten sam co rok rozpoczęcia' },
      { name: 'parentId', label: 'Program wieloletni, do którego należy', kind: 'select', optional: true, options: parents },
      { name: 'resolutionNumber', label: 'Numer uchwały rady', kind: 'text', optional: true, width: 'w-20' },
      { name: 'adoptedOn', label: 'Data uchwalenia', kind: 'date', optional: true, hint: 'Program roczny uchwala się do 30 listopada roku poprzedniego' },
      { name: 'plannedBudget', label: 'Planowane środki', kind: 'money', optional: true, hint: 'W złotych, np. 1 500 000,00' },
      { name: 'spheres', label: 'Sfery priorytetowe', kind: 'checkboxes', options: (await spheres.list({})).map((x) => ({ value: x.code, label: `${x.code}. ${x.name}` })) },
    ];
  };
  const valuesOf = (p: ProgramView): FormState['values'] => ({
    title: p.title,
    kind: p.kind,
    startYear: String(p.startYear),
    endYear: String(p.endYear),
    parentId: p.parentId ?? '',
    resolutionNumber: p.resolutionNumber ?? '',
    adoptedOn: p.adoptedOn ?? '',
    plannedBudget: moneyForForm(p.plannedBudget),
    spheres: p.spheres,
  });

  routes.get('/app/programs', { permission: 'staff' }, async (ctx) => {
    const page = one(ctx.query.page);
    const result = await programs.list(ctx.actor, { archived: false, page: page && /^\d{1,6}$/.test(page) ? Number(page) : 1, limit: 50 });
    const body = eta.render(LIST, {
      canWrite: canWrite(ctx.actor),
      found: result.total === 0 ? 'Nie ma jeszcze żadnego programu.' : `Programów: ${formatInteger(result.total)}.`,
      table: {
        id: 'programs-caption',
        caption: 'Programy, od najnowszego',
        columns: [{ label: 'Tytuł' }, { label: 'Rodzaj' }, { label: 'Lata' }, { label: 'Uchwała' }],
        rows: [...result.items]
          .sort((a, b) => b.startYear - a.startYear || a.kind.localeCompare(b.kind))
          .map((p) => ({ head: p.title, href: programPath(p.id), cells: [label(KIND_LABELS, p.kind), years(p), p.resolutionNumber ?? '—'] })),
      },
      pager: pager('/app/programs', {}, result),
    });
    return { html: renderLayout({ title: 'Programy współpracy', body, session: ctx.session, section: '/app/programs' }) };
  });

  routes.get('/app/programs/:id', { permission: 'staff' }, async (ctx) => {
    const p = await programs.get(ctx.actor, uuid(ctx.params.id));
    const body = eta.render(RECORD, {
      title: p.title,
      archived: p.archived,
      canWrite: canWrite(ctx.actor),
      editHref: `${programPath(p.id)}/edit`,
      tasksHref: `/app/tasks?programId=${p.id}`,
      facts: [
        { label: 'Rodzaj', value: label(KIND_LABELS, p.kind) },
        { label: 'Lata', value: years(p) },
        ...(p.parentId ? [{ label: 'Program wieloletni', value: 'zobacz', href: programPath(p.parentId) }] : []),
        { label: 'Uchwała', value: p.resolutionNumber ? `${p.resolutionNumber}${p.adoptedOn ? ` z ${formatDay(p.adoptedOn)}` : ''}` : '—' },
        ...(p.adoptedOnTime === false ? [{ label: 'Termin uchwalenia', value: 'po 30 listopada roku poprzedniego' }] : []),
        { label: 'Planowane środki', value: p.plannedBudget === null ? '—' : formatPln(p.plannedBudget) },
        { label: 'Zadania (z programami rocznymi)', value: formatInteger(p.totals.tasks) },
        { label: 'Przyznano', value: formatPln(p.totals.granted) },
        { label: 'Rozliczono', value: formatPln(p.totals.settled) },
      ],
      children: {
        id: 'children-caption',
        caption: 'Programy roczne',
        columns: [{ label: 'Tytuł' }, { label: 'Rok' }],
        rows: p.children.map((c) => ({ head: c.title, href: programPath(c.id), cells: [years(c)] })),
      },
    });
    return { html: renderLayout({ title: p.title, body, session: ctx.session, section: '/app/programs' }) };
  });

  registerRecordForms(routes, sessions, {
    base: '/app/programs',
    fields,
    valuesOf,
    newValues: () => ({ spheres: [] }),
    createDto: CreateProgramDto,
    updateDto: UpdateProgramDto,
    get: (actor, id) => programs.get(actor, id),
    create: (actor, dto: CreateProgramDto) => programs.create(actor, dto),
    update: (actor, id, dto: UpdateProgramDto) => programs.update(actor, id, dto),
    nameOf: (p) => p.title,
    text: { createHeading: 'Dodaj program współpracy', createSubmit: 'Zapisz program', editHeading: (n) => `Zmień program: ${n}`, created: (n) => `Dodano program „${n}”.`, saved: (n) => `Zapisano zmiany programu „${n}”.` },
  }, uuid);

}
