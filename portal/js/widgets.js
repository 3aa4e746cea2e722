// Pieces several pages show: project cards and tables, quota panels and forms, operations, the audit table.

import { api } from './api.js';
import { field, h, input, meter, stateBadge, table } from './dom.js';
import { mib, num, when } from './format.js';
import { submit, values } from './forms.js';
import { render } from './router.js';

/** @typedef {import('./names.js').ProjectOfTenant} ProjectOfTenant */
/** @typedef {import('./api-types.js').TenantView} TenantView */
/** @typedef {import('./api-types.js').QuotaBody} QuotaBody */
/** @typedef {import('./api-types.js').ResourcesBody} ResourcesBody */
/** @typedef {import('./api-types.js').OperationView} OperationView */
/** @typedef {import('./api-types.js').AuditEntryView} AuditEntryView */

/** @param {ProjectOfTenant[]} projects */
export function projectCards(projects) {
  if (!projects.length) return h('p', { class: 'muted' }, 'You have no projects yet.');
  return h('div', { class: 'cards' }, projects.map((p) => h('div', { class: 'panel' },
    h('h3', {}, h('a', { href: `#/projects/${p.id}` }, p.name)),
    h('p', { class: 'muted' }, `${p.tenant.name}${p.description ? ` — ${p.description}` : ''}`),
    meter('Guests', p.quota.used.guests, p.quota.limits.guests),
    meter('vCPUs', p.quota.used.vcpus, p.quota.limits.vcpus))));
}

/** @param {ProjectOfTenant[]} projects */
export function projectTable(projects) {
  return table([
    { title: 'Project', cell: (p) => h('a', { href: `#/projects/${p.id}` }, p.name) },
    { title: 'Tenant', cell: (p) => p.tenant.name },
    { title: 'Guests', num: true, cell: (p) => `${p.quota.used.guests} / ${p.quota.limits.guests}` },
    { title: 'vCPUs', num: true, cell: (p) => `${p.quota.used.vcpus} / ${p.quota.limits.vcpus}` },
    { title: 'Memory', num: true, cell: (p) => `${mib(p.quota.used.memory_mib)} / ${mib(p.quota.limits.memory_mib)}` },
  ], projects, 'No projects yet.');
}

/**
 * @param {QuotaBody} q
 * @param {string} [title]
 */
export function quotaPanel(q, title) {
  return h('div', { class: 'panel' }, h('h2', {}, title || 'Quota'),
    h('div', { class: 'legend' }, h('span', { class: 'l-used' }, 'used'), q.allocated && h('span', { class: 'l-alloc' }, 'allocated to projects')),
    meter('vCPUs', q.used.vcpus, q.limits.vcpus, q.allocated ? { allocated: q.allocated.vcpus } : {}),
    meter('Memory', q.used.memory_mib, q.limits.memory_mib, Object.assign({ format: mib }, q.allocated ? { allocated: q.allocated.memory_mib } : {})),
    meter('Disk', q.used.disk_gib, q.limits.disk_gib, Object.assign({ format: (x) => `${x} GiB` }, q.allocated ? { allocated: q.allocated.disk_gib } : {})),
    meter('Guests', q.used.guests, q.limits.guests, q.allocated ? { allocated: q.allocated.guests } : {}));
}

/**
 * @param {string} path
 * @param {ResourcesBody} limits
 * @param {string} title
 */
export function quotaForm(path, limits, title) {
  const alertBox = h('div');
  const form = h('form', { class: 'panel' }, h('h2', {}, title), alertBox,
    field('vCPUs', input('vcpus', { type: 'number', min: 0, value: limits.vcpus })),
    field('Memory (MiB)', input('memory_mib', { type: 'number', min: 0, value: limits.memory_mib })),
    field('Disk (GiB)', input('disk_gib', { type: 'number', min: 0, value: limits.disk_gib })),
    field('Guests', input('guests', { type: 'number', min: 0, value: limits.guests })),
    h('button', { type: 'submit' }, 'Save quota'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const d = values(form);
    const r = await submit(form, alertBox, () => api.put(path, {
      vcpus: num(d.vcpus), memory_mib: num(d.memory_mib), disk_gib: num(d.disk_gib), guests: num(d.guests),
    }));
    if (r !== undefined) render();
  });
  return form;
}

export const BUSY = ['creating', 'updating', 'deleting', 'starting', 'stopping'];

// An operation's progress: a bar and the figure beside it.
/** @param {OperationView} op */
export function progressCell(op) {
  const bar = h('div', { class: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': op.progress, 'aria-label': `${op.kind} progress` }, h('div'));
  bar.firstChild.style.width = `${op.progress}%`;
  return [bar, h('span', { class: 'muted' }, ` ${op.progress}%`)];
}

/** @param {OperationView[]} ops */
export function operationsTable(ops) {
  return table([
    { title: 'Operation', cell: (o) => o.kind.replace(/_/g, ' ') },
    { title: 'State', cell: (o) => stateBadge(o.state) },
    { title: 'Progress', cell: progressCell },
    { title: 'Started', cell: (o) => when(o.created_at) },
    { title: 'Result', cell: (o) => o.error || (o.tasks && o.tasks.length ? h('code', {}, `${o.tasks.length} Proxmox task(s)`) : '') },
  ], ops, 'No operations yet.');
}

/** Waits for an operation (long poll) and runs `then` when it ends. */
/**
 * @param {OperationView | null} op
 * @param {() => void} then
 */
export function watchThen(op, then) {
  if (!op || !op.id) return;
  (async () => {
    for (let i = 0; i < 20; i++) {
      /** @type {OperationView | null} */
      const o = await api.get(`/operations/${op.id}?wait=25`).catch(() => null);
      if (!o || !['pending', 'running'].includes(o.state)) break;
    }
    if (location.hash.includes(op.guest_id)) then();
  })();
}

// Who acted, as the entry recorded them: name, tenant and how they signed in.
/** @param {AuditEntryView} e */
export function who(e) {
  const name = e.actor.name || e.actor.id;
  const tenant = e.actor.tenant ? ` · ${e.actor.tenant}` : '';
  const via = e.credential.name ? `${e.credential.kind} ${e.credential.name}` : e.credential.kind;
  return h('span', { title: e.actor.id }, `${name}${tenant} (${via})`);
}

/** @param {AuditEntryView[]} entries */
export function auditTable(entries) {
  return table([
    { title: '#', num: true, cell: (e) => e.seq },
    { title: 'When', cell: (e) => when(e.time) },
    { title: 'Who', cell: (e) => who(e) },
    { title: 'Operation', cell: (e) => `${e.operation} · ${e.phase}` },
    { title: 'Target', cell: (e) => h('code', {}, e.target) },
    { title: 'Result', cell: (e) => [stateBadge(e.result === 'ok' ? 'succeeded' : e.result === 'error' ? 'failed' : 'pending'), e.error ? ` ${e.error}` : ''] },
  ], entries, 'No entries.');
}
