import { ReportRevisions } from '@app/reports';
import { Module } from '@nestjs/common';
import { OpenDataController } from './opendata.controller';
import { OpenDataService } from './opendata.service';
import { OPEN_DATA_SETTINGS, openDataSettings } from './opendata.settings';

/** The open data in the 360Giving Data Standard: GET /public/{slug}/grants/{year}.json (no sign-in). */
@Module({
  controllers: [OpenDataController],
  providers: [OpenDataService, ReportRevisions, { provide: OPEN_DATA_SETTINGS, useFactory: () => openDataSettings() }],
  exports: [OpenDataService],
})
export class OpenDataModule {}
