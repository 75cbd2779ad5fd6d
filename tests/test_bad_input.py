"""Bad input is a 4xx in the contract's shape, on every database and both server layers (issue 14, points
11 and 14): NUL bytes and control characters never reach a database (PostgreSQL answered 503), nothing a
client sends can forge a log line, over-long request lines and headers get the contract's JSON error
from eventlet and gevent alike, and names and phones are real names and phones."""
from __future__ import annotations

import logging
import socket

import pytest
import requests

from contract_helpers import assert_error, refused, serve_all
from harness import PASSWORD
from server.domain.errors import Reason

NAME_TRICKS = ["\u200b张三", "张\u200b三", "\u202e三张", "张三\u2066", "\ufeff张三", "张三\x07", " 张三", "张三\n"]
PHONE_TRICKS = ["1----", "12345", "call me", "1381234123", "138123412345", "23812341234", "0731-1234", "13812341234\n"]


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db_hall(request, fresh_hall):
    """A hall on SQLite, then the same on PostgreSQL (the database that refused NUL with a 503)."""
    if request.param == "sqlite":
        return fresh_hall()
    return fresh_hall(db=request.getfixturevalue("pg_url"))


def test_nul_and_control_characters_are_refused_before_any_database(any_db_hall):
    hall = any_db_hall
    clerk = hall.clerk_at("51")
    assert hall.kiosk.post("/tickets", {"matter": "tyjr-yfrd"}).status_code == 201
    assert clerk.post("/windows/51/call-next").status_code == 200
    api = hall.server.api
    cases = [
        lambda: requests.get(api + "/tickets/%00", timeout=10),
        lambda: requests.get(api + "/tickets/%00/case", timeout=10),
        lambda: requests.get(api + "/cases/abc%00def", timeout=10),
        lambda: requests.get(api + "/tickets/x%0aFAKE", timeout=10),
        lambda: requests.post(api + "/auth/login", json={"username": "admin\x00", "password": "x"}, timeout=10),
        lambda: requests.post(api + "/auth/login", json={"username": "admin", "password": "pass\x00word"}, timeout=10),
        lambda: hall.admin.post("/users", {"username": "new\x00user", "password": PASSWORD, "role": "clerk"}),
        lambda: hall.admin.post("/users", {"username": "newuser", "password": PASSWORD, "role": "clerk\x00"}),
        lambda: hall.admin.get("/cases", params={"status": "in_review\x00"}),
        lambda: hall.admin.get("/stats", params={"floor\x00": "1"}),
        lambda: clerk.post("/windows/51/route", {"applicant": {"name": "张三", "phone": "13812341234"},
                                                  "note": "材料\x00齐全"}),
        lambda: clerk.post("/windows/51/route", {"applicant": {"name": "张三", "phone": "13812341234"},
                                                  "note": "bell\x07"}),
        lambda: clerk.post("/windows/51/route", {"applicant": {"name": "张三", "phone": "13812341234"},
                                                  "no\x00te": "x"}),
        lambda: clerk.post("/windows/51/transfer", {"queue": "\ud800"}),
        lambda: hall.kiosk.post("/tickets", {"matter": "rst-sbk", "id_card": {"number": "11010519491231002X",
                                                                               "name": "张\x00三"}}),
    ]
    for request in cases:
        err = refused(hall, request, 400, "invalid")
        assert err["reason"] in {Reason.CONTROL_CHARACTERS, Reason.INVALID_PATH_PARAMETER, Reason.INVALID_NAME,
                                 Reason.INVALID_FIELD}, err
    # Line breaks and tabs are fine in a note; the case is routed with them.
    r = clerk.post("/windows/51/route", {"applicant": {"name": "张三", "phone": "13812341234"}, "note": "材料齐全\n\t待补"})
    assert r.status_code == 201, r.text
    assert "database error" not in hall.server.log(), hall.server.log()[-2000:]
    serve_all(clerk, "51")


def test_a_client_cannot_forge_a_log_line(fresh_hall, pg_url):
    """On PostgreSQL a NUL in the path used to fail in the database, and the path went to the log as it
    was: `%0a` started a line of the client's choosing."""
    hall = fresh_hall(db=pg_url)
    for path in ("/tickets/%00%0aFAKE%20LINE", "/tickets/x%0aFAKE%20LINE", "/tickets/%00%0dFAKE%20LINE/case",
                 "/no-such%0aFAKE%20LINE"):
        requests.get(hall.server.api + path, timeout=10)  # refused (test above); here: what reaches the log
    hall.server.stop()  # the log is complete
    lines = hall.server.log().splitlines()
    assert not [line for line in lines if line.startswith("FAKE")], lines


def test_log_records_stay_on_one_line_whatever_they_carry():
    """The server's formatter (hallq/logs.py): a message is escaped, a traceback's lines are indented."""
    from hallq.logs import FORMAT, OneLinePerRecord
    formatter = OneLinePerRecord(FORMAT)
    record = logging.LogRecord("hallq", logging.WARNING, __file__, 1, "on %s", ("/x\nFAKE LINE\r\x1b[2J\u202e",), None)
    text = formatter.format(record)
    assert "\n" not in text and "\r" not in text and "\x1b" not in text and "\u202e" not in text
    assert "/x\\nFAKE LINE\\r\\x1b[2J\\u202e" in text
    try:
        raise ValueError("bad\nFAKE LINE")
    except ValueError:
        import sys
        record = logging.LogRecord("hallq", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    lines = formatter.format(record).splitlines()
    assert all(line.startswith("    ") for line in lines[1:]) and not any(line.startswith("FAKE") for line in lines)


@pytest.mark.parametrize("async_mode", ["eventlet", "gevent"])
def test_over_long_request_lines_and_headers_get_the_contracts_error(fresh_hall, async_mode):
    hall = fresh_hall(async_mode)
    api = hall.server.api
    r = requests.get(api + "/stats", params={"floor": "1" * 9000}, timeout=10)
    assert_error(r, 414, "invalid", Reason.REQUEST_TOO_LARGE)
    assert r.headers["Content-Type"] == "application/json"
    r = requests.get(api + "/stats", headers={"X-Big": "a" * 70_000}, timeout=10)
    assert_error(r, 431, "invalid", Reason.REQUEST_TOO_LARGE)
    r = requests.get(api + "/stats", headers={f"X-{i}": "a" for i in range(150)}, timeout=10)
    assert_error(r, 431, "invalid", Reason.REQUEST_TOO_LARGE)
    # Just under the limits is served.
    assert requests.get(api + "/stats", params={"x": "1" * 7000}, timeout=10).status_code == 200
    assert requests.get(api + "/stats", headers={f"X-{i}": "a" * 60 for i in range(90)}, timeout=10).status_code == 200
    # A request line that is not HTTP gets the contract's error too.
    raw = socket.create_connection(("127.0.0.1", hall.server.port), timeout=10)
    raw.sendall(b"GET\x01 /api/v1/stats HTTP/9.9\r\nHost: x\r\n\r\n")
    answer = raw.recv(4096)
    raw.close()
    assert answer.split(b" ", 2)[1].startswith(b"4"), answer
    assert b'"reason": "bad_request"' in answer and b"application/json" in answer, answer
    assert requests.get(api + "/health", timeout=10).status_code == 200


def test_names_refuse_invisible_and_direction_changing_characters_and_phones_must_be_real(hall):
    clerk = hall.clerk_at("51")
    assert hall.kiosk.post("/tickets", {"matter": "tyjr-yfrd"}).status_code == 201
    assert clerk.post("/windows/51/call-next").status_code == 200
    for name in NAME_TRICKS:
        assert_error(clerk.post("/windows/51/route", {"applicant": {"name": name, "phone": "13812341234"}}),
                     400, "invalid", Reason.INVALID_NAME)
        assert_error(hall.admin.post("/users", {"username": name, "password": PASSWORD, "role": "clerk"}),
                     400, "invalid", Reason.INVALID_NAME)
        assert_error(hall.kiosk.post("/tickets", {"matter": "rst-sbk", "id_card": {
            "number": "11010519491231002X", "name": name}}), 400, "invalid", Reason.INVALID_NAME)
    for phone in PHONE_TRICKS:
        assert_error(clerk.post("/windows/51/route", {"applicant": {"name": "张三", "phone": phone}}),
                     400, "invalid", Reason.INVALID_PHONE)
        assert_error(hall.kiosk.post("/tickets", {"matter": "rst-sbk", "phone": phone}), 400, "invalid",
                     Reason.INVALID_PHONE)
    assert clerk.get("/windows/51").json()["window"]["current"]["status"] == "called"  # nothing changed
    # A landline with its area code is a phone; a name with an inner space (a foreign name) is a name.
    r = clerk.post("/windows/51/route", {"applicant": {"name": "Anna Müller", "phone": "0731-88888888"}})
    assert r.status_code == 201, r.text
    assert hall.admin.post("/users", {"username": "王 五", "password": PASSWORD, "role": "clerk"}).status_code == 201


def test_the_openapi_document_states_the_text_rules(hall):
    """Every string a request body takes states its form (a pattern, an enum or a const), so a new field
    that forgot its type from server/api/fields.py shows here; path parameters state theirs too."""
    doc = requests.get(hall.server.api + "/openapi.json", timeout=10).json()
    schemas = doc["components"]["schemas"]
    loose = []

    def walk(schema, where):
        if "$ref" in schema:
            return
        for key in ("anyOf", "oneOf", "allOf"):
            for i, sub in enumerate(schema.get(key, [])):
                walk(sub, f"{where}/{key}{i}")
        if schema.get("type") == "string" and not ({"pattern", "enum", "const"} & set(schema)):
            loose.append(where)
        for name, sub in schema.get("properties", {}).items():
            walk(sub, f"{where}.{name}")
        if isinstance(schema.get("items"), dict):
            walk(schema["items"], f"{where}[]")

    bodies = {op["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
              for item in doc["paths"].values() for op in item.values() if "requestBody" in op}
    for name in sorted(bodies):
        walk(schemas[name], name)
    for name in ("IdCardIn", "ApplicantIn"):
        walk(schemas[name], name)
    assert not loose, f"request strings without a stated form: {loose}"
    for path, item in doc["paths"].items():
        for op in item.values():
            for param in op.get("parameters", []):
                if param["in"] in ("path", "query") and param["schema"].get("type") == "string":
                    assert {"pattern", "enum", "format"} & set(param["schema"]), (path, param)
