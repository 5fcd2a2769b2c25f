// The manager's live view: online salesmen, their positions on a map, a selected salesman's trail, the event feed,
// and the notification and alert forms. Socket.IO for what happens, the REST API (the manager's JWT) for the rest.
import { $, el, say, time, restClient } from './dom.js';

const FEED_LIMIT = 200;
const SERVER_CLOSE_RETRY_MS = 1000;
/** How long presence events gather before the online list is read again. */
const RELOAD_PAUSE_MS = 250;
const TRAIL_STYLE = { color: '#c2410c', weight: 3 };
const SITE_STYLE = { color: '#15803d', weight: 2, fillOpacity: 0.08 };
const VISIT_STYLE = { color: '#15803d', weight: 3, fillOpacity: 0.3 };
/** Sites drawn on the map: the first page of the tenant's (the API's default page is 1,000). */
const SITES_PAGE = 1000;

function tileHost(template) {
  try {
    return new URL(template.replace(/\{[a-z]\}/g, '0')).host;
  } catch (e) {
    return template;
  }
}

/** Starts the live view; returns { stop }. */
export function startLive({ config, token, claims, setState, signOut }) {
  const tenantId = claims.tenantId;
  const api = restClient(token);
  const salesmen = new Map(); // salesmanId -> { online, connections, onlineSince, lastSeen, position, marker, row }
  let selected = null;
  let trail = null;
  let stopped = false;
  let reconnectTimer = null;

  // ---- map: tiles are optional (offline, or CONSOLE_TILE_URL=none); positions are drawn without them
  $('map').replaceChildren();
  const map = L.map('map', { zoomControl: true, keyboard: true }).setView([20, 0], 2);
  say('map-note', config.tileUrl ? '' : 'No map tiles configured: positions and trails are drawn on a blank map.');
  if (config.tileUrl) {
    const tiles = L.tileLayer(config.tileUrl, { maxZoom: 19, attribution: config.tileAttribution || '' }).addTo(map);
    tiles.on('tileerror', () => say('map-note', 'Map tiles could not be loaded from ' + tileHost(config.tileUrl)
      + ': positions and trails are drawn without them.'));
    tiles.on('tileload', () => say('map-note', ''));
  }
  let centred = false;

  // ---- table of salesmen
  const tbody = $('salesmen').querySelector('tbody');
  tbody.replaceChildren();
  $('salesman-ids').replaceChildren();
  $('salesmen-empty').hidden = false;
  $('online-count').textContent = '';
  $('feed').replaceChildren();
  say('live-error', '');
  say('trail-info', '');
  say('sites-info', '');
  say('notify-result', '');
  say('alert-result', '');

  function entry(salesmanId) {
    let s = salesmen.get(salesmanId);
    if (!s) {
      s = { salesmanId, online: false, connections: 0, onlineSince: null, lastSeen: null, position: null };
      salesmen.set(salesmanId, s);
      $('salesman-ids').replaceChildren(...[...salesmen.keys()].sort().map((id) => el('option', { value: id })));
      $('salesmen-empty').hidden = true;
    }
    return s;
  }

  function render(s) {
    const button = el('button', {
      type: 'button', 'aria-pressed': String(selected === s.salesmanId), onclick: () => showTrail(s.salesmanId),
      'aria-label': 'Show the trail of ' + s.salesmanId,
    }, 'Trail');
    const position = s.position ? `${s.position.latitude.toFixed(5)}, ${s.position.longitude.toFixed(5)}` : '—';
    const row = el('tr', { 'data-salesman': s.salesmanId, class: s.online ? 'online' : 'offline' },
      el('th', { scope: 'row', text: s.salesmanId }),
      el('td', { class: 'status', text: s.online ? 'online' : 'offline' }),
      el('td', { class: 'connections', text: s.online ? s.connections : 0 }),
      el('td', { class: 'since', text: s.online ? time(s.onlineSince) : '—' }),
      el('td', { class: 'seen', text: time(s.lastSeen) }),
      el('td', { class: 'position', text: position }),
      el('td', {}, button));
    if (s.row) s.row.replaceWith(row);
    else tbody.append(row);
    s.row = row;
    const online = [...salesmen.values()].filter((x) => x.online).length;
    $('online-count').textContent = `${online} online`;
  }

  function place(s) {
    if (!s.position) return;
    const at = [s.position.latitude, s.position.longitude];
    if (!s.marker) {
      // the label is text, never HTML: Leaflet takes a tooltip string as markup
      const label = document.createElement('span');
      label.textContent = s.salesmanId;
      s.marker = L.circleMarker(at, { radius: 8, weight: 2, color: '#1d4ed8', fillOpacity: 0.8 })
        .bindTooltip(label, { permanent: true, direction: 'right', className: 'marker-label' })
        .addTo(map);
      s.marker.getElement().setAttribute('data-salesman', s.salesmanId);
    } else {
      s.marker.setLatLng(at);
    }
    s.marker.setStyle({ color: s.online ? '#1d4ed8' : '#6b7280' });
    if (!centred) { // the first position sets the view; later moves do not pan, so that the marker is seen moving
      map.setView(at, 14);
      centred = true;
    }
  }

  function update(salesmanId, change) {
    if (stopped) return null; // an answer that arrives after sign-out changes nothing
    const s = entry(salesmanId);
    Object.assign(s, change);
    render(s);
    place(s);
    return s;
  }

  async function loadOnline() {
    try {
      const answer = await api('GET', `/tenants/${encodeURIComponent(tenantId)}/online-salesmen`);
      const online = new Set();
      for (const o of answer.salesmen) {
        online.add(o.salesmanId);
        const previous = salesmen.get(o.salesmanId);
        update(o.salesmanId, {
          online: true, connections: o.connections, onlineSince: o.onlineSince,
          lastSeen: Math.max(previous?.lastSeen || 0, o.lastLocation?.receivedAt || 0) || null,
          position: o.lastLocation || previous?.position || null,
        });
      }
      for (const s of salesmen.values()) {
        if (s.online && !online.has(s.salesmanId)) update(s.salesmanId, { online: false, connections: 0 });
      }
    } catch (e) {
      failed('Could not load the online salesmen', e);
    }
  }

  // A wave of presence events (2,000 phones reconnecting) must not become 2,000 reloads: at most one request in flight
  // and one queued behind it, each after a short pause that gathers the events of a burst.
  let loading = null;
  let loadAgain = false;
  let loadTimer = null;
  function reloadOnline() {
    if (stopped) return;
    if (loading) {
      loadAgain = true;
      return;
    }
    if (loadTimer) return;
    loadTimer = setTimeout(() => {
      loadTimer = null;
      loading = loadOnline().finally(() => {
        loading = null;
        if (loadAgain) {
          loadAgain = false;
          reloadOnline();
        }
      });
    }, RELOAD_PAUSE_MS);
  }

  async function showTrail(salesmanId) {
    selected = salesmanId;
    for (const s of salesmen.values()) render(s);
    try {
      const answer = await api('GET', `/salesmen/${encodeURIComponent(salesmanId)}/locations?limit=10000`);
      if (stopped || selected !== salesmanId) return;
      if (trail) trail.remove();
      const points = answer.locations.map((l) => [l.latitude, l.longitude]);
      trail = L.polyline(points, TRAIL_STYLE).addTo(map);
      trail.getElement()?.setAttribute('data-trail', salesmanId);
      if (points.length > 1) map.fitBounds(trail.getBounds(), { padding: [24, 24], maxZoom: 16 });
      say('trail-info', `Trail of ${salesmanId}: ${points.length} stored points in the last 24 hours.`);
    } catch (e) {
      failed(`Could not load the trail of ${salesmanId}`, e);
    }
  }

  // ---- sites: each a circle of its radius; a site with a salesman checked in (or arrived) is drawn filled
  const sites = new Map(); // siteId -> { circle, name, present: Set of salesmanIds }
  async function loadSites() {
    try {
      const answer = await api('GET', `/sites?limit=${SITES_PAGE}`);
      if (stopped) return;
      for (const site of answer.sites) {
        if (sites.has(site.siteId)) continue;
        const label = document.createElement('span'); // text, never HTML
        label.textContent = site.name;
        const circle = L.circle([site.latitude, site.longitude], { radius: site.radius, ...SITE_STYLE })
          .bindTooltip(label, { direction: 'top', className: 'site-label' }).addTo(map);
        circle.getElement().setAttribute('data-site', site.siteId);
        sites.set(site.siteId, { circle, name: site.name, present: new Set() });
      }
      say('sites-info', answer.count ? `${answer.count} site(s) of the tenant on the map.` : '');
      if (!centred && sites.size) { // no position yet: show where the sites are
        map.fitBounds(L.featureGroup([...sites.values()].map((x) => x.circle)).getBounds(),
          { padding: [24, 24], maxZoom: 14 });
        centred = true;
      }
    } catch (e) {
      failed('Could not load the sites', e);
    }
  }
  function visit(event, p) {
    const site = sites.get(p.siteId);
    if (!site) return;
    if (event === 'visit:checked_out') site.present.delete(p.salesmanId);
    else site.present.add(p.salesmanId);
    site.circle.setStyle(site.present.size ? VISIT_STYLE : SITE_STYLE);
    site.circle.getElement().setAttribute('data-present', String(site.present.size));
  }
  function siteName(siteId) {
    return sites.get(siteId)?.name || siteId;
  }

  // ---- feed
  function feed(event, summary, at) {
    const item = el('li', { 'data-event': event },
      el('time', { datetime: new Date(at).toISOString(), text: time(at) }), ' ',
      el('strong', { text: event }), ' ', summary);
    $('feed').prepend(item);
    while ($('feed').children.length > FEED_LIMIT) $('feed').lastElementChild.remove();
  }

  function describe(event, p) {
    if (!p || typeof p !== 'object') return '';
    switch (event) {
      case 'alert': return `[${p.severity}] ${p.message}`;
      case 'dashboard:refresh': return p.scope ? `scope ${p.scope}` : 'everything';
      case 'salesman:online': return `${p.salesmanId} came online`;
      case 'salesman:offline': return `${p.salesmanId} went offline`;
      case 'typing': case 'stop-typing':
        return `${p.from?.salesmanId || p.from?.userId || '?'} to ${p.to}` + (p.conversationId ? ` (${p.conversationId})` : '');
      case 'notification': return `${p.title ? p.title + ': ' : ''}${p.message}`;
      case 'error': return `${p.event}: ${p.code} ${p.message}`;
      case 'visit:arrived': return `${p.salesmanId} arrived at ${siteName(p.siteId)}`;
      case 'visit:checked_in': return `${p.salesmanId} checked in at ${siteName(p.siteId)}`;
      case 'visit:checked_out': return `${p.salesmanId} left ${siteName(p.siteId)} after `
        + `${Math.round((p.duration || 0) / 60000)} min` + (p.checkedIn ? '' : ' (never checked in)');
      default: return JSON.stringify(p.data !== undefined ? p.data : p);
    }
  }

  function failed(what, e) {
    if (stopped) return;
    if (e.status === 401) {
      signOut(e.code === 'unauthorized' ? 'the server no longer accepts this token (expired or revoked)' : e.message,
        'expired');
      return;
    }
    say('live-error', `${what}: ${e.message}`);
  }

  // ---- forms
  const notifyForm = $('notify-form');
  const alertForm = $('alert-form');
  async function sendNotification(e) {
    e.preventDefault();
    const body = { salesmanId: $('notify-salesman').value.trim(), message: $('notify-message').value };
    if ($('notify-title').value) body.title = $('notify-title').value;
    say('notify-result', 'sending…');
    try {
      const answer = await api('POST', '/emit/notification', body);
      say('notify-result', `Notification ${answer.notificationId} stored; delivered to ${answer.delivered} socket(s) now.`);
    } catch (err) {
      say('notify-result', '');
      failed('The notification was not sent', err);
    }
  }
  async function sendAlert(e) {
    e.preventDefault();
    say('alert-result', 'sending…');
    try {
      const answer = await api('POST', '/emit/alert',
        { message: $('alert-message').value, severity: $('alert-severity').value });
      say('alert-result', `Alert delivered to ${answer.delivered} socket(s).`);
    } catch (err) {
      say('alert-result', '');
      failed('The alert was not sent', err);
    }
  }
  notifyForm.addEventListener('submit', sendNotification);
  alertForm.addEventListener('submit', sendAlert);

  // ---- the socket
  const socketUrl = config.socketUrl || `${location.protocol}//${location.hostname}:${config.socketPort}`;
  setState('connecting', 'connecting…');
  const socket = io(socketUrl, { auth: { token }, reconnectionDelayMax: 5000 });

  socket.on('authenticated', () => {
    setState('live', 'live');
    say('live-error', '');
    loadOnline();
    loadSites();
  });
  // a refused token ends the view (signOut stops it: the socket is disconnected and never reconnects)
  function refused(code, message) {
    if (code === 'expired_token') signOut('token expired', 'expired');
    else signOut(`${message || 'token refused'} (${code})`);
  }
  socket.on('auth:error', (p) => refused(p?.error?.code, p?.error?.message));
  socket.on('connect_error', (err) => {
    if (!socket.active) { // refused by the server in the handshake: Socket.IO does not retry
      refused(err.data?.code || err.message, err.data?.message || err.message);
      return;
    }
    setState('reconnecting', 'reconnecting…');
    say('live-error', `Cannot reach Socket.IO at ${socketUrl} (${err.message}). If it keeps failing, check that `
      + `the server is up and that CORS_ORIGINS lists this page's origin, ${location.origin}. Retrying.`);
  });
  socket.on('disconnect', (reason) => {
    if (stopped) return;
    setState('reconnecting', 'reconnecting…');
    // the server closed the session (an operator's disconnect, a shutdown): Socket.IO leaves reconnecting to us
    if (reason === 'io server disconnect') reconnectTimer = setTimeout(() => socket.connect(), SERVER_CLOSE_RETRY_MS);
  });
  socket.on('salesman:online', (p) => {
    const s = entry(p.salesmanId);
    update(p.salesmanId, {
      online: true, connections: Math.max(1, s.connections), onlineSince: s.online ? s.onlineSince : p.at, lastSeen: p.at,
    });
    reloadOnline(); // the exact connection count and the last position come from the API
  });
  socket.on('salesman:offline', (p) => update(p.salesmanId, { online: false, connections: 0, lastSeen: p.at }));
  socket.on('location:updated', (p) => {
    const s = update(p.salesmanId, { position: p, lastSeen: p.receivedAt });
    if (selected === p.salesmanId && trail) trail.addLatLng([p.latitude, p.longitude]);
    if (s && !s.online) reloadOnline();
  });
  for (const event of ['visit:arrived', 'visit:checked_in', 'visit:checked_out']) {
    socket.on(event, (p) => visit(event, p));
  }
  socket.onAny((event, payload) => {
    if (event === 'location:updated' || event === 'authenticated' || event === 'auth:error') return;
    feed(event, describe(event, payload), payload?.emittedAt || payload?.at || payload?.createdAt || Date.now());
  });

  return {
    stop() {
      stopped = true;
      clearTimeout(reconnectTimer);
      clearTimeout(loadTimer);
      socket.disconnect();
      notifyForm.removeEventListener('submit', sendNotification);
      alertForm.removeEventListener('submit', sendAlert);
      map.remove();
    },
  };
}
