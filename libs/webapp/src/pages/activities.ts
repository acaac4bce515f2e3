import { ActivitiesService, ActivityQuery, ACTIVITY_TYPES, CreateActivityDto, UpdateActivityDto, type ActivityView } from '@app/activities';
import { ACTIVITY_LABELS, formatDay, formatInteger, label, roleHas, type Actor } from '@app/core';
import { NgosService } from '@app/ngos';
import { ProgramsService } from '@app/programs';
import { applyError, differences, emptyForm, errorItems, formValues, hasErrors, renderFields, toInput, validated, versionOf, type FieldSpec, type FormState, type Option } from '../forms';
import { renderLayout, type Outcome, type PageContext, type WebRoutes } from '../http';
import { one, pager } from '../lists';
import type { WebSessions } from '../sessions';
import { eta, RECORD_FORM, template } from '../views';
import { ngoPath, uuid } from './ngos';
import { allNgos, ngoOption } from './tasks';

export const activityPath = (id: string) => `/app/activities/${id}`;

const LIST = template(
  '@activities',
  `<h1>Pozafinansowe formy współpracy</h1>
<% if (it.canWrite) { %><p><a class="button" href="/app/activities/new">Dodaj działanie</a></p><% } %>
<form class="filters" method="get" action="/app/activities" role="search" aria-label="Szukaj działań">
<div class="field"><label for="q-search">Tytuł</label><input id="q-search" name="search" type="search" value="<%= it.search %>" class="w-20" maxlength="200"></div>
<div class="field"><label for="q-year">Rok</label><input id="q-year" name="year" type="text" inputmode="numeric" value="<%= it.year %>" class="w-10" maxlength="4"></div>
<div class="field"><label for="q-type">Forma</label><select id="q-type" name="type"><% it.types.forEach(function (o) { %><option value="<%= o.value %>"<% if (o.selected) { %> selected<% } %>><%= o.label %></option><% }) %></select></div>
<button type="submit">Szukaj</button>
</form>
<% if (it.problem) { %><p class="error-message" role="alert"><%= it.problem %></p><% } %>
<p role="status"><%= it.found %></p>
<% if (it.table.rows.length) { %><%~ include('@table', it.table) %><% } %>
<%~ include('@pager', it.pager) %>
`,
);

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
    const list = await programs.list(actor, { archived: false, limit: 200 });
    const programOptions = [...list.items].sort((a, b) => b.startYear - a.startYear).map((p) => ({ value: p.id, label: `${p.title} (${p.startYear === p.endYear ? p.startYear : `${p.startYear}–${p.endYear}`})` }));
    return [
      { name: 'programId', label: 'Program współpracy', kind: 'select', options: [{ value: '', label: 'Wybierz…' }, ...programOptions] },
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
    let problem: string | null = null;
    let result = { items: [] as ActivityView[], total: 0, page: 1, limit: 50 };
    try {
      const query = await validated(ActivityQuery, { ...Object.fromEntries(Object.entries(filters).filter(([, v]) => v)), ...(page && /^\d{1,6}$/.test(page) ? { page } : {}), limit: '50' });
      result = await activities.list(ctx.actor, query);
    } catch (error) {
      const state = emptyForm();
      applyError(state, error, []);
      problem = `Nie można tak filtrować: ${state.general.join(' ')}`;
    }
    const body = eta.render(LIST, {
      canWrite: canWrite(ctx.actor),
      search: filters.search ?? '',
      year: filters.year ?? '',
      types: [{ value: '', label: 'wszystkie' }, ...TYPES].map((o) => ({ ...o, selected: o.value === (filters.type ?? '') })),
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

  const form = async (ctx: PageContext, state: FormState, o: { heading: string; action: string; submit: string; cancelHref: string; version?: number; changes?: unknown[] }, status = 200): Promise<Outcome> => {
    const specs = await fields(ctx.actor);
    const body = eta.render(RECORD_FORM, { ...o, changes: o.changes ?? [], csrf: ctx.session.csrfToken, errors: errorItems(state, specs), fields: renderFields(specs, state) });
    return { status, html: renderLayout({ title: o.heading, body, session: ctx.session, section: '/app/activities', hasErrors: hasErrors(state) }) };
  };
  const createOptions = { heading: 'Dodaj działanie', action: '/app/activities/new', submit: 'Zapisz działanie', cancelHref: '/app/activities' };
  const editOptions = (a: ActivityView) => ({ heading: `Zmień działanie: ${a.title}`, action: `${activityPath(a.id)}/edit`, submit: 'Zapisz zmiany', cancelHref: activityPath(a.id), version: a.version });

  routes.get('/app/activities/new', { permission: 'registers.write' }, (ctx) => form(ctx, emptyForm({ ngoIds: [] }), createOptions));
  routes.post('/app/activities/new', { permission: 'registers.write' }, async (ctx) => {
    const specs = await fields(ctx.actor);
    const state = emptyForm(formValues(ctx.body, specs));
    try {
      const created = await activities.create(ctx.actor, await validated(CreateActivityDto, toInput(state.values, specs)));
      await sessions.flash(ctx.session, `Dodano działanie „${created.title}”.`);
      return { redirect: activityPath(created.id) };
    } catch (error) {
      return form(ctx, state, createOptions, applyError(state, error, specs));
    }
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

  routes.get('/app/activities/:id/edit', { permission: 'registers.write' }, async (ctx) => {
    const a = await activities.get(ctx.actor, uuid(ctx.params.id));
    return form(ctx, emptyForm(valuesOf(a)), editOptions(a));
  });
  routes.post('/app/activities/:id/edit', { permission: 'registers.write' }, async (ctx) => {
    const id = uuid(ctx.params.id);
    const specs = await fields(ctx.actor);
    const state = emptyForm(formValues(ctx.body, specs));
    try {
      const saved = await activities.update(ctx.actor, id, await validated(UpdateActivityDto, { ...toInput(state.values, specs), version: versionOf(ctx.body) }));
      await sessions.flash(ctx.session, `Zapisano zmiany działania „${saved.title}”.`);
      return { redirect: activityPath(saved.id) };
    } catch (error) {
      const status = applyError(state, error, specs);
      const current = await activities.get(ctx.actor, id);
      const stale = status === 409 && versionOf(ctx.body) !== current.version;
      return form(ctx, state, { ...editOptions(current), changes: stale ? differences(specs, valuesOf(current), state.values) : [] }, status);
    }
  });
}
