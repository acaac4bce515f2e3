export * from './task.entity';
export * from './task.rules';
export * from './tasks.module';
export * from './tasks.service';
export * from './dto/task.dto';
