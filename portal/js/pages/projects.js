// Projects: the list with a form for a new one, and a project with its guests and quota.

import { all, api } from '../api.js';
import { badge, field, h, input, put, select, stateBadge, table } from '../dom.js';
import { mib, num } from '../format.js';
import { submit, values } from '../forms.js';
import { allProjects, tenants } from '../names.js';
import { poll, route } from '../router.js';
import { isTenantAdmin } from '../session.js';
import { projectTable, quotaForm, quotaPanel } from '../widgets.js';

/** @typedef {import('../api-types.js').ProjectView} ProjectView */
/** @typedef {import('../api-types.js').GuestView} GuestView */

route('/projects', '#/projects', async () => {
  const ts = await tenants();
  const projects = await allProjects();
  const out = h('div', {}, h('h1', {}, 'Projects'));
  const manageable = ts.filter(() => isTenantAdmin());
  if (manageable.length) {
    const alertBox = h('div');
    const form = h('form', { class: 'panel', 'aria-labelledby': 'np' },
      h('h2', { id: 'np' }, 'New project'), alertBox,
      field('Tenant', select('tenant', manageable.map((t) => [t.id, t.name]))),
      field('Name', input('name', { required: true, pattern: '[a-z0-9-]+' }), 'lower-case letters, digits and hyphens'),
      field('Description', input('description')),
      h('fieldset', {}, h('legend', {}, 'Quota'),
        field('vCPUs', input('vcpus', { type: 'number', min: 0, value: 8 })),
        field('Memory (MiB)', input('memory_mib', { type: 'number', min: 0, value: 16384 })),
        field('Disk (GiB)', input('disk_gib', { type: 'number', min: 0, value: 200 })),
        field('Guests', input('guests', { type: 'number', min: 0, value: 10 }))),
      h('button', { type: 'submit', class: 'primary' }, 'Create project'));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const d = values(form);
      const p = await submit(form, alertBox, () => api.post(`/tenants/${d.tenant}/projects`, {
        name: d.name, description: d.description || null,
        quota: { vcpus: num(d.vcpus), memory_mib: num(d.memory_mib), disk_gib: num(d.disk_gib), guests: num(d.guests) },
      }));
      if (p) location.hash = `#/projects/${p.id}`;
    });
    out.append(projectTable(projects), form);
  } else {
    out.append(projectTable(projects));
  }
  return out;
});

route('/projects/([^/]+)', '#/projects', async (id, query) => {
  /** @type {[ProjectView, GuestView[]]} */
  const [p, guests] = await Promise.all([api.get(`/projects/${id}`), all(`/projects/${id}/guests`)]);
  const filter = { text: query.get('q') || '', state: query.get('state') || '' };
  const list = h('div');
  const draw = () => {
    const shown = guests.filter((g) => (!filter.state || g.state === filter.state) &&
      (!filter.text || g.name.includes(filter.text) || g.tags.some((t) => t.includes(filter.text))));
    put(list, table([
      { title: 'Name', cell: (g) => h('a', { href: `#/guests/${g.id}` }, g.name) },
      { title: 'State', cell: (g) => stateBadge(g.state) },
      { title: 'Kind', cell: (g) => g.kind === 'vm' ? 'VM' : 'Container' },
      { title: 'Size', cell: (g) => `${g.vcpus} vCPU, ${mib(g.memory_mib)}, ${g.disk_gib} GiB` },
      { title: 'Site', cell: (g) => g.site || '—' },
      { title: 'Host', cell: (g) => g.host || '—' },
      { title: 'Drift', cell: (g) => g.drift ? badge('drift', 'warn') : '' },
    ], shown, guests.length ? 'No guest matches the filter.' : 'No guests yet. Create the first one.'));
  };
  const text = input('q', { type: 'search', value: filter.text, placeholder: 'name or tag', oninput: (e) => { filter.text = e.target.value; draw(); } });
  const states = select('state', [['', 'any state'], ...['creating', 'running', 'stopped', 'updating', 'deleting', 'failed'].map((s) => [s, s])], filter.state);
  states.addEventListener('change', (e) => { filter.state = e.target.value; draw(); });
  draw();
  const out = h('div', {},
    h('div', { class: 'crumbs' }, h('a', { href: '#/projects' }, 'Projects'), ' › ', p.name),
    h('h1', {}, p.name),
    p.description ? h('p', { class: 'muted' }, p.description) : null,
    quotaPanel(p.quota),
    h('h2', {}, 'Guests'),
    h('div', { class: 'toolbar' },
      h('div', {}, field('Search', text)), h('div', {}, field('State', states)), h('div', { class: 'grow' }),
      h('a', { class: 'button primary', href: `#/projects/${id}/new` }, 'New guest')),
    list);
  if (isTenantAdmin()) out.append(quotaForm(`/projects/${id}/quota`, p.quota.limits, 'Change the project quota'));
  if (guests.some((g) => ['creating', 'updating', 'deleting'].includes(g.state))) {
    poll(async () => { const fresh = await all(`/projects/${id}/guests`); guests.splice(0, guests.length, ...fresh); draw(); return fresh.some((g) => ['creating', 'updating', 'deleting'].includes(g.state)); }, 1500);
  }
  return out;
});
