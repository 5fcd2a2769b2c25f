#!/usr/bin/env node
// Reads the load tool's results of one bench/run.sh run (<server>.r<round>.jsonl for node, java-sqlite,
// java-postgres in the given folder; <server>.jsonl of older runs too) and prints Markdown: each scenario's main
// figures per server (the median over the rounds) with the ratio Java / Node, then the issue-10 targets. With
// --cold-storm (<server>-cold.r<round>.jsonl, and .extra.json beside: time to ready, JIT compiler threads' CPU) and
// --burst (<server>-burst.r<round>.jsonl) results, a table for each of those too, then the issue-18 targets.
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

/**
 * The rounds of one server: an array (per round) of arrays (per scenario) of results. A round's
 * <name>.r<round>.extra.json (what bench/run.sh measured beside the load tool) is merged into each of its results
 * as `extra`.
 */
function load(name) {
  const rounds = fs.readdirSync(dir).map((f) => f.match(new RegExp(`^${name}\\.r(\\d+)\\.jsonl$`)))
    .filter(Boolean).sort((a, b) => a[1] - b[1]).map((m) => {
      const results = parse(path.join(dir, m[0]));
      const extraFile = path.join(dir, `${name}.r${m[1]}.extra.json`);
      if (fs.existsSync(extraFile)) {
        const extra = JSON.parse(fs.readFileSync(extraFile, 'utf8'));
        for (const r of results) r.extra = extra;
      }
      return results;
    });
  const single = path.join(dir, `${name}.jsonl`);
  if (rounds.length === 0 && fs.existsSync(single)) rounds.push(parse(single));
  return rounds.length ? rounds : null;
}

const SERVER_NAMES = ['node', 'java-sqlite', 'java-postgres'];
/** The servers with results of one part of the run: '' (the scenarios), '-cold' or '-burst'. */
const serversOf = (suffix) => SERVER_NAMES.map((name) => ({ name, rounds: load(`${name}${suffix}`) }))
  .filter((s) => s.rounds);
const servers = serversOf('');
const node = servers.find((s) => s.name === 'node');
const javas = servers.filter((s) => s.name !== 'node');
const coldServers = serversOf('-cold');
const burstServers = serversOf('-burst');
if (servers.length === 0 && coldServers.length === 0 && burstServers.length === 0) {
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

/** One figure's cell: the median (or the texts) over the rounds, or with `perRound` each round's value ("r1: ...; r2: ..."). */
const cell = (s, i, pick, perRound) => (perRound
  ? s.rounds.map((round, k) => `r${k + 1}: ${fmt(pickValue(round[i], pick))}`).join('; ')
  : fmt(figure(s, i, pick)));

/**
 * The table of one part of the run: a row per scenario and metric (METRICS-like `metrics`: [label, pick, better,
 * perRound]), a column per server, the ratios Java / Node. Returns its lines, its scenarios and the contaminated
 * measurements (named with `part`, if given).
 */
function scenarioTable(list, metrics, part) {
  const nodeOf = list.find((s) => s.name === 'node');
  const javasOf = list.filter((s) => s.name !== 'node');
  const rounds = Math.max(...list.map((s) => s.rounds.length));
  const header = ['scenario', 'metric', ...list.map((s) => s.name)];
  for (const j of javasOf) if (nodeOf) header.push(`${j.name} / node`);
  header.push('better');
  const lines = [];
  if (rounds > 1) lines.push(`Median of ${rounds} rounds (servers alternating, a fresh server each round).`, '');
  lines.push(`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`);

  const count = Math.max(...list.flatMap((s) => s.rounds.map((r) => r.length)));
  const contaminated = [];
  const scenarios = [];
  for (let i = 0; i < count; i++) {
    const first = list.flatMap((s) => s.rounds.map((r) => r[i])).find(Boolean);
    const name = title(first);
    scenarios.push({ index: i, kind: first.scenario, first, name });
    for (const s of list) {
      s.rounds.forEach((round, k) => {
        const other = get(round[i], 'machine.otherCpuSec');
        if (typeof other === 'number' && other > 1) contaminated.push(`${s.name} round ${k + 1} / ${part ? `${part}: ` : ''}${name}: otherCpuSec ${other}`);
        if (round[i] && round[i].error) lines.push(`| ${name} | error (${s.name}, round ${k + 1}) | ${round[i].error} |`);
      });
    }
    for (const [label, pick, better, perRound] of metrics[first.scenario] || []) {
      const values = list.map((s) => figure(s, i, pick));
      const cells = [name, label, ...list.map((s) => cell(s, i, pick, perRound && rounds > 1))];
      const nodeValue = nodeOf ? values[list.indexOf(nodeOf)] : undefined;
      for (const j of javasOf) {
        if (nodeOf) cells.push(better ? times(ratio(values[list.indexOf(j)], nodeValue)) : '');
      }
      cells.push(better || '');
      lines.push(`| ${cells.join(' | ')} |`);
    }
  }
  return { lines, scenarios, contaminated };
}

/**
 * A targets table: [label, figure of a server, kind, op, bound] where kind 'ratio' judges Java / Node against the
 * bound, 'value' Java's figure, and 'node' Java's figure against Node's (the bound unused).
 */
function targetsTable(targets, nodeOf, javasOf) {
  const lines = [];
  const th = ['target', 'node', ...javasOf.map((j) => j.name), ...javasOf.map((j) => `${j.name} / node`), 'wanted', 'met'];
  lines.push('', `| ${th.join(' | ')} |`, `|${th.map(() => '---').join('|')}|`);
  for (const [label, of, kind, op, bound] of targets) {
    const n = of(nodeOf);
    const js = javasOf.map((j) => of(j));
    if (n === undefined && js.every((v) => v === undefined)) continue;
    const rs = js.map((v) => ratio(v, n));
    const judged = kind === 'ratio' ? rs : js;
    const against = kind === 'node' ? n : bound;
    const meets = (v) => (v === undefined || against === undefined ? '-'
      : ({ '<=': v <= against, '<': v < against, '>=': v >= against }[op] ? 'yes' : 'no'));
    const wanted = kind === 'ratio' ? `${op} ${bound.toFixed(1)}x` : (kind === 'node' ? `${op} node's` : `${op} ${bound}`);
    lines.push(`| ${[label, fmt(n), ...js.map(fmt), ...rs.map(times), wanted, judged.map(meets).join(' / ')].join(' | ')} |`);
  }
  return lines;
}

const lines = [];
const contaminated = [];

// ---------------------------------------------------------------- the scenarios, and the issue-10 targets
if (servers.length) {
  const main = scenarioTable(servers, METRICS);
  lines.push(...main.lines);
  contaminated.push(...main.contaminated);
  const { scenarios } = main;
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
  if (node && javas.length) lines.push(...targetsTable(TARGETS, node, javas));
}

// ---------------------------------------------------------------- issue 18: the cold storm and the burst fan-out
const failuresText = (r) => (r.failures && Object.keys(r.failures).length
  ? Object.entries(r.failures).map(([k, v]) => `${k}:${v}`).join(' ') : 'none');
const COLD_METRICS = {
  connect: [
    ['connected / n', (r) => (r.n ? `${r.connected}/${r.n}` : undefined), null, true],
    ['failed (timeouts and errors)', (r) => (r.n ? r.n - r.connected : undefined), 'lower'],
    ['failures by reason', failuresText, null, true],
    ['connects /s', 'connectsPerSec', 'higher'],
    ['connect latency p50 ms', 'latencyMs.p50', 'lower'],
    ['connect latency p99 ms', 'latencyMs.p99', 'lower'],
    ['connect latency max ms', 'latencyMs.max', 'lower'],
    ['server CPU s (connecting)', 'machine.serverCpuSec', 'lower'],
    ['server CPU ms per 1,000 connects', cpuPerThousandConnects, 'lower'],
    ['server CPU s (connecting and holding)', 'server.cpuSec', 'lower'],
    ['of which JIT compiler threads s (at least)', 'extra.jitCpuSec', null],
    ['server RSS MiB at ready', 'server.rssBeforeMiB', 'lower'],
    ['server RSS MiB (held)', 'server.rssMiB', 'lower'],
    ['start to ready s', 'extra.readySec', 'lower'],
    ['other processes CPU s (connecting)', 'machine.otherCpuSec', null],
  ],
};
const BURST_METRICS = {
  fanout: [
    ['received / expected', (r) => (r.expected ? `${r.received}/${r.expected}` : undefined), null, true],
    ['alert spacing ms', 'spacingMs', null],
    ['delivery latency p50 ms', 'latencyMs.p50', 'lower'],
    ['delivery latency p99 ms', 'latencyMs.p99', 'lower'],
    ['delivery latency max ms', 'latencyMs.max', 'lower'],
    ['REST call p50 ms', 'restCallMs.p50', 'lower'],
    ['REST call p99 ms', 'restCallMs.p99', 'lower'],
    ['deliveries /s (first POST to last delivery)', (r) => (r.machine && r.machine.wallSec ? r.received / r.machine.wallSec : undefined), 'higher'],
    ['server CPU s (burst)', 'server.cpuSec', 'lower'],
    ['server CPU µs per delivery', cpuPerDelivery, 'lower'],
    ['other processes CPU s', 'machine.otherCpuSec', null],
  ],
};
const issue18 = [];
const part = (list, metrics, heading, name) => {
  if (!list.length) return null;
  const t = scenarioTable(list, metrics, name);
  if (lines.length) lines.push('');
  lines.push(heading, '', ...t.lines);
  contaminated.push(...t.contaminated);
  return t;
};
const cold = part(coldServers, COLD_METRICS,
  'Cold storm: a freshly started server per round, no warm-up, the load as soon as it answers; Java with the per-address limits lifted (as behind a trusted proxy).',
  'cold storm');
if (cold) {
  const sc = cold.scenarios.find((x) => x.kind === 'connect');
  const of = (pick) => (s) => (sc ? figure(s, sc.index, pick) : undefined);
  issue18.push(
    ['cold storm: connects /s', of('connectsPerSec'), 'ratio', '>=', 1.0],
    ['cold storm: failed connects', of((r) => r.n - r.connected), 'node', '<='],
    ['cold storm: server CPU s (connecting)', of('machine.serverCpuSec'), 'ratio', '<=', 1.0],
  );
}
const burstPart = part(burstServers, BURST_METRICS,
  'Burst fan-out: alerts posted back to back (each as soon as the previous one is answered), on the warmed-up server after the scenarios.',
  'burst');
if (burstPart) {
  const sc = burstPart.scenarios.find((x) => x.kind === 'fanout');
  issue18.push(['burst fan-out: server CPU µs per delivery', (s) => (sc ? figure(s, sc.index, cpuPerDelivery) : undefined), 'ratio', '<=', 0.5]);
}
if (issue18.length) {
  // the servers of either part (the same ones, unless a part failed for one)
  const names = SERVER_NAMES.filter((n) => coldServers.some((s) => s.name === n) || burstServers.some((s) => s.name === n));
  const pick = (n) => ({ name: n, cold: coldServers.find((s) => s.name === n), burst: burstServers.find((s) => s.name === n) });
  const partOf = (label) => (label.startsWith('cold') ? 'cold' : 'burst');
  const wrap = (targets) => targets.map(([label, of, ...rest]) => [label, (srv) => (srv && srv[partOf(label)] ? of(srv[partOf(label)]) : undefined), ...rest]);
  const nodeOf = names.includes('node') ? pick('node') : undefined;
  const javasOf = names.filter((n) => n !== 'node').map(pick);
  if (nodeOf && javasOf.length) {
    lines.push('', 'Issue-18 targets (ratios within this run):');
    lines.push(...targetsTable(wrap(issue18), nodeOf, javasOf));
  }
}

console.log(lines.join('\n'));
if (contaminated.length) {
  console.log('\nContaminated (other processes used CPU during the measurement; run again on a quiet machine):');
  for (const c of contaminated) console.log(`- ${c}`);
}
