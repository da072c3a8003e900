import type { INestApplicationContext } from '@nestjs/common';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HealthController } from './health.controller';

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(JSON.stringify(body));
}

/**
 * Liveness and readiness for a worker-only process, which serves no API: a bare HTTP server (no
 * routes, no authentication, nothing but these two answers) on `probePort`. The answers are the
 * API's own (HealthController): ready only while Postgres and Redis answer, no migration is pending
 * and the process is not shutting down.
 */
export async function startProbeServer(app: INestApplicationContext, port: number, host: string): Promise<{ server: Server; port: number }> {
  const health = app.get(HealthController);
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: { code: 'method_not_allowed', message: 'Only GET is served here' } });
    if (path === '/health/live') return send(res, 200, health.live());
    if (path === '/health/ready') {
      return void health.readiness().then(
        ({ ok, body }) => send(res, ok ? 200 : 503, body),
        (error: Error) => send(res, 503, { status: 'not_ready', error: error.message }),
      );
    }
    send(res, 404, { error: { code: 'not_found', message: 'A worker serves only /health/live and /health/ready' } });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return { server, port: (server.address() as AddressInfo).port };
}
