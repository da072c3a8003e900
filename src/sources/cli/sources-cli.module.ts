import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../../config/app-config';
import { ConfigModule } from '../../config/config.module';
import { dataSourceOptions } from '../../database/data-source';
import { QueuesModule } from '../../queues/queues.module';
import { SourcesService } from '../sources.service';

/** Just enough of the service for `sources:import`: the database, the queues (schedules) and the sources. */
@Module({})
export class SourcesCliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: SourcesCliModule,
      imports: [ConfigModule.forRoot(config), TypeOrmModule.forRoot(dataSourceOptions(config.databaseUrl)), QueuesModule],
      providers: [SourcesService],
      exports: [SourcesService],
    };
  }
}
