import { createHash } from 'node:crypto';
import { createServer, IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import * as iconv from 'iconv-lite';

/** A thread of the fixture forum (content we wrote for tests). */
export interface FixtureThread {
  id: number;
  title: string;
  body: string;
  author: string;
  /** "2026-1-5 10:00" as Discuz! prints it. */
  time: string;
  replies: number;
  views: number;
}

/** What the server does instead of answering normally (faults are consumed one per request, in order). */
export type Fault =
  | { status: number; headers?: Record<string, string>; body?: string }
  | { delayMs: number }
  | { redirect: string }
  /** A body of this many bytes (streamed, no content-length). */
  | { hugeBytes: number }
  /** Markup cut off in the middle, with unclosed tags. */
  | { brokenHtml: true };

export interface RequestRecord {
  path: string;
  /** performance.now() when the request arrived. */
  at: number;
  /** performance.now() when the response was finished or the connection closed. */
  doneAt?: number;
  headers: IncomingHttpHeaders;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * A fault-injecting forum on loopback for the crawler's integration tests and benchmark. It speaks Discuz! X markup
 * (board `forum-2-P.html`, thread `thread-T-1-1.html`), an RSS feed (`/rss.xml`), a JSON API (`/api/threads.json`)
 * and robots.txt, answers conditional GETs with 304, serves UTF-8 or GBK, and replays programmed faults per path.
 */
export class FixtureForum {
  readonly threads = new Map<number, FixtureThread>();
  readonly requests: RequestRecord[] = [];
  robotsTxt = 'User-agent: *\nAllow: /\n';
  charset: 'utf-8' | 'gbk' = 'utf-8';
  pageSize = 5;
  /** Explicit thread ids per board page (overrides the newest-first paging). */
  pages?: Map<number, number[]>;
  /** v2: the board is redesigned (no Discuz! thread rows any more), so list selectors stop matching. */
  layout: 'v1' | 'v2' = 'v1';
  /** The RSS channel has no items (Discuz! while it rebuilds its feed cache). */
  rssEmpty = false;
  private readonly faults = new Map<string, Fault[]>();
  private readonly always = new Map<string, Fault>();
  private nextId = 1;
  private server?: Server;
  private port = 0;

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  boardUrl(page = 1): string {
    return `${this.baseUrl}/forum-2-${page}.html`;
  }

  threadUrl(id: number): string {
    return `${this.baseUrl}/thread-${id}-1-1.html`;
  }

  addThread(thread: Partial<FixtureThread> & { title: string; body: string }): FixtureThread {
    const id = thread.id ?? this.nextId;
    this.nextId = Math.max(this.nextId, id + 1);
    const full: FixtureThread = { author: '测试用户', time: '2026-1-5 10:00', replies: 0, views: 10, ...thread, id };
    this.threads.set(id, full);
    return full;
  }

  editThread(id: number, patch: Partial<Omit<FixtureThread, 'id'>>): void {
    const thread = this.threads.get(id);
    if (!thread) throw new Error(`no thread ${id}`);
    Object.assign(thread, patch);
  }

  /** The next requests to `path` get these faults, one each, then normal answers again. */
  fault(path: string, ...faults: Fault[]): void {
    this.faults.set(path, [...(this.faults.get(path) ?? []), ...faults]);
  }

  /** Every request to `path` gets this fault until `clear(path)`. */
  faultAlways(path: string, fault: Fault): void {
    this.always.set(path, fault);
  }

  clear(path?: string): void {
    if (path === undefined) {
      this.faults.clear();
      this.always.clear();
    } else {
      this.faults.delete(path);
      this.always.delete(path);
    }
  }

  requestsTo(path: string): RequestRecord[] {
    return this.requests.filter((r) => r.path === path);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fixture');
    const path = url.pathname + url.search;
    const record: RequestRecord = { path, at: performance.now(), headers: req.headers };
    this.requests.push(record);
    res.once('close', () => (record.doneAt = performance.now()));
    const queued = this.faults.get(path);
    const fault = queued?.length ? queued.shift() : this.always.get(path);
    if (fault && 'delayMs' in fault) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (res.destroyed) return;
    if (fault && 'status' in fault) {
      res.writeHead(fault.status, { 'content-type': 'text/html; charset=utf-8', ...fault.headers });
      res.end(fault.body ?? `<html><body>${fault.status}</body></html>`);
      return;
    }
    if (fault && 'redirect' in fault) {
      res.writeHead(302, { location: fault.redirect });
      res.end();
      return;
    }
    if (fault && 'hugeBytes' in fault) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      const chunk = Buffer.alloc(64 * 1024, 'a');
      let sent = 0;
      const pump = () => {
        while (sent < fault.hugeBytes && !res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('error', () => undefined);
      pump();
      return;
    }
    const page = this.render(url);
    if (!page) {
      res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<html><body>404</body></html>');
      return;
    }
    let text = page.body;
    if (fault && 'brokenHtml' in fault) {
      text = text.replace(/<\/(table|div|td|tr|body|html|span)>/g, '').replace('<h1', '<p><b><h1').replace(/<br \/>/g, '<br><i>') + '<div class="x"><p>未闭合 <b';
    }
    const gbk = this.charset === 'gbk' && page.type === 'text/html';
    const bytes = gbk ? iconv.encode(text.replace('charset=utf-8', 'charset=gbk'), 'gbk') : Buffer.from(text, 'utf8');
    const etag = `"${createHash('sha1').update(bytes).digest('hex').slice(0, 16)}"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag });
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': `${page.type}; charset=${gbk ? 'gbk' : 'utf-8'}`, etag, 'content-length': bytes.length });
    res.end(bytes);
  }

  private render(url: URL): { type: string; body: string } | undefined {
    const path = url.pathname;
    if (path === '/robots.txt') return { type: 'text/plain', body: this.robotsTxt };
    if (path === '/rss.xml') return { type: 'application/rss+xml', body: this.rss() };
    if (path === '/api/threads.json') return { type: 'application/json', body: this.json() };
    let match = /^\/forum-2-(\d+)\.html$/.exec(path);
    if (match) return { type: 'text/html', body: this.board(Number(match[1])) };
    match = /^\/thread-(\d+)-1-1\.html$/.exec(path);
    if (match && this.threads.has(Number(match[1]))) return { type: 'text/html', body: this.thread(this.threads.get(Number(match[1]))!) };
    return undefined;
  }

  private sorted(): FixtureThread[] {
    return [...this.threads.values()].sort((a, b) => b.id - a.id);
  }

  private board(page: number): string {
    const all = this.sorted();
    const ids = this.pages ? (this.pages.get(page) ?? []) : all.slice((page - 1) * this.pageSize, page * this.pageSize).map((t) => t.id);
    const lastPage = this.pages ? Math.max(...this.pages.keys()) : Math.max(1, Math.ceil(all.length / this.pageSize));
    if (this.layout === 'v2') {
      const items = ids.map((id) => `<li class="topic-item"><a class="topic-link" href="thread-${id}-1-1.html">${esc(this.threads.get(id)!.title)}</a></li>`).join('');
      return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>测试版块</title></head><body><ul class="topics">${items}</ul></body></html>`;
    }
    const rows = ids
      .map((id) => this.threads.get(id)!)
      .map(
        (t) => `<tbody id="normalthread_${t.id}"><tr>
<th class="common"><a href="thread-${t.id}-1-1.html" onclick="atarget(this)" class="s xst">${esc(t.title)}</a></th>
<td class="by"><cite><a href="space-uid-${t.id}.html">${esc(t.author)}</a></cite><em><span>${t.time.split(' ')[0]}</span></em></td>
<td class="num"><a href="thread-${t.id}-1-1.html" class="xi2">${t.replies}</a><em>${t.views}</em></td>
</tr></tbody>`,
      )
      .join('\n');
    const next = page < lastPage ? `<div class="pg"><strong>${page}</strong><a href="forum-2-${page + 1}.html" class="nxt">下一页</a></div>` : '<div class="pg"></div>';
    return `<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><title>测试版块 - 测试论坛</title></head>
<body><div id="threadlist"><table summary="forum_2" id="threadlisttableid">${rows}</table></div>${next}</body></html>`;
  }

  private thread(t: FixtureThread): string {
    return `<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><title>${esc(t.title)} - 测试版块 - 测试论坛</title></head>
<body><div id="postlist"><div class="hm"><span class="xg1">查看:</span> <span class="xi1">${t.views}</span><span class="pipe">|</span><span class="xg1">回复:</span> <span class="xi1">${t.replies}</span></div>
<h1 class="ts"><span id="thread_subject">${esc(t.title)}</span></h1>
<div id="post_${t.id}0"><table id="pid${t.id}0"><tr><td class="pls"></td><td class="plc">
<div class="authi"><a href="space-uid-${t.id}.html" class="xw1">${esc(t.author)}</a><em id="authorposton${t.id}0">发表于 ${t.time}</em></div>
<div class="pct"><div class="pcb"><table><tr><td class="t_f" id="postmessage_${t.id}0">${t.body.split('\n').map(esc).join('<br />\n')}</td></tr></table></div></div>
</td></tr></table></div></div></body></html>`;
  }

  private rss(): string {
    const items = this.rssEmpty
      ? ''
      : this.sorted()
          .map(
            (t) => `<item><title>${esc(t.title)}</title><link>${this.threadUrl(t.id)}</link><guid>${this.threadUrl(t.id)}</guid><description><![CDATA[${t.body}]]></description><author>${esc(t.author)}</author><pubDate>Mon, 05 Jan 2026 02:00:00 GMT</pubDate></item>`,
          )
          .join('\n');
    return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>测试论坛</title><link>${this.baseUrl}/</link><description>测试</description>${items}</channel></rss>`;
  }

  private json(): string {
    return JSON.stringify({
      code: 0,
      data: { list: this.sorted().map((t) => ({ tid: t.id, subject: t.title, message: t.body, user: { name: t.author }, dateline: t.time, replies: t.replies })) },
    });
  }
}

/** Source config of kind html that reads the fixture forum's Discuz!-like markup through CSS selectors. */
export const FIXTURE_HTML_CONFIG = {
  list: { item: 'tbody[id^="normalthread_"]', link: 'a.xst', author: 'td.by cite a', replies: 'td.num a', views: 'td.num em', next: '.pg a.nxt' },
  detail: { title: '#thread_subject', body: '[id^="postmessage_"]', author: '.authi a', time: '[id^="authorposton"]' },
  idPattern: 'thread-(\\d+)-',
};

/** Source config of kind json for the fixture forum's API. */
export const FIXTURE_JSON_CONFIG = {
  listPath: 'data.list',
  fields: { id: 'tid', title: 'subject', body: 'message', author: 'user.name', time: 'dateline', replies: 'replies' },
};
