// The API client: tokens live in sessionStorage (gone when the tab closes); a 401 triggers one
// refresh (POST /auth/refresh, rotating) and one retry; a failed refresh ends the session.

const KEY = 'tingfeng.session';

export const session = {
  get() {
    try {
      return JSON.parse(sessionStorage.getItem(KEY) || 'null');
    } catch {
      return null;
    }
  },
  set(value) {
    sessionStorage.setItem(KEY, JSON.stringify(value));
  },
  clear() {
    sessionStorage.removeItem(KEY);
  },
};

export class ApiError extends Error {
  constructor(status, body) {
    const error = body && body.error ? body.error : {};
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || 'http_' + status;
    this.details = error.details || {};
  }
}

let refreshing = null;

async function refreshTokens() {
  const current = session.get();
  if (!current || !current.refreshToken) return false;
  if (!refreshing) {
    refreshing = (async () => {
      const res = await fetch('/auth/refresh', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken: current.refreshToken }),
      });
      if (!res.ok) return false;
      const tokens = await res.json();
      session.set({ ...session.get(), accessToken: tokens.accessToken, refreshToken: tokens.refreshToken });
      return true;
    })().finally(() => {
      setTimeout(() => (refreshing = null), 0);
    });
  }
  return refreshing;
}

function authHeaders() {
  const current = session.get();
  return current && current.accessToken ? { authorization: `Bearer ${current.accessToken}` } : {};
}

/** True when the server has no such route at all (a feature not deployed yet), not merely no such record. */
export function isMissingRoute(error) {
  return error instanceof ApiError && error.status === 404 && /^Cannot [A-Z]+ /.test(error.message);
}

/** JSON request to the API. Throws ApiError with the API's error code on failure. */
export async function api(path, { method = 'GET', body, signal, retried = false } = {}) {
  const res = await fetch(path, {
    method,
    signal,
    headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...authHeaders() },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 401 && !retried && path !== '/auth/login') {
    if (await refreshTokens()) return api(path, { method, body, signal, retried: true });
    session.clear();
    window.dispatchEvent(new CustomEvent('tingfeng:signed-out'));
  }
  const text = await res.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!res.ok) throw new ApiError(res.status, parsed);
  return parsed;
}

/**
 * A file from the API (an export): the server builds it and records the export in the audit log.
 * Resolves to { name, blob }.
 */
export async function fetchFile(path, { retried = false } = {}) {
  const res = await fetch(path, { headers: authHeaders() });
  if (res.status === 401 && !retried && (await refreshTokens())) return fetchFile(path, { retried: true });
  if (!res.ok) {
    let parsed;
    try {
      parsed = await res.json();
    } catch {
      parsed = undefined;
    }
    throw new ApiError(res.status, parsed);
  }
  const disposition = res.headers.get('content-disposition') || '';
  const encoded = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  const name = encoded ? decodeURIComponent(encoded[1]) : (/filename="([^"]+)"/i.exec(disposition) || [])[1] || 'export';
  return { name, blob: await res.blob() };
}

export async function login(username, password) {
  const tokens = await api('/auth/login', { method: 'POST', body: { username, password } });
  session.set({ accessToken: tokens.accessToken, refreshToken: tokens.refreshToken });
  const me = await api('/auth/me');
  session.set({ ...session.get(), user: me });
  return me;
}

export async function logout() {
  try {
    await api('/auth/logout', { method: 'POST' });
  } catch {
    // The session ends locally either way.
  }
  session.clear();
}

/** GET that answers null instead of throwing when the endpoint does not exist (404) or is not for this role (403). */
export async function optional(path) {
  try {
    return await api(path);
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 403)) return null;
    throw error;
  }
}

/** Every page of GET /cases for the given query (pageSize 200). */
export async function allCases(query = {}) {
  const items = [];
  for (let page = 1; page < 100; page++) {
    const params = new URLSearchParams({ ...query, page: String(page), pageSize: '200' });
    const res = await api(`/cases?${params}`);
    items.push(...res.items);
    if (items.length >= res.total || res.items.length === 0) break;
  }
  return items;
}

/**
 * Areas from GET /areas (the gazetteer: id, code, name, level, parentId, aliases) with `path`
 * ("/1/4/9/") rebuilt from parentId. `scopeIds` given: only those areas and everything below them.
 */
export function areaTree(list, scopeIds) {
  const byId = new Map(list.map((a) => [a.id, { ...a }]));
  const pathOf = (a, seen = 0) => {
    if (a.path) return a.path;
    const parent = a.parentId === null || a.parentId === undefined ? null : byId.get(a.parentId);
    a.path = `${parent && seen < 32 ? pathOf(parent, seen + 1) : '/'}${a.id}/`;
    return a.path;
  };
  for (const a of byId.values()) pathOf(a);
  if (!scopeIds) return byId;
  const roots = scopeIds.map((id) => byId.get(id)).filter(Boolean);
  return new Map([...byId].filter(([, a]) => roots.some((r) => a.path.startsWith(r.path))).sort((x, y) => x[1].path.localeCompare(y[1].path)));
}

let areasPromise = null;
/** The areas in the user's scope (id → area, with path), or an empty map when the server cannot say. */
export function areas() {
  if (!areasPromise) {
    const user = session.get() && session.get().user;
    const scope = user && Array.isArray(user.scopeAreaIds) ? user.scopeAreaIds : null;
    areasPromise = optional('/areas')
      .then((list) => areaTree(list || [], scope))
      .catch(() => new Map());
  }
  return areasPromise;
}
export function forgetAreas() {
  areasPromise = null;
}
