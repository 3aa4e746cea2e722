// The new-guest wizard: what, size, where, network, options; the quota it will use and where placement would put it, asked as the choices change.

import { all, api } from '../api.js';
import { field, h, input, meter, put, select } from '../dom.js';
import { fieldName, mib, num, placementText } from '../format.js';
import { submit, values } from '../forms.js';
import { route } from '../router.js';

/** @typedef {import('../api-types.js').ProjectView} ProjectView */
/** @typedef {import('../api-types.js').ImageView} ImageView */
/** @typedef {import('../api-types.js').InstanceTypeView} InstanceTypeView */
/** @typedef {import('../api-types.js').SiteView} SiteView */
/** @typedef {import('../api-types.js').PlacementView} PlacementView */
/** @typedef {import('../api-types.js').NetworkView} NetworkView */
/** @typedef {import('../api-types.js').SecurityGroupView} SecurityGroupView */

route('/projects/([^/]+)/new', '#/projects', async (id) => {
  /** @type {[ProjectView, ImageView[], InstanceTypeView[], SiteView[], NetworkView[], SecurityGroupView[]]} */
  const [p, images, types, sites, networks, groups] = await Promise.all([
    api.get(`/projects/${id}`), all('/images'), all('/instance-types'), all('/sites').catch(() => []),
    all(`/projects/${id}/networks`).catch(() => []), all(`/projects/${id}/security-groups`).catch(() => [])]);
  const siteName = (sid) => (sites.find((s) => s.id === sid) || { name: 'another site' }).name;
  const checks = (name, items) => h('div', {}, items.map(([value, label]) =>
    h('label', { class: 'inline' }, h('input', { type: 'checkbox', name, value }), label)));
  /** The values of the checked boxes named `name`, in order. */
  const checked = (name) => {
    /** @type {NodeListOf<HTMLInputElement>} */
    const boxes = form.querySelectorAll(`input[name="${name}"]:checked`);
    return Array.from(boxes, (b) => b.value);
  };
  const alertBox = h('div');
  const usage = h('div', { class: 'panel', 'aria-live': 'polite' });
  const placement = h('div', { class: 'panel', 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Asking placement…'));
  const sizes = h('div');
  const form = h('form', { novalidate: true },
    alertBox,
    h('fieldset', {}, h('legend', {}, '1. What'),
      field('Name', input('name', { required: true, autocomplete: 'off' }), 'a DNS label, also the host name'),
      field('Image', select('image', images.map((i) => [i.name, `${i.name} — ${i.os} ${i.version} (${i.kind === 'vm' ? 'VM' : 'container'})`])))),
    h('fieldset', {}, h('legend', {}, '2. Size'),
      field('Instance type', select('instance_type', [['', 'custom sizes…'], ...types.map((t) => [t.name, `${t.name} — ${t.vcpus} vCPU, ${mib(t.memory_mib)}, ${t.disk_gib} GiB`])], types[0] && types[0].name)),
      sizes),
    h('fieldset', {}, h('legend', {}, '3. Where'),
      field('Site', select('site', [['', 'automatic placement'], ...sites.map((s) => [s.name, `${s.name} (${s.country})`])]),
        'placement picks a host that fits, within your tenant\'s countries; its choice and the reason are shown below'),
      field('Anti-affinity group', input('anti_affinity_group'), 'optional: guests of one group never share a host')),
    h('fieldset', {}, h('legend', {}, '4. Network and cloud-init'),
      networks.length ? field('Tenant networks', checks('nic', networks.filter((n) => n.state === 'ready')
        .map((n) => [n.name, `${n.name} at ${siteName(n.site_id)} (${n.subnets.map((x) => x.cidr).join(', ')})`])),
      'a NIC with an address on each network checked, net0 first; the guest runs at their site; instead of a bridge') : null,
      groups.length ? field('Security groups', checks('sg', groups.filter((g) => g.state === 'ready')
        .map((g) => [g.name, `${g.name} at ${siteName(g.site_id)} (${g.rules.length} rules)`])),
      'with tenant networks: inbound traffic only from the group and what its rules allow') : null,
      field('Bridge', input('bridge', { placeholder: 'vmbr0', autocomplete: 'off' }), 'the site network to join; vmbr0 when empty'),
      field('VLAN', input('vlan', { type: 'number', min: 1, max: 4094 }), 'optional: a VLAN on that bridge (1 to 4094)'),
      field('Addressing', select('net', [['dhcp', 'DHCP'], ['static', 'Static address']])),
      field('Static address', input('address', { placeholder: '10.0.0.5/24' }), 'static only'),
      field('Gateway', input('gateway', { placeholder: '10.0.0.1' }), 'static only'),
      field('User', input('user', { placeholder: 'debian' })),
      field('SSH public keys', h('textarea', { name: 'ssh_keys', placeholder: 'ssh-ed25519 AAAA… one per line' }))),
    h('fieldset', {}, h('legend', {}, '5. Options'),
      h('label', { class: 'inline' }, h('input', { type: 'checkbox', name: 'ha' }), 'High availability (restarted on another host when its host fails)'),
      field('Tags', input('tags'), 'comma separated')),
    h('h2', {}, 'What this guest will use'), usage,
    h('h2', {}, 'Where it will run'), placement,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Create guest'),
      h('a', { class: 'button', href: `#/projects/${id}` }, 'Cancel')));
  const wanted = () => {
    const d = values(form);
    const t = types.find((x) => x.name === d.instance_type);
    return t ? { vcpus: t.vcpus, memory_mib: t.memory_mib, disk_gib: t.disk_gib }
      : { vcpus: num(d.vcpus) || 0, memory_mib: num(d.memory_mib) || 0, disk_gib: num(d.disk_gib) || 0 };
  };
  const drawSizes = () => {
    const custom = !form.elements.instance_type.value;
    put(sizes, custom ? [
      field('vCPUs', input('vcpus', { type: 'number', min: 1, max: 128, value: 1 })),
      field('Memory (MiB)', input('memory_mib', { type: 'number', min: 64, value: 1024 })),
      field('Disk (GiB)', input('disk_gib', { type: 'number', min: 1, value: 10 }))] : []);
  };
  const drawUsage = () => {
    const w = wanted();
    const q = p.quota;
    const after = (k) => q.used[k] + w[k];
    const over = ['vcpus', 'memory_mib', 'disk_gib', 'guests'].filter((k) => (k === 'guests' ? q.used.guests + 1 : after(k)) > q.limits[k]);
    put(usage, 
      meter('vCPUs after creation', after('vcpus'), q.limits.vcpus),
      meter('Memory after creation', after('memory_mib'), q.limits.memory_mib, { format: mib }),
      meter('Disk after creation', after('disk_gib'), q.limits.disk_gib, { format: (x) => `${x} GiB` }),
      meter('Guests after creation', q.used.guests + 1, q.limits.guests),
      over.length ? h('div', { class: 'alert error' }, `This guest does not fit the project's quota (${over.map(fieldName).join(', ')}). Pick a smaller size or ask your tenant administrator for more.`) : null);
  };
  form.elements.instance_type.addEventListener('change', () => { drawSizes(); drawUsage(); });
  form.addEventListener('input', drawUsage);
  drawSizes();
  drawUsage();
  const body = () => {
    const d = values(form);
    const image = images.find((i) => i.name === d.image);
    const b = {
      name: d.name, kind: image ? image.kind : 'vm', image: d.image,
      ha: form.elements.ha.checked,
      tags: d.tags ? d.tags.split(',').map((t) => t.trim()).filter(Boolean) : [],
      site: d.site || null,
      anti_affinity_group: d.anti_affinity_group || null,
      cloud_init: {
        user: d.user || null,
        ssh_keys: (d.ssh_keys || '').split('\n').map((k) => k.trim()).filter(Boolean),
        ip_config: d.net === 'static' ? `ip=${d.address}${d.gateway ? `,gw=${d.gateway}` : ''}` : 'ip=dhcp',
      },
    };
    const nics = checked('nic');
    if (nics.length) {
      b.nics = nics.map((network) => ({ network }));
      const sgs = checked('sg');
      if (sgs.length) b.security_groups = sgs;
    } else if (d.bridge || d.vlan) b.network = { bridge: d.bridge || null, vlan: num(d.vlan) ?? null };
    if (d.instance_type) b.instance_type = d.instance_type;
    else Object.assign(b, { vcpus: num(d.vcpus), memory_mib: num(d.memory_mib), disk_gib: num(d.disk_gib) });
    return b;
  };
  // Where placement would put the guest now, asked again (debounced) as the choices change.
  let previewTimer = null;
  let previewSeq = 0;
  const drawPlacement = () => {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(async () => {
      const mine = ++previewSeq;
      const b = body();
      // Placement does not depend on the name: one that is not valid yet must not hide the answer.
      if (!/^[a-z][a-z0-9-]{0,62}$/.test(b.name || '')) b.name = 'preview';
      try {
        /** @type {PlacementView} */
        const pl = await api.post(`/projects/${id}/guests?dry_run=true`, b);
        if (mine === previewSeq) {
          put(placement, h('p', {}, h('strong', {}, 'Placement now: '), placementText(pl)),
            (pl.policy_warnings || []).map((w) => h('div', { class: 'alert info' }, `Policy ${w.policy} warns: ${w.message}`)),
            (pl.policy_approvals || []).map((w) => h('div', { class: 'alert warn' }, `Needs approval (policy ${w.policy}): ${w.message}. The guest waits, its quota reserved, until its approvers agree.`)));
        }
      } catch (e) {
        if (mine === previewSeq) put(placement, h('div', { class: 'alert error' }, e.message));
      }
    }, 400);
  };
  form.addEventListener('input', drawPlacement);
  form.elements.instance_type.addEventListener('change', drawPlacement);
  drawPlacement();
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const op = await submit(form, alertBox, () => api.post(`/projects/${id}/guests`, body()));
    if (op) location.hash = `#/guests/${op.guest_id}?op=${op.id}`;
  });
  return h('div', {},
    h('div', { class: 'crumbs' }, h('a', { href: '#/projects' }, 'Projects'), ' › ', h('a', { href: `#/projects/${id}` }, p.name), ' › new guest'),
    h('h1', {}, 'New guest'), form);
});
