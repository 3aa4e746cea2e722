// Routes in the URL's hash: each page registers its pattern; render() draws the one the hash names.

import { api } from './api.js';
import { h, put } from './dom.js';
import { frame } from './layout.js';
import { onLogin, session, showLogin } from './session.js';

export const routes = [];

export function route(pattern, nav, render) { routes.push({ re: new RegExp(`^${pattern}$`), nav, render }); }

let pollTimer = null;

export function poll(fn, ms) {
  clearTimeout(pollTimer);
  const tick = async () => {
    const keep = await fn().catch(() => false);
    if (keep) pollTimer = setTimeout(tick, ms);
  };
  pollTimer = setTimeout(tick, ms);
}

export async function render() {
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

export async function start(target) {
  try {
    session.me = await api.get('/me');
  } catch (e) {
    if (e.status !== 401) showLogin(e.message);
    return;
  }
  if (target && location.hash !== target) location.hash = target;
  else render();
}

/** Starts the portal: the page the hash names, or the login. */
export function startApp() {
  onLogin(start);
  window.addEventListener('hashchange', render);
  start();
}
