import { ActivitiesService } from '@app/activities';
import { AuditService } from '@app/audit';
import { CallsService, CommissionAccess, OffersService } from '@app/competitions';
import { CommissionsService, MeetingsService, MembersService } from '@app/commissions';
import { AuthService, TwoFactorService, UsersService } from '@app/identity';
import { ExportsService } from '@app/exports';
import { ImportsService } from '@app/imports';
import { JobRunsService } from '@app/jobs';
import { NgosService } from '@app/ngos';
import { ProgramsService } from '@app/programs';
import { ReportsService } from '@app/reports';
import { SpheresService } from '@app/spheres';
import { TasksService } from '@app/tasks';
import cookie from '@fastify/cookie';
import type { INestApplicationContext } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { messagePage, send, WebRoutes } from './http';
import { registerAccountPages } from './pages/account';
import { registerActivityPages } from './pages/activities';
import { registerCallPages } from './pages/calls';
import { registerCommissionPages } from './pages/commissions';
import { registerAuditPages } from './pages/audit';
import { registerMyOrganisationPage } from './pages/my-organisation';
import { registerNgoPages } from './pages/ngos';
import { registerOfferPages } from './pages/offers';
import { registerSignIn } from './pages/sign-in';
import { registerProgramPages } from './pages/programs';
import { registerImportPages } from './pages/imports';
import { registerReportPages } from './pages/reports';
import { registerStartPage } from './pages/start';
import { registerTaskPages } from './pages/tasks';
import { registerTwoFactorPages } from './pages/two-factor';
import { registerUserPages } from './pages/users';
import { WebSessions } from './sessions';
import { APP_STYLESHEET, STYLESHEET_PATH } from './views';

/** Registers the web app's routes on the API's Fastify instance (apps/api/src/app.ts). */
export async function registerWebApp(fastify: FastifyInstance, app: INestApplicationContext): Promise<void> {
  await fastify.register(cookie);
  const sessions = app.get(WebSessions);
  const services = {
    sessions,
    auth: app.get(AuthService),
    users: app.get(UsersService),
    twoFactor: app.get(TwoFactorService),
    ngos: app.get(NgosService),
    tasks: app.get(TasksService),
    programs: app.get(ProgramsService),
    activities: app.get(ActivitiesService),
    members: app.get(MembersService),
    commissions: app.get(CommissionsService),
    meetings: app.get(MeetingsService),
    spheres: app.get(SpheresService),
    reports: app.get(ReportsService),
    exporter: app.get(ExportsService),
    audit: app.get(AuditService),
    // provided by JobsModule, which the API imports once (with or without the scheduler)
    jobRuns: app.get(JobRunsService),
    imports: app.get(ImportsService),
    commission: app.get(CommissionAccess),
    offers: app.get(OffersService),
    calls: app.get(CallsService),
  };

  fastify.get(STYLESHEET_PATH, (_request, reply) => reply.header('cache-control', 'public, max-age=31536000, immutable').type('text/css; charset=utf-8').send(APP_STYLESHEET));

  registerSignIn(fastify, services.auth, sessions);
  const routes = new WebRoutes(fastify, sessions);
  registerStartPage(routes, services);
  registerAccountPages(routes, services);
  registerTwoFactorPages(routes, services);
  registerNgoPages(routes, services);
  registerProgramPages(routes, services);
  registerTaskPages(routes, services);
  registerActivityPages(routes, services);
  registerCommissionPages(routes, services);
  registerCallPages(routes, services);
  registerReportPages(routes, services);
  registerImportPages(routes, services);
  registerAuditPages(routes, services);
  registerMyOrganisationPage(routes, services);
  registerOfferPages(routes, services);
  registerUserPages(routes, services);

  // any other address under /app: the app's own 404 page, in Polish
  fastify.get('/app/*', (_request, reply) => send(reply, messagePage(null, 404, 'Nie znaleziono strony', ['Pod tym adresem nie ma żadnej strony. Sprawdź adres albo przejdź na stronę startową.'])));
}
