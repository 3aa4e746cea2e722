// Roles: the built-in ones and custom roles, named sets of actions for the platform or a tenant.
// A custom role holds only actions its maker holds; its bindings follow its definition.

import { all, api } from '../api.js';
import { confirmDialog, field, h, input, put, select, table } from '../dom.js';
import { submit, values } from '../forms.js';
import { ownTenant, tenants } from '../names.js';
import { render, route } from '../router.js';
import { isPlatform } from '../session.js';

/** @typedef {import('../api-types.js').RoleDefinition} RoleDefinition */
/** @typedef {import('../api-types.js').TenantView} TenantView */

/** A list box of every action, those of `chosen` selected. */
function actionPicker(/** @type {string[]} */ every, /** @type {string[]} */ chosen) {
  return h('select', { name: 'actions', multiple: true, size: 12 },
    every.map((a) => h('option', { value: a, selected: chosen.includes(a) }, a)));
}

function picked(/** @type {HTMLFormElement} */ form) {
  const box = /** @type {HTMLSelectElement} */ (form.querySelector('[name="actions"]'));
  return [...box.selectedOptions].map((o) => o.value);
}

route('/roles', '#/roles', async () => {
  /** @type {[RoleDefinition[], TenantView[], RoleDefinition]} */
  const [roles, ts, everything] = await Promise.all([
    all(`/roles${ownTenant()}`), tenants(), api.get('/roles/platform-admin')]);
  const every = everything.actions;
  const tenantName = (id) => (id ? (ts.find((t) => t.id === id) || { name: id }).name : 'platform');
  const alertBox = h('div', { role: 'alert' });
  const editor = h('div');

  const edit = (/** @type {RoleDefinition} */ r) => {
    const form = h('form', { class: 'panel', novalidate: true }, h('h2', {}, `Change role ${r.name}`),
      field('Description', input('description', { value: r.description })),
      field('Actions', actionPicker(every, r.actions), 'every binding of the role grants these from then on'),
      h('div', { class: 'actions' },
        h('button', { type: 'submit', class: 'primary' }, 'Save'),
        h('button', { type: 'button', onclick: () => put(editor) }, 'Cancel')));
    const box = h('div');
    form.prepend(box);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const d = values(form);
      const saved = await submit(form, box, () => api.put(`/roles/${r.id}`, { description: d.description, actions: picked(form) }));
      if (saved) render();
    });
    put(editor, form);
  };

  const form = h('form', { class: 'panel', novalidate: true }, h('h2', {}, 'New role'),
    field('Name', input('name', { required: true }), 'what role bindings name'),
    field('Bound on', select('level', [['project', 'a project'], ['tenant', 'a tenant and its projects'], ...(isPlatform() ? [['platform', 'the platform']] : [])])),
    field('Tenant', select('tenant', [...ts.map((t) => [t.id, t.name]), ...(isPlatform() ? [['', 'the platform (any tenant may bind it)']] : [])])),
    field('Description', input('description')),
    field('Actions', actionPicker(every, []), 'only actions you hold yourself where the role reaches'),
    h('button', { type: 'submit', class: 'primary' }, 'Create role'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const d = values(form);
    const made = await submit(form, alertBox, () => api.post('/roles', {
      name: d.name, level: d.level, tenant: d.tenant || null, description: d.description || null, actions: picked(form) }));
    if (made) render();
  });

  return h('div', {}, h('h1', {}, 'Roles'),
    h('p', {}, 'Built-in roles, and custom roles made of the platform\'s actions. Grant them on the Role bindings page.'),
    alertBox, editor,
    table([
      { title: 'Name', cell: (r) => r.name },
      { title: 'Kind', cell: (r) => (r.builtin ? 'built-in' : `custom, ${tenantName(r.tenant_id)}`) },
      { title: 'Bound on', cell: (r) => r.level },
      { title: 'Actions', cell: (r) => h('span', { title: r.actions.join(', ') }, `${r.actions.length}: ${r.actions.slice(0, 4).join(', ')}${r.actions.length > 4 ? ', …' : ''}`) },
      { title: '', cell: (r) => (r.builtin ? null : h('div', { class: 'actions' },
        h('button', { type: 'button', onclick: () => edit(r) }, 'Change'),
        h('button', { type: 'button', onclick: async () => {
          if (!(await confirmDialog(`Delete role ${r.name}?`, 'A role that is still granted cannot be deleted.', 'Delete'))) return;
          try { await api.del(`/roles/${r.id}`); render(); } catch (e) { put(alertBox, h('div', { class: 'alert error' }, e.message)); }
        } }, 'Delete'))) },
    ], roles, 'No roles.'),
    form);
});
