"""One ticket's life over HTTP against a real server: issue, call, recall, transfer, finish; the pages' files."""
import requests


def test_ticket_life(hall):
    r = hall.kiosk.post("/tickets", {"matter": "rst-sbk"})
    assert r.status_code == 201, r.text
    ticket = r.json()["ticket"]
    assert ticket["status"] == "waiting" and ticket["number"].startswith("A")
    assert ticket["floor"] == 1 and ticket["zone"] == "individual" and ticket["window"] is None

    clerk = hall.clerk_at("1")
    called = clerk.post("/windows/1/call-next").json()["ticket"]
    assert called["id"] == ticket["id"] and called["status"] == "called" and called["window"] == "1"
    assert clerk.post("/windows/1/recall").json()["ticket"]["recalls"] == 1
    tracked = hall.kiosk.get(f"/tickets/{ticket['id']}").json()["ticket"]
    assert tracked["status"] == "called" and tracked["window"] == "1"
    done = clerk.post("/windows/1/finish").json()["ticket"]
    assert done["status"] == "done"
    r = clerk.post("/windows/1/finish")
    assert r.status_code == 409 and r.json()["error"]["code"] == "conflict"


def test_a_replayed_answer_says_so(hall):
    key = {"Idempotency-Key": "smoke-replay-1"}
    first = hall.kiosk.post("/tickets", {"matter": "rst-sbk"}, headers=key)
    again = hall.kiosk.post("/tickets", {"matter": "rst-sbk"}, headers=key)
    assert first.status_code == again.status_code == 201
    assert "Idempotent-Replayed" not in first.headers and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()


def test_pages_serve_their_ui_folders_and_nothing_else(hall):
    for path in ("/kiosk", "/display", "/clerk", "/admin", "/backoffice", "/ui/common/api.js", "/ui/kiosk/kiosk.js"):
        assert requests.get(hall.server.url + path, timeout=10).status_code == 200, path
    for path in ("/ui/nope/x.js", "/ui/kiosk", "/ui/kiosk/../../pyproject.toml", "/ui/common/%2e%2e/%2e%2e/README.md"):
        r = requests.get(hall.server.url + path, timeout=10)
        assert r.status_code == 404 and "[project]" not in r.text and "# hallq" not in r.text, (path, r.status_code)
