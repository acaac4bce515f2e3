export * from './activities.module';
export * from './activities.service';
export * from './activity.entity';
export * from './activity.rules';
export * from './dto/activity.dto';
