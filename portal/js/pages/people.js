// Tenant administration: users, groups and role bindings.

import { all, api } from '../api.js';
import { confirmDialog, field, h, input, put, select, table } from '../dom.js';
import { submit, values } from '../forms.js';
import { allProjects, ownTenant, tenants } from '../names.js';
import { render, route } from '../router.js';
import { isPlatform } from '../session.js';

/** @typedef {import('../api-types.js').UserView} UserView */
/** @typedef {import('../api-types.js').GroupView} GroupView */
/** @typedef {import('../api-types.js').TenantView} TenantView */
/** @typedef {import('../api-types.js').RoleBindingView} RoleBindingView */
/** @typedef {import('../api-types.js').RoleDefinition} RoleDefinition */

route('/people', '#/people', async () => {
  /** @type {[UserView[], GroupView[], TenantView[]]} */
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
    const d = values(userForm);
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
    const d = values(groupForm);
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
  /** @type {[RoleBindingView[], UserView[], GroupView[], TenantView[], RoleDefinition[]]} */
  const [bindings, users, groups, ts, roles] = await Promise.all([
    all(`/role-bindings${ownTenant()}`), all(`/users${ownTenant()}`), all(`/groups${ownTenant()}`), tenants(),
    all(`/roles${ownTenant()}`)]);
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
    field('Role', select('role', roles.filter((r) => isPlatform() || r.level !== 'platform')
      .map((r) => [r.name, `${r.name} (${r.level}${r.builtin ? '' : ', custom'})`])), 'a role is granted on a scope of its level'),
    field('Scope', select('scope', [...ts.map((t) => [`tenant:${t.id}`, `tenant ${t.name}`]), ...projects.map((p) => [`project:${p.id}`, `project ${p.tenant.name}/${p.name}`]), ...(isPlatform() ? [['platform', 'the whole platform']] : [])])),
    h('button', { type: 'submit', class: 'primary' }, 'Grant'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const d = values(form);
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
