export * from './ngo.entity';
export * from './ngos.module';
export * from './ngos.service';
export * from './dto/ngo.dto';
