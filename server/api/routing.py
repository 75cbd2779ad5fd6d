"""A small route registry over a Flask blueprint: each route declares its body and answer schemas,
bodies are validated before the handler runs, and the OpenAPI document is built from the same
declarations, so the document cannot drift from the code."""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, Response, request
from pydantic import BaseModel, ValidationError
from pydantic.json_schema import models_json_schema

from ..domain import text
from ..domain.errors import REASONS, Invalid, Reason, Unauthorized
from .fields import ID_SCHEMA, PATH_SCHEMAS
from .schemas import EmptyBody, ErrorOut

MAX_IDEMPOTENCY_KEY = 200
# Visible ASCII, spaces inside only (HTTP strips a header value's outer blanks before anyone sees them).
IDEMPOTENCY_KEY_PATTERN = rf"^[\x21-\x7e]([\x20-\x7e]{{0,{MAX_IDEMPOTENCY_KEY - 2}}}[\x21-\x7e])?$"
_ERRORS = {400: "invalid input", 401: "no or bad token", 403: "not allowed for this token",
           404: "not found", 409: "conflict with the current state", 429: "too many attempts",
           503: "the hall database or a service is unavailable"}


@dataclass(frozen=True)
class Reply:
    """A handler's answer with headers; the status is the route's."""
    body: dict
    headers: dict | None = None


@dataclass
class RouteDoc:
    method: str
    path: str
    summary: str
    body: type[BaseModel] | None
    answer: type[BaseModel]
    status: int
    auth: str
    errors: tuple[int, ...]
    query: tuple[tuple[str, str, str], ...]  # (name, type, description)
    idempotent: bool  # honours Idempotency-Key
    media_type: str = "application/json"  # of the success answer (an export: JSON lines, say)


def parse_body(model: type[BaseModel]) -> BaseModel:
    """Validate the request body against `model`; raise Invalid naming each bad field."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        raw = b"{}"
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):  # bad UTF-8 or JSON, absurd nesting, 5,000-digit numbers
        raise Invalid("The request body is not valid JSON.", Reason.BAD_JSON)
    if not isinstance(data, dict):
        raise Invalid("The request body must be a JSON object.", Reason.BAD_JSON)
    unstorable = _unstorable_text(data)
    if unstorable is not None:  # whatever the field's type: no NUL ever reaches a database
        raise Invalid(f"The request is invalid: {unstorable or 'body'}: holds a NUL byte or a lone surrogate.",
                      Reason.CONTROL_CHARACTERS, fields=[unstorable or "body"])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)[:10]
        problems = [f"{'.'.join(str(p) for p in err['loc']) or 'body'}: {err['msg']}" for err in errors]
        # A field type of fields.py names its rule (invalid_name, invalid_phone …); the rest is invalid_field.
        reason = next((Reason(err["type"]) for err in errors if err["type"] in _REASON_VALUES), Reason.INVALID_FIELD)
        raise Invalid("The request is invalid: " + "; ".join(problems) + ".", reason,
                      fields=[".".join(str(p) for p in err["loc"]) for err in errors])


_REASON_VALUES = {r.value for r in Reason}


def _unstorable_text(value, where: str = "") -> str | None:
    """Where in the parsed JSON a string (or a key) holds what no database stores, or None."""
    if isinstance(value, str):
        return None if text.storable(value) else where
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{where}.{key}" if where else str(key)
            if not text.storable(key):
                return text.for_log(path)
            found = _unstorable_text(item, path)
            if found is not None:
                return text.for_log(found)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _unstorable_text(item, f"{where}.{index}" if where else str(index))
            if found is not None:
                return found
    return None


def check_path_and_query(params: dict[str, str]) -> None:
    """Path values have the form the OpenAPI document states (a window number, or an id the server
    minted); query values are one line of storable text. Checked before any handler, so nothing
    malformed reaches a service or a database."""
    for name, value in params.items():
        schema = PATH_SCHEMAS.get(name, ID_SCHEMA)
        pattern = schema["pattern"]
        if len(value) > schema.get("maxLength", len(value)) or not re.fullmatch(pattern, value):
            if name == "window":
                raise Invalid(f"'{text.for_log(value[:20])}' is not a window number.", Reason.INVALID_WINDOW_NUMBER)
            raise Invalid(f"{name} '{text.for_log(value[:40])}' is not in the form {pattern}.",
                          Reason.INVALID_PATH_PARAMETER, parameter=name)
    for name, value in request.args.items(multi=True):
        if not (text.is_line(name) and text.is_line(value)):
            raise Invalid(f"The query parameter '{text.for_log(name[:40])}' holds a NUL byte or a control character.",
                          Reason.CONTROL_CHARACTERS, parameter=text.for_log(name[:40]))


def body_fingerprint() -> str:
    """The request body, canonicalised and hashed: a key reused with another body is refused."""
    raw = request.get_data(cache=True)
    try:
        canonical = json.dumps(json.loads(raw or b"{}"), sort_keys=True, separators=(",", ":"))
    except (ValueError, RecursionError):
        canonical = raw.decode("latin-1")
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not re.fullmatch(IDEMPOTENCY_KEY_PATTERN.strip("^$"), key):
        raise Invalid(f"Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY} visible ASCII characters (inner spaces allowed).",
                      Reason.INVALID_IDEMPOTENCY_KEY)
    return key


def _query_parameter(name: str, schema: str | dict, description: str, required: bool = False) -> dict:
    """A route's query parameter: (name, a JSON type or a whole JSON Schema, description[, required])."""
    schema = {"type": schema} if isinstance(schema, str) else dict(schema)
    if schema.get("type") == "string" and "enum" not in schema and "pattern" not in schema:
        schema["pattern"] = text.LINE_PATTERN
    return {"name": name, "in": "query", "required": required, "schema": schema, "description": description}


class Api:
    def __init__(self, name: str, prefix: str):
        self.blueprint = Blueprint(name, __name__, url_prefix=prefix)
        self.prefix = prefix
        self.routes: list[RouteDoc] = []

    def route(self, method: str, path: str, *, answer: type[BaseModel], summary: str, body: type[BaseModel] | None = None,
              status: int = 200, auth: str = "anyone", errors: tuple[int, ...] = (), query=(),
              idempotent: bool = True, media_type: str = "application/json") -> Callable:
        flask_path = re.sub(r"\{(\w+)\}", r"<\1>", path)
        if method in ("POST", "PUT") and body is None:
            body = EmptyBody

        def decorate(handler: Callable) -> Callable:
            def view(**params):
                check_path_and_query(params)
                if auth != "anyone" and "Authorization" not in request.headers:
                    raise Unauthorized("Sign in first: send a token as 'Authorization: Bearer TOKEN'.",
                                       Reason.TOKEN_MISSING)
                parsed = parse_body(body) if body is not None else None
                result = handler(parsed, **params) if body is not None else handler(**params)
                if isinstance(result, Response):
                    return result
                payload, headers = (result.body, result.headers) if isinstance(result, Reply) else (result, None)
                # Answers go through their schema too: what is served is what is documented.
                text = answer.model_validate(payload).model_dump_json()
                return Response(text, status=status, mimetype="application/json", headers=headers)
            view.__name__ = handler.__name__
            self.blueprint.add_url_rule(flask_path, endpoint=handler.__name__, view_func=view, methods=[method])
            self.routes.append(RouteDoc(method, path, summary, body, answer, status, auth,
                                        tuple(sorted(set(errors) | {400})), tuple(query),
                                        idempotent and method == "POST", media_type))
            return handler
        return decorate

    def openapi(self, title: str, version: str) -> dict:
        models = {ErrorOut}
        for r in self.routes:
            models.add(r.answer)
            if r.body:
                models.add(r.body)
        _, schemas = models_json_schema([(m, "validation" if m.__name__.endswith("Body") else "serialization")
                                         for m in sorted(models, key=lambda m: m.__name__)],
                                        ref_template="#/components/schemas/{model}")
        paths: dict = {}
        for r in self.routes:
            op: dict = {
                "summary": r.summary,
                "operationId": f"{r.method.lower()}_{re.sub(r'[^a-z0-9]+', '_', r.path.lower()).strip('_')}",
                "description": f"Who may call it: {r.auth}.",
                "responses": {str(r.status): {"description": "success", "content": {
                    r.media_type: {"schema": {"$ref": f"#/components/schemas/{r.answer.__name__}"}}}}},
            }
            for code in r.errors:
                op["responses"][str(code)] = {"description": _ERRORS.get(code, "error"), "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}
            params = [{"name": p, "in": "path", "required": True,
                       "schema": PATH_SCHEMAS.get(p, ID_SCHEMA)}
                      for p in re.findall(r"\{(\w+)\}", r.path)]
            params += [_query_parameter(*q) for q in r.query]
            if r.idempotent:
                params.append({"name": "Idempotency-Key", "in": "header", "required": False,
                               "schema": {"type": "string", "pattern": IDEMPOTENCY_KEY_PATTERN},
                               "description": "a repeat of the same request with this key returns the first answer"})
            if params:
                op["parameters"] = params
            if r.body:
                op["requestBody"] = {"required": not r.body.optional, "content": {"application/json": {
                    "schema": {"$ref": f"#/components/schemas/{r.body.__name__}"}}}}
            if r.auth != "anyone":
                op["security"] = [{"bearer": []}]
            paths.setdefault(self.prefix + r.path, {})[r.method.lower()] = op
        components = schemas.get("$defs", {})
        # Every reason an error can carry, each with what it means (CONTRACT v2: errors carry a reason).
        components["ErrorDetail"]["properties"]["reason"] = {
            "title": "Reason", "description": "the rule that refused; pages branch on code and reason",
            "oneOf": [{"const": r.value, "description": REASONS[r]} for r in Reason]}
        return {
            "openapi": "3.1.0",
            "info": {"title": title, "version": version,
                     "description": "The hall's command and query API. Errors are "
                                    "{\"error\": {\"code\", \"reason\", \"message\", \"detail\"?}}; "
                                    "changes are pushed over Socket.IO."},
            "paths": paths,
            "components": {"schemas": components,
                           "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        }
