// Periods, trend buckets and the settlement report shared by the dashboard and the monthly report.
import { allCases, api } from './api.js';

const pad = (n) => String(n).padStart(2, '0');
/** 'YYYY-MM-DD' of a local date. */
export const ymd = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
/** Local midnight of 'YYYY-MM-DD'. */
export const parseYmd = (s) => {
  const [y, m, d] = s.split('-').map(Number);
  return new Date(y, m - 1, d);
};
const addDays = (d, n) => new Date(d.getFullYear(), d.getMonth(), d.getDate() + n);
const addMonths = (d, n) => new Date(d.getFullYear(), d.getMonth() + n, 1);

export const PRESETS = {
  'this-month': '本月',
  'last-month': '上月',
  'last-7': '近 7 天',
  'last-30': '近 30 天',
  'this-quarter': '本季度',
  'this-year': '本年',
  custom: '自定义',
};

/** [from, to) as local dates for a preset, `to` exclusive. */
export function presetRange(preset, today = new Date()) {
  const day = new Date(today.getFullYear(), today.getMonth(), today.getDate());
  const month = new Date(day.getFullYear(), day.getMonth(), 1);
  switch (preset) {
    case 'last-month':
      return [addMonths(month, -1), month];
    case 'last-7':
      return [addDays(day, -6), addDays(day, 1)];
    case 'last-30':
      return [addDays(day, -29), addDays(day, 1)];
    case 'this-quarter': {
      const q = new Date(day.getFullYear(), Math.floor(day.getMonth() / 3) * 3, 1);
      return [q, addMonths(q, 3)];
    }
    case 'this-year':
      return [new Date(day.getFullYear(), 0, 1), new Date(day.getFullYear() + 1, 0, 1)];
    default:
      return [month, addMonths(month, 1)];
  }
}

export const isMonthRange = (from, to) => from.getDate() === 1 && to.getDate() === 1 && (to.getFullYear() - from.getFullYear()) * 12 + to.getMonth() - from.getMonth() === 1;

/** The `count` periods ending with [from, to): calendar months when the period is one month, else equal lengths. */
export function trendBuckets(from, to, count = 6) {
  const buckets = [];
  if (isMonthRange(from, to)) {
    for (let i = count - 1; i >= 0; i--) {
      const start = addMonths(from, -i);
      buckets.push({ from: start, to: addMonths(start, 1), label: `${start.getMonth() + 1}月` });
    }
    return buckets;
  }
  const len = to.getTime() - from.getTime();
  for (let i = count - 1; i >= 0; i--) {
    const start = new Date(from.getTime() - i * len);
    const end = new Date(to.getTime() - i * len);
    buckets.push({ from: start, to: end, label: `${start.getMonth() + 1}/${start.getDate()}` });
  }
  return buckets;
}

export function settlement(from, to, level) {
  const q = new URLSearchParams({ from: from.toISOString(), to: to.toISOString(), level });
  return api(`/reports/settlement?${q}`);
}

/** Cases counted by the report for [from, to): opened in the period (the server selects them), neither dismissed nor merged. */
export async function casesInPeriod(from, to) {
  const opened = await allCases({ openedFrom: from.toISOString(), openedTo: to.toISOString() });
  return opened.filter((c) => c.status !== 'dismissed' && c.status !== 'merged');
}

export const METRICS = {
  found: { label: '发现', test: () => true },
  settled: { label: '化解', test: (c) => c.status === 'settled' && c.outcome === 'settled' },
  open: { label: '未结', test: (c) => !['settled', 'dismissed', 'merged'].includes(c.status) },
};

export function fmtDuration(minutes) {
  if (minutes === null || minutes === undefined) return '—';
  if (minutes < 1) return '不到 1 分钟';
  if (minutes < 60) return `${Math.round(minutes)} 分钟`;
  if (minutes < 48 * 60) return `${(minutes / 60).toFixed(1)} 小时`;
  return `${(minutes / 1440).toFixed(1)} 天`;
}

/** Per-category figures from the report's cells, small cells counted as suppressed. */
export function categoryTable(report) {
  const byCategory = new Map();
  for (const row of report.rows) {
    for (const cell of row.categories || []) {
      const entry = byCategory.get(cell.category) || { category: cell.category, found: 0, settled: 0, suppressed: 0 };
      if (cell.suppressed) entry.suppressed++;
      else {
        entry.found += cell.found;
        entry.settled += cell.settled;
      }
      byCategory.set(cell.category, entry);
    }
  }
  return [...byCategory.values()].sort((a, b) => b.found - a.found || a.category.localeCompare(b.category, 'zh-CN'));
}

