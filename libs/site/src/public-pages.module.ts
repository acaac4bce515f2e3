import { EventBus } from '@app/core';
import { Module, type OnModuleInit } from '@nestjs/common';
import { PublicPagesCache } from './public-pages.cache';

/**
 * The cache of rendered report pages. A publication in this process (announced on the EventBus
 * once it has committed) drops its page at once; other processes' publications show within the
 * cache's revalidation window. (Nest makes one instance, shared with SiteModule.)
 */
@Module({
  providers: [PublicPagesCache],
  exports: [PublicPagesCache],
})
export class PublicPagesModule implements OnModuleInit {
  constructor(
    private readonly events: EventBus,
    private readonly pages: PublicPagesCache,
  ) {}

  onModuleInit(): void {
    this.events.on('report.published', ({ municipalityId, year }) => this.pages.invalidate(municipalityId, year));
  }
}
