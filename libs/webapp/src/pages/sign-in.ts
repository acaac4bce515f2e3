import { DomainError } from '@app/core';
import { AuthService, LoginDto, LOGIN_ROUTE_CONFIG } from '@app/identity';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { randomBytes } from 'node:crypto';
import { applyError, emptyForm, errorItems, formValues, renderFields, toInput, validated, type FieldSpec, type FormState } from '../forms';
import { cookieOptions, csrfAccepted, csrfRefused, errorOutcome, loginCookieName, messagePage, ownOrigin, renderLayout, safeNext, send, sessionCookieName, type Outcome } from '../http';
import type { WebSession, WebSessions } from '../sessions';
import { eta, template } from '../views';

const FIELDS: readonly FieldSpec[] = [
  { name: 'email', label: 'Adres e-mail', kind: 'email', autocomplete: 'username', spellcheck: false, width: 'w-20' },
  { name: 'password', label: 'Hasło', kind: 'password', autocomplete: 'current-password', width: 'w-20' },
];

const SIGN_IN = template(
  '@sign-in',
  `<div class="sign-in">
<h1>Logowanie</h1>
<% if (it.notice) { %><div class="notice" role="status"><p><%= it.notice %></p></div><% } %>
<%~ include('@error-summary', { errors: it.errors }) %>
<form method="post" action="/app/login" novalidate>
<input type="hidden" name="_csrf" value="<%= it.csrf %>">
<input type="hidden" name="next" value="<%= it.next %>">
<%~ it.fields %>
<div class="actions"><button type="submit">Zaloguj się</button></div>
</form>
<p>Nie pamiętasz hasła? Poproś administratora swojej gminy o nowe.</p>
</div>
`,
);

const CODE_PATH = '/app/login/code';

const CODE_FIELDS: readonly FieldSpec[] = [
  {
    name: 'otp',
    label: 'Kod z aplikacji uwierzytelniającej',
    kind: 'text',
    autocomplete: 'one-time-code',
    inputmode: 'numeric',
    spellcheck: false,
    width: 'w-10',
    hint: 'Sześć cyfr z aplikacji (np. Google Authenticator, Microsoft Authenticator, FreeOTP). Bez telefonu wpisz jeden z kodów odzyskiwania.',
  },
];

const CODE_STEP = template(
  '@sign-in-code',
  `<div class="sign-in">
<h1>Kod logowania dwuetapowego</h1>
<p>Hasło jest poprawne. Otwórz aplikację uwierzytelniającą na telefonie i wpisz kod dla konta <strong><%= it.email %></strong>.</p>
<%~ include('@error-summary', { errors: it.errors }) %>
<form method="post" action="${CODE_PATH}" novalidate>
<input type="hidden" name="_csrf" value="<%= it.csrf %>">
<input type="hidden" name="next" value="<%= it.next %>">
<%~ it.fields %>
<div class="actions"><button type="submit">Potwierdź kod</button></div>
</form>
<form method="post" action="/app/logout"><input type="hidden" name="_csrf" value="<%= it.csrf %>"><button type="submit" class="link">Anuluj logowanie</button></form>
</div>
`,
);

const NOTICES: Record<string, string> = {
  codes: 'Zbyt wiele błędnych kodów. Zaloguj się ponownie hasłem.',
  out: 'Wylogowano. Do zobaczenia!',
  everywhere: 'Wylogowano ze wszystkich urządzeń i przeglądarek.',
  expired: 'Sesja wygasła. Zaloguj się ponownie.',
};

function signInPage(request: FastifyRequest, reply: FastifyReply, state: FormState, status = 200, notice?: string): Outcome {
  // login CSRF: a double-submit token (cookie and field) until a session exists
  const token = randomBytes(32).toString('base64url');
  void reply.setCookie(loginCookieName(request), token, cookieOptions(request));
  const body = eta.render(SIGN_IN, {
    csrf: token,
    next: safeNext((request.body as Record<string, unknown> | undefined)?.next ?? (request.query as Record<string, unknown>).next),
    notice,
    errors: errorItems(state, FIELDS),
    fields: renderFields(FIELDS, state),
  });
  return { status, html: renderLayout({ title: 'Logowanie', body, hasErrors: status >= 400 }) };
}

/**
 * GET/POST /app/login and POST /app/logout. Sign-in goes through the API's AuthService (the same
 * per-account back-off) and the API's per-address and per-account rate limits (the route carries
 * LOGIN_ROUTE_CONFIG); a new session id is issued at every sign-in.
 */
export function registerSignIn(fastify: FastifyInstance, auth: AuthService, sessions: WebSessions): void {
  fastify.get('/app/login', async (request, reply) => {
    const session = await sessions.resolve(request.cookies[sessionCookieName(request)]).catch(() => null);
    if (session) return send(reply, { redirect: safeNext((request.query as Record<string, unknown>).next) });
    const notice = NOTICES[String((request.query as Record<string, unknown>).signedOut ?? '')];
    return send(reply, signInPage(request, reply, emptyForm(), 200, notice));
  });

  fastify.route({
    method: 'POST',
    url: '/app/login',
    config: LOGIN_ROUTE_CONFIG,
    // the rate limits throw before the handler runs: answer them as the page, not as JSON
    errorHandler: (error, request, reply) => {
      const state = emptyForm(formValues(request.body, FIELDS));
      state.values.password = '';
      const tooMany = error instanceof DomainError && error.kind === 'too-many-requests';
      state.general.push(tooMany ? 'Zbyt wiele prób logowania. Odczekaj chwilę i spróbuj ponownie.' : 'Nie udało się zalogować. Spróbuj ponownie.');
      if (!tooMany) return send(reply, errorOutcome(request, null, error));
      return send(reply, signInPage(request, reply, state, 429));
    },
    handler: async (request, reply) => {
      if (!csrfAccepted(request, request.cookies[loginCookieName(request)])) return send(reply, csrfRefused(null));
      const state = emptyForm(formValues(request.body, FIELDS));
      try {
        const dto = await validated(LoginDto, toInput(state.values, FIELDS));
        const user = await auth.authenticate(dto);
        const value = await sessions.open(user, null, user.secondFactor === 'code');
        void reply.clearCookie(loginCookieName(request), cookieOptions(request));
        void reply.setCookie(sessionCookieName(request), value, cookieOptions(request));
        const next = safeNext((request.body as Record<string, unknown>).next);
        return send(reply, { redirect: user.secondFactor === 'code' ? `${CODE_PATH}?next=${encodeURIComponent(next)}` : next });
      } catch (error) {
        state.values.password = '';
        if (error instanceof DomainError && error.kind === 'unauthorized') {
          state.general.push('Nieprawidłowy adres e-mail lub hasło.');
          return send(reply, signInPage(request, reply, state, 401));
        }
        if (error instanceof DomainError && error.kind === 'too-many-requests') {
          state.general.push('Zbyt wiele nieudanych prób logowania na to konto. Odczekaj chwilę i spróbuj ponownie.');
          return send(reply, signInPage(request, reply, state, 429));
        }
        try {
          const status = applyError(state, error, FIELDS);
          return send(reply, signInPage(request, reply, state, status));
        } catch (other) {
          return send(reply, errorOutcome(request, null, other));
        }
      }
    },
  });

  registerCodeStep(fastify, auth, sessions);

  fastify.post('/app/logout', { errorHandler: (error, request, reply) => send(reply, errorOutcome(request, null, error)) }, async (request, reply) => {
    const session = await sessions.resolve(request.cookies[sessionCookieName(request)]);
    if (session && !csrfAccepted(request, session.csrfToken)) return send(reply, csrfRefused(session));
    if (!session && request.headers.origin !== ownOrigin(request)) return send(reply, csrfRefused(null));
    if (session) await sessions.close(session);
    void reply.clearCookie(sessionCookieName(request), cookieOptions(request));
    return send(reply, { redirect: '/app/login?signedOut=out' });
  });
}

/**
 * GET/POST /app/login/code: the second step of a sign-in with two-factor on. The session the
 * password opened serves no other page; the code (or a recovery code) goes through AuthService
 * with the same back-off and rate limits as the password; after CODE_ATTEMPTS wrong codes the
 * waiting session ends and the password is asked again. A right code ends the waiting session and
 * opens a signed-in one under a new id.
 */
function registerCodeStep(fastify: FastifyInstance, auth: AuthService, sessions: WebSessions): void {
  const page = (session: WebSession, next: unknown, state: FormState, status = 200): Outcome => {
    const body = eta.render(CODE_STEP, { email: session.actor.email, csrf: session.csrfToken, next: safeNext(next), errors: errorItems(state, CODE_FIELDS), fields: renderFields(CODE_FIELDS, state) });
    return { status, html: renderLayout({ title: 'Kod logowania dwuetapowego', body, hasErrors: status >= 400 }) };
  };
  const waiting = async (request: FastifyRequest) => {
    const session = await sessions.resolve(request.cookies[sessionCookieName(request)]);
    return session?.stage === 'code' ? session : null;
  };
  const pageError = (error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof DomainError && error.kind === 'too-many-requests') {
      return send(reply, messagePage(null, 429, 'Zbyt wiele prób', ['Zbyt wiele prób logowania na to konto. Odczekaj chwilę i spróbuj ponownie.'], { href: CODE_PATH, label: 'Wróć do kodu' }));
    }
    return send(reply, errorOutcome(request, null, error));
  };

  fastify.get(CODE_PATH, { errorHandler: (error, request, reply) => pageError(error, request, reply) }, async (request, reply) => {
    const session = await waiting(request);
    if (!session) return send(reply, { redirect: '/app/login' });
    return send(reply, page(session, (request.query as Record<string, unknown>).next, emptyForm()));
  });

  fastify.route({
    method: 'POST',
    url: CODE_PATH,
    config: LOGIN_ROUTE_CONFIG,
    errorHandler: (error, request, reply) => pageError(error, request, reply),
    handler: async (request, reply) => {
      const session = await waiting(request);
      if (!session) return send(reply, request.headers.origin === ownOrigin(request) ? { redirect: '/app/login?signedOut=expired' } : csrfRefused(null));
      if (!csrfAccepted(request, session.csrfToken)) return send(reply, csrfRefused(null));
      const body = request.body as Record<string, unknown>;
      const state = emptyForm(formValues(body, CODE_FIELDS));
      const code = typeof body.otp === 'string' ? body.otp.trim() : '';
      state.values.otp = '';
      if (!code) {
        state.errors.otp = 'Wpisz kod z aplikacji uwierzytelniającej';
        return send(reply, page(session, body.next, state, 400));
      }
      try {
        await auth.verifySecondFactor({ id: session.actor.userId, email: session.actor.email, municipalityId: session.actor.municipalityId }, code);
      } catch (error) {
        if (!(error instanceof DomainError && error.kind === 'unauthorized')) throw error;
        if (!(await sessions.wrongCode(session))) {
          void reply.clearCookie(sessionCookieName(request), cookieOptions(request));
          return send(reply, { redirect: '/app/login?signedOut=codes' });
        }
        state.errors.otp = 'Ten kod jest błędny albo został już użyty. Wpisz nowy kod z aplikacji.';
        return send(reply, page(session, body.next, state, 401));
      }
      const value = await sessions.completeSignIn(session);
      if (!value) return send(reply, { redirect: '/app/login?signedOut=expired' });
      void reply.setCookie(sessionCookieName(request), value, cookieOptions(request));
      return send(reply, { redirect: safeNext(body.next) });
    },
  });
}

/** After "sign out everywhere", this browser's cookie is cleared too. */
export function endEverywhere(request: FastifyRequest, reply: FastifyReply): Outcome {
  void reply.clearCookie(sessionCookieName(request), cookieOptions(request));
  return { redirect: '/app/login?signedOut=everywhere' };
}
