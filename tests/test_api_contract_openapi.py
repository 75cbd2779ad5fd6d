"""The public HTTP surface of CONTRACT.md: the OpenAPI document lists every route (of the contract and
of the code), its operations are well formed, its $refs resolve, its request bodies are the ones
requests are validated against, and the server's answers match their documented schemas.
"""
from __future__ import annotations

import re

import pytest
import requests

from contract_helpers import assert_error, assert_unchanged, hall_state, send
from contract_stage import ENDPOINTS, LOGIN_USER, SERVED
from harness import PASSWORD

CONTRACT_PATHS = {
    ("get", "/catalog"), ("get", "/stats"), ("post", "/tickets"), ("get", "/tickets/{ticket_id}"),
    ("post", "/auth/login"), ("get", "/windows"),
    *(("post", f"/windows/{{window}}/{c}") for c in
      ("sign-in", "call-next", "recall", "no-show", "finish", "transfer", "pause", "resume")),
    ("put", "/windows/{window}/queues"), ("put", "/windows/{window}/state"),
}


# POSTs that act (CONTRACT.md: "Idempotency-Key on a POST"); sign-in and sign-out are not excused.
IDEMPOTENT_POSTS = {"/tickets", "/users", *(f"/windows/{{window}}/{c}" for c in (
    "sign-in", "sign-out", "call-next", "recall", "no-show", "finish", "transfer", "pause", "resume"))}


@pytest.fixture(scope="module")
def openapi(hall):
    r = requests.get(hall.server.api + "/openapi.json", timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json"), r.text[:300]
    return r.json()


def _resolve(doc: dict, ref: str):
    assert ref.startswith("#/"), f"$ref outside the document: {ref}"
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and part in node, f"$ref does not resolve: {ref}"
        node = node[part]
    return node


def _refs(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                yield v
            else:
                yield from _refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from _refs(v)


def conforms(doc: dict, schema: dict, value, where: str = "$") -> list[str]:
    """A small JSON Schema check (the keywords pydantic emits): the problems, or []."""
    if "$ref" in schema:
        return conforms(doc, _resolve(doc, schema["$ref"]), value, where)
    problems = []
    if "anyOf" in schema and all(conforms(doc, s, value, where) for s in schema["anyOf"]):
        problems.append(f"{where}: {value!r} matches none of anyOf")
    for s in schema.get("allOf", []):
        problems += conforms(doc, s, value, where)
    if "oneOf" in schema and sum(not conforms(doc, s, value, where) for s in schema["oneOf"]) != 1:
        problems.append(f"{where}: {value!r} does not match exactly one of oneOf")
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{where}: {value!r} not in {schema['enum']}")
    if "const" in schema and value != schema["const"]:
        problems.append(f"{where}: {value!r} != {schema['const']!r}")
    kinds = {"string": str, "integer": int, "number": (int, float), "boolean": bool, "array": list,
             "object": dict, "null": type(None)}
    types = schema.get("type")
    if types:
        types = types if isinstance(types, list) else [types]
        ok = any(isinstance(value, kinds[t]) and not (t in ("integer", "number") and isinstance(value, bool))
                 for t in types)
        if not ok:
            return problems + [f"{where}: {value!r} is not {types}"]
    if isinstance(value, dict):
        for name in schema.get("required", []):
            if name not in value:
                problems.append(f"{where}: missing {name!r}")
        props = schema.get("properties", {})
        for name, v in value.items():
            if name in props:
                problems += conforms(doc, props[name], v, f"{where}.{name}")
            elif schema.get("additionalProperties") is False:
                problems.append(f"{where}: undocumented {name!r}")
            elif isinstance(schema.get("additionalProperties"), dict):
                problems += conforms(doc, schema["additionalProperties"], v, f"{where}.{name}")
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, v in enumerate(value):
            problems += conforms(doc, schema["items"], v, f"{where}[{i}]")
    return problems


def test_openapi_is_3_1_and_lists_every_contract_path(openapi):
    assert openapi["openapi"].startswith("3.1."), openapi["openapi"]
    assert openapi["info"]["title"] and openapi["info"]["version"]
    documented = {(m, p) for p, ops in openapi["paths"].items() for m in ops}
    missing = {(m, "/api/v1" + p) for m, p in CONTRACT_PATHS} - documented
    assert not missing, f"contract paths missing from the OpenAPI document: {sorted(missing)}"


def test_openapi_documents_every_route_in_the_code(openapi):
    from server.web.flask_app import api  # every route module registered on it
    code = {(r.method.lower(), api.prefix + r.path) for r in api.routes}
    documented = {(m, p) for p, ops in openapi["paths"].items() for m in ops}
    assert code == documented, {"undocumented": sorted(code - documented), "not in code": sorted(documented - code)}


def test_every_operation_is_well_formed(openapi):
    seen_ids = set()
    for path, ops in openapi["paths"].items():
        assert path.startswith("/api/v1/"), path
        for method, op in ops.items():
            where = f"{method.upper()} {path}"
            assert op["operationId"] not in seen_ids, f"duplicate operationId at {where}"
            seen_ids.add(op["operationId"])
            assert op.get("summary"), where
            declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert declared == set(re.findall(r"\{(\w+)\}", path)), where
            assert any(code.startswith("2") for code in op["responses"]), where
            for code, resp in op["responses"].items():
                if code.startswith("4"):
                    assert resp["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}, where
                else:  # JSON, or one other documented type (the ratings' export is JSON lines)
                    (media_type, content), = resp["content"].items()
                    assert "$ref" in content["schema"] and media_type.startswith("application/"), where
            if method in ("post", "put"):
                assert "requestBody" in op, f"{where} documents no request body"
                body = op["requestBody"]
                schema = _resolve(openapi, body["content"]["application/json"]["schema"]["$ref"])
                assert schema.get("type") == "object" and schema.get("additionalProperties") is False, where
                if not schema.get("properties"):
                    assert body["required"] is False, f"{where} takes no body but documents a required one"
                elif body["required"] is False:  # every field may be left out (call-next's `serving`)
                    assert not (schema.get("required") or schema.get("oneOf") or schema.get("anyOf")), where
                else:
                    # (a body of alternatives, such as a matter or a case number, lists them in oneOf or anyOf)
                    assert body["required"] is True and (schema.get("required") or schema.get("oneOf")
                                                         or schema.get("anyOf")), where
                headers = {p["name"]: p for p in op.get("parameters", []) if p["in"] == "header"}
                if method == "post" and path.removeprefix("/api/v1") in IDEMPOTENT_POSTS:
                    assert "Idempotency-Key" in headers, f"{where} does not document Idempotency-Key"
                if "Idempotency-Key" in headers:
                    assert method == "post" and headers["Idempotency-Key"]["schema"]["type"] == "string", where
            if op.get("security"):
                assert "401" in op["responses"], where


def test_openapi_documents_eta_range_on_tickets_and_stats(openapi):
    schemas = openapi["components"]["schemas"]
    for name in ("TicketOut", "QueueStats"):
        prop = schemas[name]["properties"]["eta_range"]
        assert "暂无窗口办理" in prop.get("description", "") or "null" in prop.get("description", ""), prop
        options = prop.get("anyOf", [prop])
        arrays = [o for o in options if o.get("type") == "array"]
        assert arrays and arrays[0]["items"]["type"] == "integer" and arrays[0]["minItems"] == arrays[0]["maxItems"] == 2, prop
        assert {"type": "null"} in options, prop


def test_every_ref_resolves(openapi):
    refs = set(_refs(openapi))
    assert refs, "the document uses no $ref at all"
    for ref in refs:
        _resolve(openapi, ref)
    schemes = openapi["components"]["securitySchemes"]
    for ops in openapi["paths"].values():
        for op in ops.values():
            for requirement in op.get("security", []):
                assert set(requirement) <= set(schemes), requirement


LIMIT_CASES = {  # refused for a length or pattern limit, which the small validator does not check
    "password-short", "queues-51-items", "username-65-chars", "password-201-chars", "username-empty",
    "password-empty", "matter-empty", "matter-33-chars", "matter-60k", "matter-chinese", "queue-33-chars",
    "queue-60k", "queue-chinese", "queues-empty-list", "department-33-chars", "department-60k", "username-60k"}


def _template(path: str) -> str:
    return re.sub(r"^/windows/\d+/", "/windows/{window}/", path)


def test_documented_request_bodies_match_what_is_accepted(openapi):
    """The schemas the document shows are the ones requests are validated against."""
    def body_schema(method, path):
        op = openapi["paths"]["/api/v1" + _template(path)][method.lower()]
        return _resolve(openapi, op["requestBody"]["content"]["application/json"]["schema"]["$ref"])
    tickets = body_schema("post", "/tickets")
    # a matter (tied to an ID card or not), a case to collect, a booking's code, or an ID card alone (check-in)
    assert [kind["required"] for kind in tickets["oneOf"]] == [["matter"], ["case"], ["appointment"], ["id_card"]]
    assert tickets["oneOf"][0]["not"] == {"anyOf": [{"required": ["case"]}, {"required": ["appointment"]},
                                                    {"required": ["pickup_code"]}]}
    # a case may come with its pickup code or the applicant's ID card (a kiosk needs one of them)
    assert tickets["oneOf"][1]["not"] == {"anyOf": [{"required": ["matter"]}, {"required": ["appointment"]}]}
    assert tickets["properties"]["priority"]["enum"] == ["normal", "green"]
    assert sorted(body_schema("post", "/auth/login")["required"]) == ["password", "username"]
    assert body_schema("post", "/windows/1/transfer")["required"] == ["queue"]
    queues = body_schema("put", "/windows/1/queues")
    assert queues["properties"]["queues"]["type"] == "array" and queues["required"] == ["queues"]
    assert body_schema("put", "/windows/1/state")["properties"]["state"]["enum"] == ["open", "paused", "closed"]
    for ep in ENDPOINTS:
        schema = body_schema(ep.method, ep.path)
        assert conforms(openapi, schema, ep.body()) == [], f"{ep.name}: the valid body does not fit its schema"
        assert conforms(openapi, schema, {**ep.body(), "unexpected": 1}), f"{ep.name}: unknown fields documented as allowed"
        for case, make in ep.fields:
            if case not in LIMIT_CASES:
                assert conforms(openapi, schema, make(ep.body())), f"{ep.name}/{case} is refused but documented as allowed"


def test_documented_paths_are_served(hall, openapi):
    """Every documented operation exists: asked without a token it answers, never 'no such path'."""
    for path, ops in openapi["paths"].items():
        concrete = path.replace("{window}", "1").replace("{ticket_id}", "no-such-ticket")
        for method in ops:
            body = {} if method in ("post", "put") else None
            before = hall_state(hall)
            r = requests.request(method, hall.server.url + concrete, json=body, timeout=30)
            assert r.status_code < 500 and r.status_code != 405, f"{method} {concrete}: {r.status_code} {r.text[:200]}"
            if r.status_code == 404:
                assert "openapi.json" not in r.json()["error"]["message"], f"{method} {concrete} is not routed"
            if r.status_code >= 400:
                assert_error(r)
            assert_unchanged(before, hall_state(hall))


def test_answers_match_their_documented_schemas(hall, stage, openapi):
    def documented(method, path, status):
        op = openapi["paths"]["/api/v1" + path][method]
        return op["responses"][str(status)]["content"]["application/json"]["schema"]
    ticket = stage.ticket["id"]
    for client, path, doc_path in [
        (stage.anonymous, "/catalog", "/catalog"), (stage.anonymous, "/stats", "/stats"),
        (stage.anonymous, "/stats?floor=2", "/stats"), (stage.anonymous, f"/tickets/{ticket}", "/tickets/{ticket_id}"),
        (stage.admin, "/windows", "/windows"), (stage.admin, f"/windows/{SERVED}", "/windows/{window}"),
        (stage.served, "/me", "/me"), (stage.kiosk, "/me", "/me"), (stage.anonymous, "/health", "/health"),
        (stage.admin, f"/tickets/{ticket}/history", "/tickets/{ticket_id}/history"),
    ]:
        r = client.get(path)
        assert r.status_code == 200, (path, r.text)
        assert conforms(openapi, documented("get", doc_path, 200), r.json()) == [], path
    err = stage.anonymous.get("/windows")
    assert conforms(openapi, documented("get", "/windows", err.status_code), err.json()) == []
    login = send(stage.anonymous, "POST", "/auth/login", {"username": LOGIN_USER, "password": PASSWORD})
    assert conforms(openapi, documented("post", "/auth/login", 200), login.json()) == []


def test_openapi_json_answer_matches_its_own_documentation(hall, openapi):
    schema = openapi["paths"]["/api/v1/openapi.json"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert conforms(openapi, schema, openapi) == []


def test_number_bounds_are_stated_in_json_schema_words(openapi):
    """pydantic writes a bound it cannot push into a validated type as `ge`/`le`, which no JSON Schema
    reader knows: a generator then sends -7479675 for a window, valid by the document, refused by us."""
    unstated = []

    def walk(node, where):
        if isinstance(node, dict):
            for bound, word in (("ge", "minimum"), ("le", "maximum"), ("gt", "exclusiveMinimum"), ("lt", "exclusiveMaximum")):
                if bound in node and node.get(word) != node[bound]:
                    unstated.append(f"{where}: {bound}={node[bound]} without {word}")
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}/{i}")
    walk(openapi, "#")
    assert not unstated, unstated
