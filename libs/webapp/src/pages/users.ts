import { formatInstant, formatInteger, ROLES } from '@app/core';
import { CreateUserDto, TwoFactorService, UpdateUserDto, UsersService, type UserView } from '@app/identity';
import { NgosService } from '@app/ngos';
import { applyError, emptyForm, errorItems, formValues, hasErrors, renderFields, toInput, validated, versionOf, type FieldSpec, type FormState } from '../forms';
import { renderLayout, roleLabel, type Outcome, type PageContext, type WebRoutes } from '../http';
import { one, pager } from '../lists';
import type { WebSessions } from '../sessions';
import { eta, RECORD_FORM, template } from '../views';
import { ngoPath, uuid } from './ngos';
import { allNgos, ngoOption } from './tasks';

const userPath = (id: string) => `/app/users/${id}`;

const LIST = template(
  '@users',
  `<h1>Użytkownicy</h1>
<%~ include('@error-summary', { errors: it.errors }) %>
<p><a class="button" href="/app/users/new">Dodaj użytkownika</a></p>
<% if (it.table.rows.length) { %><%~ include('@table', it.table) %><% } %>
<%~ include('@pager', it.pager) %>
<h2 id="two-factor-heading">Logowanie dwuetapowe w gminie</h2>
<p><%= it.required ? 'Wymagane od administratorów i urzędników: kto go nie włączył, po zalogowaniu hasłem musi je najpierw ustawić.' : 'Nie jest wymagane: każdy może je włączyć na stronie „Moje konto”.' %></p>
<form method="post" action="/app/users/two-factor-requirement" aria-labelledby="two-factor-heading">
<input type="hidden" name="_csrf" value="<%= it.csrf %>">
<input type="hidden" name="twoFactorRequired" value="<%= it.required ? 'false' : 'true' %>">
<div class="actions"><button type="submit" id="f-twoFactorRequired" class="<%= it.required ? 'secondary' : '' %>"><%= it.required ? 'Przestań wymagać logowania dwuetapowego' : 'Wymagaj logowania dwuetapowego od administratorów i urzędników' %></button></div>
</form>
`,
);

const RECORD = template(
  '@user',
  `<h1><%= it.email %></h1>
<% if (!it.active) { %><p><span class="tag">konto wyłączone</span></p><% } %>
<%~ include('@facts', { facts: it.facts }) %>
<h2 id="role-heading">Rola</h2>
<%~ include('@error-summary', { errors: it.errors }) %>
<form method="post" action="<%= it.roleAction %>" aria-labelledby="role-heading" novalidate>
<input type="hidden" name="_csrf" value="<%= it.csrf %>">
<input type="hidden" name="version" value="<%= it.version %>">
<%~ it.fields %>
<p class="hint">Zmiana roli kończy wszystkie sesje użytkownika i unieważnia jego klucze API od razu.</p>
<div class="actions"><button type="submit">Zmień rolę</button></div>
</form>
<% if (it.twoFactorOn) { %>
<h2 id="reset-heading">Logowanie dwuetapowe</h2>
<p>Włączone. Jeśli użytkownik zgubił telefon i kody odzyskiwania, wyłącz je: zaloguje się samym hasłem<% if (it.twoFactorRequired) { %> i od razu ustawi je na nowo (gmina go wymaga)<% } %>. Jego sesje kończą się od razu.</p>
<form method="post" action="<%= it.resetAction %>" aria-labelledby="reset-heading">
<input type="hidden" name="_csrf" value="<%= it.csrf %>">
<div class="actions"><button type="submit" class="warning">Wyłącz logowanie dwuetapowe użytkownika</button></div>
</form>
<% } %>
<h2 id="active-heading"><%= it.active ? 'Wyłączenie konta' : 'Włączenie konta' %></h2>
<p><%= it.active ? 'Wyłączony użytkownik nie może się zalogować; jego otwarte sesje kończą się od razu.' : 'Użytkownik znów będzie mógł się zalogować swoim hasłem.' %></p>
<form method="post" action="<%= it.activeAction %>" aria-labelledby="active-heading">
<input type="hidden" name="_csrf" value="<%= it.csrf %>">
<input type="hidden" name="version" value="<%= it.version %>">
<input type="hidden" name="active" value="<%= it.active ? 'false' : 'true' %>">
<div class="actions"><button type="submit" class="<%= it.active ? 'warning' : '' %>"><%= it.active ? 'Wyłącz konto' : 'Włącz konto' %></button></div>
</form>
`,
);

/** The requirement's one control, for its error message (an admin without two-factor cannot require it). */
const REQUIREMENT_FIELDS: readonly FieldSpec[] = [{ name: 'twoFactorRequired', label: 'Wymaganie logowania dwuetapowego', kind: 'checkbox' }];

const ROLE_OPTIONS = ROLES.map((r) => ({ value: r, label: roleLabel(r) }));

/** /app/users (admins): the municipality's accounts; create, change role, deactivate and reactivate, each taking effect at once. */
export function registerUserPages(routes: WebRoutes, deps: { users: UsersService; ngos: NgosService; twoFactor: TwoFactorService; sessions: WebSessions }): void {
  const { users, ngos, twoFactor, sessions } = deps;

  const ngoOptions = async (ctx: PageContext) => {
    return [{ value: '', label: 'nie dotyczy (rola inna niż organizacja)' }, ...(await allNgos(ngos, ctx.actor)).map(ngoOption)];
  };
  const roleFields = async (ctx: PageContext): Promise<FieldSpec[]> => [
    { name: 'role', label: 'Rola', kind: 'select', options: [{ value: '', label: 'Wybierz…' }, ...ROLE_OPTIONS], hint: 'Urzędnik prowadzi rejestry; audytor tylko czyta i pobiera; organizacja widzi swoje dane; administrator zarządza też kontami' },
    { name: 'ngoId', label: 'Organizacja (tylko dla roli „organizacja”)', kind: 'select', optional: true, options: await ngoOptions(ctx) },
  ];
  const createFields = async (ctx: PageContext): Promise<FieldSpec[]> => [
    { name: 'email', label: 'Adres e-mail', kind: 'email', width: 'w-20', autocomplete: 'off', spellcheck: false },
    { name: 'password', label: 'Hasło początkowe', kind: 'password', width: 'w-20', autocomplete: 'new-password', hint: 'Co najmniej 8 znaków; przekaż je użytkownikowi bezpiecznie i poproś o zmianę po pierwszym logowaniu' },
    ...(await roleFields(ctx)),
  ];

  const list = async (ctx: PageContext, state = emptyForm(), status = 200): Promise<Outcome> => {
    const page = one(ctx.query.page);
    const result = await users.list(ctx.actor, { page: page && /^\d{1,6}$/.test(page) ? Number(page) : 1, limit: 50 });
    const body = eta.render(LIST, {
      required: await twoFactor.required(ctx.actor.municipalityId),
      csrf: ctx.session.csrfToken,
      errors: errorItems(state, REQUIREMENT_FIELDS),
      table: {
        id: 'users-caption',
        caption: `Konta w gminie (${formatInteger(result.total)})`,
        columns: [{ label: 'E-mail' }, { label: 'Rola' }, { label: 'Stan' }, { label: 'Utworzono' }],
        rows: result.items.map((u) => ({ head: u.email, href: userPath(u.id), cells: [roleLabel(u.role), u.active ? 'aktywne' : 'wyłączone', formatInstant(new Date(u.createdAt))] })),
      },
      pager: pager('/app/users', {}, result),
    });
    return { status, html: renderLayout({ title: 'Użytkownicy', body, session: ctx.session, section: '/app/users', hasErrors: hasErrors(state) }) };
  };
  routes.get('/app/users', { permission: 'users.manage' }, (ctx) => list(ctx));

  routes.post('/app/users/two-factor-requirement', { permission: 'users.manage' }, async (ctx) => {
    const required = ctx.body.twoFactorRequired === 'true';
    try {
      await twoFactor.setRequired(ctx.actor, required);
    } catch (error) {
      const state = emptyForm();
      return list(ctx, state, applyError(state, error, REQUIREMENT_FIELDS));
    }
    await sessions.flash(ctx.session, required ? 'Logowanie dwuetapowe jest teraz wymagane od administratorów i urzędników.' : 'Logowanie dwuetapowe nie jest już wymagane.');
    return { redirect: '/app/users' };
  });

  routes.post('/app/users/:id/two-factor-reset', { permission: 'users.manage' }, async (ctx) => {
    const user = await users.get(ctx.actor, uuid(ctx.params.id));
    await twoFactor.reset(ctx.actor, user.id);
    await sessions.flash(ctx.session, `Wyłączono logowanie dwuetapowe konta ${user.email}; jego sesje zostały zakończone.`);
    return { redirect: userPath(user.id) };
  });

  const createForm = async (ctx: PageContext, state: FormState, status = 200): Promise<Outcome> => {
    const fields = await createFields(ctx);
    const body = eta.render(RECORD_FORM, { changes: [], heading: 'Dodaj użytkownika', action: '/app/users/new', submit: 'Utwórz konto', cancelHref: '/app/users', csrf: ctx.session.csrfToken, errors: errorItems(state, fields), fields: renderFields(fields, state) });
    return { status, html: renderLayout({ title: 'Dodaj użytkownika', body, session: ctx.session, section: '/app/users', hasErrors: hasErrors(state) }) };
  };

  routes.get('/app/users/new', { permission: 'users.manage' }, (ctx) => createForm(ctx, emptyForm({ role: one(ctx.query.ngoId) ? 'ngo' : '', ngoId: one(ctx.query.ngoId) ?? '' })));

  routes.post('/app/users/new', { permission: 'users.manage' }, async (ctx) => {
    const fields = await createFields(ctx);
    const state = emptyForm(formValues(ctx.body, fields));
    try {
      const created = await users.create(ctx.actor, await validated(CreateUserDto, toInput(state.values, fields)));
      await sessions.flash(ctx.session, `Utworzono konto ${created.email}.`);
      return { redirect: userPath(created.id) };
    } catch (error) {
      const status = applyError(state, error, fields);
      state.values.password = '';
      return createForm(ctx, state, status);
    }
  });

  const record = async (ctx: PageContext, user: UserView, state: FormState, status = 200): Promise<Outcome> => {
    const fields = await roleFields(ctx);
    const twoFactorStatus = await twoFactor.statusOf(ctx.actor.municipalityId, user.id);
    const facts = [
      { label: 'Rola', value: roleLabel(user.role) },
      ...(user.ngoId ? [{ label: 'Organizacja', value: 'zobacz w rejestrze', href: ngoPath(user.ngoId) }] : []),
      { label: 'Stan', value: user.active ? 'aktywne' : 'wyłączone' },
      { label: 'Logowanie dwuetapowe', value: twoFactorStatus.enabled ? 'włączone' : twoFactorStatus.mustEnrol ? 'wymagane, jeszcze nie włączone' : 'wyłączone' },
      { label: 'Utworzono', value: formatInstant(new Date(user.createdAt)) },
    ];
    const body = eta.render(RECORD, {
      twoFactorOn: twoFactorStatus.enabled,
      twoFactorRequired: twoFactorStatus.required,
      resetAction: `${userPath(user.id)}/two-factor-reset`,
      email: user.email,
      active: user.active,
      facts,
      version: user.version,
      csrf: ctx.session.csrfToken,
      roleAction: `${userPath(user.id)}/role`,
      activeAction: `${userPath(user.id)}/active`,
      errors: errorItems(state, fields),
      fields: renderFields(fields, state),
    });
    return { status, html: renderLayout({ title: user.email, body, session: ctx.session, section: '/app/users', hasErrors: hasErrors(state) }) };
  };
  const roleValues = (u: UserView) => ({ role: u.role, ngoId: u.ngoId ?? '' });

  routes.get('/app/users/:id', { permission: 'users.manage' }, async (ctx) => {
    const user = await users.get(ctx.actor, uuid(ctx.params.id));
    return record(ctx, user, emptyForm(roleValues(user)));
  });

  const change = (what: 'role' | 'active') => async (ctx: PageContext) => {
    const id = uuid(ctx.params.id);
    const fields = what === 'role' ? await roleFields(ctx) : [];
    const state = emptyForm(formValues(ctx.body, fields));
    try {
      const input = what === 'role' ? toInput(state.values, fields) : { active: ctx.body.active === 'true' };
      const saved = await users.update(ctx.actor, id, await validated(UpdateUserDto, { ...input, version: versionOf(ctx.body) }));
      const message = what === 'role' ? `Zmieniono rolę konta ${saved.email} na „${roleLabel(saved.role)}”.` : saved.active ? `Włączono konto ${saved.email}.` : `Wyłączono konto ${saved.email}; jego sesje zostały zakończone.`;
      await sessions.flash(ctx.session, message);
      return { redirect: userPath(saved.id) } as Outcome;
    } catch (error) {
      const status = applyError(state, error, [...fields, { name: 'active', label: 'Stan konta', kind: 'checkbox' }]);
      const current = await users.get(ctx.actor, id);
      if (what === 'active') state.values = roleValues(current);
      return record(ctx, current, state, status);
    }
  };
  routes.post('/app/users/:id/role', { permission: 'users.manage' }, change('role'));
  routes.post('/app/users/:id/active', { permission: 'users.manage' }, change('active'));
}
