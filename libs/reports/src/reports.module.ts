import { PublicPagesCache, PublicPagesModule } from '@app/site';
import { Module, type OnModuleInit } from '@nestjs/common';
import { PublicReportsController, ReportsController } from './reports.controller';
import { ReportsService } from './reports.service';

@Module({
  imports: [PublicPagesModule],
  controllers: [ReportsController, PublicReportsController],
  providers: [ReportsService],
  exports: [ReportsService],
})
export class ReportsModule implements OnModuleInit {
  constructor(
    private readonly reports: ReportsService,
    private readonly pages: PublicPagesCache,
  ) {}

  /** A publication in this process drops the cached page at once; other processes see it within the cache's revalidation window. */
  onModuleInit(): void {
    this.reports.onPublished((municipalityId, year) => this.pages.invalidate(municipalityId, year));
  }
}
