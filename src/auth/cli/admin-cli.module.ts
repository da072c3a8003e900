import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AreasModule } from '../../areas/areas.module';
import { AppConfig } from '../../config/app-config';
import { ConfigModule } from '../../config/config.module';
import { dataSourceOptions } from '../../database/data-source';
import { AdminService } from '../admin.service';
import { SessionCache } from '../session-cache';

/** Just enough of the service for the admin command line: the database, the areas, and telling running processes about revoked sessions. */
@Module({})
export class AdminCliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AdminCliModule,
      imports: [ConfigModule.forRoot(config), TypeOrmModule.forRoot(dataSourceOptions(config.databaseUrl)), AreasModule],
      providers: [AdminService, SessionCache],
    };
  }
}
