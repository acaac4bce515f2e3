export * from './program.entity';
export * from './programs.module';
export * from './programs.service';
export * from './dto/program.dto';
