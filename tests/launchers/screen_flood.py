"""A hostile screen, as its own process (as an attacker's machine would be): opens a /display socket,
writes COUNT `subscribe {"floor": 1}` events in one go (each asking for an answer), and prints one
JSON line: how many it sent, the answers it got (the first refusals in full, `ok` answers counted) and
whether the server closed the connection.

It speaks Engine.IO/Socket.IO over a raw websocket so that the flood costs it next to nothing: the
events are framed once and written with one send, as fast as the network takes them.

    python screen_flood.py URL COUNT
"""
from __future__ import annotations

import json
import sys
import time

import websocket

SUBSCRIBE = '42/display,{}["subscribe",{{"floor":1}}]'  # Socket.IO EVENT with an ack id, on /display


def main(url: str, count: int) -> None:
    # Framed before connecting: what the flood costs this process is spent before it starts.
    flood = b"".join(websocket.ABNF.create_frame(SUBSCRIBE.format(n), websocket.ABNF.OPCODE_TEXT).format()
                     for n in range(count))
    ws = websocket.create_connection(url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket",
                                     timeout=20)
    assert ws.recv().startswith("0")  # Engine.IO open
    ws.send("40/display,")
    assert ws.recv().startswith("40/display,")  # the namespace is connected
    print(json.dumps({"connected": True}), flush=True)
    sent, served, refusals, cut = count, 0, [], False
    try:
        ws.sock.sendall(flood)
    except OSError:
        cut = True
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            message = ws.recv()
        except (websocket.WebSocketException, OSError):
            cut = True
            break
        if not message:
            cut = True
            break
        if message == "2":  # Engine.IO ping
            ws.send("3")
        elif message.startswith("43/display,"):  # an answer: 43/display,ID[BODY]
            body = json.loads(message[message.index("["):])[0]
            if isinstance(body, dict) and "error" in body:
                refusals.append(body)
            elif isinstance(body, dict) and body.get("ok"):
                served += 1
    print(json.dumps({"sent": sent, "served": served, "refusals": refusals[:3], "refused": len(refusals),
                      "cut": cut}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
