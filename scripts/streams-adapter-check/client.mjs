// The official JavaScript client (socket.io-client 4.8) connected to server.mjs at SIO_URL, asking to join the rooms
// of ROOMS (comma separated). Prints "connected <id>", "event <name> <JSON of the arguments>",
// "disconnect <reason>", "connect_error <message>". Exits when stdin ends. Used by StreamsAdapterInteropTest.
import { io } from "socket.io-client";

const socket = io(process.env.SIO_URL, {
  transports: ["websocket"],
  reconnection: false,
  auth: { rooms: (process.env.ROOMS || "").split(",").filter((r) => r) },
});
socket.on("connect", () => console.log(`connected ${socket.id}`));
socket.on("connect_error", (e) => console.log(`connect_error ${e.message}`));
socket.on("disconnect", (reason) => console.log(`disconnect ${reason}`));
socket.onAny((event, ...args) => console.log(`event ${event} ${JSON.stringify(args)}`));

process.stdin.resume();
process.stdin.on("end", () => {
  socket.close();
  process.exit(0);
});
