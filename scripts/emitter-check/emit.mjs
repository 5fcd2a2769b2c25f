// Emits a fixed sequence with the official Socket.IO Redis emitter, as a Node service of the platform would:
//   REDIS_URL=redis://127.0.0.1:6379 KEY=<channel prefix> node emit.mjs
// Prints "done" once every message is published.
import { createClient } from "redis";
import { Emitter } from "@socket.io/redis-emitter";

const client = createClient({ url: process.env.REDIS_URL });
await client.connect();
const emitter = new Emitter(client, { key: process.env.KEY });

emitter.to("tenant:acme").emit("visit:created", { tenantId: "acme", data: { visitId: "v1", n: 1.5 }, emittedAt: 1 });
emitter.to("tenant:acme:managers").except("tenant:acme:salesman:s1").emit("order:created", { total: 42, items: ["a", "b"] });
emitter.to("tenant:acme").to("tenant:beta").emit("dashboard:refresh", { scope: null });
emitter.emit("maintenance", "tonight");
emitter.of("/admin").emit("other-namespace", {});

await client.quit();
console.log("done");
