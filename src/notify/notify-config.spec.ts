import { parseNotifyConfig } from './notify-config';

const fail = (setting: string, message: string): never => {
  throw new Error(`${setting} ${message}`);
};

describe('parseNotifyConfig', () => {
  it('has defaults and no channels', () => {
    expect(parseNotifyConfig({}, fail)).toEqual({ attempts: 6, backoffMs: 5000, timeoutMs: 10_000, webhooks: [], wecom: [], dingtalk: [], email: null });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a short webhook secret', { webhooks: [{ name: 'ops', url: 'https://x.invalid/h', secret: 'short' }] }, 'notify.webhooks[0].secret'],
    ['a webhook without a URL', { webhooks: [{ name: 'ops', url: 'ftp://x', secret: 'x'.repeat(16) }] }, 'notify.webhooks[0].url'],
    ['a robot without a name', { wecom: [{ url: 'https://qyapi.weixin.qq.com/x' }] }, 'notify.wecom[0].name'],
    ['an SMTP URL of another scheme', { email: { smtpUrl: 'http://mail', to: ['a@b.c'] } }, 'notify.email.smtpUrl'],
    ['e-mail without recipients', { email: { smtpUrl: 'smtp://127.0.0.1:25' } }, 'notify.email.to'],
    ['zero attempts', { attempts: 0 }, 'notify.attempts'],
  ])('refuses %s and names the setting', (_name, raw, setting) => {
    expect(() => parseNotifyConfig(raw, fail)).toThrow(setting);
  });

  it('reads every channel', () => {
    const c = parseNotifyConfig(
      {
        webhooks: [{ name: 'ops', url: 'https://hooks.invalid/t', secret: 's'.repeat(20) }],
        dingtalk: [{ name: 'd', url: 'https://oapi.dingtalk.com/robot/send?access_token=t', secret: 'SEC1' }],
        email: { smtpUrl: 'smtp://127.0.0.1:2525', from: 'tingfeng@jd.invalid', to: ['duty@jd.invalid'] },
      },
      fail,
    );
    expect(c.webhooks[0].name).toBe('ops');
    expect(c.dingtalk[0].secret).toBe('SEC1');
    expect(c.email).toEqual({ smtpUrl: 'smtp://127.0.0.1:2525', from: 'tingfeng@jd.invalid', to: ['duty@jd.invalid'] });
  });
});
