// The caller's API tokens.

import { all, api } from '../api.js';
import { confirmDialog, field, h, input, put, table } from '../dom.js';
import { when } from '../format.js';
import { submit, values } from '../forms.js';
import { render, route } from '../router.js';

/** @typedef {import('../api-types.js').TokenView} TokenView */
/** @typedef {import('../api-types.js').UserView} UserView */

route('/tokens', '#/tokens', async (query) => {
  // `?user=ID`: the tokens of a user the caller manages (to see and revoke, never their secrets).
  const user = query.get('user');
  const owner = user ? `?user=${encodeURIComponent(user)}` : '';
  /** @type {[TokenView[], UserView | null]} */
  const [tokens, who] = await Promise.all([all(`/tokens${owner}`), user ? api.get(`/users/${user}`) : Promise.resolve(null)]);
  const alertBox = h('div');
  const form = h('form', { class: 'panel' }, h('h2', {}, 'New API token'),
    field('Name', input('name', { required: true, placeholder: 'ci-pipeline' })),
    field('Expires', input('expires', { type: 'date' }), 'optional'),
    h('button', { type: 'submit', class: 'primary' }, 'Create token'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const d = values(form);
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
