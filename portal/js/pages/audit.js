// The audit log.

import { api } from '../api.js';
import { field, h, input } from '../dom.js';
import { values } from '../forms.js';
import { route } from '../router.js';
import { canAudit, session } from '../session.js';
import { auditTable } from '../widgets.js';

/** @typedef {import('../api-types.js').Page_AuditEntryView} Page_AuditEntryView */
/** @typedef {import('../api-types.js').AuditVerifyView} AuditVerifyView */

route('/audit', '#/audit', async (query) => {
  const filters = ['actor', 'operation', 'target', 'since', 'until'];
  const q = new URLSearchParams();
  for (const f of filters) {
    const v = query.get(f);
    if (!v) continue;
    q.set(f, f === 'since' || f === 'until' ? new Date(v).toISOString() : v);
  }
  if (!canAudit() && session.me.tenant_id) q.set('tenant', session.me.tenant_id);
  q.set('limit', '200');
  const pageToken = query.get('page_token');
  if (pageToken) q.set('page_token', pageToken);
  /** @type {[Page_AuditEntryView, AuditVerifyView | null]} */
  const [page, verdict] = await Promise.all([
    api.get(`/audit?${q}`),
    canAudit() ? api.get('/audit/verify').catch((e) => ({ state: 'unknown', reason: e.message })) : Promise.resolve(null)]);
  const form = h('form', { class: 'toolbar', role: 'search' },
    h('div', {}, field('Actor', input('actor', { value: query.get('actor') || '' }), 'user name or id')),
    h('div', {}, field('Operation', input('operation', { value: query.get('operation') || '', placeholder: 'guest_create' }))),
    h('div', {}, field('Target', input('target', { value: query.get('target') || '' }))),
    h('div', {}, field('From', input('since', { type: 'datetime-local', value: query.get('since') || '' }))),
    h('div', {}, field('Until', input('until', { type: 'datetime-local', value: query.get('until') || '' }))),
    h('button', { type: 'submit', class: 'primary' }, 'Filter'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const d = new URLSearchParams();
    for (const [k, v] of Object.entries(values(form))) if (v) d.set(k, v);
    location.hash = `#/audit?${d}`;
  });
  const items = page.items || [];
  const next = new URLSearchParams(query);
  if (page.next_page_token) next.set('page_token', page.next_page_token);
  return h('div', {}, h('h1', {}, 'Audit log'),
    verdict ? h('div', { class: `alert ${verdict.state === 'intact' ? 'ok' : 'error'}`, role: 'status' },
      verdict.state === 'intact'
        ? `The chain holds: ${verdict.entries} entries and ${verdict.checkpoints} signed checkpoints verified just now.`
        : `The chain does not hold${verdict.broken_at ? ` at entry ${verdict.broken_at}` : ''}: ${verdict.reason}`) : null,
    form, auditTable(items),
    page.next_page_token ? h('p', {}, h('a', { href: `#/audit?${next}` }, 'Later entries →')) : null);
});
