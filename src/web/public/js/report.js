// The printable monthly report (print CSS hides the console around it; A4 portrait).
import { areas } from './api.js';
import { areaChart, legend, trendChart } from './charts.js';
import { categoryTable, fmtDuration, settlement, trendBuckets } from './figures.js';
import { AREA_LEVELS, field, fmtRate, fmtTime, h } from './ui.js';

export async function reportPage({ params, user, render }) {
  const now = new Date();
  const month = /^\d{4}-\d{2}$/.test(params.get('month') || '') ? params.get('month') : `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}`;
  const [y, m] = month.split('-').map(Number);
  const from = new Date(y, m - 1, 1);
  const to = new Date(y, m, 1);
  const level = user.role === 'supervisor' ? 'community' : 'street';
  const buckets = trendBuckets(from, to, 6);
  const [report, areaMap, trend] = await Promise.all([
    settlement(from, to, level),
    areas(),
    Promise.all(buckets.map((b) => settlement(b.from, b.to, level))),
  ]);
  const times = report.medianMinutes;
  const categories = categoryTable(report);
  const scopeName = [...areaMap.values()].filter((a) => !areaMap.has(a.parentId)).map((a) => a.name).join('、') || '辖区';
  const t = report.total;
  const best = report.rows.filter((r) => r.found > 0).sort((a, b) => (b.settlementRate ?? 0) - (a.settlementRate ?? 0))[0];

  const monthInput = h('input', { type: 'month', value: month });
  render(
    h(
      'form',
      {
        class: 'panel no-print row',
        'aria-label': '选择月份',
        onsubmit: (event) => {
          event.preventDefault();
          if (monthInput.value) location.hash = `#/report?month=${monthInput.value}`;
        },
      },
      h('span', { class: 'field-inline' }, field('report-month', '报告月份', monthInput)),
      h('button', { type: 'submit', class: 'secondary' }, '生成'),
      h('button', { type: 'button', id: 'print-report', onclick: () => window.print() }, '打印 / 另存为 PDF'),
    ),
    h(
      'article',
      { class: 'report-page', id: 'monthly-report' },
      h('h1', {}, `${scopeName}网络舆情矛盾纠纷化解月报`),
      h('p', { class: 'subtitle' }, `${y} 年 ${m} 月`),
      h('h2', {}, '一、总体情况'),
      h(
        'p',
        { id: 'report-summary' },
        `本月通过网络舆情监测共发现矛盾纠纷 ${t.found} 件，已化解 ${t.settled} 件，化解率 ${fmtRate(t.settlementRate)}；尚有 ${t.open} 件正在处置` +
          `${report.overdue ? `，其中 ${report.overdue} 件已超过处置期限` : ''}。` +
          `签收用时中位数 ${fmtDuration(times.acknowledge)}，首次回应用时中位数 ${fmtDuration(times.respond)}，办结用时中位数 ${fmtDuration(times.settle)}。` +
          (best ? `化解率最高的是${best.name}（${fmtRate(best.settlementRate)}）。` : ''),
      ),
      h('h2', {}, `二、各${AREA_LEVELS[level]}情况`),
      h(
        'table',
        {},
        h('thead', {}, h('tr', {}, h('th', {}, '区域'), ['发现', '化解', '未结', '化解率'].map((x) => h('th', { class: 'num' }, x)))),
        h('tbody', {}, report.rows.map((r) => h('tr', {}, h('td', {}, r.name), h('td', { class: 'num' }, r.found), h('td', { class: 'num' }, r.settled), h('td', { class: 'num' }, r.open), h('td', { class: 'num' }, fmtRate(r.settlementRate))))),
        h('tfoot', {}, h('tr', {}, h('td', {}, '合计'), h('td', { class: 'num' }, t.found), h('td', { class: 'num' }, t.settled), h('td', { class: 'num' }, t.open), h('td', { class: 'num' }, fmtRate(t.settlementRate)))),
      ),
      h('h2', {}, '三、按类别'),
      categories.length
        ? h(
            'table',
            {},
            h('thead', {}, h('tr', {}, h('th', {}, '类别'), h('th', { class: 'num' }, '发现'), h('th', { class: 'num' }, '化解'))),
            h('tbody', {}, categories.map((c) => h('tr', {}, h('td', {}, c.category), h('td', { class: 'num' }, c.suppressed && !c.found ? '—' : c.found), h('td', { class: 'num' }, c.suppressed && !c.found ? '—' : c.settled)))),
          )
        : h('p', {}, '本月没有案件。'),
      h('h2', {}, '四、趋势与分布'),
      h(
        'div',
        { class: 'charts' },
        h('figure', { class: 'chart', style: 'margin:0' }, h('figcaption', {}, '近六个月'), legend(['found', 'settled', 'rate']), trendChart(trend.map((r, i) => ({ label: buckets[i].label, found: r.total.found, settled: r.total.settled, rate: r.total.settlementRate })))),
        h('figure', { class: 'chart', style: 'margin:0' }, h('figcaption', {}, `按${AREA_LEVELS[level]}`), legend(['found', 'settled']), areaChart(report.rows)),
      ),
      h('p', { class: 'muted small', style: 'margin-top:1.5rem' }, `数据来源：听风网络舆情预警系统；统计口径：本月立案的案件（不含误报撤销与合并）。生成时间：${fmtTime(new Date())}。`),
    ),
  );
}
