#!/usr/bin/env node
// Helper of bench/recovery-figures.sh (copied next to the shared bench's node_modules, for socket.io-client 4.8).
//
//   node recovery-figures.mjs memory    figure 2: POST /emit/alert at RATE/s for SECONDS_ s to API_URL, then XLEN and
//                                       MEMORY USAGE STREAM SAMPLES 0 (redis-cli on REDIS_URL); one JSON line
//   node recovery-figures.mjs replay    figure 3: TRIALS x (cluster: newA -> newB, single: S -> S) recoveries of a
//                                       gap through a TCP proxy; one JSON line per trial
//   node recovery-figures.mjs report D  Markdown tables of the results in folder D (needs no package)
//
// Env of memory: API_URL, STREAM, RATE, SECONDS_, SERVER_PID, REDIS_URL, ADMIN_API_KEY.
// Env of replay: TRIALS; CLUSTER_API_A, CLUSTER_API_B, CLUSTER_SIO_A, CLUSTER_SIO_B (host:port), CLUSTER_METRICS_B;
//   SINGLE_API, SINGLE_SIO, SINGLE_METRICS; STREAM (the cluster's stream); GAP_MINE (1200), GAP_OTHERS (4800),
//   GAP_RATE (500 entries/s); JWT_SECRET, ADMIN_API_KEY, REDIS_URL.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((r) => { setTimeout(r, ms); });
const r2 = (v) => Math.round(v * 100) / 100;
const env = (k, d) => (process.env[k] === undefined || process.env[k] === '' ? d : process.env[k]);

function redis(...args) {
  return execFileSync('redis-cli', ['-u', env('REDIS_URL', 'redis://127.0.0.1:6379'), '--raw', ...args],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}
function ticksOf(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch { return null; }
}
function b64url(x) { return Buffer.from(x).toString('base64url'); }
function mint(claims) { // HS256, as the service verifies
  const h = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const p = b64url(JSON.stringify({ ...claims, iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 7200 }));
  const s = crypto.createHmac('sha256', process.env.JWT_SECRET).update(`${h}.${p}`).digest('base64url');
  return `${h}.${p}.${s}`;
}
async function post(api, body) {
  const t0 = now();
  try {
    const res = await fetch(`${api}/emit/alert`, {
      method: 'POST',
      headers: { authorization: `Bearer ${process.env.ADMIN_API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(body), signal: AbortSignal.timeout(15000),
    });
    await res.text();
    return { status: res.status, ms: now() - t0 };
  } catch (e) { return { status: `error:${e && e.name}`, ms: now() - t0 }; }
}
// A realistic alert of this service: a deal event for a tenant's managers (about 330 bytes of stream entry).
const alertBody = (tenantId, seq) => ({
  tenantId,
  message: `Deal "Acme Corp renewal ${seq % 1000}" moved to Negotiation by Priya Sharma`,
  severity: 'info',
  data: { seq, dealId: 100000 + (seq % 90000), stage: 'negotiation', ownerId: 'u-4821', url: `https://app.salesmate.example/deals/${100000 + (seq % 90000)}` },
});
function pct(values) {
  if (!values.length) return null;
  const a = Float64Array.from(values).sort();
  const at = (q) => a[Math.min(a.length - 1, Math.max(0, Math.ceil(q * a.length) - 1))];
  return { n: a.length, p50: r2(at(0.5)), p99: r2(at(0.99)), max: r2(a[a.length - 1]) };
}

// ================================================================ figure 2
async function memory() {
  const api = process.env.API_URL; const key = process.env.STREAM;
  const rate = Number(env('RATE', 50)); const seconds = Number(env('SECONDS_', 60));
  const total = rate * seconds; const tenants = 50;
  const statuses = {}; const rest = []; let inflight = 0; let maxInflight = 0; let late = 0;
  const cpu0 = ticksOf(process.env.SERVER_PID);
  const t0 = now() + 50; const pending = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - now();
    if (wait > 1) await sleep(wait); // eslint-disable-line no-await-in-loop
    else if (wait < -50) late++;
    inflight++; maxInflight = Math.max(maxInflight, inflight);
    pending.push(post(api, alertBody(`fig2-t${i % tenants}`, i)).then((r) => {
      inflight--; rest.push(r.ms); statuses[r.status] = (statuses[r.status] || 0) + 1;
    }));
  }
  await Promise.all(pending);
  const sendSec = (now() - t0) / 1000;
  const cpu1 = ticksOf(process.env.SERVER_PID);
  await sleep(1500);
  const xlen = Number(redis('XLEN', key));
  const bytes = Number(redis('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
  const one = redis('XRANGE', key, '-', '+', 'COUNT', '1').split('\n'); // id, then field, value, ...
  const raw = one.slice(1).reduce((s, x) => s + Buffer.byteLength(x), 0);
  const perEntry = xlen ? bytes / xlen : null;
  console.log(JSON.stringify({
    figure: 'memory', rate, seconds, posted: total, restStatus: statuses, sendSec: r2(sendSec),
    achievedRate: r2((statuses[200] || 0) / sendSec), latePosts: late, maxInflight, restCallMs: pct(rest),
    serverCpuSec: cpu0 === null ? null : r2((cpu1 - cpu0) / 100),
    xlen, memoryUsageBytes: bytes, bytesPerEntry: perEntry === null ? null : r2(perEntry), rawFieldBytesOfAnEntry: raw,
    mbPerMinuteAtRate: perEntry === null ? null : r2((perEntry * rate * 60) / 1e6),
    at: new Date().toISOString(),
  }));
}

// ================================================================ figure 3
// A TCP proxy: pipes to the current target; cut() destroys every connection and stops listening (new ones are
// refused); open(target) listens again on the same port and pipes to the new target.
class Proxy {
  constructor(target) { this.target = target; this.conns = new Set(); this.accepts = []; this.server = null; this.port = 0; }

  listen() {
    return new Promise((resolve, reject) => {
      this.server = net.createServer((client) => {
        this.accepts.push(now());
        const [host, port] = this.target.split(':');
        const up = net.connect(Number(port), host);
        client.setNoDelay(true); up.setNoDelay(true);
        this.conns.add(client); this.conns.add(up);
        const end = () => { client.destroy(); up.destroy(); this.conns.delete(client); this.conns.delete(up); };
        client.on('error', end); up.on('error', end); client.on('close', end); up.on('close', end);
        client.pipe(up); up.pipe(client);
      });
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => { this.port = this.server.address().port; resolve(); });
    });
  }

  cut() {
    const s = this.server; this.server = null;
    if (s) s.close();
    for (const c of this.conns) c.destroy();
    this.conns.clear();
  }

  open(target) { this.target = target; return this.listen(); }
}

// The gap's entries as the stream holds them: per node (uid), an entry whose seq is not above the seq of an earlier
// entry of that node is what the readers (StreamBus.fresh) and the replay (ClusterRecovery.repeat) skip as a repeat.
function streamOrder(key, after, tenant) {
  const lines = execFileSync('redis-cli', ['-u', env('REDIS_URL', 'redis://127.0.0.1:6379'), '--raw', 'XRANGE', key, `(${after}`, '+'],
    { encoding: 'utf8', maxBuffer: 1 << 28 }).trim().split('\n');
  const maxSeq = {}; let entries = 0; let inverted = 0; const invertedMine = [];
  for (let k = 0; k + 1 < lines.length;) {
    k++; // the id
    const f = {};
    while (k + 1 < lines.length && !/^\d+-\d+$/.test(lines[k])) { f[lines[k]] = lines[k + 1]; k += 2; }
    entries++;
    const seq = Number(f.seq);
    if (maxSeq[f.uid] !== undefined && seq <= maxSeq[f.uid]) {
      inverted++;
      if (f.data && f.data.includes(`"tenantId":"${tenant}"`)) {
        const m = /"seq":(-?\d+)/.exec(f.data.slice(f.data.indexOf('"data":{', f.data.indexOf(tenant))));
        invertedMine.push(m ? Number(m[1]) : null);
      }
    } else maxSeq[f.uid] = seq;
  }
  return { entriesAfterOffset: entries, seqNotAboveAnEarlierOfItsNode: inverted, ofThemThisTenantsSeqs: invertedMine.slice(0, 50) };
}

async function metricsOf(url) {
  try {
    const m = await (await fetch(url, { signal: AbortSignal.timeout(5000) })).json();
    const out = {};
    for (const kind of ['meters', 'counters', 'timers']) {
      for (const [k, v] of Object.entries(m[kind] || {})) if (k.startsWith('socketio.recovery')) out[k] = v.count;
    }
    return out;
  } catch (e) { return { error: String(e && e.message) }; }
}
const delta = (a, b) => Object.fromEntries(Object.keys(b).filter((k) => typeof b[k] === 'number').map((k) => [k, b[k] - (a[k] || 0)]));

function waitFor(pred, timeoutMs, stepMs = 5) {
  return new Promise((resolve) => {
    const t0 = now();
    const tick = () => {
      if (pred()) resolve(true);
      else if (now() - t0 > timeoutMs) resolve(false);
      else setTimeout(tick, stepMs);
    };
    tick();
  });
}

async function trial(mode, n) {
  const { io } = require('socket.io-client');
  const cl = mode === 'cluster';
  const first = cl ? process.env.CLUSTER_SIO_A : process.env.SINGLE_SIO;
  const second = cl ? process.env.CLUSTER_SIO_B : process.env.SINGLE_SIO;
  const apiMine = cl ? process.env.CLUSTER_API_A : process.env.SINGLE_API;
  const apiOthers = cl ? [process.env.CLUSTER_API_B, process.env.CLUSTER_API_A] : [process.env.SINGLE_API];
  const metricsUrl = cl ? process.env.CLUSTER_METRICS_B : process.env.SINGLE_METRICS;
  const gapMine = Number(env('GAP_MINE', 1200)); const gapOthers = Number(env('GAP_OTHERS', 4800));
  const gapRate = Number(env('GAP_RATE', 500));
  const run = crypto.randomUUID().slice(0, 8);
  const tenant = `fig3-${mode}-${n}-${run}`;
  const others = Array.from({ length: 40 }, (_, j) => `fig3-o${j}-${run}`);
  const token = mint({ sub: `m-${run}`, tenantId: tenant, role: 'manager' });

  const proxy = new Proxy(first);
  await proxy.listen();
  const socket = io(`http://127.0.0.1:${proxy.port}`, {
    transports: ['websocket'], auth: { token }, reconnectionDelay: 200, reconnectionDelayMax: 500, timeout: 20000,
  });
  const got = []; let connects = []; let errors = 0; const disconnects = [];
  socket.on('alert', (a, offset) => {
    got.push({ seq: a && a.data ? a.data.seq : undefined, t: now(), offset: typeof offset === 'string' ? offset : null });
  });
  socket.on('connect', () => { connects.push({ t: now(), recovered: socket.recovered }); });
  socket.on('connect_error', () => { errors++; });
  socket.on('disconnect', (r) => { disconnects.push(r); });
  let authenticated = false;
  socket.on('authenticated', () => { authenticated = true; });
  const result = { figure: 'replay', mode, trial: n, tenant };
  try {
    if (!await waitFor(() => authenticated, 20000)) throw new Error('not authenticated on the first node');
    const pre = await post(apiMine, alertBody(tenant, -1));
    if (!await waitFor(() => got.length === 1, 10000)) throw new Error(`first alert not received (POST ${pre.status})`);
    result.offsetBeforeCut = socket._lastOffset; // eslint-disable-line no-underscore-dangle
    const pidBefore = socket._pid; // eslint-disable-line no-underscore-dangle
    proxy.cut();
    await waitFor(() => disconnects.length > 0, 5000);
    result.disconnectReason = disconnects[0];
    await sleep(300); // the node sees the close and saves the session
    // the gap: GAP_MINE alerts to the tenant and GAP_OTHERS to 40 other tenants, interleaved, at GAP_RATE entries/s;
    // the tenant's own go to one node one after the other (so their stream order is their seq order)
    const k = Math.round(gapOthers / gapMine);
    const totalItems = gapMine + gapOthers;
    const statuses = {}; const pending = [];
    let mineChain = Promise.resolve(); let mine = 0; let other = 0;
    const t0 = now();
    for (let i = 0; i < totalItems; i++) {
      const due = t0 + (i * 1000) / gapRate;
      const wait = due - now();
      if (wait > 1) await sleep(wait); // eslint-disable-line no-await-in-loop
      const count = (r) => { statuses[r.status] = (statuses[r.status] || 0) + 1; };
      if ((i % (k + 1) === 0 && mine < gapMine) || other >= gapOthers) {
        const seq = mine++;
        mineChain = mineChain.then(() => post(apiMine, alertBody(tenant, seq)).then(count));
      } else {
        const j = other++;
        pending.push(post(apiOthers[j % apiOthers.length], alertBody(others[j % others.length], j)).then(count));
      }
    }
    pending.push(mineChain);
    await Promise.all(pending);
    result.gapEmitSec = r2((now() - t0) / 1000);
    result.gapPosted = { mine, others: other, status: statuses };
    await sleep(500);
    if (cl) result.streamLength = Number(redis('XLEN', process.env.STREAM));
    const m0 = await metricsOf(metricsUrl);
    // back, on the second node
    const before = got.length; connects = []; const accepts0 = proxy.accepts.length; const errorsWhileCut = errors;
    const tOpen = now();
    await proxy.open(second);
    const done = () => got.length - before >= gapMine;
    let lastLen = got.length; let lastChange = now();
    await waitFor(() => {
      if (got.length !== lastLen) { lastLen = got.length; lastChange = now(); }
      return done() || (connects.length > 0 && now() - lastChange > 10000) || now() - tOpen > 60000;
    }, 70000);
    await sleep(1000); // anything more (a duplicate) arrives meanwhile
    const m1 = await metricsOf(metricsUrl);
    const replayed = got.slice(before);
    const c = connects[0];
    const tAccept = proxy.accepts[accepts0];
    const seqs = replayed.map((e) => e.seq);
    const seen = new Set(); let dup = 0; let outOfOrder = 0; let prev = -Infinity;
    for (const s of seqs) {
      if (seen.has(s)) dup++; seen.add(s);
      if (s < prev) outOfOrder++; prev = s;
    }
    const missingSeqs = []; for (let s = 0; s < gapMine; s++) if (!seen.has(s)) missingSeqs.push(s);
    const missing = missingSeqs.length;
    if (cl) result.stream = streamOrder(process.env.STREAM, result.offsetBeforeCut, tenant);
    const mineReplayed = replayed.filter((e) => e.seq >= 0);
    const tLast = mineReplayed.length ? mineReplayed[mineReplayed.length - 1].t : null;
    Object.assign(result, {
      connectErrorsWhileCut: errorsWhileCut, pidKept: socket._pid === pidBefore, // eslint-disable-line no-underscore-dangle
      recovered: c ? c.recovered === true : null, socketRecoveredNow: socket.recovered,
      received: replayed.length, expected: gapMine, missing, missingSeqs: missingSeqs.slice(0, 50), duplicates: dup, outOfOrder,
      preCutAlertAgain: seqs.filter((s) => s === -1).length, allOnceInOrder: missing === 0 && dup === 0 && outOfOrder === 0 && replayed.length === gapMine,
      withOffsets: replayed.filter((e) => e.offset).length,
      openToAcceptMs: tAccept ? r2(tAccept - tOpen) : null,
      acceptToConnectMs: tAccept && c ? r2(c.t - tAccept) : null,
      connectToFirstMs: c && replayed.length ? r2(replayed[0].t - c.t) : null,
      connectToLastMs: c && tLast ? r2(tLast - c.t) : null,
      acceptToLastMs: tAccept && tLast ? r2(tLast - tAccept) : null,
      serverRecoveryMetrics: delta(m0, m1),
    });
  } catch (e) {
    result.error = String(e && e.message);
  } finally {
    socket.disconnect();
    proxy.cut();
  }
  result.at = new Date().toISOString();
  return result;
}

async function replay() {
  const trials = Number(env('TRIALS', 3));
  let failed = false;
  // trial 0 of each mode: the unmeasured warm-up (the replay path's first run in each process), reported apart
  for (let t = Number(env('REPLAY_WARMUP', 1)) ? 0 : 1; t <= trials; t++) {
    const order = t % 2 ? ['cluster', 'single'] : ['single', 'cluster'];
    for (const mode of order) {
      const r = await trial(mode, t); // eslint-disable-line no-await-in-loop
      if (t > 0 && (r.error || !r.allOnceInOrder || !r.recovered)) failed = true;
      console.log(JSON.stringify(r));
      process.stderr.write(`figure 3 ${mode} #${t}: recovered ${r.recovered}, ${r.received}/${r.expected}, connect->last ${r.connectToLastMs} ms${r.error ? `, ${r.error}` : ''}\n`);
      await sleep(1000); // eslint-disable-line no-await-in-loop
    }
  }
  process.exit(failed ? 1 : 0);
}

// ================================================================ report
function report(dir) {
  const read = (f) => (fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f), 'utf8').split('\n')
    .filter((l) => l.trim().startsWith('{')).map((l) => JSON.parse(l)) : []);
  const fmt = (v, d = 2) => (v === undefined || v === null || Number.isNaN(v) ? '-' : typeof v === 'number'
    ? (Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) >= 100 ? 0 : d)) : String(v));
  const median = (vs) => {
    const a = vs.filter((v) => typeof v === 'number' && !Number.isNaN(v)).sort((x, y) => x - y);
    if (!a.length) return undefined;
    return a.length % 2 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  };
  const ratio = (a, b) => (typeof a === 'number' && typeof b === 'number' && b !== 0 ? `${(a / b).toFixed(2)}x` : '-');
  const out = [];
  const run = fs.existsSync(path.join(dir, 'run.txt')) ? fs.readFileSync(path.join(dir, 'run.txt'), 'utf8').trim() : '';
  if (run) out.push('```', run, '```', '');

  // ---- figure 1
  const res = read('results.jsonl').filter((r) => r.scenario === 'fanout');
  if (res.length) {
    out.push('### Figure 1: latency and CPU per delivery, stream bus (new) vs pub/sub bus (old), side by side', '');
    const SC = [['two-nodes-cross', 'sockets on B, alerts to A'], ['two-nodes-local', 'sockets on A, alerts to A'],
      ['two-nodes-small-cross', 'few sockets on B, alerts to A'], ['two-nodes-small-local', 'few sockets on A, alerts to A']];
    const redisUs = (r) => (r.machine && typeof r.machine.redisCpuSec === 'number' && r.received ? (r.machine.redisCpuSec * 1e6) / r.received : undefined);
    const M = [
      ['delivery latency p50 (ms)', (r) => r.latencyMs && r.latencyMs.p50],
      ['delivery latency p90 (ms)', (r) => r.latencyMs && r.latencyMs.p90],
      ['delivery latency p99 (ms)', (r) => r.latencyMs && r.latencyMs.p99],
      ['server CPU per delivery, both nodes (µs)', (r) => r.cpuUsPerDelivery],
      ['same without JIT compiler threads (µs)', (r) => r.cpuUsPerDeliveryWithoutJit],
      ['redis-server CPU per delivery (µs, shared Redis)', redisUs],
      ['REST call p50 (ms)', (r) => r.restCallMs && r.restCallMs.p50],
    ];
    for (const [sc, what] of SC) {
      const o = res.filter((r) => r.label === `old/${sc}`); const nw = res.filter((r) => r.label === `new/${sc}`);
      if (!o.length && !nw.length) continue;
      const ex = (o[0] || nw[0]);
      out.push(`**${sc}** (${what}): ${ex.n} sockets x ${ex.alerts} alerts ${ex.spacingMs} ms apart; median of ${o.length} old / ${nw.length} new rounds`, '');
      out.push('| | old (pub/sub) | new (stream) | new/old | new - old |', '|---|---|---|---|---|');
      const sum = (rs, f) => rs.reduce((s, r) => s + (f(r) || 0), 0);
      out.push(`| received / expected (all rounds) | ${sum(o, (r) => r.received)} / ${sum(o, (r) => r.expected)} | ${sum(nw, (r) => r.received)} / ${sum(nw, (r) => r.expected)} | | |`);
      out.push(`| duplicates / out of order (all rounds) | ${sum(o, (r) => r.duplicates)} / ${sum(o, (r) => r.outOfOrder)} | ${sum(nw, (r) => r.duplicates)} / ${sum(nw, (r) => r.outOfOrder)} | | |`);
      for (const [label, f] of M) {
        const a = median(o.map(f)); const b = median(nw.map(f));
        out.push(`| ${label} | ${fmt(a)} | ${fmt(b)} | ${ratio(b, a)} | ${typeof a === 'number' && typeof b === 'number' ? fmt(b - a) : '-'} |`);
      }
      out.push('', 'Each round (old \u2192 new): p50 ms, p99 ms, CPU µs/delivery, other processes\' CPU s', '');
      const rounds = Math.max(o.length, nw.length);
      for (let i = 0; i < rounds; i++) {
        const c = (r) => (r ? `${fmt(r.latencyMs && r.latencyMs.p50)} / ${fmt(r.latencyMs && r.latencyMs.p99)} / ${fmt(r.cpuUsPerDelivery)} / ${fmt(r.machine && r.machine.otherCpuSec)}` : '-');
        out.push(`- round ${i + 1}: old ${c(o[i])}; new ${c(nw[i])}`);
      }
      out.push('');
    }
  }

  const floods = read('warmup.jsonl').filter((r) => r.scenario === 'flood');
  if (floods.length) {
    out.push('Warm-up floods (not timed; POST /emit/alert to A from 8 concurrent callers, 10 sockets on A and B):', '');
    out.push('| pair | emits accepted | published by A | received by B (bus) | deliveries received / expected | lost | per socket min / max |', '|---|---|---|---|---|---|---|');
    for (const r of floods) {
      const c = r.cluster || {};
      out.push(`| ${r.label.split('/')[0]} | ${r.emitsAccepted} | ${c.A ? c.A.published : '-'} | ${c.B ? c.B.received : '-'} | ${r.received} / ${r.expected} | ${r.lost} | ${r.minPerSocket} / ${r.maxPerSocket} |`);
    }
    out.push('');
  }

  // ---- figure 2
  const mem = read('memory.jsonl');
  if (mem.length) {
    out.push('### Figure 2: Redis memory of the stream (new jar, one cluster node, POST /emit/alert)', '');
    out.push('| target rate | achieved | entries (XLEN) | MEMORY USAGE | bytes / entry | MB per minute of log | fields of one entry (raw bytes) | 150 s at this rate (window 2 min + 30 s) | 100,000 entries |',
      '|---|---|---|---|---|---|---|---|---|');
    for (const m of mem) {
      const bpe = m.bytesPerEntry;
      const win = Math.min(150 * m.rate, 100000);
      out.push(`| ${m.rate}/s for ${m.seconds} s | ${fmt(m.achievedRate)}/s (${JSON.stringify(m.restStatus)}) | ${m.xlen} | ${fmt(m.memoryUsageBytes / 1e6)} MB | ${fmt(bpe, 1)} | ${fmt(m.mbPerMinuteAtRate)} MB | ${m.rawFieldBytesOfAnEntry} | ${win} entries = ${fmt((win * bpe) / 1e6)} MB | ${fmt((100000 * bpe) / 1e6)} MB |`);
    }
    out.push('', 'MB = 10^6 bytes. The time bound (window + 30 s = 150 s) binds first below 667 entries/s; above it, the 100,000-entry cap (approximate: whole stream nodes of 100 entries are trimmed).', '');
  }

  // ---- figure 3
  const rep = read('replay.jsonl');
  if (rep.length) {
    out.push('### Figure 3: replay of a gap (official socket.io-client 4.8, websocket, through a TCP proxy)', '');
    const g = rep.find((r) => r.gapPosted) || {};
    out.push(`Gap: ${g.gapPosted ? `${g.gapPosted.mine} alerts to the socket's tenant + ${g.gapPosted.others} to 40 other tenants` : '?'}, emitted in ${g.gapEmitSec} s (2 minutes' worth at 10 + 40 alerts/s, compressed in time: the replay reads entries, the wall time does not matter). Cluster: dropped from newA, back on newB; single: REDIS_URL empty, back on the same node.`, '');
    out.push('| mode | trial | recovered | received / expected | missing / dup / out of order | missing seqs | gap entries whose seq is not above an earlier one of their node (of them this tenant\'s) | accept \u2192 connect (ms) | connect \u2192 first (ms) | **connect \u2192 last (ms)** | accept \u2192 last (ms) | stream length | server recovery metrics |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const r of rep) {
      out.push(`| ${r.mode} | ${r.trial === 0 ? '0 (warm-up)' : r.trial} | ${r.error ? `error: ${r.error}` : r.recovered} | ${fmt(r.received)} / ${fmt(r.expected)} | ${fmt(r.missing)} / ${fmt(r.duplicates)} / ${fmt(r.outOfOrder)} | ${(r.missingSeqs || []).join(' ') || '-'} | ${r.stream ? `${r.stream.seqNotAboveAnEarlierOfItsNode} of ${r.stream.entriesAfterOffset} (${r.stream.ofThemThisTenantsSeqs.join(' ') || 'none'})` : '-'} | ${fmt(r.acceptToConnectMs)} | ${fmt(r.connectToFirstMs)} | **${fmt(r.connectToLastMs)}** | ${fmt(r.acceptToLastMs)} | ${fmt(r.streamLength)} | ${JSON.stringify(r.serverRecoveryMetrics || {})} |`);
    }
    const med = (mode, k) => median(rep.filter((r) => r.mode === mode && r.trial > 0 && !r.error).map((r) => r[k]));
    out.push('', `Trials 1..${Math.max(...rep.map((r) => r.trial))} (the warm-up excluded): median connect \u2192 last: cluster ${fmt(med('cluster', 'connectToLastMs'))} ms, single ${fmt(med('single', 'connectToLastMs'))} ms (cluster/single ${ratio(med('cluster', 'connectToLastMs'), med('single', 'connectToLastMs'))}); accept \u2192 last: cluster ${fmt(med('cluster', 'acceptToLastMs'))} ms, single ${fmt(med('single', 'acceptToLastMs'))} ms.`, '');
  }
  console.log(out.join('\n'));
}

const cmd = process.argv[2];
if (cmd === 'memory') await memory();
else if (cmd === 'replay') await replay();
else if (cmd === 'report' && process.argv[3]) report(process.argv[3]);
else { console.error('usage: node recovery-figures.mjs memory|replay|report <dir>'); process.exit(2); }
