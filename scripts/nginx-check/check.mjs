#!/usr/bin/env node
// Drives the service through a load balancer (nginx with deploy/nginx/salesmate-realtime.conf) with the official
// JavaScript Socket.IO client (socket.io-client 4.x), many clients at once, each from the loopback source address it
// is given (all of 127.0.0.0/8 is local on Linux), so that an address-hashing balancer spreads them over the nodes.
// Used by NginxStickySessionTest, which parses the JSON lines this prints.
//
// Each client: connect with `auth: { token }` (a salesman JWT), wait for `authenticated`, send acked
// `location:update`s (half before, half after the upgrade in mode "upgrade"), print a `ready` line; once every client
// is ready or failed print `all-ready` and wait for one `alert` (the test emits it through the REST API of the node
// the client is NOT on); then send more acked `location:update`s and print a `result` line. Last a `summary` line.
//
// Env:
//   SIO_URL          the balancer's URL, e.g. http://127.0.0.1:8080
//   CLIENTS          JSON array of { label, mode, localAddress, token }; mode: polling (polling only), upgrade
//                    (polling, then upgrade to websocket), websocket (websocket only); localAddress: source address
//   EVENTS           acked location:updates per client before the alert (default 10); half as many after it
//   EVENT_GAP_MS     pause between two events of one client (default 120: under the service's 10 events/s)
//   STEP_TIMEOUT_MS  bound on each step (default 10000)
//   ALERT_TIMEOUT_MS bound on the wait for the alert (default 30000)
//   START_GAP_MS     client n starts n times this late (default 0: all at once)
//
// Lines (one JSON object each):
//   {"type":"ready","label","mode","localAddress","sessionId","transport","acks","ackTransports":{...}}
//   {"type":"all-ready","ready":n,"failed":n}
//   {"type":"alert","label","message","tenantId","transport"}
//   {"type":"result","label","ok":true|false,"phase","error","acks","ackTransports","transport","sessionId"}
//   {"type":"summary","clientVersion","ok":n,"failed":n}
// Exit code 0 when every client succeeded, 1 otherwise, 2 on bad input.
import http from 'node:http';
import { createRequire } from 'node:module';
import { io } from 'socket.io-client';

const require = createRequire(import.meta.url);
const CLIENT_VERSION = require('socket.io-client/package.json').version;
const SIO_URL = process.env.SIO_URL;
const EVENTS = Number(process.env.EVENTS || 10);
const EVENT_GAP_MS = Number(process.env.EVENT_GAP_MS || 120);
const STEP_TIMEOUT_MS = Number(process.env.STEP_TIMEOUT_MS || 10000);
const ALERT_TIMEOUT_MS = Number(process.env.ALERT_TIMEOUT_MS || 30000);
const START_GAP_MS = Number(process.env.START_GAP_MS || 0);

let CLIENTS;
try {
  CLIENTS = JSON.parse(process.env.CLIENTS || '');
} catch (e) {
  console.error(`CLIENTS is not a JSON array: ${e.message}`);
  process.exit(2);
}
if (!SIO_URL || !Array.isArray(CLIENTS) || CLIENTS.length === 0) {
  console.error('set SIO_URL and CLIENTS (a JSON array of { label, mode, localAddress, token })');
  process.exit(2);
}

const MODES = {
  polling: { transports: ['polling'], upgrade: false },
  upgrade: { transports: ['polling', 'websocket'], upgrade: true },
  websocket: { transports: ['websocket'] },
};
for (const spec of CLIENTS) {
  if (!spec || !MODES[spec.mode] || !spec.label || !spec.token) {
    console.error(`bad client ${JSON.stringify(spec && { ...spec, token: spec.token ? '…' : undefined })}: `
      + 'needs label, token and mode polling, upgrade or websocket');
    process.exit(2);
  }
}

function print(obj) {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

function within(promise, what, ms = STEP_TIMEOUT_MS) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

// Distinct timestamps: the service stores one point per (salesman, timestamp) and answers a repeat as a duplicate.
let lastTs = 0;
function nextTimestamp() {
  lastTs = Math.max(Date.now(), lastTs + 1);
  return lastTs;
}

/** Settles once when every client has reached `ready` (or failed before): then `all-ready` is printed. */
let pendingReady = CLIENTS.length;
let readyCount = 0;
let allReadyResolve;
const allReady = new Promise((resolve) => { allReadyResolve = resolve; });
function reachedReady(ok) {
  if (ok) readyCount++;
  pendingReady--;
  if (pendingReady === 0) {
    print({ type: 'all-ready', ready: readyCount, failed: CLIENTS.length - readyCount });
    allReadyResolve();
  }
}

async function runClient(spec) {
  const mode = MODES[spec.mode];
  const state = { phase: 'connect', acks: 0, ackTransports: {}, sessionId: null };
  // One agent per client: its localAddress is the source address of every polling request and of the websocket.
  const agent = spec.localAddress ? new http.Agent({ localAddress: spec.localAddress }) : undefined;
  const socket = io(SIO_URL, {
    ...mode,
    agent,
    auth: { token: spec.token },
    forceNew: true,
    reconnection: false,
    timeout: STEP_TIMEOUT_MS,
  });
  const alerts = [];
  let alertWaiter = null;
  socket.on('alert', (alert) => {
    alerts.push(alert);
    if (alertWaiter) alertWaiter();
  });
  let dropped = null;
  socket.on('disconnect', (reason) => { dropped = reason; });
  const transport = () => (socket.io.engine && socket.io.engine.transport ? socket.io.engine.transport.name : null);
  // what the Engine.IO connection last did, for a step that times out
  let packetsIn = 0;
  let lastPacketAt = 0;
  socket.io.on('open', () => {
    socket.io.engine.on('packet', () => { packetsIn++; lastPacketAt = Date.now(); });
  });
  const engineState = () => {
    const engine = socket.io.engine;
    const t = engine && engine.transport;
    return `engine ${engine && engine.readyState}, transport ${t && t.name} ${t && t.readyState}`
      + `${t && t.name === 'polling' ? `, poll waiting ${t._polling}` : ''}, ${packetsIn} packets in, last`
      + ` ${lastPacketAt ? `${Date.now() - lastPacketAt} ms ago` : 'never'}`;
  };

  async function send(n) {
    for (let i = 0; i < n; i++) {
      if (dropped) throw new Error(`disconnected: ${dropped}`);
      const on = transport();
      // eslint-disable-next-line no-await-in-loop
      const ack = await within(socket.emitWithAck('location:update', {
        latitude: 12.9716 + i / 1000, longitude: 77.5946, accuracy: 8, timestamp: nextTimestamp(),
      }), `location:update ack ${state.acks + 1}`).catch((e) => { throw new Error(`${e.message} (${engineState()})`); });
      if (!ack || ack.success !== true || typeof ack.id !== 'string' || ack.duplicate !== false) {
        throw new Error(`bad location ack ${state.acks + 1}: ${JSON.stringify(ack)}`);
      }
      state.acks++;
      state.ackTransports[on] = (state.ackTransports[on] || 0) + 1;
      // eslint-disable-next-line no-await-in-loop
      await sleep(EVENT_GAP_MS);
    }
  }

  const failed = (e) => ({
    type: 'result', label: spec.label, ok: false, phase: state.phase, error: e.message, acks: state.acks,
    ackTransports: state.ackTransports, transport: transport(), sessionId: state.sessionId,
  });
  try {
    try {
      const welcome = new Promise((resolve) => { socket.once('authenticated', resolve); });
      await within(new Promise((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', (e) => reject(new Error(`connect_error: ${e && e.message}`
          + `${e && e.description ? ` (${e.description.message || e.description})` : ''}`)));
      }), 'connect');
      state.phase = 'authenticate';
      const authenticated = await within(welcome, 'authenticated event');
      if (!authenticated || authenticated.success !== true || !authenticated.sessionId) {
        throw new Error(`not authenticated: ${JSON.stringify(authenticated)}`);
      }
      state.sessionId = authenticated.sessionId;
      state.phase = 'events';
      const first = Math.ceil(EVENTS / 2);
      await send(first);
      if (spec.mode === 'upgrade' && transport() !== 'websocket') {
        state.phase = 'upgrade';
        await within(new Promise((resolve) => { socket.io.engine.once('upgrade', resolve); }), 'upgrade to websocket');
        state.phase = 'events';
      }
      await send(EVENTS - first);
      const expected = spec.mode === 'polling' ? 'polling' : 'websocket';
      if (transport() !== expected) throw new Error(`on transport ${transport()}, expected ${expected}`);
    } catch (e) {
      // a client that fails before `ready` says so before `all-ready` (the test reads up to there first)
      const result = failed(e);
      print(result);
      reachedReady(false);
      return result;
    }
    print({
      type: 'ready', label: spec.label, mode: spec.mode, localAddress: spec.localAddress || null,
      sessionId: state.sessionId, transport: transport(), acks: state.acks, ackTransports: state.ackTransports,
    });
    reachedReady(true);
    state.phase = 'alert';
    await within(new Promise((resolve) => {
      if (alerts.length > 0) resolve();
      else alertWaiter = resolve;
    }), 'alert', ALERT_TIMEOUT_MS);
    print({
      type: 'alert', label: spec.label, message: alerts[0].message, tenantId: alerts[0].tenantId, transport: transport(),
    });
    state.phase = 'events after the alert';
    await send(Math.ceil(EVENTS / 2));
    if (dropped) throw new Error(`disconnected: ${dropped}`);
    const result = {
      type: 'result', label: spec.label, ok: true, phase: 'done', acks: state.acks, ackTransports: state.ackTransports,
      transport: transport(), sessionId: state.sessionId, alerts: alerts.length,
    };
    print(result);
    return result;
  } catch (e) {
    const result = failed(e);
    print(result);
    return result;
  } finally {
    socket.disconnect();
    if (agent) agent.destroy();
  }
}

// Each client prints its own result line (a failure before `ready` comes before `all-ready`).
const results = await Promise.all(CLIENTS.map((spec, n) => sleep(n * START_GAP_MS).then(() => runClient(spec)).catch((e) => {
  const r = { type: 'result', label: spec.label, ok: false, phase: 'setup', error: e.message, acks: 0 };
  print(r);
  reachedReady(false); // failed before its connection existed
  return r;
})));
await allReady;
const failed = results.filter((r) => !r.ok).length;
print({ type: 'summary', clientVersion: CLIENT_VERSION, ok: results.length - failed, failed });
process.exit(failed === 0 ? 0 : 1);
