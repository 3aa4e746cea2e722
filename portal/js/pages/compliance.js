// Compliance: what a tenant's guests violate of the current policies, since when, from the last
// scan; scan now, or download the report as CSV.

import { api } from '../api.js';
import { badge, h, put, select, table } from '../dom.js';
import { when } from '../format.js';
import { render, route } from '../router.js';
import { tenants } from '../names.js';
import { session } from '../session.js';

/** @typedef {import('../api-types.js').ComplianceReport} ComplianceReport */

route('/compliance', '#/compliance', async (query) => {
  const ts = await tenants();
  const chosen = query.get('tenant') || session.me.tenant_id || (ts[0] && ts[0].id);
  const alertBox = h('div', { role: 'alert' });
  if (!chosen) return h('div', {}, h('h1', {}, 'Compliance'), h('p', { class: 'muted' }, 'No tenant to report on.'));
  /** @type {ComplianceReport} */
  const r = await api.get(`/tenants/${chosen}/compliance`);
  const picker = select('tenant', ts.map((t) => [t.id, t.name]), chosen);
  picker.setAttribute('aria-label', 'Tenant');
  picker.addEventListener('change', () => { location.hash = `#/compliance?tenant=${picker.value}`; });
  const scan = h('button', { type: 'button', class: 'primary', onclick: async () => {
    scan.disabled = true;
    try {
      await api.post(`/tenants/${chosen}/compliance/scan`, {});
      render();
    } catch (e) {
      put(alertBox, h('div', { class: 'alert error' }, e.message));
      scan.disabled = false;
    }
  } }, 'Scan now');
  return h('div', {}, h('h1', {}, `Compliance of ${r.tenant}`),
    h('p', {}, 'Every guest is evaluated against the current policies as if it were asked for now. ',
      r.scanned_at ? `Last scan ${when(r.scanned_at)}: ${r.guests} guests, ${r.violations.length} violations.` : 'Not scanned yet.'),
    alertBox,
    h('div', { class: 'actions' }, ts.length > 1 ? picker : null, scan,
      h('a', { href: `/api/v1/tenants/${chosen}/compliance?format=csv`, download: `compliance-${r.tenant}.csv` }, 'Download CSV')),
    table([
      { title: 'Guest', cell: (v) => h('a', { href: `#/guests/${v.guest_id}` }, v.guest) },
      { title: 'Policy', cell: (v) => v.policy },
      { title: 'Enforcement', cell: (v) => badge(v.enforcement, v.enforcement === 'deny' ? 'bad' : 'warn') },
      { title: 'What it says', cell: (v) => v.message },
      { title: 'Since', cell: (v) => when(v.since) },
    ], r.violations, 'No violations.'));
});
