// Operations the caller may see.

import { all } from '../api.js';
import { h, put, stateBadge, table } from '../dom.js';
import { when } from '../format.js';
import { poll, route } from '../router.js';
import { progressCell } from '../widgets.js';

/** @typedef {import('../api-types.js').OperationView} OperationView */

route('/operations', '#/operations', async () => {
  const list = h('div');
  const draw = async () => {
    /** @type {OperationView[]} */
    const ops = await all('/operations?limit=50');
    put(list, table([
      { title: 'Operation', cell: (o) => o.kind.replace(/_/g, ' ') },
      { title: 'Guest', cell: (o) => h('a', { href: `#/guests/${o.guest_id}` }, o.target || o.guest_id) },
      { title: 'State', cell: (o) => stateBadge(o.state) },
      { title: 'Progress', cell: progressCell },
      { title: 'Started', cell: (o) => when(o.created_at) },
      { title: 'Error', cell: (o) => o.error || '' },
    ], ops, 'No operations yet.'));
    return ops.some((o) => ['pending', 'running'].includes(o.state));
  };
  if (await draw()) poll(draw, 1000);
  return h('div', {}, h('h1', {}, 'Operations'), h('p', { class: 'muted' }, 'Long changes run as operations; this page follows them live.'), list);
});
