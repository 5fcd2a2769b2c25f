#!/usr/bin/env node
// Helper of bench/visits-figures.sh (copied next to the shared bench's node_modules, for socket.io-client 4.8).
//
//   node visits-figures.mjs sites      PUT SITES sites (radius 100 m, dwell 120 s) of TENANT, spread uniformly (seeded)
//                                      over the load tool's box, CONCURRENCY at a time; one JSON line
//   node visits-figures.mjs ingest     one ingest run: a manager and SALESMEN salesmen of TENANT (fresh ids, RUN), RATE
//                                      location:update/s offered in all with acks for SECONDS s, path PATH_KIND (walk |
//                                      uniform); one JSON line
//   node visits-figures.mjs webhooks   a receiver on 127.0.0.1, an endpoint of TENANT for alert.created and visit.*,
//                                      ALERTS POST /emit/alert SPACING_MS apart, then a walk ingest run (RATE, SECONDS)
//                                      whose visit webhooks are matched to the manager's socket events; one JSON line
//   node visits-figures.mjs verdict F PATH RATE with|without   "stop" when a run of F at PATH/RATE on the tenant
//                                      with (without) sites failed an ack or had an ack p99 above 50 ms, else "go"
//   node visits-figures.mjs report D   Markdown tables of the results in folder D (needs no package)
//
// Env: SIO_URL, API_URL, METRICS_URL (admin port /metrics), SERVER_PID, JWT_SECRET, ADMIN_API_KEY, ACK_TIMEOUT_MS
// (10000). The box is the shared load tool's: latitude 12.9..13.0, longitude 77.5..77.6. Device timestamps advance
// 5 s per point (so dwell and check-out happen within a run) and end before the server's clock (it refuses points
// more than 5 minutes ahead of it).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((r) => { setTimeout(r, ms); });
const r2 = (v) => Math.round(v * 100) / 100;
const env = (k, d) => (process.env[k] === undefined || process.env[k] === '' ? d : process.env[k]);
const LAT0 = 12.9; const LON0 = 77.5; const SPAN = 0.1;
const M_PER_DEG_LAT = 111320; const M_PER_DEG_LON = 111320 * Math.cos((12.95 * Math.PI) / 180);
const STEP_MS = 5000; // device time per point

function ticksOf(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch { return null; }
}
function threadTicks(pid, name) { // CPU ticks of the server's threads called NAME (e.g. location-writer)
  let sum = 0; let found = false;
  try {
    for (const t of fs.readdirSync(`/proc/${pid}/task`)) {
      try {
        if (fs.readFileSync(`/proc/${pid}/task/${t}/comm`, 'utf8').trim() !== name) continue;
        const stat = fs.readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        sum += Number(f[11]) + Number(f[12]); found = true;
      } catch { /* thread gone */ }
    }
  } catch { return null; }
  return found ? sum : null;
}
const b64url = (x) => Buffer.from(x).toString('base64url');
function mint(claims) { // HS256, the claims of the shared load tool
  const h = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const p = b64url(JSON.stringify({ ...claims, exp: Math.floor(Date.now() / 1000) + 7200 }));
  const s = crypto.createHmac('sha256', process.env.JWT_SECRET).update(`${h}.${p}`).digest('base64url');
  return `${h}.${p}.${s}`;
}
async function api(method, p, body) {
  const t0 = now();
  try {
    const res = await fetch(env('API_URL') + p, {
      method, headers: { authorization: `Bearer ${process.env.ADMIN_API_KEY}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(15000),
    });
    const text = await res.text();
    let json = null; try { json = JSON.parse(text); } catch { /* not json */ }
    return { status: res.status, json, ms: now() - t0 };
  } catch (e) { return { status: `error:${e && e.name}`, json: null, ms: now() - t0 }; }
}
function pct(values) {
  if (!values.length) return null;
  const a = Float64Array.from(values).sort();
  const at = (q) => a[Math.min(a.length - 1, Math.max(0, Math.ceil(q * a.length) - 1))];
  return { n: a.length, p50: r2(at(0.5)), p90: r2(at(0.9)), p99: r2(at(0.99)), max: r2(a[a.length - 1]) };
}
async function metrics() { // the counts of the meters and counters this bench reads
  try {
    const m = await (await fetch(process.env.METRICS_URL, { signal: AbortSignal.timeout(5000) })).json();
    const pick = (k) => (m.meters[k] || m.counters[k] || m.gauges[k] || {});
    const c = (k) => { const v = pick(k); return v.count !== undefined ? v.count : (v.value !== undefined ? v.value : null); };
    return {
      arrived: c('visits.events.arrived'), checked_in: c('visits.events.checked_in'), checked_out: c('visits.events.checked_out'),
      extensionFailures: c('locations.writer.extension-failures'), sites: c('visits.sites'),
      delivered: c('webhooks.deliveries.delivered'), retry: c('webhooks.deliveries.retry'), pending: c('webhooks.pending'),
    };
  } catch (e) { return { error: String(e) }; }
}
function rng(seed) { // mulberry32
  let a = seed >>> 0;
  return () => { a = (a + 0x6D2B79F5) >>> 0; let t = a; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}

// ================================================================ sites
async function sites() {
  const tenant = env('TENANT'); const n = Number(env('SITES', 10000)); const conc = Number(env('CONCURRENCY', 16));
  const rand = rng(Number(env('SEED', 19)));
  const bodies = Array.from({ length: n }, (_, i) => ({
    id: `site-${String(i).padStart(5, '0')}`,
    body: { tenantId: tenant, name: `Customer ${i}`, latitude: LAT0 + rand() * SPAN, longitude: LON0 + rand() * SPAN, radius: 100, dwell: 120 },
  }));
  const statuses = {}; const lat = []; let next = 0;
  const cpu0 = ticksOf(process.env.SERVER_PID); const t0 = now();
  await Promise.all(Array.from({ length: conc }, async () => {
    while (next < n) {
      const s = bodies[next++];
      const r = await api('PUT', `/sites/${s.id}`, s.body); // eslint-disable-line no-await-in-loop
      statuses[r.status] = (statuses[r.status] || 0) + 1; lat.push(r.ms);
    }
  }));
  const sec = (now() - t0) / 1000; const cpu1 = ticksOf(process.env.SERVER_PID);
  await sleep(500);
  const m = await metrics();
  console.log(JSON.stringify({
    kind: 'sites', tenant, sites: n, concurrency: conc, seconds: r2(sec), perSec: r2(n / sec), statuses, putMs: pct(lat),
    serverCpuSec: cpu0 === null ? null : r2((cpu1 - cpu0) / 100), sitesGauge: m.sites, loadavg: fs.readFileSync('/proc/loadavg', 'utf8').trim(),
  }));
}

// ================================================================ ingest
function connect(token, onEvents) {
  const { io } = require('socket.io-client');
  return new Promise((resolve, reject) => {
    const socket = io(env('SIO_URL'), { transports: ['websocket'], forceNew: true, reconnection: false, timeout: 30000, auth: { token } });
    if (onEvents) onEvents(socket);
    socket.once('authenticated', () => resolve(socket));
    socket.once('connect_error', (e) => reject(new Error(`connect_error ${e && e.message}`)));
    socket.once('auth:error', (e) => reject(new Error(`auth:error ${JSON.stringify(e)}`)));
    setTimeout(() => reject(new Error('connect timeout')), 30000);
  });
}
// A path generator per salesman: walk = ~30 m steps on a heading that turns a little, stopping now and then for
// 20..40 points (100..200 s, +-5 m of GPS jitter) as at a customer, reflecting at the box's edges; uniform = each point
// anywhere in the box (the shared load tool's points).
function pathOf(kind, rand) {
  if (kind === 'uniform') return () => [LAT0 + rand() * SPAN, LON0 + rand() * SPAN];
  let lat = LAT0 + rand() * SPAN; let lon = LON0 + rand() * SPAN; let heading = rand() * 2 * Math.PI; let stop = 0;
  return () => {
    if (stop > 0) {
      stop--;
      return [lat + ((rand() - 0.5) * 10) / M_PER_DEG_LAT, lon + ((rand() - 0.5) * 10) / M_PER_DEG_LON];
    }
    if (rand() < 0.04) stop = 20 + Math.floor(rand() * 21);
    heading += (rand() - 0.5) * 0.8;
    const step = 20 + rand() * 20;
    lat += (step * Math.cos(heading)) / M_PER_DEG_LAT; lon += (step * Math.sin(heading)) / M_PER_DEG_LON;
    if (lat < LAT0 || lat > LAT0 + SPAN) { heading = Math.PI - heading; lat = Math.min(Math.max(lat, LAT0), LAT0 + SPAN); }
    if (lon < LON0 || lon > LON0 + SPAN) { heading = -heading; lon = Math.min(Math.max(lon, LON0), LON0 + SPAN); }
    return [lat, lon];
  };
}
const VISIT_EVENTS = ['visit:arrived', 'visit:checked_in', 'visit:checked_out'];
async function ingest(opts = {}) {
  const tenant = env('TENANT'); const run = env('RUN', `r${Date.now()}`);
  const salesmen = Number(env('SALESMEN', 200)); const rate = Number(opts.rate || env('RATE', 500));
  const seconds = Number(opts.seconds || env('SECONDS', 10)); const kind = opts.kind || env('PATH_KIND', 'walk');
  const ackTimeout = Number(env('ACK_TIMEOUT_MS', 10000));
  const rand = rng(Number(env('SEED', 7)));
  const visitSeen = { 'visit:arrived': 0, 'visit:checked_in': 0, 'visit:checked_out': 0 };
  const onVisit = opts.onVisit || (() => {});
  const manager = await connect(mint({ sub: `m-${tenant}-${run}`, tenantId: tenant, role: 'manager' }), (s) => {
    for (const ev of VISIT_EVENTS) s.on(ev, (p) => { visitSeen[ev]++; onVisit(ev, p, now()); });
  });
  const socks = [];
  const tc0 = now();
  for (let i = 0; i < salesmen; i += 50) { // 50 connects in flight
    const batch = [];
    for (let j = i; j < Math.min(salesmen, i + 50); j++) {
      const sm = `s-${run}-${j}`;
      batch.push(connect(mint({ sub: `u-${sm}`, tenantId: tenant, role: 'salesman', salesmanId: sm })));
    }
    socks.push(...await Promise.all(batch)); // eslint-disable-line no-await-in-loop
  }
  const connectSec = (now() - tc0) / 1000;
  const perSocket = Math.max(1, Math.round((rate * seconds) / salesmen));
  const period = (1000 * salesmen) / rate;
  // device time: 5 s per point, the last point a minute before now
  const base = Date.now() - (perSocket + 12) * STEP_MS;
  const paths = socks.map(() => pathOf(kind, rng(Math.floor(rand() * 2 ** 31))));
  const lat = []; const errors = {}; let sent = 0; let ok = 0; let pending = 0; let lastAck = 0;
  await sleep(500);
  const m0 = await metrics(); const cpu0 = ticksOf(process.env.SERVER_PID); const cc0 = process.cpuUsage();
  const w0 = threadTicks(process.env.SERVER_PID, 'location-writer');
  const t0 = now() + 20; const phase = socks.map(() => Math.random() * period); const idx = socks.map(() => 0);
  await new Promise((resolve) => {
    const tick = () => {
      const t = now(); let left = 0;
      for (let k = 0; k < socks.length; k++) {
        while (idx[k] < perSocket && t0 + phase[k] + idx[k] * period <= t) {
          const i = idx[k]++; const [la, lo] = paths[k](); const ts = now();
          sent++; pending++;
          socks[k].timeout(ackTimeout).emit('location:update', {
            latitude: la, longitude: lo, accuracy: 8, speed: 6, heading: 90, battery: 70, timestamp: base + i * STEP_MS + k,
          }, (err, res) => {
            const ta = now(); pending--; if (ta > lastAck) lastAck = ta;
            if (err) errors.ack_timeout = (errors.ack_timeout || 0) + 1;
            else if (res && res.success === true) { ok++; lat.push(ta - ts); } else {
              const code = (res && res.error && res.error.code) || 'malformed_ack'; errors[code] = (errors[code] || 0) + 1;
            }
          });
        }
        if (idx[k] < perSocket) left++;
      }
      if (left === 0) { resolve(); return; }
      setTimeout(tick, 2);
    };
    setTimeout(tick, 20);
  });
  const lastSend = now();
  while (pending > 0 && now() - lastSend < ackTimeout + 2000) await sleep(20); // eslint-disable-line no-await-in-loop
  const cpu1 = ticksOf(process.env.SERVER_PID); const cc = process.cpuUsage(cc0);
  const w1 = threadTicks(process.env.SERVER_PID, 'location-writer');
  const wall = (lastAck > 0 ? lastAck : now()) - t0;
  await sleep(1500); // the last visit events reach the manager
  const m1 = await metrics();
  for (const s of socks) s.disconnect();
  manager.disconnect();
  const d = (k) => (m0[k] === null || m1[k] === null || m0[k] === undefined ? null : m1[k] - m0[k]);
  return {
    kind: 'ingest', tenant, sitesInTenant: Number(env('SITES_IN_TENANT', 0)), path: kind, salesmen, rateOffered: rate, seconds,
    perSocket, sent, acked: ok, errors, ackedPerSec: r2(ok / (wall / 1000)), offeredPerSecActual: r2(sent / ((lastSend - t0) / 1000)),
    ackMs: pct(lat), serverCpuSec: r2((cpu1 - cpu0) / 100), serverCpuMsPer1000: ok ? r2(((cpu1 - cpu0) * 10 * 1000) / ok) : null,
    serverCpuPct: r2(((cpu1 - cpu0) * 10 * 100) / wall),
    writerThreadCpuPct: w0 === null || w1 === null ? null : r2(((w1 - w0) * 10 * 100) / wall),
    writerThreadCpuMsPer1000: w0 === null || w1 === null || !ok ? null : r2(((w1 - w0) * 10 * 1000) / ok), clientCpuPct: r2(((cc.user + cc.system) / 1000 / wall) * 100),
    visitEventsSocket: visitSeen,
    visitEventsMetrics: { arrived: d('arrived'), checked_in: d('checked_in'), checked_out: d('checked_out') },
    extensionFailures: d('extensionFailures'), connectSec: r2(connectSec),
    loadavg: fs.readFileSync('/proc/loadavg', 'utf8').trim(), round: Number(env('ROUND', 0)), run,
  };
}

// ================================================================ webhooks
async function webhooks() {
  const tenant = env('TENANT'); const alerts = Number(env('ALERTS', 200)); const spacing = Number(env('SPACING_MS', 50));
  const seen = new Map(); let dups = 0; let bad = 0; const byType = {};
  const server = http.createServer((req, res) => {
    const t = now(); let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      res.writeHead(204); res.end();
      const id = req.headers['webhook-id'];
      if (!id || !req.headers['webhook-signature']) { bad++; return; }
      if (seen.has(id)) { dups++; return; }
      let j = null; try { j = JSON.parse(body); } catch { bad++; return; }
      seen.set(id, { t, type: j.type, data: j.data });
      byType[j.type] = (byType[j.type] || 0) + 1;
    });
  });
  await new Promise((r) => { server.listen(0, '127.0.0.1', r); });
  const url = `http://127.0.0.1:${server.address().port}/hook`;
  const put = await api('PUT', '/webhooks/bench', {
    tenantId: tenant, url, events: ['alert.created', 'visit.arrived', 'visit.checked_in', 'visit.checked_out'],
  });
  if (put.status !== 200 && put.status !== 201) throw new Error(`PUT /webhooks/bench: ${put.status} ${JSON.stringify(put.json)}`);
  // 1. alerts
  const sentAt = new Map(); const postStatus = {}; const posts = [];
  const t0 = now();
  for (let i = 0; i < alerts; i++) {
    const due = t0 + i * spacing; const w = due - now(); if (w > 0) await sleep(w); // eslint-disable-line no-await-in-loop
    const seq = i; const ts = now(); sentAt.set(seq, ts);
    posts.push(api('POST', '/emit/alert', { tenantId: tenant, message: `bench alert ${seq}`, severity: 'info', data: { seq, sentAt: ts } })
      .then((r) => { postStatus[r.status] = (postStatus[r.status] || 0) + 1; }));
  }
  await Promise.all(posts);
  const alertsOf = () => [...seen.values()].filter((v) => v.type === 'alert.created');
  for (let i = 0; i < 300 && alertsOf().length < alerts; i++) await sleep(100); // eslint-disable-line no-await-in-loop
  const alertLat = []; const seqSeen = new Map();
  for (const v of alertsOf()) {
    const d = v.data && (v.data.data || v.data); const seq = d && d.seq;
    if (typeof seq !== 'number' || !sentAt.has(seq)) { bad++; continue; }
    seqSeen.set(seq, (seqSeen.get(seq) || 0) + 1); alertLat.push(v.t - sentAt.get(seq));
  }
  const alertDupBySeq = [...seqSeen.values()].filter((c) => c > 1).length;
  // 2. visits: a walk run on the tenant; each webhook matched to the manager's socket event (visitId, type)
  const sockAt = new Map();
  const run = await ingest({
    kind: 'walk', rate: Number(env('RATE', 500)), seconds: Number(env('SECONDS', 10)),
    onVisit: (ev, p, t) => { sockAt.set(`${ev.replace(':', '.')}/${p.visitId}`, t); },
  });
  const visitsOf = () => [...seen.values()].filter((v) => v.type && v.type.startsWith('visit.'));
  const want = () => run.visitEventsSocket['visit:arrived'] + run.visitEventsSocket['visit:checked_in'] + run.visitEventsSocket['visit:checked_out'];
  for (let i = 0; i < 300 && visitsOf().length < want(); i++) await sleep(100); // eslint-disable-line no-await-in-loop
  const visitLat = []; let unmatched = 0;
  for (const v of visitsOf()) {
    const k = `${v.type}/${v.data && v.data.visitId}`;
    if (sockAt.has(k)) visitLat.push(v.t - sockAt.get(k)); else unmatched++;
  }
  const vt = visitsOf().map((x) => x.t); // the receiver's pace while the outbox had a backlog
  const visitWebhooksPerSec = vt.length > 1 ? r2((vt.length - 1) / ((Math.max(...vt) - Math.min(...vt)) / 1000)) : null;
  const m = await metrics();
  server.close();
  console.log(JSON.stringify({
    kind: 'webhooks', tenant, alerts, spacingMs: spacing, postStatus, alertWebhooks: alertsOf().length, alertSeqsReceived: seqSeen.size,
    alertSeqsMoreThanOnce: alertDupBySeq, duplicateWebhookIds: dups, badRequests: bad, alertLatencyMs: pct(alertLat),
    visitRun: run, visitWebhooks: visitsOf().length, visitSocketEvents: want(), visitWebhooksUnmatched: unmatched,
    visitLatencyAfterSocketMs: pct(visitLat), visitWebhooksPerSec, byType, metrics: m, loadavg: fs.readFileSync('/proc/loadavg', 'utf8').trim(),
  }));
}

// ================================================================ verdict and report
function lines(f) {
  if (!fs.existsSync(f)) return [];
  return fs.readFileSync(f, 'utf8').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
}
const failedRun = (r) => r.acked < r.sent || !r.ackMs || r.ackMs.p99 > 50;
function verdict(f, kind, rate, which) {
  const rs = lines(f).filter((r) => r.kind === 'ingest' && (r.sitesInTenant > 0) === (which === 'with') && r.path === kind && r.rateOffered === Number(rate));
  console.log(rs.some(failedRun) ? 'stop' : 'go');
}
const med = (xs) => { const a = xs.filter((x) => x !== null && x !== undefined && !Number.isNaN(x)).sort((x, y) => x - y); return a.length ? a[Math.floor((a.length - 1) / 2)] : null; };
const fmt = (v) => (v === null || v === undefined ? '-' : String(v));
const ratio = (a, b) => (a === null || b === null || !b ? '-' : (a / b).toFixed(2));
function report(dir) {
  const out = [];
  const all = lines(path.join(dir, 'results.jsonl'));
  const site = all.find((r) => r.kind === 'sites');
  if (site) {
    out.push('### Site import', '', '| sites | concurrency | seconds | sites/s | statuses | PUT p50 / p99 ms | server CPU s | sites gauge |', '|---|---|---|---|---|---|---|---|');
    out.push(`| ${site.sites} | ${site.concurrency} | ${site.seconds} | ${site.perSec} | ${JSON.stringify(site.statuses)} | ${site.putMs.p50} / ${site.putMs.p99} | ${site.serverCpuSec} | ${site.sitesGauge} |`, '');
  }
  const ing = all.filter((r) => r.kind === 'ingest');
  for (const kind of ['walk', 'uniform']) {
    const rs = ing.filter((r) => r.path === kind);
    if (!rs.length) continue;
    out.push(`### Ingest, path ${kind}: every run`, '',
      '| round | sites | offered/s | acked/s | acked/sent | ack p50 / p99 ms | server CPU ms per 1,000 | server CPU % | writer thread CPU % | client CPU % | visit events socket (arr/in/out) | metrics (arr/in/out) | ext. failures | load avg |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const r of rs) {
      const vs = r.visitEventsSocket; const vm = r.visitEventsMetrics;
      out.push(`| ${r.round} | ${r.sitesInTenant} | ${r.rateOffered} (${r.offeredPerSecActual}) | ${r.ackedPerSec} | ${r.acked}/${r.sent}${Object.keys(r.errors).length ? ` ${JSON.stringify(r.errors)}` : ''} | ${r.ackMs ? `${r.ackMs.p50} / ${r.ackMs.p99}` : '-'} | ${fmt(r.serverCpuMsPer1000)} | ${r.serverCpuPct} | ${fmt(r.writerThreadCpuPct)} | ${r.clientCpuPct} | ${vs['visit:arrived']}/${vs['visit:checked_in']}/${vs['visit:checked_out']} | ${vm.arrived}/${vm.checked_in}/${vm.checked_out} | ${fmt(r.extensionFailures)} | ${r.loadavg.split(' ').slice(0, 3).join(' ')} |`);
    }
    out.push('', `### Ingest, path ${kind}: medians over the rounds, with sites / without`, '',
      '| offered/s | acked/s with / without | ratio | ack p99 ms with / without | ratio | CPU ms per 1,000 with / without | ratio | visit events per 1,000 points (with) | all acked, p99 <= 50 ms (with / without) |',
      '|---|---|---|---|---|---|---|---|---|');
    const rates = [...new Set(rs.map((r) => r.rateOffered))].sort((a, b) => a - b);
    for (const rate of rates) {
      const w = rs.filter((r) => r.rateOffered === rate && r.sitesInTenant > 0); const wo = rs.filter((r) => r.rateOffered === rate && r.sitesInTenant === 0);
      const m = (xs, f) => med(xs.map(f));
      const aw = m(w, (r) => r.ackedPerSec); const awo = m(wo, (r) => r.ackedPerSec);
      const pw = m(w, (r) => r.ackMs && r.ackMs.p99); const pwo = m(wo, (r) => r.ackMs && r.ackMs.p99);
      const cw = m(w, (r) => r.serverCpuMsPer1000); const cwo = m(wo, (r) => r.serverCpuMsPer1000);
      const ev = m(w, (r) => { const v = r.visitEventsSocket; return r2((1000 * (v['visit:arrived'] + v['visit:checked_in'] + v['visit:checked_out'])) / Math.max(1, r.acked)); });
      const okw = w.length ? (w.some(failedRun) ? 'no' : 'yes') : 'not run'; const okwo = wo.length ? (wo.some(failedRun) ? 'no' : 'yes') : 'not run';
      out.push(`| ${rate} | ${fmt(aw)} / ${fmt(awo)} | ${ratio(aw, awo)} | ${fmt(pw)} / ${fmt(pwo)} | ${ratio(pw, pwo)} | ${fmt(cw)} / ${fmt(cwo)} | ${ratio(cw, cwo)} | ${fmt(ev)} | ${okw} (${w.length} runs) / ${okwo} (${wo.length} runs) |`);
    }
    const held = (sel) => { const ok = rates.filter((rate) => { const x = rs.filter((r) => r.rateOffered === rate && sel(r)); return x.length && !x.some(failedRun); }); return ok.length ? med(rs.filter((r) => r.rateOffered === ok[ok.length - 1] && sel(r)).map((r) => r.ackedPerSec)) : null; };
    const hw = held((r) => r.sitesInTenant > 0); const hwo = held((r) => r.sitesInTenant === 0);
    out.push('', `**Headline (${kind})**: highest rate with every point acked and ack p99 <= 50 ms in every round: ${fmt(hw)} points/s with ${site ? site.sites : '?'} sites, ${fmt(hwo)} points/s without (ratio ${ratio(hw, hwo)}; capped by the highest rate offered).`, '');
  }
  const wh = all.find((r) => r.kind === 'webhooks');
  if (wh) {
    const a = wh.alertLatencyMs || {}; const v = wh.visitLatencyAfterSocketMs || {};
    out.push('### Webhook delivery', '', '| what | sent | received (distinct) | duplicates (webhook-id) | p50 ms | p90 ms | p99 ms | max ms |', '|---|---|---|---|---|---|---|---|');
    out.push(`| alert.created (POST /emit/alert -> receiver), ${wh.alerts} POSTs ${wh.spacingMs} ms apart, statuses ${JSON.stringify(wh.postStatus)} | ${wh.alerts} | ${wh.alertSeqsReceived} | ${wh.duplicateWebhookIds} (seq more than once: ${wh.alertSeqsMoreThanOnce}) | ${fmt(a.p50)} | ${fmt(a.p90)} | ${fmt(a.p99)} | ${fmt(a.max)} |`);
    out.push(`| visit.* (manager socket event -> receiver), walk at ${wh.visitRun.rateOffered}/s for ${wh.visitRun.seconds} s | ${wh.visitSocketEvents} socket events | ${wh.visitWebhooks} (unmatched ${wh.visitWebhooksUnmatched}) | ${wh.duplicateWebhookIds} | ${fmt(v.p50)} | ${fmt(v.p90)} | ${fmt(v.p99)} | ${fmt(v.max)} |`, '');
    if (wh.visitWebhooksPerSec !== undefined) out.push(`Visit webhooks received per second, first to last: ${wh.visitWebhooksPerSec}.`, '');
    out.push(`Webhook metrics after: ${JSON.stringify(wh.metrics)}; by type ${JSON.stringify(wh.byType)}; the visit run's ack p50/p99 ${wh.visitRun.ackMs && wh.visitRun.ackMs.p50} / ${wh.visitRun.ackMs && wh.visitRun.ackMs.p99} ms.`, '');
  }
  console.log(out.join('\n'));
}

const cmd = process.argv[2];
const main = {
  sites, webhooks, ingest: async () => { console.log(JSON.stringify(await ingest())); },
  verdict: async () => verdict(process.argv[3], process.argv[4], process.argv[5], process.argv[6]), report: async () => report(process.argv[3]),
}[cmd];
if (!main) { console.error(`unknown subcommand ${cmd}`); process.exit(2); }
main().then(() => process.exit(0), (e) => { console.error(e && e.stack); process.exit(1); });
