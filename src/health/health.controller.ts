import { InjectQueue } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Controller, Get, OnModuleDestroy, Res } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import type Redis from 'ioredis';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Public } from '../auth/auth.decorators';
import { QueueName } from '../queues/queue-names';

interface Check {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

async function timed(probe: () => Promise<unknown>, timeoutMs = 2000): Promise<Check> {
  const started = performance.now();
  try {
    await Promise.race([probe(), new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref())]);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: (error as Error).message };
  }
}

@Controller('health')
export class HealthController implements OnModuleDestroy, BeforeApplicationShutdown {
  private shuttingDown = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectQueue(QueueName.Analyze) private readonly queue: Queue,
  ) {}

  /** 200 when Postgres and Redis both answer, 503 otherwise; the body says which failed. */
  @Public()
  @Get()
  async health(@Res({ passthrough: true }) res: Response) {
    const [postgres, redis] = await Promise.all([timed(() => this.db.query('SELECT 1')), timed(async () => ((await this.queue.client) as unknown as Redis).ping())]);
    const ok = postgres.ok && redis.ok;
    res.status(ok ? 200 : 503);
    return { status: ok ? 'ok' : 'unavailable', postgres, redis };
  }

  /** Liveness: the process answers (a restart would not help a dependency that is down). */
  @Public()
  @Get('live')
  live() {
    return { status: 'alive', uptimeSeconds: Math.round(process.uptime()) };
  }

  /**
   * Readiness: send traffic here only when Postgres and Redis answer, every migration has run, and
   * the process is not shutting down (so load balancers drain it first).
   */
  @Public()
  @Get('ready')
  async ready(@Res({ passthrough: true }) res: Response) {
    const { ok, body } = await this.readiness();
    res.status(ok ? 200 : 503);
    return body;
  }

  /** What GET /health/ready answers (also served by a worker's probe server, see probe-server.ts). */
  async readiness() {
    const [postgres, redis, migrations] = await Promise.all([
      timed(() => this.db.query('SELECT 1')),
      timed(async () => ((await this.queue.client) as unknown as Redis).ping()),
      timed(async () => {
        if (await this.db.showMigrations()) throw new Error('migrations are pending: run npm run migrate');
      }),
    ]);
    const ok = postgres.ok && redis.ok && migrations.ok && !this.shuttingDown;
    return { ok, body: { status: ok ? 'ready' : 'not_ready', shuttingDown: this.shuttingDown, postgres, redis, migrations } };
  }

  /**
   * Not ready from the first shutdown hook on: the root module's controllers are destroyed first,
   * before the queues, Redis clients and the database close, so a probe never sees a half-closed
   * process as ready. (There is no drain delay: the server closes right after the hooks.)
   */
  onModuleDestroy(): void {
    this.shuttingDown = true;
  }

  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
  }
}
