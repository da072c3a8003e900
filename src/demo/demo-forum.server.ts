import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HtmlSourceConfig } from '../crawl/crawl.types';
import type { DemoPost } from './demo-post.types';

type Board = DemoPost['board'];

interface Thread {
  id: number;
  board: Board;
  title: string;
  body: string;
  author: string;
  publishedAt: Date;
  replies: number;
  views: number;
}

const FORUM_NAME = '江东邻里论坛';
const BOARD_NAMES: Record<Board, string> = { neighbourhood: '邻里家常', hotline: '民生热线' };
const RSS_ITEMS = 50;
const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;

/** Selectors that extract DemoForum's list and detail pages. */
export const DEMO_FORUM_HTML_CONFIG: HtmlSourceConfig = {
  list: {
    item: 'table.thread-list tr.thread',
    link: 'a.thread-link',
    title: 'a.thread-link',
    author: 'td.author',
    time: 'td.time',
    replies: 'td.replies',
    views: 'td.views',
    next: 'a.next',
  },
  detail: {
    title: 'h1.post-title',
    body: 'div.post-body',
    author: '.post-meta .author-name',
    time: '.post-meta .post-time',
  },
  idPattern: '/thread/(\\d+)',
};

/** The two sources the demo crawls: the HTML board and the RSS board. */
export function demoForumSources(baseUrl: string): {
  html: { url: string; config: HtmlSourceConfig };
  rss: { url: string };
} {
  return {
    html: { url: `${baseUrl}/board/neighbourhood`, config: DEMO_FORUM_HTML_CONFIG },
    rss: { url: `${baseUrl}/board/hotline/rss.xml` },
  };
}

/**
 * A tiny forum on 127.0.0.1 for the demo and tests: a home page, two boards as paged HTML lists, thread pages and an
 * RSS feed per board. Everything is in memory; every request is recorded in `requestLog`. Responses carry an ETag
 * and answer `If-None-Match` with 304, so conditional fetching can be shown.
 */
export class DemoForum {
  /** Every request served (path includes the query string), oldest first. */
  readonly requestLog: { method: string; path: string; at: number }[] = [];

  private readonly port: number;
  private readonly host: string;
  private readonly pageSize: number;
  private readonly threads = new Map<number, Thread>();
  private nextId = 1;
  private server?: Server;
  private url?: string;
  private publishTimer?: NodeJS.Timeout;

  /**
   * `host` defaults to 127.0.0.1; the Docker demo listens on 0.0.0.0 so the forum can be opened from
   * outside. `firstId` numbers the threads (default 1); the demo starts from a time-based number so a
   * restarted forum never reuses the thread ids, and so the external ids, of an earlier run's posts.
   */
  constructor(opts: { port?: number; host?: string; pageSize?: number; firstId?: number } = {}) {
    this.nextId = opts.firstId ?? 1;
    this.port = opts.port ?? 0;
    this.host = opts.host ?? '127.0.0.1';
    this.pageSize = opts.pageSize ?? 20;
    if (!Number.isInteger(this.pageSize) || this.pageSize < 1) throw new RangeError('pageSize must be a positive integer');
  }

  /**
   * Listens on the host and resolves to the base URL, e.g. `http://127.0.0.1:43121`; a wildcard host
   * (0.0.0.0, ::) is reached through loopback.
   */
  async start(): Promise<string> {
    if (this.url) return this.url;
    const server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.url = baseUrlOf(this.host, (server.address() as AddressInfo).port);
    return this.url;
  }

  /** Stops publishing, closes open connections and the listener. */
  async stop(): Promise<void> {
    this.stopPublishing();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.url = undefined;
    await new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections();
    });
  }

  /** The base URL; throws before `start()`. */
  get baseUrl(): string {
    if (!this.url) throw new Error('DemoForum is not started');
    return this.url;
  }

  /** Adds a thread (lists are newest first by time); requires `start()` so the returned URL is absolute. */
  publish(post: DemoPost, at: Date = new Date()): { id: number; url: string } {
    const baseUrl = this.baseUrl;
    const id = this.nextId++;
    this.threads.set(id, {
      id,
      board: post.board,
      title: post.title,
      body: post.body,
      author: post.author,
      publishedAt: new Date(at.getTime()),
      // Deterministic engagement numbers, so tests can predict them.
      replies: (id * 7) % 23,
      views: 40 + ((id * 37) % 500),
    });
    return { id, url: `${baseUrl}/thread/${id}` };
  }

  /** Changes a thread's title or body in place (an edited post). */
  edit(id: number, changes: Partial<Pick<DemoPost, 'title' | 'body'>>): void {
    const thread = this.threads.get(id);
    if (!thread) throw new Error(`DemoForum has no thread ${id}`);
    if (changes.title !== undefined) thread.title = changes.title;
    if (changes.body !== undefined) thread.body = changes.body;
  }

  /**
   * Publishes `posts` in order every `everyMs`, cycling; from the second cycle on, titles get "（第N轮）" so they
   * stay distinct. The timer is unref'd. Calling it again replaces the running schedule.
   */
  startPublishing(posts: readonly DemoPost[], everyMs: number): void {
    if (posts.length === 0) throw new RangeError('startPublishing needs at least one post');
    if (!(everyMs > 0)) throw new RangeError('everyMs must be positive');
    this.stopPublishing();
    let index = 0;
    this.publishTimer = setInterval(() => {
      const cycle = Math.floor(index / posts.length);
      const post = posts[index % posts.length];
      index++;
      this.publish(cycle === 0 ? post : { ...post, title: `${post.title}（第${cycle + 1}轮）` });
    }, everyMs);
    this.publishTimer.unref();
  }

  stopPublishing(): void {
    clearInterval(this.publishTimer);
    this.publishTimer = undefined;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const method = req.method ?? 'GET';
    const target = req.url ?? '/';
    this.requestLog.push({ method, path: target, at: Date.now() });
    const url = new URL(target, 'http://localhost');
    const page = method === 'GET' || method === 'HEAD' ? this.route(url) : undefined;
    if (!page) {
      send(req, res, 404, 'text/html; charset=utf-8', layout('页面不存在', '<p class="notice">页面不存在或已被删除。</p>'));
      return;
    }
    send(req, res, 200, page.contentType, page.body);
  }

  private route(url: URL): { contentType: string; body: string } | undefined {
    const html = (body: string) => ({ contentType: 'text/html; charset=utf-8', body });
    const path = url.pathname;
    if (path === '/') return html(this.homePage());
    if (path === '/robots.txt') return { contentType: 'text/plain; charset=utf-8', body: 'User-agent: *\nAllow: /\n' };
    const rss = /^\/board\/([a-z]+)\/rss\.xml$/.exec(path);
    if (rss && isBoard(rss[1])) {
      return { contentType: 'application/rss+xml; charset=utf-8', body: this.rssFeed(rss[1]) };
    }
    const board = /^\/board\/([a-z]+)\/?$/.exec(path);
    if (board && isBoard(board[1])) return html(this.listPage(board[1], pageNumber(url.searchParams.get('page'))));
    const thread = /^\/thread\/(\d+)$/.exec(path);
    const found = thread ? this.threads.get(Number(thread[1])) : undefined;
    return found ? html(threadPage(found)) : undefined;
  }

  private boardThreads(board: Board): Thread[] {
    return [...this.threads.values()]
      .filter((thread) => thread.board === board)
      .sort((a, b) => b.publishedAt.getTime() - a.publishedAt.getTime() || b.id - a.id);
  }

  private homePage(): string {
    const boards = (Object.keys(BOARD_NAMES) as Board[])
      .map(
        (board) =>
          `<li><a class="board-link" href="/board/${board}">${BOARD_NAMES[board]}</a>` +
          ` <a class="rss-link" href="/board/${board}/rss.xml">RSS 订阅</a></li>`,
      )
      .join('\n');
    return layout(FORUM_NAME, `<h1>欢迎来到${FORUM_NAME}</h1>\n<ul class="boards">\n${boards}\n</ul>`);
  }

  private listPage(board: Board, page: number): string {
    const all = this.boardThreads(board);
    const rows = all.slice((page - 1) * this.pageSize, page * this.pageSize).map(
      (t) =>
        `<tr class="thread"><td class="subject"><a class="thread-link" href="/thread/${t.id}">${escapeHtml(t.title)}</a></td>` +
        `<td class="author">${escapeHtml(t.author)}</td><td class="time">${formatShanghai(t.publishedAt, false)}</td>` +
        `<td class="replies">回复 ${t.replies}</td><td class="views">查看 ${t.views}</td></tr>`,
    );
    const next =
      page * this.pageSize < all.length
        ? `<a class="next" href="/board/${board}?page=${page + 1}">下一页</a>`
        : '<span class="last">已是最后一页</span>';
    const previous = page > 1 ? `<a class="prev" href="/board/${board}?page=${page - 1}">上一页</a> ` : '';
    const name = BOARD_NAMES[board];
    return layout(
      `${name} - ${FORUM_NAME}`,
      `<h1 class="board-name">${name}</h1>\n<table class="thread-list">\n` +
        '<tr><th>标题</th><th>作者</th><th>发帖时间</th><th>回复</th><th>查看</th></tr>\n' +
        `${rows.join('\n')}\n</table>\n<div class="pager">${previous}第 ${page} 页 ${next}</div>`,
    );
  }

  private rssFeed(board: Board): string {
    const base = this.baseUrl;
    const items = this.boardThreads(board)
      .slice(0, RSS_ITEMS)
      .map((t) => {
        const link = `${base}/thread/${t.id}`;
        return [
          '<item>',
          `<title>${escapeHtml(t.title)}</title>`,
          `<link>${link}</link>`,
          `<guid isPermaLink="true">${link}</guid>`,
          `<pubDate>${t.publishedAt.toUTCString()}</pubDate>`,
          `<dc:creator>${escapeHtml(t.author)}</dc:creator>`,
          `<description>${escapeHtml(paragraphs(t.body))}</description>`,
          '</item>',
        ].join('');
      });
    return [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">',
      '<channel>',
      `<title>${BOARD_NAMES[board]} - ${FORUM_NAME}</title>`,
      `<link>${base}/board/${board}</link>`,
      `<description>${FORUM_NAME}${BOARD_NAMES[board]}版块最新帖子</description>`,
      '<language>zh-cn</language>',
      ...items,
      '</channel>',
      '</rss>',
      '',
    ].join('\n');
  }
}

function threadPage(t: Thread): string {
  return layout(
    `${escapeHtml(t.title)} - ${FORUM_NAME}`,
    `<div class="crumbs"><a href="/board/${t.board}">${BOARD_NAMES[t.board]}</a></div>\n` +
      `<div class="post" id="post-${t.id}">\n<h1 class="post-title">${escapeHtml(t.title)}</h1>\n` +
      `<div class="post-meta"><span class="author">作者：<a class="author-name">${escapeHtml(t.author)}</a></span>` +
      ` <span class="post-time">发帖时间：${formatShanghai(t.publishedAt, true)}</span>` +
      ` <span class="stats">回复 ${t.replies} · 查看 ${t.views}</span></div>\n` +
      `<div class="post-body">\n${paragraphs(t.body)}\n</div>\n</div>`,
  );
}

function layout(title: string, content: string): string {
  return (
    '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n' +
    `<title>${title}</title>\n<style>body{font-family:sans-serif;max-width:60em;margin:auto}</style>\n</head>\n` +
    `<body>\n<div class="header"><a href="/">${FORUM_NAME}</a></div>\n${content}\n` +
    `<div class="footer">${FORUM_NAME} · 演示站点</div>\n</body>\n</html>\n`
  );
}

/** Body text as escaped `<p>` paragraphs, one per non-empty line. */
function paragraphs(body: string): string {
  return body
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => `<p>${escapeHtml(line)}</p>`)
    .join('\n');
}

function send(req: IncomingMessage, res: ServerResponse, status: number, contentType: string, body: string): void {
  const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
  if (status === 200 && req.headers['if-none-match'] === etag) {
    res.writeHead(304, { ETag: etag }).end();
    return;
  }
  res
    .writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), ETag: etag })
    .end(req.method === 'HEAD' ? undefined : body);
}

/** The URL a forum listening on `host` is reached at: the host itself, loopback for a wildcard. */
export function baseUrlOf(host: string, port: number): string {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === '0.0.0.0' || bare === '') return `http://127.0.0.1:${port}`;
  if (bare === '::') return `http://[::1]:${port}`;
  return `http://${bare.includes(':') ? `[${bare}]` : bare}:${port}`;
}

function isBoard(value: string): value is Board {
  return Object.prototype.hasOwnProperty.call(BOARD_NAMES, value);
}

function pageNumber(value: string | null): number {
  const page = Number(value ?? '1');
  return Number.isInteger(page) && page >= 1 ? page : 1;
}

/** `YYYY-MM-DD HH:mm` (or with seconds) in Asia/Shanghai, whatever the process time zone. */
function formatShanghai(instant: Date, withSeconds: boolean): string {
  const iso = new Date(instant.getTime() + SHANGHAI_OFFSET_MS).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, withSeconds ? 19 : 16)}`;
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
