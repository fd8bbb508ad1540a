// The shell: the key form, the language switch, the navigation and a router on the address's
// fragment (#/ranking?by=team): each page is a module with render(root, ctx).
import { ApiError, forgetKey, get, getKey, setKey, whoami } from './api.js';
import { disposeCharts } from './charts.js';
import { h } from './dom.js';
import { lang, setLang, t } from './i18n.js';

// A page for a new endpoint is one row here and one module.
const PAGES = [
  { id: 'overview', load: () => import('./page_overview.js') },
  { id: 'ranking', load: () => import('./page_ranking.js') },
  { id: 'problems', load: () => import('./page_problems.js') },
  { id: 'programmes', load: () => import('./page_programmes.js') },
  { id: 'green', load: () => import('./page_green.js') },
  { id: 'quality', load: () => import('./page_quality.js') },
  { id: 'report', load: () => import('./page_report.js') },
];

const $ = (id) => document.getElementById(id);
let current = null; // the current month label, as the server's time zone has it
let role = null; // the key's role (GET /v1/whoami): write controls for a manager or an admin
let renderSeq = 0;

function parseHash() {
  const raw = window.location.hash.replace(/^#\/?/, '');
  const [id, query] = raw.split('?');
  const page = PAGES.find((p) => p.id === id) || PAGES[0];
  return { page, params: new URLSearchParams(query || '') };
}

function hrefOf(id, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v !== null && v !== undefined) q.set(k, v);
  const s = q.toString();
  return '#/' + id + (s ? '?' + s : '');
}

function drawChrome(activeId) {
  document.documentElement.lang = lang() === 'zh' ? 'zh-CN' : 'en';
  document.title = t('app_title');
  $('brand').textContent = t('app_title');
  $('lang-switch').textContent = t('switch_lang');
  $('forget-key').textContent = t('forget_key');
  $('forget-key').hidden = !getKey();
  $('login-title').textContent = t('login_title');
  $('login-help').textContent = t('login_help');
  $('key-submit').textContent = t('login_submit');
  $('key-input').setAttribute('aria-label', t('login_title'));
  $('nav').replaceChildren(...PAGES.map((p) => h('a', {
    href: '#/' + p.id, class: p.id === activeId ? 'active' : null, text: t('nav_' + p.id),
  })));
}

function showLogin(message) {
  disposeCharts();
  $('page').replaceChildren();
  $('login').hidden = false;
  $('login-error').textContent = message || '';
  $('key-input').focus();
  document.body.dataset.state = 'login';
}

function errorText(e) {
  if (e instanceof ApiError) {
    if (e.status === 401) return t('err_401');
    if (e.status === 403) return t('err_403');
    return `${t('err_api')} ${e.status} ${e.code || ''}: ${e.message}`;
  }
  return `${t('err_network')}: ${e.message}`;
}

async function route() {
  const seq = ++renderSeq;
  const { page, params } = parseHash();
  drawChrome(page.id);
  if (!getKey()) {
    showLogin('');
    return;
  }
  $('login').hidden = true;
  document.body.dataset.state = 'loading';
  document.body.dataset.page = page.id;
  disposeCharts();
  const root = $('page');
  root.replaceChildren(h('p', { class: 'loading', text: t('loading') }));
  try {
    if (!role) role = (await whoami()).role;
    if (!current) current = (await get('/v1/kpi/repeats')).to;
    const mod = await page.load();
    const body = h('div', { class: 'page page-' + page.id });
    const ctx = {
      params,
      current,
      role,
      canWrite: role === 'manager' || role === 'admin',
      // After a write: the page drawn again from the API's answers, where it stands.
      reload: () => route(),
      go: (changes) => {
        const next = Object.fromEntries(params.entries());
        for (const [k, v] of Object.entries(changes)) {
          if (v === null) delete next[k];
          else next[k] = v;
        }
        window.location.hash = hrefOf(page.id, next);
      },
      link: hrefOf,
    };
    await mod.render(body, ctx);
    if (seq !== renderSeq) return; // a newer navigation has taken over
    root.replaceChildren(body);
    for (const fn of body.afterMount || []) fn();
    document.body.dataset.state = 'ready';
  } catch (e) {
    if (seq !== renderSeq) return;
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
      forgetKey();
      current = null;
      role = null;
      showLogin(errorText(e));
      return;
    }
    root.replaceChildren(h('p', { class: 'error', role: 'alert', text: errorText(e) }));
    document.body.dataset.state = 'error';
  }
}

$('key-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const key = $('key-input').value.trim();
  $('key-input').value = '';
  if (!key) return;
  setKey(key);
  current = null;
  role = null;
  route();
});
$('forget-key').addEventListener('click', () => {
  forgetKey();
  current = null;
  role = null;
  route();
});
$('lang-switch').addEventListener('click', () => {
  setLang(lang() === 'zh' ? 'en' : 'zh');
  route();
});
window.addEventListener('hashchange', route);
route();
