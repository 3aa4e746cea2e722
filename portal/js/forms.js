// Submitting a form: the problem shown next to the fields at fault, or above the form.

import { h, put } from './dom.js';

/** Runs a change and shows its problem next to the fields at fault, or above the form. */
export async function submit(form, alertBox, fn) {
  form.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
  form.querySelectorAll('.field-error').forEach((el) => { el.textContent = ''; });
  put(alertBox);
  const button = form.querySelector('button[type="submit"]');
  if (button) button.disabled = true;
  try {
    return await fn();
  } catch (e) {
    let placed = false;
    for (const fe of (e.problem && e.problem.errors) || []) {
      const key = String(fe.field).split('.').pop();
      const el = form.querySelector(`[name="${CSS.escape(key)}"]`);
      if (el) {
        el.setAttribute('aria-invalid', 'true');
        const err = document.getElementById(`${el.id}-err`);
        if (err) err.textContent = fe.message;
        placed = true;
      }
    }
    put(alertBox, h('div', { class: 'alert error', role: 'alert' }, placed ? `Please correct the marked fields: ${e.message}` : e.message));
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

/**
 * A form's fields by name, as text.
 * @param {HTMLFormElement} form
 * @returns {Record<string, string>}
 */
export function values(form) {
  return Object.fromEntries([...new FormData(form)].map(([k, v]) => [k, String(v)]));
}
