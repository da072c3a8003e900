import { createHmac } from 'node:crypto';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WebhookDelivery {
  /** X-Tingfeng-Delivery: the notification id, the same on every try of one notification. */
  key: string;
  event: string;
  body: Record<string, unknown>;
  signatureOk: boolean;
}

/**
 * A webhook receiver on loopback that behaves as a consumer should with an at-least-once sender: it
 * checks the signature, keeps every delivery it was sent (`deliveries`, repeats included) and records
 * each idempotency key once (`recorded`: key → first delivery), answering a repeat with 200 without
 * recording it again.
 */
export class WebhookReceiver {
  readonly deliveries: WebhookDelivery[] = [];
  readonly recorded = new Map<string, WebhookDelivery>();
  /** Times a key arrived that was already recorded (answered 200, not recorded again). */
  repeats = 0;
  /** Hold every answer this long after recording (a sender that dies meanwhile will send again). */
  answerDelayMs = 0;
  private server?: Server;

  constructor(private readonly secret: string) {}

  async start(host = '127.0.0.1'): Promise<string> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (raw += chunk));
      req.on('end', () => {
        const timestamp = String(req.headers['x-tingfeng-timestamp'] ?? '');
        const expected = `sha256=${createHmac('sha256', this.secret).update(`${timestamp}.${raw}`).digest('hex')}`;
        const delivery: WebhookDelivery = {
          key: String(req.headers['x-tingfeng-delivery'] ?? ''),
          event: String(req.headers['x-tingfeng-event'] ?? ''),
          body: JSON.parse(raw || '{}') as Record<string, unknown>,
          signatureOk: req.headers['x-tingfeng-signature'] === expected,
        };
        this.deliveries.push(delivery);
        if (!delivery.signatureOk || !delivery.key) return void res.writeHead(401).end('bad signature');
        if (this.recorded.has(delivery.key)) this.repeats++;
        else this.recorded.set(delivery.key, delivery);
        setTimeout(() => res.writeHead(200).end('ok'), this.answerDelayMs);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, host, resolve));
    return `http://${host}:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
