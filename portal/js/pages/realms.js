// Realms: the directories (LDAP, Active Directory) and OpenID providers users log in through,
// with their connection test and the sync of their users and groups (a dry run first).

import { all, api } from '../api.js';
import { confirmDialog, field, h, input, put, select, table } from '../dom.js';
import { submit, values } from '../forms.js';
import { ownTenant, tenants } from '../names.js';
import { render, route } from '../router.js';
import { isPlatform } from '../session.js';

/** @typedef {import('../api-types.js').RealmView} RealmView */
/** @typedef {import('../api-types.js').RealmTestView} RealmTestView */
/** @typedef {import('../api-types.js').RealmSyncReport} RealmSyncReport */
/** @typedef {import('../api-types.js').TenantView} TenantView */

function testResult(/** @type {RealmTestView} */ t) {
  return h('div', { class: `alert ${t.ok ? 'ok' : 'error'}` },
    h('p', {}, t.ok ? 'Every step worked.' : 'A step failed:'),
    h('ul', {}, t.steps.map((s) => h('li', {}, `${s.step}: ${s.ok ? 'ok' : 'failed'} — ${s.detail}`))));
}

function syncReport(/** @type {RealmSyncReport} */ r) {
  const line = (label, items) => h('li', {}, `${label}: ${items.length ? items.join(', ') : 'none'}`);
  const ms = (list) => list.map((m) => `${m.user} in ${m.group}`);
  return h('div', { class: 'alert info' },
    h('p', {}, r.dry_run ? 'A sync would change this:' : 'The sync changed this:'),
    h('ul', {},
      line('Users added', r.users_added), line('Users removed', r.users_removed),
      line('Groups added', r.groups_added), line('Groups removed', r.groups_removed),
      line('Memberships added', ms(r.memberships_added)), line('Memberships removed', ms(r.memberships_removed))));
}

/** The settings of the form's type, as the API takes them. */
function settingsOf(d) {
  const list = (s) => (s || '').split(',').map((x) => x.trim()).filter(Boolean);
  if (d.type === 'openid') {
    return { openid: {
      issuer_url: d.issuer_url, client_id: d.client_id,
      username_claim: d.username_claim || null, groups_claim: d.groups_claim || null,
      scopes: list(d.scopes).length ? list(d.scopes) : null, trust_amr: d.trust_amr === 'yes' } };
  }
  return { directory: {
    server1: d.server1, server2: d.server2 || null, port: d.port ? Number(d.port) : null, mode: d.mode,
    ca_pem: d.ca_pem || null, fingerprint: d.fingerprint || null, base_dn: d.base_dn,
    user_attr: d.user_attr || null, bind_dn: d.bind_dn || null, filter: d.filter || null,
    group_dn: d.group_dn || null, group_filter: d.group_filter || null } };
}

route('/realms', '#/realms', async () => {
  /** @type {[RealmView[], TenantView[]]} */
  const [realms, ts] = await Promise.all([all(`/realms${ownTenant()}`), tenants()]);
  const tenantName = (id) => (ts.find((t) => t.id === id) || {}).name || (id ? id : 'platform');
  const alertBox = h('div', { role: 'alert' });
  const result = h('div');
  const act = (fn) => async () => {
    put(alertBox);
    try { put(result, await fn()); } catch (e) { put(alertBox, h('div', { class: 'alert error' }, e.message)); }
  };
  const sync = (r) => act(async () => {
    /** @type {RealmSyncReport} */
    const dry = await api.post(`/realms/${r.id}/sync`, { dry_run: true });
    const apply = h('button', { type: 'button', class: 'primary', onclick: act(async () =>
      syncReport(await api.post(`/realms/${r.id}/sync`, {}))) }, 'Apply this sync');
    return h('div', {}, syncReport(dry), apply);
  });
  const form = h('form', { class: 'panel', novalidate: true });
  const drawForm = (type) => {
    const d = type !== 'openid';
    put(form, h('h2', {}, 'New realm'),
      field('Type', select('type', [['ldap', 'LDAP'], ['ad', 'Active Directory'], ['openid', 'OpenID Connect']], type)),
      field('Name', input('name', { required: true }), 'users log in as user@name'),
      field('Tenant', select('tenant', [...ts.map((t) => [t.id, t.name]), ...(isPlatform() ? [['', 'the platform']] : [])])),
      d ? [
        field('Server', input('server1', { required: true }), 'host name or address'),
        field('Fallback server', input('server2')),
        field('Mode', select('mode', [['ldaps', 'LDAPS'], ['ldap+starttls', 'LDAP with StartTLS'], ['ldap', 'plain LDAP (no TLS)']])),
        field('Port', input('port', { inputmode: 'numeric' }), 'the mode\'s usual one when empty'),
        field('CA certificate (PEM)', h('textarea', { name: 'ca_pem', rows: 3 }), 'or pin the certificate\'s fingerprint; the system\'s roots when both are empty'),
        field('Certificate fingerprint', input('fingerprint'), 'SHA-256, AA:BB:…'),
        field('Base DN', input('base_dn', { required: true })),
        field('User attribute', input('user_attr'), type === 'ad' ? 'sAMAccountName when empty' : 'uid when empty'),
        field('Bind DN', input('bind_dn')),
        field('Bind password', input('secret', { type: 'password', autocomplete: 'off' }), 'sealed at rest, never shown again'),
        field('User filter', input('filter')),
        field('Group base DN', input('group_dn')),
        field('Group filter', input('group_filter')),
        field('Sync every (minutes)', input('sync_every', { inputmode: 'numeric' }), 'users and groups brought over on a schedule; empty for none'),
      ] : [
        field('Issuer URL', input('issuer_url', { required: true })),
        field('Client id', input('client_id', { required: true })),
        field('Client secret', input('secret', { type: 'password', autocomplete: 'off' }), 'sealed at rest, never shown again'),
        field('Scopes', input('scopes'), 'openid, email, profile when empty'),
        field('User name claim', input('username_claim'), 'sub when empty'),
        field('Groups claim', input('groups_claim')),
        field('Trust the provider\'s second factor (amr)', select('trust_amr', [['no', 'no'], ['yes', 'yes']])),
      ],
      h('button', { type: 'submit', class: 'primary' }, 'Create realm'));
    /** @type {HTMLSelectElement} */ (form.querySelector('[name="type"]')).addEventListener('change', (ev) =>
      drawForm(/** @type {HTMLSelectElement} */ (ev.target).value));
  };
  drawForm('ldap');
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const d = values(form);
    const sync = d.sync_every ? { every_minutes: Number(d.sync_every) } : null;
    const made = await submit(form, alertBox, () => api.post('/realms', {
      name: d.name, type: d.type, tenant: d.tenant || null, secret: d.secret || null, sync, ...settingsOf(d) }));
    if (made) render();
  });
  return h('div', {}, h('h1', {}, 'Realms'),
    h('p', {}, 'Where users log in besides scmp itself. Their groups become groups named group-realm here: bind roles to those.'),
    alertBox, result,
    table([
      { title: 'Name', cell: (r) => r.name }, { title: 'Type', cell: (r) => r.type },
      { title: 'Tenant', cell: (r) => tenantName(r.tenant_id) },
      { title: 'Server', cell: (r) => (r.directory ? r.directory.server1 : r.openid ? r.openid.issuer_url : '—') },
      { title: 'Synced', cell: (r) => (r.sync ? `every ${r.sync.every_minutes} min` : 'on demand') },
      { title: '', cell: (r) => h('div', { class: 'actions' },
        h('button', { type: 'button', onclick: act(async () => testResult(await api.post(`/realms/${r.id}/test`, {}))) }, 'Test'),
        r.type !== 'openid' ? h('button', { type: 'button', onclick: sync(r) }, 'Sync') : null,
        h('button', { type: 'button', onclick: async () => {
          if (!(await confirmDialog(`Delete realm ${r.name}?`, 'Its groups go with it; a realm with users cannot be deleted.', 'Delete'))) return;
          try { await api.del(`/realms/${r.id}`); render(); } catch (e) { put(alertBox, h('div', { class: 'alert error' }, e.message)); }
        } }, 'Delete')) },
    ], realms, 'No realms: users log in with scmp\'s own passwords.'),
    form);
});
