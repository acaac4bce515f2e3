import { SpheresModule } from '@app/spheres';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { NgoEntity } from './ngo.entity';
import { NgosController } from './ngos.controller';
import { NgosService } from './ngos.service';

@Module({
  imports: [TypeOrmModule.forFeature([NgoEntity]), SpheresModule],
  controllers: [NgosController],
  providers: [NgosService],
  exports: [NgosService],
})
export class NgosModule {}
