import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SphereEntity } from './sphere.entity';
import { SpheresController } from './spheres.controller';
import { SpheresService } from './spheres.service';

@Module({
  imports: [TypeOrmModule.forFeature([SphereEntity])],
  controllers: [SpheresController],
  providers: [SpheresService],
  exports: [SpheresService],
})
export class SpheresModule {}
