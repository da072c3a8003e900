// 地名库 (operators): the area tree with its aliases from GET /areas; add an alias (409 when another
// area has it), remove one, and turn a suggested place name (GET /analysis/place-suggestions) into
// an alias of a chosen area with one click.
import { api, ApiError, areaTree, forgetAreas, optional } from './api.js';
import { AREA_LEVELS, errorText, fmtTime, h, toast } from './ui.js';

/** "泰和花园" is already an alias of 白鹤街道 → a sentence naming the other area. */
function conflictText(error, alias, byId) {
  const other = byId.get(error.details && error.details.areaId);
  return `“${alias}”已是${other ? `“${other.name}”` : '其他区域'}的别名，一个别名只能指向一个区域。`;
}

export async function gazetteerPage({ user, render }) {
  const canEdit = ['operator', 'admin'].includes(user.role);
  const treeHost = h('div', { id: 'area-tree' });
  const suggestionsHost = h('div', { id: 'place-suggestions' });
  let byId = new Map();

  render(
    h('div', { class: 'page-head' }, h('h1', {}, '地名库'), h('span', { class: 'muted small' }, '帖子里的地名按别名对应到区域；别名越全，定位越准。')),
    h('div', { class: 'gazetteer-grid' },
      h('section', { class: 'panel', 'aria-labelledby': 'tree-title' }, h('h2', { id: 'tree-title' }, '区域与别名'), treeHost),
      h('section', { class: 'panel', 'aria-labelledby': 'suggest-title' },
        h('h2', { id: 'suggest-title' }, '建议新增的别名'),
        h('p', { class: 'muted small' }, '近 90 天帖子中出现、但地名库还不认识的地名，按提及帖子数排序。'),
        suggestionsHost),
    ),
  );

  async function load(focusSelector) {
    const [list, suggestions] = await Promise.all([api('/areas'), canEdit ? optional('/analysis/place-suggestions?days=90&limit=50') : null]);
    byId = areaTree(list);
    treeHost.replaceChildren(treeView());
    suggestionsHost.replaceChildren(suggestionsView(suggestions && Array.isArray(suggestions.items) ? suggestions.items : null));
    forgetAreas(); // other pages name areas from the same data
    if (focusSelector) document.querySelector(focusSelector)?.focus();
  }

  function children(parentId) {
    return [...byId.values()].filter((a) => (a.parentId ?? null) === parentId).sort((a, b) => a.code.localeCompare(b.code));
  }

  function treeView() {
    const roots = [...byId.values()].filter((a) => a.parentId === null || a.parentId === undefined || !byId.has(a.parentId));
    const branch = (nodes) => h('ul', { class: 'area-tree' }, nodes.map((a) => h('li', {}, areaNode(a), children(a.id).length ? branch(children(a.id)) : null)));
    return roots.length ? branch(roots) : h('p', { class: 'muted' }, '还没有区域。');
  }

  function areaNode(area) {
    const input = h('input', { maxlength: 40, minlength: 2, required: true, autocomplete: 'off', placeholder: '如：泰和花园' });
    const message = h('div', { class: 'error-box small', role: 'alert', hidden: true, id: `alias-error-${area.id}` });
    const button = h('button', { type: 'submit', class: 'secondary' }, '添加');
    const form = canEdit
      ? h(
          'form',
          {
            class: 'alias-form',
            onsubmit: async (event) => {
              event.preventDefault();
              const alias = input.value.trim();
              if (alias.length < 2) {
                message.textContent = '别名至少两个字。';
                message.hidden = false;
                return;
              }
              message.hidden = true;
              button.disabled = true;
              try {
                await api(`/areas/${area.id}/aliases`, { method: 'POST', body: { alias } });
                toast(`已为“${area.name}”添加别名“${alias}”。`);
                await load(`#alias-input-${area.id}`);
              } catch (error) {
                message.textContent = error instanceof ApiError && error.status === 409 ? conflictText(error, alias, byId) : errorText(error);
                message.hidden = false;
                input.setAttribute('aria-invalid', 'true');
                input.focus();
              } finally {
                button.disabled = false;
              }
            },
          },
          h('label', { for: `alias-input-${area.id}`, class: 'visually-hidden' }, `为${area.name}添加别名`),
          Object.assign(input, { id: `alias-input-${area.id}`, name: `alias-${area.id}` }),
          button,
        )
      : null;
    if (form) input.setAttribute('aria-describedby', message.id);
    return h(
      'div',
      { class: 'area-node', dataset: { areaId: String(area.id), areaCode: area.code } },
      h('div', { class: 'area-name' }, h('strong', {}, area.name), ' ', h('span', { class: 'badge status' }, AREA_LEVELS[area.level] || area.level), h('span', { class: 'muted small' }, ` ${area.code}`)),
      h(
        'ul',
        { class: 'aliases', 'aria-label': `${area.name}的别名` },
        (area.aliases || []).map((alias) =>
          h(
            'li',
            { class: 'alias', dataset: { alias } },
            h('span', {}, alias),
            canEdit
              ? h(
                  'button',
                  {
                    type: 'button',
                    class: 'alias-remove',
                    'aria-label': `删除别名 ${alias}`,
                    title: '删除别名',
                    onclick: async (event) => {
                      event.currentTarget.disabled = true;
                      try {
                        await api(`/areas/${area.id}/aliases/${encodeURIComponent(alias)}`, { method: 'DELETE' });
                        toast(`已删除“${area.name}”的别名“${alias}”。`);
                        await load(`#alias-input-${area.id}`);
                      } catch (error) {
                        toast(errorText(error), 'error');
                        event.currentTarget && (event.currentTarget.disabled = false);
                      }
                    },
                  },
                  '×',
                )
              : null,
          ),
        ),
        (area.aliases || []).length ? null : h('li', { class: 'muted small' }, '（无别名）'),
      ),
      form,
      message,
    );
  }

  function suggestionsView(items) {
    if (!items) return h('p', { class: 'muted' }, canEdit ? '服务器暂未提供地名建议。' : '仅运维人员可见。');
    if (!items.length) return h('p', { class: 'muted' }, '暂无建议：近期帖子中的地名都已在地名库中。');
    const options = [...byId.values()].sort((a, b) => a.path.localeCompare(b.path));
    return h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'stack', id: 'suggestions-table' },
        h('thead', {}, h('tr', {}, ['地名', '提及帖子', '最近出现', '归入区域', '操作'].map((x) => h('th', { scope: 'col' }, x)))),
        h(
          'tbody',
          {},
          items.map((s, i) => {
            const target = h(
              'select',
              { id: `suggest-area-${i}`, 'aria-label': `“${s.name}”归入的区域` },
              options.map((a) => h('option', { value: String(a.id), selected: a.id === s.suggestedAreaId }, `${'　'.repeat(Math.max(0, a.path.split('/').length - 3))}${a.name}（${AREA_LEVELS[a.level] || a.level}）`)),
            );
            const button = h('button', { type: 'button', 'aria-label': `将“${s.name}”设为别名` }, '设为别名');
            button.addEventListener('click', async () => {
              const areaId = Number(target.value);
              const area = byId.get(areaId);
              button.disabled = true;
              try {
                await api(`/areas/${areaId}/aliases`, { method: 'POST', body: { alias: s.name } });
                toast(`“${s.name}”已设为“${area ? area.name : areaId}”的别名。`);
                await load(`#alias-input-${areaId}`);
              } catch (error) {
                toast(error instanceof ApiError && error.status === 409 ? conflictText(error, s.name, byId) : errorText(error), 'error');
                button.disabled = false;
              }
            });
            return h(
              'tr',
              { dataset: { place: s.name } },
              h('th', { scope: 'row', 'data-label': '地名' }, s.name),
              h('td', { 'data-label': '提及帖子', class: 'num' }, `${s.posts} 条`),
              h('td', { 'data-label': '最近出现' }, fmtTime(s.lastSeen)),
              h('td', { 'data-label': '归入区域' }, target, s.suggestedAreaName ? h('div', { class: 'muted small' }, `帖子多归入：${s.suggestedAreaName}`) : null),
              h('td', { 'data-label': '操作' }, button),
            );
          }),
        ),
      ),
    );
  }

  await load();
}
