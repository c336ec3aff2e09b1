// Shared by the dashboard and the docs page: the admin token (kept in sessionStorage,
// sent only in the Authorization header, never in a URL), authorized fetches, and
// server-sent events read from a fetch() stream (EventSource cannot send a header).

const KEY = 'hotpub-admin-token';

/** Thrown when the server wants the admin token (none given, or a wrong one). */
export class TokenRequired extends Error {}

export function hasToken() {
  return Boolean(sessionStorage.getItem(KEY));
}

function headers(extra = {}) {
  const token = sessionStorage.getItem(KEY);
  return token ? { ...extra, authorization: `Bearer ${token}` } : extra;
}

/** fetch() of a control-plane path with the token; throws TokenRequired on a 401. */
export async function api(path, init = {}) {
  const res = await fetch(path, {
    ...init,
    headers: headers(init.headers),
    cache: 'no-store',
    credentials: 'same-origin',
  });
  if (res.status === 401) throw new TokenRequired('the admin token is required');
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`;
    try {
      message = (await res.json()).error.message;
    } catch {
      // not a JSON error: keep the status line
    }
    throw new Error(message);
  }
  return res;
}

/**
 * Reads the server-sent events of `path`, calling onEvent(type, data) for each, until the
 * stream ends (resolves) or fails (rejects; TokenRequired on a 401).
 */
export async function readEvents(path, onEvent, signal) {
  const res = await api(path, { signal, headers: { accept: 'text/event-stream' } });
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let type = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) type = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length > 0) onEvent(type, data.join('\n'));
    }
  }
}

/**
 * Shows the token form (an element with id "token-form" holding a form, an input and a
 * message) and resolves once a token was entered and stored.
 */
export function askToken(message) {
  const box = document.getElementById('token-form');
  const form = box.querySelector('form');
  const input = box.querySelector('input[type="password"]');
  box.querySelector('[data-field="token-message"]').textContent = message;
  box.hidden = false;
  input.focus();
  return new Promise((resolve) => {
    form.addEventListener(
      'submit',
      (event) => {
        event.preventDefault();
        sessionStorage.setItem(KEY, input.value.trim());
        input.value = '';
        box.hidden = true;
        resolve();
      },
      { once: true },
    );
  });
}

/** Forgets the token (a wrong one). */
export function forgetToken() {
  sessionStorage.removeItem(KEY);
}
