// Small DOM helpers and the Chinese labels used across the console.

/** h('a', { href: '#/x', class: 'c', onclick: fn }, 'text', child) → element. Strings become text nodes (never HTML). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export const LEVELS = { red: '红色', orange: '橙色', yellow: '黄色', blue: '蓝色' };
export const STATUSES = {
  new: '新建',
  assigned: '待签收',
  acknowledged: '已签收',
  in_contact: '联系中',
  responded: '已回应',
  escalated: '已上报',
  handed_over: '已移交',
  settled: '已办结',
  dismissed: '误报撤销',
  merged: '已合并',
};
export const OPEN_STATUSES = ['new', 'assigned', 'acknowledged', 'in_contact', 'responded', 'escalated', 'handed_over'];
export const OUTCOMES = { settled: '已化解', partly_settled: '部分化解', handed_to_department: '移交职能部门', not_settled: '未化解' };
export const RESPONSE_KINDS = { pacifying: '安抚', explanatory: '解释说明', clarification: '澄清', follow_up: '跟进回复' };
export const ROLES = { worker: '社工', supervisor: '街道督办', official: '区级领导', operator: '运维', admin: '管理员' };
export const AREA_LEVELS = { district: '区', street: '街道', community: '社区', compound: '小区' };
export const EVENTS = {
  created: '立案',
  post_attached: '关联新帖',
  assigned: '分派',
  acknowledged: '签收',
  response_published: '发布回应',
  settled: '办结',
  dismissed: '撤销（误报）',
  reopened: '重新打开',
  escalated: '上报',
  comment: '备注',
  contact_logged: '记录联系',
  commitment_recorded: '记录承诺',
  commitment_due: '承诺到期',
  handed_over: '移交职能部门',
  handover_acknowledged: '部门确认接收',
  merged: '合并到其他案件',
  merged_in: '合并入本案',
  reassigned: '改派',
  sla_reminder: '超时提醒',
  sla_escalated: '超时上报',
  reclassified: '更正分类/区域',
  personal_data_revealed: '查看当事人联系方式',
  level_raised: '预警升级',
};
/** Why correlation put a post in a case (the `reason` of post_attached and automatic reopened events). */
export const GROUPING_REASONS = { same_rule: '同一预警规则', same_topic: '同一话题', near_duplicate: '内容近似' };

export function levelBadge(level) {
  return h('span', { class: `badge level-${level}` }, `${LEVELS[level] || level}预警`);
}

export function statusBadge(status) {
  return h('span', { class: 'badge status' }, STATUSES[status] || status);
}

const dateTime = new Intl.DateTimeFormat('zh-CN', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
const dateOnly = new Intl.DateTimeFormat('zh-CN', { year: 'numeric', month: '2-digit', day: '2-digit' });

export function fmtTime(value) {
  return value ? dateTime.format(new Date(value)) : '—';
}
export function fmtDate(value) {
  return value ? dateOnly.format(new Date(value)) : '—';
}
export function timeEl(value) {
  return value ? h('time', { datetime: new Date(value).toISOString() }, fmtTime(value)) : '—';
}

/** "3 分钟前", "2 小时后". */
export function fmtRelative(value, now = Date.now()) {
  if (!value) return '—';
  const diff = new Date(value).getTime() - now;
  const abs = Math.abs(diff);
  const unit = abs < 3_600_000 ? [60_000, '分钟'] : abs < 86_400_000 ? [3_600_000, '小时'] : [86_400_000, '天'];
  const n = Math.max(1, Math.round(abs / unit[0]));
  if (abs < 60_000) return diff < 0 ? '刚刚' : '即将';
  return diff < 0 ? `${n} ${unit[1]}前` : `${n} ${unit[1]}后`;
}

export function fmtRate(rate) {
  return rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)}%`;
}

export function toast(message, kind = 'info') {
  const box = document.getElementById('toasts');
  const el = h('div', { class: `toast ${kind === 'error' ? 'error' : ''}` }, message);
  box.append(el);
  setTimeout(() => el.remove(), 5000);
}

/** A human sentence for an API error, in Chinese. */
export function errorText(error) {
  const byCode = {
    unauthenticated: '登录已失效，请重新登录。',
    forbidden: '您没有权限执行此操作。',
    not_found: '找不到该记录，或不在您的辖区内。',
    invalid_transition: '案件当前状态不允许此操作，页面已刷新。',
    too_many_attempts: '尝试次数过多，请稍后再试。',
    invalid_request: '提交的内容不完整或格式不对。',
  };
  if (error && error.code === 'invalid_request' && error.details && error.details.fields) {
    return `${byCode.invalid_request}（${Object.keys(error.details.fields).join('、')}）`;
  }
  if (error && byCode[error.code]) return byCode[error.code];
  if (error instanceof TypeError) return '无法连接服务器，请检查网络。';
  return `出错了：${(error && error.message) || error}`;
}

/** Labelled form control: returns [label, control] wired by id. */
export function field(id, labelText, control, hint) {
  control.id = id;
  if (!control.name) control.name = id;
  const parts = [h('label', { for: id }, labelText), control];
  if (hint) {
    const hintId = `${id}-hint`;
    control.setAttribute('aria-describedby', hintId);
    parts.push(h('div', { class: 'muted small', id: hintId }, hint));
  }
  return h('div', { class: 'field' }, parts);
}

export function select(options, value) {
  return h(
    'select',
    {},
    Object.entries(options).map(([v, text]) => h('option', { value: v, selected: v === value }, text)),
  );
}

/** Replace the page content and move focus to its heading (screen readers announce the new page). */
export function render(...children) {
  const main = document.getElementById('main');
  main.replaceChildren(...children.flat());
  const heading = main.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: false });
  }
}

/** Area name with its parent ("划船社区 · 白鹤街道") from the scope map. */
export function areaLabel(areaMap, areaId, fallback) {
  const area = areaMap.get(areaId);
  if (!area) return fallback || (areaId ? `区域 #${areaId}` : '—');
  const parent = area.parentId ? areaMap.get(area.parentId) : null;
  return parent && area.level !== 'street' && area.level !== 'district' ? `${area.name} · ${parent.name}` : area.name;
}

/** Ids of `rootId` and every area below it. */
export function subtree(areaMap, rootId) {
  const root = areaMap.get(rootId);
  if (!root) return new Set([rootId]);
  return new Set([...areaMap.values()].filter((a) => a.path.startsWith(root.path)).map((a) => a.id));
}

/** The next SLA due time of a case: of the clocks not met yet, the earliest (null without SLA data). */
export function dueAt(c) {
  if (!OPEN_STATUSES.includes(c.status)) return null;
  const clocks = [
    [c.dueAcknowledgeAt, c.acknowledgedAt],
    [c.dueContactAt, c.firstContactAt || c.firstResponseAt],
    [c.dueResponseAt, c.firstResponseAt],
    [c.dueSettleAt, c.closedAt],
  ];
  const open = clocks.filter(([due, met]) => due && !met).map(([due]) => new Date(due).getTime());
  return open.length ? new Date(Math.min(...open)).toISOString() : c.dueAt || null;
}
export const CLOCKS = { acknowledge: '签收', contact: '联系', response: '回应', settle: '办结' };
export function isOverdue(c, now = Date.now()) {
  if (typeof c.overdue === 'boolean') return c.overdue;
  const due = dueAt(c);
  return !!due && new Date(due).getTime() < now && OPEN_STATUSES.includes(c.status);
}

export function download(filename, content, type) {
  const blob = new Blob([content], { type });
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  setTimeout(() => {
    URL.revokeObjectURL(url);
    a.remove();
  }, 1000);
}
