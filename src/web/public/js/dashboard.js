// 官员 dashboard: found, settled, settlement rate, open and overdue; medians; by area and category;
// trend and area charts; every number drills down to the cases behind it; CSV and Excel export.
import { areas, fetchFile } from './api.js';
import { areaChart, legend, trendChart } from './charts.js';
import {
  casesInPeriod, categoryTable, fmtDuration, METRICS, parseYmd, presetRange, PRESETS, settlement, trendBuckets, ymd,
} from './figures.js';
import {
  AREA_LEVELS, areaLabel, download, field, fmtDate, fmtRate, h, isOverdue, levelBadge, select, statusBadge, subtree, timeEl,
} from './ui.js';

/** Exports are built by the server, which records each one in the audit log. */
async function exportFile(format, from, to, level) {
  const q = new URLSearchParams({ from: from.toISOString(), to: to.toISOString(), level, format });
  try {
    const { name, blob } = await fetchFile(`/reports/settlement/export?${q}`);
    download(name, blob, blob.type);
  } catch (error) {
    window.alert(`导出失败：${error.message || error}`);
  }
}

/** The period and level in the URL (so drill-down → back returns to the same view). */
export function periodFromParams(params, user) {
  const preset = params.get('preset') || (params.get('from') ? 'custom' : 'this-month');
  let [from, to] = presetRange(preset);
  if (preset === 'custom' && params.get('from') && params.get('to')) {
    from = parseYmd(params.get('from'));
    to = parseYmd(params.get('to'));
  }
  const level = params.get('level') || (user.role === 'supervisor' ? 'community' : 'street');
  return { preset, from, to, level };
}

function drillHref({ metric, areaIds, from, to, category, label }) {
  const q = new URLSearchParams({ metric, from: from.toISOString(), to: to.toISOString() });
  if (areaIds) q.set('areas', areaIds.join(','));
  if (category) q.set('category', category);
  if (label) q.set('label', label);
  return `#/drill?${q}`;
}

function numLink(value, target, description) {
  if (!value) return '0';
  return h(
    'a',
    { class: 'num-link', href: drillHref(target), 'aria-label': `${description}：${value}，查看案件`, dataset: { metric: target.metric } },
    String(value),
  );
}

export async function dashboardPage({ params, user, render }) {
  const period = periodFromParams(params, user);
  const { from, to, level } = period;
  // The report carries every figure of this page (overdue count and medians too): no case list is downloaded.
  const [report, areaMap] = await Promise.all([settlement(from, to, level), areas()]);
  const rowIds = report.rows.map((r) => r.areaId);
  const overdue = report.overdue;
  const times = report.medianMinutes;
  const categories = categoryTable(report);
  const base = { from, to, areaIds: rowIds };

  const periodForm = periodControls(period, (next) => {
    const q = new URLSearchParams({ preset: next.preset, level: next.level });
    if (next.preset === 'custom') {
      q.set('from', next.from);
      q.set('to', next.to);
    }
    location.hash = `#/dashboard?${q}`;
  });

  const t = report.total;
  const scopeName = [...areaMap.values()].filter((a) => !areaMap.has(a.parentId)).map((a) => a.name).join('、') || '辖区';
  const periodText = `${fmtDate(from)} 至 ${fmtDate(new Date(to.getTime() - 1))}`;

  const trendHost = h('div', { class: 'chart-host' }, h('p', { class: 'muted' }, '正在计算趋势…'));
  render(
    h('div', { class: 'page-head' }, h('h1', {}, `${scopeName} 矛盾纠纷化解统计`), h('span', { class: 'muted' }, periodText)),
    periodForm,
    h(
      'div',
      { class: 'counters', id: 'totals' },
      bigNumber('发现', numLink(t.found, { ...base, metric: 'found', label: '全部' }, '发现'), 'total-found'),
      bigNumber('化解', numLink(t.settled, { ...base, metric: 'settled', label: '全部' }, '化解'), 'total-settled'),
      bigNumber('化解率', fmtRate(t.settlementRate), 'total-rate'),
      bigNumber('未结', numLink(t.open, { ...base, metric: 'open', label: '全部' }, '未结'), 'total-open'),
    ),
    h(
      'div',
      { class: 'counters' },
      bigNumber('已逾期', overdue ? numLink(overdue, { ...base, metric: 'overdue', label: '全部' }, '逾期') : '0', 'total-overdue', overdue > 0),
      bigNumber('签收用时（中位数）', fmtDuration(times.acknowledge), 'median-ack'),
      bigNumber('首次回应用时（中位数）', fmtDuration(times.respond), 'median-respond'),
      bigNumber('办结用时（中位数）', fmtDuration(times.settle), 'median-settle'),
    ),
    h(
      'div',
      { class: 'row no-print', style: 'margin-bottom:1rem' },
      h('button', { type: 'button', class: 'secondary', id: 'export-csv', onclick: () => exportFile('csv', from, to, level) }, '导出 CSV'),
      h('button', { type: 'button', class: 'secondary', id: 'export-xls', onclick: () => exportFile('xls', from, to, level) }, '导出 Excel'),
      h('a', { class: 'button secondary', href: `#/report?month=${ymd(from).slice(0, 7)}` }, '月度报告（可打印）'),
    ),
    h(
      'div',
      { class: 'charts' },
      h('figure', { class: 'panel chart', style: 'margin:0' }, h('figcaption', {}, '趋势'), legend(['found', 'settled', 'rate']), trendHost),
      h('figure', { class: 'panel chart', style: 'margin:0' }, h('figcaption', {}, `按${AREA_LEVELS[level] || level}`), legend(['found', 'settled']), areaChart(report.rows)),
    ),
    areaTable(report, base, level, areaMap),
    categoryView(categories, base, report.minCellSize),
  );

  // The trend needs one report per period; it fills in after the page is usable.
  const buckets = trendBuckets(from, to);
  Promise.all(buckets.map((b) => settlement(b.from, b.to, level)))
    .then((reports) => {
      trendHost.replaceChildren(
        trendChart(reports.map((r, i) => ({ label: buckets[i].label, found: r.total.found, settled: r.total.settled, rate: r.total.settlementRate }))),
      );
    })
    .catch(() => trendHost.replaceChildren(h('p', { class: 'muted' }, '趋势暂不可用。')));
}

function bigNumber(label, value, id, alert = false) {
  return h('div', { class: `counter ${alert ? 'alert' : ''}`, id }, h('div', { class: 'value' }, value), h('div', { class: 'label' }, label));
}

export function periodControls(period, onChange) {
  const preset = select(PRESETS, period.preset);
  const level = select({ street: '街道', community: '社区' }, period.level);
  const from = h('input', { type: 'date', value: ymd(period.from) });
  const to = h('input', { type: 'date', value: ymd(new Date(period.to.getTime() - 86_400_000)) });
  const custom = h('span', { hidden: period.preset !== 'custom' }, h('span', { class: 'field-inline' }, field('period-from', '开始日期', from)), h('span', { class: 'field-inline' }, field('period-to', '结束日期（含）', to)));
  preset.addEventListener('change', () => {
    custom.hidden = preset.value !== 'custom';
  });
  return h(
    'form',
    {
      class: 'panel no-print',
      'aria-label': '统计周期',
      onsubmit: (event) => {
        event.preventDefault();
        const end = parseYmd(to.value || ymd(new Date()));
        onChange({ preset: preset.value, level: level.value, from: from.value, to: ymd(new Date(end.getFullYear(), end.getMonth(), end.getDate() + 1)) });
      },
    },
    h('span', { class: 'field-inline' }, field('period-preset', '统计周期', preset)),
    h('span', { class: 'field-inline' }, field('period-level', '统计层级', level)),
    custom,
    h('button', { type: 'submit' }, '查询'),
  );
}

function areaTable(report, base, level, areaMap) {
  const t = report.total;
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'by-area' },
    h('h2', { id: 'by-area' }, `按${AREA_LEVELS[level] || level}统计`),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'stack', id: 'area-table' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, '区域'), ['发现', '化解', '未结', '化解率'].map((x) => h('th', { scope: 'col', class: 'num' }, x)))),
        h(
          'tbody',
          {},
          report.rows.map((r) => {
            const target = { ...base, areaIds: [r.areaId], label: r.name };
            return h(
              'tr',
              { dataset: { areaId: String(r.areaId) } },
              h('th', { scope: 'row', 'data-label': '区域' }, areaLabel(areaMap, r.areaId, r.name)),
              h('td', { class: 'num', 'data-label': '发现' }, numLink(r.found, { ...target, metric: 'found' }, `${r.name} 发现`)),
              h('td', { class: 'num', 'data-label': '化解' }, numLink(r.settled, { ...target, metric: 'settled' }, `${r.name} 化解`)),
              h('td', { class: 'num', 'data-label': '未结' }, numLink(r.open, { ...target, metric: 'open' }, `${r.name} 未结`)),
              h('td', { class: 'num', 'data-label': '化解率' }, fmtRate(r.settlementRate)),
            );
          }),
        ),
        h(
          'tfoot',
          {},
          h('tr', {}, h('td', { 'data-label': '区域' }, '合计'), h('td', { class: 'num', 'data-label': '发现' }, t.found), h('td', { class: 'num', 'data-label': '化解' }, t.settled), h('td', { class: 'num', 'data-label': '未结' }, t.open), h('td', { class: 'num', 'data-label': '化解率' }, fmtRate(t.settlementRate))),
        ),
      ),
    ),
  );
}

function categoryView(categories, base, minCellSize) {
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'by-category' },
    h('h2', { id: 'by-category' }, '按类别统计'),
    categories.length
      ? h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'stack', id: 'category-table' },
            h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, '类别'), h('th', { scope: 'col', class: 'num' }, '发现'), h('th', { scope: 'col', class: 'num' }, '化解'), h('th', { scope: 'col' }, '说明'))),
            h(
              'tbody',
              {},
              categories.map((c) =>
                h(
                  'tr',
                  {},
                  h('th', { scope: 'row', 'data-label': '类别' }, c.category),
                  h('td', { class: 'num', 'data-label': '发现' }, c.found ? numLink(c.found, { ...base, metric: 'found', category: c.category, label: c.category }, `${c.category} 发现`) : c.suppressed ? '—' : '0'),
                  h('td', { class: 'num', 'data-label': '化解' }, c.settled ? numLink(c.settled, { ...base, metric: 'settled', category: c.category, label: c.category }, `${c.category} 化解`) : c.suppressed ? '—' : '0'),
                  h('td', { 'data-label': '说明', class: 'muted small' }, c.suppressed ? `另有 ${c.suppressed} 个区域不足 ${minCellSize || '若干'} 件，为保护隐私不显示` : ''),
                ),
              ),
            ),
          ),
        )
      : h('p', { class: 'muted' }, '本期没有案件。'),
  );
}

/** The cases behind a number: the same filters as the report, applied to GET /cases. */
export async function drillPage({ params, render }) {
  const metric = params.get('metric') || 'found';
  const from = new Date(params.get('from'));
  const to = new Date(params.get('to'));
  const category = params.get('category');
  const areaIds = (params.get('areas') || '').split(',').filter(Boolean).map(Number);
  const [cases, areaMap] = await Promise.all([casesInPeriod(from, to), areas()]);
  const inArea = areaIds.length && areaMap.size ? new Set(areaIds.flatMap((id) => [...subtree(areaMap, id)])) : null;
  const test = metric === 'overdue' ? (c) => isOverdue(c) : (METRICS[metric] || METRICS.found).test;
  const list = cases
    .filter((c) => (!inArea || inArea.has(c.areaId)) && (!category || (c.category || '未分类') === category) && test(c))
    .sort((a, b) => new Date(b.openedAt) - new Date(a.openedAt));
  const metricLabel = metric === 'overdue' ? '逾期' : (METRICS[metric] || METRICS.found).label;
  render(
    h('div', { class: 'page-head' }, h('h1', {}, `${params.get('label') || ''} ${metricLabel}案件`), h('a', { href: '#/dashboard', class: 'no-print', onclick: (e) => (e.preventDefault(), history.back()) }, '← 返回统计')),
    h('p', { class: 'muted' }, `${fmtDate(from)} 至 ${fmtDate(new Date(to.getTime() - 1))} 立案，共 `, h('strong', { id: 'drill-count' }, String(list.length)), ' 件。'),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'stack', id: 'drill-table' },
        h('thead', {}, h('tr', {}, ['案件编号', '等级', '类别', '区域', '状态', '立案时间'].map((x) => h('th', { scope: 'col' }, x)))),
        h(
          'tbody',
          {},
          list.map((c) =>
            h(
              'tr',
              { dataset: { caseId: String(c.id) } },
              h('td', { 'data-label': '案件编号' }, h('a', { href: `#/cases/${c.id}` }, c.number)),
              h('td', { 'data-label': '等级' }, levelBadge(c.level)),
              h('td', { 'data-label': '类别' }, c.category || '未分类'),
              h('td', { 'data-label': '区域' }, areaLabel(areaMap, c.areaId)),
              h('td', { 'data-label': '状态' }, statusBadge(c.status)),
              h('td', { 'data-label': '立案时间' }, timeEl(c.openedAt)),
            ),
          ),
        ),
      ),
    ),
  );
}
