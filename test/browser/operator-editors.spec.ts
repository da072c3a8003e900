/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { eventually } from '../support/test-env';
import { CONSOLE_POSTS, ConsoleEnv, loginThroughForm, openPage, screenshot, startConsoleEnv } from './console-harness';

/** A chatter post naming a compound the demo gazetteer does not know: it becomes a suggested alias. */
const NEW_PLACE = '金色水岸小区';
const POSTS = [
  ...CONSOLE_POSTS,
  { title: `${NEW_PLACE}门口新开了面包店`, body: `${NEW_PLACE}门口新开的面包店味道不错，周末排队的人挺多。`, author: '吃货小王', board: 'neighbourhood' as const, topic: 'chatter' as const },
];

interface AreaRow {
  id: number;
  code: string;
  name: string;
  aliases: string[];
}

/** Nothing wider than the phone's 375 px (a mobile layout viewport would grow to fit the content). */
async function fitsWidth(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= 375 && document.body.scrollWidth <= 375);
}

/**
 * The operator's gazetteer and rules editors, and the case page's classification correction, in
 * headless Chromium against the running service with the demo data.
 */
describe('console: gazetteer editor, rules editor, case correction', () => {
  let env: ConsoleEnv;

  beforeAll(async () => {
    env = await startConsoleEnv(POSTS);
    const operator = await env.as('operator');
    await eventually(async () => {
      const res = await operator.get('/analysis/place-suggestions');
      return res.status === 200 && res.body.items.some((s: { name: string }) => s.name === NEW_PLACE);
    }, 30_000, `${NEW_PLACE} among the place suggestions`);
  }, 120_000);

  afterAll(async () => {
    await env?.close();
  });

  it('edits the gazetteer: tree, add (with the 409 message), remove, and a suggestion made an alias (operator, 1280 px, keyboard)', async () => {
    const operator = await env.as('operator');
    const areasBefore: AreaRow[] = (await operator.get('/areas')).body;
    const huachuan = areasBefore.find((a) => a.code === 'huachuan')!;
    const danfeng = areasBefore.find((a) => a.code === 'danfeng')!;
    const zhenan = areasBefore.find((a) => a.code === 'zhenan')!;

    const { page, errors } = await openPage(env, 1280);
    await loginThroughForm(page, env.baseUrl, 'operator');
    await page.waitForURL(/#\/ops$/);
    await page.getByRole('link', { name: '地名库' }).click();
    await page.waitForURL(/#\/gazetteer$/);
    await page.locator('#area-tree .area-node').first().waitFor();

    // The whole tree, each area with its aliases.
    expect(await page.locator('#area-tree .area-node').count()).toBe(areasBefore.length);
    const node = page.locator(`.area-node[data-area-id="${huachuan.id}"]`);
    expect(await node.locator('.alias').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.alias))).toEqual(huachuan.aliases);

    // Add an alias with the keyboard only: focus the field, type, Enter.
    await page.getByLabel(`为${huachuan.name}添加别名`).focus();
    await page.keyboard.type('划船小学');
    await page.keyboard.press('Enter');
    await node.locator('.alias[data-alias="划船小学"]').waitFor();
    expect((await operator.get('/areas')).body.find((a: AreaRow) => a.id === huachuan.id).aliases).toContain('划船小学');
    // Focus stays in the area's field for the next alias.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe(`alias-input-${huachuan.id}`);

    // An alias of another area: the 409 is explained, nothing changes.
    await page.getByLabel(`为${huachuan.name}添加别名`).fill('杉杉苑');
    await node.getByRole('button', { name: '添加' }).click();
    const conflict = page.locator(`#alias-error-${huachuan.id}`);
    await conflict.waitFor();
    expect(await conflict.innerText()).toBe(`“杉杉苑”已是“${zhenan.name}”的别名，一个别名只能指向一个区域。`);
    expect((await operator.get('/areas')).body.find((a: AreaRow) => a.id === huachuan.id).aliases).not.toContain('杉杉苑');

    // Remove the alias again.
    await node.getByRole('button', { name: '删除别名 划船小学' }).click();
    await node.locator('.alias[data-alias="划船小学"]').waitFor({ state: 'detached' });
    expect((await operator.get('/areas')).body.find((a: AreaRow) => a.id === huachuan.id).aliases).not.toContain('划船小学');

    // The suggested place name, made an alias of a chosen community with one click.
    const suggestion = page.locator(`#suggestions-table tr[data-place="${NEW_PLACE}"]`);
    await suggestion.waitFor();
    expect(await suggestion.innerText()).toContain('1 条');
    await screenshot(page, 'operator-gazetteer-1280');
    await suggestion.getByLabel(`“${NEW_PLACE}”归入的区域`).selectOption(String(danfeng.id));
    await suggestion.getByRole('button', { name: `将“${NEW_PLACE}”设为别名` }).click();
    await page.locator(`.area-node[data-area-id="${danfeng.id}"] .alias[data-alias="${NEW_PLACE}"]`).waitFor();
    await suggestion.waitFor({ state: 'detached' });
    expect((await operator.get('/areas')).body.find((a: AreaRow) => a.id === danfeng.id).aliases).toContain(NEW_PLACE);
    expect((await operator.get('/analysis/place-suggestions')).body.items.map((s: { name: string }) => s.name)).not.toContain(NEW_PLACE);
    expect(errors).toEqual([]);
  }, 40_000);

  it('fits the gazetteer on a phone (375 px)', async () => {
    const { page, errors } = await openPage(env, 375);
    await loginThroughForm(page, env.baseUrl, 'operator');
    await page.waitForURL(/#\/ops$/);
    await page.goto(`${env.baseUrl}/#/gazetteer`);
    await page.locator('#area-tree .area-node').first().waitFor();
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, 'operator-gazetteer-375');
    expect(errors).toEqual([]);
  }, 20_000);

  it('edits a rule: syntax check as you type, dry-run, save as a new version, disable; creates a rule (operator, 1280 px)', async () => {
    const operator = await env.as('operator');
    const rules = (await operator.get('/rules')).body;
    const rule = rules.find((r: { code: string }) => r.code === 'property-fee');
    const { page, errors } = await openPage(env, 1280);
    await loginThroughForm(page, env.baseUrl, 'operator');
    await page.waitForURL(/#\/ops$/);
    await page.getByRole('link', { name: '预警规则' }).click();
    await page.locator('#rules-list tbody tr').first().waitFor();
    expect(await page.locator('#rules-list tbody tr').count()).toBe(rules.length);
    expect(await page.locator(`#rules-list tr[data-rule-code="property-fee"]`).innerText()).toContain(`第 ${rule.version} 版`);
    await page.getByRole('link', { name: rule.name }).click();
    await page.waitForURL(new RegExp(`#/rules/${rule.id}$`));
    await page.locator('#rule-check.ok').waitFor();

    // An unfinished expression: the position and what was expected, as the server says.
    await page.getByLabel('规则类型').selectOption('expression');
    const broken = '(物业|物业费) & (乱收费|多收';
    const definition = page.getByLabel('规则表达式');
    await definition.fill('');
    await definition.pressSequentially(broken, { delay: 5 });
    const expected = (await operator.post('/rules/validate', { kind: 'expression', definition: { expression: broken } })).body;
    expect(expected).toMatchObject({ valid: false, error: { expected: '")"', found: 'the end of the expression' } });
    await eventually(async () => (await page.locator('#rule-check.bad .check-position').allInnerTexts()).join() === `✗ 第 ${expected.error.position + 1} 个字符处有误`, 5_000, 'the syntax error shown');
    expect(await page.locator('#rule-check .check-expected').innerText()).toBe('应为：")"；实际为：表达式结尾');
    expect(await definition.getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'operator-rule-syntax-error-1280');
    await definition.press('End');
    await definition.pressSequentially(')');
    await page.locator('#rule-check.ok').waitFor();
    expect(await definition.getAttribute('aria-invalid')).toBeNull();

    // Dry-run of the draft over the past 30 days: the property-fee post matches, in one would-be case.
    await page.getByRole('button', { name: '试运行' }).click();
    await page.locator('#dry-matched').waitFor();
    const dry = (await operator.post('/rules/dry-run', { kind: 'expression', definition: { expression: `${broken})` }, from: new Date(Date.now() - 31 * 86_400_000).toISOString(), to: new Date(Date.now() + 86_400_000).toISOString() })).body;
    expect(dry.matched).toBe(1);
    expect(await page.locator('#dry-matched .value').innerText()).toBe(String(dry.matched));
    expect(await page.locator('#dry-cases .value').innerText()).toBe(String(dry.wouldOpenCases.length));
    expect(await page.locator('#dry-scanned .value').innerText()).toBe(String(dry.scanned));
    expect(await page.locator('#dry-precision .value').innerText()).toMatch(/^—/);
    expect(await page.locator('#dry-hits-table tbody tr').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.postId))).toEqual(dry.hits.map((h: { postId: number }) => String(h.postId)));
    expect(await page.locator('#dry-cases-table').innerText()).toContain('划船社区');
    await screenshot(page, 'operator-rule-editor-1280');

    // Save: a new version, listed in the history.
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByText(`已保存，规则升为第 ${rule.version + 1} 版。`).waitFor();
    const saved = (await operator.get(`/rules/${rule.id}`)).body;
    expect(saved).toMatchObject({ version: rule.version + 1, kind: 'expression', definition: { expression: `${broken})` }, enabled: true });
    await page.locator(`#rule-versions li[data-version="${rule.version + 1}"]`).waitFor();
    expect(await page.locator('#rule-versions li').count()).toBe((await operator.get(`/rules/${rule.id}/versions`)).body.length);

    // Disable.
    await page.getByRole('button', { name: '停用规则' }).click();
    await page.getByRole('button', { name: '启用规则' }).waitFor();
    expect(await page.locator('#rule-state').innerText()).toBe('已停用');
    expect((await operator.get(`/rules/${rule.id}`)).body.enabled).toBe(false);

    // Create: a duplicate code is refused with a message; a new one is created.
    await page.goto(`${env.baseUrl}/#/rules/new`);
    await page.getByLabel('规则代码').fill('noise');
    await page.getByLabel('规则名称').fill('高空抛物');
    await page.getByLabel('类别').fill('高空抛物');
    await page.getByLabel('规则表达式').fill('高空抛物 & (小区|楼下)');
    await page.locator('#rule-check.ok').waitFor();
    await page.getByRole('button', { name: '创建规则' }).click();
    await page.locator('#rule-save-error').waitFor();
    expect(await page.locator('#rule-save-error').innerText()).toBe('规则代码“noise”已存在。');
    await page.getByLabel('规则代码').fill('high-rise-throw');
    await page.getByRole('button', { name: '创建规则' }).click();
    await page.waitForURL(/#\/rules\/\d+$/);
    const created = (await operator.get('/rules')).body.find((r: { code: string }) => r.code === 'high-rise-throw');
    expect(created).toMatchObject({ name: '高空抛物', category: '高空抛物', kind: 'expression', enabled: true, definition: { expression: '高空抛物 & (小区|楼下)' } });
    expect(page.url()).toMatch(new RegExp(`#/rules/${created.id}$`));
    expect(errors).toEqual([]);
  }, 40_000);

  it('fits the rules editor on a phone (375 px)', async () => {
    const operator = await env.as('operator');
    const rule = (await operator.get('/rules')).body[0];
    const { page, errors } = await openPage(env, 375);
    await loginThroughForm(page, env.baseUrl, 'operator');
    await page.waitForURL(/#\/ops$/);
    await page.goto(`${env.baseUrl}/#/rules/${rule.id}`);
    await page.locator('#rule-check.ok').waitFor();
    await page.getByRole('button', { name: '试运行' }).click();
    await page.locator('#dry-matched').waitFor();
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, 'operator-rule-editor-375');
    expect(errors).toEqual([]);
  }, 20_000);

  it('corrects a case’s area and category, or hides the form when the server has no such route (official, 1280 px)', async () => {
    const official = await env.as('official');
    const cases = (await official.get('/cases')).body.items;
    const theCase = cases.find((c: { category: string }) => c.category === '物业纠纷');
    expect(theCase).toBeDefined();
    const probe = await official.request('PATCH', `/cases/${theCase.id}/classification`, {});
    const routeMissing = probe.status === 404 && /^Cannot PATCH/.test(probe.body?.error?.message ?? '');
    // Either the route is there (it refuses the empty body) or the server has no such route at all.
    expect(routeMissing || probe.status === 400).toBe(true);

    const { page, errors } = await openPage(env, 1280);
    await loginThroughForm(page, env.baseUrl, 'official');
    await page.waitForURL(/#\/dashboard$/);
    await page.goto(`${env.baseUrl}/#/cases/${theCase.id}`);
    const form = page.locator('#extra-correct');
    await form.waitFor();
    await form.locator('summary').click();
    // Categories: those of the cases in view; communities: every community of the gazetteer.
    const categoryOptions = await page.getByLabel('类别', { exact: true }).locator('option').allInnerTexts();
    expect(categoryOptions).toEqual(expect.arrayContaining(['物业纠纷（当前）', '噪音扰民']));
    const communities = (await official.get('/areas')).body.filter((a: { level: string }) => a.level === 'community');
    expect(await page.getByLabel('所属社区').locator('option').count()).toBe(communities.length);
    await page.getByLabel('类别', { exact: true }).selectOption('噪音扰民');
    await page.getByLabel('所属社区').selectOption('zhenan');
    await page.getByLabel('更正原因').fill('帖子说的是镇安社区的小区物业');
    await screenshot(page, 'official-case-correction-1280');
    await form.getByRole('button', { name: '提交更正' }).click();
    if (routeMissing) {
      await page.getByText('此操作在当前服务器上尚未开放。').waitFor();
      await form.waitFor({ state: 'detached' });
    } else {
      await page.getByText('分类/区域已更正。').waitFor();
      await eventually(async () => (await page.locator('#case-area').innerText()).includes('镇安社区'), 5_000, 'the corrected area shown');
      await eventually(async () => (await page.locator('#case-category').innerText()) === '噪音扰民', 5_000, 'the corrected category shown');
      expect((await official.get(`/cases/${theCase.id}`)).body).toMatchObject({ category: '噪音扰民', area: { code: 'zhenan' } });
      expect(await page.locator('#timeline').innerText()).toContain('更正分类/区域 · 我 · 原因：帖子说的是镇安社区的小区物业');
      await screenshot(page, 'official-case-corrected-1280');
    }
    expect(errors).toEqual([]);
  }, 30_000);
});
