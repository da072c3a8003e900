import { Module } from '@nestjs/common';
import { AreasModule } from '../areas/areas.module';
import { ReportsController } from './reports.controller';
import { ReportsService } from './reports.service';

@Module({ imports: [AreasModule], controllers: [ReportsController], providers: [ReportsService] })
export class ReportsModule {}
