// The API client: fetch with the session cookie and the CSRF value, problems as ApiError, lists page after page.

import { problemText } from './format.js';

/** What to do when the server says the session is gone (set by the session module). */
let sessionEnded = () => {};

/** @param {() => void} handler */
export function onSessionEnded(handler) { sessionEnded = handler; }

export class ApiError extends Error {
  constructor(status, problem) {
    super(problemText(problem, status));
    this.status = status;
    this.problem = problem || {};
  }
}

export function csrf() {
  const m = document.cookie.match(/(?:^|;\s*)scmp_csrf=([^;]+)/);
  return m ? m[1] : '';
}

export async function call(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['X-CSRF-Token'] = csrf();
  let res;
  try {
    res = await fetch(path, {
      method, headers, credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, { detail: 'The server cannot be reached. Check your connection and try again.' });
  }
  if (res.status === 401 && path !== '/portal/session' && !path.startsWith('/portal/sso/')) {
    sessionEnded();
    throw new ApiError(401, { detail: 'Your session has ended.' });
  }
  if (res.status === 204) return null;
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

export const api = {
  get: (p) => call('GET', `/api/v1${p}`),
  post: (p, b) => call('POST', `/api/v1${p}`, b === undefined ? {} : b),
  put: (p, b) => call('PUT', `/api/v1${p}`, b),
  patch: (p, b) => call('PATCH', `/api/v1${p}`, b),
  del: (p) => call('DELETE', `/api/v1${p}`),
};

/** Every item of a listing, page after page (bounded). */
export async function all(path) {
  const items = [];
  let token = null;
  for (let i = 0; i < 50; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const page = await api.get(token ? `${path}${sep}page_token=${encodeURIComponent(token)}` : path);
    items.push(...(page.items || []));
    token = page.next_page_token;
    if (!token) break;
  }
  return items;
}
