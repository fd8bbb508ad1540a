// Fetching with the key: the key lives in sessionStorage only (gone when the tab closes),
// travels in the Authorization header only, never in a URL, a cookie or a log.
import { lang } from './i18n.js';

const KEY = 'repeatd.key';

export function getKey() {
  return sessionStorage.getItem(KEY);
}

export function setKey(key) {
  sessionStorage.setItem(KEY, key.trim());
}

export function forgetKey() {
  sessionStorage.removeItem(KEY);
}

export class ApiError extends Error {
  constructor(status, code, message, body) {
    super(message || code || String(status));
    this.status = status;
    this.code = code;
    this.body = body || {};
  }
}

function headers(accept) {
  return {
    Authorization: 'Bearer ' + (getKey() || ''),
    Accept: accept,
    'Accept-Language': lang(),
  };
}

const OPTS = { cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer' };

function urlOf(path, params) {
  const url = new URL(path, window.location.origin);
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== null && v !== undefined && v !== '') url.searchParams.set(k, String(v));
  }
  return url;
}

async function answer(res) {
  let body = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  if (!res.ok) throw new ApiError(res.status, body && body.error, body && body.message, body);
  return body;
}

// GET path?params as JSON; params with a null or undefined value are left out.
export async function get(path, params = {}) {
  return answer(await fetch(urlOf(path, params), { ...OPTS, headers: headers('application/json') }));
}

// A write (POST, PUT, PATCH) of a JSON body; the answer's JSON, or an ApiError whose message
// the page shows beside its form.
export async function send(method, path, body) {
  return answer(await fetch(urlOf(path), {
    ...OPTS,
    method,
    headers: { ...headers('application/json'), 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  }));
}

// The key's name and role, asked once a key is pasted: a manager (or admin) sees write controls.
export function whoami() {
  return get('/v1/whoami');
}

// A CSV download with the key in the Authorization header (never in a URL): the answer becomes
// a Blob behind a temporary object URL, saved under the name of its Content-Disposition.
export async function download(path, params, fallbackName) {
  const res = await fetch(urlOf(path, { ...params, format: 'csv' }), { ...OPTS, headers: headers('text/csv') });
  if (!res.ok) await answer(res);
  if (!(res.headers.get('Content-Type') || '').startsWith('text/csv')) {
    throw new ApiError(res.status, 'not_csv', 'the server answered without CSV');
  }
  const cd = res.headers.get('Content-Disposition') || '';
  const m = /filename="([^"]+)"/.exec(cd);
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = m ? m[1] : fallbackName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  return a.download;
}
