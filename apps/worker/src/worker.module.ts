import { CoreModule, type AppConfig } from '@app/core';
import { migrations } from '@app/database';
import { JobsModule } from '@app/jobs';
import { ReportsModule } from '@app/reports';
import { DynamicModule, Module } from '@nestjs/common';

export interface WorkerOptions {
  config: AppConfig;
  databaseUrl: string;
}

/** The worker process: the same domain modules as the API, no HTTP; the scheduler always on. */
@Module({})
export class WorkerModule {
  static forRoot(options: WorkerOptions): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        CoreModule.forRoot({ config: options.config, databaseUrl: options.databaseUrl, migrations, applicationName: 'ngo-tracker-worker' }),
        ReportsModule,
        JobsModule.forRoot({ scheduler: true }),
      ],
    };
  }
}
