import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { AnalysisApiModule } from './analysis/analysis-api.module';
import { AreasModule } from './areas/areas.module';
import { AuthModule } from './auth/auth.module';
import { CasesModule } from './cases/cases.module';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { CrawlModule } from './crawl/crawl.module';
import { dataSourceOptions } from './database/data-source';
import { HealthController } from './health/health.controller';
import { OpsModule } from './ops/ops.module';
import { QueuesModule } from './queues/queues.module';
import { ReportsModule } from './reports/reports.module';
import { RoutingModule } from './routing/routing.module';
import { RulesModule } from './rules/rules.module';
import { SourcesModule } from './sources/sources.module';
import { WebModule } from './web/web.module';
import { WorkerModule } from './worker/worker.module';

/**
 * An error as logged: type, code, message and stack only. Database errors carry their SQL parameters
 * and details (post text, personal data), which must never reach the logs.
 */
export function serializeError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: String(err) };
  const { code } = err as { code?: unknown };
  return { type: err.name, code, message: err.message.slice(0, 300), stack: err.stack?.split('\n').slice(0, 8).join('\n') };
}

/** Structured JSON logs; request bodies, auth headers, cookies and SQL parameters never reach them. */
function loggerOptions(config: AppConfig, destination?: NodeJS.WritableStream) {
  return {
    pinoHttp: {
      level: config.logLevel,
      stream: destination,
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'], censor: '[redacted]' },
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        err: serializeError,
      },
      customLogLevel: (_req: unknown, res: { statusCode: number }, err?: Error) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    },
  };
}

@Module({})
export class AppModule {
  /** The whole service for one process role: `api` serves HTTP, `worker` consumes queues, `all` does both. */
  static forRoot(config: AppConfig, opts: { logDestination?: NodeJS.WritableStream } = {}): DynamicModule {
    const runsWorkers = config.role !== 'api';
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerOptions(config, opts.logDestination)),
        TypeOrmModule.forRoot(dataSourceOptions(config.databaseUrl)),
        ScheduleModule.forRoot(),
        QueuesModule,
        AreasModule,
        RulesModule,
        AnalysisApiModule,
        AuthModule,
        SourcesModule,
        CrawlModule,
        CasesModule,
        RoutingModule,
        ReportsModule,
        WebModule,
        OpsModule,
        ...(runsWorkers ? [WorkerModule] : []),
      ],
      controllers: [HealthController],
    };
  }
}
