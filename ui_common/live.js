// A Socket.IO link that says when it is down. socket.io reconnects by itself and resends `auth`,
// and the server answers every (re)connect with the whole current state, so a page never keeps
// showing numbers from before a drop.
/* global io */
export function connectLive(namespace, { auth, on = {}, onStatus = () => {} }) {
  const socket = io(namespace, {
    transports: ["websocket"],
    auth,
    reconnectionDelay: 500,
    reconnectionDelayMax: 3000,
    timeout: 5000,
  });
  socket.on("connect", () => onStatus("up"));
  socket.on("disconnect", () => onStatus("down"));
  socket.on("connect_error", (err) => onStatus("down", err && err.data));
  for (const [event, handler] of Object.entries(on)) socket.on(event, handler);
  onStatus("connecting");
  return socket;
}
