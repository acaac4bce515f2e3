import { ActivitiesModule } from '@app/activities';
import { AuditModule } from '@app/audit';
import { CommissionsModule } from '@app/commissions';
import { ExportsModule } from '@app/exports';
import { IdentityModule } from '@app/identity';
import { NgosModule } from '@app/ngos';
import { ProgramsModule } from '@app/programs';
import { ReportsModule } from '@app/reports';
import { SpheresModule } from '@app/spheres';
import { TasksModule } from '@app/tasks';
import { Module } from '@nestjs/common';
import { WebSessions } from './sessions';

/**
 * The web app at /app: server-rendered Polish pages for officials, NGOs, auditors and admins, over
 * the same services and DTO validation as the API. Its routes are plain Fastify routes
 * (registerWebApp, called by apps/api/src/app.ts), like the public pages'.
 */
@Module({
  imports: [IdentityModule, NgosModule, ProgramsModule, TasksModule, ActivitiesModule, CommissionsModule, SpheresModule, ReportsModule, ExportsModule, AuditModule],
  providers: [WebSessions],
  exports: [WebSessions],
})
export class WebAppModule {}
