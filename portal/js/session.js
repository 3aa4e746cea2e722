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

export function showLogin(message) {
  const app = document.getElementById('app');
  const back = location.hash;
  let mode = 'password';
  // Set once the server answers that the user has a second factor: the code is asked for too.
  let needCode = false;
  const alert = h('div', { role: 'alert' }, message ? h('div', { class: 'alert info' }, message) : null);
  const form = h('form', { novalidate: true });
  const draw = () => {
    const kept = values(form);
    put(form, 
      mode === 'password'
        ? [field('User name', input('username', { autocomplete: 'username', required: true, autofocus: !needCode })),
           field('Password', input('password', { type: 'password', autocomplete: 'current-password', required: true })),
           needCode ? field('Authenticator code', input('totp', { inputmode: 'numeric', autocomplete: 'one-time-code', required: true, autofocus: true }), '6 digits, or leave it empty and give a recovery code') : null,
           needCode ? field('Recovery code', input('recovery_code', { autocomplete: 'off' })) : null]
        : [field('API token', input('token', { type: 'password', autocomplete: 'off', required: true, autofocus: true }), 'scmp_…')],
      h('div', { class: 'actions' }, h('button', { class: 'primary', type: 'submit' }, 'Log in')));
    for (const [name, value] of Object.entries(kept)) {
      const el = form.querySelector(`[name="${name}"]`);
      if (el && typeof value === 'string') el.value = value;
    }
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
    const data = values(form);
    for (const k of ['totp', 'recovery_code']) if (!data[k]) delete data[k];
    put(alert, );
    try {
      const s = await call('POST', '/portal/session', data);
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
  try { await call('DELETE', '/portal/session'); } catch (e) { /* the cookies are cleared anyway */ }
  session.me = null;
  location.hash = '#/';
  showLogin('You are logged out.');
}
