import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request, Response } from 'express';
import { catchError, Observable, tap, throwError } from 'rxjs';
import { DataSource } from 'typeorm';
import { AppError } from '../common/app-error';
import { httpStatusOf } from '../common/http-error.filter';
import type { Actor } from './actor';
import { AUDIT_BODY_KEY } from './auth.decorators';
import { AuditEntry } from './audit-entry.entity';

const SECRET_KEYS = /pass(word)?|token|secret/i;

/** The request body as audited: secrets replaced, long texts cut. */
export function sanitizeForAudit(value: unknown, depth = 0): unknown {
  if (depth > 4) return '[…]';
  if (typeof value === 'string') return value.length > 500 ? `${value.slice(0, 500)}…` : value;
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => sanitizeForAudit(v, depth + 1));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEYS.test(k) ? '[redacted]' : sanitizeForAudit(v, depth + 1)]));
  }
  return value;
}

/** Every write through the API (anything but GET/HEAD/OPTIONS) lands in the audit log, failed ones too. */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  private readonly logger = new Logger(AuditInterceptor.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<Request & { actor?: Actor; id?: unknown }>();
    if (['GET', 'HEAD', 'OPTIONS'].includes(req.method)) return next.handle();
    const res = context.switchToHttp().getResponse<Response>();
    const sizeOnly = this.reflector.getAllAndOverride<string>(AUDIT_BODY_KEY, [context.getHandler(), context.getClass()]) === 'size-only';
    const body = sizeOnly ? { bytes: Number(req.headers['content-length'] ?? 0), items: Array.isArray(req.body?.items) ? req.body.items.length : undefined } : sanitizeForAudit(req.body);
    const write = (status: number, error?: unknown) => {
      const route = (req.route as { path?: string } | undefined)?.path ?? req.path;
      const entry: Partial<AuditEntry> = {
        actorId: req.actor?.id ?? null,
        actorRole: req.actor?.role ?? null,
        action: `${req.method} ${route}`,
        path: req.originalUrl.split('?')[0],
        status,
        ip: req.ip ?? null,
        requestId: req.id === undefined ? null : String(req.id),
        details: { params: req.params, body, ...(error instanceof AppError ? { error: error.code } : error ? { error: 'internal' } : {}) },
      };
      this.db
        .getRepository(AuditEntry)
        .insert(entry as object)
        .catch((err: unknown) => this.logger.error({ err, action: entry.action }, 'could not write the audit log'));
    };
    return next.handle().pipe(
      tap(() => write(res.statusCode)),
      catchError((error: unknown) => {
        write(httpStatusOf(error), error);
        return throwError(() => error);
      }),
    );
  }
}
