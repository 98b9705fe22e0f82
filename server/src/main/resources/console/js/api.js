// The console's only way in: the public Cloud API and its SSE streams. The token lives in this
// tab only (sessionStorage) and is sent as a Bearer header, never in a URL.

const KEY = 'boson.session';
export const CONSOLE_CLIENT = { id: 'boson-console', secret: 'boson-console' };
const SESSION_SECONDS = 8 * 3600;

export const session = {
  get() { try { return JSON.parse(sessionStorage.getItem(KEY)); } catch { return null; } },
  set(s) { sessionStorage.setItem(KEY, JSON.stringify(s)); },
  clear() { sessionStorage.removeItem(KEY); },
};

/** An API error in words: Particle's {error, info} or OAuth's {error, error_description}. */
export class ApiError extends Error {
  constructor(status, body) {
    const b = body && typeof body === 'object' ? body : {};
    const text = b.error_description || [b.error, b.info].filter(Boolean).join(': ')
      || (typeof body === 'string' && body) || `The server answered ${status}`;
    super(text);
    this.status = status;
    this.body = b;
  }
}

let onSignedOut = () => {};
export function whenSignedOut(fn) { onSignedOut = fn; }

async function parse(r) {
  const text = await r.text();
  if (!text) return null;
  try { return JSON.parse(text); } catch { return text; }
}

/** Calls the API. A plain object is sent as JSON, FormData as multipart, URLSearchParams as a form. */
export async function api(method, path, body) {
  const headers = {};
  const s = session.get();
  if (s?.token) headers.Authorization = `Bearer ${s.token}`;
  let payload;
  if (body instanceof FormData || body instanceof URLSearchParams) payload = body;
  else if (body !== undefined) { headers['Content-Type'] = 'application/json'; payload = JSON.stringify(body); }
  let r;
  try {
    r = await fetch(path, { method, headers, body: payload });
  } catch (e) {
    throw new ApiError(0, `The server could not be reached (${e.message})`);
  }
  const data = await parse(r);
  if (r.status === 401 && s?.token) { session.clear(); onSignedOut('Your session has ended; please sign in again.'); }
  if (!r.ok) throw new ApiError(r.status, data);
  return data;
}
export const get = (p) => api('GET', p);

/** The password grant through the console's client, or through a product's client for its customers. */
export async function signIn(username, password, client = CONSOLE_CLIENT) {
  const form = new URLSearchParams({ grant_type: 'password', username, password,
    client_id: client.id, client_secret: client.secret, expires_in: String(SESSION_SECONDS) });
  const r = await fetch('/oauth/token', { method: 'POST', body: form });
  const data = await parse(r);
  if (!r.ok) throw new ApiError(r.status, data);
  const customer = client !== CONSOLE_CLIENT;
  session.set({ token: data.access_token, username, customer });
  return session.get();
}

/** Logging out revokes the token on the server, then forgets it. */
export async function signOut() {
  try { await api('DELETE', '/v1/access_tokens/current'); } finally { session.clear(); }
}

/**
 * Opens an SSE stream with the session's token in a header (EventSource cannot send one).
 * Calls onEvent({name, data, ttl, published_at, coreid}) per event; returns a function that closes it.
 */
export function stream(path, onEvent, onError = () => {}, onOpen = () => {}) {
  const ctrl = new AbortController();
  const s = session.get();
  (async () => {
    try {
      const r = await fetch(path, { headers: { Authorization: `Bearer ${s?.token}`, Accept: 'text/event-stream' },
        signal: ctrl.signal });
      if (!r.ok) throw new ApiError(r.status, await parse(r));
      onOpen();
      const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          let name = null, data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) name = line.slice(6).trim();
            else if (line.startsWith('data:')) data += line.slice(5).trim();
          }
          if (name && data) {
            try { onEvent({ name, ...JSON.parse(data) }); } catch { /* a frame that is not JSON is not an event */ }
          }
        }
      }
      if (!ctrl.signal.aborted) onError(new Error('The event stream was closed by the server'));
    } catch (e) {
      if (!ctrl.signal.aborted) onError(e);
    }
  })();
  return () => ctrl.abort();
}

export const enc = encodeURIComponent;
