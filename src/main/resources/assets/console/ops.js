// The operations view: /stats every few seconds with a chart of messages per second, live connections per tenant,
// the health checks (admin key) and, in cluster mode, what the redis check says about the nodes.
import { $, el, say, time, restClient } from './dom.js';
import { RateChart } from './chart.js';

const REFRESH_MS = 3000;
const STAT_LABELS = {
  activeConnections: 'Active connections',
  totalConnections: 'Connections since start',
  messagesSent: 'Messages sent',
  messagesReceived: 'Messages received',
  tenants: 'Tenants online',
  salesmen: 'Salesmen online',
  rooms: 'Rooms',
};

/** Starts the operations view; returns { stop }. */
export function startOps({ key, setState, signOut }) {
  const api = restClient(key);
  const chart = new RateChart($('rate-chart'), $('rate-now'));
  let previous = null; // { at, messagesSent, messagesReceived }
  let timer = null;
  let stopped = false;
  for (const id of ['stats', 'tenants', 'health']) {
    const node = $(id);
    (node.querySelector('tbody') || node).replaceChildren();
  }
  say('ops-error', '');
  setState('connecting', 'connecting…');

  function showStats(stats, at) {
    $('stats').replaceChildren(...Object.entries(STAT_LABELS).map(([name, label]) =>
      el('div', {}, el('dt', { text: label }), el('dd', { 'data-stat': name, text: stats[name] }))));
    if (previous) {
      const seconds = (at - previous.at) / 1000;
      chart.add(at, (stats.messagesSent - previous.messagesSent) / seconds,
        (stats.messagesReceived - previous.messagesReceived) / seconds);
    }
    previous = { at, messagesSent: stats.messagesSent, messagesReceived: stats.messagesReceived };
    say('stats-updated', 'Updated ' + time(at) + `; refreshed every ${REFRESH_MS / 1000} s.`);
  }

  function showTenants(tenants) {
    $('tenants').querySelector('tbody').replaceChildren(...(tenants.length ? tenants.map((t) =>
      el('tr', { 'data-tenant': t.tenantId },
        el('th', { scope: 'row', text: t.tenantId }),
        el('td', { class: 'connections', text: t.activeConnections }),
        el('td', { text: t.salesmen })))
      : [el('tr', {}, el('td', { colspan: 3, text: 'No live connection.' }))]));
  }

  function showHealth(health) {
    $('health-overall').textContent = health.healthy ? 'all healthy' : 'UNHEALTHY';
    $('health-overall').dataset.healthy = String(health.healthy);
    say('health-note', '');
    $('health').querySelector('tbody').replaceChildren(...health.checks.map((c) =>
      el('tr', { 'data-check': c.name, class: c.healthy ? 'healthy' : 'unhealthy' },
        el('th', { scope: 'row', text: c.name }),
        el('td', { text: c.healthy ? 'healthy' : 'unhealthy' }),
        el('td', { text: c.message || '' }))));
    const redis = health.checks.find((c) => c.name === 'redis');
    say('cluster', redis ? redis.message || (redis.healthy ? 'Redis reachable' : 'Redis unreachable')
      : 'Single node (no REDIS_URL).');
  }

  function healthRefused(e) {
    $('health').querySelector('tbody').replaceChildren();
    $('health-overall').textContent = '';
    say('health-note', e.status === 403 ? 'Health checks are shown to the admin key only (' + e.message + ').'
      : 'Health could not be read: ' + e.message);
    say('cluster', e.status === 403 ? 'Shown to the admin key only.' : '');
  }

  async function refresh() {
    const at = Date.now();
    const [stats, tenants, health] = await Promise.allSettled([
      api('GET', '/stats'), api('GET', '/stats/tenants'), api('GET', '/health')]);
    if (stopped) return;
    if ([stats, tenants, health].some((r) => r.status === 'rejected' && r.reason.status === 401)) {
      signOut('the server does not accept this key');
      return;
    }
    const problems = [];
    if (stats.status === 'fulfilled') showStats(stats.value.stats, at);
    else problems.push('Could not read /stats: ' + stats.reason.message);
    if (tenants.status === 'fulfilled') showTenants(tenants.value.tenants);
    else problems.push('Could not read /stats/tenants: ' + tenants.reason.message);
    if (health.status === 'fulfilled') showHealth(health.value);
    else healthRefused(health.reason);
    say('ops-error', problems.join(' '));
    const ownTenant = tenants.status === 'fulfilled' ? tenants.value.tenants[0]?.tenantId : null;
    $('stats-scope').textContent = health.status === 'fulfilled' ? 'whole service'
      : (ownTenant ? 'tenant ' + ownTenant : '');
    setState(problems.length ? 'reconnecting' : 'live', problems.length ? 'retrying…' : 'live');
    timer = setTimeout(refresh, REFRESH_MS);
  }

  refresh();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
