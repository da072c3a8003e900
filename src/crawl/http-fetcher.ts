import { performance } from 'node:perf_hooks';
import { pipeline, type Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { Agent, request, type Dispatcher } from 'undici';
import type { AddressGuard } from './address-guard';
import { decodeBody } from './parsers/charset';

export interface HttpFetcherOptions {
  userAgent: string;
  connectTimeoutMs: number;
  /** Time allowed from sending the request until the response headers arrive. */
  headersTimeoutMs: number;
  /** Maximum idle time between two body chunks. */
  bodyTimeoutMs: number;
  /** Largest decoded body accepted; a larger one is aborted while streaming. */
  maxBodyBytes: number;
  maxRedirects: number;
  /** Refuses private addresses (checked on the DNS answer and on connect). Without it every address is allowed. */
  guard?: AddressGuard;
  /**
   * Called before every request, redirects included (robots.txt, per-host spacing and concurrency); the function it
   * returns is called once that response has been read.
   */
  beforeRequest?: (url: URL) => Promise<(() => Promise<void> | void) | void>;
}

export interface FetchResult {
  /** Final URL, after redirects. */
  url: string;
  status: number;
  /** True on 304: the caller's ETag / Last-Modified still hold and `body` is empty. */
  notModified: boolean;
  /** Decompressed and decoded (see `decodeBody`). */
  body: string;
  contentType?: string;
  etag?: string;
  lastModified?: string;
  elapsedMs: number;
}

export type FetchErrorCode =
  | 'timeout'
  | 'network'
  | 'too_large'
  | 'too_many_redirects'
  | 'http_status'
  | 'bad_url'
  /** The host resolves to a private, loopback or link-local address that is not allowed. */
  | 'blocked_address'
  /** robots.txt disallows the URL for our user agent. */
  | 'robots_disallowed';

/** A failed fetch. `retryable` says whether trying again later may succeed (5xx, 429, network, timeout). */
export class FetchError extends Error {
  readonly status?: number;
  /** From a Retry-After header, when the server sent one. */
  readonly retryAfterMs?: number;
  readonly retryable: boolean;

  constructor(
    readonly code: FetchErrorCode,
    message: string,
    opts: { status?: number; retryAfterMs?: number; retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'FetchError';
    this.status = opts.status;
    this.retryAfterMs = opts.retryAfterMs;
    this.retryable = opts.retryable ?? (code === 'timeout' || code === 'network');
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const ACCEPT = 'text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,application/xml;q=0.9,*/*;q=0.8';
/** How much of an error or redirect body is read so the connection can be reused. */
const DUMP_LIMIT = 64 * 1024;
const UNDICI_TIMEOUTS = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

type ResponseBody = Dispatcher.ResponseData['body'];

/**
 * GETs pages and feeds with undici: follows redirects itself (counted, loops refused), sends conditional headers,
 * decompresses gzip / deflate / br, caps the body size while streaming and decodes the charset.
 * Owns a connection pool: call `close()` when done.
 */
export class HttpFetcher {
  private readonly agent: Agent;

  constructor(private readonly options: HttpFetcherOptions) {
    this.agent = new Agent({
      connect: { timeout: options.connectTimeoutMs, ...(options.guard ? { lookup: options.guard.lookup } : {}) },
      headersTimeout: options.headersTimeoutMs,
      bodyTimeout: options.bodyTimeoutMs,
    });
  }

  async fetch(url: string, opts: { etag?: string; lastModified?: string } = {}): Promise<FetchResult> {
    const started = performance.now();
    let current = parseHttpUrl(url);
    const visited = new Set<string>([current.href]);
    for (let redirects = 0; ; redirects++) {
      await this.options.guard?.check(current);
      const release = await this.options.beforeRequest?.(current);
      try {
        const response = await this.send(current, opts);
        const outcome = await this.handle(response, current, visited, redirects, url, started);
        if (outcome instanceof URL) {
          current = outcome;
          continue;
        }
        return outcome;
      } finally {
        await release?.();
      }
    }
  }

  /** One response: the next URL for a redirect, else the result (or a FetchError). */
  private async handle(
    response: Dispatcher.ResponseData,
    current: URL,
    visited: Set<string>,
    redirects: number,
    url: string,
    started: number,
  ): Promise<URL | FetchResult> {
    {
      const { statusCode: status, headers, body } = response;
      const location = header(headers, 'location');
      if (REDIRECTS.has(status) && location) {
        await dump(body);
        const next = parseHttpUrl(location, current.href);
        if (visited.has(next.href)) {
          throw new FetchError('too_many_redirects', `redirect loop at ${current.href} -> ${next.href}`);
        }
        if (redirects + 1 > this.options.maxRedirects) {
          throw new FetchError('too_many_redirects', `more than ${this.options.maxRedirects} redirects from ${url}`);
        }
        visited.add(next.href);
        return next;
      }
      const result = {
        url: current.href,
        status,
        contentType: header(headers, 'content-type'),
        etag: header(headers, 'etag'),
        lastModified: header(headers, 'last-modified'),
      };
      if (status === 304) {
        await dump(body);
        return { ...result, notModified: true, body: '', elapsedMs: elapsedSince(started) };
      }
      if (status < 200 || status > 299) {
        await dump(body);
        throw httpStatusError(status, current.href, header(headers, 'retry-after'));
      }
      const bytes = await this.readBody(body, headers, current.href);
      return {
        ...result,
        notModified: false,
        body: decodeBody(bytes, result.contentType),
        elapsedMs: elapsedSince(started),
      };
    }
  }

  /** Closes pooled connections; waits for requests in flight. */
  async close(): Promise<void> {
    await this.agent.close();
  }

  private async send(url: URL, opts: { etag?: string; lastModified?: string }): Promise<Dispatcher.ResponseData> {
    const headers: Record<string, string> = {
      'user-agent': this.options.userAgent,
      accept: ACCEPT,
      'accept-language': 'zh-CN,zh;q=0.9,en;q=0.5',
      'accept-encoding': 'gzip, deflate, br',
    };
    if (opts.etag) headers['if-none-match'] = opts.etag;
    if (opts.lastModified) headers['if-modified-since'] = opts.lastModified;
    try {
      return await request(url, { method: 'GET', headers, dispatcher: this.agent });
    } catch (error) {
      throw transportError(error, url.href);
    }
  }

  /** Streams the body through the decompressor, aborting as soon as it grows past `maxBodyBytes`. */
  private async readBody(body: ResponseBody, headers: Dispatcher.ResponseData['headers'], url: string): Promise<Buffer> {
    const max = this.options.maxBodyBytes;
    const declared = Number(header(headers, 'content-length'));
    if (Number.isFinite(declared) && declared > max) {
      body.destroy();
      throw tooLarge(url, max);
    }
    const encoding = (header(headers, 'content-encoding') ?? '').trim().toLowerCase();
    const decoder = decompressor(encoding);
    if (decoder === null) {
      body.destroy();
      throw new FetchError('network', `unsupported content-encoding "${encoding}" from ${url}`, { retryable: false });
    }
    // pipeline() propagates errors both ways, so breaking out of the loop also destroys the socket's body.
    const stream: Readable = decoder ? pipeline(body, decoder, () => undefined) : body;
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > max) throw tooLarge(url, max);
        chunks.push(chunk);
      }
    } catch (error) {
      body.destroy();
      stream.destroy();
      throw error instanceof FetchError ? error : transportError(error, url);
    }
    return Buffer.concat(chunks, size);
  }
}

/**
 * Milliseconds to wait from a Retry-After value: delay-seconds or an HTTP date (relative to `now`);
 * undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function httpStatusError(status: number, url: string, retryAfter: string | undefined): FetchError {
  return new FetchError('http_status', `HTTP ${status} from ${url}`, {
    status,
    retryAfterMs: parseRetryAfter(retryAfter),
    retryable: status === 429 || status >= 500,
  });
}

/** Maps an undici / socket / zlib error to a FetchError. */
function transportError(error: unknown, url: string): FetchError {
  if (error instanceof FetchError) return error;
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === 'EBLOCKEDADDRESS') return new FetchError('blocked_address', `${(error as Error).message} (${url})`, { cause: error });
  const text = typeof code === 'string' ? code : String((error as Error | undefined)?.message ?? error);
  if (typeof code === 'string' && UNDICI_TIMEOUTS.has(code)) {
    return new FetchError('timeout', `${text} fetching ${url}`, { cause: error });
  }
  // Corrupt compressed data fails the same way next time.
  const corrupt = typeof code === 'string' && code.startsWith('Z_');
  return new FetchError('network', `${text} fetching ${url}`, { cause: error, retryable: !corrupt });
}

function tooLarge(url: string, max: number): FetchError {
  return new FetchError('too_large', `body of ${url} exceeds ${max} bytes`);
}

/** A decompressing stream for the Content-Encoding, undefined for none, null when unsupported. */
function decompressor(encoding: string) {
  switch (encoding) {
    case '':
    case 'identity':
      return undefined;
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      return null;
  }
}

function parseHttpUrl(value: string, base?: string): URL {
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    throw new FetchError('bad_url', `invalid URL: ${value}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FetchError('bad_url', `only http and https URLs are fetched, not ${url.protocol} (${value})`);
  }
  return url;
}

function header(headers: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Reads and discards a small body so the connection can be reused; a large or failing one is just dropped. */
async function dump(body: ResponseBody): Promise<void> {
  try {
    await body.dump({ limit: DUMP_LIMIT });
  } catch {
    body.destroy();
  }
}

function elapsedSince(started: number): number {
  return Math.round(performance.now() - started);
}
