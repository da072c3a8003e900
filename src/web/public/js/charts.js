// Charts as inline SVG built in the page (no library, nothing loaded from elsewhere).
const NS = 'http://www.w3.org/2000/svg';

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children.flat()) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

export const SERIES = { found: { name: '发现', color: '#1f5f8b' }, settled: { name: '化解', color: '#2e7d32' }, rate: { name: '化解率', color: '#d9640b' } };

function niceMax(value) {
  if (value <= 5) return 5;
  const pow = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 2.5, 5, 10].find((m) => m * pow >= value / 5) * pow;
  return Math.ceil(value / step) * step;
}

/** Horizontal grouped bars: one group per area, bars for found and settled. */
export function areaChart(rows, { label = '各区域发现与化解' } = {}) {
  const left = 110;
  const width = 600;
  const group = 34;
  const top = 10;
  const height = top + rows.length * group + 28;
  const max = niceMax(Math.max(1, ...rows.map((r) => r.found)));
  const x = (v) => left + ((width - left - 40) * v) / max;
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `${label}：${rows.map((r) => `${r.name} 发现 ${r.found} 化解 ${r.settled}`).join('；')}` });
  svg.append(s('title', {}, label));
  for (let i = 0; i <= 5; i++) {
    const v = (max / 5) * i;
    svg.append(s('line', { x1: x(v), x2: x(v), y1: top, y2: height - 22, stroke: '#e3e8ee' }));
    svg.append(s('text', { x: x(v), y: height - 6, 'font-size': 11, 'text-anchor': 'middle', fill: '#5b6775' }, Number.isInteger(v) ? v : v.toFixed(1)));
  }
  rows.forEach((r, i) => {
    const y = top + i * group;
    svg.append(s('text', { x: left - 8, y: y + 19, 'font-size': 12, 'text-anchor': 'end', fill: '#1d2733' }, r.name.length > 8 ? r.name.slice(0, 8) + '…' : r.name));
    svg.append(s('rect', { x: left, y: y + 4, width: Math.max(0, x(r.found) - left), height: 12, fill: SERIES.found.color }, s('title', {}, `${r.name} 发现 ${r.found}`)));
    svg.append(s('rect', { x: left, y: y + 17, width: Math.max(0, x(r.settled) - left), height: 12, fill: SERIES.settled.color }, s('title', {}, `${r.name} 化解 ${r.settled}`)));
    svg.append(s('text', { x: x(r.found) + 4, y: y + 14, 'font-size': 10, fill: '#5b6775' }, r.found));
  });
  return svg;
}

/** Trend: bars for found and settled per period, a line for the settlement rate (right axis, 0–100 %). */
export function trendChart(points, { label = '发现与化解趋势' } = {}) {
  const width = 600;
  const height = 260;
  const left = 36;
  const right = 44;
  const top = 12;
  const bottom = 34;
  const max = niceMax(Math.max(1, ...points.map((p) => p.found)));
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const slot = plotW / Math.max(1, points.length);
  const y = (v) => top + plotH - (plotH * v) / max;
  const yRate = (r) => top + plotH - plotH * r;
  const svg = s('svg', {
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': `${label}：${points.map((p) => `${p.label} 发现 ${p.found} 化解 ${p.settled}`).join('；')}`,
  });
  svg.append(s('title', {}, label));
  for (let i = 0; i <= 5; i++) {
    const v = (max / 5) * i;
    svg.append(s('line', { x1: left, x2: width - right, y1: y(v), y2: y(v), stroke: '#e3e8ee' }));
    svg.append(s('text', { x: left - 6, y: y(v) + 4, 'font-size': 11, 'text-anchor': 'end', fill: '#5b6775' }, Number.isInteger(v) ? v : v.toFixed(1)));
    svg.append(s('text', { x: width - right + 6, y: yRate(i / 5) + 4, 'font-size': 11, fill: SERIES.rate.color }, `${i * 20}%`));
  }
  const bar = Math.min(22, slot / 3);
  const linePoints = [];
  points.forEach((p, i) => {
    const cx = left + slot * i + slot / 2;
    svg.append(s('rect', { x: cx - bar - 1, y: y(p.found), width: bar, height: top + plotH - y(p.found), fill: SERIES.found.color }, s('title', {}, `${p.label} 发现 ${p.found}`)));
    svg.append(s('rect', { x: cx + 1, y: y(p.settled), width: bar, height: top + plotH - y(p.settled), fill: SERIES.settled.color }, s('title', {}, `${p.label} 化解 ${p.settled}`)));
    svg.append(s('text', { x: cx, y: height - 12, 'font-size': 11, 'text-anchor': 'middle', fill: '#1d2733' }, p.label));
    if (p.rate !== null && p.rate !== undefined) linePoints.push([cx, yRate(p.rate)]);
  });
  if (linePoints.length) {
    svg.append(s('polyline', { points: linePoints.map((pt) => pt.join(',')).join(' '), fill: 'none', stroke: SERIES.rate.color, 'stroke-width': 2 }));
    for (const [cx, cy] of linePoints) svg.append(s('circle', { cx, cy, r: 3.5, fill: SERIES.rate.color }));
  }
  return svg;
}

export function legend(keys) {
  const div = document.createElement('div');
  div.className = 'legend';
  for (const key of keys) {
    const item = document.createElement('span');
    const swatch = document.createElement('i');
    swatch.style.background = SERIES[key].color;
    item.append(swatch, SERIES[key].name);
    div.append(item);
  }
  return div;
}
