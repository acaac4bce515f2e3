import { SpheresModule } from '@app/spheres';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CommissionEntity } from './commission.entity';
import { CommissionsController } from './commissions.controller';
import { CommissionsService } from './commissions.service';
import { CommissionMeetingEntity } from './meeting.entity';
import { MeetingsController } from './meetings.controller';
import { MeetingsService } from './meetings.service';
import { CommissionMemberEntity } from './member.entity';
import { MembersController, MyMembershipsController, NgoMembershipsController } from './members.controller';
import { MembersService } from './members.service';

/** Dialogue commissions (KDO): their terms, members (NGOs and their representatives) and meetings. */
@Module({
  imports: [TypeOrmModule.forFeature([CommissionEntity, CommissionMemberEntity, CommissionMeetingEntity]), SpheresModule],
  controllers: [CommissionsController, MembersController, MeetingsController, NgoMembershipsController, MyMembershipsController],
  providers: [CommissionsService, MembersService, MeetingsService],
  exports: [CommissionsService, MembersService, MeetingsService],
})
export class CommissionsModule {}
