"""Headers a browser and a client rely on (issue 14, point 14): no other site can frame a page (a clerk's
or admin's buttons clicked through an invisible frame), browsers never sniff a content type, every page and
file says what it is, and a 405 says which methods the path serves (`Allow`, RFC 9110)."""
from __future__ import annotations

import pytest
import requests

from contract_helpers import assert_error
from server.domain.errors import Reason

PAGES = ["/kiosk", "/display?floor=1", "/display?window=15", "/clerk", "/admin", "/backoffice", "/rate?window=15",
         "/reports", "/t/abcdefgh"]
FILES = {"/ui/common/base.css": "text/css", "/ui/common/api.js": "text/javascript", "/ui/kiosk/index.html": "text/html",
         "/t/abcdefgh/qr.svg": "image/svg+xml", "/api/v1/catalog": "application/json",
         "/api/v1/openapi.json": "application/json", "/api/v1/tickets/nope": "application/json",
         "/no-such-page": "application/json"}


def protected(r: requests.Response) -> None:
    assert r.headers.get("X-Frame-Options") == "DENY", (r.url, r.headers)
    assert "frame-ancestors 'none'" in r.headers.get("Content-Security-Policy", ""), (r.url, r.headers)
    assert r.headers.get("X-Content-Type-Options") == "nosniff", (r.url, r.headers)


@pytest.mark.parametrize("page", PAGES)
def test_pages_cannot_be_framed_and_say_they_are_html(hall, page):
    r = requests.get(hall.server.url + page, timeout=10)
    assert r.status_code == 200, r.text[:200]
    assert r.headers["Content-Type"].split(";")[0] == "text/html" and "charset=utf-8" in r.headers["Content-Type"]
    protected(r)


@pytest.mark.parametrize("path,kind", sorted(FILES.items()))
def test_files_and_answers_carry_their_content_type_and_nosniff(hall, path, kind):
    r = requests.get(hall.server.url + path, timeout=10)
    assert r.headers["Content-Type"].split(";")[0].strip() == kind, (path, r.headers)
    protected(r)


@pytest.mark.parametrize("method,path,allowed", [
    ("DELETE", "/api/v1/stats", {"GET"}),
    ("POST", "/api/v1/catalog", {"GET"}),
    ("PUT", "/api/v1/tickets", {"POST"}),
    ("GET", "/api/v1/windows/15/call-next", {"POST"}),
    ("PATCH", "/api/v1/windows/15/state", {"PUT"}),
    ("POST", "/kiosk", {"GET"}),
])
def test_a_405_names_the_methods_the_path_serves(hall, method, path, allowed):
    r = requests.request(method, hall.server.url + path, timeout=10)
    assert_error(r, 405, "invalid", Reason.METHOD_NOT_ALLOWED)
    assert "Allow" in r.headers, r.headers
    assert allowed <= {m.strip() for m in r.headers["Allow"].split(",")}, r.headers["Allow"]
    protected(r)
