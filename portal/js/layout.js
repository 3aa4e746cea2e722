// The frame around every page: the top bar and the navigation the caller's roles allow.

import { h, put } from './dom.js';
import { canAudit, hasRole, isPlatform, isTenantAdmin, logout, roles, session } from './session.js';

export function navigation(current) {
  const link = (href, text) => h('a', { href, 'aria-current': current === href ? 'page' : null }, text);
  /** @type {Array<[string|null, Node[]]>} */
  const groups = [[null, [link('#/', 'Overview'), link('#/projects', 'Projects'), link('#/operations', 'Operations'), link('#/approvals', 'Approvals'), link('#/tokens', 'My tokens'), link('#/security', 'Sign-in security')]]];
  if (isTenantAdmin() || hasRole('tenant-admin')) {
    groups.push(['Tenant', [link('#/people', 'Users and groups'), link('#/bindings', 'Role bindings'), link('#/roles', 'Roles'), link('#/realms', 'Realms'), link('#/compliance', 'Compliance')]]);
  }
  if (isPlatform()) {
    const items = [link('#/sites', 'Sites and clusters'), link('#/tenants', 'Tenants'), link('#/catalog', 'Catalog'), link('#/compliance', 'Compliance')];
    groups.push(['Platform', items]);
  }
  if (canAudit() || hasRole('tenant-auditor', 'tenant-admin')) groups.push(['Audit', [link('#/audit', 'Audit log')]]);
  return h('nav', { class: 'side', 'aria-label': 'Main' }, groups.map(([title, links]) => [title ? h('h2', {}, title) : null, links]));
}

export function frame(current, content) {
  const me = session.me;
  put(document.getElementById('app'), 
    h('header', { class: 'topbar' },
      h('a', { class: 'brand', href: '#/' }, 'scmp'),
      h('div', { class: 'who' },
        h('span', {}, `${me.name}${roles().length ? ` · ${roles().map((r) => r.role).join(', ')}` : ''}`),
        h('button', { type: 'button', onclick: logout }, 'Log out'))),
    h('div', { class: 'layout' }, navigation(current), h('main', { id: 'main', tabindex: '-1' }, content)));
}
