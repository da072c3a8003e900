import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';
import { DemoForum } from '../../src/demo/demo-forum.server';
import type { DemoPost } from '../../src/demo/demo-post.types';
import { DEMO_PASSWORD, seedDemo } from '../../src/demo/demo-seed';
import type { RunningService } from '../../src/service';
import { Api } from '../support/http';
import { createTestEnv, eventually, TestEnv } from '../support/test-env';

export const SCREENSHOTS = join(__dirname, '..', '..', 'test-output', 'screenshots');

/** Posts we wrote for the console tests: two disputes in two communities and one ordinary post. */
export const CONSOLE_POSTS: DemoPost[] = [
  {
    title: '泰和花园地下车库物业费乱收费',
    body: '泰和花园物业这个月起把地下车库的物业费每月多收五十元，没有任何公示，也没开业主大会。去物业问，物业只说是上面定的，大家都很不满。',
    author: '泰和老业主',
    board: 'neighbourhood',
    topic: 'property-fee',
  },
  {
    title: '樱花公园周末跳蚤市场',
    body: '这个周末樱花公园门口有跳蚤市场，旧书、玩具都有，带孩子去转转挺好的。',
    author: '周末逛逛',
    board: 'neighbourhood',
    topic: 'chatter',
  },
  {
    title: '银杏苑楼下烧烤店噪音扰民',
    body: '银杏苑一楼新开的烧烤店天天营业到后半夜，噪音太大，整栋楼的人都睡不好，投诉了好几次还是老样子。',
    author: '银杏苑居民',
    board: 'hotline',
    topic: 'noise',
  },
];

export interface ConsoleEnv {
  baseUrl: string;
  service: RunningService;
  forum: DemoForum;
  browser: Browser;
  api: Api;
  /** Logs in through the API (for checks against what the console shows). */
  as(username: string): Promise<Api>;
  close(): Promise<void>;
}

/**
 * The service with the demo district and a demo forum publishing `posts`, waited on until every
 * dispute is an assigned case; and one headless Debian Chromium for the file.
 */
export async function startConsoleEnv(posts: DemoPost[] = CONSOLE_POSTS): Promise<ConsoleEnv> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  let env: TestEnv | undefined;
  let forum: DemoForum | undefined;
  let browser: Browser | undefined;
  try {
    env = await createTestEnv();
    forum = new DemoForum();
    const forumUrl = await forum.start();
    for (const post of posts) forum.publish(post);
    const service = await env.start({ role: 'all' });
    await seedDemo(service.app, forumUrl, { crawlIntervalSeconds: 10 });
    const api = new Api(service.url!);
    const disputes = posts.filter((p) => p.topic !== 'chatter').length;
    const [browserReady] = await Promise.all([
      chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] }),
      (async () => {
        const official = await api.login('official', DEMO_PASSWORD);
        await eventually(async () => {
          const res = await official.get('/cases');
          return res.body.total === disputes && res.body.items.every((c: { assigneeId: number | null }) => c.assigneeId !== null);
        }, 40_000, `${disputes} routed cases`);
      })(),
    ]);
    browser = browserReady;
    const started = { env, forum, browser };
    return {
      baseUrl: service.url!,
      service,
      forum,
      browser,
      api,
      as: (username) => api.login(username, DEMO_PASSWORD),
      async close() {
        await started.browser.close();
        await started.env.teardown();
        await started.forum.stop();
      },
    };
  } catch (error) {
    await browser?.close();
    await env?.teardown();
    await forum?.stop();
    throw error;
  }
}

/** A page at the given width (desktop 1280 × 800, phone 375 × 740); console errors fail the test. */
export async function openPage(console: ConsoleEnv, width: 1280 | 375): Promise<{ page: Page; errors: string[] }> {
  const context = await console.browser.newContext({
    viewport: width === 1280 ? { width: 1280, height: 800 } : { width: 375, height: 740 },
    deviceScaleFactor: 1,
    isMobile: width === 375,
    hasTouch: width === 375,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    acceptDownloads: true,
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of 40[1349]/.test(message.text())) errors.push(`console: ${message.text()}`);
  });
  return { page, errors };
}

export async function loginThroughForm(page: Page, baseUrl: string, username: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
