import { Module } from '@nestjs/common';
import { PublicPagesCache } from './public-pages.cache';

/**
 * The cache of rendered report pages alone, for whoever publishes reports in this process: it
 * imports this module and calls `PublicPagesCache.invalidate(municipalityId, year)` after the
 * publication commits. (Nest makes one instance, shared with SiteModule.)
 */
@Module({
  providers: [PublicPagesCache],
  exports: [PublicPagesCache],
})
export class PublicPagesModule {}
