import { CoreModule, type AppConfig } from '@app/core';
import { migrations } from '@app/database';
import { ExportsModule } from '@app/exports';
import { ImportsModule } from '@app/imports';
import { ReportsModule } from '@app/reports';
import { DynamicModule, Module } from '@nestjs/common';

export interface CliOptions {
  config: AppConfig;
  databaseUrl: string;
}

/** The command line: the domain modules its commands call, no HTTP and no scheduler. */
@Module({})
export class CliModule {
  static forRoot(options: CliOptions): DynamicModule {
    return {
      module: CliModule,
      imports: [
        CoreModule.forRoot({ config: options.config, databaseUrl: options.databaseUrl, migrations, applicationName: 'ngo-tracker-cli' }),
        ReportsModule,
        ImportsModule,
        ExportsModule,
      ],
    };
  }
}
