import { createHmac } from 'node:crypto';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo, createServer as createTcpServer, Server as TcpServer } from 'node:net';
import type { RunningService } from '../../src/service';
import { Api } from '../support/http';
import { createTestEnv, eventually, TestEnv } from '../support/test-env';
import { CaseFixtures } from './cases-fixtures';

const SECRET = 'webhook-secret-0123456789abcdef';
const DING_SECRET = 'SEC-ding-0123456789';

interface Received {
  path: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A receiver on loopback: /hook fails each delivery twice before accepting it, /broken always fails, the robots answer errcode 0. */
async function startReceiver(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const tries = new Map<string, number>();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const path = new URL(req.url!, 'http://x').pathname;
      received.push({ path, url: req.url!, headers: req.headers, body });
      if (path === '/hook') {
        const delivery = String(req.headers['x-tingfeng-delivery']);
        const n = (tries.get(delivery) ?? 0) + 1;
        tries.set(delivery, n);
        res.writeHead(n <= 2 ? 503 : 200).end(n <= 2 ? 'busy' : 'ok');
      } else if (path === '/broken') res.writeHead(500).end('no');
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ errcode: 0, errmsg: 'ok' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

/** A minimal SMTP server on loopback that accepts every message and keeps its DATA. */
async function startSmtp(): Promise<{ server: TcpServer; port: number; messages: string[] }> {
  const messages: string[] = [];
  const server = createTcpServer((socket) => {
    let buffer = '';
    let inData = false;
    let data = '';
    socket.write('220 localhost ESMTP test\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            messages.push(data);
            data = '';
            socket.write('250 OK queued\r\n');
          } else data += `${line}\n`;
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') socket.write('250 localhost\r\n');
        else if (verb === 'DATA') {
          inData = true;
          socket.write('354 go ahead\r\n');
        } else if (verb === 'QUIT') socket.end('221 bye\r\n');
        else socket.write('250 OK\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, messages };
}

/** The outbox delivered by the notify queue: signed webhooks with retries, robots, dead letters, the delivery log, the console stream. */
describe('notifications', () => {
  let env: TestEnv;
  let service: RunningService;
  let fx: CaseFixtures;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let sg: Api;
  let admin: Api;
  let caseId: number;

  beforeAll(async () => {
    receiver = await startReceiver();
    smtp = await startSmtp();
    env = await createTestEnv();
    service = await env.start({
      role: 'all',
      reconcile: { intervalSeconds: 3600, graceSeconds: 3600 },
      notify: {
        attempts: 3,
        backoffMs: 200,
        webhooks: [
          { name: 'ops', url: `${receiver.url}/hook`, secret: SECRET },
          { name: 'broken', url: `${receiver.url}/broken`, secret: SECRET },
        ],
        wecom: [{ name: 'wecom-group', url: `${receiver.url}/wecom?key=k1` }],
        dingtalk: [{ name: 'ding-group', url: `${receiver.url}/ding?access_token=t1`, secret: DING_SECRET }],
        email: { smtpUrl: `smtp://127.0.0.1:${smtp.port}`, from: 'tingfeng@jiangdong.invalid', to: ['duty@jiangdong.invalid'] },
      },
    });
    fx = await new CaseFixtures(service.app, service.url!).seed();
    [sg, admin] = await Promise.all([fx.login('sg-huachuan'), fx.login('admin')]);
    caseId = await fx.openCase('huachuan', 'property-fee');
    await fx.route(caseId);
  });

  afterAll(async () => {
    await env?.teardown();
    await new Promise((r) => receiver?.server.close(r));
    await new Promise((r) => smtp?.server.close(r));
  });

  const rows = (event: string) =>
    fx.db.query(`SELECT id, channel, target, status, attempts, last_error, delivered_at FROM notifications WHERE case_id = $1 AND event = $2 ORDER BY id`, [caseId, event]);

  it('delivers a signed webhook after retries with backoff, once it is accepted', async () => {
    const ops = await eventually(async () => (await rows('assigned')).find((r: { target: string; status: string }) => r.target === 'ops' && r.status === 'delivered'), 20_000, 'the ops webhook');
    expect(ops.attempts).toBe(3);
    const tries = receiver.received.filter((r) => r.path === '/hook' && r.headers['x-tingfeng-delivery'] === String(ops.id));
    expect(tries).toHaveLength(3);
    for (const t of tries) {
      const expected = createHmac('sha256', SECRET).update(`${t.headers['x-tingfeng-timestamp']}.${t.body}`).digest('hex');
      expect(t.headers['x-tingfeng-signature']).toBe(`sha256=${expected}`);
      expect(t.headers['x-tingfeng-event']).toBe('assigned');
    }
    const forged = createHmac('sha256', 'another-secret-0123456789').update(`${tries[0].headers['x-tingfeng-timestamp']}.${tries[0].body}`).digest('hex');
    expect(tries[0].headers['x-tingfeng-signature']).not.toBe(`sha256=${forged}`);
    expect(JSON.parse(tries[2].body)).toMatchObject({ id: ops.id, event: 'assigned', caseId, title: expect.stringContaining('新案件') });
  });

  it('posts text messages to the WeCom and DingTalk robots (DingTalk signed)', async () => {
    await eventually(async () => (await rows('assigned')).filter((r: { channel: string; status: string }) => ['wecom', 'dingtalk'].includes(r.channel) && r.status === 'delivered').length === 2, 20_000, 'the robots');
    const wecom = receiver.received.find((r) => r.path === '/wecom')!;
    expect(JSON.parse(wecom.body)).toEqual({ msgtype: 'text', text: { content: expect.stringContaining('已分派给您') } });
    const ding = receiver.received.find((r) => r.path === '/ding')!;
    const url = new URL(ding.url, 'http://x');
    expect(url.searchParams.get('access_token')).toBe('t1');
    const ts = url.searchParams.get('timestamp')!;
    expect(url.searchParams.get('sign')).toBe(createHmac('sha256', DING_SECRET).update(`${ts}\n${DING_SECRET}`).digest('base64'));
  });

  it('sends e-mail over SMTP when it is configured', async () => {
    const mail = await eventually(async () => (await rows('assigned')).find((r: { channel: string; status: string }) => r.channel === 'email' && r.status === 'delivered'), 20_000, 'the e-mail');
    expect(mail.target).toBe('duty@jiangdong.invalid');
    expect(smtp.messages).toHaveLength(1);
    expect(smtp.messages[0]).toMatch(/^To: duty@jiangdong.invalid$/m);
    expect(smtp.messages[0]).toMatch(/^From: tingfeng@jiangdong.invalid$/m);
  });

  it('dead-letters what keeps failing, shows it to admins only, and can deliver it again', async () => {
    const dead = await eventually(async () => (await rows('assigned')).find((r: { target: string; status: string }) => r.target === 'broken' && r.status === 'dead'), 20_000, 'the dead letter');
    expect(dead).toMatchObject({ attempts: 3, last_error: expect.stringContaining('HTTP 500') });
    expect(receiver.received.filter((r) => r.path === '/broken' && r.headers['x-tingfeng-delivery'] === String(dead.id))).toHaveLength(3);
    expect((await sg.get('/notifications/dead-letters')).status).toBe(403);
    const list = (await admin.get('/notifications/dead-letters')).body;
    expect(list.map((n: { id: number }) => n.id)).toContain(dead.id);
    const retried = await admin.post(`/notifications/${dead.id}/retry`);
    expect(retried.body).toMatchObject({ id: dead.id, status: 'pending' });
    await eventually(async () => {
      const [row] = await fx.db.query(`SELECT status, attempts FROM notifications WHERE id = $1`, [dead.id]);
      return row.status === 'dead' && row.attempts === 6;
    }, 20_000, 'the second round of attempts');
    expect((await admin.post(`/notifications/${dead.id}/retry`)).status).toBe(200);
    expect((await admin.post(`/notifications/999999/retry`)).status).toBe(404);
  });

  it('masks phone and ID numbers in every message and keeps a delivery log per case', async () => {
    await sg.post(`/cases/${caseId}/acknowledge`);
    await sg.post(`/cases/${caseId}/escalate`, { reason: '业主王先生电话13812345678，身份证330203198001011234，要求街道出面' });
    const escalated = await eventually(async () => {
      const r = await rows('escalated');
      return r.some((n: { target: string; status: string }) => n.target === 'ops' && n.status === 'delivered') && r;
    }, 20_000, 'the escalation webhook');
    const payloads = receiver.received.filter((r) => r.headers['x-tingfeng-event'] === 'escalated' || r.body.includes('上报'));
    expect(payloads.length).toBeGreaterThan(0);
    for (const p of payloads) {
      expect(p.body).not.toMatch(/13812345678|330203198001011234/);
      expect(p.body).toContain('[电话]');
      expect(p.body).toContain('[身份证号]');
    }
    const [stored] = await fx.db.query(`SELECT count(*)::int AS n FROM notifications WHERE body ~ '13812345678|330203198001011234' OR data::text ~ '13812345678'`);
    expect(stored.n).toBe(0);

    const log = (await sg.get(`/cases/${caseId}/notifications`)).body;
    expect(log.map((n: { event: string; channel: string }) => `${n.event}/${n.channel}`)).toEqual(
      expect.arrayContaining(['assigned/inapp', 'assigned/webhook', 'assigned/wecom', 'assigned/dingtalk', 'escalated/inapp', 'escalated/webhook']),
    );
    expect(log.find((n: { id: number }) => n.id === escalated[0].id)).toMatchObject({ status: expect.any(String), attempts: expect.any(Number), createdAt: expect.any(String) });
    expect((await (await fx.login('sg-zhenan')).get(`/cases/${caseId}/notifications`)).status).toBe(404);
  });

  it('streams in-app notifications to the console over server-sent events, to their recipient only', async () => {
    expect((await new Api(service.url!).raw('/notifications/stream')).status).toBe(401);
    const controller = new AbortController();
    const res = await sg.raw('/notifications/stream', { signal: controller.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const second = await fx.openCase('huachuan', 'garbage');
    const other = await fx.openCase('zhenan', 'garbage');
    await new Promise((r) => setTimeout(r, 300));
    await fx.route(other);
    await fx.route(second);
    let text = '';
    const deadline = Date.now() + 15_000;
    while (!text.includes(`"caseId":${second}`) && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    expect(text).toContain('event: notification');
    expect(text).toContain(`"caseId":${second}`);
    expect(text).not.toContain(`"caseId":${other}`);
    expect((await sg.get('/notifications')).body.map((n: { caseId: number }) => n.caseId)).toContain(second);
  });
});
