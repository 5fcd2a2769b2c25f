// A Node.js Socket.IO server (socket.io 4.8) with the official Redis Streams adapter, in the cluster of the Java
// nodes that use the stream STREAM on REDIS_URL (adapter: the latest, or the 0.2 line with ADAPTER=0.2; heartbeat
// every HEARTBEAT_INTERVAL ms there). Used by StreamsAdapterInteropTest.
//
// - a client joins the rooms named in its handshake auth: io("...", { auth: { rooms: ["tenant:acme"] } })
// - POST /emit {"rooms": [...], "event": "...", "args": [...]} does io.to(rooms).emit(event, ...args)
// - prints "listening <port> <adapter uid>", "joined <socket id> <rooms>", "emitted <event> <rooms>"
// - closes the Socket.IO server (the adapter appends its close) and exits when stdin ends
import { createServer } from "node:http";
import { Server } from "socket.io";
import { createClient } from "redis";
import { createAdapter as createLatest } from "@socket.io/redis-streams-adapter";
import { createAdapter as create02 } from "redis-streams-adapter-0.2";

// ADAPTER=0.2: the adapter's 0.2 line, whose heartbeats (types 1 and 2) and close (13) go through the stream
const createAdapter = process.env.ADAPTER === "0.2" ? create02 : createLatest;

const port = Number(process.env.PORT);
const redisClient = createClient({ url: process.env.REDIS_URL });
redisClient.on("error", (e) => console.log(`redis-error ${e.message}`));
await redisClient.connect();

let io;
const httpServer = createServer((req, res) => {
  if (req.method !== "POST" || req.url !== "/emit") {
    res.writeHead(404).end();
    return;
  }
  let body = "";
  req.setEncoding("utf8");
  req.on("data", (chunk) => (body += chunk));
  req.on("end", () => {
    try {
      const { rooms = [], event, args = [] } = JSON.parse(body);
      io.to(rooms).emit(event, ...args);
      console.log(`emitted ${event} ${rooms.join(",")}`);
      res.writeHead(200, { "content-type": "text/plain" }).end("emitted");
    } catch (e) {
      res.writeHead(400, { "content-type": "text/plain" }).end(String(e));
    }
  });
});

io = new Server(httpServer, {
  adapter: createAdapter(redisClient, {
    streamName: process.env.STREAM,
    channelPrefix: process.env.CHANNEL_PREFIX || "socket.io",
    heartbeatInterval: Number(process.env.HEARTBEAT_INTERVAL || 5000),
  }),
});

io.on("connection", (socket) => {
  const rooms = Array.isArray(socket.handshake.auth?.rooms) ? socket.handshake.auth.rooms : [];
  socket.join(rooms);
  console.log(`joined ${socket.id} ${rooms.join(",")}`);
});

httpServer.listen(port, "127.0.0.1", () => {
  console.log(`listening ${port} ${io.of("/").adapter.uid}`);
});

process.stdin.resume();
process.stdin.on("end", () => {
  io.close(); // each namespace's adapter closes (the 0.2 line appends its close to the stream)
  httpServer.closeAllConnections();
  // the close is appended asynchronously: give it a moment before the Redis client goes
  setTimeout(async () => {
    await redisClient.quit().catch(() => {});
    console.log("closed");
    process.exit(0);
  }, 300);
});
