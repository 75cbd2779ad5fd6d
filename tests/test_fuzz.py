"""Bad input at scale. schemathesis generates requests from /api/v1/openapi.json (valid and invalid,
with an admin's and a clerk's token and with none): no answer may be a 5xx or break its documented
schema. hypothesis throws arbitrary payloads at every Socket.IO event: the server must answer with
the contract's error and keep serving."""
from __future__ import annotations

import pytest
import requests
import schemathesis
import socketio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance


@pytest.fixture(scope="module")
def fuzz_clerk(hall):
    return hall.clerk_at("5")


@pytest.fixture(scope="module")
def operations(hall):
    hall.kiosk.post("/tickets", {"matter": "rst-sbk"})
    schema = schemathesis.openapi.from_url(hall.server.api + "/openapi.json")
    return [result.ok() for result in schema.get_all_operations()]


CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
@pytest.mark.parametrize("who", ["admin", "clerk", "nobody"])
def test_api_answers_no_5xx_and_keeps_its_schema(hall, fuzz_clerk, operations, who, mode):
    """(schemathesis's pytest plugin does not load under pytest 9, so its strategies drive hypothesis here.)"""
    token = {"admin": hall.admin.token, "clerk": fuzz_clerk.token, "nobody": None}[who]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    session = requests.Session()
    tried = 0
    for operation in operations:
        if operation.path == "/auth/logout":
            continue  # would end the session the other examples use

        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                  database=None)
        @given(case=operation.as_strategy(generation_mode=mode))
        def fuzz(case):
            case.call_and_validate(base_url=hall.server.api, session=session, headers=headers, timeout=30,
                                   checks=CHECKS)
        try:
            fuzz()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE  # nothing in this operation can be made invalid
            continue
        tried += 1
    assert tried >= (20 if mode is GenerationMode.POSITIVE else 10)


# ---------------------------------------------------------------- Socket.IO payloads
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**40, 2**40) | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12)
payloads = st.one_of(
    json_values,
    st.dictionaries(st.sampled_from(["floor", "window", "ticket", "token"]), json_values, max_size=3),
    st.binary(max_size=64))
EVENTS = [("/display", "subscribe"), ("/display", "no-such-event"), ("/clerk", "join"), ("/clerk", "call-next"),
          ("/admin", "subscribe")]


@pytest.fixture(scope="module")
def sockets(hall, fuzz_clerk):
    clients = {}
    for namespace, token in (("/display", None), ("/clerk", fuzz_clerk.token), ("/admin", hall.admin.token)):
        client = socketio.Client(reconnection=False)
        client.connect(hall.server.url, namespaces=[namespace], transports=["websocket"],
                       auth={"token": token} if token else None, wait_timeout=10)
        clients[namespace] = client
    yield clients
    for client in clients.values():
        client.disconnect()


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(event=st.sampled_from(EVENTS), payload=payloads)
def test_socket_payloads_never_crash_the_server(hall, sockets, event, payload):
    namespace, name = event
    client = sockets[namespace]
    assert client.connected, "a payload cost the connection"
    try:
        answer = client.call(name, payload, namespace=namespace, timeout=5)
    except socketio.exceptions.TimeoutError:
        answer = None  # an event without a handler is not acknowledged
    if answer is not None:
        assert isinstance(answer, dict)
        if "error" in answer:
            assert set(answer["error"]) - {"detail"} == {"code", "reason", "message"} and answer["error"]["message"]
        else:
            assert answer.get("ok") is True


def test_server_is_healthy_after_the_fuzz(hall, sockets):
    assert all(c.connected for c in sockets.values())
    assert sockets["/display"].call("subscribe", {"floor": 1}, namespace="/display", timeout=10) == \
        {"ok": True, "room": "floor:1"}
    assert requests.get(hall.server.api + "/health", timeout=10).status_code == 200
    assert "Traceback" not in hall.server.log(), hall.server.log()[-2000:]
