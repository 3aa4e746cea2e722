// Who is logged in and their roles, the login page and logout.

import { values } from './forms.js';
import { call, onSessionEnded } from './api.js';
import { field, h, input, put } from './dom.js';

/** @typedef {import('./api-types.js').MeView} MeView */

/** What runs once a login succeeded (set by the router: start where the user was going). */
let loggedIn = async (/** @type {string} */ _target) => {};

/** @param {(target: string) => Promise<void>} handler */
export function onLogin(handler) { loggedIn = handler; }

onSessionEnded(() => {
  const had = session.me !== null;
  session.me = null;
  showLogin(had ? 'Your session has ended. Log in again to continue where you were.' : '');
});

/** @type {{me: MeView | null, names: Object<string, string>}} */
export const session = { me: null, names: {} };

export function roles() { return (session.me && session.me.roles) || []; }

export function hasRole(...names) { return roles().some((r) => names.includes(r.role)); }

export const isPlatform = () => roles().some((r) => r.scope === 'platform');

export const canOperate = () => hasRole('platform-admin', 'platform-operator');

export const canAudit = () => hasRole('platform-admin', 'auditor');

export const isTenantAdmin = () => hasRole('platform-admin', 'tenant-admin');

/** What a single sign-on's return to the login page says (`#/login?sso_error=...`, or
 * `#/login?sso=REALM&state=...&code=...` when a second factor is asked for). */
function ssoReturn() {
  const [path, query] = location.hash.split('?');
  if (path !== '#/login' || !query) return null;
  const q = new URLSearchParams(query);
  return { error: q.get('sso_error'), realm: q.get('sso'), state: q.get('state'), code: q.get('code') };
}

export function showLogin(message) {
  const app = document.getElementById('app');
  const sso = ssoReturn();
  const back = sso ? '#/' : location.hash;
  let mode = sso && sso.realm ? 'sso-code' : 'password';
  // Set once the server answers that the user has a second factor: the code is asked for too.
  let needCode = mode === 'sso-code';
  const note = sso && sso.error ? `Single sign-on failed: ${sso.error}` : message;
  const alert = h('div', { role: 'alert' }, note ? h('div', { class: `alert ${sso && sso.error ? 'error' : 'info'}` }, note) : null);
  const form = h('form', { novalidate: true });
  const codeFields = () => [
    field('Authenticator code', input('totp', { inputmode: 'numeric', autocomplete: 'one-time-code', required: true, autofocus: true }), '6 digits, or leave it empty and give a recovery code'),
    field('Recovery code', input('recovery_code', { autocomplete: 'off' }))];
  const draw = () => {
    const kept = values(form);
    put(form, 
      mode === 'password'
        ? [field('User name', input('username', { autocomplete: 'username', required: true, autofocus: !needCode }), 'user@realm for a directory\'s user'),
           field('Password', input('password', { type: 'password', autocomplete: 'current-password', required: true })),
           needCode ? codeFields() : null]
        : mode === 'sso'
          ? [field('Realm', input('realm', { required: true, autofocus: true }), 'the single sign-on realm your organisation gave you')]
          : mode === 'sso-code'
            ? [h('p', {}, `Signed on through ${sso ? sso.realm : ''}: your authenticator's code is needed too.`), codeFields()]
            : [field('API token', input('token', { type: 'password', autocomplete: 'off', required: true, autofocus: true }), 'scmp_…')],
      h('div', { class: 'actions' }, h('button', { class: 'primary', type: 'submit' }, mode === 'sso' ? 'Sign on' : 'Log in')));
    for (const [name, value] of Object.entries(kept)) {
      const el = form.querySelector(`[name="${name}"]`);
      if (el && typeof value === 'string') el.value = value;
    }
  };
  const tab = (name, text) => h('button', {
    type: 'button', role: 'tab', 'aria-selected': mode === name ? 'true' : 'false',
    onclick: () => { mode = name; drawTabs(); draw(); },
  }, text);
  const tabs = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'How to log in' });
  const drawTabs = () => put(tabs, tab('password', 'Password'), tab('sso', 'Single sign-on'), tab('token', 'Token'));
  drawTabs();
  draw();
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const data = values(form);
    for (const k of ['totp', 'recovery_code']) if (!data[k]) delete data[k];
    put(alert, );
    if (mode === 'sso') {
      // The server begins the sign-on and sends the browser to the provider.
      location.href = `/portal/sso/${encodeURIComponent(data.realm.trim())}`;
      return;
    }
    try {
      const s = mode === 'sso-code' && sso
        ? await call('POST', `/portal/sso/${encodeURIComponent(sso.realm || '')}/complete`, { state: sso.state, code: sso.code, ...data })
        : await call('POST', '/portal/session', data);
      // A tenant that requires a second factor: this session may only set one up.
      await loggedIn(s && s.mfa_setup ? '#/security' : back && back !== '#/login' ? back : '#/');
    } catch (e) {
      if (!needCode && String((e.problem || {}).type || '').endsWith('/mfa-required')) {
        needCode = true;
        draw();
        put(alert, h('div', { class: 'alert info' }, 'Enter the code your authenticator shows.'));
        return;
      }
      put(alert, h('div', { class: 'alert error' }, e.message));
    }
  });
  put(app, h('main', { id: 'main', class: 'login' },
    h('h1', {}, 'scmp'),
    h('p', { class: 'muted' }, 'Secure Cloud Management Platform — log in to manage your guests at the edge.'),
    h('div', { class: 'panel' }, tabs, alert, form)));
}

export async function logout() {
  // A single sign-on session ends at the provider too (RP-initiated logout).
  let providerLogout = null;
  try {
    const back = encodeURIComponent(`${location.origin}/`);
    providerLogout = (await call('GET', `/api/v1/me/sso-logout?post_logout_redirect_uri=${back}`)).url || null;
  } catch (e) { /* not a single sign-on session, or the provider is away: log out here */ }
  try { await call('DELETE', '/portal/session'); } catch (e) { /* the cookies are cleared anyway */ }
  if (providerLogout) {
    location.href = providerLogout;
    return;
  }
  session.me = null;
  location.hash = '#/';
  showLogin('You are logged out.');
}
