import { Module } from '@nestjs/common';
import { AreasModule } from '../areas/areas.module';
import { CasesModule } from '../cases/cases.module';
import { NotifyModule } from '../notify/notify.module';
import { RoutingMatrixService } from './routing-matrix.service';
import { RoutingController } from './routing.controller';
import { RoutingService } from './routing.service';

@Module({
  imports: [AreasModule, CasesModule, NotifyModule],
  controllers: [RoutingController],
  providers: [RoutingService, RoutingMatrixService],
  exports: [RoutingService, RoutingMatrixService],
})
export class RoutingModule {}
