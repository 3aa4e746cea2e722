// Approvals: operations that policies hold until their approvers agree. Requesters see who must
// still approve and by when; approvers approve or reject with a comment (a rejection needs one).

import { all, api } from '../api.js';
import { field, h, input, put, stateBadge, table } from '../dom.js';
import { submit, values } from '../forms.js';
import { when } from '../format.js';
import { render, route } from '../router.js';

/** @typedef {import('../api-types.js').ApprovalView} ApprovalView */
/** @typedef {import('../api-types.js').Approver} Approver */

/** Who an approver is, in words. */
export function approverText(/** @type {Approver} */ a) {
  return a.kind === 'role' ? `${a.role} on the ${a.on}` : `group ${a.group}`;
}

/** What each holding policy asks, and how far it got. */
function requirementsText(/** @type {ApprovalView} */ a) {
  return a.requirements.map((r) => h('div', {},
    h('strong', {}, r.policy), ` ${r.approvals}/${r.required}: ${r.message} — approvers: `,
    r.approvers.map(approverText).join(', ')));
}

/** The form an approver decides with. */
function decideForm(/** @type {ApprovalView} */ a, /** @type {HTMLElement} */ alertBox) {
  const form = h('form', { class: 'inline', novalidate: true },
    field('Comment', input('comment', { id: `comment-${a.operation_id}` }), 'required to reject'),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary', value: 'approve' }, 'Approve'),
      h('button', { type: 'submit', class: 'danger', value: 'reject' }, 'Reject')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const choice = /** @type {HTMLButtonElement | null} */ (/** @type {SubmitEvent} */ (ev).submitter);
    const verb = choice && choice.value === 'reject' ? 'reject' : 'approve';
    const d = values(form);
    const done = await submit(form, alertBox, () => api.post(`/approvals/${a.operation_id}/${verb}`, { comment: d.comment || null }));
    if (done) render();
  });
  return form;
}

route('/approvals', '#/approvals', async () => {
  /** @type {ApprovalView[]} */
  const list = await all('/approvals?limit=100');
  const alertBox = h('div', { role: 'alert' });
  const waiting = list.filter((a) => a.may_decide);
  return h('div', {}, h('h1', {}, 'Approvals'),
    h('p', {}, 'Requests that policies hold until their approvers agree; their quota is reserved meanwhile. Nobody approves their own.'),
    alertBox,
    h('h2', {}, `Waiting for you (${waiting.length})`),
    waiting.length ? waiting.map((a) => h('div', { class: 'panel' },
      h('p', {}, h('strong', {}, `${a.operation.replace(/_/g, ' ')} ${a.target}`), ` asked by ${a.requested_by}, decide by ${when(a.deadline)}`),
      requirementsText(a), decideForm(a, alertBox))) : h('p', { class: 'muted' }, 'Nothing waits for your decision.'),
    h('h2', {}, 'All approvals you can see'),
    table([
      { title: 'Request', cell: (a) => h('a', { href: `#/approvals/${a.operation_id}` }, `${a.operation.replace(/_/g, ' ')} ${a.target}`) },
      { title: 'Asked by', cell: (a) => a.requested_by },
      { title: 'State', cell: (a) => stateBadge(a.state) },
      { title: 'Needs', cell: requirementsText },
      { title: 'Deadline', cell: (a) => when(a.deadline) },
    ], list, 'No approvals.'));
});

route('/approvals/([^/]+)', '#/approvals', async (id) => {
  /** @type {ApprovalView} */
  const a = await api.get(`/approvals/${id}`);
  const alertBox = h('div', { role: 'alert' });
  const out = h('div', {},
    h('div', { class: 'crumbs' }, h('a', { href: '#/approvals' }, 'Approvals'), ` › ${a.target}`),
    h('h1', {}, `${a.operation.replace(/_/g, ' ')} ${a.target} `, stateBadge(a.state)),
    alertBox,
    h('p', {}, `Asked by ${a.requested_by} ${when(a.created_at)}; rejected unless approved by ${when(a.deadline)}.`,
      a.ticket ? ` Ticket ${a.ticket}.` : ''),
    h('h2', {}, 'Who must approve'), h('div', { class: 'panel' }, requirementsText(a)),
    a.may_decide ? decideForm(a, alertBox) : null,
    h('h2', {}, 'Decisions'),
    table([
      { title: 'By', cell: (d) => d.by },
      { title: 'Decision', cell: (d) => d.decision },
      { title: 'Comment', cell: (d) => d.comment },
      { title: 'Ticket', cell: (d) => d.ticket || '' },
      { title: 'When', cell: (d) => when(d.at) },
    ], a.decisions, 'No decisions yet.'),
    a.deliveries.length ? [h('h2', {}, 'Change requests sent'), table([
      { title: 'Policy', cell: (d) => d.policy },
      { title: 'To', cell: (d) => d.url },
      { title: 'State', cell: (d) => d.state },
      { title: 'Attempts', cell: (d) => d.log.map((l) => `${when(l.at)}: ${l.status || l.error}`).join('; ') },
    ], a.deliveries)] : null);
  put(alertBox);
  return out;
});
