"""Frames written as encoded, without per-message compression (issue 15; docs/screens.md "What a frame
costs").

Browsers ask for permessage-deflate, and eventlet's websocket grants it: every frame is then
compressed again for every socket (each socket keeps its own compression context), the largest cost
of a push frame after the write itself (a quarter of the server's time in a call flood with 300 floor
screens). Frames are a few hundred bytes on the hall's LAN, so the server declines the extension and
clients speak plain frames, as the protocol allows (RFC 7692). Socket.IO encodes each emit once for
every socket of its rooms (socketio.Manager.emit), so a frame is now built once per emit."""
from __future__ import annotations


def without_compression(eio_server) -> None:
    """Make the Engine.IO server's websockets decline permessage-deflate: eventlet's by refusing the
    negotiation, gevent's (simple-websocket, which builds its handshake from the WSGI environ's headers)
    by not passing the client's offer on."""
    factory = eio_server._async.get("websocket")
    if factory is None:
        return
    if hasattr(factory, "_negotiate_permessage_deflate"):
        class PlainWebSocketWSGI(factory):
            def _negotiate_permessage_deflate(self, extensions):
                return None
    else:
        class PlainWebSocketWSGI(factory):
            def __call__(self, environ, start_response):
                environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
                return super().__call__(environ, start_response)

    eio_server._async = {**eio_server._async, "websocket": PlainWebSocketWSGI}
