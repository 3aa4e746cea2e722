// Tenants and projects the caller may see, for names in place of ids.

import { all, api } from './api.js';
import { isPlatform, roles, session } from './session.js';

/** @typedef {import('./api-types.js').TenantView} TenantView */
/** @typedef {import('./api-types.js').ProjectView} ProjectView */

/** @returns {Promise<TenantView[]>} */
export async function tenants() { return all('/tenants'); }

/** `?tenant=` of the caller's own tenant, for listings that platform staff read whole. */
export function ownTenant() {
  return !isPlatform() && session.me.tenant_id ? `?tenant=${session.me.tenant_id}` : '';
}

/**
 * @param {string} tenantId
 * @returns {Promise<ProjectView[]>}
 */
export async function projectsOf(tenantId) { return all(`/tenants/${tenantId}/projects`); }

/** The projects the user may see: those of the tenants it may see, and those its roles name
 * directly (a project member sees its projects, not their tenant). */
/**
 * A project with the tenant it belongs to (its name at least).
 * @typedef {ProjectView & {tenant: {id: string, name: string}}} ProjectOfTenant
 */

/** @returns {Promise<ProjectOfTenant[]>} */
export async function allProjects() {
  const ts = await tenants();
  const lists = await Promise.all(ts.map((t) => projectsOf(t.id).then((ps) => ps.map((p) => ({ ...p, tenant: t }))).catch(() => [])));
  const found = lists.flat();
  const direct = roles().filter((r) => r.scope.startsWith('project/')).map((r) => r.scope.slice('project/'.length))
    .filter((id, i, ids) => ids.indexOf(id) === i && !found.some((p) => p.id === id));
  const more = await Promise.all(direct.map((id) => api.get(`/projects/${id}`).catch(() => null)));
  return found.concat(more.filter(Boolean).map((p) => ({ ...p, tenant: ts.find((t) => t.id === p.tenant_id) || { id: p.tenant_id, name: 'your tenant' } })));
}
