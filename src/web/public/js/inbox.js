// 社工 inbox: my open cases, most urgent first (warning level, then due time), counts at the top,
// new cases appear without reloading. Supervisors, officials and admins see the cases of their area.
// The server sorts (GET /cases?sort=urgency) and counts (GET /cases/summary): the page loads the most
// urgent PAGE cases and more on request, however many cases the area has.
import { api, areas } from './api.js';
import { watch } from './live.js';
import {
  areaLabel, dueAt, fmtRelative, fmtTime, h, isOverdue, levelBadge, OPEN_STATUSES, statusBadge, toast,
} from './ui.js';

/** How many more cases "显示更多" loads. */
const PAGE = 100;

/** The first `limit` cases of GET /cases for the query, most urgent first, and the total. */
async function urgentCases(query, limit) {
  const items = [];
  let total = 0;
  for (let page = 1; items.length < limit; page++) {
    const params = new URLSearchParams({ ...query, sort: 'urgency', page: String(page), pageSize: String(Math.min(200, limit)) });
    const res = await api(`/cases?${params}`);
    items.push(...res.items);
    total = res.total;
    if (items.length >= total || res.items.length === 0) break;
  }
  return { items: items.slice(0, limit), total };
}

/** When a case reached this list: opened, or assigned (to someone, e.g. to me) later. */
function arrivedAt(c) {
  return Math.max(new Date(c.openedAt).getTime(), c.assignedAt ? new Date(c.assignedAt).getTime() : 0);
}

export async function inboxPage({ user, params, render }) {
  const mineOnly = user.role === 'worker' || params.get('mine') === 'true';
  const showClosed = params.get('status') === 'all';
  const title = user.role === 'worker' ? '我的案件' : '辖区案件';
  const counters = h('div', { class: 'counters', 'aria-label': '案件统计' });
  const list = h('ol', { class: 'case-list', 'aria-label': '案件列表，最紧急的在前' });
  const stamp = h('span', { class: 'muted small', 'aria-live': 'off' });
  const filter = h(
    'div',
    { class: 'row no-print' },
    h('a', { href: '#/inbox', class: showClosed ? 'button secondary' : 'button', 'aria-current': showClosed ? null : 'true' }, '未结案件'),
    h('a', { href: '#/inbox?status=all', class: showClosed ? 'button' : 'button secondary', 'aria-current': showClosed ? 'true' : null }, '全部案件'),
    h('span', { class: 'spacer' }),
    stamp,
  );
  render(h('div', { class: 'page-head' }, h('h1', {}, title)), counters, filter, list);

  const seen = new Set();
  // Cases that arrived while this page was open keep their 新 mark until the page is left (a later
  // refresh does not take it away before the worker has looked).
  const arrived = new Set();
  let first = true;
  const areaMap = await areas();

  let limit = PAGE;
  /** The server's clock at the previous load. */
  let lastLook = 0;
  const more = h('button', { type: 'button', class: 'secondary no-print', id: 'inbox-more', hidden: true }, '显示更多');
  more.addEventListener('click', () => {
    limit += PAGE;
    void load();
  });
  list.after(more);

  async function load() {
    const query = { ...(mineOnly ? { mine: 'true' } : {}), ...(showClosed ? {} : { status: OPEN_STATUSES.join(',') }) };
    const [summary, { items: cases, total }] = await Promise.all([api(`/cases/summary?${new URLSearchParams(query)}`), urgentCases(query, limit)]);
    const now = Date.now();
    // News: cases not shown before that were opened or assigned since the last look. Not news: cases that only
    // came into view (显示更多, or others above them were closed).
    const fresh = first ? [] : cases.filter((c) => !seen.has(c.id) && arrivedAt(c) > lastLook - 5000);
    lastLook = new Date(summary.asOf).getTime();
    for (const c of fresh) arrived.add(c.id);
    counters.replaceChildren(
      counter('未结案件', summary.open, 'count-open'),
      counter('待签收', summary.unacknowledged, 'count-unacknowledged'),
      counter('已逾期', summary.overdue, 'count-overdue', true),
      counter('红色/橙色预警', summary.high, 'count-high', true),
    );
    list.replaceChildren(
      ...(cases.length
        ? cases.map((c) => caseItem(c, areaMap, now, arrived.has(c.id)))
        : [h('li', { class: 'panel muted' }, showClosed ? '暂无案件。' : '暂无未结案件，新案件会自动出现在这里。')]),
    );
    more.hidden = total <= cases.length;
    more.textContent = `显示更多（还有 ${total - cases.length} 件）`;
    for (const c of cases) seen.add(c.id);
    if (fresh.length) toast(`收到 ${fresh.length} 件新案件：${fresh.map((c) => c.category || c.number).join('、')}`);
    stamp.textContent = `更新于 ${fmtTime(new Date())}`;
    first = false;
  }

  await load();
  return watch(() => load());
}

function counter(label, value, id, alert = false) {
  return h(
    'div',
    { class: `counter ${alert && value > 0 ? 'alert' : ''}`, id },
    h('div', { class: 'value' }, String(value)),
    h('div', { class: 'label' }, label),
  );
}

function caseItem(c, areaMap, now, isNew) {
  const due = dueAt(c);
  const overdue = isOverdue(c, now);
  return h(
    'li',
    { class: `case-item lv-${c.level} ${isNew ? 'is-new' : ''}`, dataset: { caseId: String(c.id) } },
    h(
      'a',
      { href: `#/cases/${c.id}` },
      h(
        'div',
        { class: 'title' },
        levelBadge(c.level),
        h('span', {}, c.category || '未分类'),
        h('span', { class: 'muted' }, '·'),
        h('span', {}, areaLabel(areaMap, c.areaId)),
        overdue ? h('span', { class: 'badge overdue' }, '已逾期') : null,
        isNew ? h('span', { class: 'badge new-item' }, '新') : null,
      ),
      h(
        'div',
        { class: 'meta' },
        h('span', {}, c.number),
        statusBadge(c.status),
        h('span', {}, `${c.postCount} 条帖子`),
        h('span', {}, `立案 ${fmtRelative(c.openedAt, now)}`),
        due ? h('span', {}, `${overdue ? '已超时' : '期限'} ${fmtRelative(due, now)}（${fmtTime(due)}）`) : null,
      ),
    ),
  );
}
