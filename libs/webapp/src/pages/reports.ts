import { DomainError, formatInstant, formatInteger, formatPln, NotFound, roleHas } from '@app/core';
import { ExportQuery, ExportsService, sendExportFile } from '@app/exports';
import { ReportsService, type PublicReportView, type Summary } from '@app/reports';
import { errorOutcome, renderLayout, type WebRoutes } from '../http';
import { one } from '../lists';
import type { WebSessions } from '../sessions';
import { validated } from '../forms';
import { eta, template } from '../views';

export const reportPath = (year: number) => `/app/reports/${year}`;

const LIST = template(
  '@reports',
  `<h1>Sprawozdania roczne</h1>
<p class="lead">Sprawozdanie z realizacji programu współpracy za rok poprzedni trzeba opublikować do 31 maja.</p>
<% if (it.table.rows.length) { %><%~ include('@table', it.table) %><% } else { %><p>Nie ma jeszcze żadnego sprawozdania. Przeliczenie zaczyna się samo na początku roku.</p><% } %>
`,
);

const YEAR = template(
  '@report-year',
  `<h1>Sprawozdanie za <%= it.year %> r.</h1>
<%~ include('@facts', { facts: it.facts }) %>
<h2 id="figures-heading">Wersja robocza i opublikowana</h2>
<div class="table-wrap" role="region" aria-labelledby="figures-caption" tabindex="0"><table>
<caption id="figures-caption">Najważniejsze liczby: wersja robocza (przeliczona <%= it.compiledAt %>) obok <%= it.publishedLabel %></caption>
<thead><tr><th scope="col">Liczba</th><th scope="col" class="num">Wersja robocza</th><th scope="col" class="num">Opublikowana</th><th scope="col">Różnica</th></tr></thead>
<tbody>
<% it.rows.forEach(function (r) { %><tr><th scope="row"><%= r.label %></th><td class="num"><% if (r.changed) { %><strong><%= r.draft %></strong><% } else { %><%= r.draft %><% } %></td><td class="num"><%= r.published %></td><td><% if (r.changed) { %><strong>zmienione</strong><% } else { %>bez zmian<% } %></td></tr><% }) %>
</tbody>
</table></div>
<% if (it.canManage) { %>
<h2>Przeliczenie i publikacja</h2>
<div class="actions">
<form method="post" action="<%= it.compileAction %>"><input type="hidden" name="_csrf" value="<%= it.csrf %>"><button type="submit" class="secondary">Przelicz wersję roboczą</button></form>
<% if (it.canPublish) { %>
<form method="post" action="<%= it.publishAction %>"><input type="hidden" name="_csrf" value="<%= it.csrf %>"><input type="hidden" name="contentHash" value="<%= it.contentHash %>"><button type="submit">Opublikuj wersję roboczą jako wersję <%= it.nextRevision %></button></form>
<% } %>
</div>
<p class="hint">Publikowana jest dokładnie ta wersja robocza, którą widzisz (jej skrót SHA-256 to <code><%= it.contentHash %></code>). Jeśli ktoś zmieni dane w międzyczasie, publikacja zostanie wstrzymana, a Ty zobaczysz nowe liczby.</p>
<% } %>
<% if (it.exports.length) { %>
<h2>Pliki do pobrania</h2>
<p>Każde pobranie jest zapisywane w dzienniku zmian. Skrót SHA-256 pozwala sprawdzić, że pobrany plik jest tym, który opublikowano.</p>
<ul class="links">
<% it.exports.forEach(function (e) { %><li><a href="<%= e.href %>" download><%= e.label %></a><% if (e.sha256) { %> – SHA-256: <code><%= e.sha256 %></code><% } %></li><% }) %>
</ul>
<% } %>
<% if (it.publicHref) { %><p><a href="<%= it.publicHref %>">Opublikowane sprawozdanie na stronie publicznej</a></p><% } %>
`,
);

const FIGURES: Array<{ label: string; value: (s: Summary) => string }> = [
  { label: 'Zlecone zadania publiczne', value: (s) => formatInteger(s.tasks.count) },
  { label: 'Kwota przyznanych dotacji', value: (s) => formatPln(s.tasks.granted) },
  { label: 'Kwota rozliczonych dotacji', value: (s) => formatPln(s.tasks.settled) },
  { label: 'Organizacje, które otrzymały dotacje', value: (s) => formatInteger(s.tasks.ngosFunded) },
  { label: 'Otwarte konkursy ofert', value: (s) => formatInteger(s.tasks.competitions) },
  { label: 'Pozafinansowe formy współpracy', value: (s) => formatInteger(s.activities.count) },
  { label: 'Komisje dialogu obywatelskiego', value: (s) => formatInteger(s.commissions.count) },
  { label: 'Organizacje w komisjach', value: (s) => formatInteger(s.commissions.memberNgos) },
  { label: 'Posiedzenia komisji', value: (s) => formatInteger(s.commissions.meetings) },
  { label: 'Organizacje w rejestrze', value: (s) => formatInteger(s.ngos.registered) },
  { label: 'Organizacje współpracujące', value: (s) => formatInteger(s.ngos.cooperating) },
  // the calls of the year's annual programme; a revision published before they were counted has none ('—')
  { label: 'Ogłoszone otwarte konkursy ofert', value: (s) => (s.calls ? formatInteger(s.calls.count) : '—') },
  { label: 'Oferty złożone w konkursach', value: (s) => (s.calls ? formatInteger(s.calls.offers) : '—') },
  { label: 'Oferty, które otrzymały dotację', value: (s) => (s.calls ? formatInteger(s.calls.awarded) : '—') },
  { label: 'Unieważnione konkursy', value: (s) => (s.calls ? formatInteger(s.calls.cancelled) : '—') },
  { label: 'Kwota dotacji przyznanych w konkursach', value: (s) => (s.calls ? formatPln(s.calls.granted) : '—') },
];

const EXPORTS: Array<{ label: string; format: 'csv' | 'xlsx' | 'json'; delimiter?: 'comma' | 'semicolon' }> = [
  { label: 'Arkusz XLSX (Excel, LibreOffice)', format: 'xlsx' },
  { label: 'CSV dla arkusza w polskiej wersji (średnik, przecinek dziesiętny)', format: 'csv', delimiter: 'semicolon' },
  { label: 'CSV dla programów (przecinek, nazwy pól API)', format: 'csv', delimiter: 'comma' },
  { label: 'JSON (podsumowanie i wszystkie zadania)', format: 'json' },
];

function parseYear(value: string | undefined): number {
  if (!value || !/^\d{4}$/.test(value)) throw new NotFound('report');
  return Number(value);
}

/** /app/reports: the years; a year's draft beside its newest published revision; compile, publish; the exports with their SHA-256. */
export function registerReportPages(routes: WebRoutes, deps: { reports: ReportsService; exporter: ExportsService; sessions: WebSessions }): void {
  const { reports, exporter, sessions } = deps;

  routes.get('/app/reports', { permission: 'reports.read' }, async (ctx) => {
    const list = await reports.list(ctx.actor);
    const body = eta.render(LIST, {
      table: {
        id: 'reports-caption',
        caption: 'Sprawozdania według lat',
        columns: [{ label: 'Rok' }, { label: 'Stan' }, { label: 'Opublikowana wersja', num: true }, { label: 'Opublikowano' }, { label: 'Termin' }],
        rows: list.map((r) => ({
          head: `Sprawozdanie za ${r.year} r.`,
          href: reportPath(r.year),
          cells: [r.status === 'published' ? 'opublikowane' : 'wersja robocza', r.revision ? String(r.revision) : '—', r.publishedAt ? formatInstant(new Date(r.publishedAt)) : '—', r.overdue ? 'po terminie' : '—'],
        })),
      },
    });
    return { html: renderLayout({ title: 'Sprawozdania', body, session: ctx.session, section: '/app/reports' }) };
  });

  routes.get('/app/reports/:year', { permission: 'reports.read' }, async (ctx) => {
    const year = parseYear(ctx.params.year);
    const draft = await reports.get(ctx.actor, year);
    let published: PublicReportView | null = null;
    try {
      published = await reports.publicReport(ctx.session.municipality.slug, year);
    } catch (error) {
      if (!(error instanceof DomainError && error.kind === 'not-found')) throw error;
    }
    const exportList = [];
    if (roleHas(ctx.actor.role, 'audit.read')) {
      if (published) {
        for (const e of EXPORTS) {
          const sha256 = await exporter.digestOf(ctx.actor.municipalityId, year, published.revision, { format: e.format, delimiter: e.delimiter });
          const query = new URLSearchParams({ format: e.format, revision: String(published.revision), ...(e.delimiter ? { delimiter: e.delimiter } : {}) });
          exportList.push({ label: `${e.label}, wersja ${published.revision}`, href: `${reportPath(year)}/export?${query}`, sha256 });
        }
      }
      exportList.push({ label: 'Wersja robocza, XLSX (do sprawdzenia przed publikacją)', href: `${reportPath(year)}/export?format=xlsx&revision=draft`, sha256: null });
    }
    const body = eta.render(YEAR, {
      year,
      facts: [
        { label: 'Stan', value: draft.status === 'published' ? 'opublikowane, bez zmian od publikacji' : published ? 'wersja robocza różni się od opublikowanej' : 'nieopublikowane' },
        { label: 'Opublikowana wersja', value: published ? `${published.revision}, ${formatInstant(new Date(published.publishedAt))}` : '—' },
        { label: 'Przeliczono', value: formatInstant(new Date(draft.compiledAt)) },
      ],
      compiledAt: formatInstant(new Date(draft.compiledAt)),
      publishedLabel: published ? `opublikowanej wersji ${published.revision}` : 'wersji opublikowanej (brak)',
      rows: FIGURES.map((f) => {
        const d = f.value(draft.summary);
        const p = published ? f.value(published.summary) : '—';
        return { label: f.label, draft: d, published: p, changed: !published || d !== p };
      }),
      canManage: roleHas(ctx.actor.role, 'reports.manage'),
      canPublish: draft.status === 'draft',
      nextRevision: (published?.revision ?? 0) + 1,
      contentHash: draft.contentHash,
      csrf: ctx.session.csrfToken,
      compileAction: `${reportPath(year)}/compile`,
      publishAction: `${reportPath(year)}/publish`,
      exports: exportList,
      publicHref: published ? `/${encodeURIComponent(ctx.session.municipality.slug)}/reports/${year}` : null,
    });
    return { html: renderLayout({ title: `Sprawozdanie za ${year} r.`, body, session: ctx.session, section: '/app/reports' }) };
  });

  routes.post('/app/reports/:year/compile', { permission: 'reports.manage' }, async (ctx) => {
    const year = parseYear(ctx.params.year);
    try {
      await reports.compileNow(ctx.actor, year);
    } catch (error) {
      if (error instanceof DomainError && error.kind === 'rule-violation') return errorOutcome(ctx.request, ctx.session, error);
      throw error;
    }
    await sessions.flash(ctx.session, `Przeliczono wersję roboczą sprawozdania za ${year} r.`);
    return { redirect: reportPath(year) };
  });

  routes.post('/app/reports/:year/publish', { permission: 'reports.manage' }, async (ctx) => {
    const year = parseYear(ctx.params.year);
    const contentHash = typeof ctx.body.contentHash === 'string' && /^[0-9a-f]{64}$/.test(ctx.body.contentHash) ? ctx.body.contentHash : undefined;
    if (!contentHash) return errorOutcome(ctx.request, ctx.session, new NotFound('reviewed draft'));
    try {
      const published = await reports.publish({ ...ctx.actor }, year, contentHash);
      await sessions.flash(ctx.session, `Opublikowano sprawozdanie za ${year} r. jako wersję ${published.revision}.`);
    } catch (error) {
      if (!(error instanceof DomainError && error.kind === 'rule-violation')) throw error;
      await sessions.flash(ctx.session, 'Nie opublikowano: dane zmieniły się od przeliczenia, które widziałeś. Sprawdź nowe liczby i opublikuj ponownie.');
    }
    return { redirect: reportPath(year) };
  });

  routes.get('/app/reports/:year/export', { permission: 'audit.read' }, async (ctx) => {
    const year = parseYear(ctx.params.year);
    const query = await validated(ExportQuery, Object.fromEntries(['format', 'revision', 'delimiter'].flatMap((k) => (one(ctx.query[k]) ? [[k, one(ctx.query[k])]] : []))));
    const file = await exporter.exportToTemporaryFile(ctx.actor, year, query);
    sendExportFile(ctx.reply, file);
    return { sent: true };
  });
}
