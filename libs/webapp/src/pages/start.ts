import { AuditService } from '@app/audit';
import { MembersService } from '@app/commissions';
import { formatDay, formatInstant, formatInteger, plural, roleHas, TASKS, warsawToday, type Actor } from '@app/core';
import { NgosService } from '@app/ngos';
import { ReportsService } from '@app/reports';
import { TasksService } from '@app/tasks';
import { renderLayout, type WebRoutes } from '../http';
import { ACTION_LABELS, ENTITY_LABELS } from './audit';
import { eta, template } from '../views';

const START = template(
  '@start',
  `<h1><%= it.heading %></h1>
<% if (it.figures.length) { %>
<h2>Rok <%= it.year %> w liczbach</h2>
<dl class="figures">
<% it.figures.forEach(function (f) { %><div><dt><%= f.label %></dt><dd><% if (f.href) { %><a href="<%= f.href %>"><%= f.value %></a><% } else { %><%= f.value %><% } %></dd></div><% }) %>
</dl>
<% } %>
<% if (it.deadlines.length) { %>
<h2>Terminy</h2>
<ul>
<% it.deadlines.forEach(function (d) { %><li><% if (d.overdue) { %><strong>Po terminie:</strong> <% } %><% if (d.href) { %><a href="<%= d.href %>"><%= d.text %></a><% } else { %><%= d.text %><% } %></li><% }) %>
</ul>
<% } %>
<% if (it.links.length) { %>
<h2>Na skróty</h2>
<ul>
<% it.links.forEach(function (l) { %><li><a href="<%= l.href %>"><%= l.label %></a></li><% }) %>
</ul>
<% } %>
<% if (it.recent.rows.length) { %>
<h2>Ostatnie zmiany</h2>
<%~ include('@table', it.recent) %>
<% } %>
`,
);


/** GET /app: the role's start page: this year's figures, the report deadline and tasks past their end date not settled, recent changes. */
export function registerStartPage(routes: WebRoutes, deps: { ngos: NgosService; tasks: TasksService; reports: ReportsService; audit: AuditService; members: MembersService }): void {
  routes.get('/app', { permission: 'signed-in' }, async (ctx) => {
    const actor: Actor = ctx.actor;
    const day = warsawToday();
    const year = Number(day.slice(0, 4));
    const figures: Array<{ label: string; value: string; href?: string }> = [];
    const deadlines: Array<{ text: string; overdue: boolean; href?: string }> = [];
    const links: Array<{ href: string; label: string }> = [];
    let recent = { id: 'recent-caption', caption: 'Ostatnie wpisy w dzienniku zmian', columns: [{ label: 'Kiedy' }, { label: 'Kto' }, { label: 'Co' }], rows: [] as Array<{ head: string; cells: string[] }> };

    if (actor.role === 'ngo') {
      const memberships = await deps.members.mine(actor, { limit: 200 });
      const tasks = await deps.tasks.list(actor, { year, limit: 1 });
      figures.push({ label: `Zadania zlecone w ${year} r.`, value: formatInteger(tasks.total), href: '/app/my-organisation' });
      figures.push({ label: 'Członkostwa w komisjach teraz', value: formatInteger(memberships.items.filter((m) => m.active).length), href: '/app/my-organisation#komisje' });
      links.push({ href: '/app/my-organisation', label: 'Dane organizacji, jej zadania i członkostwa w komisjach' });
    } else {
      const [ngos, tasks, late] = await Promise.all([
        deps.ngos.list(actor, { archived: false, limit: 1 }),
        deps.tasks.list(actor, { year, limit: 1 }),
        deps.tasks.list(actor, { overdue: true, limit: 1 }),
      ]);
      figures.push({ label: 'Organizacje w rejestrze', value: formatInteger(ngos.total), href: '/app/ngos' });
      figures.push({ label: `Zadania zlecone w ${year} r.`, value: formatInteger(tasks.total) });
      if (roleHas(actor.role, 'reports.read')) {
        const reports = await deps.reports.list(actor);
        const last = reports.find((r) => r.year === year - 1);
        const due = `${year}-05-31`;
        // with no report row yet, overdue is today's date past the deadline; with one, the API's own verdict
        if (!last || last.revision === 0) deadlines.push({ text: `Sprawozdanie za ${year - 1} r. trzeba opublikować do ${formatDay(due)}; nie opublikowano go jeszcze.`, overdue: last ? last.overdue : day > due });
        else deadlines.push({ text: `Sprawozdanie za ${year - 1} r. opublikowano (wersja ${last.revision}${last.publishedAt ? `, ${formatInstant(new Date(last.publishedAt))}` : ''}).`, overdue: false });
        for (const r of reports.filter((x) => x.overdue && x.year !== year - 1)) deadlines.push({ text: `Sprawozdanie za ${r.year} r. nie zostało opublikowane.`, overdue: true });
      }
      if (late.total) deadlines.push({ text: `${plural(late.total, TASKS)} po dniu zakończenia, nierozliczone`, overdue: true, href: '/app/tasks?overdue=true' });
      if (roleHas(actor.role, 'registers.write')) links.push({ href: '/app/ngos/new', label: 'Dodaj organizację' });
      if (roleHas(actor.role, 'users.manage')) links.push({ href: '/app/users', label: 'Użytkownicy gminy' });
      if (roleHas(actor.role, 'audit.read')) {
        const entries = await deps.audit.list(actor, { limit: 10 });
        recent = {
          ...recent,
          rows: entries.items.map((e) => ({ head: formatInstant(new Date(e.at)), cells: [e.actor.email ?? 'system', `${ACTION_LABELS[e.action] ?? e.action}: ${ENTITY_LABELS[e.entity] ?? e.entity}`] })),
        };
      }
    }
    links.push({ href: '/app/account', label: 'Moje konto: zmiana hasła, wylogowanie ze wszystkich urządzeń' });
    const body = eta.render(START, { heading: `${ctx.session.municipality.name}: strona startowa`, year, figures, deadlines, links, recent });
    return { html: renderLayout({ title: 'Start', body, session: ctx.session, section: '/app' }) };
  });
}
