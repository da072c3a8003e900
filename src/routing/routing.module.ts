import { Module } from '@nestjs/common';
import { AreasModule } from '../areas/areas.module';
import { RoutingService } from './routing.service';

@Module({ imports: [AreasModule], providers: [RoutingService], exports: [RoutingService] })
export class RoutingModule {}
