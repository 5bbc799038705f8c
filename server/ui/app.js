// app.js -- the jixiao web page (/ui/): one screen per task, on the public
// API only (docs/ui.md).
//
// Why it looks like this:
// - No framework and no build step: the server embeds these files as they
//   are, and the page is small enough for plain DOM code.
// - Data is only ever put on the page as text (textContent through h()),
//   never as markup, and the server's Content-Security-Policy forbids
//   inline script and eval: a project named "<img onerror=...>" is text.
// - The token lives in sessionStorage only (this tab), is sent as a
//   bearer header, never in a URL; 退出 removes it.  Downloads are fetched
//   with the header and saved from a blob for the same reason.
// - Navigation is by location.hash (#/projects/12), so the browser's back
//   button and bookmarks work and every link is a real link for the
//   keyboard.
'use strict';

const TOKEN_KEY = 'jx.token';
const PAGE = 20;

const STATUS = { draft: '草稿', submitted: '已提交', accepted: '已通过' };
const KIND = { admin: '系统管理员', finance: '财政局', department: '主管部门', unit: '预算单位' };
const SCOPE = { project: '项目支出', department_wide: '部门整体', unit_wide: '单位整体' };
const SEVERITY = { error: '错误', warning: '警告', info: '提示' };
const MEDIA = {
  json: 'application/json',
  csv: 'text/csv',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
};

let me = null;          // GET /v1/whoami
let orgNames = null;    // Map org id -> name, within reach (first 1000)
const charts = [];      // Chart.js instances of the current view

// ---- DOM helpers ------------------------------------------------------------

// h('td', {class: 'n'}, text, node, ...): attributes set as attributes,
// on* as listeners, children as text nodes unless they are nodes already.
function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  add(el, ...kids);
  return el;
}

// Appends children, skipping null/undefined/false (Node.append would
// print "null"); strings become text nodes.
function add(el, ...kids) {
  for (const k of kids.flat(Infinity)) {
    if (k === null || k === undefined || k === false) continue;
    el.append(k instanceof Node ? k : document.createTextNode(String(k)));
  }
  return el;
}

function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

const $ = (id) => document.getElementById(id);

function loading(text) {
  return h('p', { class: 'loading', role: 'status' }, text || '正在加载…');
}

function errorBox(err, retry) {
  return h('div', { class: 'error-box', role: 'alert' },
    h('p', {}, '出错了：', describe(err)),
    retry ? h('button', { type: 'button', onclick: retry }, '重试') : null);
}

function link(href, text, attrs) {
  return h('a', Object.assign({ href }, attrs || {}), text);
}

// ---- formatting ---------------------------------------------------------------

function money(s) {
  if (s === null || s === undefined || s === '') return '—';
  const n = Number(s);
  if (!Number.isFinite(n)) return String(s);
  // decimal strings from the API: keep them exact, only group the digits
  const [i, f] = String(s).split('.');
  const neg = i.startsWith('-');
  const digits = (neg ? i.slice(1) : i).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return (neg ? '-' : '') + digits + (f !== undefined ? '.' + f : '') + ' 元';
}

function wan(s) {
  if (s === null || s === undefined) return '—';
  const n = Number(s);
  if (!Number.isFinite(n)) return String(s);
  return (n / 10000).toLocaleString('zh-CN', { maximumFractionDigits: 2 }) + ' 万元';
}

function num(v, digits = 2) {
  if (v === null || v === undefined || v === '') return '—';
  const n = Number(v);
  return Number.isFinite(n) ? n.toFixed(digits) : String(v);
}

function pct(v) {
  if (v === null || v === undefined) return '—';
  return (Number(v) * 100).toFixed(2) + '%';
}

function text(v) {
  if (v === null || v === undefined || v === '') return '';
  if (Array.isArray(v)) return v.map(text).join('、');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function when(s) {
  if (!s) return '—';
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? s : d.toLocaleString('zh-CN', { hour12: false });
}

function orgName(id) {
  if (id === null || id === undefined) return '—';
  return (orgNames && orgNames.get(id)) || `单位 #${id}`;
}

// ---- the API --------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, body) {
    super(typeof body === 'object' && body ? (body.title || '') : String(body || ''));
    this.status = status;
    this.body = body;
  }
}

function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

// One request with the bearer token.  JSON bodies are sent as JSON, Blobs
// (files) with their media type.  Answers {data, etag, status}; 4xx/5xx
// throw ApiError with the problem+json body.
async function api(method, path, opts = {}) {
  const headers = Object.assign({ Authorization: 'Bearer ' + token() }, opts.headers || {});
  let body;
  if (opts.file) {
    body = opts.file;
    headers['Content-Type'] = opts.type || opts.file.type || 'application/octet-stream';
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['Content-Type'] = 'application/json';
  }
  let r;
  try {
    r = await fetch(path, { method, headers, body, cache: 'no-store', credentials: 'omit' });
  } catch (e) {
    throw new ApiError(0, { title: '无法连接服务器 (network error)', detail: String(e.message || e) });
  }
  if (opts.raw) {
    if (!r.ok) throw new ApiError(r.status, await readBody(r));
    return r;
  }
  const data = await readBody(r);
  if (r.status === 401 && !opts.noLogout) {
    logout('令牌无效、已过期或已吊销，请重新登录。');
    throw new ApiError(401, data);
  }
  if (!r.ok) throw new ApiError(r.status, data);
  return { data, etag: r.headers.get('ETag'), status: r.status };
}

async function readBody(r) {
  const ct = r.headers.get('Content-Type') || '';
  if (r.status === 204) return null;
  if (ct.includes('json')) {
    try { return await r.json(); } catch (e) { return null; }
  }
  return r.text();
}

function describe(err) {
  if (!(err instanceof ApiError)) return String((err && err.message) || err);
  const b = err.body;
  const parts = [];
  if (err.status === 404) parts.push('未找到，或不在您的权限范围内。');
  if (b && typeof b === 'object') {
    if (b.title) parts.push(b.title);
    if (b.detail && b.detail !== b.title) parts.push(b.detail);
  } else if (b) {
    parts.push(String(b).slice(0, 300));
  }
  if (!parts.length) parts.push(`HTTP ${err.status}`);
  return parts.join(' — ');
}

// Optional parts of the API (added by later work) are used only when the
// server's own contract lists them, so an older server is not asked and
// the console shows no 404s; a failed request still hides the part.
let contract = null;
async function contractHas(re) {
  if (contract === null) {
    try {
      const r = await fetch('/openapi.yaml', { cache: 'no-store' });
      contract = r.ok ? await r.text() : '';
    } catch (e) {
      contract = '';
    }
  }
  return re.test(contract);
}

// Every page of a list (bounded: lists read whole are short by nature).
async function allPages(path, maxPages = 20) {
  const items = [];
  let cursor = null;
  for (let i = 0; i < maxPages; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const q = `${path}${sep}limit=1000${cursor ? '&cursor=' + encodeURIComponent(cursor) : ''}`;
    const { data } = await api('GET', q);
    items.push(...data.items);
    cursor = data.next_cursor;
    if (!cursor) return { items, complete: true };
  }
  return { items, complete: false };
}

// Saves a response body as a file (the token stays in the header).
async function download(path, filename) {
  const r = await api('GET', path, { raw: true });
  const blob = await r.blob();
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

function downloadButton(label, path, filename) {
  const status = h('span', { class: 'hint', role: 'status' });
  const btn = h('button', {
    type: 'button',
    class: 'secondary',
    onclick: async () => {
      btn.disabled = true;
      status.textContent = '正在下载…';
      try {
        await download(path, filename);
        status.textContent = '';
      } catch (e) {
        status.textContent = '下载失败：' + describe(e);
      } finally {
        btn.disabled = false;
      }
    },
  }, label);
  return h('span', { class: 'dl' }, btn, status);
}

// ---- login, logout, who am I ------------------------------------------------------

function showLogin(message) {
  $('login-view').hidden = false;
  $('view').hidden = true;
  $('who').hidden = true;
  $('nav').hidden = true;
  $('logout').hidden = true;
  $('login-error').textContent = message || '';
  $('token').value = '';
  $('token').focus();
}

function logout(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  me = null;
  orgNames = null;
  destroyCharts();
  clear($('view'));
  if (location.hash && location.hash !== '#/') history.replaceState(null, '', '#/');
  showLogin(message);
}

async function login(tok) {
  sessionStorage.setItem(TOKEN_KEY, tok);
  try {
    const { data } = await api('GET', '/v1/whoami', { noLogout: true });
    me = data;
  } catch (e) {
    sessionStorage.removeItem(TOKEN_KEY);
    const msg = e.status === 401 ? '令牌无效、已过期或已吊销。' : '登录失败：' + describe(e);
    showLogin(msg);
    return;
  }
  $('login-view').hidden = true;
  $('view').hidden = false;
  renderWho();
  renderNav();
  loadOrgNames();
  route();
}

function renderWho() {
  const o = me.org;
  clear($('who'));
  add($('who'), ...[
    h('span', { class: 'org', id: 'who-org' }, o.name),
    h('span', { class: 'tag', id: 'who-kind' }, KIND[o.kind] || o.kind),
    h('span', { class: 'tag muted', id: 'who-region' }, '区划 ', o.region_code),
  ]);
  $('who').hidden = false;
  $('logout').hidden = false;
}

function navItems() {
  const k = me.org.kind;
  const items = [];
  if (k === 'finance' || k === 'admin') items.push(['#/dashboard', '总览']);
  items.push(['#/projects', '项目']);
  items.push(['#/assessments', '整体评价']);
  if (k !== 'unit') items.push(['#/queue', '待审核']);
  if (k === 'department' || k === 'admin' || k === 'finance') items.push(['#/plans', '评价计划']);
  if (k === 'unit' || k === 'department') items.push(['#/import', '导入']);
  return items;
}

function renderNav() {
  const nav = clear($('nav'));
  add(nav, h('ul', {}, navItems().map(([href, label]) => h('li', {}, link(href, label)))));
  nav.hidden = false;
}

function markNav(page) {
  const cur = `#/${page}`;
  for (const a of $('nav').querySelectorAll('a')) {
    const on = cur === a.getAttribute('href') || cur.startsWith(a.getAttribute('href') + '/');
    if (on) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

async function loadOrgNames() {
  try {
    const { data } = await api('GET', '/v1/orgs?limit=1000');
    orgNames = new Map(data.items.map((o) => [o.id, o.name]));
    for (const el of document.querySelectorAll('[data-org]')) {
      el.textContent = orgName(Number(el.getAttribute('data-org')));
    }
  } catch (e) {
    orgNames = new Map();
  }
}

function orgCell(id) {
  return h('span', { 'data-org': id }, orgName(id));
}

// ---- routing ------------------------------------------------------------------------

function destroyCharts() {
  while (charts.length) charts.pop().destroy();
}

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, query] = raw.split('?');
  return { parts: path.split('/').filter(Boolean), params: new URLSearchParams(query || '') };
}

function home() {
  return me.org.kind === 'finance' || me.org.kind === 'admin' ? 'dashboard' : 'projects';
}

function route() {
  if (!me) return;
  destroyCharts();
  const { parts, params } = parseHash();
  const view = clear($('view'));
  const page = parts[0] || home();
  const id = parts[1] ? Number(parts[1]) : null;
  markNav(page);
  const pages = {
    dashboard: () => dashboardPage(view, params),
    projects: () => (id ? projectPage(view, id) : projectsPage(view, params)),
    assessments: () => (id ? assessmentPage(view, id) : assessmentsPage(view, params)),
    queue: () => queuePage(view),
    plans: () => (id ? planPage(view, id) : plansPage(view)),
    import: () => importPage(view),
  };
  (pages[page] || (() => add(view, h('h1', {}, '没有这个页面'), link('#/', '回到首页'))))();
  $('main').focus({ preventScroll: true });
  window.scrollTo(0, 0);
}

// ---- a paged table (keyset cursors) -------------------------------------------------

// pagedTable({path, columns, empty, caption}): path gives the list URL
// without limit/cursor; columns are [header, item => cell content].
function pagedTable(opts) {
  const box = h('div', { class: 'paged' });
  const cursors = [null];
  let page = 0;

  async function load() {
    clear(box).append(loading());
    const base = opts.path;
    const sep = base.includes('?') ? '&' : '?';
    const cur = cursors[page];
    let data;
    try {
      ({ data } = await api('GET', `${base}${sep}limit=${opts.limit || PAGE}` +
        (cur ? '&cursor=' + encodeURIComponent(cur) : '')));
    } catch (e) {
      clear(box).append(errorBox(e, load));
      return;
    }
    clear(box);
    if (!data.items.length && page === 0) {
      add(box, h('p', { class: 'empty' }, opts.empty || '没有记录。'));
      return;
    }
    const table = h('table', { class: 'list' },
      opts.caption ? h('caption', {}, opts.caption) : null,
      h('thead', {}, h('tr', {}, opts.columns.map(([head, , cls]) => h('th', { scope: 'col', class: cls }, head)))),
      h('tbody', {}, data.items.map((it) => h('tr', {},
        opts.columns.map(([head, cell, cls]) => h('td', { class: cls, 'data-label': head }, cell(it)))))));
    add(box, h('div', { class: 'scroll' }, table));
    cursors[page + 1] = data.next_cursor;
    const prev = h('button', { type: 'button', class: 'secondary', disabled: page === 0,
      onclick: () => { page--; load(); } }, '上一页');
    const next = h('button', { type: 'button', class: 'secondary', disabled: !data.next_cursor,
      onclick: () => { page++; load(); } }, '下一页');
    add(box, h('div', { class: 'pager' }, prev, h('span', {}, `第 ${page + 1} 页`), next));
  }
  load();
  box.reload = load;
  return box;
}

function statusBadge(status, reason) {
  const label = status === 'draft' && reason ? '已退回' : (STATUS[status] || status);
  return h('span', { class: `badge st-${status}${reason ? ' returned' : ''}` }, label);
}

function findingCounts(f) {
  if (!f) return '—';
  const parts = [];
  for (const s of ['error', 'warning', 'info']) {
    if (f[s]) parts.push(h('span', { class: `sev sev-${s}` }, `${SEVERITY[s]} ${f[s]}`));
  }
  return parts.length ? parts : h('span', { class: 'muted' }, '无');
}

function scoreCell(e) {
  if (!e) return h('span', { class: 'muted' }, '未评价');
  return [num(e.total), h('span', { class: 'muted' }, ` / ${num(e.max, 0)}`)];
}

function completeCell(e) {
  if (!e) return '—';
  return e.complete ? '是' : h('span', { class: 'warn', title: '部分指标无法确定，总分与等级为下限' }, '否（下限）');
}

const PROJECT_COLUMNS = [
  ['项目名称', (p) => link(`#/projects/${p.id}`, p.name)],
  ['年度', (p) => p.year, 'n'],
  ['单位', (p) => orgCell(p.org_id)],
  ['状态', (p) => statusBadge(p.status, p.return_reason)],
  ['全年预算', (p) => wan(p.budget && p.budget.adjusted), 'n'],
  ['最新得分', (p) => scoreCell(p.evaluation), 'n'],
  ['等级', (p) => (p.evaluation && p.evaluation.grade) || '—'],
  ['完整', (p) => completeCell(p.evaluation)],
  ['发现的问题', (p) => findingCounts(p.evaluation && p.evaluation.findings)],
];

const ASSESSMENT_COLUMNS = [
  ['名称', (a) => link(`#/assessments/${a.id}`, a.name || `${a.year}年度${SCOPE[a.scope] || ''}自评`)],
  ['范围', (a) => SCOPE[a.scope] || a.scope],
  ['年度', (a) => a.year, 'n'],
  ['单位', (a) => orgCell(a.org_id)],
  ['状态', (a) => statusBadge(a.status, a.return_reason)],
  ['最新得分', (a) => scoreCell(a.evaluation), 'n'],
  ['等级', (a) => (a.evaluation && a.evaluation.grade) || '—'],
  ['完整', (a) => completeCell(a.evaluation)],
  ['发现的问题', (a) => findingCounts(a.evaluation && a.evaluation.findings)],
];

// ---- filters ----------------------------------------------------------------------------

// A small filter form that rewrites the hash's query (so back works).
function filterForm(page, params, fields) {
  const form = h('form', { class: 'filters', role: 'search' });
  for (const f of fields) {
    const id = `f-${f.name}`;
    let input;
    if (f.options) {
      input = h('select', { id, name: f.name },
        f.options.map(([v, label]) => h('option', { value: v, selected: (params.get(f.name) || '') === v }, label)));
    } else {
      input = h('input', { id, name: f.name, type: f.type || 'text', value: params.get(f.name) || '',
        inputmode: f.type === 'number' ? 'numeric' : null, placeholder: f.placeholder || null });
    }
    add(form, h('div', { class: 'field' }, h('label', { for: id }, f.label), input));
  }
  add(form, h('div', { class: 'field' }, h('button', { type: 'submit' }, '筛选')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams();
    for (const f of fields) {
      const v = form.elements[f.name].value.trim();
      if (v) q.set(f.name, v);
    }
    for (const keep of ['org']) if (params.get(keep)) q.set(keep, params.get(keep));
    location.hash = `#/${page}` + (q.toString() ? '?' + q : '');
  });
  return form;
}

function listQuery(params, names) {
  const q = new URLSearchParams();
  for (const n of names) if (params.get(n)) q.set(n, params.get(n));
  return q.toString();
}

// ---- projects and assessments ----------------------------------------------------------

function projectsPage(view, params) {
  const org = params.get('org');
  add(view, h('h1', {}, '项目支出绩效自评'),
    org ? h('p', {}, '单位：', orgCell(Number(org)), ' ', link('#/projects', '（显示全部）')) : null,
    filterForm('projects', params, [
      { name: 'year', label: '年度', type: 'number', placeholder: '如 2022' },
      { name: 'status', label: '状态', options: [['', '全部'], ['draft', '草稿'], ['submitted', '已提交'], ['accepted', '已通过']] },
      { name: 'q', label: '名称包含' },
    ]));
  const q = listQuery(params, ['year', 'status', 'q', 'org']);
  add(view, pagedTable({ path: '/v1/projects' + (q ? '?' + q : ''), columns: PROJECT_COLUMNS,
    empty: '没有符合条件的项目。' }));
}

function assessmentsPage(view, params) {
  add(view, h('h1', {}, '部门（单位）整体支出绩效自评'),
    filterForm('assessments', params, [
      { name: 'year', label: '年度', type: 'number', placeholder: '如 2021' },
      { name: 'status', label: '状态', options: [['', '全部'], ['draft', '草稿'], ['submitted', '已提交'], ['accepted', '已通过']] },
      { name: 'scope', label: '范围', options: [['', '全部'], ['department_wide', '部门整体'], ['unit_wide', '单位整体']] },
    ]));
  const q = listQuery(params, ['year', 'status', 'scope', 'org']);
  add(view, pagedTable({ path: '/v1/assessments' + (q ? '?' + q : ''), columns: ASSESSMENT_COLUMNS,
    empty: '没有整体评价。' }));
}

// The latest evaluation of a subject, read in full (or null).
async function latestEvaluation(kind, id) {
  const { items } = await allPages(`/v1/${kind}/${id}/evaluations`, 10);
  if (!items.length) return { latest: null, history: items };
  const { data } = await api('GET', `/v1/evaluations/${items[items.length - 1].id}`);
  return { latest: data, history: items };
}

// Which score-table rows the findings point at: "/indicators/3/..." -> 3,
// "/budget/..." -> 'budget', "/reported/..." -> 'total'.
function pointedRow(pointer) {
  const m = /^\/indicators\/(\d+)(\/|$)/.exec(pointer || '');
  if (m) return Number(m[1]);
  if (/^\/budget(\/|$)/.test(pointer || '')) return 'budget';
  if (/^\/reported(\/|$)/.test(pointer || '')) return 'total';
  return null;
}

function rowId(key) {
  return `row-${key}`;
}

// 评分情况表: the evaluation's rows with the reported score beside the
// computed one; rows a finding points at are highlighted.
function scoreTable(ev) {
  const flagged = new Map();
  for (const f of ev.findings || []) {
    const k = pointedRow(f.pointer);
    if (k === null) continue;
    const worst = flagged.get(k);
    if (!worst || ['info', 'warning', 'error'].indexOf(f.severity) > ['info', 'warning', 'error'].indexOf(worst)) {
      flagged.set(k, f.severity);
    }
  }
  const input = ev.input || {};
  const docRows = input.indicators || [];
  const rows = (ev.indicators || []).map((r, i) => {
    const src = r.index !== null && r.index !== undefined ? docRows[r.index] || {} : {};
    const key = r.index !== null && r.index !== undefined ? r.index : `x${i}`;
    const sev = flagged.get(key);
    return h('tr', { id: rowId(key), class: sev ? `flag flag-${sev}` : null, tabindex: sev ? '-1' : null },
      h('td', { class: 'n', 'data-label': '序号' }, i + 1),
      h('td', { 'data-label': '一级指标' }, r.level1 || src.level1 || ''),
      h('td', { 'data-label': '二级指标' }, r.level2 || src.level2 || ''),
      h('td', { 'data-label': '三级指标' }, r.name || src.name || ''),
      h('td', { class: 'n', 'data-label': '分值' }, num(r.weight)),
      h('td', { class: 'n', 'data-label': '报告得分' }, src.reported_score === undefined || src.reported_score === null ? '—' : num(src.reported_score)),
      h('td', { class: 'n strong', 'data-label': '核定得分' }, r.not_applicable ? '不适用' : num(r.score)),
      h('td', { class: 'n', 'data-label': '扣分' }, num(r.deduction !== undefined ? r.deduction : r.weight - r.score)),
      h('td', { class: 'explain', 'data-label': '评分情况' }, r.explain || ''));
  });
  const ex = ev.execution;
  if (ex && ex.weight) {
    const sev = flagged.get('budget');
    rows.push(h('tr', { id: rowId('budget'), class: sev ? `flag flag-${sev}` : null, tabindex: sev ? '-1' : null },
      h('td', { class: 'n', 'data-label': '序号' }, ''),
      h('td', { colspan: 3, 'data-label': '指标' }, '预算执行率'),
      h('td', { class: 'n', 'data-label': '分值' }, num(ex.weight)),
      h('td', { class: 'n', 'data-label': '报告得分' }, input.reported && input.reported.execution_score != null ? num(input.reported.execution_score) : '—'),
      h('td', { class: 'n strong', 'data-label': '核定得分' }, num(ex.score)),
      h('td', { class: 'n', 'data-label': '扣分' }, num(ex.weight - ex.score)),
      h('td', { class: 'explain', 'data-label': '评分情况' },
        ex.rate === null || ex.rate === undefined ? '缺少全年执行数或全年预算数，无法计算执行率'
          : `执行率 ${pct(ex.rate)}（全年执行数 ${money(ex.executed)} ÷ 全年预算数 ${money(ex.budget)}）`)));
  }
  const sevT = flagged.get('total');
  const reported = input.reported || {};
  rows.push(h('tr', { id: rowId('total'), class: `total${sevT ? ' flag flag-' + sevT : ''}`, tabindex: sevT ? '-1' : null },
    h('td', { 'data-label': '序号' }, ''),
    h('td', { colspan: 3, 'data-label': '指标' }, '合计'),
    h('td', { class: 'n', 'data-label': '分值' }, num(ev.max)),
    h('td', { class: 'n', 'data-label': '报告得分' }, reported.total != null ? num(reported.total) : '—'),
    h('td', { class: 'n strong', 'data-label': '核定得分' }, num(ev.total)),
    h('td', { class: 'n', 'data-label': '扣分' }, num(ev.max - ev.total)),
    h('td', { class: 'explain', 'data-label': '评分情况' },
      `总分 ${num(ev.total)}，等级 ${ev.grade}` + (reported.grade ? `（报告等级 ${reported.grade}）` : '') +
      (ev.complete ? '' : '（部分指标无法确定，总分与等级为下限）'))));
  const heads = ['序号', '一级指标', '二级指标', '三级指标', '分值', '报告得分', '核定得分', '扣分', '评分情况'];
  return h('div', { class: 'scroll' }, h('table', { class: 'score', id: 'score-table' },
    h('caption', {}, '评分情况表'),
    h('thead', {}, h('tr', {}, heads.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rows)));
}

function findingsList(ev) {
  const items = ev.findings || [];
  const box = h('section', { class: 'findings', 'aria-labelledby': 'findings-title' },
    h('h2', { id: 'findings-title' }, `发现的问题（${items.length} 项）`));
  if (!items.length) {
    add(box, h('p', { class: 'empty' }, '没有发现问题。'));
    return box;
  }
  add(box, h('ul', { class: 'finding-list' }, items.map((f) => {
    const key = pointedRow(f.pointer);
    const goto = key === null ? null : h('button', {
      type: 'button', class: 'link',
      onclick: () => {
        const row = document.getElementById(rowId(key));
        if (row) { row.scrollIntoView({ block: 'center' }); row.focus(); }
      },
    }, '定位到表中');
    return h('li', { class: `sev-${f.severity}` },
      h('span', { class: `sev sev-${f.severity}` }, SEVERITY[f.severity] || f.severity),
      ' ', h('code', {}, f.code), ' ',
      h('span', { class: 'msg' }, f.message), ' ',
      h('span', { class: 'ptr' }, f.pointer || ''), ' ', goto);
  })));
  return box;
}

function reportLinks(ev, base) {
  const box = h('div', { class: 'reports' }, h('span', {}, '下载报告：'),
    downloadButton('HTML', `/v1/evaluations/${ev.id}/report?format=html`, `${base}-评价报告.html`),
    downloadButton('XLSX', `/v1/evaluations/${ev.id}/report?format=xlsx`, `${base}-评价报告.xlsx`));
  // PDF only when this server renders it (format=pdf is a later addition):
  // its contract names it, and a HEAD of the report answers 2xx.
  contractHas(/\bpdf\b/).then((yes) => yes && fetch(`/v1/evaluations/${ev.id}/report?format=pdf`, {
    method: 'HEAD', headers: { Authorization: 'Bearer ' + token() }, cache: 'no-store',
  })).then((r) => {
    if (r && r.ok) add(box, downloadButton('PDF', `/v1/evaluations/${ev.id}/report?format=pdf`, `${base}-评价报告.pdf`));
  }).catch(() => {});
  return box;
}

function summaryLine(ev) {
  if (!ev) return h('p', { class: 'muted' }, '尚未评价。');
  return h('dl', { class: 'facts' },
    fact('核定总分', [num(ev.total), ` / ${num(ev.max, 0)}`]),
    fact('等级', ev.grade),
    fact('完整', ev.complete ? '是' : '否（总分与等级为下限）'),
    fact('评价时间', when(ev.created_at)),
    fact('评价人', (ev.created_by && ev.created_by.org_name) || '—'),
    fact('框架', `${ev.framework} v${ev.framework_version}`));
}

function fact(label, value) {
  return h('div', {}, h('dt', {}, label), h('dd', {}, value));
}

// Buttons for the workflow the caller may try; the server decides (403/409
// answers are shown).  reload() re-renders the page afterwards.
function workflowBar(kind, subject, etag, reload, status) {
  const bar = h('div', { class: 'actions' });
  const say = (msg, bad) => {
    status.textContent = msg;
    status.className = bad ? 'error' : 'ok';
  };
  const run = async (btn, label, fn) => {
    btn.disabled = true;
    say(`正在${label}…`);
    try {
      await fn();
      say(`已${label}。`);
      await reload(`已${label}。`);
    } catch (e) {
      say(`${label}失败：${describe(e)}`, true);
      btn.disabled = false;
    }
  };
  const base = `/v1/${kind}/${subject.id}`;
  const evalBtn = h('button', { type: 'button', id: 'btn-evaluate' }, '评估');
  evalBtn.addEventListener('click', () => run(evalBtn, '评估', () => api('POST', `${base}/evaluations`)));
  add(bar, evalBtn);
  const mine = me.org.kind !== 'finance';
  if (subject.status === 'draft' && (mine || me.org.kind === 'admin')) {
    const b = h('button', { type: 'button', id: 'btn-submit' }, '提交审核');
    b.addEventListener('click', () => run(b, '提交', () => api('POST', `${base}/submit`, { headers: { 'If-Match': etag } })));
    add(bar, b);
  }
  const reviewer = me.org.kind !== 'unit' && subject.org_id !== me.org.id;
  if (subject.status === 'submitted' && reviewer) {
    add(bar, reviewControls(kind, subject, etag, () => reload('已处理。')));
  }
  return bar;
}

// 通过 / 退回 with a reason, for one submitted item.
function reviewControls(kind, item, etag, done) {
  const box = h('span', { class: 'review' });
  const msg = h('span', { class: 'hint', role: 'status' });
  const base = `/v1/${kind}/${item.id}`;
  const ifMatch = etag || `"${item.version}"`;
  const accept = h('button', { type: 'button', class: 'ok-btn' }, '通过');
  const back = h('button', { type: 'button', class: 'secondary' }, '退回…');
  accept.addEventListener('click', async () => {
    accept.disabled = true;
    msg.textContent = '正在处理…';
    try {
      await api('POST', `${base}/accept`, { headers: { 'If-Match': ifMatch } });
      msg.textContent = '已通过。';
      done();
    } catch (e) {
      msg.textContent = '失败：' + describe(e);
      accept.disabled = false;
    }
  });
  back.addEventListener('click', () => {
    const fid = `reason-${kind}-${item.id}`;
    const input = h('textarea', { id: fid, name: 'reason', rows: 2, required: true, maxlength: 2000 });
    const err = h('span', { class: 'field-error', id: fid + '-err', role: 'alert' });
    input.setAttribute('aria-describedby', fid + '-err');
    const form = h('form', { class: 'return-form', novalidate: true },
      h('label', { for: fid }, '退回原因'), input, err,
      h('div', {}, h('button', { type: 'submit' }, '确认退回'), ' ',
        h('button', { type: 'button', class: 'secondary', onclick: () => { form.remove(); back.disabled = false; back.focus(); } }, '取消')));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const reason = input.value.trim();
      if (!reason) { err.textContent = '请填写退回原因。'; input.focus(); return; }
      err.textContent = '正在退回…';
      try {
        await api('POST', `${base}/return`, { headers: { 'If-Match': ifMatch }, body: { reason } });
        err.textContent = '';
        msg.textContent = '已退回。';
        form.remove();
        done();
      } catch (e) {
        err.textContent = '退回失败：' + describe(e);
      }
    });
    back.disabled = true;
    add(box, form);
    input.focus();
  });
  add(box, accept, ' ', back, ' ', msg);
  return box;
}

function budgetSection(p, ev) {
  const b = p.budget || {};
  const ex = ev && ev.execution;
  const rows = [
    ['年初预算数', money(b.initial)],
    ['调减数', money(b.cuts)],
    ['调增数', money(b.additions)],
    ['全年预算数', money(b.adjusted)],
    ['全年执行数', money(b.executed)],
    ['结余', money(b.balance)],
    ['执行率（核定）', ex ? pct(ex.rate) : '—'],
    ['执行率（报告）', b.reported_execution_rate != null ? text(b.reported_execution_rate) : '—'],
  ].filter(([, v], i) => v !== '—' || i === 3 || i === 4 || i === 6);
  return h('section', { 'aria-labelledby': 'budget-title', class: 'card' },
    h('h2', { id: 'budget-title' }, '预算与执行'),
    h('dl', { class: 'facts' }, rows.map(([k, v]) => fact(k, v))));
}

function projectPage(view, id) {
  add(view, loading('正在加载项目…'));
  const status = h('p', { class: 'ok', role: 'status', id: 'action-status' });
  async function load(message) {
    let p, etag, latest, history;
    try {
      ({ data: p, etag } = await api('GET', `/v1/projects/${id}`));
      ({ latest, history } = await latestEvaluation('projects', id));
    } catch (e) {
      clear(view).append(errorBox(e, () => load()));
      return;
    }
    clear(view);
    destroyCharts();
    if (message) status.textContent = message;
    const title = h('h1', {}, p.name);
    add(view, 
      h('p', { class: 'crumbs' }, link('#/projects', '项目'), ' › ', p.year + ' 年度'),
      title,
      h('div', { class: 'subtitle' }, statusBadge(p.status, p.return_reason), ' ', orgCell(p.org_id),
        ` · ${p.year} 年度`, p.code ? ` · 编码 ${p.code}` : '', p.supervising_office ? ` · 主管处室 ${p.supervising_office}` : '',
        p.fund_nature ? ` · ${p.fund_nature}` : '', p.evaluation_method ? ` · ${p.evaluation_method}` : ''),
      p.return_reason ? h('p', { class: 'returned-note', role: 'note' }, '退回原因：', p.return_reason) : null,
      workflowBar('projects', p, etag, load, status),
      status,
      h('div', { class: 'two' }, budgetSection(p, latest),
        h('section', { class: 'card', 'aria-labelledby': 'ev-title' }, h('h2', { id: 'ev-title' }, '最新评价'),
          summaryLine(latest), latest ? reportLinks(latest, p.name) : null)));
    if (latest) {
      add(view, h('section', { 'aria-label': '评分情况表' }, scoreTable(latest)), findingsList(latest));
    } else {
      add(view, h('p', { class: 'empty' }, '尚未评价：点“评估”按规则计算得分并检查一致性。'));
    }
    if (p.status === 'draft' && me.org.kind !== 'finance') add(view, resultsForm(p, etag, load));
    if (history && history.length > 1) add(view, evaluationHistory(history));
  }
  load();
}

function evaluationHistory(items) {
  return h('section', { 'aria-labelledby': 'hist-title' },
    h('h2', { id: 'hist-title' }, '评价记录'),
    h('div', { class: 'scroll' }, h('table', { class: 'list' },
      h('thead', {}, h('tr', {}, ['时间', '总分', '等级', '完整', '问题数'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, items.slice().reverse().map((e) => h('tr', {},
        h('td', { 'data-label': '时间' }, when(e.created_at)),
        h('td', { class: 'n', 'data-label': '总分' }, num(e.total)),
        h('td', { 'data-label': '等级' }, e.grade),
        h('td', { 'data-label': '完整' }, e.complete ? '是' : '否'),
        h('td', { class: 'n', 'data-label': '问题数' }, e.finding_count)))))));
}

// 年度结果: actual, reported score and deviation reason per indicator, the
// executed amount and the reported total.  Only changed fields are sent;
// a 422's pointers (into this body) put each message beside its field.
function resultsForm(p, etag, reload) {
  const fields = new Map(); // pointer -> {input, err}
  const body = { indicators: [] };
  const form = h('form', { class: 'results', id: 'results-form', novalidate: true });
  const general = h('div', { class: 'error', role: 'alert', id: 'results-errors' });
  const inds = p.indicators || [];

  function field(pointer, label, value, opts = {}) {
    const fid = 'fld' + pointer.replace(/[^a-z0-9]/gi, '-');
    const input = opts.area
      ? h('textarea', { id: fid, name: pointer, rows: 1 })
      : h('input', { id: fid, name: pointer, type: 'text', inputmode: opts.numeric ? 'decimal' : null });
    input.value = value;
    const err = h('span', { class: 'field-error', id: fid + '-err' });
    input.setAttribute('aria-describedby', fid + '-err');
    fields.set(pointer, { input, err, original: value });
    return h('div', { class: 'field' }, h('label', { for: fid }, label), input, err);
  }

  const rows = inds.map((ind, i) => h('fieldset', { class: 'ind' },
    h('legend', {}, `${i + 1}. ${ind.name}`, h('span', { class: 'muted' }, `（${ind.level2 || ind.level1}，分值 ${num(ind.weight)}，目标 ${text(ind.target) || '—'}）`)),
    field(`/indicators/${i}/actual`, '实际完成值', text(ind.actual)),
    field(`/indicators/${i}/reported_score`, '报告得分', ind.reported_score == null ? '' : String(ind.reported_score), { numeric: true }),
    field(`/indicators/${i}/deviation_reason`, '偏差原因', text(ind.deviation_reason), { area: true })));
  const b = p.budget || {};
  const aw = p.amounts_as_written || {};
  const r = p.reported || {};
  add(form, 
    h('h2', {}, '填报年度结果'),
    h('p', { class: 'hint' }, '修改后点“保存年度结果”。只发送改动过的内容；有误时说明显示在对应字段旁。'),
    general,
    h('fieldset', { class: 'ind' }, h('legend', {}, '预算执行与报告总分'),
      field('/budget/executed', '全年执行数（元或“万元”）', aw['/budget/executed'] || b.executed || ''),
      field('/reported/total', '报告总分', r.total == null ? '' : String(r.total), { numeric: true })),
    rows,
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'btn-save-results' }, '保存年度结果')));

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    for (const { err, input } of fields.values()) { err.textContent = ''; input.removeAttribute('aria-invalid'); }
    clear(general);
    body.indicators = [];
    delete body.budget;
    delete body.reported;
    const map = []; // body pointer -> form pointer
    inds.forEach((ind, i) => {
      const item = { id: ind.id };
      let changed = false;
      for (const k of ['actual', 'reported_score', 'deviation_reason']) {
        const f = fields.get(`/indicators/${i}/${k}`);
        const v = f.input.value.trim();
        if (v === f.original.trim()) continue;
        changed = true;
        if (v === '') item[k] = null;
        else if (k === 'reported_score' && /^-?\d+(\.\d+)?$/.test(v)) item[k] = Number(v);
        else item[k] = v;
      }
      if (changed) {
        map.push([`/indicators/${body.indicators.length}`, `/indicators/${i}`]);
        body.indicators.push(item);
      }
    });
    const ex = fields.get('/budget/executed');
    if (ex.input.value.trim() !== ex.original.trim()) body.budget = { executed: ex.input.value.trim() || null };
    const tot = fields.get('/reported/total');
    if (tot.input.value.trim() !== tot.original.trim()) {
      const v = tot.input.value.trim();
      body.reported = { total: v === '' ? null : (/^\d+(\.\d+)?$/.test(v) ? Number(v) : v) };
    }
    if (!body.indicators.length) delete body.indicators;
    if (!body.indicators && !body.budget && !body.reported) {
      general.append(h('p', {}, '没有改动。'));
      return;
    }
    const btn = $('btn-save-results');
    btn.disabled = true;
    try {
      await api('PUT', `/v1/projects/${p.id}/results`, { headers: { 'If-Match': etag }, body });
      await reload('年度结果已保存。请点“评估”重新计算得分。');
    } catch (e) {
      btn.disabled = false;
      showFieldErrors(e, fields, map, general);
    }
  });
  return form;
}

// Puts each problem+json error beside the field its pointer names; the
// rest (and the problem's title) go to the list above the form.
function showFieldErrors(e, fields, map, general) {
  const errs = (e.body && Array.isArray(e.body.errors)) ? e.body.errors : [];
  general.append(h('p', {}, '保存失败：', describe(e)));
  let first = null;
  const rest = [];
  for (const er of errs) {
    let ptr = er.pointer || '';
    for (const [from, to] of map) {
      if (ptr === from || ptr.startsWith(from + '/')) { ptr = to + ptr.slice(from.length); break; }
    }
    let f = fields.get(ptr);
    if (!f) {
      // a pointer at an indicator as a whole, or deeper than the field
      const k = [...fields.keys()].find((key) => ptr.startsWith(key + '/'));
      f = k ? fields.get(k) : null;
    }
    if (f) {
      f.err.textContent = (f.err.textContent ? f.err.textContent + '；' : '') + er.message;
      f.input.setAttribute('aria-invalid', 'true');
      if (!first) first = f.input;
    } else {
      rest.push(er);
    }
  }
  if (rest.length) general.append(h('ul', {}, rest.map((er) => h('li', {}, h('code', {}, er.pointer || '/'), ' ', er.message))));
  if (first) first.focus();
}

function assessmentPage(view, id) {
  add(view, loading('正在加载整体评价…'));
  const status = h('p', { class: 'ok', role: 'status', id: 'action-status' });
  async function load(message) {
    let a, etag, latest, history;
    try {
      ({ data: a, etag } = await api('GET', `/v1/assessments/${id}`));
      ({ latest, history } = await latestEvaluation('assessments', id));
    } catch (e) {
      clear(view).append(errorBox(e, () => load()));
      return;
    }
    clear(view);
    if (message) status.textContent = message;
    add(view, 
      h('p', { class: 'crumbs' }, link('#/assessments', '整体评价'), ' › ', a.year + ' 年度'),
      h('h1', {}, a.name || `${a.year}年度${SCOPE[a.scope]}自评`),
      h('div', { class: 'subtitle' }, statusBadge(a.status, a.return_reason), ' ', orgCell(a.org_id),
        ` · ${a.year} 年度 · ${SCOPE[a.scope] || a.scope} · ${a.framework}`),
      a.return_reason ? h('p', { class: 'returned-note', role: 'note' }, '退回原因：', a.return_reason) : null,
      workflowBar('assessments', a, etag, load, status),
      status,
      h('section', { class: 'card', 'aria-labelledby': 'ev-title' }, h('h2', { id: 'ev-title' }, '最新评价'),
        summaryLine(latest), latest ? reportLinks(latest, a.name || '整体评价') : null));
    if (latest) add(view, h('section', { 'aria-label': '评分情况表' }, scoreTable(latest)), findingsList(latest));
    if (history && history.length > 1) add(view, evaluationHistory(history));
  }
  load();
}

// ---- review queue -------------------------------------------------------------------------

function queuePage(view) {
  add(view, h('h1', {}, '待审核'),
    h('p', { class: 'hint' }, '下级单位已提交、等待您审核的项目和整体评价。通过后不可再改；退回须填写原因，退回后回到草稿。'));
  const cols = (kind, base) => base.slice(0, 2).concat(base.slice(2).filter(([t]) => t !== '状态'), [
    ['审核', (it) => (it.org_id === me.org.id ? h('span', { class: 'muted' }, '本单位填报，待上级审核')
      : reviewControls(kind, it, null, () => setTimeout(() => box[kind].reload(), 600)))],
  ]);
  const box = {};
  box.projects = pagedTable({ path: '/v1/projects?status=submitted', columns: cols('projects', PROJECT_COLUMNS),
    empty: '没有待审核的项目。' });
  box.assessments = pagedTable({ path: '/v1/assessments?status=submitted', columns: cols('assessments', ASSESSMENT_COLUMNS),
    empty: '没有待审核的整体评价。' });
  add(view, h('h2', {}, '项目'), box.projects, h('h2', {}, '整体评价'), box.assessments);
}

// ---- plans ---------------------------------------------------------------------------------

function plansPage(view) {
  add(view, h('h1', {}, '评价计划'));
  add(view, pagedTable({ path: '/v1/plans', empty: '没有评价计划。', columns: [
    ['计划', (pl) => link(`#/plans/${pl.id}`, `${pl.year} 年度部门评价计划`)],
    ['部门', (pl) => orgCell(pl.org_id)],
    ['预算年度', (pl) => pl.budget_year, 'n'],
    ['项目数', (pl) => (pl.projects || []).length, 'n'],
    ['单位整体评价数', (pl) => (pl.unit_wide || []).length, 'n'],
  ] }));
}

async function planPage(view, id) {
  add(view, loading('正在加载评价计划…'));
  let pl;
  try {
    ({ data: pl } = await api('GET', `/v1/plans/${id}`));
  } catch (e) {
    clear(view).append(errorBox(e, () => { clear(view); planPage(view, id); }));
    return;
  }
  clear(view);
  const f = pl.findings || [];
  add(view, 
    h('p', { class: 'crumbs' }, link('#/plans', '评价计划')),
    h('h1', {}, `${pl.year} 年度部门评价计划`),
    h('div', { class: 'subtitle' }, orgCell(pl.org_id), ` · 评价 ${pl.budget_year} 年度预算 · 预算单位 ${pl.unit_count ?? '—'} 个`),
    pl.note ? h('p', { class: 'note' }, pl.note) : null,
    h('section', { 'aria-labelledby': 'plan-f' }, h('h2', { id: 'plan-f' }, `计划规则检查（${f.length} 项）`),
      f.length ? h('ul', { class: 'finding-list' }, f.map((x) => h('li', { class: `sev-${x.severity}` },
        h('span', { class: `sev sev-${x.severity}` }, SEVERITY[x.severity] || x.severity), ' ',
        h('code', {}, x.code), ' ', x.message, ' ', h('span', { class: 'ptr' }, x.pointer || ''))))
        : h('p', { class: 'empty' }, '计划符合规则，没有发现问题。')),
    h('h2', {}, '重点评价项目'),
    h('div', { class: 'scroll' }, h('table', { class: 'list' },
      h('thead', {}, h('tr', {}, ['项目', '主管处室', '金额', '资金性质', '评价方式'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, (pl.projects || []).map((x, i) => {
        const pid = x.matched_project_id || x.project_id;
        const flagged = f.some((y) => (y.pointer || '').startsWith(`/projects/${i}`));
        return h('tr', { class: flagged ? 'flag flag-warning' : null },
          h('td', { 'data-label': '项目' }, pid ? link(`#/projects/${pid}`, x.name) : x.name),
          h('td', { 'data-label': '主管处室' }, x.supervising_office || ''),
          h('td', { class: 'n', 'data-label': '金额' }, x.amount),
          h('td', { 'data-label': '资金性质' }, x.fund_nature),
          h('td', { 'data-label': '评价方式' }, x.method));
      })))),
    h('h2', {}, '单位整体支出评价'),
    (pl.unit_wide || []).length ? h('div', { class: 'scroll' }, h('table', { class: 'list' },
      h('thead', {}, h('tr', {}, ['单位', '预算', '项目数', '评价方式'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, pl.unit_wide.map((x) => h('tr', {},
        h('td', { 'data-label': '单位' }, x.name), h('td', { class: 'n', 'data-label': '预算' }, text(x.budget)),
        h('td', { class: 'n', 'data-label': '项目数' }, x.project_count ?? ''), h('td', { 'data-label': '评价方式' }, x.method))))))
      : h('p', { class: 'empty' }, '未安排单位整体支出评价。'));
}

// ---- import -------------------------------------------------------------------------------

function importPage(view) {
  const yearNow = new Date().getFullYear() - 1;
  const fileIn = h('input', { id: 'import-file', name: 'file', type: 'file', accept: '.json,.csv,.xlsx,.docx', required: true });
  const yearIn = h('input', { id: 'import-year', name: 'year', type: 'number', value: yearNow, min: 2000, max: 2100 });
  const modeIn = h('select', { id: 'import-mode', name: 'mode' },
    h('option', { value: 'all_or_nothing' }, '全部成功才导入'), h('option', { value: 'per_record' }, '逐条导入（跳过有误的）'));
  const out = h('div', { id: 'import-result', 'aria-live': 'polite' });
  const form = h('form', { class: 'card', id: 'import-form' },
    h('p', { class: 'hint' }, '支持 JSON 数组和 CSV（见 docs/import.md），以及 .xlsx / .docx 自评表（服务器支持时）。先试导入检查，无误后再正式导入。'),
    h('div', { class: 'field' }, h('label', { for: 'import-file' }, '文件'), fileIn),
    h('div', { class: 'field' }, h('label', { for: 'import-year' }, '年度（.xlsx / .docx 用）'), yearIn),
    h('div', { class: 'field' }, h('label', { for: 'import-mode' }, '方式'), modeIn),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'btn-dry-run' }, '试导入（不保存）')));
  add(view, h('h1', {}, '导入自评表'), form, out);

  function mediaOf(file) {
    const ext = (file.name.split('.').pop() || '').toLowerCase();
    return MEDIA[ext] || file.type || 'application/octet-stream';
  }
  function query(file, dry) {
    const q = new URLSearchParams({ mode: modeIn.value, dry_run: dry ? 'true' : 'false' });
    const type = mediaOf(file);
    if (type === MEDIA.xlsx || type === MEDIA.docx) {
      q.set('org_id', String(me.org.id));
      if (yearIn.value) q.set('year', yearIn.value);
    }
    return '/v1/import?' + q;
  }
  async function send(file, dry) {
    clear(out).append(loading(dry ? '正在试导入…' : '正在导入…'));
    let summary, failed = null;
    try {
      ({ data: summary } = await api('POST', query(file, dry), { file, type: mediaOf(file) }));
    } catch (e) {
      if (e.body && typeof e.body === 'object' && 'records' in e.body) summary = e.body;
      else failed = e;
    }
    clear(out);
    if (failed) { add(out, errorBox(failed)); return; }
    add(out, importSummary(summary, dry));
    if (dry && summary.rejected === 0 || dry && modeIn.value === 'per_record' && summary.records > summary.rejected) {
      const go = h('button', { type: 'button', id: 'btn-import' }, '确认导入');
      go.addEventListener('click', () => { go.disabled = true; send(file, false); });
      add(out, h('div', { class: 'actions' }, go));
    }
  }
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const file = fileIn.files[0];
    if (!file) { clear(out).append(h('p', { class: 'error', role: 'alert' }, '请选择文件。')); fileIn.focus(); return; }
    send(file, true);
  });
}

function importSummary(s, dry) {
  const title = dry ? '试导入结果（未保存）' : (s.committed ? '已导入' : '未导入');
  const box = h('section', { class: 'card', 'aria-labelledby': 'imp-t' }, h('h2', { id: 'imp-t' }, title),
    h('dl', { class: 'facts' },
      fact('记录', s.records ?? '—'), fact('新建', s.created ?? '—'), fact('更新', s.updated ?? '—'),
      fact('未变', s.unchanged ?? '—'), fact('拒绝', s.rejected ?? '—')));
  if (s.detail) add(box, h('p', {}, s.detail));
  // .xlsx/.docx: every table as read (dry runs), and the tables left out
  const docs = Array.isArray(s.documents) ? s.documents.filter((d) => d && d.document) : [];
  if (docs.length) {
    add(box, h('h3', {}, '读取到的自评表'), h('ul', { id: 'import-documents' }, docs.map((d) => h('li', {},
      h('strong', {}, d.document.name || d.name || '（无名称）'), ` · ${d.place || ''}`,
      ` · ${d.document.year ?? '—'} 年度 · ${(d.document.indicators || []).length} 个指标`,
      d.document.budget && d.document.budget.adjusted ? ` · 全年预算 ${text(d.document.budget.adjusted)}` : ''))));
  }
  const skipped = Array.isArray(s.skipped) ? s.skipped : [];
  if (skipped.length) {
    add(box, h('h3', {}, '未作为自评表读取的表格'), h('ul', {}, skipped.map((x) => h('li', {},
      `${x.place || ''} ${x.name || ''}：${x.skipped || ''}`))));
  }
  const known = ['mode', 'dry_run', 'committed', 'records', 'created', 'updated', 'unchanged', 'rejected',
    'rejections', 'rejections_total', 'projects', 'skipped', 'documents', 'type', 'title', 'status', 'detail'];
  for (const k of Object.keys(s).filter((x) => !known.includes(x))) {
    add(box, h('p', { class: 'muted' }, `${k}：${text(s[k]).slice(0, 300)}`));
  }
  if ((s.rejections || []).length) {
    const file = s.rejections.some((r) => r.place);
    add(box, h('div', { class: 'scroll' }, h('table', { class: 'list' },
      h('caption', {}, '被拒绝的记录' + (s.rejections_total ? `（共 ${s.rejections_total} 条，列出前 ${s.rejections.length} 条）` : '')),
      h('thead', {}, h('tr', {}, ['记录', file ? '位置' : '行', file ? '自评表' : '列', '字段', '说明'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, s.rejections.map((r) => h('tr', {},
        h('td', { class: 'n', 'data-label': '记录' }, r.record),
        h('td', { 'data-label': file ? '位置' : '行' }, file ? (r.place ?? '') : (r.line ?? '')),
        h('td', { 'data-label': file ? '自评表' : '列' }, file ? (r.name ?? '') : (r.column ?? '')),
        h('td', { 'data-label': '字段' }, h('code', {}, r.pointer || '')),
        h('td', { 'data-label': '说明' }, r.message)))))));
  }
  if ((s.projects || []).length && !dry) {
    const word = { created: '新建', updated: '更新', unchanged: '未变' };
    add(box, h('ul', {}, s.projects.map((p) => h('li', {},
      p.id ? link(`#/projects/${p.id}`, p.name || `项目 #${p.id}`) : (p.name || ''), ' ', word[p.result] || p.result))));
  }
  return box;
}

// ---- the finance bureau's dashboard ------------------------------------------------------

const GROUP_LABEL = { region: '地区', department: '部门', unit: '单位' };

function groupName(g, by) {
  if (by === 'region') return g.region_name || g.region;
  if (by === 'department') return g.department_name || (g.department == null ? '（无主管部门）' : `部门 #${g.department}`);
  if (by === 'unit') return g.unit_name || `单位 #${g.unit}`;
  return '';
}

async function dashboardPage(view, params) {
  const by = ['region', 'department', 'unit'].includes(params.get('group_by')) ? params.get('group_by') : 'region';
  let status = params.get('status') === 'all' ? 'all' : '';
  add(view, h('h1', {}, '绩效自评总览'), loading('正在加载年度…'));
  let years = [];
  try {
    // the years with submitted work first (what the bureau reviews), else any
    let { data } = await api('GET', '/v1/totals?group_by=year');
    if (!data.groups.some((g) => g.count > 0)) {
      ({ data } = await api('GET', '/v1/totals?group_by=year&status=all'));
      if (!params.has('status')) status = 'all'; // nothing submitted yet: show the drafts
    }
    years = data.groups.filter((g) => g.count > 0).map((g) => g.year).filter((y) => y).sort((a, b) => b - a);
  } catch (e) {
    clear(view).append(h('h1', {}, '绩效自评总览'), errorBox(e, () => route()));
    return;
  }
  const year = params.get('year') || (years[0] ? String(years[0]) : String(new Date().getFullYear() - 1));
  const region = params.get('region') || '';
  const dept = params.get('department') || '';
  clear(view);

  const yearSel = h('select', { id: 'd-year', name: 'year' },
    (years.length ? years : [Number(year)]).map((y) => h('option', { value: y, selected: String(y) === year }, `${y} 年度`)));
  const bySel = h('select', { id: 'd-group', name: 'group_by' },
    Object.entries(GROUP_LABEL).map(([v, l]) => h('option', { value: v, selected: v === by }, `按${l}`)));
  const stSel = h('select', { id: 'd-status', name: 'status' },
    h('option', { value: '', selected: status === '' }, '已提交和已通过'),
    h('option', { value: 'all', selected: status === 'all' }, '全部（含草稿）'));
  const form = h('form', { class: 'filters', role: 'search' },
    h('div', { class: 'field' }, h('label', { for: 'd-year' }, '年度'), yearSel),
    h('div', { class: 'field' }, h('label', { for: 'd-group' }, '分组'), bySel),
    h('div', { class: 'field' }, h('label', { for: 'd-status' }, '状态'), stSel),
    h('div', { class: 'field' }, h('button', { type: 'submit' }, '查看')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams({ year: yearSel.value, group_by: bySel.value });
    if (stSel.value) q.set('status', stSel.value);
    location.hash = '#/dashboard?' + q;
  });
  const q = new URLSearchParams({ year, group_by: by });
  if (status) q.set('status', status);
  if (region) q.set('region', region);
  if (dept) q.set('department', dept);
  const crumbs = h('p', { class: 'crumbs' });
  if (region || dept) {
    const up = new URLSearchParams({ year, group_by: 'region' });
    if (status) up.set('status', status);
    add(crumbs, link('#/dashboard?' + up, '全部地区'), region ? ` › 区划 ${region}` : '', dept ? ' › 部门' : '');
  }
  add(view, h('h1', {}, `${year} 年度绩效自评总览`), form, crumbs);
  const body = h('div', {}, loading('正在汇总…'));
  add(view, body);

  let t;
  try {
    ({ data: t } = await api('GET', '/v1/totals?' + q));
  } catch (e) {
    clear(body).append(errorBox(e, () => route()));
    return;
  }
  clear(body);
  const T = t.total;
  add(body, h('section', { class: 'cards', 'aria-label': '汇总' },
    card('项目数', T.count, `已评价 ${T.evaluated}，未评价 ${T.not_evaluated}`),
    card('全年预算', wan(T.budget.adjusted), `年初 ${wan(T.budget.initial)}`),
    card('全年执行', wan(T.budget.executed), `执行率 ${pct(T.execution_rate)}`),
    card('平均得分', num(T.mean_score), `按预算加权 ${num(T.weighted_mean_score)}`),
    card('有问题的项目', T.findings.any, `错误 ${T.findings.error} · 警告 ${T.findings.warning} · 提示 ${T.findings.info}`)),
  h('p', { class: 'hint' }, t.filters && t.filters.status_default ? '只统计已提交和已通过的项目。' : '统计全部状态（含草稿）。'));

  const charts1 = h('div', { class: 'two' });
  const gradeCanvas = h('canvas', { id: 'chart-grades', role: 'img', 'aria-label': '等级分布图' });
  const codeCanvas = h('canvas', { id: 'chart-codes', role: 'img', 'aria-label': '按问题代码统计图' });
  const codeBox = h('div', { class: 'chart' }, codeCanvas);
  add(charts1, 
    h('section', { class: 'card', 'aria-labelledby': 'c1' }, h('h2', { id: 'c1' }, '等级分布'),
      h('div', { class: 'chart' }, gradeCanvas), gradeTable(T.grades)),
    h('section', { class: 'card', 'aria-labelledby': 'c2' }, h('h2', { id: 'c2' }, '发现的问题（按代码）'),
      h('p', { class: 'hint' }, '各项目最新一次评价发现的问题，含草稿。'), codeBox));
  add(body, charts1);
  drawChart(gradeCanvas, 'bar', T.grades.map((g) => g.grade), T.grades.map((g) => g.count), '项目数',
    T.grades.map((g) => GRADE_COLOR[g.grade] || '#8a94a6'));
  findingsByCode(year, region, dept, codeBox, codeCanvas);

  const mon = h('section', { class: 'card', id: 'monitoring', 'aria-labelledby': 'mon-t', hidden: true });
  add(body, mon);
  monitoringPanel(mon, year, region, dept);

  add(body, h('section', { 'aria-labelledby': 'grp-t' },
    h('div', { class: 'row' }, h('h2', { id: 'grp-t' }, `按${GROUP_LABEL[by]}`),
      h('span', { class: 'exports' },
        downloadButton('导出 CSV', '/v1/totals?' + q + '&format=csv', `绩效自评汇总-${year}-${by}.csv`),
        downloadButton('导出 XLSX', '/v1/totals?' + q + '&format=xlsx', `绩效自评汇总-${year}-${by}.xlsx`))),
    groupsTable(t, by, year, status)));
}

const GRADE_COLOR = { 优: '#1b7f4b', 良: '#4f8fd6', 中: '#e0a526', 差: '#c8423b', 优秀: '#1b7f4b',
  良好: '#4f8fd6', 合格: '#e0a526', 不合格: '#c8423b', 未评价: '#9aa3b2' };

function card(label, value, sub) {
  return h('div', { class: 'stat' }, h('div', { class: 'label' }, label), h('div', { class: 'value' }, value),
    sub ? h('div', { class: 'sub' }, sub) : null);
}

function gradeTable(grades) {
  return h('table', { class: 'mini' },
    h('caption', { class: 'sr' }, '等级分布'),
    h('thead', {}, h('tr', {}, ['等级', '数量', '占比', '执行金额'].map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, grades.map((g) => h('tr', {}, h('td', {}, g.grade), h('td', { class: 'n' }, g.count),
      h('td', { class: 'n' }, g.count_share == null ? '—' : pct(g.count_share)), h('td', { class: 'n' }, wan(g.amount))))));
}

function drawChart(canvas, type, labels, values, label, colors) {
  if (!window.Chart) {
    canvas.replaceWith(h('p', { class: 'muted' }, '图表库未加载。'));
    return;
  }
  charts.push(new window.Chart(canvas, {
    type,
    data: { labels, datasets: [{ label, data: values, backgroundColor: colors || '#4f8fd6' }] },
    options: {
      indexAxis: type === 'bar' && labels.length > 6 ? 'y' : 'x',
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { display: false } },
      scales: { x: { ticks: { precision: 0 } }, y: { ticks: { precision: 0 } } },
    },
  }));
}

async function findingsByCode(year, region, dept, box, canvas) {
  const q = new URLSearchParams({ year });
  if (region) q.set('region', region);
  if (dept) q.set('department', dept);
  let res;
  try {
    res = await allPages('/v1/findings?' + q, 10);
  } catch (e) {
    clear(box).append(errorBox(e));
    return;
  }
  const counts = new Map();
  for (const f of res.items) counts.set(f.code, (counts.get(f.code) || 0) + 1);
  const top = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12);
  if (!top.length) {
    clear(box).append(h('p', { class: 'empty' }, '没有发现的问题。'));
    return;
  }
  box.style.height = `${Math.max(180, top.length * 28 + 40)}px`;
  // the same figures as text, for screen readers (the canvas is a picture)
  box.after(h('table', { class: 'sr', id: 'codes-table' }, h('caption', {}, '发现的问题（按代码）'),
    h('tbody', {}, top.map(([c, n]) => h('tr', {}, h('th', { scope: 'row' }, c), h('td', {}, n))))));
  drawChart(canvas, 'bar', top.map(([c]) => c), top.map(([, n]) => n), '问题数',
    top.map(() => '#c8823b'));
  if (!res.complete) box.after(h('p', { class: 'hint' }, '只统计了前 10000 条。'));
}

// Mid-year monitoring colours (GET /v1/monitoring, 双监控), when the
// server has it: the first page's totals summed over their groups (or the
// page's own reports counted), and the red reports of that page.
async function monitoringPanel(box, year, region, dept) {
  const q = new URLSearchParams({ year, limit: '50' });
  if (region) q.set('region', region);
  if (dept) q.set('department', dept);
  let data;
  if (!(await contractHas(/^ {2}\/v1\/monitoring:/m))) return; // not on this server
  try {
    ({ data } = await api('GET', '/v1/monitoring?' + q));
  } catch (e) {
    return; // 404 (not built) or anything else: the panel stays hidden
  }
  const items = (data && Array.isArray(data.items)) ? data.items : [];
  const counts = new Map();
  const groups = data && data.totals && Array.isArray(data.totals.groups) ? data.totals.groups : null;
  if (groups) {
    for (const g of groups) {
      for (const [c, v] of Object.entries(g.colors || {})) counts.set(c, (counts.get(c) || 0) + ((v && v.count) || 0));
    }
  } else {
    for (const it of items) counts.set(it.color || 'none', (counts.get(it.color || 'none') || 0) + 1);
  }
  const NAME = { green: '绿灯', yellow: '黄灯', red: '红灯', none: '未评定', null: '未评定' };
  const order = ['green', 'yellow', 'red', 'none'];
  const keys = [...counts.keys()].sort((x, y) => order.indexOf(x) - order.indexOf(y));
  const red = items.filter((it) => it.color === 'red');
  add(box, h('h2', { id: 'mon-t' }, '执行监控（双监控）'),
    keys.length ? h('ul', { class: 'lights' }, keys.map((c) =>
      h('li', { class: `light light-${c}` }, `${NAME[c] || c}：${counts.get(c)}`)))
      : h('p', { class: 'empty' }, '本年度还没有监控记录。'),
    red.length ? h('ul', { class: 'red-list' }, red.map((it) => h('li', {},
      link(`#/projects/${it.project_id}`, it.project_name || `项目 #${it.project_id}`),
      ` ${it.org_name || ''} · ${it.period || ''} · 执行率 ${pct(it.execution_rate)} / 时间进度 ${pct(it.time_progress)}`)))
      : null);
  box.hidden = false;
}

function groupsTable(t, by, year, status) {
  if (!t.groups.length) return h('p', { class: 'empty' }, '没有数据。');
  const drill = (g) => {
    const q = new URLSearchParams({ year });
    if (status) q.set('status', status);
    if (by === 'region') { q.set('group_by', 'department'); q.set('region', g.region); return '#/dashboard?' + q; }
    if (by === 'department' && g.department != null) { q.set('group_by', 'unit'); q.set('department', g.department); return '#/dashboard?' + q; }
    if (by === 'unit') return `#/projects?org=${g.unit}&year=${year}`;
    return null;
  };
  // the grade words of the frameworks involved (优/良/中/差, 优秀/良好/合格/不合格)
  const words = (t.grades || ['优', '良', '中', '差']).filter((w) => w !== '未评价');
  const heads = [GROUP_LABEL[by], '项目数', '已评价', '全年预算', '全年执行', '执行率', '平均得分', '加权平均', ...words, '有问题'];
  const gc = (g, w) => ((g.grades || []).find((x) => x.grade === w) || {}).count ?? 0;
  return h('div', { class: 'scroll' }, h('table', { class: 'list', id: 'groups' },
    h('thead', {}, h('tr', {}, heads.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, t.groups.map((g) => {
      const href = drill(g);
      return h('tr', {},
        h('td', { 'data-label': GROUP_LABEL[by] }, href ? link(href, groupName(g, by)) : groupName(g, by)),
        h('td', { class: 'n', 'data-label': '项目数' }, g.count),
        h('td', { class: 'n', 'data-label': '已评价' }, g.evaluated),
        h('td', { class: 'n', 'data-label': '全年预算' }, wan(g.budget.adjusted)),
        h('td', { class: 'n', 'data-label': '全年执行' }, wan(g.budget.executed)),
        h('td', { class: 'n', 'data-label': '执行率' }, pct(g.execution_rate)),
        h('td', { class: 'n', 'data-label': '平均得分' }, num(g.mean_score)),
        h('td', { class: 'n', 'data-label': '加权平均' }, num(g.weighted_mean_score)),
        words.map((w) => h('td', { class: 'n', 'data-label': w }, gc(g, w))),
        h('td', { class: 'n', 'data-label': '有问题' }, g.findings.any));
    }))));
}

// ---- start ----------------------------------------------------------------------------------

function start() {
  $('login').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const tok = $('token').value.trim();
    $('token').value = '';
    if (!tok) { $('login-error').textContent = '请粘贴访问令牌。'; return; }
    $('login-error').textContent = '正在登录…';
    login(tok);
  });
  $('logout').addEventListener('click', () => logout('已退出。'));
  window.addEventListener('hashchange', route);
  const tok = token();
  if (tok) login(tok);
  else showLogin();
}

start();
