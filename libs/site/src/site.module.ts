import { Module } from '@nestjs/common';
import { PublicPagesModule } from './public-pages.module';
import { SiteService } from './site.service';

/**
 * The public HTML pages at the root (/, /{slug}, /{slug}/commissions, /{slug}/reports/{year}),
 * served by plain Fastify routes (site.routes.ts, registered by apps/api/src/app.ts).
 * It must not import @app/reports at run time: the charts there use this library's Polish
 * formatting, so the reports side wires itself to PublicPagesModule instead.
 */
@Module({
  imports: [PublicPagesModule],
  providers: [SiteService],
  exports: [PublicPagesModule, SiteService],
})
export class SiteModule {}
