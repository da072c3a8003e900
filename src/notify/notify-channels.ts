import { createHmac } from 'node:crypto';
import type { Notification } from './notification.entity';

/** What goes out over HTTP for one notification. */
export interface HttpDelivery {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** WeCom and DingTalk answer 200 with { errcode } — non-zero is a failure. */
  checkErrcode: boolean;
}

/** The generic webhook's JSON payload (texts are already masked). */
export function webhookPayload(n: Notification): Record<string, unknown> {
  return { id: n.id, event: n.event, caseId: n.caseId, title: n.title, text: n.body, data: n.data, createdAt: n.createdAt };
}

/** HMAC-SHA256 over `<timestamp>.<body>`, hex; sent as `X-Tingfeng-Signature: sha256=<hex>`. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function genericWebhook(n: Notification, target: { url: string; secret: string }, now: Date): HttpDelivery {
  const body = JSON.stringify(webhookPayload(n));
  const timestamp = String(Math.floor(now.getTime() / 1000));
  return {
    url: target.url,
    body,
    checkErrcode: false,
    headers: {
      'content-type': 'application/json',
      'x-tingfeng-event': n.event,
      'x-tingfeng-delivery': String(n.id),
      'x-tingfeng-timestamp': timestamp,
      'x-tingfeng-signature': signWebhook(target.secret, timestamp, body),
    },
  };
}

/** WeCom group robot: a text message. */
export function wecomRobot(n: Notification, target: { url: string }): HttpDelivery {
  return { url: target.url, body: JSON.stringify({ msgtype: 'text', text: { content: `${n.title}\n${n.body}` } }), headers: { 'content-type': 'application/json' }, checkErrcode: true };
}

/** DingTalk group robot: a text message; with a secret, `timestamp` and `sign` (HMAC-SHA256 of "timestamp\nsecret", base64) on the URL. */
export function dingtalkRobot(n: Notification, target: { url: string; secret?: string }, now: Date): HttpDelivery {
  const url = new URL(target.url);
  if (target.secret) {
    const timestamp = String(now.getTime());
    url.searchParams.set('timestamp', timestamp);
    url.searchParams.set('sign', createHmac('sha256', target.secret).update(`${timestamp}\n${target.secret}`).digest('base64'));
  }
  return {
    url: url.toString(),
    body: JSON.stringify({ msgtype: 'text', text: { content: `${n.title}\n${n.body}` } }),
    headers: { 'content-type': 'application/json' },
    checkErrcode: true,
  };
}
