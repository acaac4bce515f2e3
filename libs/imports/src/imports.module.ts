import { NgosModule } from '@app/ngos';
import { TasksModule } from '@app/tasks';
import { Module } from '@nestjs/common';
import { ImportsController } from './imports.controller';
import { ImportsService } from './imports.service';
import { ImportUploadGuard } from './upload';

@Module({
  imports: [NgosModule, TasksModule],
  controllers: [ImportsController],
  providers: [ImportsService, ImportUploadGuard],
  exports: [ImportsService],
})
export class ImportsModule {}
