// 预警规则 (operators): the list (GET /rules); the editor (#/rules/:id, #/rules/new) with a syntax
// check as you type (debounced POST /rules/validate), dry-run over past posts (POST /rules/dry-run),
// version history (GET /rules/:id/versions), enable/disable and save (PUT /rules/:id), create (POST /rules).
import { api, ApiError, areas } from './api.js';
import { areaLabel, errorText, field, fmtTime, h, LEVELS, select, timeEl, toast } from './ui.js';

export const KINDS = { expression: '表达式', keyword: '关键词组' };
export const RULE_ROLES = { warning: '预警（立案）', suppression: '屏蔽（广告、招聘等）' };
const LEVEL_OPTIONS = { red: '红色预警', orange: '橙色预警', yellow: '黄色预警', blue: '蓝色预警' };
const VALIDATE_DELAY_MS = 300;

/** The server's English "expected …" phrases in Chinese; unknown ones are shown as they are. */
const PHRASES = [
  [/the end of the expression/g, '表达式结尾'],
  [/a term/g, '词语'],
  [/a condition/g, '条件'],
  [/\bor\b/g, '或'],
];
export function zh(text) {
  return PHRASES.reduce((s, [re, to]) => s.replace(re, to), String(text ?? ''));
}

function listOf(rules) {
  return Array.isArray(rules) ? rules : rules && Array.isArray(rules.items) ? rules.items : [];
}

export async function rulesPage({ args, render }) {
  if (args[0] === 'new') return editorPage(null, render);
  if (args[0]) return editorPage(Number(args[0]), render);
  const rules = listOf(await api('/rules'));
  render(
    h('div', { class: 'page-head' }, h('h1', {}, '预警规则'), h('a', { class: 'button', href: '#/rules/new', id: 'new-rule' }, '新建规则')),
    h(
      'section',
      { class: 'panel', 'aria-label': '规则列表' },
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'stack', id: 'rules-list' },
          h('thead', {}, h('tr', {}, ['规则', '类型', '类别', '等级', '版本', '命中', '状态'].map((x) => h('th', { scope: 'col' }, x)))),
          h(
            'tbody',
            {},
            rules.map((r) =>
              h(
                'tr',
                { dataset: { ruleId: String(r.id), ruleCode: r.code } },
                h('th', { scope: 'row', 'data-label': '规则' }, h('a', { href: `#/rules/${r.id}` }, r.name || r.code), h('div', { class: 'muted small' }, r.code)),
                h('td', { 'data-label': '类型' }, `${KINDS[r.kind] || r.kind}${r.role === 'suppression' ? ' · 屏蔽' : ''}`),
                h('td', { 'data-label': '类别' }, r.category || '—'),
                h('td', { 'data-label': '等级' }, LEVELS[r.level] || r.level),
                h('td', { 'data-label': '版本', class: 'num' }, `第 ${r.version} 版`),
                h('td', { 'data-label': '命中', class: 'num' }, `${r.hitCount ?? 0} 次`, r.lastHitAt ? h('div', { class: 'muted small' }, fmtTime(r.lastHitAt)) : null),
                h('td', { 'data-label': '状态', class: 'rule-state' }, r.enabled === false ? '已停用' : '启用'),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

/** The text the operator edits for a definition: the expression itself, or the keyword groups as JSON. */
function definitionText(kind, definition) {
  if (!definition) return kind === 'expression' ? '' : JSON.stringify({ all: [['物业'], ['乱收费']], none: [] }, null, 2);
  if (kind === 'expression') return definition.expression || '';
  const { aggregate: _, ...rest } = definition;
  return JSON.stringify(rest, null, 2);
}

/** Builds the definition from the editor; throws a Chinese message when the JSON cannot be read. */
function readDefinition(kind, text, aggregateText) {
  let definition;
  if (kind === 'expression') definition = { expression: text };
  else {
    try {
      definition = JSON.parse(text);
    } catch (error) {
      throw new Error(`关键词组不是有效的 JSON：${error.message}`);
    }
  }
  if (aggregateText.trim()) {
    try {
      definition = { ...definition, aggregate: JSON.parse(aggregateText) };
    } catch (error) {
      throw new Error(`聚合条件不是有效的 JSON：${error.message}`);
    }
  }
  return definition;
}

function isoDay(date) {
  return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 10);
}

async function editorPage(id, render) {
  const rules = listOf(await api('/rules'));
  const rule = id === null ? null : await api(`/rules/${id}`);
  const categories = [...new Set(rules.map((r) => r.category).filter(Boolean))].sort();

  const code = h('input', { required: true, pattern: '[a-z0-9][a-z0-9\\-]{0,63}', autocomplete: 'off', spellcheck: 'false', value: rule ? rule.code : '', readonly: !!rule });
  const name = h('input', { required: true, maxlength: 200, value: rule ? rule.name : '' });
  const level = select(LEVEL_OPTIONS, rule ? rule.level : 'yellow');
  const category = h('input', { list: 'rule-categories', value: rule && rule.category ? rule.category : '', placeholder: '如：物业纠纷' });
  const categoryList = h('datalist', { id: 'rule-categories' }, categories.map((c) => h('option', { value: c })));
  const kind = select(KINDS, rule ? rule.kind : 'expression');
  const role = select(RULE_ROLES, rule ? rule.role || 'warning' : 'warning');
  const definition = h('textarea', { class: 'code', rows: 6, spellcheck: 'false', autocomplete: 'off', 'aria-describedby': 'rule-check' });
  definition.value = definitionText(kind.value, rule && rule.definition);
  const aggregate = h('textarea', { class: 'code', rows: 2, spellcheck: 'false', placeholder: '{"type":"frequency","windowHours":24,"minPosts":3}' });
  aggregate.value = rule && rule.definition && rule.definition.aggregate ? JSON.stringify(rule.definition.aggregate) : '';
  const check = h('div', { id: 'rule-check', class: 'rule-check', role: 'status', 'aria-live': 'polite' });
  const saveMessage = h('div', { class: 'error-box', role: 'alert', hidden: true, id: 'rule-save-error' });
  const save = h('button', { type: 'submit', id: 'rule-save' }, rule ? '保存' : '创建规则');
  const toggle = rule ? h('button', { type: 'button', class: 'secondary', id: 'rule-toggle' }, rule.enabled ? '停用规则' : '启用规则') : null;
  const state = rule ? h('span', { class: `badge ${rule.enabled ? 'status' : 'overdue'}`, id: 'rule-state' }, rule.enabled ? '启用中' : '已停用') : null;

  const kindHint = () =>
    kind.value === 'expression'
      ? '例：(物业|业委会) & (乱收费|不作为) & !招聘；NEAR(强拆, 小区, 10)；title:(噪音|噪声)；category:物业纠纷 & heat>=40'
      : '例：{"all": [["物业", "物业公司"], ["乱收费", "多收"]], "none": ["招聘"]}';
  const hint = h('div', { class: 'muted small', id: 'rule-definition-hint' }, kindHint());
  const labelText = () => (kind.value === 'expression' ? '规则表达式' : '规则定义（JSON）');
  const definitionLabel = h('label', { for: 'rule-definition' }, labelText());

  // ---- syntax check as you type ----
  let timer = null;
  let sequence = 0;
  function showCheck(result, source) {
    check.replaceChildren();
    definition.removeAttribute('aria-invalid');
    if (!result) return;
    if (result.valid) {
      check.className = 'rule-check ok';
      check.append(h('strong', {}, '✓ 语法正确'));
      return;
    }
    definition.setAttribute('aria-invalid', 'true');
    check.className = 'rule-check bad';
    const e = result.error || {};
    if (typeof e.position === 'number') {
      check.append(
        h('strong', { class: 'check-position' }, `✗ 第 ${e.position + 1} 个字符处有误`),
        h('div', { class: 'check-expected' }, `应为：${zh(e.expected)}；实际为：${zh(e.found)}`),
        h('pre', { class: 'caret-line', 'aria-hidden': 'true' }, source.slice(0, e.position), h('mark', { class: 'caret' }, source.slice(e.position, e.position + 1) || ' '), source.slice(e.position + 1)),
      );
    } else {
      check.append(h('strong', {}, '✗ 定义有误'), h('div', { class: 'check-expected' }, zh(e.message || '')));
    }
    if (e.message) check.append(h('div', { class: 'muted small check-message' }, e.message));
  }
  async function validate() {
    const mine = ++sequence;
    let body;
    try {
      body = { kind: kind.value, definition: readDefinition(kind.value, definition.value, aggregate.value) };
    } catch (error) {
      showCheck({ valid: false, error: { message: error.message } }, definition.value);
      return;
    }
    check.className = 'rule-check';
    check.textContent = '正在检查…';
    try {
      const result = await api('/rules/validate', { method: 'POST', body });
      if (mine === sequence) showCheck(result, definition.value);
    } catch (error) {
      if (mine === sequence) {
        check.className = 'rule-check bad';
        check.textContent = errorText(error);
      }
    }
  }
  function scheduleCheck() {
    clearTimeout(timer);
    timer = setTimeout(validate, VALIDATE_DELAY_MS);
  }
  definition.addEventListener('input', scheduleCheck);
  aggregate.addEventListener('input', scheduleCheck);
  kind.addEventListener('change', () => {
    definition.value = definitionText(kind.value, null);
    hint.textContent = kindHint();
    definitionLabel.textContent = labelText();
    scheduleCheck();
  });

  // ---- save / create / enable ----
  function body(enabled) {
    const out = {
      name: name.value.trim(),
      level: level.value,
      category: category.value.trim() || null,
      kind: kind.value,
      role: role.value,
      definition: readDefinition(kind.value, definition.value, aggregate.value),
    };
    if (enabled !== undefined) out.enabled = enabled;
    return out;
  }
  function showSaveError(error) {
    const e = error instanceof ApiError ? error : null;
    saveMessage.textContent =
      e && e.status === 409 ? `规则代码“${code.value.trim()}”已存在。` : e && e.code === 'invalid_request' ? `无法保存：${zh(e.message)}` : error instanceof ApiError ? errorText(error) : error.message;
    saveMessage.hidden = false;
  }
  const form = h(
    'form',
    {
      id: 'rule-form',
      onsubmit: async (event) => {
        event.preventDefault();
        saveMessage.hidden = true;
        save.disabled = true;
        try {
          if (rule) {
            const saved = await api(`/rules/${rule.id}`, { method: 'PUT', body: body(rule.enabled) });
            toast(saved.version !== rule.version ? `已保存，规则升为第 ${saved.version} 版。` : '已保存。');
            await editorPage(rule.id, render);
          } else {
            const saved = await api('/rules', { method: 'POST', body: { code: code.value.trim(), ...body(true) } });
            toast(`规则“${saved.name}”已创建。`);
            location.hash = `#/rules/${saved.id}`;
          }
        } catch (error) {
          showSaveError(error);
          save.disabled = false;
        }
      },
    },
    h(
      'div',
      { class: 'form-grid' },
      field('rule-code', '规则代码', code, rule ? '代码创建后不可修改。' : '小写字母、数字和短横线，如 property-fee。'),
      field('rule-name', '规则名称', name),
      field('rule-level', '预警等级', level),
      field('rule-category', '类别', category, '案件会带上这个类别。'),
      field('rule-kind', '规则类型', kind),
      field('rule-role', '作用', role),
    ),
    categoryList,
    definitionLabel,
    Object.assign(definition, { id: 'rule-definition', name: 'rule-definition' }),
    hint,
    check,
    field('rule-aggregate', '聚合条件（JSON，可选）', aggregate, '满足频次或突增条件时才立案，如 {"type":"frequency","windowHours":24,"minPosts":3}。'),
    saveMessage,
    h('div', { class: 'row', style: 'margin-top:.75rem' }, save, toggle, state),
  );
  definition.setAttribute('aria-describedby', 'rule-definition-hint rule-check');

  toggle?.addEventListener('click', async () => {
    toggle.disabled = true;
    saveMessage.hidden = true;
    try {
      const saved = await api(`/rules/${rule.id}`, { method: 'PUT', body: body(!rule.enabled) });
      toast(saved.enabled ? '规则已启用。' : '规则已停用。');
      await editorPage(rule.id, render);
      document.getElementById('rule-toggle')?.focus();
    } catch (error) {
      showSaveError(error);
      toggle.disabled = false;
    }
  });

  // ---- dry-run ----
  const now = new Date();
  const from = h('input', { type: 'date', value: isoDay(new Date(now.getTime() - 30 * 86_400_000)), required: true });
  const to = h('input', { type: 'date', value: isoDay(now), required: true });
  const dryButton = h('button', { type: 'submit', class: 'secondary', id: 'dry-run' }, '试运行');
  const dryResult = h('div', { id: 'dry-run-result', class: 'dry-run-result', 'aria-live': 'polite' });
  const dryForm = h(
    'form',
    {
      onsubmit: async (event) => {
        event.preventDefault();
        dryButton.disabled = true;
        dryResult.replaceChildren(h('p', { class: 'muted' }, '正在用历史帖子试运行…'));
        try {
          const toDate = new Date(`${to.value}T00:00:00`);
          toDate.setDate(toDate.getDate() + 1);
          const result = await api('/rules/dry-run', {
            method: 'POST',
            body: { kind: kind.value, definition: readDefinition(kind.value, definition.value, aggregate.value), from: new Date(`${from.value}T00:00:00`).toISOString(), to: toDate.toISOString(), sampleSize: 50 },
          });
          dryResult.replaceChildren(await dryRunView(result));
        } catch (error) {
          dryResult.replaceChildren(h('p', { class: 'error-box', role: 'alert' }, error instanceof ApiError ? (error.code === 'invalid_request' ? `无法试运行：${zh(error.message)}` : errorText(error)) : error.message));
        } finally {
          dryButton.disabled = false;
        }
      },
    },
    h('div', { class: 'row' }, h('div', { class: 'field-inline' }, field('dry-from', '起始日期', from)), h('div', { class: 'field-inline' }, field('dry-to', '截止日期（含）', to)), dryButton),
  );

  const versionsHost = h('div', { id: 'rule-versions' });
  render(
    h('div', { class: 'page-head' }, h('h1', {}, rule ? `编辑规则：${rule.name}` : '新建规则'), h('a', { href: '#/rules' }, '← 返回规则列表')),
    h(
      'div',
      { class: 'case-grid' },
      h(
        'div',
        {},
        h('section', { class: 'panel', 'aria-label': '规则定义' }, form),
        h('section', { class: 'panel', 'aria-labelledby': 'dry-title' }, h('h2', { id: 'dry-title' }, '试运行'), h('p', { class: 'muted small' }, '用编辑框里的定义（不必先保存）扫描这段时间的历史帖子。'), dryForm, dryResult),
      ),
      h('div', {}, rule ? h('section', { class: 'panel', 'aria-labelledby': 'versions-title' }, h('h2', { id: 'versions-title' }, '版本历史'), versionsHost) : null, rule ? statsView(rule) : null),
    ),
  );
  if (rule) versionsHost.replaceChildren(await versionsView(rule, (v) => {
    kind.value = v.kind;
    definition.value = definitionText(v.kind, v.definition);
    aggregate.value = v.definition && v.definition.aggregate ? JSON.stringify(v.definition.aggregate) : '';
    level.value = v.level;
    category.value = v.category || '';
    role.value = v.role || 'warning';
    hint.textContent = kindHint();
    definitionLabel.textContent = labelText();
    validate();
    definition.focus();
    toast(`已载入第 ${v.version} 版，保存后生效。`);
  }));
  if (!rule) code.focus();
  validate();
  return () => clearTimeout(timer);
}

function statsView(rule) {
  return h(
    'section',
    { class: 'panel', 'aria-label': '命中统计' },
    h('dl', { class: 'facts' }, h('dt', {}, '当前版本'), h('dd', {}, `第 ${rule.version} 版`), h('dt', {}, '累计命中'), h('dd', { id: 'rule-hits' }, `${rule.hitCount ?? 0} 次`), h('dt', {}, '最近命中'), h('dd', {}, timeEl(rule.lastHitAt)), h('dt', {}, '最近修改'), h('dd', {}, timeEl(rule.updatedAt))),
  );
}

async function versionsView(rule, load) {
  const versions = await api(`/rules/${rule.id}/versions`);
  if (!versions.length) return h('p', { class: 'muted' }, '没有历史版本。');
  return h(
    'ol',
    { class: 'timeline versions', reversed: true },
    [...versions].reverse().map((v) =>
      h(
        'li',
        { dataset: { version: String(v.version) } },
        timeEl(v.createdAt),
        h('strong', {}, `第 ${v.version} 版`),
        v.version === rule.version ? h('span', { class: 'badge status' }, '当前') : null,
        h('div', { class: 'small' }, `${KINDS[v.kind] || v.kind} · ${LEVELS[v.level] || v.level} · ${v.category || '未分类'}${v.createdBy ? ` · 用户 #${v.createdBy}` : ''}`),
        h('code', { class: 'definition small' }, v.kind === 'expression' ? v.definition.expression : JSON.stringify(v.definition)),
        v.version !== rule.version ? h('div', {}, h('button', { type: 'button', class: 'link-button', onclick: () => load(v) }, `载入第 ${v.version} 版`)) : null,
      ),
    ),
  );
}

async function dryRunView(result) {
  const areaMap = await areas();
  const unknown = result.precision === null || result.precision === undefined;
  const precision = unknown ? '—' : `${(result.precision * 100).toFixed(1)}%`;
  return h(
    'div',
    {},
    h(
      'div',
      { class: 'counters' },
      [
        ['dry-scanned', '扫描帖子', result.scanned],
        ['dry-matched', '命中帖子', result.matched],
        ['dry-cases', '将立案件', result.wouldOpenCases.length],
        ['dry-precision', unknown ? '准确率（相关案件尚无结论）' : '准确率', precision],
      ].map(([id, label, value]) => h('div', { class: 'counter', id }, h('div', { class: 'value' }, String(value)), h('div', { class: 'label' }, label))),
    ),
    h('p', { class: 'muted small' }, `准确率 = 已化解 ÷（已化解 + 误报）：命中帖子所在案件中，已化解 ${result.verdicts.confirmed} 件，误报撤销 ${result.verdicts.dismissed} 件。用时 ${result.ms ?? '—'} ms。`),
    result.wouldOpenCases.length
      ? h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'stack', id: 'dry-cases-table' },
            h('caption', {}, '将会立案的案件（按区域）'),
            h('thead', {}, h('tr', {}, ['区域', '帖子', '最早', '最晚'].map((x) => h('th', { scope: 'col' }, x)))),
            h('tbody', {}, result.wouldOpenCases.map((c) => h('tr', {}, h('td', { 'data-label': '区域' }, areaLabel(areaMap, c.areaId)), h('td', { 'data-label': '帖子', class: 'num' }, String(c.posts)), h('td', { 'data-label': '最早' }, fmtTime(c.firstAt)), h('td', { 'data-label': '最晚' }, fmtTime(c.lastAt))))),
          ),
        )
      : null,
    result.hits.length
      ? h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'stack', id: 'dry-hits-table' },
            h('caption', {}, `命中的帖子（显示 ${result.hits.length} 条）`),
            h('thead', {}, h('tr', {}, ['帖子', '时间', '区域', '命中词'].map((x) => h('th', { scope: 'col' }, x)))),
            h(
              'tbody',
              {},
              result.hits.map((hit) =>
                h(
                  'tr',
                  { dataset: { postId: String(hit.postId) } },
                  h('td', { 'data-label': '帖子' }, `#${hit.postId}`),
                  h('td', { 'data-label': '时间' }, fmtTime(hit.at)),
                  h('td', { 'data-label': '区域' }, areaLabel(areaMap, hit.areaId)),
                  h('td', { 'data-label': '命中词' }, [...new Set(hit.hits.map((t) => t.term))].map((t, i) => [i ? '、' : '', h('mark', {}, t)])),
                ),
              ),
            ),
          ),
        )
      : h('p', { class: 'muted' }, '这段时间没有帖子命中。'),
  );
}
