import { SpheresModule } from '@app/spheres';
import { TasksModule } from '@app/tasks';
import { Module } from '@nestjs/common';
import { CallsService } from './calls.service';
import { CommissionAccess } from './commission.access';
import { CallsController, OffersController, PublicCallsController } from './competitions.controller';
import { OffersService } from './offers.service';
import { PublicCallsService } from './public-calls.service';

/** Open competitions (otwarty konkurs ofert): calls, offers, the commission's scoring, the resolution that creates funded tasks. */
@Module({
  imports: [SpheresModule, TasksModule],
  controllers: [CallsController, OffersController, PublicCallsController],
  providers: [CallsService, OffersService, CommissionAccess, PublicCallsService],
  exports: [CallsService, OffersService, CommissionAccess, PublicCallsService],
})
export class CompetitionsModule {}
