#!/usr/bin/env node
// Reads the load tool's results of one bench/run.sh run (node.jsonl, java-sqlite.jsonl, java-postgres.jsonl in the
// given folder) and prints a Markdown table: each scenario's main figures per server and the ratio Java / Node.
//   node bench/compare.mjs <results folder>
import fs from 'node:fs';
import path from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node bench/compare.mjs <results folder>');
  process.exit(2);
}

function load(name) {
  const file = path.join(dir, `${name}.jsonl`);
  if (!fs.existsSync(file)) return null;
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim().startsWith('{')).map((l) => JSON.parse(l));
}

const servers = ['node', 'java-sqlite', 'java-postgres'].map((name) => ({ name, results: load(name) }))
  .filter((s) => s.results);
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

const header = ['scenario', 'metric', ...servers.map((s) => s.name)];
for (const j of javas) if (node) header.push(`${j.name} / node`);
header.push('better');
const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];

const count = Math.max(...servers.map((s) => s.results.length));
const contaminated = [];
for (let i = 0; i < count; i++) {
  const rows = servers.map((s) => s.results[i]);
  const first = rows.find(Boolean);
  const kind = first.scenario;
  const name = title(first);
  for (const [s, r] of servers.map((sv, k) => [sv, rows[k]])) {
    const other = get(r, 'machine.otherCpuSec');
    if (typeof other === 'number' && other > 1) contaminated.push(`${s.name} / ${name}: otherCpuSec ${other}`);
  }
  if (rows.some((r) => r && r.error)) {
    lines.push(`| ${name} | error | ${rows.map((r) => (r ? (r.error || 'ok') : '-')).join(' | ')} |`);
  }
  for (const [label, pick, better] of METRICS[kind] || []) {
    const values = rows.map((r) => (!r || r.error ? undefined : (typeof pick === 'function' ? pick(r) : get(r, pick))));
    const cells = [name, label, ...values.map(fmt)];
    const nodeValue = node ? values[servers.indexOf(node)] : undefined;
    for (const j of javas) {
      if (!node) continue;
      const v = values[servers.indexOf(j)];
      cells.push(better && typeof v === 'number' && typeof nodeValue === 'number' && nodeValue !== 0
        ? `${(v / nodeValue).toFixed(2)}x` : '');
    }
    cells.push(better || '');
    lines.push(`| ${cells.join(' | ')} |`);
  }
}
console.log(lines.join('\n'));
if (contaminated.length) {
  console.log('\nContaminated (other processes used CPU during the measurement; run again on a quiet machine):');
  for (const c of contaminated) console.log(`- ${c}`);
}
