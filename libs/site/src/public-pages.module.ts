import { ClusterEvents, EventBus } from '@app/core';
import { Module, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { PublicPagesCache } from './public-pages.cache';

/**
 * The cache of rendered report pages. A publication drops its page at once: in this process when
 * the EventBus announces it (once it has committed), in every other API process when the NOTIFY
 * sent in the publication's transaction arrives (ClusterEvents, a dedicated LISTEN connection),
 * usually within milliseconds. While that connection is down, and after it reconnects (events sent
 * meanwhile are lost, so every page is checked again), the cache's revalidation window
 * (REVALIDATE_MS) is the fallback. (Nest makes one instance, shared with SiteModule.)
 */
@Module({
  providers: [PublicPagesCache],
  exports: [PublicPagesCache],
})
export class PublicPagesModule implements OnModuleInit, OnApplicationBootstrap {
  constructor(
    private readonly events: EventBus,
    private readonly cluster: ClusterEvents,
    private readonly pages: PublicPagesCache,
  ) {}

  onModuleInit(): void {
    this.events.on('report.published', ({ municipalityId, year }) => this.pages.invalidate(municipalityId, year));
    this.events.on('cluster.resync', () => this.pages.revalidateAll());
  }

  /** Listening before the server takes requests, so a page it serves learns of every later publication. */
  async onApplicationBootstrap(): Promise<void> {
    await this.cluster.listen();
  }
}
