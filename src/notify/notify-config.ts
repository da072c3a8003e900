/** Where notifications go. Every channel is optional; the in-app stream is always on. */
export interface NotifyConfig {
  /** Delivery tries per message (then it is dead-lettered) and the first backoff (doubling). */
  attempts: number;
  backoffMs: number;
  timeoutMs: number;
  /** Generic webhooks: JSON POST signed with HMAC-SHA256 of `<timestamp>.<body>` (X-Tingfeng-Signature). */
  webhooks: { name: string; url: string; secret: string }[];
  /** WeCom (企业微信) group-robot webhooks. */
  wecom: { name: string; url: string }[];
  /** DingTalk (钉钉) group-robot webhooks, optionally with the robot's signing secret. */
  dingtalk: { name: string; url: string; secret?: string }[];
  /** E-mail over SMTP (nodemailer), off unless `smtpUrl` is set. */
  email: { smtpUrl: string; from: string; to: string[] } | null;
}

type Raw = Record<string, unknown>;
type Fail = (setting: string, message: string) => never;

function list(raw: unknown, setting: string, fail: Fail): Raw[] {
  const value = raw ?? [];
  if (!Array.isArray(value) || !value.every((v) => v && typeof v === 'object')) return fail(setting, 'must be a list of { name, url, … } entries');
  return value as Raw[];
}

function httpUrl(value: unknown, setting: string, fail: Fail): string {
  try {
    const url = new URL(String(value));
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.toString();
  } catch {
    /* reported below */
  }
  return fail(setting, 'must be an http or https URL');
}

function int(value: unknown, setting: string, min: number, max: number, fail: Fail): number {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) return fail(setting, `must be an integer from ${min} to ${max} (got ${JSON.stringify(value)})`);
  return n;
}

export function parseNotifyConfig(raw: Raw, fail: Fail): NotifyConfig {
  const name = (e: Raw, setting: string) => (typeof e.name === 'string' && e.name ? e.name : fail(`${setting}.name`, 'must be a non-empty string'));
  const email = (raw.email ?? {}) as Raw;
  const smtpUrl = typeof email.smtpUrl === 'string' ? email.smtpUrl : '';
  if (smtpUrl && !/^smtps?:\/\//.test(smtpUrl)) fail('notify.email.smtpUrl', 'must be an smtp:// or smtps:// URL');
  const to = (email.to ?? []) as unknown[];
  if (smtpUrl && (!Array.isArray(to) || to.length === 0 || !to.every((t) => typeof t === 'string' && t.includes('@')))) {
    fail('notify.email.to', 'must be a non-empty list of e-mail addresses when notify.email.smtpUrl is set');
  }
  return {
    attempts: int(raw.attempts ?? 6, 'notify.attempts', 1, 50, fail),
    backoffMs: int(raw.backoffMs ?? 5000, 'notify.backoffMs', 10, 3_600_000, fail),
    timeoutMs: int(raw.timeoutMs ?? 10_000, 'notify.timeoutMs', 100, 120_000, fail),
    webhooks: list(raw.webhooks, 'notify.webhooks', fail).map((e, i) => {
      const secret = e.secret;
      if (typeof secret !== 'string' || secret.length < 16) fail(`notify.webhooks[${i}].secret`, 'must be a string of at least 16 characters');
      return { name: name(e, `notify.webhooks[${i}]`), url: httpUrl(e.url, `notify.webhooks[${i}].url`, fail), secret: secret as string };
    }),
    wecom: list(raw.wecom, 'notify.wecom', fail).map((e, i) => ({ name: name(e, `notify.wecom[${i}]`), url: httpUrl(e.url, `notify.wecom[${i}].url`, fail) })),
    dingtalk: list(raw.dingtalk, 'notify.dingtalk', fail).map((e, i) => ({
      name: name(e, `notify.dingtalk[${i}]`),
      url: httpUrl(e.url, `notify.dingtalk[${i}].url`, fail),
      secret: typeof e.secret === 'string' && e.secret ? e.secret : undefined,
    })),
    email: smtpUrl ? { smtpUrl, from: typeof email.from === 'string' && email.from ? email.from : 'tingfeng@localhost', to: to as string[] } : null,
  };
}
