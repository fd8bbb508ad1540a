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
  constructor(status, code, message) {
    super(message || code || String(status));
    this.status = status;
    this.code = code;
  }
}

// GET path?params as JSON; params with a null or undefined value are left out.
export async function get(path, params = {}) {
  const url = new URL(path, window.location.origin);
  for (const [k, v] of Object.entries(params)) {
    if (v !== null && v !== undefined && v !== '') url.searchParams.set(k, String(v));
  }
  const res = await fetch(url, {
    headers: {
      Authorization: 'Bearer ' + (getKey() || ''),
      Accept: 'application/json',
      'Accept-Language': lang(),
    },
    cache: 'no-store',
    credentials: 'omit',
    referrerPolicy: 'no-referrer',
  });
  let body = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  if (!res.ok) throw new ApiError(res.status, body && body.error, body && body.message);
  return body;
}
