"""The `hallq` command line: config check, users add, devices add."""
from __future__ import annotations

import subprocess
import sys

import pytest

from harness import PASSWORD, ROOT, run_cli


def hallq(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "hallq", *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, timeout=60)


def test_config_check_accepts_the_demo_hall():
    r = hallq("config", "check", "config/demo-hall.toml")
    assert r.returncode == 0, r.stderr
    assert "148 windows" in r.stdout and "34 departments" in r.stdout


def test_config_check_lists_every_problem_and_exits_1(tmp_path):
    broken = (ROOT / "config" / "demo-hall.toml").read_text(encoding="utf-8")
    broken = broken.replace('queues = ["shebao"]', 'queues = ["nosuchqueue"]', 1)
    broken += '\n[[devices]]\nname = "p1"\nkind = "printer"\nurl = "tcp://127.0.0.1:9100"\nprotocol = "bx5"\nattach = "window:1"\n'
    path = tmp_path / "hall.toml"
    path.write_text(broken, encoding="utf-8")
    r = hallq("config", "check", str(path))
    assert r.returncode == 1
    assert str(path) in r.stderr
    assert "queue 'nosuchqueue' is not defined" in r.stderr
    assert "devices[0]" in r.stderr and "escpos" in r.stderr


def test_config_check_of_a_missing_file_says_so(tmp_path):
    r = hallq("config", "check", str(tmp_path / "none.toml"))
    assert r.returncode == 1 and "cannot read the file" in r.stderr


def test_users_and_devices(tmp_path):
    db = f"sqlite:///{tmp_path}/h.db"
    r = run_cli("users", "add", "li", "--role", "clerk", "--department", "rst", "--password-stdin", db=db, stdin=PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    again = run_cli("users", "add", "li", "--role", "clerk", "--password-stdin", db=db, stdin=PASSWORD + "\n")
    assert again.returncode == 1 and "already exists" in again.stderr
    short = run_cli("users", "add", "wang", "--role", "admin", "--password-stdin", db=db, stdin="short\n")
    assert short.returncode == 1 and "at least 8 characters" in short.stderr
    nodept = run_cli("users", "add", "zhao", "--role", "backoffice", "--department", "nosuch", "--password-stdin",
                     db=db, stdin=PASSWORD + "\n")
    assert nodept.returncode == 1 and "no department 'nosuch'" in nodept.stderr
    first = run_cli("devices", "add", "kiosk-9", "--kind", "kiosk", db=db)
    second = run_cli("devices", "add", "screen-9", "--kind", "display", db=db)
    assert first.returncode == 0 and second.returncode == 0
    t1, t2 = first.stdout.strip().splitlines()[-1], second.stdout.strip().splitlines()[-1]
    assert len(t1) >= 40 and " " not in t1 and t1 != t2


@pytest.mark.parametrize("public_url, warned", [
    (None, "is not set"), ("http://127.0.0.1:5000", "loopback"), ("http://localhost:8080/", "loopback"),
    ("http://[::1]:5000", "loopback"), ("https://zwfw.example.cn", None), ("http://192.168.1.20:5000", None)])
def test_config_check_warns_when_the_tickets_qr_would_not_open_on_a_phone(tmp_path, public_url, warned):
    text = (ROOT / "config" / "demo-hall.toml").read_text(encoding="utf-8")
    if public_url:
        text = text.replace("\n[hall]\n", f'\n[hall]\npublic_url = "{public_url}"\n', 1)
    path = tmp_path / "hall.toml"
    path.write_text(text, encoding="utf-8")
    r = hallq("config", "check", str(path))
    assert r.returncode == 0 and "OK" in r.stdout, r.stderr  # a warning, not a failure
    if warned:
        assert "warning" in r.stderr and "public_url" in r.stderr and warned in r.stderr
    else:
        assert "warning" not in r.stderr
