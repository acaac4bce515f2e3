import { Module } from '@nestjs/common';
import { ExportsController, PublicExportsController } from './exports.controller';
import { ExportsService } from './exports.service';

/** Exports for auditors, officials and admins (GET /reports/{year}/export), public downloads of published revisions (GET /public/{slug}/reports/{year}/export); ExportsService.writeExport for the CLI. */
@Module({
  controllers: [ExportsController, PublicExportsController],
  providers: [ExportsService],
  exports: [ExportsService],
})
export class ExportsModule {}
