import { ActivitiesModule } from '@app/activities';
import { AuditModule } from '@app/audit';
import { CommissionsModule } from '@app/commissions';
import { CompetitionsModule } from '@app/competitions';
import { AuthGuard, CoreModule, IdempotencyInterceptor, type AppConfig } from '@app/core';
import { migrations } from '@app/database';
import { ExportsModule } from '@app/exports';
import { IdentityModule } from '@app/identity';
import { ImportsModule } from '@app/imports';
import { JobsModule } from '@app/jobs';
import { NgosModule } from '@app/ngos';
import { OpenDataModule } from '@app/opendata';
import { ProgramsModule } from '@app/programs';
import { ReportsModule } from '@app/reports';
import { SiteModule } from '@app/site';
import { SpheresModule } from '@app/spheres';
import { TasksModule } from '@app/tasks';
import { WebAppModule } from '@app/webapp';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { HealthModule } from './health/health.module';

export interface ApiOptions {
  config: AppConfig;
  databaseUrl: string;
}

/** The HTTP process: the domain modules, the global guard, health. No domain logic here. */
@Module({})
export class AppModule {
  static forRoot(options: ApiOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot({ config: options.config, databaseUrl: options.databaseUrl, migrations, applicationName: 'ngo-tracker-api' }),
        IdentityModule,
        SpheresModule,
        NgosModule,
        ProgramsModule,
        TasksModule,
        ActivitiesModule,
        CommissionsModule,
        CompetitionsModule,
        AuditModule,
        ReportsModule,
        ExportsModule,
        OpenDataModule,
        ImportsModule,
        SiteModule,
        WebAppModule,
        // the record at GET /jobs always; the crons only when SCHEDULER is true (else a worker runs them)
        JobsModule.forRoot({ scheduler: options.config.scheduler }),
        HealthModule,
      ],
      providers: [
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
      ],
    };
  }
}
