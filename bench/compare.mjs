#!/usr/bin/env node
// Reads the load tool's results of one bench/run.sh run (<server>.r<round>.jsonl for node, java-sqlite,
// java-postgres in the given folder; <server>.jsonl of older runs too) and prints Markdown: each scenario's main
// figures per server (the median over the rounds) with the ratio Java / Node, then the issue-10 targets.
//   node bench/compare.mjs <results folder>
import fs from 'node:fs';
import path from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node bench/compare.mjs <results folder>');
  process.exit(2);
}

const parse = (file) => fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim().startsWith('{'))
  .map((l) => JSON.parse(l));

/** The rounds of one server: an array (per round) of arrays (per scenario) of results. */
function load(name) {
  const rounds = fs.readdirSync(dir).map((f) => f.match(new RegExp(`^${name}\\.r(\\d+)\\.jsonl$`)))
    .filter(Boolean).sort((a, b) => a[1] - b[1]).map((m) => parse(path.join(dir, m[0])));
  const single = path.join(dir, `${name}.jsonl`);
  if (rounds.length === 0 && fs.existsSync(single)) rounds.push(parse(single));
  return rounds.length ? rounds : null;
}

const servers = ['node', 'java-sqlite', 'java-postgres'].map((name) => ({ name, rounds: load(name) }))
  .filter((s) => s.rounds);
const node = servers.find((s) => s.name === 'node');
const javas = servers.filter((s) => s.name !== 'node');
if (servers.length === 0) {
  console.error(`no results in ${dir}`);
  process.exit(1);
}

const get = (o, p) => p.split('.').reduce((v, k) => (v == null ? undefined : v[k]), o);
const fmt = (v) => {
  if (v === undefined || v === null) return '-';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(v >= 100 ? 0 : 2);
  return String(v);
};
const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  if (s.length === 0) return undefined;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
/** One figure over the rounds: the median of numbers; texts as they are, joined when the rounds differ. */
const combine = (values) => {
  if (values.some((v) => typeof v === 'number')) return median(values);
  const distinct = [...new Set(values.filter((v) => v !== undefined))];
  return distinct.length ? distinct.join(' ') : undefined;
};
const ratio = (v, n) => (typeof v === 'number' && typeof n === 'number' && n !== 0 ? v / n : undefined);
const times = (r) => (r === undefined ? '' : `${r.toFixed(2)}x`);

const cpuPerThousandConnects = (r) => (r.n ? (r.machine.serverCpuSec * 1e6) / r.n : undefined);
const cpuPerDelivery = (r) => (r.received ? (r.server.cpuSec * 1e6) / r.received : undefined);

// Metrics per scenario: [label, path or function, which way is better]
const METRICS = {
  ingest: [
    ['acked / sent', (r) => (r.sent ? `${r.acked}/${r.sent}` : undefined), null],
    ['errors', (r) => (r.errors && Object.keys(r.errors).length ? Object.entries(r.errors).map(([k, v]) => `${k}:${v}`).join(' ') : 'none'), null],
    ['acked throughput /s', 'throughputPerSec', 'higher'],
    ['ack latency p50 ms', 'ackLatencyMs.p50', 'lower'],
    ['ack latency p99 ms', 'ackLatencyMs.p99', 'lower'],
    ['ack latency max ms', 'ackLatencyMs.max', 'lower'],
    ['server CPU s', 'server.cpuSec', 'lower'],
    ['server RSS MiB', 'server.rssMiB', 'lower'],
  ],
  connect: [
    ['connected / n', (r) => (r.n ? `${r.connected}/${r.n}` : undefined), null],
    ['connects /s', 'connectsPerSec', 'higher'],
    ['connect latency p50 ms', 'latencyMs.p50', 'lower'],
    ['connect latency p99 ms', 'latencyMs.p99', 'lower'],
    ['connect latency max ms', 'latencyMs.max', 'lower'],
    ['server CPU s (connecting)', 'machine.serverCpuSec', 'lower'],
    ['server CPU ms per 1,000 connects', cpuPerThousandConnects, 'lower'],
    ['server RSS MiB (held)', 'server.rssMiB', 'lower'],
    ['RSS KiB per connection', 'server.rssPerConnKiB', 'lower'],
  ],
  fanout: [
    ['received / expected', (r) => (r.expected ? `${r.received}/${r.expected}` : undefined), null],
    ['delivery latency p50 ms', 'latencyMs.p50', 'lower'],
    ['delivery latency p99 ms', 'latencyMs.p99', 'lower'],
    ['delivery latency max ms', 'latencyMs.max', 'lower'],
    ['REST call p50 ms', 'restCallMs.p50', 'lower'],
    ['server CPU s (fan-out)', 'server.cpuSec', 'lower'],
    ['server CPU µs per delivery', cpuPerDelivery, 'lower'],
  ],
};

function title(r) {
  if (r.error) return `${r.scenario} ${(r.args || []).join(' ')}`;
  switch (r.scenario) {
    case 'ingest': return `ingest ${r.salesmen} salesmen x ${r.ratePerSec}/s x ${r.durationSec} s`;
    case 'connect': return `connect ${r.n} (${r.tenants} tenants)`;
    case 'fanout': return `fanout ${r.n} sockets x ${r.alerts} alerts`;
    default: return r.scenario;
  }
}

const pickValue = (r, pick) => (!r || r.error ? undefined : (typeof pick === 'function' ? pick(r) : get(r, pick)));
/** Scenario i of server s: its figure for `pick` over the rounds. */
const figure = (s, i, pick) => combine(s.rounds.map((round) => pickValue(round[i], pick)));

const rounds = Math.max(...servers.map((s) => s.rounds.length));
const header = ['scenario', 'metric', ...servers.map((s) => s.name)];
for (const j of javas) if (node) header.push(`${j.name} / node`);
header.push('better');
const lines = [];
if (rounds > 1) lines.push(`Median of ${rounds} rounds (servers alternating, a fresh server each round).`, '');
lines.push(`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`);

const count = Math.max(...servers.flatMap((s) => s.rounds.map((r) => r.length)));
const contaminated = [];
const scenarios = [];
for (let i = 0; i < count; i++) {
  const first = servers.flatMap((s) => s.rounds.map((r) => r[i])).find(Boolean);
  const name = title(first);
  scenarios.push({ index: i, kind: first.scenario, first, name });
  for (const s of servers) {
    s.rounds.forEach((round, k) => {
      const other = get(round[i], 'machine.otherCpuSec');
      if (typeof other === 'number' && other > 1) contaminated.push(`${s.name} round ${k + 1} / ${name}: otherCpuSec ${other}`);
      if (round[i] && round[i].error) lines.push(`| ${name} | error (${s.name}, round ${k + 1}) | ${round[i].error} |`);
    });
  }
  for (const [label, pick, better] of METRICS[first.scenario] || []) {
    const values = servers.map((s) => figure(s, i, pick));
    const cells = [name, label, ...values.map(fmt)];
    const nodeValue = node ? values[servers.indexOf(node)] : undefined;
    for (const j of javas) {
      if (node) cells.push(better ? times(ratio(values[servers.indexOf(j)], nodeValue)) : '');
    }
    cells.push(better || '');
    lines.push(`| ${cells.join(' | ')} |`);
  }
}

// ---------------------------------------------------------------- the issue-10 targets
/** [label, figure of a server (undefined when no scenario gives it), target as [op, bound], unit] */
const ofKind = (kind, pred = () => true) => scenarios.filter((sc) => sc.kind === kind && pred(sc.first));
/** Figure `pick` of the first scenario of `kind` matching `pred`, for server s. */
const firstOf = (kind, pick, pred) => (s) => {
  const sc = ofKind(kind, pred)[0];
  return sc && figure(s, sc.index, pick);
};
const perConnect = firstOf('connect', cpuPerThousandConnects, (r) => r.n < 20000);
const perDelivery = firstOf('fanout', cpuPerDelivery);
const fanoutP99 = firstOf('fanout', 'latencyMs.p99');
// the highest acked rate among the ingest scenarios where every update was acked and the ack p99 stayed <= 50 ms
const ingestAt50 = (s) => {
  const ok = ofKind('ingest').map((sc) => ({
    rate: figure(s, sc.index, 'throughputPerSec'),
    p99: figure(s, sc.index, 'ackLatencyMs.p99'),
    all: s.rounds.every((round) => round[sc.index] && !round[sc.index].error && round[sc.index].acked === round[sc.index].sent),
  })).filter((x) => x.all && typeof x.p99 === 'number' && x.p99 <= 50).map((x) => x.rate);
  return ofKind('ingest').length ? (ok.length ? Math.max(...ok) : 0) : undefined;
};
const big = (s, pick) => firstOf('connect', pick, (r) => r.n >= 20000)(s);
const TARGETS = [
  ['server CPU ms per 1,000 authenticated websocket connects', perConnect, 'ratio', '<=', 0.5],
  ['server CPU µs per delivered alert', perDelivery, 'ratio', '<=', 0.5],
  ['fan-out latency p99 ms', fanoutP99, 'ratio', '<=', 1.0],
  ['acked location updates /s at ack p99 <= 50 ms', ingestAt50, 'ratio', '>=', 2.0],
  ['20,000 sockets: failed connects', (s) => big(s, (r) => r.n - r.connected), 'value', '<=', 0],
  ['20,000 sockets: server RSS MiB held', (s) => big(s, 'server.rssMiB'), 'value', '<', 1024],
  ['20,000 sockets: connects /s', (s) => big(s, 'connectsPerSec'), 'ratio', '>=', 1.0],
];
if (node && javas.length) {
  const th = ['target', 'node', ...javas.map((j) => j.name), ...javas.map((j) => `${j.name} / node`), 'wanted', 'met'];
  lines.push('', `| ${th.join(' | ')} |`, `|${th.map(() => '---').join('|')}|`);
  for (const [label, of, kind, op, bound] of TARGETS) {
    const n = of(node);
    const js = javas.map((j) => of(j));
    if (n === undefined && js.every((v) => v === undefined)) continue;
    const rs = js.map((v) => ratio(v, n));
    const judged = kind === 'ratio' ? rs : js;
    const meets = (v) => (v === undefined ? '-' : ({ '<=': v <= bound, '<': v < bound, '>=': v >= bound }[op] ? 'yes' : 'no'));
    const wanted = kind === 'ratio' ? `${op} ${bound.toFixed(1)}x` : `${op} ${bound}`;
    lines.push(`| ${[label, fmt(n), ...js.map(fmt), ...rs.map(times), wanted, judged.map(meets).join(' / ')].join(' | ')} |`);
  }
}

console.log(lines.join('\n'));
if (contaminated.length) {
  console.log('\nContaminated (other processes used CPU during the measurement; run again on a quiet machine):');
  for (const c of contaminated) console.log(`- ${c}`);
}
