import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EvalText } from './bench-env';

export interface BenchThread {
  id: number;
  board: number;
  title: string;
  body: string;
  /** Date.now() when the thread appeared on the forum. */
  publishedAt: number;
}

/**
 * The benchmarks' forum on loopback: boards with a JSON API (`/api/board-N.json`) that lists each
 * board's newest `window` threads, newest first, like a forum's "latest posts" endpoint. Threads
 * appear when `publish` is called, which records the moment for the latency benchmark.
 */
export class BenchForum {
  readonly threads: BenchThread[] = [];
  private readonly boards: BenchThread[][];
  private readonly rendered = new Map<number, { count: number; body: Buffer }>();
  private server?: Server;
  private port = 0;
  requests = 0;

  constructor(
    readonly boardCount: number,
    /** Threads per board listed by one API call. */
    public window: number,
  ) {
    this.boards = Array.from({ length: boardCount }, () => []);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return `http://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  boardUrl(board: number): string {
    return `http://127.0.0.1:${this.port}/api/board-${board}.json`;
  }

  /** Source config (kind json) that reads a board. */
  static readonly SOURCE_CONFIG = {
    listPath: 'data.list',
    fields: { id: 'tid', title: 'subject', body: 'message', author: 'author', time: 'dateline', replies: 'replies' },
  };

  /** Puts a thread on the board (round robin over boards when none is given). */
  publish(text: EvalText, board = this.threads.length % this.boardCount): BenchThread {
    const thread: BenchThread = { id: this.threads.length + 1, board, title: text.title, body: text.body, publishedAt: Date.now() };
    this.threads.push(thread);
    this.boards[board].push(thread);
    return thread;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.requests++;
    const path = new URL(req.url ?? '/', 'http://bench').pathname;
    if (path === '/robots.txt') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('User-agent: *\nAllow: /\n');
      return;
    }
    const match = /^\/api\/board-(\d+)\.json$/.exec(path);
    const board = match ? this.boards[Number(match[1])] : undefined;
    if (!board) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"code":404}');
      return;
    }
    const n = Number(match![1]);
    let cached = this.rendered.get(n);
    if (!cached || cached.count !== board.length) {
      const list = board
        .slice(-this.window)
        .reverse()
        .map((t) => ({ tid: t.id, subject: t.title, message: t.body, author: `居民${t.id % 997}`, dateline: t.publishedAt, replies: 0 }));
      cached = { count: board.length, body: Buffer.from(JSON.stringify({ code: 0, data: { list } })) };
      this.rendered.set(n, cached);
    }
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': cached.body.length });
    res.end(cached.body);
  }
}
