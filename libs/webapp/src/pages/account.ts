import { AuthService, ChangePasswordDto, TwoFactorService, UsersService } from '@app/identity';
import { applyError, emptyForm, errorItems, formValues, hasErrors, renderFields, toInput, validated, type FieldSpec, type FormState } from '../forms';
import { cookieOptions, renderLayout, roleLabel, sessionCookieName, type Outcome, type PageContext, type WebRoutes } from '../http';
import type { WebSessions } from '../sessions';
import { eta, template } from '../views';
import { endEverywhere } from './sign-in';

const FIELDS: readonly FieldSpec[] = [
  { name: 'currentPassword', label: 'Obecne hasło', kind: 'password', autocomplete: 'current-password', width: 'w-20' },
  { name: 'newPassword', label: 'Nowe hasło', kind: 'password', autocomplete: 'new-password', width: 'w-20', hint: 'Co najmniej 8 znaków; nie może być jednym z najczęściej używanych haseł' },
];

const ACCOUNT = template(
  '@account',
  `<h1>Moje konto</h1>
<%~ include('@facts', { facts: it.facts }) %>
<h2 id="password-heading">Zmiana hasła</h2>
<%~ include('@error-summary', { errors: it.errors }) %>
<form method="post" action="/app/account/password" aria-labelledby="password-heading" novalidate>
<input type="hidden" name="_csrf" value="<%= it.csrf %>">
<%~ it.fields %>
<div class="actions"><button type="submit">Zmień hasło</button></div>
</form>
<h2>Logowanie dwuetapowe</h2>
<p><%= it.twoFactor %> <a href="/app/account/two-factor"><%= it.twoFactorLink %></a></p>
<h2 id="everywhere-heading">Wylogowanie ze wszystkich urządzeń</h2>
<p>Kończy wszystkie Twoje sesje – w tej i w innych przeglądarkach – oraz unieważnia klucze dostępu do API. Użyj, jeśli zostawiłeś konto otwarte na cudzym komputerze.</p>
<form method="post" action="/app/account/sign-out-everywhere" aria-labelledby="everywhere-heading">
<input type="hidden" name="_csrf" value="<%= it.csrf %>">
<div class="actions"><button type="submit" class="secondary">Wyloguj mnie wszędzie</button></div>
</form>
`,
);

/**
 * After a change that ended every session and token of the user (password, two-factor turned off):
 * this browser continues in a new session, back on the account page with `flash`.
 */
export async function continueInNewSession(ctx: PageContext, sessions: WebSessions, flash: string): Promise<Outcome> {
  const value = await sessions.renew(ctx.session, flash);
  if (!value) return endEverywhere(ctx.request, ctx.reply);
  void ctx.reply.setCookie(sessionCookieName(ctx.request), value, cookieOptions(ctx.request));
  return { redirect: '/app/account' };
}

/** /app/account: the user's own password, two-factor sign-in, and "sign out everywhere". */
export function registerAccountPages(routes: WebRoutes, deps: { users: UsersService; auth: AuthService; twoFactor: TwoFactorService; sessions: WebSessions }): void {
  const page = async (ctx: PageContext, state: FormState, status = 200): Promise<Outcome> => {
    const twoFactor = await deps.twoFactor.status(ctx.actor);
    const body = eta.render(ACCOUNT, {
      facts: [
        { label: 'E-mail', value: ctx.actor.email },
        { label: 'Rola', value: roleLabel(ctx.actor.role) },
        { label: 'Gmina', value: ctx.session.municipality.name },
      ],
      csrf: ctx.session.csrfToken,
      twoFactor: twoFactor.enabled ? `Włączone: przy logowaniu podajesz też kod z aplikacji (niewykorzystane kody odzyskiwania: ${twoFactor.recoveryCodesLeft}).` : 'Wyłączone: do logowania wystarcza hasło.',
      twoFactorLink: twoFactor.enabled ? 'Kody odzyskiwania i wyłączenie' : 'Włącz logowanie dwuetapowe',
      errors: errorItems(state, FIELDS),
      fields: renderFields(FIELDS, state),
    });
    return { status, html: renderLayout({ title: 'Moje konto', body, session: ctx.session, section: '/app/account', hasErrors: hasErrors(state) }) };
  };

  routes.get('/app/account', { permission: 'signed-in' }, async (ctx) => page(ctx, emptyForm()));

  routes.post('/app/account/password', { permission: 'signed-in' }, async (ctx) => {
    const state = emptyForm(formValues(ctx.body, FIELDS));
    try {
      await deps.users.changePassword(ctx.actor, await validated(ChangePasswordDto, toInput(state.values, FIELDS)));
    } catch (error) {
      const status = applyError(state, error, FIELDS);
      state.values = {};
      return page(ctx, state, status);
    }
    return continueInNewSession(ctx, deps.sessions, 'Zmieniono hasło. Inne sesje i klucze API zostały zakończone.');
  });

  routes.post('/app/account/sign-out-everywhere', { permission: 'signed-in' }, async (ctx) => {
    await deps.auth.logout(ctx.actor);
    await deps.sessions.close(ctx.session);
    return endEverywhere(ctx.request, ctx.reply);
  });
}
