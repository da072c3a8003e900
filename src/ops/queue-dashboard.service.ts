import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { getQueueToken } from '@nestjs/bullmq';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost, ModuleRef } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import type { Application, NextFunction, Request, Response } from 'express';
import { DataSource } from 'typeorm';
import type { Actor } from '../auth/actor';
import { AuditEntry } from '../auth/audit-entry.entity';
import { sanitizeForAudit } from '../auth/audit.interceptor';
import { AppConfig } from '../config/app-config';
import { QueueName } from '../queues/queue-names';
import { QueueDashboardTokens } from './queue-dashboard-tokens';
import { DASHBOARD_COOKIE, DASHBOARD_CSP, DASHBOARD_PATH, dashboardWriteAllowed, readCookie } from './queue-dashboard.policy';

const READS = ['GET', 'HEAD', 'OPTIONS'];

/**
 * Bull Board (the queue dashboard) at /admin/queues, in processes that serve HTTP. Its page and API
 * are raw Express, outside Nest's guards, so a gate in front of them checks the admin's dashboard
 * cookie (set by POST /ops/queues/session) on every request, refuses cross-site writes, lets through
 * only the writes `dashboardWriteAllowed` permits, and writes every write to the audit log.
 */
@Injectable()
export class QueueDashboard implements OnModuleInit {
  private readonly logger = new Logger(QueueDashboard.name);

  constructor(
    private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
    private readonly moduleRef: ModuleRef,
    private readonly tokens: QueueDashboardTokens,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  onModuleInit(): void {
    const app = this.adapterHost?.httpAdapter?.getInstance?.() as Application | undefined;
    if (this.config.role === 'worker' || !app) return;
    const serverAdapter = new ExpressAdapter().setBasePath(DASHBOARD_PATH);
    createBullBoard({
      queues: Object.values(QueueName).map((name) => new BullMQAdapter(this.moduleRef.get<Queue>(getQueueToken(name), { strict: false }))),
      serverAdapter,
      options: {
        uiConfig: { boardTitle: '听风 · 队列', locale: { lng: 'zh-CN' }, hideDocsLink: true, miscLinks: [{ text: '返回工作台', url: '/console/#/ops' }] },
        handlerHooks: {
          before: ({ method, route, request }) =>
            dashboardWriteAllowed(method, route, request?.params) ? { allow: true } : { allow: false, status: 403, message: '队列面板只允许重试失败任务、提前执行延迟任务、暂停和恢复队列' },
        },
      },
    });
    const board = serverAdapter.getRouter() as Application;
    board.disable('x-powered-by');
    // Registered after Nest's routes and before its 404 handler (this runs in the init hook).
    app.use(DASHBOARD_PATH, (req: Request, res: Response, next: NextFunction) => {
      this.gate(req, res, next).catch(next);
    }, board);
  }

  private async gate(req: Request & { actor?: Actor }, res: Response, next: NextFunction): Promise<void> {
    res.setHeader('Content-Security-Policy', DASHBOARD_CSP);
    const verdict = await this.tokens.verify(readCookie(req.headers.cookie, DASHBOARD_COOKIE));
    if (!verdict.ok) return this.refuse(req, res, verdict.status, verdict.message);
    req.actor = verdict.actor;
    if (READS.includes(req.method)) return next();
    const outerRoute: unknown = req.route; // set by Nest's middleware; Bull Board's route replaces it
    res.on('finish', () => this.audit(req, res.statusCode, req.route === outerRoute ? undefined : (req.route as { path?: unknown } | undefined)?.path));
    const origin = req.headers.origin;
    const site = req.headers['sec-fetch-site'];
    if ((origin && origin !== `${req.protocol}://${req.get('host')}`) || (site && site !== 'same-origin')) {
      return this.refuse(req, res, 403, 'Cross-site requests to the queue dashboard are refused');
    }
    next();
  }

  private refuse(req: Request, res: Response, status: 401 | 403, message: string): void {
    const code = status === 401 ? 'unauthenticated' : 'forbidden';
    if (req.method === 'GET' && req.accepts(['json', 'html']) === 'html') {
      res.status(status).type('html').send(
        `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>队列面板</title><body><h1>队列面板仅限管理员</h1><p>${status === 401 ? '请先以管理员身份登录听风工作台，在“数据源”页点击“队列面板”打开（会话有效期有限，过期后请重新打开）。' : '当前账号不是管理员。'}</p><p><a href="/console/#/ops">返回工作台</a></p></body></html>`,
      );
      return;
    }
    res.status(status).json({ error: { code, message } });
  }

  /** `route`: Bull Board's route template when one took the request; else the concrete path is the action. */
  private audit(req: Request & { actor?: Actor; id?: unknown }, status: number, route: unknown): void {
    const path = req.originalUrl.split('?')[0];
    const entry: Partial<AuditEntry> = {
      actorId: req.actor?.id ?? null,
      actorRole: req.actor?.role ?? null,
      action: `${req.method} ${typeof route === 'string' ? `${DASHBOARD_PATH}${route}` : path}`,
      path,
      status,
      ip: req.ip ?? null,
      requestId: req.id === undefined ? null : String(req.id),
      details: { body: sanitizeForAudit(req.body ?? {}) },
    };
    this.db
      .getRepository(AuditEntry)
      .insert(entry as object)
      .catch((err: unknown) => this.logger.error({ err, action: entry.action }, 'could not write the audit log'));
  }
}
