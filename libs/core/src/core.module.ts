import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { MixedList } from 'typeorm';
import { APP_CONFIG, type AppConfig } from './config/config';
import { dataSourceOptions } from './database/data-source-options';
import { ReadReplicas } from './database/read-replicas';
import { ClusterEvents } from './events/cluster-events';
import { EventBus } from './events/event-bus';

export interface CoreOptions {
  config: AppConfig;
  /** The database to use: DATABASE_URL, or the embedded server's URL. */
  databaseUrl: string;
  migrations: MixedList<Function>;
  applicationName?: string;
}

/**
 * What every process shares: the validated configuration (also readable through
 * @nestjs/config's ConfigService as `app`), the database connection pool, the EventBus and
 * ClusterEvents (other processes' events, heard once someone asks it to listen).
 */
@Global()
@Module({})
export class CoreModule {
  static forRoot(options: CoreOptions): DynamicModule {
    return {
      module: CoreModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => ({ app: options.config })] }),
        TypeOrmModule.forRootAsync({
          useFactory: () => ({
            ...dataSourceOptions({
              url: options.databaseUrl,
              poolSize: options.config.databasePoolSize,
              queryTimeoutMs: options.config.databaseQueryTimeoutMs || undefined,
              migrations: options.migrations,
              applicationName: options.applicationName,
            }),
            autoLoadEntities: true,
            retryAttempts: 5,
            retryDelay: 2000,
          }),
        }),
      ],
      providers: [{ provide: APP_CONFIG, inject: [ConfigService], useFactory: (config: ConfigService) => config.get<AppConfig>('app') }, EventBus, ClusterEvents, ReadReplicas],
      exports: [APP_CONFIG, EventBus, ClusterEvents, ReadReplicas],
    };
  }
}
