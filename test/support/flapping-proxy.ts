import { createServer, request, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ProxyMode = 'up' | 'slow' | 'error';

/**
 * An HTTP proxy on loopback in front of one upstream server (e.g. a demo forum) that a test switches
 * between `up` (forwarded as is), `slow` (forwarded after `slowMs`) and `error` (HTTP 500 without
 * asking the upstream). Counts the answers it gave per mode.
 */
export class FlappingProxy {
  mode: ProxyMode = 'up';
  slowMs = 1500;
  readonly answered: Record<ProxyMode, number> = { up: 0, slow: 0, error: 0 };
  private server?: Server;

  constructor(private readonly upstream: string) {}

  async start(host = '127.0.0.1'): Promise<string> {
    const target = new URL(this.upstream);
    this.server = createServer((req, res) => {
      const mode = this.mode;
      this.answered[mode]++;
      if (mode === 'error') {
        req.resume();
        res.writeHead(500, { 'content-type': 'text/html; charset=utf-8' }).end('<html><body>服务器繁忙</body></html>');
        return;
      }
      const forward = () => {
        if (res.destroyed) return;
        const headers = { ...req.headers, host: target.host };
        const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        upstream.on('error', () => res.destroyed || res.writeHead(502).end());
        req.pipe(upstream);
      };
      if (mode === 'slow') setTimeout(forward, this.slowMs);
      else forward();
    });
    await new Promise<void>((resolve) => this.server!.listen(0, host, resolve));
    return `http://${host}:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
