import { MembersService } from '@app/commissions';
import { formatDay, formatInteger, formatPln, label, STATUS_LABELS } from '@app/core';
import { NgosService } from '@app/ngos';
import { SpheresService } from '@app/spheres';
import { TasksService } from '@app/tasks';
import { renderLayout, type WebRoutes } from '../http';
import { eta, template } from '../views';
import { membershipsTable, ngoFacts } from './ngos';

const MY_ORGANISATION = template(
  '@my-organisation',
  `<h1><%= it.name %></h1>
<p class="lead">Dane Twojej organizacji w rejestrze gminy <%= it.municipality %>. Jeśli coś się nie zgadza, napisz do urzędu – zmiany wprowadza urzędnik.</p>
<%~ include('@facts', { facts: it.facts }) %>
<h2>Zadania publiczne zlecone organizacji</h2>
<% if (it.tasks.rows.length) { %><%~ include('@table', it.tasks) %><% } else { %><p>Organizacja nie realizuje żadnego zadania zleconego przez gminę.</p><% } %>
<h2 id="komisje">Członkostwo w komisjach dialogu obywatelskiego</h2>
<% if (it.memberships.rows.length) { %><%~ include('@table', it.memberships) %><% } else { %><p>Organizacja nie ma i nie miała przedstawiciela w żadnej komisji.</p><% } %>
`,
);

/** /app/my-organisation: what the signed-in NGO's account may see of it: its data, its funded tasks, its memberships (current and past). */
export function registerMyOrganisationPage(routes: WebRoutes, deps: { ngos: NgosService; tasks: TasksService; members: MembersService; spheres: SpheresService }): void {
  routes.get('/app/my-organisation', { permission: 'ngo' }, async (ctx) => {
    const ngo = await deps.ngos.get(ctx.actor, ctx.actor.ngoId!);
    const sphereNames = new Map((await deps.spheres.list({ all: true })).map((s) => [s.code, s.name]));
    const [tasks, memberships] = await Promise.all([deps.tasks.list(ctx.actor, { limit: 200 }), deps.members.mine(ctx.actor, { limit: 200 })]);
    const body = eta.render(MY_ORGANISATION, {
      name: ngo.name,
      municipality: ctx.session.municipality.name,
      facts: ngoFacts(ngo, sphereNames),
      tasks: {
        id: 'tasks-caption',
        caption: `Zadania (${formatInteger(tasks.total)})`,
        columns: [{ label: 'Tytuł' }, { label: 'Okres' }, { label: 'Kwota przyznana', num: true }, { label: 'Kwota rozliczona', num: true }, { label: 'Status' }],
        rows: tasks.items.map((t) => ({
          head: t.title,
          cells: [`${formatDay(t.startDate)} – ${formatDay(t.endDate)}`, formatPln(t.amountGranted), t.amountSettled === null ? '—' : formatPln(t.amountSettled), label(STATUS_LABELS, t.status)],
        })),
      },
      memberships: membershipsTable(memberships.items),
    });
    return { html: renderLayout({ title: 'Moja organizacja', body, session: ctx.session, section: '/app/my-organisation' }) };
  });
}
