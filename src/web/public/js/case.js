// Case page: the posts behind the case with the matched terms highlighted and why each rule fired,
// area and category, responses, the timeline, and the actions the case's status allows.
import { api, areas, areaTree, isMissingRoute, optional } from './api.js';
import { firedTerms, highlightSegments } from './highlight.js';
import {
  areaLabel, AREA_LEVELS, CLOCKS, dueAt, errorText, EVENTS, field, fmtRelative, h, isOverdue, LEVELS, levelBadge, OUTCOMES,
  GROUPING_REASONS, RESPONSE_KINDS, select, statusBadge, timeEl, toast,
} from './ui.js';
import { EXTRA_ACTIONS } from './case-extras.js';

/** Which action is allowed from which status (mirrors src/cases/case-lifecycle.ts; the server has the last word). */
const WORKING = ['acknowledged', 'in_contact', 'responded', 'escalated', 'handed_over'];
const FROM = {
  acknowledge: ['assigned', 'escalated'],
  log_contact: ['acknowledged', 'in_contact', 'responded'],
  respond: ['acknowledged', 'in_contact', 'responded', 'handed_over'],
  hand_over: ['acknowledged', 'in_contact', 'responded', 'escalated'],
  escalate: ['assigned', 'acknowledged', 'in_contact', 'responded'],
  record_commitment: ['acknowledged', 'in_contact', 'responded', 'handed_over'],
  settle: WORKING,
  dismiss: ['new', 'assigned', ...WORKING],
};

export function allowed(detail) {
  const base = Array.isArray(detail.allowedActions) ? detail.allowedActions : Object.keys(FROM).filter((action) => FROM[action].includes(detail.status));
  return [...base, 'comment'];
}

let rulesByCode = null;
async function ruleNames() {
  if (!rulesByCode) {
    const rules = await optional('/rules').catch(() => null);
    const list = Array.isArray(rules) ? rules : rules && Array.isArray(rules.items) ? rules.items : [];
    rulesByCode = new Map(list.map((r) => [r.code, r]));
  }
  return rulesByCode;
}

export async function casePage({ args, user, render }) {
  const id = Number(args[0]);
  const [areaMap, rules] = await Promise.all([areas(), ruleNames()]);
  let stopped = false;

  async function show(focusId) {
    const detail = await api(`/cases/${id}`);
    if (stopped) return;
    const mayAct = detail.assigneeId === user.id || ['supervisor', 'official', 'admin'].includes(user.role);
    const actions = mayAct ? await actionPanel(detail, show, user) : null;
    render(
      h(
        'div',
        { class: 'page-head' },
        h('h1', {}, `案件 ${detail.number}`),
        h('a', { href: '#/inbox', class: 'no-print' }, '← 返回案件列表'),
      ),
      h(
        'div',
        { class: 'case-grid' },
        h(
          'div',
          {},
          summary(detail, areaMap),
          h('section', { class: 'panel', 'aria-labelledby': 'posts-title' }, h('h2', { id: 'posts-title' }, `相关帖子（${detail.posts.length}）`), ...detail.posts.map((p) => postView(p, rules, areaMap))),
          responsesView(detail),
        ),
        h('div', {}, actions, timelineView(detail, user)),
      ),
    );
    if (focusId) document.getElementById(focusId)?.focus();
  }

  await show();
  return () => {
    stopped = true;
  };
}

function summary(detail, areaMap) {
  const due = dueAt(detail);
  const area = detail.area;
  return h(
    'section',
    { class: 'panel', 'aria-label': '案件概况' },
    h('div', { class: 'row' }, levelBadge(detail.level), statusBadge(detail.status), isOverdue(detail) ? h('span', { class: 'badge overdue' }, `已逾期${(detail.overdueClocks || []).length ? '：' + detail.overdueClocks.map((k) => CLOCKS[k] || k).join('、') : ''}`) : null),
    h(
      'dl',
      { class: 'facts', style: 'margin-top:.6rem' },
      h('dt', {}, '类别'), h('dd', { id: 'case-category' }, detail.category || '未分类'),
      h('dt', {}, '区域'), h('dd', { id: 'case-area' }, area ? `${areaLabel(areaMap, area.id, area.name)}（${AREA_LEVELS[area.level] || area.level}）` : areaLabel(areaMap, detail.areaId)),
      h('dt', {}, '预警等级'), h('dd', {}, `${LEVELS[detail.level] || detail.level}预警`),
      h('dt', {}, '立案时间'), h('dd', {}, timeEl(detail.openedAt)),
      detail.acknowledgedAt ? [h('dt', {}, '签收时间'), h('dd', {}, timeEl(detail.acknowledgedAt))] : null,
      detail.firstResponseAt ? [h('dt', {}, '首次回应'), h('dd', {}, timeEl(detail.firstResponseAt))] : null,
      due ? [h('dt', {}, '处置期限'), h('dd', {}, timeEl(due), `（${fmtRelative(due)}）`)] : null,
      detail.closedAt ? [h('dt', {}, '办结时间'), h('dd', {}, timeEl(detail.closedAt))] : null,
      detail.outcome ? [h('dt', {}, '办结结果'), h('dd', { id: 'case-outcome' }, OUTCOMES[detail.outcome] || detail.outcome)] : null,
    ),
  );
}

function marked(text, terms) {
  return highlightSegments(text, terms).map((s) => (s.term ? h('mark', { title: `命中词：${s.term}` }, s.text) : s.text));
}

function postView(post, rules, areaMap) {
  const analysis = post.analysis;
  const terms = firedTerms(analysis);
  return h(
    'article',
    { class: 'post', dataset: { postId: String(post.id) } },
    h('h3', {}, marked(post.title, terms)),
    h(
      'div',
      { class: 'muted small row' },
      h('span', {}, post.author ? `发帖人：${post.author}` : '发帖人未知'),
      h('span', {}, '发布于 ', timeEl(post.publishedAt || post.fetchedAt)),
      post.revision > 1 ? h('span', {}, `第 ${post.revision} 次修改`) : null,
      h('a', { href: post.url, target: '_blank', rel: 'noopener noreferrer' }, '查看原帖'),
    ),
    post.textPurgedAt
      ? h('p', { class: 'muted' }, '原文已按保留期限清除。')
      : h('p', { class: 'post-body' }, marked(post.body, terms)),
    analysis ? whyView(analysis, rules, areaMap) : h('p', { class: 'muted small' }, '尚未分析。'),
  );
}

function whyView(analysis, rules, areaMap) {
  const located = analysis.matchedAlias
    ? `由地名“${analysis.matchedAlias}”定位到 ${areaLabel(areaMap, analysis.areaId)}（置信度 ${Math.round((analysis.areaConfidence || 0) * 100)}%）`
    : `帖子未提及已知地名，按数据源的默认区域归入 ${areaLabel(areaMap, analysis.areaId)}`;
  return h(
    'div',
    { class: 'why' },
    h('strong', {}, '为何预警'),
    h(
      'ul',
      {},
      (analysis.firedRules || []).map((rule) => {
        const counts = new Map();
        for (const hit of rule.hits || []) counts.set(hit.term, (counts.get(hit.term) || 0) + 1);
        const known = rules.get(rule.code);
        return h(
          'li',
          { class: 'fired-rule' },
          `规则“${known && known.name ? known.name : rule.code}”（${LEVELS[rule.level] || rule.level}预警，第 ${rule.version} 版）命中：`,
          [...counts].map(([term, n], i) => [i ? '、' : '', h('mark', {}, term), n > 1 ? ` ×${n}` : '']),
        );
      }),
    ),
    h('div', {}, `类别：${analysis.category || '未分类'}；${located}。`),
    analysis.keywords && analysis.keywords.length ? h('div', { class: 'muted small' }, `关键词：${analysis.keywords.slice(0, 12).join('、')}`) : null,
  );
}

function responsesView(detail) {
  if (!detail.responses || !detail.responses.length) return null;
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'responses-title' },
    h('h2', { id: 'responses-title' }, `已发布的回应（${detail.responses.length}）`),
    detail.responses.map((r) =>
      h(
        'div',
        { class: 'post response' },
        h('div', { class: 'row small muted' }, h('span', { class: 'badge' }, RESPONSE_KINDS[r.kind] || r.kind), timeEl(r.publishedAt)),
        h('p', { class: 'post-body' }, r.text),
        r.publishedUrl ? h('div', { class: 'small' }, '发布位置：', h('a', { href: r.publishedUrl, target: '_blank', rel: 'noopener noreferrer' }, r.publishedUrl)) : null,
      ),
    ),
  );
}

function eventText(event, user) {
  const who = event.actorId === null || event.actorId === undefined ? '系统' : event.actorId === user.id ? '我' : `用户 #${event.actorId}`;
  const d = event.data || {};
  const extra = [
    event.type === 'level_raised' && d.from && d.to ? `${LEVELS[d.from] || d.from} → ${LEVELS[d.to] || d.to}` : '',
    d.outcome ? `结果：${OUTCOMES[d.outcome] || d.outcome}` : '',
    d.kind ? `类型：${RESPONSE_KINDS[d.kind] || d.kind}` : '',
    d.note ? `说明：${d.note}` : '',
    d.reason ? `原因：${GROUPING_REASONS[d.reason] || d.reason}` : '',
    d.postId ? `帖子 #${d.postId}` : '',
  ].filter(Boolean);
  return `${EVENTS[event.type] || event.type} · ${who}${extra.length ? ' · ' + extra.join('；') : ''}`;
}

function timelineView(detail, user) {
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'timeline-title' },
    h('h2', { id: 'timeline-title' }, '处置时间线'),
    h('ol', { class: 'timeline', id: 'timeline' }, detail.timeline.map((e) => h('li', {}, timeEl(e.at), eventText(e, user)))),
  );
}

/** Runs one action; on success shows the case again, on failure says why in Chinese. */
async function perform(button, run, done, reshow, focusId) {
  button.disabled = true;
  try {
    await run();
    toast(done);
    await reshow(focusId);
  } catch (error) {
    if (isMissingRoute(error)) {
      // This server does not have the action yet: take the control away.
      toast('此操作在当前服务器上尚未开放。', 'error');
      (button.closest('details') || button.closest('form'))?.remove();
      return;
    }
    toast(errorText(error), 'error');
    button.disabled = false;
    if (error && error.code === 'invalid_transition') await reshow();
  }
}

async function actionPanel(detail, reshow, user) {
  const can = allowed(detail);
  const parts = [];
  if (can.includes('acknowledge')) {
    const button = h('button', { type: 'button', id: 'act-acknowledge' }, '签收案件');
    button.addEventListener('click', () =>
      perform(button, () => api(`/cases/${detail.id}/acknowledge`, { method: 'POST' }), '已签收。', reshow, 'act-respond-text'),
    );
    parts.push(h('p', { class: 'muted small' }, '签收后即可联系当事人、发布回应。'), button);
  }
  if (can.includes('respond')) parts.push(await respondForm(detail, reshow));
  if (can.includes('settle')) parts.push(settleForm(detail, reshow));
  for (const extra of EXTRA_ACTIONS) {
    if (!can.includes(extra.action)) continue;
    parts.push(extra.form(detail, (button, run, done) => perform(button, run, done, reshow)));
  }
  if (correctionAvailable) parts.push(await correctionForm(detail, reshow, user));
  if (!parts.filter((p) => !(p instanceof Element && p.id === 'extra-correct')).length) {
    parts.unshift(h('p', { class: 'muted' }, detail.status === 'settled' ? '案件已办结。' : '当前状态下没有可执行的操作。'));
  }
  return h('section', { class: 'panel actions', 'aria-labelledby': 'actions-title' }, h('h2', { id: 'actions-title' }, '处置操作'), parts);
}

async function respondForm(detail, reshow) {
  const kind = select(RESPONSE_KINDS, 'pacifying');
  const text = h('textarea', { required: true, minlength: 2, maxlength: 5000 });
  const url = h('input', { type: 'url', inputmode: 'url', placeholder: 'https://…' });
  const button = h('button', { type: 'submit' }, '发布回应');
  const templates = await loadTemplates(detail.id);
  let chosen = null;
  const variablesHost = h('div', {});
  const templatePicker = templates.length
    ? field(
        'act-respond-template',
        '使用模板',
        h(
          'select',
          {
            onchange: (event) => {
              chosen = event.target.value === '' ? null : templates[Number(event.target.value)] || null;
              variablesHost.replaceChildren();
              if (!chosen) return;
              text.value = chosen.text || '';
              if (chosen.kind && RESPONSE_KINDS[chosen.kind]) kind.value = chosen.kind;
              (chosen.variables || []).forEach((name, i) => variablesHost.append(field(`act-respond-var-${i}`, `模板填空：${name}`, h('input', { required: true, dataset: { variable: name } }))));
            },
          },
          h('option', { value: '' }, '（不使用模板，自己撰写）'),
          templates.map((t, i) => h('option', { value: String(i) }, `${RESPONSE_KINDS[t.kind] || t.kind}模板`)),
        ),
        '选择后可修改；{{…}} 处由系统或下方填空自动填写。',
      )
    : null;
  return h(
    'form',
    {
      'aria-labelledby': 'respond-title',
      onsubmit: (event) => {
        event.preventDefault();
        const body = { kind: kind.value };
        if (chosen && text.value === chosen.text && chosen.kind === kind.value) {
          // Unchanged template: the server renders it with the built-in variables and these.
          body.variables = Object.fromEntries([...variablesHost.querySelectorAll('input')].map((el) => [el.dataset.variable, el.value.trim()]));
        } else {
          body.text = text.value.trim();
        }
        if (url.value.trim()) body.publishedUrl = url.value.trim();
        perform(button, () => api(`/cases/${detail.id}/responses`, { method: 'POST', body }), '回应已记录。', reshow, 'act-settle-outcome');
      },
    },
    h('h3', { id: 'respond-title' }, '发布回应'),
    templatePicker,
    variablesHost,
    field('act-respond-kind', '回应类型', kind),
    field('act-respond-text', '回应内容', text, '将在论坛上发布的安抚或解释文字。'),
    field('act-respond-url', '发布地址（可选）', url, '回应实际发布的帖子链接。'),
    h('div', { style: 'margin-top:.6rem' }, button),
  );
}

async function loadTemplates(caseId) {
  const list = await optional(`/cases/${caseId}/response-templates`).catch(() => null);
  return Array.isArray(list) ? list : [];
}

function settleForm(detail, reshow) {
  const outcome = select(OUTCOMES, 'settled');
  const note = h('textarea', { maxlength: 2000 });
  const button = h('button', { type: 'submit' }, '办结案件');
  return h(
    'form',
    {
      'aria-labelledby': 'settle-title',
      onsubmit: (event) => {
        event.preventDefault();
        const body = { outcome: outcome.value };
        if (note.value.trim()) body.note = note.value.trim();
        perform(button, () => api(`/cases/${detail.id}/settle`, { method: 'POST', body }), '案件已办结。', reshow);
      },
    },
    h('h3', { id: 'settle-title' }, '办结'),
    field('act-settle-outcome', '办结结果', outcome),
    field('act-settle-note', '办结说明（可选）', note),
    h('div', { style: 'margin-top:.6rem' }, button),
  );
}

/** False once the server said it has no PATCH /cases/:id/classification route (an older server). */
let correctionAvailable = true;
let correctionOptions = null;
let correctionOptionsFor = null;

/** Categories (those of the rules, when this user may read them, and of the cases in view) and communities. */
async function loadCorrectionOptions(userId) {
  if (correctionOptionsFor !== userId) correctionOptions = null;
  correctionOptionsFor = userId;
  if (!correctionOptions) {
    correctionOptions = (async () => {
      const [rules, page, list] = await Promise.all([
        ruleNames(),
        optional('/cases?page=1&pageSize=200').catch(() => null),
        optional('/areas').catch(() => null),
      ]);
      const categories = new Set([...rules.values()].map((r) => r.category).filter(Boolean));
      for (const c of (page && page.items) || []) if (c.category) categories.add(c.category);
      const tree = areaTree(list || []);
      const communities = [...tree.values()]
        .filter((a) => a.level === 'community')
        .map((a) => ({ code: a.code, id: a.id, label: areaLabel(tree, a.id) }))
        .sort((a, b) => a.label.localeCompare(b.label, 'zh-CN'));
      return { categories: [...categories].sort((a, b) => a.localeCompare(b, 'zh-CN')), communities };
    })().catch((error) => {
      correctionOptions = null;
      throw error;
    });
  }
  return correctionOptions;
}

/** 更正分类/区域: PATCH /cases/:id/classification { category?, areaCode?, reason }; the correction feeds the classifier and the gazetteer. */
async function correctionForm(detail, reshow, user) {
  const { categories, communities } = await loadCorrectionOptions(user.id);
  const currentCategory = detail.category || '';
  const currentCode = detail.area ? detail.area.code : (communities.find((c) => c.id === detail.areaId) || {}).code || '';
  const categoryOptions = [...new Set([currentCategory, ...categories].filter(Boolean))];
  const category = h(
    'select',
    {},
    currentCategory ? null : h('option', { value: '' }, '（未分类）'),
    categoryOptions.map((c) => h('option', { value: c, selected: c === currentCategory }, c === currentCategory ? `${c}（当前）` : c)),
  );
  const areaOptions = communities.some((c) => c.code === currentCode) || !currentCode ? communities : [{ code: currentCode, label: detail.area ? detail.area.name : currentCode }, ...communities];
  const area = h(
    'select',
    {},
    currentCode ? null : h('option', { value: '' }, '（未定位）'),
    areaOptions.map((c) => h('option', { value: c.code, selected: c.code === currentCode }, c.code === currentCode ? `${c.label}（当前）` : c.label)),
  );
  const reason = h('textarea', { required: true, minlength: 2, maxlength: 500, placeholder: '如：帖子说的是镇安新村，不是划船社区' });
  const message = h('div', { class: 'error-box small', role: 'alert', hidden: true });
  const button = h('button', { type: 'submit' }, '提交更正');
  return h(
    'details',
    { class: 'extra-action correction', id: 'extra-correct' },
    h('summary', {}, '更正分类/区域'),
    h(
      'form',
      {
        'aria-label': '更正分类或区域',
        onsubmit: (event) => {
          event.preventDefault();
          message.hidden = true;
          const body = { reason: reason.value.trim() };
          if (category.value && category.value !== currentCategory) body.category = category.value;
          if (area.value && area.value !== currentCode) body.areaCode = area.value;
          if (!body.category && !body.areaCode) {
            message.textContent = '请先选择新的类别或区域。';
            message.hidden = false;
            category.focus();
            return;
          }
          perform(
            button,
            async () => {
              try {
                return await api(`/cases/${detail.id}/classification`, { method: 'PATCH', body });
              } catch (error) {
                if (isMissingRoute(error)) correctionAvailable = false;
                throw error;
              }
            },
            '分类/区域已更正。',
            reshow,
          );
        },
      },
      h('p', { class: 'muted small' }, '更正会记入时间线，并用于改进自动分类和地名库。'),
      field('act-correct-category', '类别', category),
      field('act-correct-area', '所属社区', area),
      field('act-correct-reason', '更正原因', reason),
      message,
      h('div', { style: 'margin-top:.6rem' }, button),
    ),
  );
}
