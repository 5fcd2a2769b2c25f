#!/usr/bin/env python3
"""A client nobody here wrote: Debian's python3-socketio against a running service.

usage: check.py <socket url> <salesman token> <manager token> <salesman id>

For each transport (websocket, then polling): a manager and a salesman connect with their token in the handshake's
auth, both get `authenticated`; the salesman sends `location:update` and gets its ack after the commit; the manager
receives `location:updated`. Over websocket, websocket-client sends the URL it connects to as its Origin, as native
apps do. Prints one line per check and exits 0 only when every check passed.
"""
import sys
import threading
import time

import socketio

URL, SALESMAN_TOKEN, MANAGER_TOKEN, SALESMAN_ID = sys.argv[1:5]
WAIT = 15
failures = []


def check(name, ok, detail=""):
    print(("PASS " if ok else "FAIL ") + name + ((": " + detail) if detail and not ok else ""), flush=True)
    if not ok:
        failures.append(name)


def client(token, transport):
    sio = socketio.Client(reconnection=False)
    got = {"authenticated": threading.Event(), "location:updated": threading.Event()}
    data = {}

    @sio.on("authenticated")
    def on_authenticated(payload):
        data["authenticated"] = payload
        got["authenticated"].set()

    @sio.on("location:updated")
    def on_location(payload, *_offset):  # room events carry the recovery offset as one more argument
        data["location:updated"] = payload
        got["location:updated"].set()

    sio.connect(URL, transports=[transport], auth={"token": token}, wait_timeout=WAIT)
    return sio, got, data


for transport in ("websocket", "polling"):
    try:
        manager, m_got, m_data = client(MANAGER_TOKEN, transport)
        salesman, s_got, s_data = client(SALESMAN_TOKEN, transport)
    except Exception as e:  # noqa: BLE001 - any failure to connect is the finding
        check(transport + " connect", False, repr(e))
        continue
    check(transport + " connect", manager.transport() == transport and salesman.transport() == transport,
          "transports " + manager.transport() + "/" + salesman.transport())
    check(transport + " authenticated", m_got["authenticated"].wait(WAIT) and s_got["authenticated"].wait(WAIT))
    ts = int(time.time() * 1000) - (1000 if transport == "websocket" else 2000)
    ack = salesman.call("location:update", {"latitude": 12.97, "longitude": 77.59, "timestamp": ts}, timeout=WAIT)
    check(transport + " location:update acked after commit",
          isinstance(ack, dict) and ack.get("success") is True and ack.get("duplicate") is False, repr(ack))
    check(transport + " manager receives location:updated", m_got["location:updated"].wait(WAIT)
          and m_data["location:updated"].get("salesmanId") == SALESMAN_ID, repr(m_data.get("location:updated")))
    salesman.disconnect()
    manager.disconnect()

print("%d failed" % len(failures), flush=True)
sys.exit(1 if failures else 0)
