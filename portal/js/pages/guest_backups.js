// A guest's backups: back up now, protect, delete, and restore in place after a confirmation.

import { api } from '../api.js';
import { confirmDialog, h, put, table } from '../dom.js';
import { when } from '../format.js';
import { render } from '../router.js';

import { BUSY, watchThen } from '../widgets.js';

/** @typedef {import('../api-types.js').GuestView} GuestView */
/** @typedef {import('../api-types.js').BackupView} BackupView */

/**
 * The backups panel of a guest.
 * @param {GuestView} g
 * @param {BackupView[]} backups
 */
export function backupPanel(g, backups) {
  const alertBox = h('div', { 'aria-live': 'polite' });
  const fail = (/** @type {any} */ e) => put(alertBox, h('div', { class: 'alert error', role: 'alert' }, e.message));
  const op = async (/** @type {string} */ label, /** @type {() => Promise<any>} */ fn, /** @type {string[] | null} */ confirm) => {
    if (confirm && !(await confirmDialog(confirm[0], confirm[1], label))) return;
    try { const o = await fn(); watchThen(o, render); render(); } catch (e) { fail(e); }
  };
  const flip = async (/** @type {BackupView} */ b) => {
    try { await api.post(`/guests/${g.id}/backups/${b.id}/${b.protected ? 'unprotect' : 'protect'}`); render(); } catch (e) { fail(e); }
  };
  const busy = BUSY.includes(g.state);
  return h('div', { class: 'panel' }, h('h2', {}, 'Backups'), alertBox,
    h('div', { class: 'toolbar' },
      h('button', { type: 'button', disabled: busy, onclick: () => op('Back up now', () => api.post(`/guests/${g.id}/backups`, {}), null) }, 'Back up now')),
    table([
      { title: 'Taken', cell: (/** @type {BackupView} */ b) => when(b.taken_at) },
      { title: 'Size', cell: (/** @type {BackupView} */ b) => `${(b.size_bytes / 2 ** 30).toFixed(2)} GiB` },
      { title: 'Storage', cell: (/** @type {BackupView} */ b) => `${b.storage} (${b.format})` },
      { title: 'Protected', cell: (/** @type {BackupView} */ b) => (b.protected ? 'yes' : 'no') },
      { title: 'Actions', cell: (/** @type {BackupView} */ b) => h('div', { class: 'actions' },
        h('button', { type: 'button', onclick: () => flip(b) }, b.protected ? 'Unprotect' : 'Protect'),
        h('button', { type: 'button', disabled: busy, onclick: () => op('Restore', () => api.post(`/guests/${g.id}/restore`, { backup: b.id, confirm: true }),
          [`Restore ${g.name} from the backup of ${when(b.taken_at)}?`, 'Its disks are replaced by the backup\'s. A backup of the guest as it is now is taken first, and restored again if the restore fails.']) }, 'Restore'),
        h('button', { type: 'button', class: 'danger', disabled: b.protected, onclick: () => op('Delete', () => api.del(`/guests/${g.id}/backups/${b.id}`),
          ['Delete this backup?', 'It is removed from the backup storage; this cannot be undone.']) }, 'Delete')) },
    ], backups, 'No backups yet.'));
}
