// A Node service of the platform emitting into a Java cluster with the official Socket.IO Redis emitter:
//   REDIS_URL=redis://127.0.0.1:6379 KEY=<channel key> TENANT=<tenant> EXCEPT_SALESMAN=<salesman> node cluster-emit.mjs
// Prints "done" once every message is published.
import { createClient } from "redis";
import { Emitter } from "@socket.io/redis-emitter";

const t = process.env.TENANT;
const client = createClient({ url: process.env.REDIS_URL });
await client.connect();
const io = new Emitter(client, { key: process.env.KEY });

io.to(`tenant:${t}`).emit("visit:created", { tenantId: t, data: { visitId: "v1" }, emittedAt: Date.now() });
io.to(`tenant:${t}:managers`).emit("order:created", { tenantId: t, data: { total: 42 }, emittedAt: Date.now() });
io.to(`tenant:${t}`).except(`tenant:${t}:salesman:${process.env.EXCEPT_SALESMAN}`)
  .emit("target:progress", { tenantId: t, data: { percent: 80 }, emittedAt: Date.now() });
io.of("/admin").emit("visit:created", { tenantId: t });

await client.quit();
console.log("done");
