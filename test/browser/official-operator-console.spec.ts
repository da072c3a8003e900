/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { CASE_EVENT_TYPES, CaseEventType } from '../../src/cases/case-event.entity';
import { eventually } from '../support/test-env';
import { ConsoleEnv, loginThroughForm, openPage, screenshot, startConsoleEnv } from './console-harness';

/**
 * The official's dashboard (numbers equal the API's report, drill-down lists the cases behind a
 * number, CSV export, the printable monthly report) and the operator's sources page (health and
 * "crawl now"), in headless Chromium against the running service with the demo data.
 */
describe('console: official (区) and operator (运维)', () => {
  let env: ConsoleEnv;

  beforeAll(async () => {
    env = await startConsoleEnv();
    // One case settled, so that found, settled and the rate differ.
    const worker = await env.as('sg-huachuan');
    const [theCase] = (await worker.get('/cases?mine=true')).body.items;
    await worker.post(`/cases/${theCase.id}/acknowledge`);
    await worker.post(`/cases/${theCase.id}/responses`, { kind: 'explanatory', text: '社区已向物业核实，收费调整将重新公示。' });
    expect((await worker.post(`/cases/${theCase.id}/settle`, { outcome: 'settled' })).status).toBe(200);
  }, 90_000);

  afterAll(async () => {
    await env?.close();
  });

  it('shows the dashboard with the report figures, drills down to the cases, exports CSV and prints the monthly report (1280 px)', async () => {
    const official = await env.as('official');
    const { page, errors } = await openPage(env, 1280);
    await loginThroughForm(page, env.baseUrl, 'official');
    await page.waitForURL(/#\/dashboard$/);
    const foundLink = page.locator('#total-found a');
    await foundLink.waitFor();

    // The page's period, as it asks the API, and the API's answer for it.
    const href = new URLSearchParams((await foundLink.getAttribute('href'))!.split('?')[1]);
    const report = (await official.get(`/reports/settlement?from=${href.get('from')}&to=${href.get('to')}&level=street`)).body;
    expect(report.total).toMatchObject({ found: 2, settled: 1, open: 1, settlementRate: 0.5 });
    expect(await page.locator('#total-found .value').innerText()).toBe(String(report.total.found));
    expect(await page.locator('#total-settled .value').innerText()).toBe(String(report.total.settled));
    expect(await page.locator('#total-open .value').innerText()).toBe(String(report.total.open));
    expect(await page.locator('#total-rate .value').innerText()).toBe('50.0%');
    for (const row of report.rows) {
      const cells = await page.locator(`#area-table tr[data-area-id="${row.areaId}"] td`).allInnerTexts();
      expect(cells.slice(0, 3)).toEqual([String(row.found), String(row.settled), String(row.open)]);
    }
    expect(await page.locator('#median-ack .value').innerText()).not.toBe('—');
    // Overdue and the medians come with the report (the dashboard downloads no case list).
    expect(await page.locator('#total-overdue .value').innerText()).toBe(String(report.overdue));
    expect(report.medianMinutes.acknowledge).not.toBeNull();
    // Both charts drawn, with bars for this period's cases.
    await page.locator('.chart-host svg').waitFor();
    const bars = await page.locator('.chart svg rect').evaluateAll((rects) => rects.filter((r) => Number(r.getAttribute('width')) > 0 && Number(r.getAttribute('height')) > 0).length);
    expect(bars).toBeGreaterThanOrEqual(4);
    await screenshot(page, 'official-dashboard-1280');

    // CSV export, built by the server and recorded in the audit log.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '导出 CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^化解统计_\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8');
    const lines = csv.replace(/^\ufeff/, '').trim().split('\r\n');
    expect(lines[0]).toBe('区域,发现,化解,未结,化解率');
    expect(lines).toContain(`合计,${report.total.found},${report.total.settled},${report.total.open},50.0%`);
    expect(lines).toHaveLength(report.rows.length + 2);
    const [xls] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '导出 Excel' }).click()]);
    expect(readFileSync((await xls.path())!, 'utf8')).toContain('<Data ss:Type="String">合计</Data>');
    const admin = await env.as('admin');
    // Audit entries are written after the answer: wait for both downloads' entries.
    const exports = await eventually(async () => {
      const items = (await admin.get(`/audit?action=${encodeURIComponent('GET /reports/settlement/export')}`)).body.items;
      return items.length >= 2 && items;
    }, 10_000, 'both exports audited');
    expect(exports.map((e: { actorRole: string; status: number; details: { body: { query: { format: string } } } }) => [e.actorRole, e.status, e.details.body.query.format]).sort()).toEqual([
      ['official', 200, 'csv'],
      ['official', 200, 'xls'],
    ]);

    // Drill-down from a street's "found" to the cases behind it.
    const street = report.rows.find((r: { name: string }) => r.name === '白鹤街道');
    expect(street).toMatchObject({ found: 1, settled: 1 });
    await page.locator(`#area-table tr[data-area-id="${street.areaId}"] a[data-metric="found"]`).click();
    await page.waitForURL(/#\/drill\?/);
    await page.locator('#drill-count').waitFor();
    expect(await page.locator('#drill-count').innerText()).toBe('1');
    const huachuanCase = (await (await env.as('sg-huachuan')).get('/cases?mine=true')).body.items[0];
    expect(await page.locator('#drill-table tbody tr').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.caseId))).toEqual([String(huachuanCase.id)]);
    await screenshot(page, 'official-drilldown-1280');

    // The total "open" drills down to the one open case in the district.
    await page.goBack();
    await page.locator('#total-open a').click();
    await page.locator('#drill-count').waitFor();
    expect(await page.locator('#drill-count').innerText()).toBe(String(report.total.open));
    expect(await page.locator('#drill-table').innerText()).toContain('噪音扰民');

    // The printable monthly report: print CSS hides the console around it.
    await page.goBack();
    await page.getByRole('link', { name: '月度报告（可打印）' }).click();
    await page.locator('#report-summary').waitFor();
    expect(await page.locator('#report-summary').innerText()).toContain(`共发现矛盾纠纷 ${report.total.found} 件，已化解 ${report.total.settled} 件，化解率 50.0%`);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('#topbar').isVisible()).toBe(false);
    expect(await page.locator('#print-report').isVisible()).toBe(false);
    expect(await page.locator('#monthly-report').isVisible()).toBe(true);
    await screenshot(page, 'official-monthly-report-print');
    await page.emulateMedia({ media: 'screen' });
    expect(errors).toEqual([]);
  }, 40_000);

  it('fits the dashboard on a phone (375 px)', async () => {
    const { page, errors } = await openPage(env, 375);
    await loginThroughForm(page, env.baseUrl, 'sup-baihe');
    await page.waitForURL(/#\/dashboard$/);
    await page.locator('#area-table').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await screenshot(page, 'supervisor-dashboard-375');
    expect(errors).toEqual([]);
  }, 20_000);

  it('keeps the page the user moved to when the page they left answers late (official, 1280 px)', async () => {
    const { page, errors } = await openPage(env, 1280);
    // Hold the dashboard's report until the user has gone on to 数据源.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let reportAsked!: () => void;
    const asked = new Promise<void>((resolve) => (reportAsked = resolve));
    await page.route('**/reports/settlement?*', async (route) => {
      reportAsked();
      await held;
      await route.continue();
    });
    await loginThroughForm(page, env.baseUrl, 'official');
    await page.waitForURL(/#\/dashboard$/);
    await asked;
    await page.getByRole('link', { name: '数据源' }).click();
    await page.locator('#sources-table tbody tr').first().waitFor();
    const answered = page.waitForResponse('**/reports/settlement?*');
    release();
    expect((await answered).status()).toBe(200);
    // Give the dashboard's late render its chance: the answer has been handed to the page.
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 300)));
    expect(await page.locator('h1').innerText()).toBe('数据源与预警规则');
    expect(await page.locator('#sources-table').isVisible()).toBe(true);
    expect(await page.locator('#area-table').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 30_000);

  it('names every timeline event in Chinese, with the levels of a raise and why a post joined (official, 1280 px)', async () => {
    const db = env.service.app.get(DataSource);
    const [c] = await db.query(`SELECT id FROM cases ORDER BY id LIMIT 1`);
    // One entry of every type a timeline can hold (appended to a real case), with the data correlation writes.
    const data: Partial<Record<CaseEventType, object>> = { level_raised: { from: 'yellow', to: 'red' }, post_attached: { postId: 1, reason: 'near_duplicate' }, reopened: { postId: 1, reason: 'same_topic' } };
    for (const type of CASE_EVENT_TYPES) await db.query(`INSERT INTO case_events (case_id, type, data) VALUES ($1, $2, $3)`, [c.id, type, data[type] ?? {}]);
    const { page, errors } = await openPage(env, 1280);
    await loginThroughForm(page, env.baseUrl, 'official');
    await page.waitForURL(/#\/dashboard$/);
    await page.goto(`${env.baseUrl}/#/cases/${c.id}`);
    await page.locator('#timeline li').first().waitFor();
    const items = await page.locator('#timeline li').allInnerTexts();
    expect(items.length).toBeGreaterThan(CASE_EVENT_TYPES.length);
    for (const item of items) expect(item).not.toMatch(new RegExp(`\\b(${CASE_EVENT_TYPES.join('|')}|same_rule|same_topic|near_duplicate)\\b`));
    expect(items).toEqual(
      expect.arrayContaining([
        expect.stringContaining('预警升级 · 系统 · 黄色 → 红色'),
        expect.stringContaining('关联新帖 · 系统 · 原因：内容近似；帖子 #1'),
        expect.stringContaining('重新打开 · 系统 · 原因：同一话题；帖子 #1'),
      ]),
    );
    expect(errors).toEqual([]);
    await page.context().close();
  }, 30_000);

  it('lists the sources with their health and crawls one now (operator, 1280 px)', async () => {
    const operator = await env.as('operator');
    const sources = (await operator.get('/sources')).body;
    const { page, errors } = await openPage(env, 1280);
    await loginThroughForm(page, env.baseUrl, 'operator');
    await page.waitForURL(/#\/ops$/);
    await page.locator('#sources-table tbody tr').first().waitFor();
    expect(await page.locator('#sources-table tbody tr').count()).toBe(sources.length);
    for (const source of sources) {
      const row = page.locator(`#sources-table tr[data-source-id="${source.id}"]`);
      expect(await row.innerText()).toContain(source.name);
      expect(await row.locator('.health').innerText()).toBe('正常');
      expect(await row.locator('.last-success').innerText()).not.toBe('从未');
      expect(await row.locator('.failures').innerText()).toBe('0');
    }

    // The rules section is there exactly when the API has rules for the operator.
    const rules = await operator.get('/rules');
    expect(await page.locator('#rules-table').count()).toBe(rules.status === 200 ? 1 : 0);

    const rss = sources.find((s: { kind: string }) => s.kind === 'rss');
    const before = env.forum.requestLog.filter((r) => r.path.startsWith('/board/hotline/rss.xml')).length;
    const row = page.locator(`#sources-table tr[data-source-id="${rss.id}"]`);
    await row.getByRole('button', { name: `立即抓取 ${rss.name}` }).click();
    await page.getByText(`已将 ${rss.name} 加入抓取队列。`).waitFor();
    await eventually(async () => env.forum.requestLog.filter((r) => r.path.startsWith('/board/hotline/rss.xml')).length > before, 10_000, 'the crawl of the RSS source');
    await page.getByText(`${rss.name} 抓取完成`).waitFor({ timeout: 10_000 });
    await screenshot(page, 'operator-sources-1280');
    expect(errors).toEqual([]);
  }, 30_000);
});
