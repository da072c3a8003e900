/// <reference lib="dom" />
import { ConsoleEnv, loginThroughForm, openPage, screenshot, startConsoleEnv } from './console-harness';

/** The admin opens the queue dashboard (Bull Board) from the console's sources page; others see no button. */
describe('console: the queue dashboard for admins', () => {
  let env: ConsoleEnv;

  beforeAll(async () => {
    env = await startConsoleEnv([]);
  }, 90_000);

  afterAll(async () => {
    await env?.close();
  });

  it('opens Bull Board from the 数据源 page with a cookie valid only there (admin, 1280 px)', async () => {
    const { page, errors } = await openPage(env, 1280);
    await loginThroughForm(page, env.baseUrl, 'admin');
    await page.waitForURL(/#\/dashboard$/);
    await page.getByRole('link', { name: '数据源' }).click();
    await page.locator('#sources-table').waitFor();
    await page.getByRole('button', { name: '队列面板' }).click();
    await page.waitForURL(`${env.baseUrl}/admin/queues/`);
    // The board lists the pipeline's queues (its own API, called with the cookie only).
    for (const queue of ['crawl', 'analyze', 'notify']) await page.getByRole('link', { name: new RegExp(`^${queue}`) }).first().waitFor({ timeout: 15_000 });
    await page.getByRole('link', { name: /^notify/ }).first().click();
    await page.waitForURL(`${env.baseUrl}/admin/queues/queue/notify`);
    await page.waitForLoadState('networkidle');
    await screenshot(page, 'admin-queue-dashboard-1280');
    expect(await page.context().cookies(env.baseUrl)).toEqual([]); // not sent to the console or the API
    const cookies = await page.context().cookies(`${env.baseUrl}/admin/queues/`);
    const cookie = cookies.find((c) => c.name === 'tingfeng_queues')!;
    expect(cookie).toMatchObject({ path: '/admin/queues', httpOnly: true, sameSite: 'Strict' });
    // The page's own scripts and styles load under the CSP; only the board's external web font is refused.
    expect(errors.filter((e) => !e.includes('fonts.googleapis.com'))).toEqual([]);
    await page.context().close();
  });

  it('shows no dashboard button to an operator, and the dashboard refuses a browser without the cookie', async () => {
    const { page } = await openPage(env, 1280);
    await loginThroughForm(page, env.baseUrl, 'operator');
    await page.waitForURL(/#\/ops$/);
    await page.locator('#sources-table').waitFor();
    expect(await page.getByRole('button', { name: '队列面板' }).count()).toBe(0);
    const res = await page.goto(`${env.baseUrl}/admin/queues/`);
    expect(res!.status()).toBe(401);
    expect(await page.locator('h1').innerText()).toBe('队列面板仅限管理员');
    await page.context().close();
  });
});
