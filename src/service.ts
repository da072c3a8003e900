import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { HttpErrorFilter } from './common/http-error.filter';
import { mountOpenApi } from './common/openapi';
import { preflight } from './common/preflight';
import { securityHeaders } from './common/security-headers';
import { createValidationPipe } from './common/validation';
import { AppConfig } from './config/app-config';

export interface RunningService {
  app: INestApplicationContext;
  /** Base URL of the HTTP API, when this process serves one. */
  url?: string;
  close(): Promise<void>;
}

/**
 * Starts one process of the service in its role. Postgres and Redis are checked first so that a
 * missing dependency ends start-up at once with one clear message.
 */
export async function startService(config: AppConfig, opts: { host?: string; logDestination?: NodeJS.WritableStream } = {}): Promise<RunningService> {
  await preflight(config.databaseUrl, config.redisUrl);
  if (config.role === 'worker') {
    const app = await NestFactory.createApplicationContext(AppModule.forRoot(config, { logDestination: opts.logDestination }), { bufferLogs: true, abortOnError: false });
    app.useLogger(app.get(Logger));
    app.enableShutdownHooks();
    return { app, close: () => app.close() };
  }
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, { logDestination: opts.logDestination }), { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  app.use(securityHeaders);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter());
  app.enableShutdownHooks();
  mountOpenApi(app);
  await app.listen(config.port, opts.host ?? '0.0.0.0');
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  return { app, url: `http://127.0.0.1:${port}`, close: () => app.close() };
}
