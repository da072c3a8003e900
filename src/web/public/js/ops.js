// 运维 page: sources with their health and "crawl now"; the warning rules when the rules API is there.
import { api, ApiError, optional } from './api.js';
import { errorText, fmtRelative, fmtTime, h, LEVELS, toast } from './ui.js';

/** 正常 / 告警 / 故障 / 未运行 / 已停用, from the crawl state (and the circuit state when the server reports one). */
export function health(source) {
  if (!source.enabled) return { key: 'idle', text: '已停用' };
  if (source.circuitState === 'open') return { key: 'bad', text: '熔断暂停' };
  if (source.circuitState === 'half_open') return { key: 'warn', text: '试探恢复' };
  if (source.status === 'broken') return { key: 'bad', text: '页面结构变化' };
  if (source.status === 'retry_later') return { key: 'warn', text: '稍后重试' };
  if (source.consecutiveFailures >= 3) return { key: 'bad', text: '故障' };
  if (source.consecutiveFailures > 0 || source.status === 'failing') return { key: 'warn', text: '告警' };
  if (!source.lastSuccessAt) return { key: 'idle', text: '未运行' };
  return { key: 'ok', text: '正常' };
}

export async function opsPage({ user, render }) {
  const canCrawl = ['operator', 'admin'].includes(user.role);
  const body = h('tbody', {});
  const stamp = h('span', { class: 'muted small' });
  const rulesHost = h('div', {});
  const pending = new Map(); // sourceId → lastRunAt when "crawl now" was asked

  // Admins open the queue dashboard (Bull Board): the server sets a short-lived cookie valid only
  // under /admin/queues, then the dashboard opens in this tab.
  const queuesButton =
    user.role === 'admin'
      ? h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            id: 'open-queues',
            onclick: async (event) => {
              const button = event.currentTarget;
              button.disabled = true;
              try {
                const { url } = await api('/ops/queues/session', { method: 'POST' });
                location.assign(url);
              } catch (error) {
                toast(errorText(error), 'error');
                button.disabled = false;
              }
            },
          },
          '队列面板',
        )
      : null;

  render(
    h('div', { class: 'page-head' }, h('h1', {}, '数据源与预警规则'), h('div', {}, stamp, queuesButton ? ' ' : null, queuesButton)),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'sources-title' },
      h('h2', { id: 'sources-title' }, '数据源'),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'stack', id: 'sources-table' },
          h('thead', {}, h('tr', {}, ['名称', '类型', '状态', '最近成功', '最近错误', '连续失败', '上次抓到', '抓取间隔', canCrawl ? '操作' : null].filter(Boolean).map((x) => h('th', { scope: 'col' }, x)))),
          body,
        ),
      ),
    ),
    rulesHost,
  );

  async function load() {
    const sources = await api('/sources');
    body.replaceChildren(...sources.map((s) => row(s)));
    stamp.textContent = `更新于 ${fmtTime(new Date())}`;
  }

  function row(s) {
    const state = health(s);
    const waiting = pending.has(s.id) && pending.get(s.id) === (s.lastRunAt || null);
    if (pending.has(s.id) && !waiting) {
      pending.delete(s.id);
      toast(s.lastError ? `${s.name} 抓取失败：${s.lastError}` : `${s.name} 抓取完成，发现 ${s.lastFoundCount ?? 0} 条。`, s.lastError ? 'error' : 'info');
    }
    const button = canCrawl
      ? h('button', { type: 'button', class: 'secondary', disabled: waiting || !s.enabled, 'aria-label': `立即抓取 ${s.name}` }, waiting ? '抓取中…' : '立即抓取')
      : null;
    button?.addEventListener('click', async () => {
      button.disabled = true;
      try {
        await api(`/sources/${s.id}/crawl`, { method: 'POST' });
        pending.set(s.id, s.lastRunAt || null);
        button.textContent = '抓取中…';
        toast(`已将 ${s.name} 加入抓取队列。`);
      } catch (error) {
        toast(errorText(error), 'error');
        button.disabled = false;
      }
    });
    return h(
      'tr',
      { dataset: { sourceId: String(s.id) } },
      h('td', { 'data-label': '名称' }, h('div', {}, s.name), h('div', { class: 'muted small' }, h('a', { href: s.url, target: '_blank', rel: 'noopener noreferrer' }, s.url))),
      h('td', { 'data-label': '类型' }, s.kind === 'rss' ? 'RSS' : '网页'),
      h(
        'td',
        { 'data-label': '状态' },
        h('strong', { class: `health health-${state.key}` }, state.text),
        s.circuitState === 'open' && s.circuitOpenUntil ? h('div', { class: 'muted small' }, `暂停至 ${fmtTime(s.circuitOpenUntil)}`) : null,
        s.avgLatencyMs ? h('div', { class: 'muted small' }, `平均耗时 ${s.avgLatencyMs} ms`) : null,
      ),
      h('td', { 'data-label': '最近成功', class: 'last-success' }, s.lastSuccessAt ? `${fmtRelative(s.lastSuccessAt)}（${fmtTime(s.lastSuccessAt)}）` : '从未'),
      h('td', { 'data-label': '最近错误', class: 'last-error' }, s.lastError ? h('span', { class: 'health-bad' }, s.lastError) : '无'),
      h('td', { 'data-label': '连续失败', class: 'num failures' }, String(s.consecutiveFailures)),
      h('td', { 'data-label': '上次抓到', class: 'num' }, s.lastFoundCount === null || s.lastFoundCount === undefined ? '—' : `${s.lastFoundCount} 条`),
      h('td', { 'data-label': '抓取间隔', class: 'num' }, `${s.intervalSeconds} 秒`),
      canCrawl ? h('td', { 'data-label': '操作' }, button) : null,
    );
  }

  async function loadRules() {
    let rules;
    try {
      rules = await optional('/rules');
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      rules = null;
    }
    const list = Array.isArray(rules) ? rules : rules && Array.isArray(rules.items) ? rules.items : null;
    if (!list) return; // No rules API on this server yet: the section stays hidden.
    rulesHost.replaceChildren(
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'rules-title' },
        h('h2', { id: 'rules-title' }, `预警规则（${list.length}）`),
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'stack', id: 'rules-table' },
            h('thead', {}, h('tr', {}, ['规则', '类别', '等级', '版本', '状态'].map((x) => h('th', { scope: 'col' }, x)))),
            h(
              'tbody',
              {},
              list.map((r) =>
                h(
                  'tr',
                  {},
                  h('td', { 'data-label': '规则' }, h('div', {}, canCrawl ? h('a', { href: `#/rules/${r.id}` }, r.name || r.code) : r.name || r.code), h('div', { class: 'muted small' }, r.code)),
                  h('td', { 'data-label': '类别' }, r.category || '—'),
                  h('td', { 'data-label': '等级' }, `${LEVELS[r.level] || r.level || '—'}`),
                  h('td', { 'data-label': '版本', class: 'num' }, r.version ?? '—'),
                  h('td', { 'data-label': '状态' }, r.enabled === false ? '已停用' : '启用'),
                ),
              ),
            ),
          ),
        ),
      ),
    );
  }

  await Promise.all([load(), loadRules()]);
  const timer = setInterval(() => {
    if (!document.hidden) load().catch(() => {});
  }, 10_000);
  // While a crawl is pending, look more often.
  const fast = setInterval(() => {
    if (pending.size) load().catch(() => {});
  }, 1500);
  return () => {
    clearInterval(timer);
    clearInterval(fast);
  };
}
