import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import * as iconv from 'iconv-lite';
import { FetchError, HttpFetcher, parseRetryAfter, type HttpFetcherOptions } from './http-fetcher';

const PAGE = '<!DOCTYPE html><html><head><meta charset="utf-8"><title>江东邻里论坛</title></head><body><p>物业费又涨了</p></body></html>';
const ETAG = '"v1-wuye"';
const LAST_MODIFIED = 'Thu, 26 Nov 2026 06:03:00 GMT';
const HUGE_TOTAL = 200 * 1024 * 1024;
const CAP = 1024 * 1024;

const OPTIONS: HttpFetcherOptions = {
  userAgent: 'tingfeng-test/1.0 (+https://example.cn/bot)',
  connectTimeoutMs: 2_000,
  headersTimeoutMs: 5_000,
  bodyTimeoutMs: 5_000,
  maxBodyBytes: CAP,
  maxRedirects: 3,
};

/** What the server saw, for assertions on request headers and on aborted streams. */
const seen: { headers: IncomingMessage['headers'][]; huge?: Promise<{ sent: number; finished: boolean }> } = { headers: [] };

function route(req: IncomingMessage, res: ServerResponse): void {
  seen.headers.push(req.headers);
  const html = { 'Content-Type': 'text/html; charset=utf-8' };
  switch (req.url) {
    case '/page':
      res.writeHead(200, html).end(PAGE);
      return;
    case '/gzip':
      res.writeHead(200, { ...html, 'Content-Encoding': 'gzip' }).end(gzipSync(PAGE));
      return;
    case '/deflate':
      res.writeHead(200, { ...html, 'Content-Encoding': 'deflate' }).end(deflateSync(PAGE));
      return;
    case '/br':
      res.writeHead(200, { ...html, 'Content-Encoding': 'br' }).end(brotliCompressSync(PAGE));
      return;
    case '/gbk':
      res.writeHead(200, { 'Content-Type': 'text/html; charset=GBK' }).end(iconv.encode(PAGE, 'gbk'));
      return;
    case '/conditional':
      if (req.headers['if-none-match'] === ETAG || req.headers['if-modified-since'] === LAST_MODIFIED) {
        res.writeHead(304, { ETag: ETAG }).end();
      } else {
        res.writeHead(200, { ...html, ETag: ETAG, 'Last-Modified': LAST_MODIFIED }).end(PAGE);
      }
      return;
    case '/r1':
      res.writeHead(301, { Location: '/r2' }).end('moved');
      return;
    case '/r2':
      res.writeHead(302, { Location: `http://${req.headers.host}/r3` }).end();
      return;
    case '/r3':
      res.writeHead(307, { Location: 'page' }).end();
      return;
    case '/loop-a':
      res.writeHead(302, { Location: '/loop-b' }).end();
      return;
    case '/loop-b':
      res.writeHead(302, { Location: '/loop-a' }).end();
      return;
    case '/to-ftp':
      res.writeHead(302, { Location: 'ftp://example.cn/file' }).end();
      return;
    case '/huge':
      streamForever(res);
      return;
    case '/declared-huge':
      res.writeHead(200, { ...html, 'Content-Length': String(HUGE_TOTAL) });
      res.write('<p>');
      return; // never finishes: the client must refuse on the header alone
    case '/gzip-bomb':
      res.writeHead(200, { ...html, 'Content-Encoding': 'gzip' }).end(gzipSync(Buffer.alloc(20 * CAP, 0x61)));
      return;
    case '/corrupt-gzip':
      res.writeHead(200, { ...html, 'Content-Encoding': 'gzip' }).end(Buffer.from('这不是 gzip 数据'));
      return;
    case '/503':
      res.writeHead(503, { ...html, 'Retry-After': '30' }).end('<p>服务器维护中</p>');
      return;
    case '/404':
      res.writeHead(404, html).end('<p>帖子不存在</p>');
      return;
    case '/429':
      res.writeHead(429, { 'Retry-After': '120' }).end('请求过于频繁');
      return;
    case '/hang':
      return; // never answers
    default:
      res.writeHead(500).end();
  }
}

/** Writes 64 KB chunks (chunked encoding, no length) until HUGE_TOTAL or until the client goes away. */
function streamForever(res: ServerResponse): void {
  const chunk = Buffer.alloc(64 * 1024, 'a');
  let sent = 0;
  seen.huge = new Promise((resolve) => res.on('close', () => resolve({ sent, finished: sent >= HUGE_TOTAL })));
  res.on('error', () => undefined);
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
  const write = (): void => {
    while (sent < HUGE_TOTAL && !res.destroyed) {
      sent += chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', write);
        return;
      }
    }
    res.end();
  };
  write();
}

describe('HttpFetcher', () => {
  let server: Server;
  let base: string;
  let fetcher: HttpFetcher;

  beforeAll(async () => {
    server = createServer(route);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    fetcher = new HttpFetcher(OPTIONS);
  });

  afterAll(async () => {
    await fetcher.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    seen.headers = [];
  });

  /** The FetchError a promise rejects with (fails the test if it resolves or rejects with something else). */
  async function failure(promise: Promise<unknown>): Promise<FetchError> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FetchError);
    return error as FetchError;
  }

  it('fetches a page and sends User-Agent and Accept-Encoding', async () => {
    const result = await fetcher.fetch(`${base}/page`);
    expect(result).toMatchObject({ url: `${base}/page`, status: 200, notModified: false, body: PAGE });
    expect(result.contentType).toBe('text/html; charset=utf-8');
    expect(result.elapsedMs).toBeGreaterThanOrEqual(0);
    expect(seen.headers[0]['user-agent']).toBe(OPTIONS.userAgent);
    expect(seen.headers[0]['accept-encoding']).toBe('gzip, deflate, br');
    expect(seen.headers[0]['if-none-match']).toBeUndefined();
  });

  it.each(['/gzip', '/deflate', '/br'])('decompresses %s', async (path) => {
    expect((await fetcher.fetch(base + path)).body).toBe(PAGE);
  });

  it('decodes a GBK page', async () => {
    expect((await fetcher.fetch(`${base}/gbk`)).body).toBe(PAGE);
  });

  it('returns the validators, then notModified on 304 with If-None-Match / If-Modified-Since', async () => {
    const fresh = await fetcher.fetch(`${base}/conditional`);
    expect(fresh).toMatchObject({ status: 200, notModified: false, etag: ETAG, lastModified: LAST_MODIFIED, body: PAGE });

    const byEtag = await fetcher.fetch(`${base}/conditional`, { etag: fresh.etag });
    expect(byEtag).toMatchObject({ status: 304, notModified: true, body: '' });
    expect(seen.headers[1]['if-none-match']).toBe(ETAG);

    const byDate = await fetcher.fetch(`${base}/conditional`, { lastModified: fresh.lastModified });
    expect(byDate).toMatchObject({ status: 304, notModified: true });
    expect(seen.headers[2]['if-modified-since']).toBe(LAST_MODIFIED);
  });

  it('follows a redirect chain (relative and absolute Location) and reports the final URL', async () => {
    const result = await fetcher.fetch(`${base}/r1`);
    expect(result).toMatchObject({ url: `${base}/page`, status: 200, body: PAGE });
    expect(seen.headers).toHaveLength(4);
  });

  it('refuses a chain longer than maxRedirects', async () => {
    const strict = new HttpFetcher({ ...OPTIONS, maxRedirects: 2 });
    try {
      const error = await failure(strict.fetch(`${base}/r1`));
      expect(error).toMatchObject({ code: 'too_many_redirects', retryable: false });
    } finally {
      await strict.close();
    }
  });

  it('stops a redirect loop', async () => {
    const error = await failure(fetcher.fetch(`${base}/loop-a`));
    expect(error).toMatchObject({ code: 'too_many_redirects', retryable: false, message: expect.stringMatching(/loop/) });
    expect(seen.headers).toHaveLength(2); // detected on the repeat, before the redirect budget runs out
  });

  it('aborts a streamed body over maxBodyBytes without reading it all', async () => {
    const started = Date.now();
    const error = await failure(fetcher.fetch(`${base}/huge`));
    expect(error).toMatchObject({ code: 'too_large', retryable: false });
    expect(Date.now() - started).toBeLessThan(3_000);
    const huge = await seen.huge!;
    expect(huge.finished).toBe(false);
    expect(huge.sent).toBeLessThan(HUGE_TOTAL / 10);
  });

  it('refuses a declared Content-Length over maxBodyBytes at once', async () => {
    const started = Date.now();
    const error = await failure(fetcher.fetch(`${base}/declared-huge`));
    expect(error.code).toBe('too_large');
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('caps the decompressed size, not the compressed one', async () => {
    const error = await failure(fetcher.fetch(`${base}/gzip-bomb`));
    expect(error.code).toBe('too_large');
  });

  it('reports corrupt compressed data as a non-retryable network error', async () => {
    const error = await failure(fetcher.fetch(`${base}/corrupt-gzip`));
    expect(error).toMatchObject({ code: 'network', retryable: false });
  });

  it('marks 503 retryable with its Retry-After', async () => {
    const error = await failure(fetcher.fetch(`${base}/503`));
    expect(error).toMatchObject({ code: 'http_status', status: 503, retryable: true, retryAfterMs: 30_000 });
  });

  it('marks 404 not retryable', async () => {
    const error = await failure(fetcher.fetch(`${base}/404`));
    expect(error).toMatchObject({ code: 'http_status', status: 404, retryable: false });
    expect(error.retryAfterMs).toBeUndefined();
  });

  it('marks 429 retryable and reads Retry-After seconds', async () => {
    const error = await failure(fetcher.fetch(`${base}/429`));
    expect(error).toMatchObject({ code: 'http_status', status: 429, retryable: true, retryAfterMs: 120_000 });
  });

  it('times out waiting for headers from a server that never answers', async () => {
    const impatient = new HttpFetcher({ ...OPTIONS, headersTimeoutMs: 300 });
    const started = Date.now();
    try {
      const error = await failure(impatient.fetch(`${base}/hang`));
      expect(error).toMatchObject({ code: 'timeout', retryable: true });
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await impatient.close();
    }
  });

  it('reports a refused connection as a retryable network error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await failure(fetcher.fetch(`http://127.0.0.1:${port}/`));
    expect(error).toMatchObject({ code: 'network', retryable: true });
  });

  it.each(['ftp://example.cn/file', 'file:///etc/passwd', 'not a url', 'javascript:alert(1)'])(
    'refuses %p as bad_url without a request',
    async (url) => {
      const error = await failure(fetcher.fetch(url));
      expect(error).toMatchObject({ code: 'bad_url', retryable: false });
      expect(seen.headers).toHaveLength(0);
    },
  );

  it('refuses a redirect to a non-http URL', async () => {
    const error = await failure(fetcher.fetch(`${base}/to-ftp`));
    expect(error.code).toBe('bad_url');
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('Thu, 26 Nov 2026 06:03:00 GMT');
  it.each<[string | undefined, number | undefined]>([
    ['120', 120_000],
    ['0', 0],
    [' 5 ', 5_000],
    ['Thu, 26 Nov 2026 06:04:30 GMT', 90_000],
    ['Thu, 26 Nov 2026 06:00:00 GMT', 0],
    ['明天再来', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%p → %p', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});
