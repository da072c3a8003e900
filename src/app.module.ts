import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { AreasModule } from './areas/areas.module';
import { AuthModule } from './auth/auth.module';
import { CasesModule } from './cases/cases.module';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { dataSourceOptions } from './database/data-source';
import { HealthController } from './health/health.controller';
import { OpsModule } from './ops/ops.module';
import { QueuesModule } from './queues/queues.module';
import { ReportsModule } from './reports/reports.module';
import { RulesModule } from './rules/rules.module';
import { SourcesModule } from './sources/sources.module';
import { WorkerModule } from './worker/worker.module';

/** Structured JSON logs; request bodies, auth headers and cookies never reach them. */
function loggerOptions(config: AppConfig) {
  return {
    pinoHttp: {
      level: config.logLevel,
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'], censor: '[redacted]' },
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
      },
      customLogLevel: (_req: unknown, res: { statusCode: number }, err?: Error) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    },
  };
}

@Module({})
export class AppModule {
  /** The whole service for one process role: `api` serves HTTP, `worker` consumes queues, `all` does both. */
  static forRoot(config: AppConfig): DynamicModule {
    const runsWorkers = config.role !== 'api';
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerOptions(config)),
        TypeOrmModule.forRoot(dataSourceOptions(config.databaseUrl)),
        ScheduleModule.forRoot(),
        QueuesModule,
        AreasModule,
        RulesModule,
        AuthModule,
        SourcesModule,
        CasesModule,
        ReportsModule,
        OpsModule,
        ...(runsWorkers ? [WorkerModule] : []),
      ],
      controllers: [HealthController],
    };
  }
}
