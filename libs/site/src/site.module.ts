import { PublicCallsService } from '@app/competitions';
import { ReportRevisions } from '@app/reports';
import { Module } from '@nestjs/common';
import { PublicPagesModule } from './public-pages.module';
import { SiteService } from './site.service';

/**
 * The public HTML pages at the root (/, /{slug}, /{slug}/commissions, /{slug}/reports/{year},
 * /{slug}/calls, /{slug}/calls/{id}), served by plain Fastify routes (site.routes.ts, registered
 * by apps/api/src/app.ts). It reads the published revisions through ReportRevisions (libs/reports),
 * the announced calls through PublicCallsService (libs/competitions), and learns of a publication
 * from the EventBus (PublicPagesModule).
 */
@Module({
  imports: [PublicPagesModule],
  providers: [SiteService, ReportRevisions, PublicCallsService],
  exports: [PublicPagesModule, SiteService],
})
export class SiteModule {}
