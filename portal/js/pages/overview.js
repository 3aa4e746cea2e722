// The overview: sites at a glance for platform staff, and the caller's projects.

import { all } from '../api.js';
import { badge, h } from '../dom.js';
import { allProjects } from '../names.js';
import { route } from '../router.js';
import { isPlatform, session } from '../session.js';
import { projectCards } from '../widgets.js';

/** @typedef {import('../api-types.js').SiteView} SiteView */
/** @typedef {import('../api-types.js').ClusterView} ClusterView */

route('/', '#/', async () => {
  const out = h('div', {}, h('h1', {}, `Welcome, ${session.me.name}`));
  if (isPlatform()) {
    /** @type {SiteView[]} */
    const sites = await all('/sites');
    /** @type {ClusterView[]} */
    const clusters = (await Promise.all(sites.map((s) => all(`/sites/${s.id}/clusters`).catch(() => [])))).flat();
    const bad = clusters.filter((c) => c.health.state !== 'online');
    out.append(h('div', { class: 'cards' },
      h('div', { class: 'panel' }, h('h2', {}, 'Sites'), h('p', {}, `${sites.length} sites, ${clusters.length} clusters`),
        bad.length ? h('p', {}, badge(`${bad.length} not online`, 'warn')) : h('p', {}, badge('all clusters online', 'ok')),
        h('a', { href: '#/sites' }, 'Sites and clusters'))));
  }
  const projects = await allProjects();
  out.append(h('h2', {}, 'Your projects'), projectCards(projects));
  return out;
});
