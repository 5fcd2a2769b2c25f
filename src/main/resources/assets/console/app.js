// The console's entry point: reads its configuration, signs in (manager JWT -> live view, key -> operations view),
// shows the connection state and signs out. Credentials live in memory, or in sessionStorage when asked to.
import { $, say, claimsOf } from './dom.js';
import { startLive } from './live.js';
import { startOps } from './ops.js';

const STORED = 'salesmate-console-credential';
let config = null;
let current = null; // the running view: { stop() }

/** Shows the connection state: signed-out | connecting | live | reconnecting | expired | error. */
export function setState(state, text) {
  const node = $('state');
  node.dataset.state = state;
  node.textContent = text;
}

function show(view) {
  for (const id of ['sign-in', 'live', 'ops']) $(id).hidden = id !== view;
  $('sign-out').hidden = view === 'sign-in';
}

/** Ends the view, forgets the credential and shows the sign-in form with why. */
export function signOut(reason, state = 'signed-out') {
  if (current) current.stop();
  current = null;
  sessionStorage.removeItem(STORED);
  $('who').textContent = '';
  show('sign-in');
  setState(state, reason ? 'signed out: ' + reason : 'signed out');
  say('sign-in-message', reason ? 'Signed out: ' + reason + '.' : '');
}

function remember(kind, credential) {
  if ($('remember').checked) sessionStorage.setItem(STORED, JSON.stringify({ kind, credential }));
}

function signInManager(token) {
  const claims = claimsOf(token);
  if (!claims) {
    say('sign-in-message', 'This is not a JWT: the live view needs a manager\'s token (three parts separated by dots).');
    return;
  }
  if (claims.role !== 'manager') {
    say('sign-in-message', `This token's role is ${claims.role || 'missing'}: the live view needs a manager's token.`);
    return;
  }
  say('sign-in-message', '');
  show('live');
  $('who').textContent = `${claims.sub} · manager of ${claims.tenantId}` +
    (claims.exp ? ` · token valid until ${new Date(claims.exp * 1000).toLocaleString()}` : '');
  current = startLive({ config, token, claims, setState, signOut });
}

function signInOps(key) {
  say('sign-in-message', '');
  show('ops');
  $('who').textContent = 'operations';
  current = startOps({ key, setState, signOut });
}

function signIn(kind, credential) {
  if (current) current.stop();
  if (kind === 'manager') signInManager(credential);
  else signInOps(credential);
}

/** A token in the fragment (#token=...) is taken, then removed from the address bar and the history entry. */
function tokenFromFragment() {
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get('token');
  if (token !== null) history.replaceState(null, '', location.pathname + location.search);
  return token;
}

async function loadConfig() {
  const response = await fetch('config.json', { cache: 'no-store', credentials: 'omit' });
  if (!response.ok) throw new Error('config.json answered HTTP ' + response.status);
  return response.json();
}

async function main() {
  $('manager-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const token = $('manager-token').value.trim();
    $('manager-token').value = '';
    remember('manager', token);
    signIn('manager', token);
  });
  $('ops-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const key = $('ops-key').value.trim();
    $('ops-key').value = '';
    remember('ops', key);
    signIn('ops', key);
  });
  $('sign-out').addEventListener('click', () => signOut(''));

  const fragmentToken = tokenFromFragment();
  try {
    config = await loadConfig();
  } catch (e) {
    setState('error', 'cannot start');
    say('sign-in-message', 'The console could not read its configuration: ' + e.message);
    return;
  }
  if (typeof io !== 'function' || typeof L !== 'object') {
    setState('error', 'cannot start');
    say('sign-in-message', 'The console\'s libraries (Socket.IO client, Leaflet) did not load from the server.');
    return;
  }
  const stored = JSON.parse(sessionStorage.getItem(STORED) || 'null');
  if (fragmentToken) signIn('manager', fragmentToken);
  else if (stored) {
    $('remember').checked = true;
    signIn(stored.kind, stored.credential);
  }
}

main();
