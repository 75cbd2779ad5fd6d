"""Bad input at scale. schemathesis generates requests from /api/v1/openapi.json (valid and invalid,
with an admin's, a supervisor's, a clerk's and a kiosk's token and with none): no answer may be a 5xx,
break its documented schema or status codes, refuse a request the document says is valid (the document
states the real limits), or accept one it says is invalid; every undeclared method is a 405 with `Allow`.
hypothesis throws arbitrary payloads at every Socket.IO event: the server must answer with the
contract's error and keep serving."""
from __future__ import annotations

import re

import pytest
import requests
import schemathesis
import socketio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from harness import PASSWORD, login


@pytest.fixture(scope="module")
def fuzz_clerk(hall):
    return hall.clerk_at("5")


@pytest.fixture(scope="module")
def operations(hall):
    hall.kiosk.post("/tickets", {"matter": "rst-sbk"})
    schema = schemathesis.openapi.from_url(hall.server.api + "/openapi.json")
    return [result.ok() for result in schema.get_all_operations()]


@pytest.fixture(scope="module")
def fuzz_supervisor(hall):
    r = hall.admin.post("/users", {"username": "fuzz-supervisor", "password": PASSWORD, "role": "supervisor"})
    assert r.status_code == 201, r.text
    return login(hall.server, "fuzz-supervisor")


# Refusals of schema-valid data for rules no JSON Schema states, each a documented reason (400 `invalid`):
# - what the hall's config lists (the document is the same for every hall): its pause reasons, queues and
#   departments;
# - relations a schema cannot express: an ID number's check digit and birth date (GB 11643), a date range
#   whose `from` is after its `to` or longer than the report allows, a rating's target that depends on
#   whose token asks (a pad's window, a tracking page's ticket).
BEYOND_THE_SCHEMA = {"unknown_pause_reason", "unknown_queue", "unknown_department",
                     "invalid_id_number", "invalid_date_range", "rating_target_required",
                     "invalid_address",  # an IPv6 address is beyond a pattern a generator can use
                     "password_unchanged"}  # two fields equal: no JSON Schema says "differs from"


def positive_data_accepted(ctx, response, case):
    """positive_data_acceptance, except for the refusals in BEYOND_THE_SCHEMA (400 with that reason)."""
    if response.status_code == 400 and response.json().get("error", {}).get("reason") in BEYOND_THE_SCHEMA:
        return None
    return positive_data_acceptance(ctx, response, case)


CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance, status_code_conformance,
          positive_data_accepted, negative_data_rejection]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
@pytest.mark.parametrize("who", ["admin", "supervisor", "clerk", "kiosk", "nobody"])
def test_api_answers_no_5xx_and_keeps_its_schema(hall, fuzz_clerk, fuzz_supervisor, operations, who, mode):
    """(schemathesis's pytest plugin does not load under pytest 9, so its strategies drive hypothesis here.)"""
    token = {"admin": hall.admin.token, "supervisor": fuzz_supervisor.token, "clerk": fuzz_clerk.token,
             "kiosk": hall.kiosk.token, "nobody": None}[who]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    session = requests.Session()
    tried, failures = 0, []
    for operation in operations:
        if operation.path.endswith("/auth/logout"):
            continue  # would end the session the other examples use

        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                  database=None)
        @given(case=operation.as_strategy(generation_mode=mode))
        def fuzz(case):
            # The token goes into the case itself, so a negative case that only lacked it is judged as sent.
            case.headers = {**(case.headers or {}), **headers}
            case.call_and_validate(base_url=hall.server.url, session=session, timeout=30, checks=CHECKS)
        try:
            fuzz()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE  # nothing in this operation can be made invalid
            continue
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 (each operation's failure is reported)
            failures.append(f"{operation.label}: {exc}"[:1500])
        tried += 1
    assert not failures, "\n\n".join(failures)
    assert tried >= (20 if mode is GenerationMode.POSITIVE else 10)


def test_every_undeclared_method_is_a_405_with_allow(hall):
    """schemathesis's unsupported_method check, over every path of the document (its coverage phase, which
    runs that check, is not driven from here)."""
    doc = requests.get(hall.server.api + "/openapi.json", timeout=10).json()
    session = requests.Session()
    for path, item in doc["paths"].items():
        url = hall.server.url + re.sub(r"\{\w+\}", "abc", path.replace("{window}", "15"))
        declared = {m.upper() for m in item}
        for method in {"GET", "POST", "PUT", "DELETE", "PATCH"} - declared:
            if any(method.lower() in other and re.fullmatch(re.sub(r"\{\w+\}", "[^/]+", template), path)
                   for template, other in doc["paths"].items() if template != path):
                continue  # another path serves it (GET /tickets/requeue is GET /tickets/{ticket_id})
            r = session.request(method, url, headers={"Authorization": f"Bearer {hall.admin.token}"}, timeout=10)
            assert r.status_code == 405, (method, path, r.status_code, r.text[:200])
            allow = {m.strip() for m in r.headers.get("Allow", "").split(",") if m.strip()}
            assert declared <= allow, (method, path, r.headers.get("Allow"))


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
    if namespace == "/display":
        # A screen's socket may send 2 events a second (docs/security.md, "Rate limits and fair share"):
        # each example gets a screen of its own, so that only the payload is under test.
        client = socketio.Client(reconnection=False)
        client.connect(hall.server.url, namespaces=[namespace], transports=["websocket"], wait_timeout=10)
    assert client.connected, "a payload cost the connection"
    try:
        answer = client.call(name, payload, namespace=namespace, timeout=5)
    except socketio.exceptions.TimeoutError:
        answer = None  # an event without a handler is not acknowledged
    finally:
        if namespace == "/display":
            assert client.connected, "a payload cost the connection"
            client.disconnect()
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
