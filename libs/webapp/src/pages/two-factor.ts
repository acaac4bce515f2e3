import { formatInstant } from '@app/core';
import { TwoFactorService, type TwoFactorStatus } from '@app/identity';
import QRCode from 'qrcode';
import { applyError, emptyForm, errorItems, hasErrors, renderFields, type FieldSpec, type FormState } from '../forms';
import { APP_NAME, ENROL_PATH, renderLayout, type Outcome, type PageContext, type WebRoutes } from '../http';
import type { WebSessions } from '../sessions';
import { eta, template } from '../views';
import { continueInNewSession } from './account';

const CODE_FIELD = (hint: string): FieldSpec => ({ name: 'otp', label: 'Kod z aplikacji', kind: 'text', autocomplete: 'one-time-code', inputmode: 'numeric', spellcheck: false, width: 'w-10', hint });

/** The page of /app/account/two-factor: set-up (secret, QR code, first code), or its state with recovery codes and turning off. */
const TWO_FACTOR = template(
  '@two-factor',
  `<h1>Logowanie dwuetapowe</h1>
<% if (it.mustEnrol) { %><div class="notice" role="status"><p>Gmina wymaga logowania dwuetapowego od administratorów i urzędników. Włącz je, aby korzystać z systemu.</p></div><% } %>
<%~ include('@error-summary', { errors: it.errors }) %>
<% if (it.codes) { %>
<h2 id="codes-heading">Kody odzyskiwania</h2>
<p>Zapisz te kody albo je wydrukuj i przechowuj w bezpiecznym miejscu. Każdy działa jeden raz zamiast kodu z aplikacji, np. gdy zgubisz telefon. <strong>Nie zobaczysz ich ponownie.</strong></p>
<ul class="recovery-codes" aria-labelledby="codes-heading"><% it.codes.forEach(function (c) { %><li><code><%= c %></code></li><% }) %></ul>
<p><a class="button" href="/app">Zapisałem kody – przejdź dalej</a></p>
<% } else if (it.status.enabled) { %>
<%~ include('@facts', { facts: it.facts }) %>
<h2 id="renew-heading">Nowe kody odzyskiwania</h2>
<p>Dotychczasowe kody przestaną działać.</p>
<form method="post" action="/app/account/two-factor/recovery-codes" aria-labelledby="renew-heading" novalidate>
<input type="hidden" name="_csrf" value="<%= it.csrf %>">
<%~ it.renewFields %>
<div class="actions"><button type="submit" class="secondary">Utwórz nowe kody</button></div>
</form>
<% if (!it.status.required) { %>
<h2 id="off-heading">Wyłączenie logowania dwuetapowego</h2>
<form method="post" action="/app/account/two-factor/disable" aria-labelledby="off-heading" novalidate>
<input type="hidden" name="_csrf" value="<%= it.csrf %>">
<%~ it.offFields %>
<div class="actions"><button type="submit" class="warning">Wyłącz logowanie dwuetapowe</button></div>
</form>
<% } else { %><p>Gmina wymaga logowania dwuetapowego dla Twojej roli, więc nie możesz go wyłączyć.</p><% } %>
<% } else { %>
<p>Po włączeniu przy logowaniu podasz, oprócz hasła, sześciocyfrowy kod z aplikacji na telefonie. Nikt, kto pozna tylko Twoje hasło, nie zaloguje się na Twoje konto.</p>
<h2>1. Dodaj konto w aplikacji</h2>
<p>Zainstaluj aplikację uwierzytelniającą (np. Google Authenticator, Microsoft Authenticator, FreeOTP) i zeskanuj w niej kod QR.</p>
<figure class="qr"><%~ it.qr %><figcaption>Kod QR z kluczem do aplikacji uwierzytelniającej</figcaption></figure>
<p>Jeśli nie możesz zeskanować kodu, wpisz w aplikacji ten klucz (typ: oparty na czasie):</p>
<p><code class="secret"><%= it.secretGroups %></code></p>
<h2 id="confirm-heading">2. Wpisz kod z aplikacji</h2>
<form method="post" action="/app/account/two-factor/enable" aria-labelledby="confirm-heading" novalidate>
<input type="hidden" name="_csrf" value="<%= it.csrf %>">
<%~ it.confirmFields %>
<div class="actions"><button type="submit">Włącz logowanie dwuetapowe</button></div>
</form>
<% } %>
<% if (!it.mustEnrol) { %><p><a href="/app/account">Wróć do ustawień konta</a></p><% } else { %>
<form method="post" action="/app/logout"><input type="hidden" name="_csrf" value="<%= it.csrf %>"><button type="submit" class="link">Wyloguj się</button></form><% } %>
`,
);

/** A secret in groups of four, as authenticator apps show and accept it. */
const grouped = (secret: string) => secret.replace(/(.{4})(?=.)/g, '$1 ');

/** An SVG QR code of `uri`, labelled for screen readers (its figcaption names it; the key is also given as text). */
async function qrSvg(uri: string): Promise<string> {
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2, width: 200 });
  return svg.replace('<svg ', '<svg role="img" aria-label="Kod QR z kluczem do aplikacji uwierzytelniającej" focusable="false" ');
}

/** /app/account/two-factor: turning two-factor sign-in on (secret, QR code, first code → recovery codes), renewing the codes, turning it off. */
export function registerTwoFactorPages(routes: WebRoutes, deps: { twoFactor: TwoFactorService; sessions: WebSessions }): void {
  const { twoFactor, sessions } = deps;
  const options = { permission: 'signed-in', enrolment: true } as const;
  const confirmFields = [CODE_FIELD('Sześć cyfr, które pokazuje aplikacja po dodaniu konta')];
  const renewFields = [CODE_FIELD('Aktualny kod z aplikacji albo niewykorzystany kod odzyskiwania')];
  const offFields = renewFields;

  const page = async (ctx: PageContext, o: { state?: FormState; codes?: string[]; form?: 'confirm' | 'renew' | 'off'; status?: number } = {}): Promise<Outcome> => {
    const state = o.state ?? emptyForm();
    const status: TwoFactorStatus = await twoFactor.status(ctx.actor);
    const setUp = !status.enabled && !o.codes ? await twoFactor.begin(ctx.actor, `${APP_NAME} (${ctx.session.municipality.name})`) : null;
    const formState = (form: 'confirm' | 'renew' | 'off') => (o.form === form ? state : emptyForm());
    const fieldsOf = { confirm: confirmFields, renew: renewFields, off: offFields };
    const body = eta.render(TWO_FACTOR, {
      mustEnrol: status.mustEnrol,
      status,
      codes: o.codes ?? null,
      csrf: ctx.session.csrfToken,
      errors: o.form ? errorItems(state, fieldsOf[o.form]) : [],
      facts: [
        { label: 'Stan', value: 'włączone' },
        { label: 'Od', value: status.enabledAt ? formatInstant(new Date(status.enabledAt)) : '—' },
        { label: 'Niewykorzystane kody odzyskiwania', value: String(status.recoveryCodesLeft) },
      ],
      qr: setUp ? await qrSvg(setUp.uri) : '',
      secretGroups: setUp ? grouped(setUp.secret) : '',
      confirmFields: renderFields(confirmFields, formState('confirm')),
      renewFields: renderFields(renewFields, formState('renew')),
      offFields: renderFields(offFields, formState('off')),
    });
    return { status: o.status ?? 200, html: renderLayout({ title: 'Logowanie dwuetapowe', body, session: ctx.session, section: '/app/account', hasErrors: hasErrors(state) }) };
  };

  /** Runs a form that takes one code; a refusal shows the page again with the message beside the field. */
  const withCode = (form: 'confirm' | 'renew' | 'off', run: (ctx: PageContext, code: string) => Promise<Outcome>) => async (ctx: PageContext) => {
    const code = typeof ctx.body.otp === 'string' ? ctx.body.otp.trim() : '';
    const state = emptyForm();
    if (!code) {
      state.errors.otp = 'Wpisz kod z aplikacji';
      return page(ctx, { state, form, status: 400 });
    }
    try {
      return await run(ctx, code);
    } catch (error) {
      const status = applyError(state, error, [{ name: 'otp', label: 'Kod z aplikacji', kind: 'text' }]);
      return page(ctx, { state, form, status });
    }
  };

  routes.get(ENROL_PATH, options, (ctx) => page(ctx));

  // the recovery codes are shown once, in the answer to this form (not kept for a redirect)
  routes.post(`${ENROL_PATH}/enable`, options, withCode('confirm', async (ctx, code) => page(ctx, { codes: await twoFactor.confirm(ctx.actor, code) })));

  routes.post(`${ENROL_PATH}/recovery-codes`, { permission: 'signed-in' }, withCode('renew', async (ctx, code) => page(ctx, { codes: await twoFactor.regenerateRecoveryCodes(ctx.actor, code) })));

  routes.post(`${ENROL_PATH}/disable`, { permission: 'signed-in' }, withCode('off', async (ctx, code) => {
    await twoFactor.disable(ctx.actor, code);
    return continueInNewSession(ctx, sessions, 'Wyłączono logowanie dwuetapowe. Inne sesje i klucze API zostały zakończone.');
  }));
}
