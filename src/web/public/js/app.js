// The console shell: hash routes, the navigation for the user's role, login and logout.
import { forgetAreas, login, logout, session, ApiError } from './api.js';
import { errorText, field, h, render, ROLES } from './ui.js';
import { inboxPage } from './inbox.js';
import { casePage } from './case.js';
import { dashboardPage, drillPage } from './dashboard.js';
import { reportPage } from './report.js';
import { opsPage } from './ops.js';
import { gazetteerPage } from './gazetteer.js';
import { rulesPage } from './rules.js';

/** Pages each role sees in the navigation, first one is home. */
const NAV = {
  worker: [['inbox', '我的案件']],
  supervisor: [['dashboard', '统计看板'], ['inbox', '辖区案件'], ['report', '月度报告']],
  official: [['dashboard', '统计看板'], ['inbox', '辖区案件'], ['report', '月度报告'], ['ops', '数据源']],
  operator: [['ops', '数据源'], ['rules', '预警规则'], ['gazetteer', '地名库']],
  admin: [['dashboard', '统计看板'], ['inbox', '全部案件'], ['report', '月度报告'], ['ops', '数据源'], ['rules', '预警规则'], ['gazetteer', '地名库']],
};

const ROUTES = {
  inbox: inboxPage,
  cases: casePage,
  dashboard: dashboardPage,
  drill: drillPage,
  report: reportPage,
  ops: opsPage,
  rules: rulesPage,
  gazetteer: gazetteerPage,
};

/** Stops timers and streams of the page being left. */
let leaveCurrent = () => {};
/** Counts navigations: a page still loading when the user moves on must not draw over the next one. */
let routeSeq = 0;

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, query = ''] = raw.split('?');
  const parts = path.split('/').filter(Boolean);
  return { name: parts[0] || '', args: parts.slice(1), params: new URLSearchParams(query) };
}

function showChrome(user) {
  const nav = document.getElementById('nav');
  const who = document.getElementById('who');
  if (!user) {
    nav.hidden = true;
    who.hidden = true;
    nav.replaceChildren();
    return;
  }
  const current = parseHash().name;
  nav.replaceChildren(
    ...(NAV[user.role] || []).map(([name, text]) =>
      h('a', { href: `#/${name}`, 'aria-current': name === current || (name === 'inbox' && current === 'cases') || (name === 'dashboard' && current === 'drill') ? 'page' : null }, text),
    ),
  );
  nav.hidden = false;
  document.getElementById('who-name').textContent = `${user.displayName || user.username}（${ROLES[user.role] || user.role}）`;
  who.hidden = false;
}

function loginPage(params) {
  const username = h('input', { autocomplete: 'username', required: true, autocapitalize: 'off', spellcheck: 'false' });
  const password = h('input', { type: 'password', autocomplete: 'current-password', required: true });
  const message = h('div', { role: 'alert', class: 'error-box', hidden: true });
  const submit = h('button', { type: 'submit' }, '登录');
  const form = h(
    'form',
    {
      onsubmit: async (event) => {
        event.preventDefault();
        message.hidden = true;
        submit.disabled = true;
        try {
          const user = await login(username.value.trim(), password.value);
          forgetAreas();
          const back = params.get('next');
          location.hash = back && back.startsWith('/') ? `#${back}` : `#/${homeOf(user)}`;
        } catch (error) {
          message.textContent =
            error instanceof ApiError && error.status === 401 ? '用户名或密码不正确。' : errorText(error);
          message.hidden = false;
          password.select();
        } finally {
          submit.disabled = false;
        }
      },
    },
    field('username', '用户名', username),
    field('password', '密码', password),
    message,
    submit,
  );
  render(
    h(
      'section',
      { class: 'panel login', 'aria-labelledby': 'login-title' },
      h('h1', { id: 'login-title' }, '登录听风工作台'),
      h('p', { class: 'muted' }, '社工处置案件，街道和区级领导查看化解情况，运维人员维护数据源与预警规则。'),
      form,
      h(
        'details',
        { class: 'demo-accounts' },
        h('summary', {}, '演示环境账号'),
        h('p', { class: 'muted' }, '演示数据的账号密码均为 tingfeng-demo（仅限演示环境）：'),
        h(
          'ul',
          {},
          [
            ['sg-huachuan', '社工（划船社区）'],
            ['sup-baihe', '街道督办（白鹤街道）'],
            ['official', '区级领导（江东区）'],
            ['operator', '运维'],
          ].map(([name, text]) =>
            h('li', {}, h('button', { type: 'button', class: 'link-button', onclick: () => ((username.value = name), password.focus()) }, name), ` — ${text}`),
          ),
        ),
      ),
    ),
  );
  username.focus();
}

function homeOf(user) {
  return ((NAV[user.role] || [])[0] || ['inbox'])[0];
}

async function route() {
  leaveCurrent();
  leaveCurrent = () => {};
  const seq = ++routeSeq;
  const current = () => seq === routeSeq;
  const { name, args, params } = parseHash();
  const user = session.get() && session.get().user;
  if (!user) {
    showChrome(null);
    if (name !== 'login') {
      const next = name ? location.hash.slice(1) : '';
      history.replaceState(null, '', next ? `#/login?next=${encodeURIComponent(next)}` : '#/login');
    }
    loginPage(parseHash().params);
    return;
  }
  if (!name || name === 'login' || !ROUTES[name]) {
    location.replace(`#/${homeOf(user)}`);
    return;
  }
  showChrome(user);
  // Pages draw through this render only: once the user has gone elsewhere, a late answer to the
  // page's requests (or a re-draw after an action) is dropped instead of replacing the new page.
  const page = { args, params, user, render: (...children) => current() && render(...children) };
  try {
    const cleanup = await ROUTES[name](page);
    if (typeof cleanup !== 'function') return;
    if (current()) leaveCurrent = cleanup;
    else cleanup(); // left while loading: stop its timers now
  } catch (error) {
    page.render(h('h1', {}, '出错了'), h('p', { class: 'error-box', role: 'alert' }, errorText(error)));
  }
}

window.addEventListener('hashchange', route);
window.addEventListener('tingfeng:signed-out', () => {
  if (parseHash().name !== 'login') location.hash = `#/login?next=${encodeURIComponent(location.hash.slice(1))}`;
});
document.getElementById('logout').addEventListener('click', async () => {
  await logout();
  forgetAreas();
  location.hash = '#/login';
});
route();
