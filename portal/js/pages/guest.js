// A guest: its actions, configuration, lease, operations, resizing, snapshots, backups, events and
// audit trail.

import { all, api } from '../api.js';
import { confirmDialog, facts, field, h, input, put, stateBadge, table } from '../dom.js';
import { mib, num, when } from '../format.js';
import { submit, values } from '../forms.js';
import { poll, render, route } from '../router.js';

import { BUSY, auditTable, operationsTable, watchThen } from '../widgets.js';
import { backupPanel } from './guest_backups.js';

/** @typedef {import('../api-types.js').GuestView} GuestView */
/** @typedef {import('../api-types.js').ProjectView} ProjectView */
/** @typedef {import('../api-types.js').OperationView} OperationView */
/** @typedef {import('../api-types.js').SnapshotView} SnapshotView */
/** @typedef {import('../api-types.js').AuditEntryView} AuditEntryView */
/** @typedef {import('../api-types.js').ImageView} ImageView */

/** @param {GuestView} g */
export function resizeForm(g) {
  const alertBox = h('div');
  const form = h('form', { class: 'panel' }, h('h2', {}, 'Resize'), alertBox,
    h('p', { class: 'muted' }, 'vCPUs and memory change within your quota; the disk only grows.'),
    field('vCPUs', input('vcpus', { type: 'number', min: 1, value: g.vcpus })),
    field('Memory (MiB)', input('memory_mib', { type: 'number', min: 64, value: g.memory_mib })),
    field('Disk (GiB)', input('disk_gib', { type: 'number', min: g.disk_gib, value: g.disk_gib })),
    h('button', { type: 'submit', disabled: BUSY.includes(g.state) }, 'Resize'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const d = values(form);
    const op = await submit(form, alertBox, () => api.patch(`/guests/${g.id}`, {
      vcpus: num(d.vcpus), memory_mib: num(d.memory_mib), disk_gib: num(d.disk_gib) }));
    if (op) { watchThen(op, render); render(); }
  });
  return form;
}

/**
 * @param {GuestView} g
 * @param {SnapshotView[]} snaps
 */
export function snapshotPanel(g, snaps) {
  const alertBox = h('div');
  const form = h('form', { class: 'toolbar' },
    h('div', {}, field('Snapshot name', input('name', { required: true, placeholder: 'before-upgrade' }))),
    h('button', { type: 'submit', disabled: BUSY.includes(g.state) }, 'Take snapshot'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const d = values(form);
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

/** Extends a guest's lease by some days. */
function leaseForm(/** @type {GuestView} */ g, /** @type {HTMLElement} */ alertBox) {
  const form = h('form', { class: 'inline', novalidate: true },
    field('Extend the lease by (days)', input('days', { type: 'number', min: '1', max: '365', value: '7' })),
    h('button', { type: 'submit' }, 'Extend lease'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const done = await submit(form, alertBox, () => api.post(`/guests/${g.id}/lease/extend`, { days: Number(values(form).days) }));
    if (done) render();
  });
  return form;
}

route('/guests/([^/]+)', '', async (id) => {
  /** @type {GuestView} */
  const g = await api.get(`/guests/${id}`);
  /** @type {[ProjectView | null, OperationView[], SnapshotView[], AuditEntryView[] | null, ImageView[], any[]]} */
  const [p, ops, snaps, trail, images, backups] = await Promise.all([
    api.get(`/projects/${g.project_id}`).catch(() => null),
    all(`/operations?guest=${g.id}&limit=20`).catch(() => []),
    ['running', 'stopped'].includes(g.state) ? all(`/guests/${g.id}/snapshots`).catch(() => []) : Promise.resolve([]),
    api.get(`/audit?tenant=${g.tenant_id}&guest=${g.id}&limit=200`).then((page) => page.items).catch(() => null),
    all('/images').catch(() => []),
    g.vmid ? all(`/guests/${g.id}/backups`).catch(() => []) : Promise.resolve([]),
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
  const backupsPanel = backupPanel(g, backups);
  const out = h('div', {},
    h('div', { class: 'crumbs' }, h('a', { href: '#/projects' }, 'Projects'), ' › ', p ? h('a', { href: `#/projects/${p.id}` }, p.name) : 'project', ' › ', g.name),
    h('h1', {}, g.name, ' ', stateBadge(g.state)),
    alertBox,
    ops.filter((o) => o.state === 'awaiting_approval').map((o) => h('div', { class: 'alert warn' },
      `${o.kind.replace(/_/g, ' ')} awaits approval: `, h('a', { href: `#/approvals/${o.id}` }, 'who must approve'))),
    g.state === 'down' ? h('div', { class: 'alert error', role: 'status' }, `Down: ${g.error || 'its host failed'}`)
      : (g.error ? h('div', { class: 'alert error' }, `Last failure: ${g.error}`) : null),
    g.drift ? h('div', { class: 'alert error' }, `Drift: Proxmox differs from scmp's record — ${g.drift}`) : null,
    h('div', { class: 'actions', role: 'group', 'aria-label': 'Power' },
      act('Start', `/guests/${g.id}/start`),
      act('Shutdown', `/guests/${g.id}/shutdown`),
      act('Stop', `/guests/${g.id}/stop`, { confirm: ['Stop the guest?', 'Stopping cuts the power at once; unsaved data in the guest is lost. Shutdown asks the guest to stop cleanly.'] }),
      act('Reboot', `/guests/${g.id}/reboot`),
      g.vmid ? h('button', {
        type: 'button',
        onclick: async () => {
          try {
            const c = await api.get(`/guests/${g.id}/console`);
            window.open(c.url, '_blank', 'noopener');
          } catch (e) {
            put(alertBox, h('div', { class: 'alert error', role: 'alert' }, e.message));
          }
        },
      }, 'Console') : null,
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
      (g.nics || []).length
        ? ['NICs', (g.nics || []).map((n, i) => `net${i}: ${n.network} ${n.address}`).join(' · ')]
        : ['Network', `${g.network.bridge}${g.network.vlan ? `, VLAN ${g.network.vlan}` : ''} · ${g.ip_config}`],
      (g.security_groups || []).length ? ['Security groups', (g.security_groups || []).join(', ')] : null,
      (g.public_addresses || []).length ? ['Public addresses', (g.public_addresses || []).map((a) => a.address).join(', ')] : null,
      ['Addresses', g.addresses && g.addresses.length ? g.addresses.join(', ')
        : (g.state === 'running' ? 'not reported (the guest agent does not answer)' : '—')],
      g.ci_user ? ['Cloud-init user', g.ci_user] : null,
      ['High availability', g.ha ? `yes${g.ha_state ? ` (Proxmox HA: ${g.ha_state})` : ''}` : 'no'],
      ['Tags', g.tags.length ? g.tags.join(', ') : '—'],
      g.anti_affinity_group ? ['Anti-affinity group', g.anti_affinity_group] : null,
      ['Why this host', g.placement ? g.placement.reason : '—'],
      ['Created', when(g.created_at)],
      g.lease ? ['Lease', `${g.lease.state}: ends ${when(g.lease.expires_at)} (policy ${g.lease.policy}), decommissioned ${when(g.lease.decommission_at)}; can be extended to ${when(g.lease.max_until)}`] : null,
    ])),
    g.lease && g.lease.state !== 'ending' ? leaseForm(g, alertBox) : null,
    h('h2', {}, 'Operations'), operationsTable(ops),
    resize, snapshots, backupsPanel,
    g.events && g.events.length ? [h('h2', {}, 'Events'), table([
      { title: 'When', cell: (e) => when(e.at) }, { title: 'Kind', cell: (e) => stateBadge(e.kind) }, { title: 'Detail', cell: (e) => e.detail }], g.events)] : null,
    h('h2', {}, 'Audit trail'),
    trail === null ? h('p', { class: 'muted' }, 'Your roles do not include reading the audit log.') : auditTable(trail));
  if (BUSY.includes(g.state) || ops.some((o) => ['pending', 'running'].includes(o.state))) {
    poll(async () => {
      /** @type {GuestView} */
      const fresh = await api.get(`/guests/${id}`);
      /** @type {OperationView[]} */
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
