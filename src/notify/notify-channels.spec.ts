import { createHmac } from 'node:crypto';
import type { Notification } from './notification.entity';
import { dingtalkRobot, genericWebhook, signWebhook, wecomRobot } from './notify-channels';

const n = { id: 7, caseId: 3, event: 'assigned', title: '新案件 TF-1', body: '案件已分派给您', data: {}, createdAt: new Date('2026-11-26T00:00:00Z') } as unknown as Notification;
const now = new Date('2026-11-26T10:00:00Z');

describe('notification channels', () => {
  it('signs the generic webhook over timestamp and body', () => {
    const d = genericWebhook(n, { url: 'http://127.0.0.1:9/hook', secret: 'secret-0123456789abcdef' }, now);
    expect(d.headers['x-tingfeng-timestamp']).toBe('1795687200');
    const expected = createHmac('sha256', 'secret-0123456789abcdef').update(`1795687200.${d.body}`).digest('hex');
    expect(d.headers['x-tingfeng-signature']).toBe(`sha256=${expected}`);
    expect(signWebhook('other-secret-0123456789', '1795687200', d.body)).not.toBe(d.headers['x-tingfeng-signature']);
    expect(JSON.parse(d.body)).toMatchObject({ id: 7, event: 'assigned', caseId: 3, text: '案件已分派给您' });
  });

  it.each([
    ['wecom', wecomRobot(n, { url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k' })],
    ['dingtalk', dingtalkRobot(n, { url: 'https://oapi.dingtalk.com/robot/send?access_token=t' }, now)],
  ])('%s robots get a text message and are checked for errcode', (_name, d) => {
    expect(JSON.parse(d.body)).toEqual({ msgtype: 'text', text: { content: '新案件 TF-1\n案件已分派给您' } });
    expect(d.checkErrcode).toBe(true);
  });

  it('adds timestamp and sign for a DingTalk robot with a secret', () => {
    const url = new URL(dingtalkRobot(n, { url: 'https://oapi.dingtalk.com/robot/send?access_token=t', secret: 'SECabc' }, now).url);
    expect(url.searchParams.get('access_token')).toBe('t');
    expect(url.searchParams.get('timestamp')).toBe(String(now.getTime()));
    expect(url.searchParams.get('sign')).toBe(createHmac('sha256', 'SECabc').update(`${now.getTime()}\nSECabc`).digest('base64'));
  });
});
