// Small helpers shared by the views: DOM building that never parses data as HTML, times, and the REST client.

/** An element with attributes and children; strings become text nodes (never HTML). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'text') node.textContent = String(value);
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function $(id) {
  return document.getElementById(id);
}

/** Sets a message element's text ('' hides it through CSS :empty). */
export function say(id, text) {
  $(id).textContent = text || '';
}

/** Epoch ms as local time (with the date when it is not today); '—' for none. */
export function time(ms) {
  if (ms === null || ms === undefined) return '—';
  const d = new Date(ms);
  const today = new Date().toDateString() === d.toDateString();
  return today ? d.toLocaleTimeString() : d.toLocaleString();
}

/** An error the REST API answered, in words: "forbidden: no access to tenant x (HTTP 403)". */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(`${code}: ${message} (HTTP ${status})`);
    this.status = status;
    this.code = code;
  }
}

/** The REST API with a bearer credential, same origin. Throws ApiError with the server's code and message. */
export function restClient(credential) {
  return async function api(method, path, body) {
    let response;
    try {
      response = await fetch('../api/websocket' + path, {
        method,
        headers: {
          Authorization: 'Bearer ' + credential,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch (e) {
      throw new ApiError(0, 'unreachable', 'the server did not answer (' + e.message + ')');
    }
    let json = null;
    try {
      json = await response.json();
    } catch (e) {
      // not JSON: reported below with the status
    }
    if (!response.ok || !json || json.success !== true) {
      const error = (json && json.error) || {};
      throw new ApiError(response.status, error.code || 'error',
        (error.message || 'unexpected answer') + (error.field ? ` (field ${error.field})` : ''));
    }
    return json;
  };
}

/** The claims of a JWT, read without verifying (the server verifies); null when it is not a JWT. */
export function claimsOf(token) {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const json = atob(parts[1].replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(parts[1].length / 4) * 4, '='));
    return JSON.parse(json);
  } catch (e) {
    return null;
  }
}
