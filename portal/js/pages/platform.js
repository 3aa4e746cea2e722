// The platform: sites and clusters, tenants, the catalog.

import { all, api } from '../api.js';
import { badge, confirmDialog, facts, field, h, input, meter, put, select, stateBadge, table } from '../dom.js';
import { mib, num, when } from '../format.js';
import { submit, values } from '../forms.js';
import { projectsOf, tenants } from '../names.js';
import { render, route } from '../router.js';
import { canOperate, hasRole } from '../session.js';
import { projectTable, quotaForm, quotaPanel } from '../widgets.js';

/** @typedef {import('../api-types.js').SiteView} SiteView */
/** @typedef {import('../api-types.js').ClusterView} ClusterView */
/** @typedef {import('../api-types.js').HostView} HostView */
/** @typedef {import('../api-types.js').TenantView} TenantView */
/** @typedef {import('../api-types.js').ProjectView} ProjectView */
/** @typedef {import('../api-types.js').ImageView} ImageView */
/** @typedef {import('../api-types.js').InstanceTypeView} InstanceTypeView */

route('/sites', '#/sites', async () => {
  /** @type {SiteView[]} */
  const sites = await all('/sites');
  /** @type {ClusterView[][]} */
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
        site.link ? siteLink(site.link) : null,
        cs.length ? h('ul', {}, cs.map((c) => h('li', {}, h('a', { href: `#/clusters/${c.id}` }, c.name), ' ', stateBadge(c.health.state),
          c.health.last_error ? h('div', { class: 'muted' }, c.health.last_error) : null))) : h('p', { class: 'muted' }, 'No clusters registered.')))),
    ]));
});

/**
 * A site's link through its agents: its state, since when, its lag and what waits for it.
 * @param {import('../api-types.js').SiteLinkView} l
 */
function siteLink(l) {
  const parts = [`${l.connected} of ${l.agents} agent${l.agents === 1 ? '' : 's'} connected`];
  if (l.since) parts.push(`since ${when(l.since)}`);
  if (l.lag_ms !== undefined && l.lag_ms !== null) parts.push(`last heard ${Math.round(l.lag_ms / 100) / 10} s ago`);
  if (l.waiting_commands) parts.push(`${l.waiting_commands} waiting for the site`);
  if (l.journaled_waiting) parts.push(`${l.journaled_waiting} journaled at the site for the platform`);
  return h('p', { class: 'site-link' }, 'Link ', stateBadge(l.state), ' ', h('span', { class: 'muted' }, parts.join(', ')));
}

route('/clusters/([^/]+)', '#/sites', async (id) => {
  /** @type {[ClusterView, HostView[]]} */
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
      ['Endpoint', c.endpoint], ['Reached', c.agent ? `through its site's agent ${c.agent}` : 'directly by the platform'],
      ['Proxmox VE', c.health.pve_version || '—'],
      ['Health since', when(c.health.since)], ['Last sync', when(c.health.last_seen_at)],
      c.health.last_error ? ['Last error', c.health.last_error] : null,
      ['Overcommit', `CPU ${c.cpu_overcommit}:1, memory ${c.memory_overcommit}:1`],
      ['Unmanaged guests', c.health.unmanaged_guests],
      ['Hosts in service', `${online.length} of ${hosts.length}`],
      c.ha ? ['HA manager', `${c.ha.quorate ? 'quorate' : 'no quorum'}; ${c.ha.master ? `master ${c.ha.master}` : 'no master'}; ${c.ha.services} HA guest${c.ha.services === 1 ? '' : 's'}`] : null,
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
      { title: 'HA', cell: (x) => ((c.ha && c.ha.nodes.find((n) => n.node === x.name)) || { status: '—' }).status },
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
    const d = values(form);
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
  /** @type {[TenantView, ProjectView[]]} */
  const [t, ps] = await Promise.all([api.get(`/tenants/${id}`), projectsOf(id)]);
  return h('div', {}, h('div', { class: 'crumbs' }, h('a', { href: '#/tenants' }, 'Tenants'), ' › ', t.name),
    h('h1', {}, t.name), t.description ? h('p', { class: 'muted' }, t.description) : null,
    quotaPanel(t.quota, 'Tenant quota'),
    h('h2', {}, 'Projects'), projectTable(ps.map((p) => ({ ...p, tenant: t }))),
    hasRole('platform-admin') ? quotaForm(`/tenants/${id}/quota`, t.quota.limits, 'Change the tenant quota') : null);
});

route('/catalog', '#/catalog', async () => {
  /** @type {[ImageView[], InstanceTypeView[]]} */
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
    const d = values(imgForm);
    if (await submit(imgForm, imgAlert, () => api.post('/images', d))) render();
  });
  const typeAlert = h('div');
  const typeForm = h('form', { class: 'panel' }, h('h2', {}, 'New instance type'), typeAlert,
    field('Name', input('name', { required: true })), field('vCPUs', input('vcpus', { type: 'number', min: 1, value: 2 })),
    field('Memory (MiB)', input('memory_mib', { type: 'number', min: 64, value: 4096 })), field('Disk (GiB)', input('disk_gib', { type: 'number', min: 1, value: 40 })),
    h('button', { type: 'submit', class: 'primary' }, 'Add instance type'));
  typeForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const d = values(typeForm);
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
