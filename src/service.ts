import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { bodyParserErrors, HttpErrorFilter } from './common/http-error.filter';
import { mountOpenApi } from './common/openapi';
import { preflight } from './common/preflight';
import { securityHeaders } from './common/security-headers';
import { createValidationPipe } from './common/validation';
import { startProbeServer } from './health/probe-server';
import { AppConfig } from './config/app-config';
import { MAX_PUSH_BYTES } from './crawl/ingest.service';

export interface RunningService {
  app: INestApplicationContext;
  /** Base URL of the HTTP API, when this process serves one. */
  url?: string;
  /** Base URL of a worker's probe server (`probePort`), when it has one. */
  probeUrl?: string;
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
    if (!config.probePort) return { app, close: () => app.close() };
    const probes = await startProbeServer(app, config.probePort, opts.host ?? '0.0.0.0').catch(async (error: Error) => {
      await app.close();
      throw new Error(`probePort ${config.probePort}: ${error.message}`);
    });
    return {
      app,
      probeUrl: `http://127.0.0.1:${probes.port}`,
      close: async () => {
        await app.close();
        await new Promise((resolve) => probes.server.close(resolve));
      },
    };
  }
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, { logDestination: opts.logDestination }), { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  // Every response is Cache-Control: no-store, so an ETag (a hash of every body) would only cost time.
  app.set('etag', false);
  // Behind a reverse proxy: the client's address and https come from the proxies named here, never from anyone else.
  app.set('trust proxy', config.trustedProxies.length ? config.trustedProxies : false);
  app.use(securityHeaders);
  // A pushed batch may hold MAX_PUSH_ITEMS posts: push ingestion takes JSON bodies up to MAX_PUSH_BYTES;
  // every other route keeps the default 100 kB (the second parser skips a body the first has read).
  const isPush = (req: { url?: string; headers: Record<string, unknown> }) => /^\/ingest\//.test(req.url ?? '') && /json/i.test(String(req.headers['content-type'] ?? ''));
  app.useBodyParser('json', { limit: MAX_PUSH_BYTES, type: isPush });
  app.useBodyParser('json', { limit: '100kb' });
  app.use(bodyParserErrors);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter());
  app.enableShutdownHooks();
  mountOpenApi(app);
  await app.listen(config.port, opts.host ?? '0.0.0.0');
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  return { app, url: `http://127.0.0.1:${port}`, close: () => app.close() };
}
