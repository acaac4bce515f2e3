import { ACTIVITY_LABELS, formatDay, formatInteger, formatPln, label, NotFound, roleHas, STATUS_LABELS, ROLE_LABELS, type Actor } from '@app/core';
import { ActivitiesService } from '@app/activities';
import { isUUID } from 'class-validator';
import { MembersService } from '@app/commissions';
import { CreateNgoDto, NgoQuery, NgosService, UpdateNgoDto, type NgoView } from '@app/ngos';
import { SpheresService } from '@app/spheres';
import { TasksService } from '@app/tasks';
import { validated, type FieldSpec, type FormState } from '../forms';
import { renderLayout, type WebRoutes } from '../http';
import { one, pager } from '../lists';
import type { WebSessions } from '../sessions';
import { eta, template } from '../views';
import { registerRecordForms } from '../record-forms';

export const LEGAL_FORM_LABELS: Record<string, string> = {
  association: 'stowarzyszenie',
  foundation: 'fundacja',
  'church-entity': 'kościelna osoba prawna lub jednostka organizacyjna',
  cooperative: 'spółdzielnia socjalna',
  other: 'inna organizacja (art. 3 ust. 3 ustawy)',
};

export const ngoPath = (id: string) => `/app/ngos/${id}`;

async function ngoFields(spheres: SpheresService): Promise<FieldSpec[]> {
  const current = await spheres.list({});
  return [
    { name: 'name', label: 'Nazwa organizacji', kind: 'text', hint: 'Pełna nazwa, jak w KRS lub w statucie' },
    { name: 'legalForm', label: 'Forma prawna', kind: 'select', options: [{ value: '', label: 'Wybierz…' }, ...Object.entries(LEGAL_FORM_LABELS).map(([value, l]) => ({ value, label: l }))] },
    { name: 'krs', label: 'Numer KRS', kind: 'text', optional: true, inputmode: 'numeric', width: 'w-10', hint: '10 cyfr, np. 0000123456', spellcheck: false },
    { name: 'nip', label: 'NIP', kind: 'text', optional: true, inputmode: 'numeric', width: 'w-10', hint: '10 cyfr, z kreskami lub bez', spellcheck: false },
    { name: 'regon', label: 'REGON', kind: 'text', optional: true, inputmode: 'numeric', width: 'w-10', hint: '9 albo 14 cyfr', spellcheck: false },
    { name: 'email', label: 'Adres e-mail', kind: 'email', optional: true, width: 'w-20', autocomplete: 'off', spellcheck: false },
    { name: 'website', label: 'Strona internetowa', kind: 'url', optional: true, width: 'w-20', hint: 'Adres zaczynający się od https://', spellcheck: false },
    { name: 'address', label: 'Adres siedziby', kind: 'textarea', optional: true },
    { name: 'spheres', label: 'Sfery pożytku publicznego, w których działa', kind: 'checkboxes', hint: 'Art. 4 ustawy; zaznacz wszystkie, które dotyczą organizacji', options: current.map((s) => ({ value: s.code, label: `${s.code}. ${s.name}` })) },
    { name: 'publicBenefit', label: 'Organizacja pożytku publicznego (OPP)', kind: 'checkbox' },
    { name: 'registeredOn', label: 'Data rejestracji', kind: 'date', optional: true, hint: 'Wpis do KRS albo data założenia, w formacie RRRR-MM-DD' },
  ];
}

function valuesOf(n: NgoView): FormState['values'] {
  return {
    name: n.name,
    legalForm: n.legalForm,
    krs: n.krs ?? '',
    nip: n.nip ?? '',
    regon: n.regon ?? '',
    email: n.email ?? '',
    website: n.website ?? '',
    address: n.address ?? '',
    spheres: n.spheres,
    publicBenefit: n.publicBenefit ? 'true' : 'false',
    registeredOn: n.registeredOn ?? '',
  };
}

const LIST = template(
  '@ngos',
  `<h1>Organizacje pozarządowe</h1>
<% if (it.canWrite) { %><p><a class="button" href="/app/ngos/new">Dodaj organizację</a></p><% } %>
<form class="filters" method="get" action="/app/ngos" role="search" aria-label="Szukaj organizacji">
<div class="field"><label for="q-search">Nazwa, KRS albo NIP</label><input id="q-search" name="search" type="search" value="<%= it.search %>" class="w-20" maxlength="200"></div>
<div class="field"><label for="q-sphere">Sfera</label><select id="q-sphere" name="sphere"><% it.spheres.forEach(function (o) { %><option value="<%= o.value %>"<% if (o.selected) { %> selected<% } %>><%= o.label %></option><% }) %></select></div>
<div class="field"><label for="q-archived">Stan</label><select id="q-archived" name="archived"><% it.states.forEach(function (o) { %><option value="<%= o.value %>"<% if (o.selected) { %> selected<% } %>><%= o.label %></option><% }) %></select></div>
<button type="submit">Szukaj</button>
</form>
<p role="status"><%= it.found %></p>
<% if (it.table.rows.length) { %><%~ include('@table', it.table) %><% } %>
<%~ include('@pager', it.pager) %>
`,
);

const RECORD = template(
  '@ngo',
  `<h1><%= it.name %></h1>
<% if (it.archived) { %><p><span class="tag">zarchiwizowana</span></p><% } %>
<%~ include('@facts', { facts: it.facts }) %>
<% if (it.canWrite && !it.archived) { %><p class="actions"><a class="button" href="<%= it.editHref %>">Zmień dane</a></p><% } %>
<h2>Zlecone zadania publiczne</h2>
<% if (it.tasks.rows.length) { %><%~ include('@table', it.tasks) %><% } else { %><p>Organizacja nie realizuje żadnego zadania zleconego przez gminę.</p><% } %>
<h2>Pozafinansowe formy współpracy</h2>
<% if (it.activities.rows.length) { %><%~ include('@table', it.activities) %><% } else { %><p>Brak wpisów.</p><% } %>
<h2>Członkostwo w komisjach</h2>
<% if (it.memberships.rows.length) { %><%~ include('@table', it.memberships) %><% } else { %><p>Organizacja nie ma przedstawiciela w żadnej komisji.</p><% } %>
`,
);

export const text = (v: string | null | undefined) => (v === null || v === undefined || v === '' ? '—' : v);

/** The register at /app/ngos: search, filters, pages of 50; records with their tasks, activities and memberships; create and edit. */
export function registerNgoPages(routes: WebRoutes, deps: { ngos: NgosService; spheres: SpheresService; tasks: TasksService; activities: ActivitiesService; members: MembersService; sessions: WebSessions }): void {
  const { ngos, spheres, tasks, activities, members, sessions } = deps;
  const canWrite = (actor: Actor) => roleHas(actor.role, 'registers.write');

  routes.get('/app/ngos', { permission: 'staff' }, async (ctx) => {
    const raw = { search: one(ctx.query.search), sphere: one(ctx.query.sphere), archived: one(ctx.query.archived) ?? 'false', page: one(ctx.query.page) };
    const query = await validated(NgoQuery, {
      ...(raw.search ? { search: raw.search } : {}),
      ...(raw.sphere ? { sphere: raw.sphere } : {}),
      ...(raw.archived === 'all' ? {} : { archived: raw.archived === 'true' ? 'true' : 'false' }),
      ...(raw.page && /^\d{1,6}$/.test(raw.page) ? { page: raw.page } : {}),
      limit: '50',
    });
    const result = await ngos.list(ctx.actor, query);
    const sphereList = await spheres.list({});
    const body = eta.render(LIST, {
      canWrite: canWrite(ctx.actor),
      search: raw.search ?? '',
      spheres: [{ value: '', label: 'wszystkie' }, ...sphereList.map((s) => ({ value: s.code, label: `${s.code}. ${s.name}` }))].map((o) => ({ ...o, selected: o.value === (raw.sphere ?? '') })),
      states: [
        { value: 'false', label: 'działające' },
        { value: 'true', label: 'zarchiwizowane' },
        { value: 'all', label: 'wszystkie' },
      ].map((o) => ({ ...o, selected: o.value === raw.archived })),
      found: result.total === 0 ? 'Nie znaleziono żadnej organizacji.' : `Znaleziono: ${formatInteger(result.total)}.`,
      table: {
        id: 'ngos-caption',
        caption: 'Organizacje',
        columns: [{ label: 'Nazwa' }, { label: 'Forma prawna' }, { label: 'KRS' }, { label: 'NIP' }, { label: 'Stan' }],
        rows: result.items.map((n) => ({ head: n.name, href: ngoPath(n.id), cells: [label(LEGAL_FORM_LABELS, n.legalForm), text(n.krs), text(n.nip), n.archived ? 'zarchiwizowana' : 'działa'] })),
      },
      pager: pager('/app/ngos', { search: raw.search, sphere: raw.sphere, archived: raw.archived }, result),
    });
    return { html: renderLayout({ title: 'Organizacje', body, session: ctx.session, section: '/app/ngos' }) };
  });

  routes.get('/app/ngos/:id', { permission: 'staff' }, async (ctx) => {
    const ngo = await ngos.get(ctx.actor, uuid(ctx.params.id));
    const sphereNames = new Map((await spheres.list({ all: true })).map((s) => [s.code, s.name]));
    const [taskPage, activityPage, membershipPage] = await Promise.all([
      tasks.list(ctx.actor, { ngoId: ngo.id, limit: 200 }),
      activities.list(ctx.actor, { ngoId: ngo.id, limit: 200 }),
      members.ofNgo(ctx.actor, ngo.id, { limit: 200 }),
    ]);
    const body = eta.render(RECORD, {
      name: ngo.name,
      archived: ngo.archived,
      canWrite: canWrite(ctx.actor),
      editHref: `${ngoPath(ngo.id)}/edit`,
      facts: ngoFacts(ngo, sphereNames),
      tasks: {
        id: 'tasks-caption',
        caption: `Zadania (${formatInteger(taskPage.total)})`,
        columns: [{ label: 'Tytuł' }, { label: 'Okres' }, { label: 'Kwota przyznana', num: true }, { label: 'Status' }],
        rows: taskPage.items.map((t) => ({ head: t.title, cells: [`${formatDay(t.startDate)} – ${formatDay(t.endDate)}`, formatPln(t.amountGranted), label(STATUS_LABELS, t.status)] })),
      },
      activities: {
        id: 'activities-caption',
        caption: `Działania (${formatInteger(activityPage.total)})`,
        columns: [{ label: 'Tytuł' }, { label: 'Forma' }, { label: 'Od' }],
        rows: activityPage.items.map((a) => ({ head: a.title, cells: [label(ACTIVITY_LABELS, a.type), formatDay(a.startDate)] })),
      },
      memberships: membershipsTable(membershipPage.items),
    });
    return { html: renderLayout({ title: ngo.name, body, session: ctx.session, section: '/app/ngos' }) };
  });

  registerRecordForms(routes, sessions, {
    base: '/app/ngos',
    fields: () => ngoFields(spheres),
    valuesOf,
    newValues: () => ({ spheres: [] }),
    createDto: CreateNgoDto,
    updateDto: UpdateNgoDto,
    get: (actor, id) => ngos.get(actor, id),
    create: (actor, dto: CreateNgoDto) => ngos.create(actor, dto),
    update: (actor, id, dto: UpdateNgoDto) => ngos.update(actor, id, dto),
    nameOf: (n) => n.name,
    text: { createHeading: 'Dodaj organizację', createSubmit: 'Zapisz organizację', editHeading: (n) => `Zmień dane: ${n}`, created: (n) => `Dodano organizację „${n}”.`, saved: (n) => `Zapisano zmiany organizacji „${n}”.` },
  }, uuid);
}

export function ngoFacts(ngo: NgoView, sphereNames: ReadonlyMap<string, string>) {
  return [
    { label: 'Forma prawna', value: label(LEGAL_FORM_LABELS, ngo.legalForm) },
    { label: 'KRS', value: text(ngo.krs) },
    { label: 'NIP', value: text(ngo.nip) },
    { label: 'REGON', value: text(ngo.regon) },
    { label: 'E-mail', value: text(ngo.email) },
    { label: 'Strona internetowa', value: text(ngo.website) },
    { label: 'Adres', value: text(ngo.address) },
    { label: 'Sfery', value: ngo.spheres.length ? ngo.spheres.map((c) => `${c}. ${sphereNames.get(c) ?? ''}`.trim()).join('; ') : '—' },
    { label: 'Status OPP', value: ngo.publicBenefit ? 'tak' : 'nie' },
    { label: 'Data rejestracji', value: ngo.registeredOn ? formatDay(ngo.registeredOn) : '—' },
  ];
}

export function membershipsTable(items: Array<{ commission: { name: string }; representative: string; role: string; from: string; to: string | null; active: boolean }>) {
  return {
    id: 'memberships-caption',
    caption: `Członkostwo w komisjach (${formatInteger(items.length)})`,
    columns: [{ label: 'Komisja' }, { label: 'Przedstawiciel' }, { label: 'Funkcja' }, { label: 'Od' }, { label: 'Do' }, { label: 'Teraz' }],
    rows: items.map((m) => ({ head: m.commission.name, cells: [m.representative, label(ROLE_LABELS, m.role), formatDay(m.from), m.to ? formatDay(m.to) : 'do końca kadencji', m.active ? 'obecne' : 'zakończone lub przyszłe'] })),
  };
}

/** A path id that is not a UUID is no record: the same 404 page as a missing one. */
export function uuid(id: string | undefined): string {
  // the check of the API's UuidParam; here a 404 page rather than a 400
  if (!id || !isUUID(id)) throw new NotFound('record');
  return id.toLowerCase();
}
