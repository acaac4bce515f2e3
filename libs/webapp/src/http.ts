import { DomainError, roleHas, type Actor, type Permission, type Role } from '@app/core';
import { BadRequestException, HttpException, Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import type { WebSession, WebSessions } from './sessions';
import { APP_CSP, eta, STYLESHEET_PATH } from './views';

const logger = new Logger('WebApp');

export const APP_NAME = 'Współpraca z organizacjami';
const ROLE_LABELS: Record<Role, string> = { admin: 'administrator', official: 'urzędnik', auditor: 'audytor', ngo: 'organizacja' };
export const roleLabel = (role: Role) => ROLE_LABELS[role];

/** The session cookie: `__Host-` prefixed and Secure whenever the request came over HTTPS (directly or through a trusted proxy). */
export const sessionCookieName = (request: FastifyRequest) => (request.protocol === 'https' ? '__Host-ngo_session' : 'ngo_session');
export const loginCookieName = (request: FastifyRequest) => (request.protocol === 'https' ? '__Host-ngo_login' : 'ngo_login');

export function cookieOptions(request: FastifyRequest) {
  return { httpOnly: true, sameSite: 'lax' as const, path: '/', secure: request.protocol === 'https' };
}

/** A page to show, or where to go next (303 after a form, per the POST/redirect/GET pattern). */
/** `sent`: the handler answered itself (a file download). */
export type Outcome = { html: string; status?: number } | { redirect: string } | { sent: true };

export interface PageContext {
  request: FastifyRequest;
  reply: FastifyReply;
  session: WebSession;
  actor: Actor;
  /** The form's fields as Fastify parsed them (application/x-www-form-urlencoded), or the text fields of an upload form. */
  body: Record<string, unknown>;
  /** The file of an upload form (PageOptions.upload); null when none was chosen or the route takes none. */
  file: UploadedFile | null;
  query: Record<string, string | undefined>;
  params: Record<string, string>;
}

export interface NavItem {
  href: string;
  label: string;
  roles: readonly Role[];
}

/** The main menu, by role (../shared/web-app.md, "Paths"). */
export const NAV: readonly NavItem[] = [
  { href: '/app', label: 'Start', roles: ['admin', 'official', 'auditor', 'ngo'] },
  { href: '/app/my-organisation', label: 'Moja organizacja', roles: ['ngo'] },
  { href: '/app/offers', label: 'Moje oferty', roles: ['ngo'] },
  { href: '/app/ngos', label: 'Organizacje', roles: ['admin', 'official', 'auditor'] },
  { href: '/app/programs', label: 'Programy', roles: ['admin', 'official', 'auditor'] },
  { href: '/app/tasks', label: 'Zadania', roles: ['admin', 'official', 'auditor'] },
  { href: '/app/activities', label: 'Działania', roles: ['admin', 'official', 'auditor'] },
  { href: '/app/commissions', label: 'Komisje', roles: ['admin', 'official', 'auditor'] },
  { href: '/app/calls', label: 'Konkursy ofert', roles: ['admin', 'official', 'auditor', 'ngo'] },
  { href: '/app/reports', label: 'Sprawozdania', roles: ['admin', 'official', 'auditor'] },
  { href: '/app/imports', label: 'Import', roles: ['admin', 'official'] },
  { href: '/app/audit', label: 'Dziennik zmian', roles: ['admin', 'official', 'auditor'] },
  { href: '/app/jobs', label: 'Harmonogram', roles: ['admin', 'official'] },
  { href: '/app/users', label: 'Użytkownicy', roles: ['admin'] },
  { href: '/app/account', label: 'Moje konto', roles: ['admin', 'official', 'auditor', 'ngo'] },
];

export interface LayoutInput {
  title: string;
  body: string;
  session?: WebSession | null;
  /** The menu item to mark as the current page. */
  section?: string;
  hasErrors?: boolean;
}

export function renderLayout(input: LayoutInput): string {
  const s = input.session;
  const nav = s?.stage === 'in' ? NAV.filter((n) => n.roles.includes(s.actor.role)).map((n) => ({ ...n, current: n.href === input.section })) : [];
  return eta.render('@layout', {
    title: input.title,
    appName: APP_NAME,
    stylesheet: STYLESHEET_PATH,
    body: input.body,
    hasErrors: input.hasErrors ?? false,
    user: s ? { email: s.actor.email, roleLabel: roleLabel(s.actor.role), municipality: s.municipality.name } : null,
    csrf: s?.csrfToken ?? '',
    nav,
    flash: s?.flash ?? null,
  });
}

const MESSAGE_PAGE = `<h1><%= it.heading %></h1>
<% it.paragraphs.forEach(function (p) { %><p><%= p %></p><% }) %>
<p><a href="<%= it.backHref %>"><%= it.backLabel %></a></p>
`;
eta.loadTemplate('@message', MESSAGE_PAGE);

export function messagePage(session: WebSession | null, status: number, heading: string, paragraphs: string[], back = { href: '/app', label: 'Wróć na stronę startową' }): Outcome {
  return { status, html: renderLayout({ title: heading, session, body: eta.render('@message', { heading, paragraphs, backHref: back.href, backLabel: back.label }) }) };
}

/** A local path to return to after sign-in: under /app, never another site. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/app(\/[\w\-./?=&%]*)?$/.test(next) && !next.includes('//') && !/\/\.\.?(\/|$|\?)/.test(next) && !next.startsWith('/app/login') && !next.startsWith('/app/logout') ? next : '/app';
}

/** The request's own origin, as the browser names it in `Origin`. */
export const ownOrigin = (request: FastifyRequest) => `${request.protocol}://${request.host}`;

function sameToken(given: unknown, expected: string): boolean {
  if (typeof given !== 'string' || given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

/** A state-changing request must come from one of our pages: same-origin `Origin` and the session's token. */
export function csrfAccepted(request: FastifyRequest, expectedToken: string | undefined): boolean {
  if (request.headers.origin !== ownOrigin(request)) return false;
  const body = request.body as Record<string, unknown> | undefined;
  return !!expectedToken && sameToken(body?._csrf, expectedToken);
}

export function csrfRefused(session: WebSession | null): Outcome {
  return messagePage(session, 403, 'Nie zapisano zmian', [
    'Formularz nie pochodzi z tej strony albo wygasł (na przykład po ponownym zalogowaniu). Ze względów bezpieczeństwa niczego nie zapisaliśmy.',
    'Wróć do formularza, odśwież stronę i wyślij go jeszcze raz.',
  ]);
}

export function send(reply: FastifyReply, outcome: Outcome): FastifyReply {
  if ('sent' in outcome) return reply;
  // same-origin, not the site-wide no-referrer: under no-referrer Chromium sends `Origin: null` with a form's POST, which the CSRF check must refuse
  void reply.headers({ 'cache-control': 'no-store', 'content-security-policy': APP_CSP, 'referrer-policy': 'same-origin' });
  if ('redirect' in outcome) return reply.status(303).header('location', outcome.redirect).send();
  return reply
    .status(outcome.status ?? 200)
    .type('text/html; charset=utf-8')
    .send(outcome.html);
}

/** A domain error that escaped a page: its status and a page in Polish; anything else is a 500, logged. */
export function errorOutcome(request: FastifyRequest, session: WebSession | null, error: unknown): Outcome {
  if (error instanceof DomainError) {
    switch (error.kind) {
      case 'not-found':
        return messagePage(session, 404, 'Nie znaleziono', ['Takiego rekordu nie ma w rejestrze Twojej gminy albo został usunięty.']);
      case 'forbidden':
        return messagePage(session, 403, 'Brak dostępu', ['Twoja rola nie pozwala na to działanie. Jeśli go potrzebujesz, poproś administratora gminy o zmianę roli.']);
      case 'too-many-requests':
        return messagePage(session, 429, 'Zbyt wiele prób', ['Spróbuj ponownie za chwilę.']);
      case 'unavailable':
        return messagePage(session, 503, 'Usługa chwilowo niedostępna', ['Baza danych nie odpowiada. Spróbuj ponownie za kilka sekund.']);
      case 'unauthorized':
        return messagePage(session, 401, 'Zaloguj się ponownie', ['Twoja sesja się zakończyła.'], { href: '/app/login', label: 'Przejdź do logowania' });
      case 'rule-violation':
        return messagePage(session, 422, 'Nie można tego zrobić', [error.message]);
      case 'validation':
      case 'malformed-request':
        return messagePage(session, 400, 'Nieprawidłowe dane', ['Adres albo formularz zawiera nieprawidłowe dane.', error.message]);
      case 'conflict':
      case 'stale-version':
        return messagePage(session, 409, 'Nie można tego zrobić', [error.message]);
    }
  }
  // what Fastify or Nest refuse before a handler runs: Nest's cross-origin check (403), a body too large or malformed
  const status = error instanceof HttpException ? error.getStatus() : (error as { statusCode?: unknown } | null)?.statusCode;
  if (status === 403) return csrfRefused(session);
  if (typeof status === 'number' && status >= 400 && status < 500) return messagePage(session, status, 'Nieprawidłowe żądanie', ['Serwer nie mógł przyjąć tego formularza. Wróć, odśwież stronę i spróbuj ponownie.']);
  logger.error(`${request.method} ${request.url} -> 500: ${error instanceof Error ? error.stack : String(error)}`);
  return messagePage(session, 500, 'Wystąpił błąd', ['Coś poszło nie tak po naszej stronie i niczego nie zapisaliśmy. Spróbuj ponownie; jeśli błąd się powtarza, zgłoś go administratorowi, podając godzinę.']);
}

export interface PageOptions {
  /**
   * Who may open the page: a permission of the API's table; `staff` the municipality's own people
   * (admin, official, auditor), for the registers an NGO account does not browse; `ngo` NGO accounts.
   */
  permission: Permission | 'staff' | 'ngo';
  /** Served also while the user must first set up two-factor sign-in (its own set-up pages). */
  enrolment?: boolean;
  /**
   * POST only: the form is multipart/form-data with one file part named `field` (at most
   * `maxBytes`; a larger one comes as `tooLarge`). Its text fields become `ctx.body`, its file
   * `ctx.file`. The form must put `_csrf` before the file: the file is read only after that token matched.
   */
  upload?: { field: string; maxBytes: number };
}

/** A file sent with an upload form. */
export interface UploadedFile {
  fileName: string;
  mimeType: string;
  /** Empty when the file was too large. */
  buffer: Buffer;
  /** Over the route's `maxBytes`: the rest of it was dropped unread. */
  tooLarge: boolean;
}

/**
 * An upload form's text fields and its file. The file's bytes are read only when a `_csrf` field
 * before it matched the session's token; otherwise every file part is drained unread and the answer
 * is null, for the caller to refuse the request (403) having looked at nothing the form sent.
 */
async function readUploadForm(request: FastifyRequest, upload: NonNullable<PageOptions['upload']>, expectedToken: string): Promise<{ fields: Record<string, string | string[]>; file: UploadedFile | null } | null> {
  const fields: Record<string, string | string[]> = Object.create(null);
  let file: UploadedFile | null = null;
  let refused = false;
  const drain = async (stream: AsyncIterable<unknown>) => {
    for await (const chunk of stream) void chunk;
  };
  try {
    // the API's plugin options (one file, no fields) are its own: a form has a few short fields too;
    // a file over the limit is marked truncated rather than thrown (the plugin reads the option, its types omit it)
    const options = { limits: { fields: 20, fieldSize: 4096, files: 1, fileSize: upload.maxBytes, parts: 21 }, throwFileSizeLimit: false };
    for await (const part of request.parts(options)) {
      if (part.type === 'field') {
        if (typeof part.value !== 'string') continue;
        const had = fields[part.fieldname];
        fields[part.fieldname] = had === undefined ? part.value : [...(Array.isArray(had) ? had : [had]), part.value];
        continue;
      }
      if (!sameToken(fields._csrf, expectedToken)) refused = true;
      if (refused || part.fieldname !== upload.field) {
        await drain(part.file);
        continue;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of part.file) if (!part.file.truncated) chunks.push(chunk as Buffer);
      const tooLarge = part.file.truncated;
      // a file input left empty: a part with an empty file name (or none) and no bytes
      if (!tooLarge && !part.filename && chunks.length === 0) continue;
      file = { fileName: part.filename ?? '', mimeType: part.mimetype ?? '', buffer: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks), tooLarge };
    }
  } catch (error) {
    // a limit of the form (413), or a body that is not well-formed multipart
    if ((error as { statusCode?: number }).statusCode) throw error;
    throw new BadRequestException('The body could not be read as multipart/form-data');
  }
  return refused ? null : { fields, file };
}

/** Where a user who must set up two-factor sign-in is sent from every other page. */
export const ENROL_PATH = '/app/account/two-factor';

type Handler = (ctx: PageContext) => Promise<Outcome>;

/**
 * The signed-in pages' routes: the session from its cookie (or 303 to sign-in), the CSRF check of
 * every POST (403, nothing written), the role's permission, then the handler; its domain errors
 * become Polish pages with the API's status.
 */
export class WebRoutes {
  constructor(
    private readonly fastify: FastifyInstance,
    private readonly sessions: WebSessions,
  ) {}

  get(url: string, options: PageOptions, handler: Handler): void {
    this.route('GET', url, options, handler);
  }

  post(url: string, options: PageOptions, handler: Handler): void {
    this.route('POST', url, options, handler);
  }

  private route(method: 'GET' | 'POST', url: string, options: PageOptions, handler: Handler): void {
    this.fastify.route({
      method,
      url,
      // refusals before the handler (Nest's cross-origin check, the body parser) as pages too
      errorHandler: (error, request, reply) => send(reply, errorOutcome(request, null, error)),
      handler: async (request, reply) => {
        let session: WebSession | null = null;
        try {
          session = await this.sessions.resolve(request.cookies[sessionCookieName(request)]);
          // a password still waiting for its two-factor code opens no page but the code's
          if (session?.stage === 'code') return send(reply, method === 'GET' ? { redirect: `/app/login/code?next=${encodeURIComponent(request.url)}` } : csrfRefused(null));
          if (!session) {
            if (method === 'POST' && request.headers.origin !== ownOrigin(request)) return send(reply, csrfRefused(null));
            return send(reply, { redirect: `/app/login?next=${encodeURIComponent(method === 'GET' ? request.url : '/app')}` });
          }
          const allowed =
            options.permission === 'ngo' ? session.actor.role === 'ngo' && !!session.actor.ngoId : options.permission === 'staff' ? session.actor.role !== 'ngo' : roleHas(session.actor.role, options.permission);
          const refusedRole = () => send(reply, messagePage(session, 403, 'Brak dostępu', ['Ta strona nie jest dostępna dla Twojej roli.']));
          let file: UploadedFile | null = null;
          if (method === 'POST' && options.upload && request.isMultipart()) {
            if (request.headers.origin !== ownOrigin(request)) return send(reply, csrfRefused(session));
            // nobody's file is read for a page they may not use yet
            if (session.stage === 'enrol' && !options.enrolment) return send(reply, { redirect: ENROL_PATH });
            if (!allowed) return refusedRole();
            const form = await readUploadForm(request, options.upload, session.csrfToken);
            if (!form) return send(reply, csrfRefused(session));
            request.body = form.fields;
            file = form.file;
          }
          if (method === 'POST' && !csrfAccepted(request, session.csrfToken)) return send(reply, csrfRefused(session));
          if (session.stage === 'enrol' && !options.enrolment) return send(reply, { redirect: ENROL_PATH });
          if (!allowed) return refusedRole();
          const outcome = await handler({
            request,
            reply,
            session,
            actor: session.actor,
            body: (request.body ?? {}) as Record<string, unknown>,
            file,
            query: request.query as Record<string, string | undefined>,
            params: request.params as Record<string, string>,
          });
          return send(reply, outcome);
        } catch (error) {
          return send(reply, errorOutcome(request, session, error));
        }
      },
    });
  }
}
