// The caller's sign-in security: an authenticator app (TOTP) as a second factor, with its
// recovery codes.

import { api } from '../api.js';
import { field, h, input, put } from '../dom.js';
import { submit, values } from '../forms.js';
import { render, route } from '../router.js';
import { session } from '../session.js';

/** @typedef {import('../api-types.js').MfaView} MfaView */
/** @typedef {import('../api-types.js').TotpEnrollment} TotpEnrollment */
/** @typedef {import('../api-types.js').RecoveryCodes} RecoveryCodes */

/** The server's QR code (SVG) as a node: parsed, never run, and no inline markup. */
function qr(svg) {
  const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
  const node = document.importNode(doc.documentElement, true);
  node.setAttribute('role', 'img');
  node.setAttribute('aria-label', 'QR code for your authenticator app');
  return h('div', { class: 'qr' }, node);
}

function recoveryList(/** @type {RecoveryCodes} */ r) {
  return h('div', { class: 'alert ok' },
    h('p', {}, 'Your authenticator is set up. Keep these recovery codes somewhere safe: each logs you in once without your authenticator, and they are shown only now.'),
    h('ul', { class: 'secret recovery-codes' }, r.codes.map((c) => h('li', {}, c))));
}

function enrolment(/** @type {TotpEnrollment} */ e, /** @type {HTMLElement} */ alertBox) {
  const form = h('form', { class: 'panel', novalidate: true }, h('h2', {}, 'Confirm with a first code'),
    field('Code', input('code', { inputmode: 'numeric', autocomplete: 'one-time-code', required: true }), 'the 6 digits your app shows now'),
    h('button', { type: 'submit', class: 'primary' }, 'Confirm'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    /** @type {RecoveryCodes | null} */
    const r = await submit(form, alertBox, () => api.post('/me/mfa/totp/confirm', { code: values(form).code }));
    if (r) {
      put(alertBox, recoveryList(r));
      form.remove();
    }
  });
  return h('div', {},
    h('div', { class: 'panel' }, h('h2', {}, 'Scan this with your authenticator app'), qr(e.qr_svg),
      h('p', {}, 'Or type in the key: ', h('code', { class: 'secret' }, e.secret))),
    form);
}

route('/security', '#/security', async () => {
  /** @type {MfaView} */
  const mfa = await api.get('/me/mfa');
  const alertBox = h('div', { role: 'alert' });
  const body = h('div');
  if (mfa.totp) {
    const form = h('form', { class: 'panel', novalidate: true }, h('h2', {}, 'Remove the authenticator'),
      field('Code', input('code', { inputmode: 'numeric', autocomplete: 'one-time-code' }), 'a current code, or a recovery code below'),
      field('Recovery code', input('recovery_code', { autocomplete: 'off' })),
      h('button', { type: 'submit' }, 'Remove'));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const d = values(form);
      const proof = d.code ? { code: d.code } : { recovery_code: d.recovery_code };
      const done = await submit(form, alertBox, () => api.post('/me/mfa/totp/disable', proof).then(() => true));
      if (done) render();
    });
    put(body, h('p', {}, `An authenticator app is set up: logins ask for its code. ${mfa.recovery_codes_left} recovery codes are left.`), form);
  } else {
    const start = h('button', { type: 'button', class: 'primary', onclick: async () => {
      try {
        /** @type {TotpEnrollment} */
        const e = await api.post('/me/mfa/totp', {});
        put(body, enrolment(e, alertBox));
      } catch (err) {
        put(alertBox, h('div', { class: 'alert error' }, err.message));
      }
    } }, mfa.enrolling ? 'Start the set-up again' : 'Set up an authenticator app');
    put(body, h('p', {}, 'Add a second factor: after your password, a login asks for the code an authenticator app shows.'),
      session.me && !(session.me.roles || []).length ? h('div', { class: 'alert info' }, 'If your tenant requires a second factor, set it up here, then log in again with its code to get your rights.') : null,
      start);
  }
  return h('div', {}, h('h1', {}, 'Sign-in security'), alertBox, body);
});
