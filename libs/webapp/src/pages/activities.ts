import { ActivitiesService, ActivityQuery, ACTIVITY_TYPES, CreateActivityDto, UpdateActivityDto, type ActivityView } from '@app/activities';
import { ACTIVITY_LABELS, formatDay, formatInteger, label, roleHas, type Actor } from '@app/core';
import { NgosService } from '@app/ngos';
import { ProgramsService } from '@app/programs';
import { type FieldSpec, type FormState, type Option } from '../forms';
import { renderLayout, type WebRoutes } from '../http';
import { filteredPage, FILTERED_LIST, one, pager, selectFilter } from '../lists';
import type { WebSessions } from '../sessions';
import { eta, template } from '../views';
import { registerRecordForms } from '../record-forms';
import { ngoPath, uuid } from './ngos';
import { programOptions } from './programs';
import { allNgos, ngoOption } from './tasks';

export const activityPath = (id: string) => `/app/activities/${id}`;

const RECORD = template(
  '@activity',
  `<h1><%= it.title %></h1>
<%~ include('@facts', { facts: it.facts }) %>
<h2>Organizacje biorące udział</h2>
<% if (it.ngos.length) { %><ul><% it.ngos.forEach(function (n) { %><li><a href="<%= n.href %>"><%= n.name %></a></li><% }) %></ul><% } else { %><p>Działanie otwarte, bez wskazanych organizacji.</p><% } %>
<% if (it.canWrite) { %><p class="actions"><a class="button" href="<%= it.editHref %>">Zmień dane działania</a></p><% } %>
`,
);

const TYPES: Option[] = ACTIVITY_TYPES.map((t) => ({ value: t, label: label(ACTIVITY_LABELS, t) }));

/** /app/activities: non-financial cooperation (art. 5); list, record, create, edit. */
export function registerActivityPages(routes: WebRoutes, deps: { activities: ActivitiesService; ngos: NgosService; programs: ProgramsService; sessions: WebSessions }): void {
  const { activities, ngos, programs, sessions } = deps;
  const canWrite = (actor: Actor) => roleHas(actor.role, 'registers.write');

  const fields = async (actor: Actor): Promise<FieldSpec[]> => {
    return [
      { name: 'programId', label: 'Program współpracy', kind: 'select', options: [{ value: '', label: 'Wybierz…' }, ...(await programOptions(programs, actor))] },
      { name: 'type', label: 'Forma współpracy', kind: 'select', options: [{ value: '', label: 'Wybierz…' }, ...TYPES] },
      { name: 'title', label: 'Tytuł', kind: 'text' },
      { name: 'startDate', label: 'Data rozpoczęcia', kind: 'date' },
      { name: 'endDate', label: 'Data zakończenia', kind: 'date', optional: true, hint: 'Pusta dla działania jednodniowego' },
      { name: 'department', label: 'Wydział', kind: 'text', width: 'w-20' },
      { name: 'ngoIds', label: 'Organizacja biorąca udział', kind: 'selects', count: 4, optional: true, moreLabel: 'Kolejna organizacja', options: (await allNgos(ngos, actor)).map(ngoOption) },
      { name: 'participants', label: 'Liczba uczestników', kind: 'integer', optional: true },
    ];
  };
  const valuesOf = (a: ActivityView): FormState['values'] => ({
    programId: a.programId,
    type: a.type,
    title: a.title,
    startDate: a.startDate,
    endDate: a.endDate ?? '',
    department: a.department,
    ngoIds: a.ngoIds,
    participants: a.participants === null ? '' : String(a.participants),
  });

  routes.get('/app/activities', { permission: 'staff' }, async (ctx) => {
    const filters = { search: one(ctx.query.search), year: one(ctx.query.year), type: one(ctx.query.type) };
    const page = one(ctx.query.page);
    const { result, problem } = await filteredPage(ActivityQuery, filters, page, (query: ActivityQuery) => activities.list(ctx.actor, query));
    const body = eta.render(FILTERED_LIST, {
      heading: 'Pozafinansowe formy współpracy',
      add: canWrite(ctx.actor) ? { href: '/app/activities/new', label: 'Dodaj działanie' } : null,
      action: '/app/activities',
      searchLabel: 'Szukaj działań',
      filters: [
        { name: 'search', label: 'Tytuł', kind: 'search', value: filters.search ?? '', width: 'w-20' },
        { name: 'year', label: 'Rok', kind: 'text', value: filters.year ?? '', inputmode: 'numeric' },
        selectFilter('type', 'Forma', TYPES, filters.type),
      ],
      problem,
      found: result.total === 0 ? 'Nie znaleziono żadnego działania.' : `Znaleziono: ${formatInteger(result.total)}.`,
      table: {
        id: 'activities-caption',
        caption: 'Działania',
        columns: [{ label: 'Tytuł' }, { label: 'Forma' }, { label: 'Kiedy' }, { label: 'Wydział' }],
        rows: result.items.map((a) => ({ head: a.title, href: activityPath(a.id), cells: [label(ACTIVITY_LABELS, a.type), a.endDate && a.endDate !== a.startDate ? `${formatDay(a.startDate)} – ${formatDay(a.endDate)}` : formatDay(a.startDate), a.department] })),
      },
      pager: pager('/app/activities', filters, result),
    });
    return { html: renderLayout({ title: 'Pozafinansowe formy współpracy', body, session: ctx.session, section: '/app/activities' }) };
  });

  routes.get('/app/activities/:id', { permission: 'staff' }, async (ctx) => {
    const a = await activities.get(ctx.actor, uuid(ctx.params.id));
    const named = await Promise.all(a.ngoIds.map((id) => ngos.get(ctx.actor, id)));
    const program = await programs.get(ctx.actor, a.programId);
    const body = eta.render(RECORD, {
      title: a.title,
      canWrite: canWrite(ctx.actor),
      editHref: `${activityPath(a.id)}/edit`,
      ngos: named.map((n) => ({ href: ngoPath(n.id), name: n.name })),
      facts: [
        { label: 'Forma', value: label(ACTIVITY_LABELS, a.type) },
        { label: 'Program', value: program.title },
        { label: 'Kiedy', value: a.endDate && a.endDate !== a.startDate ? `${formatDay(a.startDate)} – ${formatDay(a.endDate)}` : formatDay(a.startDate) },
        { label: 'Wydział', value: a.department },
        { label: 'Liczba uczestników', value: a.participants === null ? '—' : formatInteger(a.participants) },
      ],
    });
    return { html: renderLayout({ title: a.title, body, session: ctx.session, section: '/app/activities' }) };
  });

  registerRecordForms(routes, sessions, {
    base: '/app/activities',
    fields,
    valuesOf,
    newValues: () => ({ ngoIds: [] }),
    createDto: CreateActivityDto,
    updateDto: UpdateActivityDto,
    get: (actor, id) => activities.get(actor, id),
    create: (actor, dto: CreateActivityDto) => activities.create(actor, dto),
    update: (actor, id, dto: UpdateActivityDto) => activities.update(actor, id, dto),
    nameOf: (a) => a.title,
    text: { createHeading: 'Dodaj działanie', createSubmit: 'Zapisz działanie', editHeading: (n) => `Zmień działanie: ${n}`, created: (n) => `Dodano działanie „${n}”.`, saved: (n) => `Zapisano zmiany działania „${n}”.` },
  }, uuid);

}
