import {
  AddMemberDto,
  CommissionQuery,
  CommissionsService,
  CreateCommissionDto,
  CreateMeetingDto,
  EndMemberQuery,
  MEMBER_ROLES,
  MeetingsService,
  MembersService,
  UpdateCommissionDto,
  UpdateMemberDto,
  type CommissionView,
  type MemberView,
} from '@app/commissions';
import { formatDay, formatInteger, label, roleHas, ROLE_LABELS, warsawToday, type Actor } from '@app/core';
import { NgosService } from '@app/ngos';
import { SpheresService } from '@app/spheres';
import { applyError, emptyForm, errorItems, formValues, hasErrors, renderFields, toInput, validated, versionOf, type FieldSpec, type FormState, type Option } from '../forms';
import { renderLayout, type Outcome, type PageContext, type WebRoutes } from '../http';
import { everyPage, filteredPage, FILTERED_LIST, one, pager, selectFilter } from '../lists';
import { registerRecordForms } from '../record-forms';
import type { WebSessions } from '../sessions';
import { eta, template } from '../views';
import { ngoPath, uuid } from './ngos';
import { allNgos, ngoOption } from './tasks';

export const commissionPath = (id: string) => `/app/commissions/${id}`;

const ROLES: Option[] = MEMBER_ROLES.map((r) => ({ value: r, label: label(ROLE_LABELS, r) }));
const term = (c: Pick<CommissionView, 'termStart' | 'termEnd'>) => `${formatDay(c.termStart)} – ${formatDay(c.termEnd)}`;

/** Per membership still running or yet to start: change its role, or end it (its last day; it stays in history). */
const MEMBER_CHANGE = template(
  '@commission-member-change',
  `<details class="member-change"<% if (it.open) { %> open<% } %>>
<summary><%= it.ngoName %> (<%= it.roleLabel %>)</summary>
<form class="filters" method="post" action="<%= it.roleAction %>" novalidate>
<input type="hidden" name="_csrf" value="<%= it.csrf %>">
<input type="hidden" name="version" value="<%= it.version %>">
<div class="field<% if (it.roleError) { %> field-error<% } %>">
<label for="<%= it.id %>-role">Nowa funkcja<span class="visually-hidden"> – <%= it.ngoName %></span></label>
<% if (it.roleError) { %><p class="error-message" id="<%= it.id %>-role-error"><span class="visually-hidden">Błąd:</span> <%= it.roleError %></p><% } %>
<select id="<%= it.id %>-role" name="role"<% if (it.roleError) { %> aria-describedby="<%= it.id %>-role-error" aria-invalid="true"<% } %>>
<% it.roles.forEach(function (o) { %><option value="<%= o.value %>"<% if (o.selected) { %> selected<% } %>><%= o.label %></option><% }) %>
</select>
</div>
<button type="submit">Zmień funkcję</button>
</form>
<form class="filters" method="post" action="<%= it.endAction %>" novalidate>
<input type="hidden" name="_csrf" value="<%= it.csrf %>">
<div class="field<% if (it.onError) { %> field-error<% } %>">
<label for="<%= it.id %>-on">Ostatni dzień członkostwa (nieobowiązkowe)<span class="visually-hidden"> – <%= it.ngoName %></span></label>
<p class="hint" id="<%= it.id %>-on-hint">W formacie RRRR-MM-DD; puste pole: dzisiaj (albo ostatni dzień kadencji, jeśli minęła)</p>
<% if (it.onError) { %><p class="error-message" id="<%= it.id %>-on-error"><span class="visually-hidden">Błąd:</span> <%= it.onError %></p><% } %>
<input id="<%= it.id %>-on" name="on" type="text" value="<%= it.on %>" class="w-10" aria-describedby="<%= it.id %>-on-hint<% if (it.onError) { %> <%= it.id %>-on-error<% } %>"<% if (it.onError) { %> aria-invalid="true"<% } %>>
</div>
<button type="submit" class="warning">Zakończ członkostwo</button>
</form>
</details>
`,
);

const RECORD = template(
  '@commission',
  `<h1><%= it.name %></h1>
<%~ include('@error-summary', { errors: it.errors }) %>
<%~ include('@facts', { facts: it.facts }) %>
<% if (it.canWrite) { %><p class="actions"><a class="button" href="<%= it.editHref %>">Zmień dane komisji</a></p><% } %>
<h2>Członkowie</h2>
<% if (it.members.rows.length) { %><%~ include('@table', it.members) %><% } else { %><p>Komisja nie ma jeszcze członków.</p><% } %>
<% if (it.canWrite) { %>
<% if (it.changes.length) { %>
<h3>Zmiana funkcji albo zakończenie członkostwa</h3>
<p class="hint">Rozwiń organizację, aby zmienić jej funkcję w komisji albo zakończyć jej członkostwo; zakończone członkostwo zostaje w historii komisji.</p>
<% it.changes.forEach(function (c) { %><%~ include('@commission-member-change', c) %><% }) %>
<% } %>
<h3 id="add-member-heading">Dodaj członka</h3>
<form method="post" action="<%= it.memberAction %>" aria-labelledby="add-member-heading" novalidate>
<input type="hidden" name="_csrf" value="<%= it.csrf %>">
<%~ it.memberFields %>
<div class="actions"><button type="submit">Dodaj członka</button></div>
</form>
<% } %>
<h2>Posiedzenia</h2>
<% if (it.meetings.rows.length) { %><%~ include('@table', it.meetings) %><% } else { %><p>Nie zapisano jeszcze żadnego posiedzenia.</p><% } %>
<% if (it.canWrite) { %>
<h3 id="add-meeting-heading">Dodaj posiedzenie</h3>
<form method="post" action="<%= it.meetingAction %>" aria-labelledby="add-meeting-heading" novalidate>
<input type="hidden" name="_csrf" value="<%= it.csrf %>">
<%~ it.meetingFields %>
<div class="actions"><button type="submit">Dodaj posiedzenie</button></div>
</form>
<% } %>
`,
);

/** The fields of "add a member" (AddMemberDto); the NGO picker's options only where the form is shown. */
function memberFields(ngoOptions: readonly Option[], c?: CommissionView): FieldSpec[] {
  return [
    { name: 'ngoId', label: 'Organizacja', kind: 'select', options: [{ value: '', label: 'Wybierz…' }, ...ngoOptions], hint: 'Nazwa, KRS i NIP; w liście można pisać, by szybko przejść do nazwy' },
    { name: 'representative', label: 'Przedstawiciel organizacji', kind: 'text', width: 'w-20', hint: 'Imię i nazwisko osoby, która reprezentuje organizację w komisji' },
    { name: 'role', label: 'Funkcja', kind: 'select', options: [{ value: '', label: 'Wybierz…' }, ...ROLES] },
    { name: 'from', label: 'Pierwszy dzień członkostwa', kind: 'date', hint: c ? `W formacie RRRR-MM-DD, w czasie kadencji (${c.termStart} – ${c.termEnd})` : undefined },
    { name: 'to', label: 'Ostatni dzień członkostwa', kind: 'date', optional: true, hint: 'W formacie RRRR-MM-DD; puste, dopóki członkostwo trwa' },
  ];
}

/** The fields of "add a meeting" (CreateMeetingDto): the NGOs present as repeated selects. */
function meetingFields(ngoOptions: readonly Option[], count = 1): FieldSpec[] {
  return [
    { name: 'date', label: 'Data posiedzenia', kind: 'date' },
    { name: 'title', label: 'Temat posiedzenia', kind: 'text', hint: 'Np. opinia o projekcie programu współpracy na przyszły rok' },
    { name: 'ngoIdsPresent', label: 'Organizacja obecna', kind: 'selects', optional: true, count, moreLabel: 'Kolejna organizacja obecna', options: ngoOptions, hint: 'Wybierz kolejno organizacje obecne na posiedzeniu; niepotrzebne pola zostaw puste' },
  ];
}

const ROLE_FIELD: FieldSpec = { name: 'role', label: 'Nowa funkcja', kind: 'select', options: ROLES };
const END_FIELD: FieldSpec = { name: 'on', label: 'Ostatni dzień członkostwa', kind: 'date', optional: true };


/** The form refused on the record page, shown again with the user's values and its messages. */
type Refused = { form: 'member' | 'meeting'; state: FormState } | { form: 'role' | 'end'; memberId: string; state: FormState };

/**
 * /app/commissions: dialogue commissions (KDO) with their members and meetings. List, record,
 * create and edit; on the record, for officials and admins: add a member, change a member's role,
 * end a membership (it stays in history), add a meeting; each a form of its own that answers 303
 * back to the record, or the record again with the refusal beside its field.
 */
export function registerCommissionPages(
  routes: WebRoutes,
  deps: { commissions: CommissionsService; members: MembersService; meetings: MeetingsService; ngos: NgosService; spheres: SpheresService; sessions: WebSessions },
): void {
  const { commissions, members, meetings, ngos, spheres, sessions } = deps;
  const canWrite = (actor: Actor) => roleHas(actor.role, 'registers.write');
  // every code ever in force: a commission's term may lie in the past (the newest name of a code)
  const sphereNames = async () => new Map((await spheres.list({ all: true })).map((s) => [s.code, s.name]));
  const sphereOptions = async (): Promise<Option[]> => [...(await sphereNames())].map(([code, name]) => ({ value: code, label: `${code}. ${name}` }));
  const sphereText = (code: string | null, names: ReadonlyMap<string, string>) => (code ? `${code}. ${names.get(code) ?? ''}`.trim() : '—');

  const fields = async (): Promise<FieldSpec[]> => [
    { name: 'name', label: 'Nazwa komisji', kind: 'text', hint: 'Np. Komisja Dialogu Obywatelskiego ds. Kultury' },
    { name: 'sphere', label: 'Sfera pożytku publicznego', kind: 'select', optional: true, options: [{ value: '', label: '— brak —' }, ...(await sphereOptions())], hint: 'Sfera, której sprawy komisja opiniuje' },
    { name: 'department', label: 'Wydział', kind: 'text', width: 'w-20', hint: 'Wydział urzędu, który prowadzi komisję' },
    { name: 'termStart', label: 'Początek kadencji', kind: 'date', hint: 'Pierwszy dzień kadencji, w formacie RRRR-MM-DD' },
    { name: 'termEnd', label: 'Koniec kadencji', kind: 'date', hint: 'Ostatni dzień kadencji, w formacie RRRR-MM-DD' },
  ];
  const valuesOf = (c: CommissionView): FormState['values'] => ({ name: c.name, sphere: c.sphere ?? '', department: c.department, termStart: c.termStart, termEnd: c.termEnd });

  routes.get('/app/commissions', { permission: 'staff' }, async (ctx) => {
    const filters = { search: one(ctx.query.search), on: one(ctx.query.on), sphere: one(ctx.query.sphere), department: one(ctx.query.department) };
    const page = one(ctx.query.page);
    const { result, problem } = await filteredPage(CommissionQuery, filters, page, (query: CommissionQuery) => commissions.list(ctx.actor, query));
    const names = await sphereNames();
    const body = eta.render(FILTERED_LIST, {
      heading: 'Komisje dialogu obywatelskiego',
      add: canWrite(ctx.actor) ? { href: '/app/commissions/new', label: 'Dodaj komisję' } : null,
      action: '/app/commissions',
      searchLabel: 'Szukaj komisji',
      filters: [
        { name: 'search', label: 'Nazwa', kind: 'search', value: filters.search ?? '', width: 'w-20' },
        { name: 'on', label: 'Kadencja obejmuje dzień (RRRR-MM-DD)', kind: 'text', value: filters.on ?? '' },
        selectFilter('sphere', 'Sfera', [...names].map(([code, name]) => ({ value: code, label: `${code}. ${name}` })), filters.sphere),
        { name: 'department', label: 'Wydział (dokładna nazwa)', kind: 'text', value: filters.department ?? '', width: 'w-20' },
      ],
      problem,
      found: result.total === 0 ? 'Nie znaleziono żadnej komisji.' : `Znaleziono: ${formatInteger(result.total)}.`,
      table: {
        id: 'commissions-caption',
        caption: 'Komisje, od najnowszej kadencji',
        columns: [{ label: 'Nazwa' }, { label: 'Kadencja' }, { label: 'Sfera' }, { label: 'Wydział' }],
        rows: result.items.map((c) => ({ head: c.name, href: commissionPath(c.id), cells: [term(c), sphereText(c.sphere, names), c.department] })),
      },
      pager: pager('/app/commissions', filters, result),
    });
    return { html: renderLayout({ title: 'Komisje', body, session: ctx.session, section: '/app/commissions' }) };
  });

  /** The record: its facts, its members current and past, its meetings; for writers their forms, the refused one with its messages. */
  const record = async (ctx: PageContext, id: string, refused: Refused | null = null, status = 200): Promise<Outcome> => {
    const c = await commissions.get(ctx.actor, id);
    const [memberList, meetingList, names] = await Promise.all([
      everyPage((page) => members.list(ctx.actor, id, { page, limit: 200 })),
      everyPage((page) => meetings.list(ctx.actor, id, { page, limit: 200 })),
      sphereNames(),
    ]);
    const writer = canWrite(ctx.actor);
    const day = warsawToday(); // as the API's `active` counts it
    const stateOf = (m: MemberView) => (m.active ? 'obecnie' : m.from > day ? 'przyszłe' : 'zakończone');
    // current first, then those yet to start, then the past; the API's order (by role, then name) within each
    const rank = { obecnie: 0, przyszłe: 1, zakończone: 2 } as const;
    const ordered = [...memberList].sort((a, b) => rank[stateOf(a)] - rank[stateOf(b)]);

    const registered = writer ? await allNgos(ngos, ctx.actor) : [];
    const ngoNames = new Map<string, string>([...registered.map((n) => [n.id, n.name] as const), ...memberList.map((m) => [m.ngoId, m.ngo.name] as const)]);
    const unknown = [...new Set(meetingList.flatMap((m) => m.ngoIdsPresent))].filter((ngoId) => !ngoNames.has(ngoId));
    for (const n of await Promise.all(unknown.map((ngoId) => ngos.get(ctx.actor, ngoId)))) ngoNames.set(n.id, n.name);

    const ngoOptions = registered.map(ngoOption);
    const current = memberList.filter((m) => stateOf(m) === 'obecnie').length;
    const memberSpecs = memberFields(ngoOptions, c);
    const chosen = refused?.form === 'meeting' ? (refused.state.values.ngoIdsPresent as string[]).length : 0;
    // enough selects for every current member to be marked present, and whatever a refused form held
    const meetingSpecs = meetingFields(ngoOptions, Math.min(Math.max(4, current, chosen), 30));
    const memberState = refused?.form === 'member' ? refused.state : emptyForm();
    const meetingState = refused?.form === 'meeting' ? refused.state : emptyForm({ ngoIdsPresent: [] });

    let errors: Array<{ href?: string; message: string }> = [];
    if (refused?.form === 'member') errors = errorItems(refused.state, memberSpecs);
    else if (refused?.form === 'meeting') errors = errorItems(refused.state, meetingSpecs);
    else if (refused && (refused.form === 'role' || refused.form === 'end')) {
      const { memberId, state } = refused;
      const field = refused.form === 'role' ? 'role' : 'on';
      errors = [...state.general.map((message) => ({ message })), ...(state.errors[field] ? [{ href: `#m-${memberId}-${field}`, message: state.errors[field] }] : [])];
    }

    const changes = !writer
      ? []
      : ordered
          .map((m) => ({ m, mine: refused && (refused.form === 'role' || refused.form === 'end') && refused.memberId === m.id ? refused : null }))
          // a past membership is offered no change, unless its refused form is to be shown again with its message
          .filter(({ m, mine }) => stateOf(m) !== 'zakończone' || mine)
          .map(({ m, mine }) => {
            const role = mine?.form === 'role' ? String(mine.state.values.role ?? '') : m.role;
            return {
              id: `m-${m.id}`,
              open: !!mine,
              ngoName: m.ngo.name,
              roleLabel: label(ROLE_LABELS, m.role),
              csrf: ctx.session.csrfToken,
              version: m.version,
              roleAction: `${commissionPath(id)}/members/${m.id}/role`,
              endAction: `${commissionPath(id)}/members/${m.id}/end`,
              roles: ROLES.map((o) => ({ ...o, selected: o.value === role })),
              roleError: mine?.form === 'role' ? mine.state.errors.role : undefined,
              on: mine?.form === 'end' ? String(mine.state.values.on ?? '') : '',
              onError: mine?.form === 'end' ? mine.state.errors.on : undefined,
            };
          });

    const body = eta.render(RECORD, {
      name: c.name,
      errors,
      canWrite: writer,
      editHref: `${commissionPath(id)}/edit`,
      csrf: ctx.session.csrfToken,
      facts: [
        { label: 'Sfera', value: sphereText(c.sphere, names) },
        { label: 'Wydział', value: c.department },
        { label: 'Kadencja', value: term(c) },
        { label: 'Członkowie obecnie', value: formatInteger(current) },
        { label: 'Posiedzenia', value: formatInteger(meetingList.length) },
      ],
      members: {
        id: 'members-caption',
        caption: `Członkowie obecni i dawni (${formatInteger(memberList.length)})`,
        columns: [{ label: 'Organizacja' }, { label: 'Przedstawiciel' }, { label: 'Funkcja' }, { label: 'Od' }, { label: 'Do' }, { label: 'Członkostwo' }],
        rows: ordered.map((m) => ({ head: m.ngo.name, href: ngoPath(m.ngoId), cells: [m.representative, label(ROLE_LABELS, m.role), formatDay(m.from), m.to ? formatDay(m.to) : 'do końca kadencji', stateOf(m)] })),
      },
      changes,
      memberAction: `${commissionPath(id)}/members`,
      memberFields: writer ? renderFields(memberSpecs, memberState) : '',
      meetings: {
        id: 'meetings-caption',
        caption: `Posiedzenia, od najnowszego (${formatInteger(meetingList.length)})`,
        columns: [{ label: 'Data' }, { label: 'Temat' }, { label: 'Organizacje obecne' }],
        rows: meetingList.map((m) => ({ head: formatDay(m.date), cells: [m.title, m.ngoIdsPresent.length ? m.ngoIdsPresent.map((ngoId) => ngoNames.get(ngoId) ?? ngoId) : '—'] })),
      },
      meetingAction: `${commissionPath(id)}/meetings`,
      meetingFields: writer ? renderFields(meetingSpecs, meetingState) : '',
    });
    return { status, html: renderLayout({ title: c.name, body, session: ctx.session, section: '/app/commissions', hasErrors: errors.length > 0 }) };
  };

  routes.get('/app/commissions/:id', { permission: 'staff' }, (ctx) => record(ctx, uuid(ctx.params.id)));

  routes.post('/app/commissions/:id/members', { permission: 'registers.write' }, async (ctx) => {
    const id = uuid(ctx.params.id);
    const specs = memberFields([]);
    const state = emptyForm(formValues(ctx.body, specs));
    try {
      const added = await members.add(ctx.actor, id, await validated(AddMemberDto, toInput(state.values, specs)));
      await sessions.flash(ctx.session, `Dodano do komisji organizację „${added.ngo.name}” (${label(ROLE_LABELS, added.role)}) od ${formatDay(added.from)}.`);
      return { redirect: commissionPath(id) };
    } catch (error) {
      return record(ctx, id, { form: 'member', state }, applyError(state, error, specs));
    }
  });

  routes.post('/app/commissions/:id/members/:memberId/role', { permission: 'registers.write' }, async (ctx) => {
    const id = uuid(ctx.params.id);
    const memberId = uuid(ctx.params.memberId);
    const state = emptyForm(formValues(ctx.body, [ROLE_FIELD]));
    try {
      // an empty role goes as null (toInput), which the API refuses, not as "no change"
      const changed = await members.update(ctx.actor, id, memberId, await validated(UpdateMemberDto, { ...toInput(state.values, [ROLE_FIELD]), version: versionOf(ctx.body) }));
      await sessions.flash(ctx.session, `Zmieniono funkcję organizacji „${changed.ngo.name}” w komisji na: ${label(ROLE_LABELS, changed.role)}.`);
      return { redirect: commissionPath(id) };
    } catch (error) {
      return record(ctx, id, { form: 'role', memberId, state }, applyError(state, error, [ROLE_FIELD]));
    }
  });

  routes.post('/app/commissions/:id/members/:memberId/end', { permission: 'registers.write' }, async (ctx) => {
    const id = uuid(ctx.params.id);
    const memberId = uuid(ctx.params.memberId);
    const state = emptyForm(formValues(ctx.body, [END_FIELD]));
    try {
      const on = String(state.values.on).trim();
      const query = await validated(EndMemberQuery, on ? { on } : {});
      const ended = await members.end(ctx.actor, id, memberId, query.on);
      await sessions.flash(ctx.session, `Zakończono członkostwo organizacji „${ended.ngo.name}” w komisji; ostatni dzień: ${formatDay(ended.to ?? on)}.`);
      return { redirect: commissionPath(id) };
    } catch (error) {
      // the service names the last day `to` (the membership's field); here it is the form's `on`
      const status = applyError(state, error, [END_FIELD, { ...END_FIELD, name: 'to' }]);
      if (state.errors.to) state.errors.on ??= state.errors.to;
      delete state.errors.to;
      return record(ctx, id, { form: 'end', memberId, state }, status);
    }
  });

  routes.post('/app/commissions/:id/meetings', { permission: 'registers.write' }, async (ctx) => {
    const id = uuid(ctx.params.id);
    const specs = meetingFields([]);
    const state = emptyForm(formValues(ctx.body, specs));
    try {
      const added = await meetings.create(ctx.actor, id, await validated(CreateMeetingDto, toInput(state.values, specs)));
      await sessions.flash(ctx.session, `Dodano posiedzenie z ${formatDay(added.date)}: „${added.title}”.`);
      return { redirect: commissionPath(id) };
    } catch (error) {
      return record(ctx, id, { form: 'meeting', state }, applyError(state, error, specs));
    }
  });

  registerRecordForms(
    routes,
    sessions,
    {
      base: '/app/commissions',
      fields,
      valuesOf,
      newValues: () => ({}),
      createDto: CreateCommissionDto,
      updateDto: UpdateCommissionDto,
      get: (actor, id) => commissions.get(actor, id),
      create: (actor, dto: CreateCommissionDto) => commissions.create(actor, dto),
      update: (actor, id, dto: UpdateCommissionDto) => commissions.update(actor, id, dto),
      nameOf: (c) => c.name,
      text: { createHeading: 'Dodaj komisję', createSubmit: 'Zapisz komisję', editHeading: (n) => `Zmień dane komisji: ${n}`, created: (n) => `Dodano komisję „${n}”.`, saved: (n) => `Zapisano zmiany komisji „${n}”.` },
    },
    uuid,
  );
}
