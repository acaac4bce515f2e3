export * from './commission.entity';
export * from './commission.rules';
export * from './commissions.module';
export * from './commissions.service';
export * from './meeting.entity';
export * from './meetings.service';
export * from './member.entity';
export * from './members.service';
