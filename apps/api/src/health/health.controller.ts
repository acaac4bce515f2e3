import { Public, ServiceUnavailable } from '@app/core';
import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** Each check's limit: half the 2 s within which /health/ready promises its 503, the other half headroom for a loaded process. */
const CHECK_TIMEOUT_MS = 1000;

@ApiTags('health')
@Controller('health')
export class HealthController {
  /** Once the process has seen every migration applied it stays so: migrations never un-apply under it. */
  private migrationsApplied = false;

  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    @InjectDataSource() private readonly ds: DataSource,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Check that the process is up' })
  @Public()
  @ApiOkResponse({ description: 'The process is up' })
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Check that the database answers and every migration is applied' })
  @Public()
  @ApiOkResponse({ description: 'The database answers and every migration is applied' })
  @ApiServiceUnavailableResponse({ description: 'Not ready; answered within 2 s' })
  async ready() {
    try {
      return await this.health.check([
        () => this.db.pingCheck('database').withTimeout(CHECK_TIMEOUT_MS),
        () =>
          this.indicators
            .check('migrations')
            .attempt(async () => {
              if (!this.migrationsApplied && (await this.ds.showMigrations())) throw new Error('migrations are pending');
              this.migrationsApplied = true;
            })
            .withTimeout(CHECK_TIMEOUT_MS),
      ]);
    } catch (error) {
      const failed = Object.keys((error as { response?: { error?: object } }).response?.error ?? {});
      throw new ServiceUnavailable(`Not ready: ${failed.length ? failed.join(', ') : 'a check'} failed`);
    }
  }
}
