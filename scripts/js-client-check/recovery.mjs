#!/usr/bin/env node
// Connection state recovery as the official client does it (socket.io-client 4.8, Socket.IO 4.6's recovery), driven
// by a test that cuts the network in front of it. Prints one line per thing it sees, flushed at once:
//   connected <socket id> <recovered true|false>
//   disconnect <reason>
//   connect_error <message>
//   event <name> <message or latitude>
// Exits when stdin closes. Env: SIO_URL, TOKEN, TRANSPORT (websocket | polling).
import { io } from 'socket.io-client';

const socket = io(process.env.SIO_URL, {
  auth: { token: process.env.TOKEN },
  transports: [process.env.TRANSPORT || 'websocket'],
  reconnectionDelay: 200,
  reconnectionDelayMax: 500,
  timeout: 3000,
});
const say = (line) => process.stdout.write(line + '\n');
socket.on('connect', () => say(`connected ${socket.id} ${socket.recovered}`));
socket.on('disconnect', (reason) => say(`disconnect ${reason.replace(/ /g, '_')}`));
socket.on('connect_error', (err) => say(`connect_error ${err.message}`));
socket.on('alert', (payload) => say(`event alert ${payload.message}`));
socket.on('location:updated', (payload) => say(`event location:updated ${payload.latitude}`));
socket.on('typing', () => say('event typing -'));
process.stdin.on('end', () => { socket.close(); process.exit(0); });
process.stdin.resume();
