// Pure helpers of the portal: how states, sizes, times, problems and placement answers read. No
// DOM, so they are unit-tested with node --test (tests/portal/unit).

/** @typedef {import('./api-types.js').PlacementView} PlacementView */
/** @typedef {import('./api-types.js').Problem} Problem */
/** @typedef {import('./api-types.js').FieldError} FieldError */

/** The badge colour of each state the API shows. */
export const STATE_KIND = {
  running: 'ok', succeeded: 'ok', online: 'ok', intact: 'ok', connected: 'ok',
  awaiting_approval: 'warn', approved: 'ok', rejected: 'muted', expired: 'muted',
  creating: 'info', updating: 'info', deleting: 'info', pending: 'info', stopping: 'info', starting: 'info',
  stopped: 'muted', cancelled: 'muted', unknown: 'muted', deleted: 'muted',
  degraded: 'warn', missing: 'warn',
  failed: 'bad', down: 'bad', unreachable: 'bad', broken: 'bad', error: 'bad', disconnected: 'bad',
};

/**
 * An RFC 3339 time from the API, in the reader's locale; '—' when absent.
 * @param {string | null | undefined} time
 */
export function when(time) {
  if (!time) return '—';
  return new Date(time).toLocaleString();
}

/**
 * An amount of memory: MiB below a GiB, GiB (one decimal when not whole) from there.
 * @param {number} m
 */
export function mib(m) {
  return m >= 1024 ? `${(m / 1024).toFixed(m % 1024 ? 1 : 0)} GiB` : `${m} MiB`;
}

/**
 * "site frankfurt (DE), cluster frankfurt-1, host pve2: why", from a placement answer.
 * @param {PlacementView} pl
 */
export function placementText(pl) {
  return `site ${pl.site} (${pl.country}), cluster ${pl.cluster}, host ${pl.host}: ${pl.reason}`;
}

/**
 * A problem+json answer in words a user understands: the fields at fault, or what it says.
 * @param {Problem | {detail?: string, title?: string, errors?: FieldError[]} | null} p
 * @param {number} status
 */
export function problemText(p, status) {
  if (!p) return `The server answered ${status}.`;
  if (p.errors && p.errors.length) {
    return p.errors.map((e) => `${fieldName(e.field)}: ${e.message}`).join('; ');
  }
  if (status === 403) return `You are not allowed to do this. ${p.detail || ''}`.trim();
  return p.detail || p.title || `The server answered ${status}.`;
}

/**
 * A field's JSON path as words (`cloud_init.ip_config` -> `cloud init › ip config`).
 * @param {string} path
 */
export function fieldName(path) {
  return String(path || '').replace(/^body\./, '').replace(/_/g, ' ').replace(/\./g, ' › ') || 'input';
}

/**
 * A form's number, or none when the field is empty.
 * @param {string | undefined} v
 */
export function num(v) { return v === '' || v === undefined ? undefined : Number(v); }

/**
 * The badge colour of a state (`muted` for states it does not know).
 * @param {string} state
 */
export function stateKind(state) {
  return STATE_KIND[state] || 'muted';
}
