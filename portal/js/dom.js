// Building the page: elements, form fields, badges, meters, tables and the confirmation dialog.

import { stateKind } from './format.js';

/** Builds an element: h('a', {href: '#/'}, 'Home'). Attributes starting with "on" are listeners. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Replaces an element's children (arrays flattened, empty values skipped). */
export function put(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter((c) => c !== undefined && c !== null && c !== false)
    .map((c) => (c instanceof Node ? c : document.createTextNode(String(c)))));
}

let uid = 0;

/** A labelled form field; the input gets an id so the label, the hint and the error point at it. */
export function field(label, input, hint) {
  const id = input.id || `f${++uid}`;
  input.id = id;
  const err = h('div', { class: 'field-error', id: `${id}-err`, role: 'alert' });
  input.setAttribute('aria-describedby', hint ? `${id}-hint ${id}-err` : `${id}-err`);
  return h('div', { class: 'field', 'data-field': input.name || '' },
    h('label', { for: id }, label), hint ? h('div', { class: 'hint', id: `${id}-hint` }, hint) : null, input, err);
}

export function input(name, attrs) {
  return h('input', Object.assign({ name }, attrs || {}));
}

export function select(name, options, value) {
  return h('select', { name }, options.map(([v, text]) =>
    h('option', { value: v, selected: String(v) === String(value ?? '') }, text)));
}

export function badge(text, kind) {
  return h('span', { class: `badge ${kind || 'muted'}` }, text);
}

export function stateBadge(state) {
  return badge(String(state).replace(/_/g, ' '), stateKind(state));
}

/** A bar of used (and allocated) against a limit, with the numbers in words for screen readers. */
export function meter(label, used, limit, opts) {
  const o = opts || {};
  const fmt = o.format || ((x) => String(x));
  const pct = (x) => (limit > 0 ? Math.min(100, (100 * x) / limit) : 0);
  const fillUsed = h('div', { class: 'fill' });
  fillUsed.style.width = `${pct(used)}%`;
  const parts = [];
  if (o.allocated !== undefined) {
    const fa = h('div', { class: 'fill alloc' });
    fa.style.width = `${pct(o.allocated)}%`;
    parts.push(fa);
  }
  parts.push(fillUsed);
  if (o.reserve) {
    const fr = h('div', { class: 'fill reserve' });
    fr.style.width = `${pct(o.reserve)}%`;
    parts.push(fr);
  }
  const text = `${fmt(used)} of ${fmt(limit)}` +
    (o.allocated !== undefined ? `, ${fmt(o.allocated)} allocated` : '') +
    (o.reserve ? `, ${fmt(o.reserve)} kept free for HA` : '');
  return h('div', { class: `meter${limit > 0 && used / limit > 0.9 ? ' high' : ''}` },
    h('div', { class: 'label' }, h('span', {}, label), h('span', {}, text)),
    h('div', {
      class: 'track', role: 'meter', 'aria-label': label, 'aria-valuemin': 0,
      'aria-valuemax': limit, 'aria-valuenow': Math.min(used, limit), 'aria-valuetext': text,
    }, parts));
}

export function table(columns, rows, empty) {
  if (!rows.length) return h('p', { class: 'muted' }, empty || 'Nothing here yet.');
  return h('div', { class: 'table-wrap' }, h('table', {},
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : '' }, c.title)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, columns.map((c) => h('td', { class: c.num ? 'num' : '' }, c.cell(r))))))));
}

export function facts(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter(Boolean).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

export function confirmDialog(title, text, action) {
  return new Promise((resolve) => {
    const d = h('dialog', { 'aria-labelledby': 'dlg-title' },
      h('h2', { id: 'dlg-title' }, title), h('p', {}, text),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'danger', onclick: () => { d.close(); resolve(true); } }, action),
        h('button', { type: 'button', onclick: () => { d.close(); resolve(false); } }, 'Cancel')));
    d.addEventListener('close', () => { d.remove(); resolve(false); });
    document.body.append(d);
    d.showModal();
  });
}
