#!/usr/bin/env node
'use strict';
// Fan-out load across the nodes of a cluster, for bench/cluster.sh. It measures what the shared load tool's
// `fanout` scenario measures (shared bench/load.js: same sockets, same tokens, same alerts carrying their send time
// in data.sentAt, same percentiles, same /proc sampling), with what that tool cannot do: the sockets of one tenant
// spread over several nodes while the alerts are posted to one node, and the CPU of several server processes.
// It is copied next to the shared load.js (into the bench's temporary copy) so that it finds the same packages
// (socket.io-client, jsonwebtoken). One JSON object per scenario on stdout.
//
//   node cluster-load.js fanout N K      N sockets in one tenant, K POST /emit/alert 200 ms apart
//   node cluster-load.js flood N D [C]   N sockets in one tenant; POST /emit/alert as fast as C concurrent callers
//                                        (default 8) get answers, for D seconds; then waits for the deliveries
// Env:
//   SIO_URLS      label=url,...  the nodes' Socket.IO addresses, e.g. A=http://127.0.0.1:9092,B=http://127.0.0.1:9093
//   SOCKETS_ON    labels the sockets connect to, round-robin (default: every label of SIO_URLS)
//   API_URL       REST base the alerts are posted to (e.g. node A's http://127.0.0.1:8080/api/websocket)
//   SERVER_PIDS   label=pid,...  the server processes measured (CPU from /proc/<pid>/stat utime+stime)
//   IDLE_PIDS     pid,...        other bench servers running but not under test: their CPU is reported apart and is
//                                not counted as other processes' CPU
//   METRICS_URLS  label=url,...  admin /metrics of cluster nodes: cluster.messages.* deltas over the scenario
//   REDIS_PID     the redis-server process (its CPU is reported; it is shared, so others' use of it shows too)
//   LABEL         a name for the result; JWT_SECRET, ADMIN_API_KEY; CLIENTS (default 2), CONNECT_CONCURRENCY (50),
//                 SETTLE_MS (2000), FANOUT_SPACING_MS (200), DRAIN_MS (flood: wait for deliveries, default 30000)

const fs = require('fs');
const { fork } = require('child_process');
const { randomUUID } = require('crypto');
const { performance } = require('perf_hooks');

const now = () => performance.timeOrigin + performance.now(); // epoch ms, sub-ms, comparable across processes
const sleep = (ms) => new Promise((r) => { setTimeout(r, ms); });
const num = (v, d) => (v === undefined || v === '' ? d : Number(v));
const pairs = (s) => (s || '').split(',').map((x) => x.trim()).filter(Boolean).map((x) => {
  const i = x.indexOf('=');
  return i < 0 ? [x, x] : [x.slice(0, i), x.slice(i + 1)];
});

// ================================================================ worker (client process)

if (process.argv[2] === '--worker') {
  const { io } = require('socket.io-client'); // eslint-disable-line global-require
  const clients = []; // { socket, spec, ok, count, lastSeq, outOfOrder, lostConnection }
  let lat = {}; let seen = 0; let expectPerSocket = 0; let completeSent = false;
  let firstRecv = Infinity; let lastRecv = 0; let measuring = false;
  let cpuMark = process.cpuUsage(); let wallMark = now();
  const markCpu = () => { cpuMark = process.cpuUsage(); wallMark = now(); };
  const cpuPct = () => { const u = process.cpuUsage(cpuMark); return Math.round(((u.user + u.system) / 1000 / (now() - wallMark)) * 1000) / 10; };
  const complete = () => expectPerSocket > 0 && clients.every((c) => !c.ok || c.count >= expectPerSocket);
  const checkComplete = () => {
    if (!completeSent && complete()) { completeSent = true; process.send({ type: 'complete' }); }
  };

  const connectOne = (spec) => new Promise((resolve) => {
    const t0 = now();
    const socket = io(spec.url, {
      transports: ['websocket'], forceNew: true, reconnection: false, timeout: 30000, auth: { token: spec.token },
    });
    const c = { socket, spec, ok: false, count: 0, lastSeq: -1, outOfOrder: 0, duplicates: 0, seqs: new Uint8Array(64), lostConnection: null };
    clients.push(c);
    let settled = false;
    const done = (ok, reason) => {
      if (settled) return;
      settled = true;
      c.ok = ok;
      resolve({ ok, reason, ms: now() - t0 });
    };
    socket.once('authenticated', () => done(true));
    socket.once('connect_error', (e) => done(false, `connect_error: ${e && e.message}`));
    socket.once('auth:error', (e) => done(false, `auth:error: ${e && e.error && e.error.code}`));
    socket.once('disconnect', (r) => { if (settled && c.ok) c.lostConnection = r; done(false, `disconnect: ${r}`); });
    setTimeout(() => done(false, 'timeout'), 30000);
    socket.on('alert', (a) => {
      const t = now();
      if (!measuring) return;
      const d = a && a.data;
      if (d && typeof d.sentAt === 'number') (lat[spec.node] || (lat[spec.node] = [])).push(t - d.sentAt);
      if (d && Number.isInteger(d.seq) && d.seq >= 0) {
        if (d.seq <= c.lastSeq) c.outOfOrder++;
        c.lastSeq = d.seq;
        if (d.seq >= c.seqs.length) { const g = new Uint8Array(Math.max(d.seq + 1, c.seqs.length * 2)); g.set(c.seqs); c.seqs = g; }
        if (c.seqs[d.seq]) c.duplicates++; else c.seqs[d.seq] = 1;
      }
      c.count++; seen++;
      if (t < firstRecv) firstRecv = t;
      lastRecv = t;
      if (expectPerSocket && !completeSent && c.count >= expectPerSocket) checkComplete();
    });
  });

  async function connectAll(specs, concurrency) {
    markCpu();
    const cl = []; const failures = {};
    let next = 0;
    const lane = async () => {
      while (next < specs.length) {
        const spec = specs[next++];
        const r = await connectOne(spec); // eslint-disable-line no-await-in-loop
        if (r.ok) cl.push(r.ms); else failures[r.reason] = (failures[r.reason] || 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, specs.length) }, lane));
    return { lat: cl, failures, cpuPct: cpuPct() };
  }

  process.on('message', async (m) => {
    try {
      if (m.cmd === 'connect') {
        const r = await connectAll(m.specs, m.concurrency);
        process.send({ type: 'connected', ...r });
      } else if (m.cmd === 'start') { // counting starts; nothing is expected yet
        lat = {}; seen = 0; completeSent = false; expectPerSocket = 0; firstRecv = Infinity; lastRecv = 0;
        for (const c of clients) { c.count = 0; c.lastSeq = -1; c.outOfOrder = 0; c.duplicates = 0; c.seqs = new Uint8Array(64); }
        measuring = true;
        markCpu();
      } else if (m.cmd === 'expect') { // every connected socket should end with this many alerts
        expectPerSocket = m.perSocket;
        checkComplete();
      } else if (m.cmd === 'report') {
        measuring = false;
        const ok = clients.filter((c) => c.ok);
        const counts = ok.map((c) => c.count);
        const byNode = {};
        for (const c of ok) {
          const b = byNode[c.spec.node] || (byNode[c.spec.node] = { sockets: 0, received: 0 });
          b.sockets++; b.received += c.count;
        }
        process.send({
          type: 'report', lat, seen, byNode, firstRecv, lastRecv, cpuPct: cpuPct(),
          minPerSocket: counts.reduce((a, b) => Math.min(a, b), counts.length ? Infinity : 0), maxPerSocket: counts.reduce((a, b) => Math.max(a, b), 0),
          outOfOrder: ok.reduce((s, c) => s + c.outOfOrder, 0), duplicates: ok.reduce((s, c) => s + c.duplicates, 0),
          lostConnections: ok.filter((c) => c.lostConnection).map((c) => c.lostConnection)
            .reduce((o, r) => { o[r] = (o[r] || 0) + 1; return o; }, {}),
        });
      } else if (m.cmd === 'close') {
        for (const c of clients) c.socket.disconnect();
        setTimeout(() => process.exit(0), 300);
      }
    } catch (e) {
      process.send({ type: 'error', message: String(e && e.stack) });
    }
  });
  process.send({ type: 'ready' });
  process.on('disconnect', () => process.exit(0)); // a worker never outlives its parent
  return;
}

// ================================================================ parent

const jwt = require('jsonwebtoken'); // eslint-disable-line import/order

const SIO_URLS = pairs(process.env.SIO_URLS);
const SOCKETS_ON = process.env.SOCKETS_ON ? process.env.SOCKETS_ON.split(',').map((s) => s.trim()).filter(Boolean) : SIO_URLS.map(([l]) => l);
const API_URL = (process.env.API_URL || '').replace(/\/+$/, '');
const SERVER_PIDS = pairs(process.env.SERVER_PIDS).map(([l, p]) => [l, Number(p)]);
const IDLE_PIDS = (process.env.IDLE_PIDS || '').split(',').filter(Boolean).map(Number);
const METRICS_URLS = pairs(process.env.METRICS_URLS);
const REDIS_PID = process.env.REDIS_PID ? Number(process.env.REDIS_PID) : null;
const LABEL = process.env.LABEL || '';
const JWT_SECRET = process.env.JWT_SECRET;
const ADMIN_API_KEY = process.env.ADMIN_API_KEY;
const CLIENTS = num(process.env.CLIENTS, 2);
const CONCURRENCY = num(process.env.CONNECT_CONCURRENCY, 50);
const SETTLE_MS = num(process.env.SETTLE_MS, 2000);
const FANOUT_SPACING_MS = num(process.env.FANOUT_SPACING_MS, 200);
const DRAIN_MS = num(process.env.DRAIN_MS, 30000);

if (!JWT_SECRET || !ADMIN_API_KEY || !API_URL || SIO_URLS.length === 0) {
  console.error('SIO_URLS, API_URL, JWT_SECRET and ADMIN_API_KEY are required');
  process.exit(2);
}
const urlOf = Object.fromEntries(SIO_URLS);
for (const l of SOCKETS_ON) if (!urlOf[l]) { console.error(`SOCKETS_ON names ${l}, which SIO_URLS does not`); process.exit(2); }

const JWT_KEY = require('crypto').createSecretKey(Buffer.from(JWT_SECRET, 'utf8')); // eslint-disable-line global-require
const mint = (claims) => jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) + 7200 }, JWT_KEY, { algorithm: 'HS256' });
const r2 = (v) => Math.round(v * 100) / 100;

function pct(values) { // as load.js
  if (values.length === 0) return null;
  const a = Float64Array.from(values).sort();
  const at = (q) => a[Math.min(a.length - 1, Math.max(0, Math.ceil(q * a.length) - 1))];
  let sum = 0; for (const v of a) sum += v;
  return { n: a.length, p50: r2(at(0.5)), p90: r2(at(0.9)), p99: r2(at(0.99)), max: r2(a[a.length - 1]), mean: r2(sum / a.length) };
}

// ---- CPU from /proc: utime + stime of each process (all its threads), in clock ticks (100/s)
function ticksOf(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch { return 0; }
}
// the JIT compiler threads' share (C1/C2 CompilerThread): on 2 shared cores the JVM is still compiling long after
// start, and that work is server CPU too, but not the steady cost of a delivery
function jitTicksOf(pid) {
  let t = 0;
  let tids = [];
  try { tids = fs.readdirSync(`/proc/${pid}/task`); } catch { return 0; }
  for (const tid of tids) {
    try {
      if (!/^C\d CompilerThre/.test(fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8'))) continue;
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      t += Number(f[11]) + Number(f[12]);
    } catch { /* thread gone (compiler threads come and go): its ticks are lost, so this is a lower bound */ }
  }
  return t;
}
const rssMiB = (pid) => {
  try { return Math.round(Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 102.4) / 10; } catch { return null; }
};
function sample(pool) {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const busy = f[0] + f[1] + f[2] + f[5] + f[6] + (f[7] || 0);
  const clientPids = [process.pid, ...(pool ? pool.workers.map((w) => w.pid) : [])];
  return {
    t: now(), busy, total: busy + f[3] + f[4],
    servers: Object.fromEntries(SERVER_PIDS.map(([l, p]) => [l, ticksOf(p)])),
    jit: Object.fromEntries(SERVER_PIDS.map(([l, p]) => [l, jitTicksOf(p)])),
    idle: IDLE_PIDS.reduce((s, p) => s + ticksOf(p), 0),
    client: clientPids.reduce((s, p) => s + ticksOf(p), 0),
    redis: REDIS_PID ? ticksOf(REDIS_PID) : null,
    load1: Number(fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0]),
  };
}
function cpuDelta(a, b) {
  const byNode = Object.fromEntries(SERVER_PIDS.map(([l]) => [l, r2((b.servers[l] - a.servers[l]) / 100)]));
  const serverSec = Object.values(byNode).reduce((s, v) => s + v, 0);
  const jitByNode = Object.fromEntries(SERVER_PIDS.map(([l]) => [l, r2(Math.max(0, b.jit[l] - a.jit[l]) / 100)]));
  const jitSec = Object.values(jitByNode).reduce((s, v) => s + v, 0);
  const busySec = (b.busy - a.busy) / 100; const clientSec = (b.client - a.client) / 100; const idleSec = (b.idle - a.idle) / 100;
  const redisSec = REDIS_PID ? (b.redis - a.redis) / 100 : 0;
  return {
    server: { cpuSec: r2(serverSec), byNode, jitCpuSec: r2(jitSec), jitByNode, rssMiB: Object.fromEntries(SERVER_PIDS.map(([l, p]) => [l, rssMiB(p)])) },
    machine: {
      cores: require('os').cpus().length, loadavg1AtStart: a.load1, wallSec: r2((b.t - a.t) / 1000), // eslint-disable-line global-require
      busyPct: r2((100 * (b.busy - a.busy)) / Math.max(1, b.total - a.total)), busyCpuSec: r2(busySec),
      serverCpuSec: r2(serverSec), clientCpuSec: r2(clientSec), idleServersCpuSec: r2(idleSec),
      redisCpuSec: REDIS_PID ? r2(redisSec) : null,
      // CPU used by none of: the servers under test, the idle bench servers, this tool, redis-server
      otherCpuSec: r2(Math.max(0, busySec - serverSec - clientSec - idleSec - redisSec)),
    },
  };
}

async function metrics() {
  const out = {};
  await Promise.all(METRICS_URLS.map(async ([l, u]) => {
    try {
      const m = (await (await fetch(u, { signal: AbortSignal.timeout(5000) })).json()).meters || {};
      const c = (k) => (m[k] ? m[k].count : null);
      out[l] = { published: c('cluster.messages.published'), received: c('cluster.messages.received'), dropped: c('cluster.messages.dropped') };
    } catch (e) { out[l] = { error: String(e && e.message) }; }
  }));
  return out;
}
function metricsDelta(a, b) {
  const out = {};
  for (const [l] of METRICS_URLS) {
    if (!a[l] || !b[l] || a[l].error || b[l].error) { out[l] = null; continue; }
    out[l] = Object.fromEntries(['published', 'received', 'dropped'].map((k) => [k, b[l][k] === null ? null : b[l][k] - a[l][k]]));
  }
  return out;
}

// ---- workers
class Pool {
  constructor(n) { this.workers = []; this.n = n; }

  async start() {
    for (let i = 0; i < this.n; i++) {
      const w = fork(__filename, ['--worker'], { env: process.env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      w.inbox = []; w.waiters = [];
      w.on('message', (m) => {
        if (m.type === 'error') console.error(`[cluster-load] worker ${w.pid}: ${m.message}`);
        const k = w.waiters.findIndex((x) => x.type === m.type);
        if (k >= 0) { const [x] = w.waiters.splice(k, 1); x.resolve(m); } else w.inbox.push(m);
      });
      this.workers.push(w);
    }
    await this.all('ready', 20000);
  }

  recv(w, type, timeoutMs) {
    const k = w.inbox.findIndex((m) => m.type === type);
    if (k >= 0) return Promise.resolve(w.inbox.splice(k, 1)[0]);
    return new Promise((resolve, reject) => {
      const entry = { type, resolve: (m) => { clearTimeout(timer); resolve(m); } };
      const timer = setTimeout(() => { w.waiters.splice(w.waiters.indexOf(entry), 1); reject(new Error(`worker ${w.pid}: no ${type} within ${timeoutMs} ms`)); }, timeoutMs);
      w.waiters.push(entry);
    });
  }

  all(type, timeoutMs) { return Promise.all(this.workers.map((w) => this.recv(w, type, timeoutMs))); }

  send(msgFor) { this.workers.forEach((w, i) => w.send(msgFor(i))); }

  async close() {
    for (const w of this.workers) { try { w.send({ cmd: 'close' }); } catch { /* gone */ } }
    await Promise.all(this.workers.map((w) => new Promise((resolve) => {
      if (w.exitCode !== null) { resolve(); return; }
      const t = setTimeout(() => { w.kill('SIGKILL'); resolve(); }, 5000);
      w.once('exit', () => { clearTimeout(t); resolve(); });
    })));
  }
}

// One tenant: a manager, then salesmen; socket i goes to node SOCKETS_ON[i % length] (so "A,B" is half and half).
function buildSpecs(n) {
  const run = randomUUID().slice(0, 8);
  const tenantId = `cfan-${run}`;
  const specs = [];
  for (let i = 0; i < n; i++) {
    const node = SOCKETS_ON[i % SOCKETS_ON.length];
    const claims = i === 0 ? { sub: `m-${run}`, tenantId, role: 'manager' }
      : { sub: `u-s-${run}-${i}`, tenantId, role: 'salesman', salesmanId: `s-${run}-${i}` };
    specs.push({ node, url: urlOf[node], role: claims.role, token: mint(claims) });
  }
  return { tenantId, specs };
}

async function connect(pool, specs) {
  const shares = pool.workers.map(() => []);
  specs.forEach((s, i) => shares[i % shares.length].push(s));
  pool.send((i) => ({ cmd: 'connect', specs: shares[i], concurrency: CONCURRENCY }));
  const res = await pool.all('connected', 300000);
  const failures = {}; let connected = 0;
  for (const r of res) { connected += r.lat.length; for (const [k, v] of Object.entries(r.failures)) failures[k] = (failures[k] || 0) + v; }
  return { connected, failures };
}

async function postAlert(tenantId, seq) {
  const sentAt = now();
  try {
    const res = await fetch(`${API_URL}/emit/alert`, {
      method: 'POST', headers: { authorization: `Bearer ${ADMIN_API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId, message: `cluster fanout ${seq}`, severity: 'info', data: { seq, sentAt } }),
      signal: AbortSignal.timeout(15000),
    });
    const text = await res.text();
    let delivered = null; try { delivered = JSON.parse(text).delivered; } catch { /* not json */ }
    return { status: res.status, ms: now() - sentAt, delivered };
  } catch (e) {
    return { status: `error:${e && e.name}`, ms: now() - sentAt, delivered: null };
  }
}

function merge(reps) {
  const latByNode = {}; const all = []; const byNode = {}; const lost = {};
  let seen = 0; let firstRecv = Infinity; let lastRecv = 0; let outOfOrder = 0; let duplicates = 0; let minPer = Infinity; let maxPer = 0;
  for (const r of reps) {
    seen += r.seen; outOfOrder += r.outOfOrder; duplicates += r.duplicates;
    if (r.firstRecv < firstRecv) firstRecv = r.firstRecv;
    if (r.lastRecv > lastRecv) lastRecv = r.lastRecv;
    minPer = Math.min(minPer, r.minPerSocket); maxPer = Math.max(maxPer, r.maxPerSocket);
    for (const [node, v] of Object.entries(r.lat)) { const to = latByNode[node] || (latByNode[node] = []); for (const x of v) { to.push(x); all.push(x); } }
    for (const [node, b] of Object.entries(r.byNode)) {
      const t = byNode[node] || (byNode[node] = { sockets: 0, received: 0 });
      t.sockets += b.sockets; t.received += b.received;
    }
    for (const [k, v] of Object.entries(r.lostConnections)) lost[k] = (lost[k] || 0) + v;
  }
  for (const [node, v] of Object.entries(latByNode)) byNode[node].latencyMs = pct(v);
  return { seen, all, byNode, firstRecv, lastRecv, outOfOrder, duplicates, minPer, maxPer, lost };
}

// ---- scenarios
async function scenarioFanout(n, k) {
  const { tenantId, specs } = buildSpecs(n);
  const pool = new Pool(Math.min(CLIENTS, n)); await pool.start();
  try {
    const c = await connect(pool, specs);
    await sleep(500);
    pool.send(() => ({ cmd: 'start' }));
    pool.send(() => ({ cmd: 'expect', perSocket: k }));
    await sleep(100);
    const m0 = await metrics(); const s0 = sample(pool);
    const rest = []; const statuses = {}; let deliveredSum = 0;
    const t0 = now();
    for (let i = 0; i < k; i++) {
      const r = await postAlert(tenantId, i); // eslint-disable-line no-await-in-loop
      rest.push(r.ms); statuses[r.status] = (statuses[r.status] || 0) + 1;
      if (typeof r.delivered === 'number') deliveredSum += r.delivered;
      const wait = t0 + (i + 1) * FANOUT_SPACING_MS - now();
      if (i < k - 1 && wait > 0) await sleep(wait); // eslint-disable-line no-await-in-loop
    }
    await Promise.race([pool.all('complete', 15000).catch(() => null), sleep(15000)]);
    const s1 = sample(pool); const m1 = await metrics();
    pool.send(() => ({ cmd: 'report' }));
    const g = merge(await pool.all('report', 15000));
    const expected = c.connected * k;
    const cpu = cpuDelta(s0, s1);
    return {
      scenario: 'fanout', label: LABEL, n, alerts: k, spacingMs: FANOUT_SPACING_MS, tenant: tenantId, socketsOn: SOCKETS_ON, api: API_URL,
      connected: c.connected, connectFailures: c.failures, received: g.seen, expected,
      lost: expected - g.seen, duplicates: g.duplicates, outOfOrder: g.outOfOrder, lostConnections: g.lost, restDeliveredSum: deliveredSum, restStatus: statuses,
      latencyMs: pct(g.all), byNode: g.byNode, restCallMs: pct(rest),
      cpuUsPerDelivery: g.seen ? r2((cpu.server.cpuSec * 1e6) / g.seen) : null,
      cpuUsPerDeliveryWithoutJit: g.seen ? r2(((cpu.server.cpuSec - cpu.server.jitCpuSec) * 1e6) / g.seen) : null,
      ...cpu, cluster: metricsDelta(m0, m1),
    };
  } finally { await pool.close(); }
}

async function scenarioFlood(n, durSec, callers) {
  const { tenantId, specs } = buildSpecs(n);
  const pool = new Pool(Math.min(CLIENTS, n)); await pool.start();
  try {
    const c = await connect(pool, specs);
    await sleep(500);
    pool.send(() => ({ cmd: 'start' }));
    await sleep(100);
    const m0 = await metrics(); const s0 = sample(pool);
    const rest = []; const statuses = {}; let accepted = 0; let seq = 0; let lastAnswer = 0;
    const t0 = now(); const deadline = t0 + durSec * 1000;
    const caller = async () => {
      while (now() < deadline) {
        const r = await postAlert(tenantId, seq++); // eslint-disable-line no-await-in-loop
        rest.push(r.ms); statuses[r.status] = (statuses[r.status] || 0) + 1;
        if (r.status === 200) accepted++;
        lastAnswer = now();
      }
    };
    await Promise.all(Array.from({ length: callers }, caller));
    const sendSec = (lastAnswer - t0) / 1000;
    const mSent = await metrics();
    pool.send(() => ({ cmd: 'expect', perSocket: accepted }));
    await Promise.race([pool.all('complete', DRAIN_MS).catch(() => null), sleep(DRAIN_MS)]);
    const s1 = sample(pool); const m1 = await metrics();
    pool.send(() => ({ cmd: 'report' }));
    const g = merge(await pool.all('report', 15000));
    const expected = c.connected * accepted;
    const cpu = cpuDelta(s0, s1);
    const recvSec = (g.lastRecv - t0) / 1000;
    return {
      scenario: 'flood', label: LABEL, n, durationSec: durSec, callers, tenant: tenantId, socketsOn: SOCKETS_ON, api: API_URL,
      connected: c.connected, connectFailures: c.failures,
      emitsAttempted: seq, emitsAccepted: accepted, restStatus: statuses, sendWindowSec: r2(sendSec),
      emitsPerSec: sendSec > 0 ? Math.round(accepted / sendSec) : null,
      publishedPerSec: (() => { const d = metricsDelta(m0, mSent).A; return d && sendSec > 0 ? Math.round(d.published / sendSec) : null; })(),
      received: g.seen, expected, lost: expected - g.seen, minPerSocket: g.minPer, maxPerSocket: g.maxPer,
      // the callers run concurrently, so alerts may reach a socket in another order than their seq: not counted
      duplicates: g.duplicates, lostConnections: g.lost,
      deliveryWindowSec: r2(recvSec), deliveriesPerSec: recvSec > 0 ? Math.round(g.seen / recvSec) : null,
      drainAfterLastEmitMs: Math.round(Math.max(0, g.lastRecv - lastAnswer)),
      latencyMs: pct(g.all), byNode: g.byNode, restCallMs: pct(rest),
      cpuUsPerDelivery: g.seen ? r2((cpu.server.cpuSec * 1e6) / g.seen) : null,
      cpuUsPerDeliveryWithoutJit: g.seen ? r2(((cpu.server.cpuSec - cpu.server.jitCpuSec) * 1e6) / g.seen) : null,
      ...cpu, cluster: metricsDelta(m0, m1), clusterDuringSend: metricsDelta(m0, mSent),
    };
  } finally { await pool.close(); }
}

async function main() {
  const argv = process.argv.slice(2);
  const plan = [];
  for (let i = 0; i < argv.length;) {
    const name = argv[i++];
    const args = [];
    while (i < argv.length && /^\d+$/.test(argv[i])) args.push(Number(argv[i++]));
    if (name === 'fanout' && args.length === 2) plan.push(() => scenarioFanout(args[0], args[1]));
    else if (name === 'flood' && (args.length === 2 || args.length === 3)) plan.push(() => scenarioFlood(args[0], args[1], args[2] || 8));
    else { console.error(`bad scenario "${name} ${args.join(' ')}": fanout N K | flood N D [C]`); process.exit(2); }
  }
  if (plan.length === 0) { console.error('usage: node cluster-load.js fanout N K | flood N D [C]  [...]'); process.exit(2); }
  let failed = false;
  for (const [i, run] of plan.entries()) {
    try {
      const r = await run(); // eslint-disable-line no-await-in-loop
      console.log(JSON.stringify({ ...r, at: new Date().toISOString() }));
    } catch (e) {
      failed = true;
      console.log(JSON.stringify({ scenario: 'error', label: LABEL, error: String(e && e.message) }));
    }
    if (i < plan.length - 1) await sleep(SETTLE_MS); // eslint-disable-line no-await-in-loop
  }
  process.exit(failed ? 1 : 0);
}

main();
