"""Accounts and devices are managed (CONTRACT v2; docs/security.md "Accounts, devices and tokens"):
the command line and the admin's API, against a real server. After a password change, a disable, a
removal, a device revoke or rotate, the old tokens answer 401 `token_invalid` at once."""
from __future__ import annotations

import time

import pytest
import requests

from contract_helpers import assert_error
from harness import PASSWORD, Client, demo_config, login, run_cli, unique

NEW_PASSWORD = "a-new-pass-2026"


def refused_token(client: Client) -> None:
    r = client.get("/me")
    assert r.status_code == 401, r.text
    assert r.json()["error"]["reason"] == "token_invalid"


def sign_in(server, username: str, password: str) -> requests.Response:
    return requests.post(server.api + "/auth/login", json={"username": username, "password": password}, timeout=30)


def new_clerk(hall) -> tuple[str, Client]:
    name = unique("clerk")
    return name, hall.add_clerk(name, None)


def new_kiosk(hall) -> tuple[str, str]:
    name = unique("kiosk")
    r = run_cli("devices", "add", name, "--kind", "kiosk", db=hall.db)
    assert r.returncode == 0, r.stderr
    return name, r.stdout.strip().splitlines()[-1]


# ---------------------------------------------------------------- the command line
def test_cli_passwd_ends_old_tokens_and_the_new_password_works(hall):
    name, clerk = new_clerk(hall)
    other_session = login(hall.server, name)
    r = run_cli("users", "passwd", name, "--password-stdin", db=hall.db, stdin=NEW_PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    refused_token(clerk)
    refused_token(other_session)
    assert sign_in(hall.server, name, PASSWORD).status_code == 401
    assert sign_in(hall.server, name, NEW_PASSWORD).status_code == 200
    short = run_cli("users", "passwd", name, "--password-stdin", db=hall.db, stdin="short\n")
    assert short.returncode == 1 and "at least" in short.stderr
    missing = run_cli("users", "passwd", "nobody-here", "--password-stdin", db=hall.db, stdin=NEW_PASSWORD + "\n")
    assert missing.returncode == 1 and "nobody-here" in missing.stderr


def test_cli_disable_enable_remove(hall):
    name, clerk = new_clerk(hall)
    assert run_cli("users", "disable", name, db=hall.db).returncode == 0
    refused_token(clerk)
    assert sign_in(hall.server, name, PASSWORD).status_code == 401
    assert run_cli("users", "enable", name, db=hall.db).returncode == 0
    again = login(hall.server, name)
    assert again.get("/me").status_code == 200
    assert run_cli("users", "remove", name, db=hall.db).returncode == 0
    refused_token(again)
    assert sign_in(hall.server, name, PASSWORD).status_code == 401
    assert name not in [u["username"] for u in hall.admin.get("/users").json()["users"]]
    assert run_cli("users", "remove", name, db=hall.db).returncode == 1


def test_cli_unlock_clears_a_users_failures(hall):
    name, _clerk = new_clerk(hall)
    for _ in range(5):
        assert sign_in(hall.server, name, "guess-guess").status_code == 401
    assert sign_in(hall.server, name, PASSWORD).status_code == 429
    r = run_cli("users", "unlock", name, db=hall.db)
    assert r.returncode == 0, r.stderr
    assert sign_in(hall.server, name, PASSWORD).status_code == 200


def test_cli_devices_list_revoke_rotate(hall):
    name, token = new_kiosk(hall)
    kiosk = Client(hall.server, token)
    assert kiosk.get("/me").json()["name"] == name
    listed = run_cli("devices", "list", db=hall.db)
    assert listed.returncode == 0, listed.stderr
    line = next(line for line in listed.stdout.splitlines() if line.split()[0] == name)
    assert "kiosk" in line and "issued" in line and "active" in line

    rotated = run_cli("devices", "rotate", name, db=hall.db)
    assert rotated.returncode == 0, rotated.stderr
    new_token = rotated.stdout.strip().splitlines()[-1]
    assert new_token != token and len(new_token) >= 40
    refused_token(kiosk)
    assert Client(hall.server, new_token).get("/me").json()["name"] == name

    assert run_cli("devices", "revoke", name, db=hall.db).returncode == 0
    refused_token(Client(hall.server, new_token))
    revoked = next(line for line in run_cli("devices", "list", db=hall.db).stdout.splitlines()
                   if line.split()[0] == name)
    assert "revoked" in revoked
    assert run_cli("devices", "revoke", "no-such-device", db=hall.db).returncode == 1


# ---------------------------------------------------------------- the admin's API
def test_api_lists_users_and_changes_them(hall):
    name, clerk = new_clerk(hall)
    users = hall.admin.get("/users")
    assert users.status_code == 200, users.text
    mine = next(u for u in users.json()["users"] if u["username"] == name)
    assert mine["role"] == "clerk" and mine["active"] is True and mine["tokens"] >= 1
    assert "password_hash" not in mine

    assert hall.admin.post(f"/users/{name}/password", {"password": NEW_PASSWORD}).status_code == 200
    refused_token(clerk)
    clerk = login(hall.server, name, NEW_PASSWORD)
    assert hall.admin.post(f"/users/{name}/disable").json()["user"]["active"] is False
    refused_token(clerk)
    assert sign_in(hall.server, name, NEW_PASSWORD).status_code == 401
    assert hall.admin.post(f"/users/{name}/enable").json()["user"]["active"] is True
    clerk = login(hall.server, name, NEW_PASSWORD)
    assert hall.admin.delete(f"/users/{name}").status_code == 200
    refused_token(clerk)
    assert_error(hall.admin.delete(f"/users/{name}"), 404, "not_found", "unknown_user")
    assert_error(hall.admin.post(f"/users/{name}/disable"), 404, "not_found", "unknown_user")
    assert_error(hall.admin.post("/users/admin/password", {"password": "short"}), 400, "invalid", "password_too_short")


def test_the_admin_cannot_lock_itself_out(hall):
    assert_error(hall.admin.post("/users/admin/disable"), 409, "conflict", "own_account")
    assert_error(hall.admin.delete("/users/admin"), 409, "conflict", "own_account")
    assert hall.admin.get("/me").status_code == 200


def test_api_devices_list_revoke_rotate(hall):
    name, token = new_kiosk(hall)
    listed = hall.admin.get("/device-tokens")
    assert listed.status_code == 200, listed.text
    device = next(d for d in listed.json()["devices"] if d["name"] == name)
    assert device["kind"] == "kiosk" and device["revoked"] is False and device["issued_at"] and device["age_days"] == 0

    rotated = hall.admin.post(f"/device-tokens/{name}/rotate")
    assert rotated.status_code == 200, rotated.text
    new_token = rotated.json()["token"]
    refused_token(Client(hall.server, token))
    kiosk = Client(hall.server, new_token)
    assert kiosk.post("/tickets", {"matter": "rst-sbk"}).status_code == 201
    assert hall.admin.post(f"/device-tokens/{name}/revoke").status_code == 200
    refused_token(kiosk)
    assert next(d for d in hall.admin.get("/device-tokens").json()["devices"] if d["name"] == name)["revoked"] is True
    # A rotate brings a revoked device back with a new token.
    back = hall.admin.post(f"/device-tokens/{name}/rotate").json()["token"]
    assert Client(hall.server, back).get("/me").status_code == 200
    assert_error(hall.admin.post("/device-tokens/nothing-here/revoke"), 404, "not_found", "unknown_device")


def test_staff_change_their_own_password_with_the_old_one(hall):
    name, clerk = new_clerk(hall)
    other_session = login(hall.server, name)
    assert_error(clerk.post("/auth/password", {"old_password": "not-it-at-all", "new_password": NEW_PASSWORD}),
                 403, "forbidden", "wrong_password")
    assert clerk.get("/me").status_code == 200  # a wrong old password changes nothing
    r = clerk.post("/auth/password", {"old_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert r.status_code == 200, r.text
    refused_token(clerk)
    refused_token(other_session)
    assert Client(hall.server, r.json()["token"]).get("/me").json()["name"] == name
    assert sign_in(hall.server, name, NEW_PASSWORD).status_code == 200
    assert_error(hall.kiosk.post("/auth/password", {"old_password": PASSWORD, "new_password": NEW_PASSWORD}),
                 403, "forbidden")


@pytest.mark.parametrize("method, path, body", [
    ("GET", "/users", None), ("POST", "/users/admin/password", {"password": NEW_PASSWORD}),
    ("POST", "/users/admin/disable", None), ("POST", "/users/admin/enable", None),
    ("POST", "/users/admin/unlock", None), ("DELETE", "/users/admin", None), ("GET", "/device-tokens", None),
    ("POST", "/device-tokens/kiosk-1/revoke", None), ("POST", "/device-tokens/kiosk-1/rotate", None),
    ("POST", "/sign-in/unlock", {"address": "10.0.0.1"}),
])
def test_only_the_admin_manages_accounts(hall, method, path, body):
    _name, clerk = new_clerk(hall)
    for who, status in ((clerk, 403), (hall.kiosk, 403), (Client(hall.server), 401)):
        r = requests.request(method, hall.server.api + path, json=body, headers=who.headers(), timeout=30)
        assert_error(r, status)
    assert hall.admin.get("/me").status_code == 200 and hall.kiosk.get("/me").status_code == 200


def test_staff_tokens_expire_after_the_configured_hours(fresh_hall, tmp_path):
    config = demo_config(tmp_path, "\n[security]\nstaff_token_hours = 0.001\n")  # 3.6 s
    hall = fresh_hall(config=config)
    assert hall.admin.get("/me").status_code == 200
    time.sleep(4)
    refused_token(hall.admin)
