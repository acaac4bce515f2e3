import { Module } from '@nestjs/common';
import { PublicReportsController, ReportsController } from './reports.controller';
import { ReportsService } from './reports.service';

/**
 * A publication is announced as `report.published` on the EventBus after it commits, and to the
 * other processes over the database (NOTIFY, see ClusterEvents); libs/site listens.
 */
@Module({
  controllers: [ReportsController, PublicReportsController],
  providers: [ReportsService],
  exports: [ReportsService],
})
export class ReportsModule {}
