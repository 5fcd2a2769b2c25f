#!/usr/bin/env node
// Client-compatibility check with the official JavaScript Socket.IO client (socket.io-client 4.x).
//
// For each transport mode -- websocket only, polling only, polling with upgrade to websocket -- it connects twice:
// once authenticating in the handshake (`auth: { token }`) and once with the `authenticate` event, and each time sends
// a `location:update` with an ack and checks the ack. One line per transport, OK or FAIL; exit 1 on any failure.
//
// Env:
//   SIO_URL     Socket.IO URL (default http://127.0.0.1:9092)
//   TOKEN       a salesman JWT, e.g. from `java -jar target/salesmate-realtime.jar token --tenant t1 --user u1
//               --role salesman --salesman s1 config.yml`
//   JWT_SECRET  instead of TOKEN: the service's secret, to mint a salesman token here (HS256)
//   TENANT, USER_ID, SALESMAN   claims of the minted token (default t1, u1, s1)
//   STEP_TIMEOUT_MS             bound on each step (default 10000)
import { createRequire } from 'node:module';
import { io } from 'socket.io-client';
import jwt from 'jsonwebtoken';

const require = createRequire(import.meta.url);
const CLIENT_VERSION = require('socket.io-client/package.json').version;
const SIO_URL = process.env.SIO_URL || 'http://127.0.0.1:9092';
const STEP_TIMEOUT_MS = Number(process.env.STEP_TIMEOUT_MS || 10000);

function token() {
  if (process.env.TOKEN) return process.env.TOKEN;
  if (!process.env.JWT_SECRET) {
    console.error('set TOKEN (a salesman JWT) or JWT_SECRET (to mint one)');
    process.exit(2);
  }
  const salesmanId = process.env.SALESMAN || 's1';
  return jwt.sign({
    sub: process.env.USER_ID || 'u1',
    tenantId: process.env.TENANT || 't1',
    role: 'salesman',
    salesmanId,
  }, process.env.JWT_SECRET, { algorithm: 'HS256', expiresIn: '10m' });
}

const TOKEN = token();

const MODES = [
  { name: 'websocket', options: { transports: ['websocket'] }, expectTransport: 'websocket' },
  { name: 'polling', options: { transports: ['polling'], upgrade: false }, expectTransport: 'polling' },
  { name: 'polling+upgrade', options: { transports: ['polling', 'websocket'], upgrade: true }, expectTransport: 'websocket' },
];

// Distinct timestamps: the service stores one point per (salesman, timestamp) and answers a repeat as a duplicate.
let lastTs = 0;
function nextTimestamp() {
  lastTs = Math.max(Date.now(), lastTs + 1);
  return lastTs;
}

function within(promise, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer within ${STEP_TIMEOUT_MS} ms`)), STEP_TIMEOUT_MS); }),
  ]).finally(() => clearTimeout(timer));
}

function once(socket, event) {
  return new Promise((resolve) => { socket.once(event, resolve); });
}

function connected(socket) {
  return new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', (e) => reject(new Error(`connect_error: ${e && e.message}`)));
  });
}

function upgraded(socket, mode) {
  if (mode.name !== 'polling+upgrade') return Promise.resolve();
  const engine = socket.io.engine;
  if (engine.transport.name === 'websocket') return Promise.resolve();
  return new Promise((resolve) => { engine.once('upgrade', resolve); });
}

/** One connection: connect, authenticate (handshake or event), location:update with ack. Returns a short summary. */
async function run(mode, auth) {
  const options = { ...mode.options, forceNew: true, reconnection: false, timeout: STEP_TIMEOUT_MS };
  if (auth === 'handshake') options.auth = { token: TOKEN };
  const socket = io(SIO_URL, options);
  try {
    // 'authenticated' may follow the CONNECT answer at once: listen before connecting completes
    const welcome = auth === 'handshake' ? once(socket, 'authenticated') : null;
    await within(connected(socket), 'connect');
    let authenticated;
    if (auth === 'handshake') {
      authenticated = await within(welcome, 'authenticated event');
    } else {
      authenticated = await within(socket.emitWithAck('authenticate', { token: TOKEN }), 'authenticate ack');
    }
    if (!authenticated || authenticated.success !== true || !authenticated.sessionId) {
      throw new Error(`not authenticated: ${JSON.stringify(authenticated)}`);
    }
    await within(upgraded(socket, mode), 'upgrade to websocket');
    const ack = await within(socket.emitWithAck('location:update', {
      latitude: 12.9716, longitude: 77.5946, accuracy: 8, speed: 1.5, heading: 90, timestamp: nextTimestamp(),
    }), 'location:update ack');
    if (!ack || ack.success !== true || typeof ack.id !== 'string' || ack.duplicate !== false
        || typeof ack.receivedAt !== 'number') {
      throw new Error(`bad location ack: ${JSON.stringify(ack)}`);
    }
    const transport = socket.io.engine.transport.name;
    if (transport !== mode.expectTransport) {
      throw new Error(`ended on transport ${transport}, expected ${mode.expectTransport}`);
    }
    return `${auth}: ack id ${ack.id} on ${transport}`;
  } finally {
    socket.disconnect();
  }
}

let failures = 0;
console.log(`socket.io-client ${CLIENT_VERSION} -> ${SIO_URL}`);
for (const mode of MODES) {
  const parts = [];
  let ok = true;
  for (const auth of ['handshake', 'event']) {
    try {
      parts.push(await run(mode, auth)); // eslint-disable-line no-await-in-loop
    } catch (e) {
      ok = false;
      parts.push(`${auth}: ${e.message}`);
    }
  }
  if (!ok) failures++;
  console.log(`${ok ? 'OK  ' : 'FAIL'} ${mode.name.padEnd(16)} ${parts.join('; ')}`);
}
process.exit(failures === 0 ? 0 : 1);
