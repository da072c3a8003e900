import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { AppError, ErrorCode } from './app-error';

const STATUS: Record<ErrorCode, number> = {
  invalid_request: HttpStatus.BAD_REQUEST,
  unauthenticated: HttpStatus.UNAUTHORIZED,
  forbidden: HttpStatus.FORBIDDEN,
  not_found: HttpStatus.NOT_FOUND,
  invalid_transition: HttpStatus.CONFLICT,
  conflict: HttpStatus.CONFLICT,
  too_many_attempts: HttpStatus.TOO_MANY_REQUESTS,
  invalid_config: HttpStatus.INTERNAL_SERVER_ERROR,
  dependency_unavailable: HttpStatus.SERVICE_UNAVAILABLE,
  internal: HttpStatus.INTERNAL_SERVER_ERROR,
};

const HTTP_CODES: Record<number, ErrorCode> = {
  400: 'invalid_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
};

/** What the JSON body parser (body-parser, ahead of Nest) reports: the request's fault, never ours. */
interface BodyParserError {
  type: string;
  status: number;
  limit?: number;
}

const BODY_ERRORS: Record<string, { status: number; code: string; message: (e: BodyParserError) => string }> = {
  'entity.too.large': {
    status: HttpStatus.PAYLOAD_TOO_LARGE,
    code: 'payload_too_large',
    message: (e) => `请求体过大${e.limit ? `（上限 ${e.limit} 字节）` : ''}，请分批提交`,
  },
  'entity.parse.failed': { status: HttpStatus.BAD_REQUEST, code: 'invalid_request', message: () => '请求体不是有效的 JSON' },
  'encoding.unsupported': { status: HttpStatus.UNSUPPORTED_MEDIA_TYPE, code: 'unsupported_media_type', message: () => '不支持请求体的内容编码' },
  'charset.unsupported': { status: HttpStatus.UNSUPPORTED_MEDIA_TYPE, code: 'unsupported_media_type', message: () => '不支持请求体的字符集，请使用 UTF-8' },
  'request.aborted': { status: HttpStatus.BAD_REQUEST, code: 'invalid_request', message: () => '请求体未传完' },
  'request.size.invalid': { status: HttpStatus.BAD_REQUEST, code: 'invalid_request', message: () => '请求体长度与 Content-Length 不符' },
};

const bodyError = (e: unknown): (BodyParserError & (typeof BODY_ERRORS)[string]) | undefined => {
  const type = (e as { type?: unknown } | null)?.type;
  if (typeof type !== 'string' || !Object.hasOwn(BODY_ERRORS, type)) return undefined;
  return { ...(e as BodyParserError), ...BODY_ERRORS[type] };
};

/** Answers a body parser's error in our shape; returns false for any other error. */
function answerBodyError(exception: unknown, response: Response): boolean {
  const body = bodyError(exception);
  if (!body) return false;
  response.status(body.status).json({ error: { code: body.code, message: body.message(body), ...(body.limit ? { details: { limitBytes: body.limit } } : {}) } });
  return true;
}

/**
 * Express error middleware to mount right after the body parsers: Nest would turn an unreadable JSON
 * body into a BadRequestException with the parser's English message (and lose its type), and answer
 * other parser errors with 500; here each gets its status, our code and a message in Chinese.
 */
export function bodyParserErrors(err: unknown, _req: unknown, res: Response, next: (err?: unknown) => void): void {
  if (!answerBodyError(err, res)) next(err);
}

/** The HTTP status an error is answered with. */
export function httpStatusOf(exception: unknown): number {
  if (exception instanceof AppError) return STATUS[exception.code];
  if (exception instanceof HttpException) return exception.getStatus();
  return bodyError(exception)?.status ?? HttpStatus.INTERNAL_SERVER_ERROR;
}

/** One error shape for every endpoint: `{ error: { code, message, details? } }`. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (exception instanceof AppError) {
      const retryAfter = exception.details?.retryAfterSeconds;
      if (typeof retryAfter === 'number') response.setHeader('Retry-After', String(retryAfter));
      response.status(STATUS[exception.code]).json({ error: { code: exception.code, message: exception.message, details: exception.details } });
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const message = typeof body === 'string' ? body : String((body as { message?: unknown }).message ?? exception.message);
      response.status(status).json({ error: { code: HTTP_CODES[status] ?? 'internal', message } });
      return;
    }
    if (answerBodyError(exception, response)) return;
    this.logger.error({ err: exception }, 'unhandled error');
    response.status(500).json({ error: { code: 'internal', message: 'Internal error' } });
  }
}
