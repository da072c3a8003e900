import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request, Response } from 'express';
import { from, lastValueFrom, Observable } from 'rxjs';
import { DataSource } from 'typeorm';
import { AppError } from '../common/app-error';
import { httpStatusOf } from '../common/http-error.filter';
import type { Actor } from './actor';
import { AUDIT_BODY_KEY, AUDIT_SUBJECT_KEY, AuditSubjectTable } from './auth.decorators';
import { AuditEntry } from './audit-entry.entity';

const SECRET_KEYS = /pass(word)?|token|secret|hash/i;

/** Postgres text and jsonb cannot hold NUL; a body carrying one must still be audited. */
const NUL = /\u0000/g;

/** A value as audited: secrets replaced, long texts cut, NUL characters dropped. */
export function sanitizeForAudit(value: unknown, depth = 0): unknown {
  if (depth > 4) return '[…]';
  if (typeof value === 'string') {
    const text = value.replace(NUL, '');
    return text.length > 500 ? `${text.slice(0, 500)}…` : text;
  }
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => sanitizeForAudit(v, depth + 1));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(NUL, ''), SECRET_KEYS.test(k) ? '[redacted]' : sanitizeForAudit(v, depth + 1)]));
  }
  return value;
}

/** Tables whose rows an endpoint may name as its subject; the id comes from the route's `:id`. */
const SUBJECT_TABLES: Record<AuditSubjectTable, string> = {
  users: 'users',
  sources: 'sources',
  rules: 'rules',
  cases: 'cases',
  areas: 'areas',
};

/**
 * Every write through the API (anything but GET/HEAD/OPTIONS), and every read marked as an export,
 * lands in the audit log with who, what, when, from where and how it ended, failed ones too. An
 * endpoint that names its subject (@AuditSubject) also gets the record as it was before and after.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  private readonly logger = new Logger(AuditInterceptor.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const targets = [context.getHandler(), context.getClass()];
    const bodyMode = this.reflector.getAllAndOverride<string>(AUDIT_BODY_KEY, targets);
    const req = context.switchToHttp().getRequest<Request & { actor?: Actor; id?: unknown }>();
    if (['GET', 'HEAD', 'OPTIONS'].includes(req.method) && bodyMode !== 'export') return next.handle();
    const res = context.switchToHttp().getResponse<Response>();
    const subject = this.reflector.getAllAndOverride<AuditSubjectTable | undefined>(AUDIT_SUBJECT_KEY, targets);
    const body =
      bodyMode === 'size-only'
        ? { bytes: Number(req.headers['content-length'] ?? 0), items: Array.isArray(req.body?.items) ? req.body.items.length : undefined }
        : bodyMode === 'export'
          ? { query: sanitizeForAudit(req.query) }
          : sanitizeForAudit(req.body);
    return from(this.run(req, res, subject, body, () => lastValueFrom(next.handle(), { defaultValue: undefined })));
  }

  private async run(
    req: Request & { actor?: Actor; id?: unknown },
    res: Response,
    subject: AuditSubjectTable | undefined,
    body: unknown,
    handle: () => Promise<unknown>,
  ): Promise<unknown> {
    const before = subject ? await this.snapshot(subject, String(req.params.id ?? '')) : undefined;
    try {
      const result = await handle();
      const after = subject ? await this.snapshot(subject, String(req.params.id ?? '')) : undefined;
      this.write(req, res.statusCode, { body, ...(subject ? { subject, before: before ?? null, after: after ?? null } : {}) });
      return result;
    } catch (error) {
      this.write(req, httpStatusOf(error), { body, error: error instanceof AppError ? error.code : 'internal' });
      throw error;
    }
  }

  private async snapshot(subject: AuditSubjectTable, id: string | undefined): Promise<unknown> {
    if (!id || !/^\d+$/.test(id)) return undefined;
    const [row] = await this.db.query(`SELECT * FROM ${SUBJECT_TABLES[subject]} WHERE id = $1`, [Number(id)]);
    return row ? sanitizeForAudit(row) : null;
  }

  private write(req: Request & { actor?: Actor; id?: unknown }, status: number, details: Record<string, unknown>): void {
    const route = (req.route as { path?: string } | undefined)?.path ?? req.path;
    const entry: Partial<AuditEntry> = {
      actorId: req.actor?.id ?? null,
      actorRole: req.actor?.role ?? null,
      action: `${req.method} ${route}`,
      path: req.originalUrl.split('?')[0].replace(NUL, ''),
      status,
      ip: req.ip ?? null,
      requestId: req.id === undefined ? null : String(req.id),
      details: { params: sanitizeForAudit(req.params), ...details },
    };
    this.db
      .getRepository(AuditEntry)
      .insert(entry as object)
      .catch((err: unknown) => this.logger.error({ err, action: entry.action }, 'could not write the audit log'));
  }
}
