/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { eventually } from '../support/test-env';
import { ConsoleEnv, loginThroughForm, openPage, screenshot, startConsoleEnv } from './console-harness';

/**
 * The social worker's main path in the browser: log in, the inbox shows the routed case, open it
 * (matched terms highlighted, why the rule fired), acknowledge, respond, settle; a new case shows
 * up in an open inbox without reloading; and the same path on a phone, by keyboard.
 */
describe('console: social worker (社工)', () => {
  let env: ConsoleEnv;

  beforeAll(async () => {
    env = await startConsoleEnv();
  }, 90_000);

  afterAll(async () => {
    await env?.close();
  });

  const noHorizontalScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

  it('walks inbox → case → acknowledge → respond → settle at 1280 px, and a new case arrives without reload', async () => {
    const api = await env.as('sg-huachuan');
    const [theCase] = (await api.get('/cases?mine=true')).body.items;
    expect(theCase).toMatchObject({ category: '物业纠纷', status: 'assigned' });

    // The inbox, which stays open for the whole test.
    const { page: inbox, errors } = await openPage(env, 1280);
    await loginThroughForm(inbox, env.baseUrl, 'sg-huachuan');
    await inbox.waitForURL(/#\/inbox$/);
    const item = inbox.locator(`.case-item[data-case-id="${theCase.id}"]`);
    await item.waitFor();
    expect(await item.innerText()).toContain('物业纠纷');
    expect(await item.innerText()).toContain('划船社区');
    expect(await item.innerText()).toContain('黄色预警');
    expect(await inbox.locator('#count-open .value').innerText()).toBe('1');
    expect(await inbox.locator('#count-unacknowledged .value').innerText()).toBe('1');
    await screenshot(inbox, 'worker-inbox-1280');
    await inbox.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));

    // A new dispute in the same community, crawled now.
    env.forum.publish({
      title: '惊驾路小区楼道违章搭建',
      body: '惊驾路这边有住户在楼道里违章搭建了一个储物间，把消防通道堵了一半，存在安全隐患，邻居们已经向社区投诉。',
      author: '惊驾路居民',
      board: 'neighbourhood',
      topic: 'illegal-building',
    });
    const operator = await env.as('operator');
    for (const source of (await operator.get('/sources')).body) expect((await operator.post(`/sources/${source.id}/crawl`)).status).toBe(202);

    // Meanwhile, in a second tab: open the case and work it.
    const { page } = await openPage(env, 1280);
    await loginThroughForm(page, env.baseUrl, 'sg-huachuan');
    await page.locator(`.case-item[data-case-id="${theCase.id}"] a`).click();
    await page.waitForURL(new RegExp(`#/cases/${theCase.id}$`));
    await page.getByRole('heading', { name: `案件 ${theCase.number}` }).waitFor();
    const marks = await page.locator('.post .post-body mark').allInnerTexts();
    expect(marks).toEqual(expect.arrayContaining(['物业费', '多收']));
    expect(await page.locator('.fired-rule').first().innerText()).toMatch(/(物业收费纠纷|property-fee).*黄色预警.*命中：.*物业费/);
    expect(await page.locator('#case-area').innerText()).toContain('划船社区');
    expect(await page.locator('#case-category').innerText()).toBe('物业纠纷');
    expect(await page.locator('.why').first().innerText()).toContain('泰和花园');
    await screenshot(page, 'worker-case-1280');

    await page.getByRole('button', { name: '签收案件' }).click();
    await page.getByRole('heading', { name: '发布回应' }).waitFor();
    expect(await page.locator('#timeline').innerText()).toContain('签收');
    // Log a contact (cases API), then respond; the template picker offers the category's templates.
    await page.locator('#extra-contact summary').click();
    await page.getByLabel('联系对象').fill('泰和老业主');
    await page.getByLabel('联系方式').selectOption('private_message');
    await page.getByLabel('联系情况').fill('私信发帖人，说明社区已介入，约好周五一起去物业核对。');
    await page.getByRole('button', { name: '保存联系记录' }).click();
    await page.locator('#timeline li', { hasText: '记录联系' }).waitFor();
    expect(await page.locator('#act-respond-template option').count()).toBeGreaterThan(1);
    await page.getByLabel('回应类型').selectOption('pacifying');
    await page.getByLabel('回应内容').fill('您好，社区已约物业公司核对车库收费依据，周五前在小区公告栏公示，请大家留意。');
    await page.getByLabel('发布地址（可选）').fill(`${env.forum.baseUrl}/thread/1`);
    await page.getByRole('button', { name: '发布回应' }).click();
    await page.getByRole('heading', { name: /已发布的回应/ }).waitFor();
    expect(await page.locator('.response').innerText()).toContain('安抚');
    await page.getByLabel('办结结果').selectOption('settled');
    await page.getByLabel('办结说明（可选）').fill('物业已公示收费依据，多收部分退还');
    await page.getByRole('button', { name: '办结案件' }).click();
    await page.locator('#case-outcome').waitFor();
    expect(await page.locator('#case-outcome').innerText()).toBe('已化解');
    expect(await page.locator('#timeline li').allInnerTexts()).toEqual(
      expect.arrayContaining([expect.stringContaining('签收 · 我'), expect.stringContaining('发布回应 · 我'), expect.stringContaining('办结 · 我')]),
    );
    await screenshot(page, 'worker-case-settled-1280');

    const settled = (await api.get(`/cases/${theCase.id}`)).body;
    expect(settled).toMatchObject({ status: 'settled', outcome: 'settled' });
    expect(settled.responses[0]).toMatchObject({ kind: 'pacifying', publishedUrl: `${env.forum.baseUrl}/thread/1` });

    // Back in the first tab, without reloading: the new case is there, marked new; the settled one has left.
    const fresh = await eventually(async () => {
      const mine = (await api.get('/cases?mine=true&status=assigned')).body.items;
      return mine.length === 1 && mine[0];
    }, 30_000, 'the new case routed to sg-huachuan');
    const newItem = inbox.locator(`.case-item[data-case-id="${fresh.id}"]`);
    await newItem.waitFor({ timeout: 25_000 });
    expect(await newItem.innerText()).toContain('新');
    expect(await newItem.innerText()).toContain('违章搭建');
    await inbox.locator(`.case-item[data-case-id="${theCase.id}"]`).waitFor({ state: 'detached', timeout: 15_000 });
    expect(await inbox.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
    await screenshot(inbox, 'worker-inbox-new-case-1280');
    expect(errors).toEqual([]);
  }, 60_000);

  it('works on a phone (375 px) by keyboard: log in, open the case, acknowledge', async () => {
    const api = await env.as('sg-rongjia');
    const [theCase] = (await api.get('/cases?mine=true')).body.items;
    const { page, errors } = await openPage(env, 375);
    await page.goto(`${env.baseUrl}/`);
    await page.waitForURL(/\/console\/#\/login/);
    // The user name field has focus on arrival; Tab to the password, Enter submits.
    await page.keyboard.type('sg-rongjia');
    await page.keyboard.press('Tab');
    await page.keyboard.type('tingfeng-demo');
    await page.keyboard.press('Enter');
    await page.locator(`.case-item[data-case-id="${theCase.id}"]`).waitFor();
    expect(await noHorizontalScroll(page)).toBe(true);
    await screenshot(page, 'worker-inbox-375');

    const link = page.locator(`.case-item[data-case-id="${theCase.id}"] a`);
    await link.focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Shift+Tab');
    const outline = await link.evaluate((el) => getComputedStyle(el).outlineStyle);
    expect(outline).not.toBe('none');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: `案件 ${theCase.number}` }).waitFor();
    expect(await page.locator('.post-body mark').allInnerTexts()).toEqual(expect.arrayContaining(['噪音']));
    expect(await noHorizontalScroll(page)).toBe(true);
    await page.getByRole('button', { name: '签收案件' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: '发布回应' }).waitFor();
    // Focus moved on to the response text, ready to type.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('act-respond-text');
    await screenshot(page, 'worker-case-375');
    expect((await api.get(`/cases/${theCase.id}`)).body.status).toBe('acknowledged');
    expect(errors).toEqual([]);
  }, 30_000);

  it("shows a district's many cases 100 at a time, most urgent first, with counters for all of them (official, 1280 px)", async () => {
    // An open case for every area and rule that has none (the district then holds far more than one page).
    const db = env.service.app.get(DataSource);
    await db.query(
      `INSERT INTO cases (number, area_id, rule_id, category, level, status, version, post_count, opened_at)
       SELECT 'TF-BULK-' || a.id || '-' || r.id, a.id, r.id, r.category,
              (ARRAY['red', 'orange', 'yellow', 'blue'])[1 + (a.id + r.id) % 4], 'new', 1, 1, now() - make_interval(mins => a.id * 7 + r.id)
         FROM areas a CROSS JOIN rules r
        WHERE NOT EXISTS (SELECT 1 FROM cases c WHERE c.area_id = a.id AND c.rule_id = r.id AND c.status NOT IN ('settled', 'dismissed', 'merged'))`,
    );
    const api = await env.as('official');
    const open = 'new,assigned,acknowledged,in_contact,responded,escalated,handed_over';
    const summary = (await api.get(`/cases/summary?status=${open}`)).body;
    expect(summary.open).toBeGreaterThan(110);
    const firstPage: { id: number }[] = (await api.get(`/cases?sort=urgency&status=${open}&pageSize=100`)).body.items;

    const { page, errors } = await openPage(env, 1280);
    await loginThroughForm(page, env.baseUrl, 'official');
    await page.waitForURL(/#\/dashboard$/);
    await page.getByRole('link', { name: '辖区案件' }).click();
    const items = page.locator('.case-item');
    await eventually(async () => (await items.count()) === 100, 15_000, 'the first 100 cases');
    // The most urgent hundred, in the server's order; the counters count every open case, not only those shown.
    expect(await items.evaluateAll((els) => els.map((el) => Number((el as HTMLElement).dataset.caseId)))).toEqual(firstPage.map((c) => c.id));
    expect(await page.locator('#count-open .value').innerText()).toBe(String(summary.open));
    expect(await page.locator('#count-unacknowledged .value').innerText()).toBe(String(summary.unacknowledged));
    expect(await page.locator('#count-high .value').innerText()).toBe(String(summary.high));
    const more = page.locator('#inbox-more');
    expect(await more.innerText()).toBe(`显示更多（还有 ${summary.open - 100} 件）`);
    await more.click();
    await eventually(async () => (await items.count()) === Math.min(200, summary.open), 15_000, 'the next 100 cases');
    expect(await more.isHidden()).toBe(summary.open <= 200);
    // Cases that only came into view are not announced as new.
    expect(await page.locator('.case-item.is-new').count()).toBe(0);
    expect(await page.locator('.toast').count()).toBe(0);
    await screenshot(page, 'official-inbox-many-1280');
    expect(errors).toEqual([]);
  }, 60_000);
});
