// scmp portal: a small single-page application over the public API (/api/v1), with no
// dependencies and nothing fetched from elsewhere. Routes live in the URL's hash. The credential is
// an HttpOnly cookie set at login; requests that change something repeat the session's CSRF value.
'use strict';

// ---------------------------------------------------------------------------------------------
// Elements

/** Builds an element: h('a', {href: '#/'}, 'Home'). Attributes starting with "on" are listeners. */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Replaces an element's children (arrays flattened, empty values skipped). */
function put(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter((c) => c !== undefined && c !== null && c !== false)
    .map((c) => (c instanceof Node ? c : document.createTextNode(String(c)))));
}

let uid = 0;
/** A labelled form field; the input gets an id so the label, the hint and the error point at it. */
function field(label, input, hint) {
  const id = input.id || `f${++uid}`;
  input.id = id;
  const err = h('div', { class: 'field-error', id: `${id}-err`, role: 'alert' });
  input.setAttribute('aria-describedby', hint ? `${id}-hint ${id}-err` : `${id}-err`);
  return h('div', { class: 'field', 'data-field': input.name || '' },
    h('label', { for: id }, label), hint ? h('div', { class: 'hint', id: `${id}-hint` }, hint) : null, input, err);
}

function input(name, attrs) {
  return h('input', Object.assign({ name }, attrs || {}));
}

function select(name, options, value) {
  return h('select', { name }, options.map(([v, text]) =>
    h('option', { value: v, selected: String(v) === String(value ?? '') }, text)));
}

function badge(text, kind) {
  return h('span', { class: `badge ${kind || 'muted'}` }, text);
}

const STATE_KIND = {
  running: 'ok', succeeded: 'ok', online: 'ok', intact: 'ok',
  creating: 'info', updating: 'info', deleting: 'info', pending: 'info', stopping: 'info', starting: 'info',
  stopped: 'muted', cancelled: 'muted', unknown: 'muted', deleted: 'muted',
  degraded: 'warn', missing: 'warn',
  failed: 'bad', unreachable: 'bad', broken: 'bad', error: 'bad',
};
function stateBadge(state) {
  return badge(String(state).replace(/_/g, ' '), STATE_KIND[state] || 'muted');
}

// An RFC 3339 time from the API, in the reader's locale; '—' when absent.
function when(time) {
  if (!time) return '—';
  return new Date(time).toLocaleString();
}

function mib(m) {
  return m >= 1024 ? `${(m / 1024).toFixed(m % 1024 ? 1 : 0)} GiB` : `${m} MiB`;
}

/** A bar of used (and allocated) against a limit, with the numbers in words for screen readers. */
function meter(label, used, limit, opts) {
  const o = opts || {};
  const fmt = o.format || ((x) => String(x));
  const pct = (x) => (limit > 0 ? Math.min(100, (100 * x) / limit) : 0);
  const fillUsed = h('div', { class: 'fill' });
  fillUsed.style.width = `${pct(used)}%`;
  const parts = [];
  if (o.allocated !== undefined) {
    const fa = h('div', { class: 'fill alloc' });
    fa.style.width = `${pct(o.allocated)}%`;
    parts.push(fa);
  }
  parts.push(fillUsed);
  if (o.reserve) {
    const fr = h('div', { class: 'fill reserve' });
    fr.style.width = `${pct(o.reserve)}%`;
    parts.push(fr);
  }
  const text = `${fmt(used)} of ${fmt(limit)}` +
    (o.allocated !== undefined ? `, ${fmt(o.allocated)} allocated` : '') +
    (o.reserve ? `, ${fmt(o.reserve)} kept free for HA` : '');
  return h('div', { class: `meter${limit > 0 && used / limit > 0.9 ? ' high' : ''}` },
    h('div', { class: 'label' }, h('span', {}, label), h('span', {}, text)),
    h('div', {
      class: 'track', role: 'meter', 'aria-label': label, 'aria-valuemin': 0,
      'aria-valuemax': limit, 'aria-valuenow': Math.min(used, limit), 'aria-valuetext': text,
    }, parts));
}

function table(columns, rows, empty) {
  if (!rows.length) return h('p', { class: 'muted' }, empty || 'Nothing here yet.');
  return h('div', { class: 'table-wrap' }, h('table', {},
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : '' }, c.title)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, columns.map((c) => h('td', { class: c.num ? 'num' : '' }, c.cell(r))))))));
}

function facts(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter(Boolean).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

// ---------------------------------------------------------------------------------------------
// The API

class ApiError extends Error {
  constructor(status, problem) {
    super(problemText(problem, status));
    this.status = status;
    this.problem = problem || {};
  }
}

/** A problem+json answer in words a user understands. */
/** "site frankfurt (DE), cluster frankfurt-1, host pve2: why", from a placement answer. */
function placementText(pl) {
  return `site ${pl.site} (${pl.country}), cluster ${pl.cluster}, host ${pl.host}: ${pl.reason}`;
}

function problemText(p, status) {
  if (!p) return `The server answered ${status}.`;
  if (p.errors && p.errors.length) {
    return p.errors.map((e) => `${fieldName(e.field)}: ${e.message}`).join('; ');
  }
  if (status === 403) return `You are not allowed to do this. ${p.detail || ''}`.trim();
  return p.detail || p.title || `The server answered ${status}.`;
}

function fieldName(path) {
  return String(path || '').replace(/^body\./, '').replace(/_/g, ' ').replace(/\./g, ' › ') || 'input';
}

function csrf() {
  const m = document.cookie.match(/(?:^|;\s*)scmp_csrf=([^;]+)/);
  return m ? m[1] : '';
}

async function call(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['X-CSRF-Token'] = csrf();
  let res;
  try {
    res = await fetch(path, {
      method, headers, credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, { detail: 'The server cannot be reached. Check your connection and try again.' });
  }
  if (res.status === 401 && path !== '/portal/session') {
    const had = session.me !== null;
    session.me = null;
    showLogin(had ? 'Your session has ended. Log in again to continue where you were.' : '');
    throw new ApiError(401, { detail: 'Your session has ended.' });
  }
  if (res.status === 204) return null;
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

const api = {
  get: (p) => call('GET', `/api/v1${p}`),
  post: (p, b) => call('POST', `/api/v1${p}`, b === undefined ? {} : b),
  put: (p, b) => call('PUT', `/api/v1${p}`, b),
  patch: (p, b) => call('PATCH', `/api/v1${p}`, b),
  del: (p) => call('DELETE', `/api/v1${p}`),
};

/** Every item of a listing, page after page (bounded). */
async function all(path) {
  const items = [];
  let token = null;
  for (let i = 0; i < 50; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const page = await api.get(token ? `${path}${sep}page_token=${encodeURIComponent(token)}` : path);
    items.push(...(page.items || []));
    token = page.next_page_token;
    if (!token) break;
  }
  return items;
}

// ---------------------------------------------------------------------------------------------
// Session and roles

const session = { me: null, names: {} };

function roles() { return (session.me && session.me.roles) || []; }
function hasRole(...names) { return roles().some((r) => names.includes(r.role)); }
const isPlatform = () => roles().some((r) => r.scope === 'platform');
const canOperate = () => hasRole('platform-admin', 'platform-operator');
const canAudit = () => hasRole('platform-admin', 'auditor');
const isTenantAdmin = () => hasRole('platform-admin', 'tenant-admin');

function showLogin(message) {
  const app = document.getElementById('app');
  const back = location.hash;
  let mode = 'password';
  const alert = h('div', { role: 'alert' }, message ? h('div', { class: 'alert info' }, message) : null);
  const form = h('form', { novalidate: true });
  const draw = () => {
    put(form, 
      mode === 'password'
        ? [field('User name', input('username', { autocomplete: 'username', required: true, autofocus: true })),
           field('Password', input('password', { type: 'password', autocomplete: 'current-password', required: true }))]
        : [field('API token', input('token', { type: 'password', autocomplete: 'off', required: true, autofocus: true }), 'scmp_…')],
      h('div', { class: 'actions' }, h('button', { class: 'primary', type: 'submit' }, 'Log in')));
  };
  const tab = (name, text) => h('button', {
    type: 'button', role: 'tab', 'aria-selected': mode === name ? 'true' : 'false',
    onclick: () => { mode = name; put(tabs, tab('password', 'Password'), tab('token', 'Token')); draw(); },
  }, text);
  const tabs = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'How to log in' });
  tabs.append(tab('password', 'Password'), tab('token', 'Token'));
  draw();
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    put(alert, );
    try {
      await call('POST', '/portal/session', data);
      await start(back && back !== '#/login' ? back : '#/');
    } catch (e) {
      put(alert, h('div', { class: 'alert error' }, e.message));
    }
  });
  put(app, h('main', { id: 'main', class: 'login' },
    h('h1', {}, 'scmp'),
    h('p', { class: 'muted' }, 'Secure Cloud Management Platform — log in to manage your guests at the edge.'),
    h('div', { class: 'panel' }, tabs, alert, form)));
}

async function logout() {
  try { await call('DELETE', '/portal/session'); } catch (e) { /* the cookies are cleared anyway */ }
  session.me = null;
  location.hash = '#/';
  showLogin('You are logged out.');
}

// ---------------------------------------------------------------------------------------------
// Layout and routing

function navigation(current) {
  const link = (href, text) => h('a', { href, 'aria-current': current === href ? 'page' : null }, text);
  const groups = [[null, [link('#/', 'Overview'), link('#/projects', 'Projects'), link('#/operations', 'Operations'), link('#/tokens', 'My tokens')]]];
  if (isTenantAdmin() || hasRole('tenant-admin')) {
    groups.push(['Tenant', [link('#/people', 'Users and groups'), link('#/bindings', 'Role bindings')]]);
  }
  if (isPlatform()) {
    const items = [link('#/sites', 'Sites and clusters'), link('#/tenants', 'Tenants'), link('#/catalog', 'Catalog')];
    groups.push(['Platform', items]);
  }
  if (canAudit() || hasRole('tenant-auditor', 'tenant-admin')) groups.push(['Audit', [link('#/audit', 'Audit log')]]);
  return h('nav', { class: 'side', 'aria-label': 'Main' }, groups.map(([title, links]) => [title ? h('h2', {}, title) : null, links]));
}

function frame(current, content) {
  const me = session.me;
  put(document.getElementById('app'), 
    h('header', { class: 'topbar' },
      h('a', { class: 'brand', href: '#/' }, 'scmp'),
      h('div', { class: 'who' },
        h('span', {}, `${me.name}${roles().length ? ` · ${roles().map((r) => r.role).join(', ')}` : ''}`),
        h('button', { type: 'button', onclick: logout }, 'Log out'))),
    h('div', { class: 'layout' }, navigation(current), h('main', { id: 'main', tabindex: '-1' }, content)));
}

const routes = [];
function route(pattern, nav, render) { routes.push({ re: new RegExp(`^${pattern}$`), nav, render }); }

let pollTimer = null;
function poll(fn, ms) {
  clearTimeout(pollTimer);
  const tick = async () => {
    const keep = await fn().catch(() => false);
    if (keep) pollTimer = setTimeout(tick, ms);
  };
  pollTimer = setTimeout(tick, ms);
}

async function render() {
  clearTimeout(pollTimer);
  if (!session.me) return;
  const hash = location.hash.replace(/^#/, '') || '/';
  const path = hash.split('?')[0];
  const query = new URLSearchParams(hash.split('?')[1] || '');
  for (const r of routes) {
    const m = path.match(r.re);
    if (!m) continue;
    const content = h('div', {}, h('p', { class: 'loading' }, 'Loading…'));
    frame(r.nav, content);
    try {
      const page = await r.render(...m.slice(1).map(decodeURIComponent), query);
      put(content, page);
      const heading = content.querySelector('h1');
      if (heading) document.title = `${heading.textContent} · scmp`;
    } catch (e) {
      if (e.status === 401) return;
      put(content, h('div', { class: 'alert error', role: 'alert' }, e.message));
    }
    return;
  }
  frame('', h('div', {}, h('h1', {}, 'Not found'), h('p', {}, 'There is no such page. ', h('a', { href: '#/' }, 'Back to the overview'), '.')));
}

async function start(target) {
  try {
    session.me = await api.get('/me');
  } catch (e) {
    if (e.status !== 401) showLogin(e.message);
    return;
  }
  if (target && location.hash !== target) location.hash = target;
  else render();
}

window.addEventListener('hashchange', render);
window.addEventListener('DOMContentLoaded', () => start());

// ---------------------------------------------------------------------------------------------
// Forms

/** Runs a change and shows its problem next to the fields at fault, or above the form. */
async function submit(form, alertBox, fn) {
  form.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
  form.querySelectorAll('.field-error').forEach((el) => { el.textContent = ''; });
  put(alertBox);
  const button = form.querySelector('button[type="submit"]');
  if (button) button.disabled = true;
  try {
    return await fn();
  } catch (e) {
    let placed = false;
    for (const fe of (e.problem && e.problem.errors) || []) {
      const key = String(fe.field).split('.').pop();
      const el = form.querySelector(`[name="${CSS.escape(key)}"]`);
      if (el) {
        el.setAttribute('aria-invalid', 'true');
        const err = document.getElementById(`${el.id}-err`);
        if (err) err.textContent = fe.message;
        placed = true;
      }
    }
    put(alertBox, h('div', { class: 'alert error', role: 'alert' }, placed ? `Please correct the marked fields: ${e.message}` : e.message));
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

function num(v) { return v === '' || v === undefined ? undefined : Number(v); }

function confirmDialog(title, text, action) {
  return new Promise((resolve) => {
    const d = h('dialog', { 'aria-labelledby': 'dlg-title' },
      h('h2', { id: 'dlg-title' }, title), h('p', {}, text),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'danger', onclick: () => { d.close(); resolve(true); } }, action),
        h('button', { type: 'button', onclick: () => { d.close(); resolve(false); } }, 'Cancel')));
    d.addEventListener('close', () => { d.remove(); resolve(false); });
    document.body.append(d);
    d.showModal();
  });
}

// ---------------------------------------------------------------------------------------------
// Names for ids

async function tenants() { return all('/tenants'); }
/** `?tenant=` of the caller's own tenant, for listings that platform staff read whole. */
function ownTenant() {
  return !isPlatform() && session.me.tenant_id ? `?tenant=${session.me.tenant_id}` : '';
}
async function projectsOf(tenantId) { return all(`/tenants/${tenantId}/projects`); }

/** The projects the user may see: those of the tenants it may see, and those its roles name
 * directly (a project member sees its projects, not their tenant). */
async function allProjects() {
  const ts = await tenants();
  const lists = await Promise.all(ts.map((t) => projectsOf(t.id).then((ps) => ps.map((p) => ({ ...p, tenant: t }))).catch(() => [])));
  const found = lists.flat();
  const direct = roles().filter((r) => r.scope.startsWith('project/')).map((r) => r.scope.slice('project/'.length))
    .filter((id, i, ids) => ids.indexOf(id) === i && !found.some((p) => p.id === id));
  const more = await Promise.all(direct.map((id) => api.get(`/projects/${id}`).catch(() => null)));
  return found.concat(more.filter(Boolean).map((p) => ({ ...p, tenant: ts.find((t) => t.id === p.tenant_id) || { id: p.tenant_id, name: 'your tenant' } })));
}

// ---------------------------------------------------------------------------------------------
// Overview

route('/', '#/', async () => {
  const out = h('div', {}, h('h1', {}, `Welcome, ${session.me.name}`));
  if (isPlatform()) {
    const sites = await all('/sites');
    const clusters = (await Promise.all(sites.map((s) => all(`/sites/${s.id}/clusters`).catch(() => [])))).flat();
    const bad = clusters.filter((c) => c.health.state !== 'online');
    out.append(h('div', { class: 'cards' },
      h('div', { class: 'panel' }, h('h2', {}, 'Sites'), h('p', {}, `${sites.length} sites, ${clusters.length} clusters`),
        bad.length ? h('p', {}, badge(`${bad.length} not online`, 'warn')) : h('p', {}, badge('all clusters online', 'ok')),
        h('a', { href: '#/sites' }, 'Sites and clusters'))));
  }
  const projects = await allProjects();
  out.append(h('h2', {}, 'Your projects'), projectCards(projects));
  return out;
});

function projectCards(projects) {
  if (!projects.length) return h('p', { class: 'muted' }, 'You have no projects yet.');
  return h('div', { class: 'cards' }, projects.map((p) => h('div', { class: 'panel' },
    h('h3', {}, h('a', { href: `#/projects/${p.id}` }, p.name)),
    h('p', { class: 'muted' }, `${p.tenant.name}${p.description ? ` — ${p.description}` : ''}`),
    meter('Guests', p.quota.used.guests, p.quota.limits.guests),
    meter('vCPUs', p.quota.used.vcpus, p.quota.limits.vcpus))));
}

// ---------------------------------------------------------------------------------------------
// Projects

route('/projects', '#/projects', async () => {
  const ts = await tenants();
  const projects = await allProjects();
  const out = h('div', {}, h('h1', {}, 'Projects'));
  const manageable = ts.filter(() => isTenantAdmin());
  if (manageable.length) {
    const alertBox = h('div');
    const form = h('form', { class: 'panel', 'aria-labelledby': 'np' },
      h('h2', { id: 'np' }, 'New project'), alertBox,
      field('Tenant', select('tenant', manageable.map((t) => [t.id, t.name]))),
      field('Name', input('name', { required: true, pattern: '[a-z0-9-]+' }), 'lower-case letters, digits and hyphens'),
      field('Description', input('description')),
      h('fieldset', {}, h('legend', {}, 'Quota'),
        field('vCPUs', input('vcpus', { type: 'number', min: 0, value: 8 })),
        field('Memory (MiB)', input('memory_mib', { type: 'number', min: 0, value: 16384 })),
        field('Disk (GiB)', input('disk_gib', { type: 'number', min: 0, value: 200 })),
        field('Guests', input('guests', { type: 'number', min: 0, value: 10 }))),
      h('button', { type: 'submit', class: 'primary' }, 'Create project'));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const d = Object.fromEntries(new FormData(form));
      const p = await submit(form, alertBox, () => api.post(`/tenants/${d.tenant}/projects`, {
        name: d.name, description: d.description || null,
        quota: { vcpus: num(d.vcpus), memory_mib: num(d.memory_mib), disk_gib: num(d.disk_gib), guests: num(d.guests) },
      }));
      if (p) location.hash = `#/projects/${p.id}`;
    });
    out.append(projectTable(projects), form);
  } else {
    out.append(projectTable(projects));
  }
  return out;
});

function projectTable(projects) {
  return table([
    { title: 'Project', cell: (p) => h('a', { href: `#/projects/${p.id}` }, p.name) },
    { title: 'Tenant', cell: (p) => p.tenant.name },
    { title: 'Guests', num: true, cell: (p) => `${p.quota.used.guests} / ${p.quota.limits.guests}` },
    { title: 'vCPUs', num: true, cell: (p) => `${p.quota.used.vcpus} / ${p.quota.limits.vcpus}` },
    { title: 'Memory', num: true, cell: (p) => `${mib(p.quota.used.memory_mib)} / ${mib(p.quota.limits.memory_mib)}` },
  ], projects, 'No projects yet.');
}

function quotaPanel(q, title) {
  return h('div', { class: 'panel' }, h('h2', {}, title || 'Quota'),
    h('div', { class: 'legend' }, h('span', { class: 'l-used' }, 'used'), q.allocated && h('span', { class: 'l-alloc' }, 'allocated to projects')),
    meter('vCPUs', q.used.vcpus, q.limits.vcpus, q.allocated ? { allocated: q.allocated.vcpus } : {}),
    meter('Memory', q.used.memory_mib, q.limits.memory_mib, Object.assign({ format: mib }, q.allocated ? { allocated: q.allocated.memory_mib } : {})),
    meter('Disk', q.used.disk_gib, q.limits.disk_gib, Object.assign({ format: (x) => `${x} GiB` }, q.allocated ? { allocated: q.allocated.disk_gib } : {})),
    meter('Guests', q.used.guests, q.limits.guests, q.allocated ? { allocated: q.allocated.guests } : {}));
}

route('/projects/([^/]+)', '#/projects', async (id, query) => {
  const [p, guests] = await Promise.all([api.get(`/projects/${id}`), all(`/projects/${id}/guests`)]);
  const filter = { text: query.get('q') || '', state: query.get('state') || '' };
  const list = h('div');
  const draw = () => {
    const shown = guests.filter((g) => (!filter.state || g.state === filter.state) &&
      (!filter.text || g.name.includes(filter.text) || g.tags.some((t) => t.includes(filter.text))));
    put(list, table([
      { title: 'Name', cell: (g) => h('a', { href: `#/guests/${g.id}` }, g.name) },
      { title: 'State', cell: (g) => stateBadge(g.state) },
      { title: 'Kind', cell: (g) => g.kind === 'vm' ? 'VM' : 'Container' },
      { title: 'Size', cell: (g) => `${g.vcpus} vCPU, ${mib(g.memory_mib)}, ${g.disk_gib} GiB` },
      { title: 'Site', cell: (g) => g.site || '—' },
      { title: 'Host', cell: (g) => g.host || '—' },
      { title: 'Drift', cell: (g) => g.drift ? badge('drift', 'warn') : '' },
    ], shown, guests.length ? 'No guest matches the filter.' : 'No guests yet. Create the first one.'));
  };
  const text = input('q', { type: 'search', value: filter.text, placeholder: 'name or tag', oninput: (e) => { filter.text = e.target.value; draw(); } });
  const states = select('state', [['', 'any state'], ...['creating', 'running', 'stopped', 'updating', 'deleting', 'failed'].map((s) => [s, s])], filter.state);
  states.addEventListener('change', (e) => { filter.state = e.target.value; draw(); });
  draw();
  const out = h('div', {},
    h('div', { class: 'crumbs' }, h('a', { href: '#/projects' }, 'Projects'), ' › ', p.name),
    h('h1', {}, p.name),
    p.description ? h('p', { class: 'muted' }, p.description) : null,
    quotaPanel(p.quota),
    h('h2', {}, 'Guests'),
    h('div', { class: 'toolbar' },
      h('div', {}, field('Search', text)), h('div', {}, field('State', states)), h('div', { class: 'grow' }),
      h('a', { class: 'button primary', href: `#/projects/${id}/new` }, 'New guest')),
    list);
  if (isTenantAdmin()) out.append(quotaForm(`/projects/${id}/quota`, p.quota.limits, 'Change the project quota'));
  if (guests.some((g) => ['creating', 'updating', 'deleting'].includes(g.state))) {
    poll(async () => { const fresh = await all(`/projects/${id}/guests`); guests.splice(0, guests.length, ...fresh); draw(); return fresh.some((g) => ['creating', 'updating', 'deleting'].includes(g.state)); }, 1500);
  }
  return out;
});

function quotaForm(path, limits, title) {
  const alertBox = h('div');
  const form = h('form', { class: 'panel' }, h('h2', {}, title), alertBox,
    field('vCPUs', input('vcpus', { type: 'number', min: 0, value: limits.vcpus })),
    field('Memory (MiB)', input('memory_mib', { type: 'number', min: 0, value: limits.memory_mib })),
    field('Disk (GiB)', input('disk_gib', { type: 'number', min: 0, value: limits.disk_gib })),
    field('Guests', input('guests', { type: 'number', min: 0, value: limits.guests })),
    h('button', { type: 'submit' }, 'Save quota'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const d = Object.fromEntries(new FormData(form));
    const r = await submit(form, alertBox, () => api.put(path, {
      vcpus: num(d.vcpus), memory_mib: num(d.memory_mib), disk_gib: num(d.disk_gib), guests: num(d.guests),
    }));
    if (r !== undefined) render();
  });
  return form;
}

// ---------------------------------------------------------------------------------------------
// The create wizard

route('/projects/([^/]+)/new', '#/projects', async (id) => {
  const [p, images, types, sites] = await Promise.all([
    api.get(`/projects/${id}`), all('/images'), all('/instance-types'), all('/sites').catch(() => [])]);
  const alertBox = h('div');
  const usage = h('div', { class: 'panel', 'aria-live': 'polite' });
  const placement = h('div', { class: 'panel', 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Asking placement…'));
  const sizes = h('div');
  const form = h('form', { novalidate: true },
    alertBox,
    h('fieldset', {}, h('legend', {}, '1. What'),
      field('Name', input('name', { required: true, autocomplete: 'off' }), 'a DNS label, also the host name'),
      field('Image', select('image', images.map((i) => [i.name, `${i.name} — ${i.os} ${i.version} (${i.kind === 'vm' ? 'VM' : 'container'})`])))),
    h('fieldset', {}, h('legend', {}, '2. Size'),
      field('Instance type', select('instance_type', [['', 'custom sizes…'], ...types.map((t) => [t.name, `${t.name} — ${t.vcpus} vCPU, ${mib(t.memory_mib)}, ${t.disk_gib} GiB`])], types[0] && types[0].name)),
      sizes),
    h('fieldset', {}, h('legend', {}, '3. Where'),
      field('Site', select('site', [['', 'automatic placement'], ...sites.map((s) => [s.name, `${s.name} (${s.country})`])]),
        'placement picks a host that fits, within your tenant\'s countries; its choice and the reason are shown below'),
      field('Anti-affinity group', input('anti_affinity_group'), 'optional: guests of one group never share a host')),
    h('fieldset', {}, h('legend', {}, '4. Network and cloud-init'),
      field('Bridge', input('bridge', { placeholder: 'vmbr0', autocomplete: 'off' }), 'the site network to join; vmbr0 when empty'),
      field('VLAN', input('vlan', { type: 'number', min: 1, max: 4094 }), 'optional: a VLAN on that bridge (1 to 4094)'),
      field('Addressing', select('net', [['dhcp', 'DHCP'], ['static', 'Static address']])),
      field('Static address', input('address', { placeholder: '10.0.0.5/24' }), 'static only'),
      field('Gateway', input('gateway', { placeholder: '10.0.0.1' }), 'static only'),
      field('User', input('user', { placeholder: 'debian' })),
      field('SSH public keys', h('textarea', { name: 'ssh_keys', placeholder: 'ssh-ed25519 AAAA… one per line' }))),
    h('fieldset', {}, h('legend', {}, '5. Options'),
      h('label', { class: 'inline' }, h('input', { type: 'checkbox', name: 'ha' }), 'High availability (restarted on another host when its host fails)'),
      field('Tags', input('tags'), 'comma separated')),
    h('h2', {}, 'What this guest will use'), usage,
    h('h2', {}, 'Where it will run'), placement,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Create guest'),
      h('a', { class: 'button', href: `#/projects/${id}` }, 'Cancel')));
  const wanted = () => {
    const d = Object.fromEntries(new FormData(form));
    const t = types.find((x) => x.name === d.instance_type);
    return t ? { vcpus: t.vcpus, memory_mib: t.memory_mib, disk_gib: t.disk_gib }
      : { vcpus: num(d.vcpus) || 0, memory_mib: num(d.memory_mib) || 0, disk_gib: num(d.disk_gib) || 0 };
  };
  const drawSizes = () => {
    const custom = !form.elements.instance_type.value;
    put(sizes, custom ? [
      field('vCPUs', input('vcpus', { type: 'number', min: 1, max: 128, value: 1 })),
      field('Memory (MiB)', input('memory_mib', { type: 'number', min: 64, value: 1024 })),
      field('Disk (GiB)', input('disk_gib', { type: 'number', min: 1, value: 10 }))] : []);
  };
  const drawUsage = () => {
    const w = wanted();
    const q = p.quota;
    const after = (k) => q.used[k] + w[k];
    const over = ['vcpus', 'memory_mib', 'disk_gib', 'guests'].filter((k) => (k === 'guests' ? q.used.guests + 1 : after(k)) > q.limits[k]);
    put(usage, 
      meter('vCPUs after creation', after('vcpus'), q.limits.vcpus),
      meter('Memory after creation', after('memory_mib'), q.limits.memory_mib, { format: mib }),
      meter('Disk after creation', after('disk_gib'), q.limits.disk_gib, { format: (x) => `${x} GiB` }),
      meter('Guests after creation', q.used.guests + 1, q.limits.guests),
      over.length ? h('div', { class: 'alert error' }, `This guest does not fit the project's quota (${over.map(fieldName).join(', ')}). Pick a smaller size or ask your tenant administrator for more.`) : null);
  };
  form.elements.instance_type.addEventListener('change', () => { drawSizes(); drawUsage(); });
  form.addEventListener('input', drawUsage);
  drawSizes();
  drawUsage();
  const body = () => {
    const d = Object.fromEntries(new FormData(form));
    const image = images.find((i) => i.name === d.image);
    const b = {
      name: d.name, kind: image ? image.kind : 'vm', image: d.image,
      ha: form.elements.ha.checked,
      tags: d.tags ? d.tags.split(',').map((t) => t.trim()).filter(Boolean) : [],
      site: d.site || null,
      anti_affinity_group: d.anti_affinity_group || null,
      cloud_init: {
        user: d.user || null,
        ssh_keys: (d.ssh_keys || '').split('\n').map((k) => k.trim()).filter(Boolean),
        ip_config: d.net === 'static' ? `ip=${d.address}${d.gateway ? `,gw=${d.gateway}` : ''}` : 'ip=dhcp',
      },
    };
    if (d.bridge || d.vlan) b.network = { bridge: d.bridge || null, vlan: num(d.vlan) ?? null };
    if (d.instance_type) b.instance_type = d.instance_type;
    else Object.assign(b, { vcpus: num(d.vcpus), memory_mib: num(d.memory_mib), disk_gib: num(d.disk_gib) });
    return b;
  };
  // Where placement would put the guest now, asked again (debounced) as the choices change.
  let previewTimer = null;
  let previewSeq = 0;
  const drawPlacement = () => {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(async () => {
      const mine = ++previewSeq;
      const b = body();
      // Placement does not depend on the name: one that is not valid yet must not hide the answer.
      if (!/^[a-z][a-z0-9-]{0,62}$/.test(b.name || '')) b.name = 'preview';
      try {
        const pl = await api.post(`/projects/${id}/guests?dry_run=true`, b);
        if (mine === previewSeq) put(placement, h('p', {}, h('strong', {}, 'Placement now: '), placementText(pl)));
      } catch (e) {
        if (mine === previewSeq) put(placement, h('div', { class: 'alert error' }, e.message));
      }
    }, 400);
  };
  form.addEventListener('input', drawPlacement);
  form.elements.instance_type.addEventListener('change', drawPlacement);
  drawPlacement();
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const op = await submit(form, alertBox, () => api.post(`/projects/${id}/guests`, body()));
    if (op) location.hash = `#/guests/${op.guest_id}?op=${op.id}`;
  });
  return h('div', {},
    h('div', { class: 'crumbs' }, h('a', { href: '#/projects' }, 'Projects'), ' › ', h('a', { href: `#/projects/${id}` }, p.name), ' › new guest'),
    h('h1', {}, 'New guest'), form);
});

// ---------------------------------------------------------------------------------------------
// A guest

const BUSY = ['creating', 'updating', 'deleting', 'starting', 'stopping'];

// An operation's progress: a bar and the figure beside it.
function progressCell(op) {
  const bar = h('div', { class: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': op.progress, 'aria-label': `${op.kind} progress` }, h('div'));
  bar.firstChild.style.width = `${op.progress}%`;
  return [bar, h('span', { class: 'muted' }, ` ${op.progress}%`)];
}

function operationsTable(ops) {
  return table([
    { title: 'Operation', cell: (o) => o.kind.replace(/_/g, ' ') },
    { title: 'State', cell: (o) => stateBadge(o.state) },
    { title: 'Progress', cell: progressCell },
    { title: 'Started', cell: (o) => when(o.created_at) },
    { title: 'Result', cell: (o) => o.error || (o.tasks && o.tasks.length ? h('code', {}, `${o.tasks.length} Proxmox task(s)`) : '') },
  ], ops, 'No operations yet.');
}

route('/guests/([^/]+)', '', async (id) => {
  const g = await api.get(`/guests/${id}`);
  const [p, ops, snaps, trail, images] = await Promise.all([
    api.get(`/projects/${g.project_id}`).catch(() => null),
    all(`/operations?guest=${g.id}&limit=20`).catch(() => []),
    ['running', 'stopped'].includes(g.state) ? all(`/guests/${g.id}/snapshots`).catch(() => []) : Promise.resolve([]),
    api.get(`/audit?tenant=${g.tenant_id}&guest=${g.id}&limit=200`).then((page) => page.items).catch(() => null),
    all('/images').catch(() => []),
  ]);
  const image = images.find((i) => i.id === g.image_id);
  const alertBox = h('div', { 'aria-live': 'polite' });
  const act = (label, path, opts) => h('button', {
    type: 'button', class: (opts && opts.cls) || '', disabled: BUSY.includes(g.state),
    onclick: async () => {
      if (opts && opts.confirm && !(await confirmDialog(opts.confirm[0], opts.confirm[1], label))) return;
      try {
        const op = opts && opts.method === 'DELETE' ? await api.del(path) : await api.post(path);
        put(alertBox, h('div', { class: 'alert info' }, `${label}: started.`));
        if (opts && opts.method === 'DELETE') watchThen(op, () => { location.hash = `#/projects/${g.project_id}`; });
        else watchThen(op, render);
        render();
      } catch (e) {
        put(alertBox, h('div', { class: 'alert error', role: 'alert' }, e.message));
      }
    },
  }, label);
  const resize = resizeForm(g);
  const snapshots = snapshotPanel(g, snaps);
  const out = h('div', {},
    h('div', { class: 'crumbs' }, h('a', { href: '#/projects' }, 'Projects'), ' › ', p ? h('a', { href: `#/projects/${p.id}` }, p.name) : 'project', ' › ', g.name),
    h('h1', {}, g.name, ' ', stateBadge(g.state)),
    alertBox,
    g.error ? h('div', { class: 'alert error' }, `Last failure: ${g.error}`) : null,
    g.drift ? h('div', { class: 'alert error' }, `Drift: Proxmox differs from scmp's record — ${g.drift}`) : null,
    h('div', { class: 'actions', role: 'group', 'aria-label': 'Power' },
      act('Start', `/guests/${g.id}/start`),
      act('Shutdown', `/guests/${g.id}/shutdown`),
      act('Stop', `/guests/${g.id}/stop`, { confirm: ['Stop the guest?', 'Stopping cuts the power at once; unsaved data in the guest is lost. Shutdown asks the guest to stop cleanly.'] }),
      act('Reboot', `/guests/${g.id}/reboot`),
      act('Delete', `/guests/${g.id}`, { cls: 'danger', method: 'DELETE', confirm: [`Delete ${g.name}?`, 'The guest is stopped and destroyed on Proxmox with its disks, and its quota is released. This cannot be undone.'] })),
    h('h2', {}, 'Configuration'),
    h('div', { class: 'panel' }, facts([
      ['Kind', g.kind === 'vm' ? 'Virtual machine' : 'Container'],
      ['Size', `${g.vcpus} vCPU, ${mib(g.memory_mib)} memory, ${g.disk_gib} GiB disk`],
      ['Image', image ? `${image.name} (${image.os} ${image.version})` : g.image_id],
      ['Site', g.site || '—'],
      ['Cluster', g.cluster || '—'],
      ['Host', g.host || '—'],
      ['VMID', g.vmid ?? '—'],
      ['Network', `${g.network.bridge}${g.network.vlan ? `, VLAN ${g.network.vlan}` : ''} · ${g.ip_config}`],
      ['Addresses', g.addresses && g.addresses.length ? g.addresses.join(', ')
        : (g.state === 'running' ? 'not reported (the guest agent does not answer)' : '—')],
      g.ci_user ? ['Cloud-init user', g.ci_user] : null,
      ['High availability', g.ha ? 'yes' : 'no'],
      ['Tags', g.tags.length ? g.tags.join(', ') : '—'],
      g.anti_affinity_group ? ['Anti-affinity group', g.anti_affinity_group] : null,
      ['Why this host', g.placement ? g.placement.reason : '—'],
      ['Created', when(g.created_at)],
    ])),
    h('h2', {}, 'Operations'), operationsTable(ops),
    resize, snapshots,
    g.events && g.events.length ? [h('h2', {}, 'Events'), table([
      { title: 'When', cell: (e) => when(e.at) }, { title: 'Kind', cell: (e) => stateBadge(e.kind) }, { title: 'Detail', cell: (e) => e.detail }], g.events)] : null,
    h('h2', {}, 'Audit trail'),
    trail === null ? h('p', { class: 'muted' }, 'Your roles do not include reading the audit log.') : auditTable(trail));
  if (BUSY.includes(g.state) || ops.some((o) => ['pending', 'running'].includes(o.state))) {
    poll(async () => {
      const fresh = await api.get(`/guests/${id}`);
      const live = await all(`/operations?guest=${id}&limit=20`);
      const still = BUSY.includes(fresh.state) || live.some((o) => ['pending', 'running'].includes(o.state));
      if (fresh.state !== g.state || !still) { render(); return false; }
      const holder = out.querySelector('table');
      if (holder) holder.closest('.table-wrap').replaceWith(operationsTable(live));
      return true;
    }, 1000);
  }
  return out;
});

/** Waits for an operation (long poll) and runs `then` when it ends. */
function watchThen(op, then) {
  if (!op || !op.id) return;
  (async () => {
    for (let i = 0; i < 20; i++) {
      const o = await api.get(`/operations/${op.id}?wait=25`).catch(() => null);
      if (!o || !['pending', 'running'].includes(o.state)) break;
    }
    if (location.hash.includes(op.guest_id)) then();
  })();
}

function resizeForm(g) {
  const alertBox = h('div');
  const form = h('form', { class: 'panel' }, h('h2', {}, 'Resize'), alertBox,
    h('p', { class: 'muted' }, 'vCPUs and memory change within your quota; the disk only grows.'),
    field('vCPUs', input('vcpus', { type: 'number', min: 1, value: g.vcpus })),
    field('Memory (MiB)', input('memory_mib', { type: 'number', min: 64, value: g.memory_mib })),
    field('Disk (GiB)', input('disk_gib', { type: 'number', min: g.disk_gib, value: g.disk_gib })),
    h('button', { type: 'submit', disabled: BUSY.includes(g.state) }, 'Resize'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const d = Object.fromEntries(new FormData(form));
    const op = await submit(form, alertBox, () => api.patch(`/guests/${g.id}`, {
      vcpus: num(d.vcpus), memory_mib: num(d.memory_mib), disk_gib: num(d.disk_gib) }));
    if (op) { watchThen(op, render); render(); }
  });
  return form;
}

function snapshotPanel(g, snaps) {
  const alertBox = h('div');
  const form = h('form', { class: 'toolbar' },
    h('div', {}, field('Snapshot name', input('name', { required: true, placeholder: 'before-upgrade' }))),
    h('button', { type: 'submit', disabled: BUSY.includes(g.state) }, 'Take snapshot'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const d = Object.fromEntries(new FormData(form));
    const op = await submit(form, alertBox, () => api.post(`/guests/${g.id}/snapshots`, { name: d.name }));
    if (op) { watchThen(op, render); render(); }
  });
  const act = async (label, fn, confirm) => {
    if (confirm && !(await confirmDialog(confirm[0], confirm[1], label))) return;
    try { const op = await fn(); watchThen(op, render); render(); } catch (e) { put(alertBox, h('div', { class: 'alert error', role: 'alert' }, e.message)); }
  };
  return h('div', { class: 'panel' }, h('h2', {}, 'Snapshots'), alertBox, form,
    table([
      { title: 'Name', cell: (s) => s.name },
      { title: 'Taken', cell: (s) => when(s.taken_at) },
      { title: 'Actions', cell: (s) => h('div', { class: 'actions' },
        h('button', { type: 'button', onclick: () => act('Roll back', () => api.post(`/guests/${g.id}/snapshots/${s.name}/rollback`), [`Roll back to ${s.name}?`, 'Everything written since the snapshot is lost.']) }, 'Roll back'),
        h('button', { type: 'button', onclick: () => act('Delete', () => api.del(`/guests/${g.id}/snapshots/${s.name}`), [`Delete snapshot ${s.name}?`, 'The snapshot is removed on Proxmox.']) }, 'Delete')) },
    ], snaps.filter((s) => s.name !== 'current'), 'No snapshots.'));
}

// ---------------------------------------------------------------------------------------------
// Operations

route('/operations', '#/operations', async () => {
  const list = h('div');
  const draw = async () => {
    const ops = await all('/operations?limit=50');
    put(list, table([
      { title: 'Operation', cell: (o) => o.kind.replace(/_/g, ' ') },
      { title: 'Guest', cell: (o) => h('a', { href: `#/guests/${o.guest_id}` }, o.target || o.guest_id) },
      { title: 'State', cell: (o) => stateBadge(o.state) },
      { title: 'Progress', cell: progressCell },
      { title: 'Started', cell: (o) => when(o.created_at) },
      { title: 'Error', cell: (o) => o.error || '' },
    ], ops, 'No operations yet.'));
    return ops.some((o) => ['pending', 'running'].includes(o.state));
  };
  if (await draw()) poll(draw, 1000);
  return h('div', {}, h('h1', {}, 'Operations'), h('p', { class: 'muted' }, 'Long changes run as operations; this page follows them live.'), list);
});

// ---------------------------------------------------------------------------------------------
// Tokens

route('/tokens', '#/tokens', async (query) => {
  // `?user=ID`: the tokens of a user the caller manages (to see and revoke, never their secrets).
  const user = query.get('user');
  const owner = user ? `?user=${encodeURIComponent(user)}` : '';
  const [tokens, who] = await Promise.all([all(`/tokens${owner}`), user ? api.get(`/users/${user}`) : Promise.resolve(null)]);
  const alertBox = h('div');
  const form = h('form', { class: 'panel' }, h('h2', {}, 'New API token'),
    field('Name', input('name', { required: true, placeholder: 'ci-pipeline' })),
    field('Expires', input('expires', { type: 'date' }), 'optional'),
    h('button', { type: 'submit', class: 'primary' }, 'Create token'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const d = Object.fromEntries(new FormData(form));
    const t = await submit(form, alertBox, () => api.post('/tokens', { name: d.name, expires_at: d.expires ? new Date(d.expires).toISOString() : null }));
    if (t) {
      put(alertBox, h('div', { class: 'alert ok' }, 'Copy the token now: it is shown only once.', h('div', { class: 'secret' }, t.secret)));
      form.reset();
    }
  });
  return h('div', {}, h('h1', {}, who ? `API tokens of ${who.name}` : 'My API tokens'), alertBox,
    table([
      { title: 'Name', cell: (t) => t.name },
      { title: 'Created', cell: (t) => when(t.created_at) },
      { title: 'Expires', cell: (t) => when(t.expires_at) },
      { title: '', cell: (t) => h('button', { type: 'button', onclick: async () => {
        if (await confirmDialog(`Revoke ${t.name}?`, 'Programs using this token lose access at once.', 'Revoke')) {
          try { await api.del(`/tokens/${t.id}${owner}`); render(); } catch (e) { put(alertBox, h('div', { class: 'alert error', role: 'alert' }, e.message)); }
        }
      } }, 'Revoke') },
    ], tokens, 'No tokens.'), who ? null : form);
});

// ---------------------------------------------------------------------------------------------
// Tenant administration: users, groups, role bindings

route('/people', '#/people', async () => {
  const [users, groups, ts] = await Promise.all([all(`/users${ownTenant()}`), all(`/groups${ownTenant()}`), tenants()]);
  const tenantName = (id) => (ts.find((t) => t.id === id) || {}).name || (id ? id : 'platform');
  const userAlert = h('div');
  const userForm = h('form', { class: 'panel' }, h('h2', {}, 'New user'), userAlert,
    field('Tenant', select('tenant', [...ts.map((t) => [t.id, t.name]), ...(isPlatform() ? [['', 'platform staff']] : [])])),
    field('Login name', input('name', { required: true, autocomplete: 'off' })),
    field('E-mail', input('email', { type: 'email' })),
    field('Password', input('password', { type: 'password', autocomplete: 'new-password' }), 'at least 12 characters; empty for token-only users'),
    h('button', { type: 'submit', class: 'primary' }, 'Create user'));
  userForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const d = Object.fromEntries(new FormData(userForm));
    const u = await submit(userForm, userAlert, () => api.post('/users', { name: d.name, email: d.email || null, password: d.password || null, tenant: d.tenant || null }));
    if (u) render();
  });
  const groupAlert = h('div');
  const groupForm = h('form', { class: 'panel' }, h('h2', {}, 'New group'), groupAlert,
    field('Tenant', select('tenant', [...ts.map((t) => [t.id, t.name]), ...(isPlatform() ? [['', 'platform']] : [])])),
    field('Name', input('name', { required: true })),
    field('Members', input('members'), 'user names, comma separated'),
    h('button', { type: 'submit', class: 'primary' }, 'Create group'));
  groupForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const d = Object.fromEntries(new FormData(groupForm));
    const g = await submit(groupForm, groupAlert, () => api.post('/groups', {
      name: d.name, tenant: d.tenant || null, members: (d.members || '').split(',').map((m) => m.trim()).filter(Boolean) }));
    if (g) render();
  });
  const del = (what, path, alertBox) => async () => {
    if (!(await confirmDialog(`Delete ${what}?`, 'This cannot be undone.', 'Delete'))) return;
    try { await api.del(path); render(); } catch (e) { put(alertBox, h('div', { class: 'alert error', role: 'alert' }, e.message)); }
  };
  return h('div', {}, h('h1', {}, 'Users and groups'),
    h('h2', {}, 'Users'),
    table([
      { title: 'Name', cell: (u) => u.name }, { title: 'E-mail', cell: (u) => u.email || '—' },
      { title: 'Tenant', cell: (u) => tenantName(u.tenant_id) },
      { title: '', cell: (u) => h('div', { class: 'actions' },
        h('a', { class: 'button', href: `#/tokens?user=${u.id}` }, 'Tokens'),
        h('button', { type: 'button', onclick: del(`user ${u.name}`, `/users/${u.id}`, userAlert) }, 'Delete')) },
    ], users, 'No users.'),
    userForm,
    h('h2', {}, 'Groups'),
    table([
      { title: 'Name', cell: (g) => g.name }, { title: 'Tenant', cell: (g) => tenantName(g.tenant_id) },
      { title: 'Members', cell: (g) => g.members.map((m) => (users.find((u) => u.id === m) || { name: m }).name).join(', ') || '—' },
      { title: '', cell: (g) => h('button', { type: 'button', onclick: del(`group ${g.name}`, `/groups/${g.id}`, groupAlert) }, 'Delete') },
    ], groups, 'No groups.'),
    groupForm);
});

route('/bindings', '#/bindings', async () => {
  const [bindings, users, groups, ts] = await Promise.all([
    all(`/role-bindings${ownTenant()}`), all(`/users${ownTenant()}`), all(`/groups${ownTenant()}`), tenants()]);
  const projects = await allProjects();
  const who = (b) => b.user_id ? `user ${(users.find((u) => u.id === b.user_id) || { name: b.user_id }).name}`
    : `group ${(groups.find((g) => g.id === b.group_id) || { name: b.group_id }).name}`;
  const scopeName = (s) => {
    const [kind, id] = s.split('/');
    if (kind === 'tenant') return `tenant ${(ts.find((t) => t.id === id) || { name: id }).name}`;
    if (kind === 'project') return `project ${(projects.find((p) => p.id === id) || { name: id }).name}`;
    return s;
  };
  const alertBox = h('div');
  const form = h('form', { class: 'panel' }, h('h2', {}, 'Grant a role'), alertBox,
    field('To', select('subject', [...users.map((u) => [`user:${u.id}`, `user ${u.name}`]), ...groups.map((g) => [`group:${g.id}`, `group ${g.name}`])])),
    field('Role', select('role', ['tenant-admin', 'tenant-auditor', 'project-admin', 'member', 'viewer', ...(isPlatform() ? ['platform-admin', 'platform-operator', 'auditor'] : [])].map((r) => [r, r]))),
    field('Scope', select('scope', [...ts.map((t) => [`tenant:${t.id}`, `tenant ${t.name}`]), ...projects.map((p) => [`project:${p.id}`, `project ${p.tenant.name}/${p.name}`]), ...(isPlatform() ? [['platform', 'the whole platform']] : [])])),
    h('button', { type: 'submit', class: 'primary' }, 'Grant'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const d = Object.fromEntries(new FormData(form));
    const [sk, sid] = d.subject.split(':');
    const [ck, cid] = d.scope.split(':');
    const b = await submit(form, alertBox, () => api.post('/role-bindings', {
      role: d.role, subject: { [sk]: sid }, scope: ck === 'platform' ? 'platform' : { [ck]: cid } }));
    if (b) render();
  });
  return h('div', {}, h('h1', {}, 'Role bindings'),
    table([
      { title: 'Who', cell: who }, { title: 'Role', cell: (b) => b.role }, { title: 'Scope', cell: (b) => scopeName(b.scope) },
      { title: '', cell: (b) => h('button', { type: 'button', onclick: async () => {
        if (!(await confirmDialog('Remove this role binding?', `${who(b)} loses ${b.role} on ${scopeName(b.scope)}.`, 'Remove'))) return;
        try { await api.del(`/role-bindings/${b.id}`); render(); } catch (e) { put(alertBox, h('div', { class: 'alert error', role: 'alert' }, e.message)); }
      } }, 'Remove') },
    ], bindings, 'No role bindings.'), form);
});

// ---------------------------------------------------------------------------------------------
// Platform: sites, clusters, hosts, tenants, catalog

route('/sites', '#/sites', async () => {
  const sites = await all('/sites');
  const clusters = await Promise.all(sites.map((s) => all(`/sites/${s.id}/clusters`).catch(() => [])));
  const byCountry = {};
  sites.forEach((s, i) => { (byCountry[s.country] = byCountry[s.country] || []).push({ site: s, clusters: clusters[i] }); });
  const worst = (cs) => (cs.some((c) => c.health.state === 'unreachable') ? 'unreachable'
    : cs.some((c) => c.health.state !== 'online') ? (cs.length ? 'degraded' : 'unknown') : 'online');
  return h('div', {}, h('h1', {}, 'Sites and clusters'),
    h('p', { class: 'muted' }, 'Edge sites by country, with the health of their clusters.'),
    Object.keys(byCountry).sort().map((country) => [
      h('h2', {}, country),
      h('div', { class: 'map' }, byCountry[country].map(({ site, clusters: cs }) => h('div', { class: 'panel site-card' },
        h('h3', {}, site.name, ' ', stateBadge(worst(cs))),
        h('p', { class: 'muted' }, [site.region, site.description].filter(Boolean).join(' — ') || '\u00a0'),
        cs.length ? h('ul', {}, cs.map((c) => h('li', {}, h('a', { href: `#/clusters/${c.id}` }, c.name), ' ', stateBadge(c.health.state),
          c.health.last_error ? h('div', { class: 'muted' }, c.health.last_error) : null))) : h('p', { class: 'muted' }, 'No clusters registered.')))),
    ]));
});

route('/clusters/([^/]+)', '#/sites', async (id) => {
  const [c, hosts] = await Promise.all([api.get(`/clusters/${id}`), all(`/clusters/${id}/hosts`)]);
  const online = hosts.filter((x) => x.online && !x.maintenance);
  const totalCores = hosts.reduce((a, x) => a + x.cores, 0);
  const totalMem = hosts.reduce((a, x) => a + x.memory_mib, 0);
  const usedMem = hosts.reduce((a, x) => a + x.memory_used_mib, 0);
  const biggest = hosts.reduce((a, x) => (x.memory_mib > a.memory_mib ? x : a), { memory_mib: 0, cores: 0 });
  const cpuUsed = hosts.reduce((a, x) => a + x.cpu_usage * x.cores, 0);
  const alertBox = h('div');
  const toggle = (x) => h('button', { type: 'button', onclick: async () => {
    const enter = !x.maintenance;
    if (enter && !(await confirmDialog(`Put ${x.name} into maintenance?`, 'New guests are no longer placed on it.', 'Enter maintenance'))) return;
    try { await api.post(`/clusters/${id}/hosts/${x.name}/${enter ? 'maintenance-enter' : 'maintenance-exit'}`); render(); } catch (e) { put(alertBox, h('div', { class: 'alert error', role: 'alert' }, e.message)); }
  } }, x.maintenance ? 'End maintenance' : 'Enter maintenance');
  return h('div', {},
    h('div', { class: 'crumbs' }, h('a', { href: '#/sites' }, 'Sites'), ' › ', c.name),
    h('h1', {}, c.name, ' ', stateBadge(c.health.state)), alertBox,
    h('div', { class: 'panel' }, facts([
      ['Endpoint', c.endpoint], ['Proxmox VE', c.health.pve_version || '—'],
      ['Health since', when(c.health.since)], ['Last sync', when(c.health.last_seen_at)],
      c.health.last_error ? ['Last error', c.health.last_error] : null,
      ['Overcommit', `CPU ${c.cpu_overcommit}:1, memory ${c.memory_overcommit}:1`],
      ['Unmanaged guests', c.health.unmanaged_guests],
      ['Hosts in service', `${online.length} of ${hosts.length}`],
    ])),
    h('div', { class: 'panel' }, h('h2', {}, 'Capacity'),
      h('div', { class: 'legend' }, h('span', { class: 'l-used' }, 'used'), h('span', { class: 'l-reserve' }, 'HA reserve (the largest host)')),
      meter('CPU (cores busy)', Math.round(cpuUsed * 10) / 10, totalCores, { reserve: biggest.cores }),
      meter('Memory', usedMem, totalMem, { format: mib, reserve: biggest.memory_mib }),
      c.storage.filter((st, i, list) => !st.shared || list.findIndex((o) => o.name === st.name) === i)
        .map((st) => meter(`Storage ${st.name}${st.shared ? ' (shared' : ` on ${st.node} (`}${st.shared ? ', ' : ''}${st.kind})`, st.used_gib, st.total_gib, { format: (x) => `${x} GiB` }))),
    h('h2', {}, 'Hosts'),
    table([
      { title: 'Host', cell: (x) => x.name },
      { title: 'State', cell: (x) => (x.maintenance ? badge('maintenance', 'warn') : stateBadge(x.online ? 'online' : 'unreachable')) },
      { title: 'CPU', cell: (x) => meter(`${x.name} CPU`, Math.round(x.cpu_usage * 100), 100, { format: (v) => `${v}%` }) },
      { title: 'Memory', cell: (x) => meter(`${x.name} memory`, x.memory_used_mib, x.memory_mib, { format: mib }) },
      { title: '', cell: (x) => (canOperate() ? toggle(x) : '') },
    ], hosts, 'No hosts discovered yet.'),
    h('h2', {}, 'Recent Proxmox tasks'),
    table([
      { title: 'Task', cell: (t) => t.kind }, { title: 'Node', cell: (t) => t.node }, { title: 'On', cell: (t) => t.id },
      { title: 'Started', cell: (t) => when(t.started_at) }, { title: 'Status', cell: (t) => t.status || badge('running', 'info') },
    ], (c.recent_tasks || []).slice(0, 20), 'No recent tasks.'));
});

route('/tenants', '#/tenants', async () => {
  const ts = await tenants();
  const alertBox = h('div');
  const form = h('form', { class: 'panel' }, h('h2', {}, 'New tenant'), alertBox,
    field('Name', input('name', { required: true }), 'lower-case letters, digits and hyphens'),
    field('Countries', input('countries', { placeholder: 'DE, FR' }), 'where its guests may run; empty for anywhere'),
    field('vCPUs', input('vcpus', { type: 'number', min: 0, value: 64 })),
    field('Memory (MiB)', input('memory_mib', { type: 'number', min: 0, value: 131072 })),
    field('Disk (GiB)', input('disk_gib', { type: 'number', min: 0, value: 2000 })),
    field('Guests', input('guests', { type: 'number', min: 0, value: 50 })),
    h('button', { type: 'submit', class: 'primary' }, 'Create tenant'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const d = Object.fromEntries(new FormData(form));
    const t = await submit(form, alertBox, () => api.post('/tenants', {
      name: d.name, countries: d.countries ? d.countries.split(',').map((c) => c.trim().toUpperCase()).filter(Boolean) : null,
      quota: { vcpus: num(d.vcpus), memory_mib: num(d.memory_mib), disk_gib: num(d.disk_gib), guests: num(d.guests) } }));
    if (t) location.hash = `#/tenants/${t.id}`;
  });
  return h('div', {}, h('h1', {}, 'Tenants'),
    table([
      { title: 'Tenant', cell: (t) => h('a', { href: `#/tenants/${t.id}` }, t.name) },
      { title: 'Countries', cell: (t) => (t.countries.length ? t.countries.join(', ') : 'any') },
      { title: 'vCPUs used / allocated / limit', num: true, cell: (t) => `${t.quota.used.vcpus} / ${t.quota.allocated.vcpus} / ${t.quota.limits.vcpus}` },
      { title: 'Guests', num: true, cell: (t) => `${t.quota.used.guests} / ${t.quota.limits.guests}` },
    ], ts, 'No tenants.'), hasRole('platform-admin') ? form : null);
});

route('/tenants/([^/]+)', '#/tenants', async (id) => {
  const [t, ps] = await Promise.all([api.get(`/tenants/${id}`), projectsOf(id)]);
  return h('div', {}, h('div', { class: 'crumbs' }, h('a', { href: '#/tenants' }, 'Tenants'), ' › ', t.name),
    h('h1', {}, t.name), t.description ? h('p', { class: 'muted' }, t.description) : null,
    quotaPanel(t.quota, 'Tenant quota'),
    h('h2', {}, 'Projects'), projectTable(ps.map((p) => ({ ...p, tenant: t }))),
    hasRole('platform-admin') ? quotaForm(`/tenants/${id}/quota`, t.quota.limits, 'Change the tenant quota') : null);
});

route('/catalog', '#/catalog', async () => {
  const [images, types] = await Promise.all([all('/images'), all('/instance-types')]);
  const admin = hasRole('platform-admin');
  const imgAlert = h('div');
  const imgForm = h('form', { class: 'panel' }, h('h2', {}, 'New image'), imgAlert,
    field('Name', input('name', { required: true })), field('Kind', select('kind', [['vm', 'VM template'], ['ct', 'container template']])),
    field('OS', input('os', { required: true, placeholder: 'debian' })), field('Version', input('version', { required: true, placeholder: '12' })),
    field('Template', input('template', { required: true }), 'its name on the clusters'),
    h('button', { type: 'submit', class: 'primary' }, 'Add image'));
  imgForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const d = Object.fromEntries(new FormData(imgForm));
    if (await submit(imgForm, imgAlert, () => api.post('/images', d))) render();
  });
  const typeAlert = h('div');
  const typeForm = h('form', { class: 'panel' }, h('h2', {}, 'New instance type'), typeAlert,
    field('Name', input('name', { required: true })), field('vCPUs', input('vcpus', { type: 'number', min: 1, value: 2 })),
    field('Memory (MiB)', input('memory_mib', { type: 'number', min: 64, value: 4096 })), field('Disk (GiB)', input('disk_gib', { type: 'number', min: 1, value: 40 })),
    h('button', { type: 'submit', class: 'primary' }, 'Add instance type'));
  typeForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const d = Object.fromEntries(new FormData(typeForm));
    if (await submit(typeForm, typeAlert, () => api.post('/instance-types', { name: d.name, vcpus: num(d.vcpus), memory_mib: num(d.memory_mib), disk_gib: num(d.disk_gib) }))) render();
  });
  return h('div', {}, h('h1', {}, 'Catalog'),
    h('h2', {}, 'Images'),
    table([
      { title: 'Name', cell: (i) => i.name }, { title: 'Kind', cell: (i) => (i.kind === 'vm' ? 'VM' : 'container') },
      { title: 'OS', cell: (i) => `${i.os} ${i.version}` }, { title: 'Template', cell: (i) => i.template },
      { title: 'On clusters', cell: (i) => (i.clusters.length ? i.clusters.length : badge('on no cluster', 'warn')) },
    ], images, 'No images.'),
    admin ? imgForm : null,
    h('h2', {}, 'Instance types'),
    table([
      { title: 'Name', cell: (t) => t.name }, { title: 'vCPUs', num: true, cell: (t) => t.vcpus },
      { title: 'Memory', num: true, cell: (t) => mib(t.memory_mib) }, { title: 'Disk', num: true, cell: (t) => `${t.disk_gib} GiB` },
    ], types, 'No instance types.'),
    admin ? typeForm : null);
});

// ---------------------------------------------------------------------------------------------
// Audit

// Who acted, as the entry recorded them: name, tenant and how they signed in.
function who(e) {
  const name = e.actor.name || e.actor.id;
  const tenant = e.actor.tenant ? ` · ${e.actor.tenant}` : '';
  const via = e.credential.name ? `${e.credential.kind} ${e.credential.name}` : e.credential.kind;
  return h('span', { title: e.actor.id }, `${name}${tenant} (${via})`);
}

function auditTable(entries) {
  return table([
    { title: '#', num: true, cell: (e) => e.seq },
    { title: 'When', cell: (e) => when(e.time) },
    { title: 'Who', cell: (e) => who(e) },
    { title: 'Operation', cell: (e) => `${e.operation} · ${e.phase}` },
    { title: 'Target', cell: (e) => h('code', {}, e.target) },
    { title: 'Result', cell: (e) => [stateBadge(e.result === 'ok' ? 'succeeded' : e.result === 'error' ? 'failed' : 'pending'), e.error ? ` ${e.error}` : ''] },
  ], entries, 'No entries.');
}

route('/audit', '#/audit', async (query) => {
  const filters = ['actor', 'operation', 'target', 'since', 'until'];
  const q = new URLSearchParams();
  for (const f of filters) {
    const v = query.get(f);
    if (!v) continue;
    q.set(f, f === 'since' || f === 'until' ? new Date(v).toISOString() : v);
  }
  if (!canAudit() && session.me.tenant_id) q.set('tenant', session.me.tenant_id);
  q.set('limit', '200');
  const pageToken = query.get('page_token');
  if (pageToken) q.set('page_token', pageToken);
  const [page, verdict] = await Promise.all([
    api.get(`/audit?${q}`),
    canAudit() ? api.get('/audit/verify').catch((e) => ({ state: 'unknown', reason: e.message })) : Promise.resolve(null)]);
  const form = h('form', { class: 'toolbar', role: 'search' },
    h('div', {}, field('Actor', input('actor', { value: query.get('actor') || '' }), 'user name or id')),
    h('div', {}, field('Operation', input('operation', { value: query.get('operation') || '', placeholder: 'guest_create' }))),
    h('div', {}, field('Target', input('target', { value: query.get('target') || '' }))),
    h('div', {}, field('From', input('since', { type: 'datetime-local', value: query.get('since') || '' }))),
    h('div', {}, field('Until', input('until', { type: 'datetime-local', value: query.get('until') || '' }))),
    h('button', { type: 'submit', class: 'primary' }, 'Filter'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const d = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (v) d.set(k, v);
    location.hash = `#/audit?${d}`;
  });
  const items = page.items || [];
  const next = new URLSearchParams(query);
  if (page.next_page_token) next.set('page_token', page.next_page_token);
  return h('div', {}, h('h1', {}, 'Audit log'),
    verdict ? h('div', { class: `alert ${verdict.state === 'intact' ? 'ok' : 'error'}`, role: 'status' },
      verdict.state === 'intact'
        ? `The chain holds: ${verdict.entries} entries and ${verdict.checkpoints} signed checkpoints verified just now.`
        : `The chain does not hold${verdict.broken_at ? ` at entry ${verdict.broken_at}` : ''}: ${verdict.reason}`) : null,
    form, auditTable(items),
    page.next_page_token ? h('p', {}, h('a', { href: `#/audit?${next}` }, 'Later entries →')) : null);
});
