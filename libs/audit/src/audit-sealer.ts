import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { sealAllCommitted } from './audit-trail';

/**
 * On start, seals the committed audit entries that a process left waiting for their places (it
 * stopped between an import's commit and its sealing: sealAfterCommit). The scheduler's minutely
 * run and every verify do the same, so such entries wait at most a minute on a running service.
 */
@Injectable()
export class AuditSealer implements OnApplicationBootstrap {
  private readonly logger = new Logger('AuditSealer');

  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async onApplicationBootstrap(): Promise<void> {
    const sealed = await sealAllCommitted(this.ds);
    if (sealed) this.logger.warn(`sealed ${sealed} committed audit entries left waiting for their places by a process that stopped`);
  }
}
