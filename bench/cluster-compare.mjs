#!/usr/bin/env node
// Reads the results of one bench/cluster.sh run (results.jsonl in the given folder) and prints Markdown tables: the
// fan-out figures per configuration (median of the rounds) with the ratios two nodes / one node, each round's main
// figures, the flood (throughput through Redis), and the measurements other processes contaminated.
//   node bench/cluster-compare.mjs <results folder>
import fs from 'node:fs';
import path from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node bench/cluster-compare.mjs <results folder>');
  process.exit(2);
}
const file = path.join(dir, 'results.jsonl');
if (!fs.existsSync(file)) {
  console.error(`no ${file}`);
  process.exit(1);
}
const results = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim().startsWith('{')).map((l) => JSON.parse(l));

const get = (o, p) => p.split('.').reduce((v, k) => (v == null ? undefined : v[k]), o);
const fmt = (v) => {
  if (v === undefined || v === null || (typeof v === 'number' && Number.isNaN(v))) return '-';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(v >= 100 ? 0 : 2);
  return String(v);
};
const median = (vs) => {
  const a = vs.filter((v) => typeof v === 'number' && !Number.isNaN(v)).sort((x, y) => x - y);
  if (a.length === 0) return undefined;
  return a.length % 2 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
};
const row = (cells) => `| ${cells.map(fmt).join(' | ')} |`;
const head = (cells) => [row(cells), `|${cells.map(() => '---').join('|')}|`];
const out = [];

// A share of the machine used by other processes above this is called contaminated.
const CONTAMINATED_SHARE = 0.1;
const contaminated = [];
const checkOther = (r, name) => {
  const m = r.machine;
  if (!m || typeof m.otherCpuSec !== 'number') return;
  const share = m.otherCpuSec / Math.max(0.01, m.wallSec * m.cores);
  if (share > CONTAMINATED_SHARE) {
    contaminated.push(`${name}: otherCpuSec ${m.otherCpuSec} in ${m.wallSec} s (${Math.round(share * 100)} % of ${m.cores} cores)`);
  }
};

// Two-node scenarios: the nodes should have published exactly the alerts posted, nothing else (presence
// broadcasts of an earlier scenario's sockets, for instance, would add server work to the window).
const extraEmits = [];
const checkEmits = (r, name, posted) => {
  if (!r.cluster || Object.keys(r.cluster).length === 0) return;
  const published = Object.values(r.cluster).reduce((s, m) => s + ((m && m.published) || 0), 0);
  if (published !== posted) extraEmits.push(`${name}: ${published} messages published by the nodes for ${posted} alerts posted`);
};

// ---------------------------------------------------------------- fan-out
const CONFIGS = [
  ['one-node', 'one node', 'S'],
  ['two-nodes-cross', '2 nodes, sockets on B', 'A'],
  ['two-nodes-split', '2 nodes, half on A, half on B', 'A'],
  ['two-nodes-local', '2 nodes, sockets on A', 'A'],
];
const errors = results.filter((r) => r.error);
const fan = Object.fromEntries(CONFIGS.map(([label]) => [label, results.filter((r) => r.scenario === 'fanout' && r.label === label)]));
const present = CONFIGS.filter(([label]) => fan[label].length);
const base = 'one-node';

if (present.length) {
  const first = present.map(([l]) => fan[l][0])[0];
  const rounds = Math.max(...present.map(([l]) => fan[l].length));
  out.push(`Fan-out: ${first.n} sockets of one tenant x ${first.alerts} alerts (POST /emit/alert, ${first.spacingMs} ms apart), `
    + `median of ${rounds} round(s); alerts are posted to S (one node) or A (two nodes)`, '');
  // metric label, value of one result, which way is better
  const postedTo = (r, conf) => get(r, `byNode.${conf[2]}`);
  const otherNode = (r) => get(r, 'byNode.B');
  const METRICS = [
    ['received / expected (all rounds)', null, null],
    ['lost (all rounds)', null, null],
    ['received twice / out of order (all rounds)', null, null],
    ['delivery latency p50 ms', (r) => get(r, 'latencyMs.p50'), 'lower'],
    ['delivery latency p99 ms', (r) => get(r, 'latencyMs.p99'), 'lower'],
    ['delivery latency max ms', (r) => get(r, 'latencyMs.max'), 'lower'],
    ['p50 ms, sockets on the node posted to', (r, c) => (c[0] === 'two-nodes-cross' ? undefined : get(postedTo(r, c), 'latencyMs.p50')), 'lower'],
    ['p99 ms, sockets on the node posted to', (r, c) => (c[0] === 'two-nodes-cross' ? undefined : get(postedTo(r, c), 'latencyMs.p99')), 'lower'],
    ['p50 ms, sockets on the other node (B)', (r, c) => (c[2] === 'S' ? undefined : get(otherNode(r), 'latencyMs.p50')), 'lower'],
    ['p99 ms, sockets on the other node (B)', (r, c) => (c[2] === 'S' ? undefined : get(otherNode(r), 'latencyMs.p99')), 'lower'],
    ['REST call p50 ms', (r) => get(r, 'restCallMs.p50'), 'lower'],
    ['server CPU s, all nodes under test', (r) => get(r, 'server.cpuSec'), 'lower'],
    ['server CPU s, node S / A', (r, c) => get(r, `server.byNode.${c[2]}`), 'lower'],
    ['server CPU s, node B', (r) => get(r, 'server.byNode.B'), 'lower'],
    ['server CPU µs per delivery', (r) => r.cpuUsPerDelivery, 'lower'],
    ['of which JIT compiler threads, s', (r) => get(r, 'server.jitCpuSec'), null],
    ['server CPU µs per delivery without JIT threads', (r) => r.cpuUsPerDeliveryWithoutJit, 'lower'],
    ['redis-server CPU s (shared Redis)', (r) => get(r, 'machine.redisCpuSec'), null],
    ['messages published on A / received on B (all rounds)', null, null],
    ['otherCpuSec (max of rounds)', null, null],
  ];
  const names = present.map(([, name]) => name);
  const ratioNames = present.filter(([l]) => l !== base && fan[base].length).map(([, name]) => `${name} / one node`);
  out.push(...head(['metric', ...names, ...ratioNames, 'better']));
  for (const [label, pick, better] of METRICS) {
    let values;
    if (label.startsWith('received / expected')) {
      values = present.map(([l]) => `${fan[l].reduce((s, r) => s + r.received, 0)}/${fan[l].reduce((s, r) => s + r.expected, 0)}`);
    } else if (label.startsWith('lost')) {
      values = present.map(([l]) => fan[l].reduce((s, r) => s + r.lost, 0));
    } else if (label.startsWith('received twice')) {
      values = present.map(([l]) => `${fan[l].reduce((s, r) => s + (r.duplicates ?? 0), 0)} / ${fan[l].reduce((s, r) => s + (r.outOfOrder ?? 0), 0)}`);
    } else if (label.startsWith('messages published')) {
      values = present.map(([l]) => (l === base ? undefined : `${fan[l].reduce((s, r) => s + (get(r, 'cluster.A.published') ?? NaN), 0)}`
        + ` / ${fan[l].reduce((s, r) => s + (get(r, 'cluster.B.received') ?? NaN), 0)}`
        + ` (dropped ${fan[l].reduce((s, r) => s + (get(r, 'cluster.A.dropped') ?? 0) + (get(r, 'cluster.B.dropped') ?? 0), 0)})`));
    } else if (label.startsWith('otherCpuSec')) {
      values = present.map(([l]) => Math.max(...fan[l].map((r) => get(r, 'machine.otherCpuSec') ?? 0)));
    } else {
      values = present.map((c) => median(fan[c[0]].map((r) => pick(r, c))));
    }
    const baseValue = values[present.findIndex(([l]) => l === base)];
    const ratios = present.filter(([l]) => l !== base && fan[base].length).map(([l]) => {
      const v = values[present.findIndex(([x]) => x === l)];
      return better && typeof v === 'number' && typeof baseValue === 'number' && baseValue !== 0 ? `${(v / baseValue).toFixed(2)}x` : '';
    });
    out.push(row([label, ...values, ...ratios, better || '']));
  }

  out.push('', 'Each round (in the order they ran):', '');
  out.push(...head(['round', 'configuration', 'received / expected', 'p50 ms', 'p99 ms', 'server CPU s', 'JIT s', 'CPU µs / delivery', 'otherCpuSec', 'window s']));
  for (let i = 0; i < rounds; i++) {
    for (const [l, name] of present) {
      const r = fan[l][i];
      if (!r) continue;
      checkOther(r, `round ${i + 1}, ${name}`);
      checkEmits(r, `round ${i + 1}, ${name}`, r.alerts);
      out.push(row([i + 1, name, `${r.received}/${r.expected}`, get(r, 'latencyMs.p50'), get(r, 'latencyMs.p99'),
        get(r, 'server.cpuSec'), get(r, 'server.jitCpuSec'), r.cpuUsPerDelivery, get(r, 'machine.otherCpuSec'), get(r, 'machine.wallSec')]));
    }
  }
}

// The split scenario's sockets on A and on B get the very same alerts at the very same moments: their latencies,
// side by side per round, show the cost of the Redis hop with the machine's noise shared by both.
if (fan['two-nodes-split'] && fan['two-nodes-split'].length) {
  out.push('', 'Same alerts, sockets on A (local) against sockets on B (through Redis), in the half-and-half scenario:', '');
  out.push(...head(['round', 'p50 ms on A', 'p50 ms on B', 'B / A', 'p99 ms on A', 'p99 ms on B', 'B / A', 'otherCpuSec']));
  const ratio = (x, y) => (typeof x === 'number' && typeof y === 'number' && x > 0 ? `${(y / x).toFixed(2)}x` : '');
  fan['two-nodes-split'].forEach((r, i) => {
    const a = get(r, 'byNode.A.latencyMs') || {}; const b = get(r, 'byNode.B.latencyMs') || {};
    out.push(row([i + 1, a.p50, b.p50, ratio(a.p50, b.p50), a.p99, b.p99, ratio(a.p99, b.p99), get(r, 'machine.otherCpuSec')]));
  });
}

// ---------------------------------------------------------------- flood
for (const r of results.filter((x) => x.scenario === 'flood')) {
  checkOther(r, 'flood');
  checkEmits(r, 'flood', r.emitsAccepted);
  out.push('', `Throughput through Redis: ${r.connected} sockets on B, POST /emit/alert to A from ${r.callers} concurrent `
    + `callers for ${r.durationSec} s, then up to the drain limit for the deliveries`, '');
  out.push(...head(['metric', 'value']));
  const pub = get(r, 'cluster.A.published'); const recB = get(r, 'cluster.B.received');
  const drop = (get(r, 'cluster.A.dropped') ?? 0) + (get(r, 'cluster.B.dropped') ?? 0);
  const lostConn = Object.entries(r.lostConnections || {}).map(([k, v]) => `${k}: ${v}`).join(', ') || 'none';
  const rows = [
    ['emits accepted (REST 200) / attempted', `${r.emitsAccepted}/${r.emitsAttempted}`],
    ['REST statuses', Object.entries(r.restStatus || {}).map(([k, v]) => `${k}: ${v}`).join(', ')],
    ['emits/s accepted by A (over the send window)', r.emitsPerSec],
    ['published on A (cluster.messages.published)', pub],
    ['published/s on A during the send window', r.publishedPerSec],
    ['received on B (cluster.messages.received)', recB],
    ['dropped on A + B (cluster.messages.dropped)', drop],
    ['lost between A and B (published - received)', typeof pub === 'number' && typeof recB === 'number' ? pub - recB : undefined],
    ['deliveries received / expected', `${r.received}/${r.expected}`],
    ['deliveries lost (expected - received)', r.lost],
    ['per socket: fewest / most alerts received', `${r.minPerSocket} / ${r.maxPerSocket}`],
    ['alerts received twice by a socket', r.duplicates],
    ['sockets disconnected during the flood', lostConn],
    ['deliveries/s received (first emit to last delivery)', r.deliveriesPerSec],
    ['last delivery after the last emit\'s answer, ms', r.drainAfterLastEmitMs],
    ['delivery latency p50 / p99 / max ms', `${fmt(get(r, 'latencyMs.p50'))} / ${fmt(get(r, 'latencyMs.p99'))} / ${fmt(get(r, 'latencyMs.max'))}`],
    ['REST call p50 / p99 ms', `${fmt(get(r, 'restCallMs.p50'))} / ${fmt(get(r, 'restCallMs.p99'))}`],
    ['server CPU s, A / B', `${fmt(get(r, 'server.byNode.A'))} / ${fmt(get(r, 'server.byNode.B'))}`],
    ['server CPU µs per delivery (A + B)', r.cpuUsPerDelivery],
    ['of which JIT compiler threads s, A / B', `${fmt(get(r, 'server.jitByNode.A'))} / ${fmt(get(r, 'server.jitByNode.B'))}`],
    ['server CPU µs per delivery without JIT threads', r.cpuUsPerDeliveryWithoutJit],
    ['redis-server CPU s (shared Redis)', get(r, 'machine.redisCpuSec')],
    ['load tool CPU s / otherCpuSec / window s', `${fmt(get(r, 'machine.clientCpuSec'))} / ${fmt(get(r, 'machine.otherCpuSec'))} / ${fmt(get(r, 'machine.wallSec'))}`],
  ];
  for (const x of rows) out.push(row(x));
}

if (errors.length) {
  out.push('', 'Failed scenarios:');
  for (const e of errors) out.push(`- ${e.label || e.scenario}: ${e.error}`);
}
if (extraEmits.length) {
  out.push('', 'Other emits during the measurement (their work is in the server CPU):');
  for (const c of extraEmits) out.push(`- ${c}`);
}
if (contaminated.length) {
  out.push('', `Contaminated (other processes used more than ${CONTAMINATED_SHARE * 100} % of the machine during the measurement):`);
  for (const c of contaminated) out.push(`- ${c}`);
}
console.log(out.join('\n'));
