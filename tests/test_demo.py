"""`scripts/demo` as a visitor runs it (what `make demo` runs after the install), on a free port and a
temporary state folder: it prints a back-office account for every department the hall-staffed windows
route cases to, and a one-thing case routed at window 57 is decided by each of its departments'
printed accounts and brought back; window 1's evaluator takes the line the demo prints, and the rating
pad's printed token is a pad's; Ctrl-C (SIGINT) stops the demo with status 0 and nothing left running."""
from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import psutil
import requests

from harness import ROOT, free_port, wait_for
from server.config import load_config

ONE_THING = "yjs-xsr"  # 新生儿出生一件事: 公安, 医保 and 人社 decide it at once
ONE_THING_WINDOW = "57"


def routed_by_hall_windows() -> set[str]:
    """Departments a comprehensive or one-thing window can route a case to: each one a matter of its
    queues involves."""
    config = load_config(None)
    queues = {q for w in config.windows.values() if w.kind in ("comprehensive", "one_thing") for q in w.queues}
    return {d for m in config.matters.values() if m.queue in queues for d in (m.involves or [m.department])}


class Demo:
    def __init__(self, folder: Path):
        self.port = free_port()
        self.var = folder / "var"
        self.output = folder / "demo.out"
        env = {**os.environ, "HALLQ_DEMO_VAR": str(self.var), "HALLQ_DEMO_VENV": str(Path(sys.executable).parent.parent),
               "HALLQ_LOG_LEVEL": "WARNING"}
        with self.output.open("wb") as out:  # its own session: every process it starts can be found after
            self.proc = subprocess.Popen([str(ROOT / "scripts" / "demo"), "--port", str(self.port)], cwd=ROOT, env=env,
                                         stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        self.api = f"http://127.0.0.1:{self.port}/api/v1"

    def printed(self) -> str:
        return self.output.read_text(encoding="utf-8", errors="replace")

    def up(self) -> bool:
        assert self.proc.poll() is None, f"the demo exited with {self.proc.returncode}:\n{self.printed()}"
        try:
            return requests.get(self.api + "/health", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    def session(self) -> dict[int, str]:
        """The processes of the demo's session (it leads its own): its script, server and simulator."""
        found = {}
        for p in psutil.process_iter(["pid", "cmdline", "status"]):
            try:
                if os.getsid(p.pid) == self.proc.pid and p.info["status"] != psutil.STATUS_ZOMBIE:
                    found[p.pid] = " ".join(p.info["cmdline"] or [])
            except (ProcessLookupError, PermissionError):
                pass
        return found

    def kill(self) -> None:
        """After a failure: each process of the demo's session, by its pid (the test started them)."""
        for pid in self.session():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if self.proc.poll() is None:
            self.proc.wait(10)

    def sign_in(self, username: str, password: str) -> requests.Session:
        r = requests.post(self.api + "/auth/login", json={"username": username, "password": password}, timeout=10)
        assert r.status_code == 200, r.text
        return self.as_token(r.json()["token"])

    def as_token(self, token: str) -> requests.Session:
        s = requests.Session()
        s.headers["Authorization"] = f"Bearer {token}"
        return s

    def press(self, line: str) -> None:
        """A line to the simulator, as the README says: echo 'rate 1' > var/simulator.in"""
        with (self.var / "simulator.in").open("w", encoding="utf-8") as pipe:
            pipe.write(line + "\n")


def test_the_demo_is_a_hall_to_try_and_stops_cleanly(tmp_path):
    demo = Demo(tmp_path)
    try:
        assert wait_for(demo.up, 50), demo.printed()
        printed = demo.printed()
        assert f"http://127.0.0.1:{demo.port}/kiosk" in printed and "127.0.0.1:5000" not in printed
        back_offices = dict(re.findall(r"(?m)^back-([\w-]+) / (\S+) ", printed))
        assert set(back_offices) == routed_by_hall_windows()
        api = demo.api

        # A one-thing case, routed at its window, decided by every department's printed account, returned.
        clerk2 = demo.sign_in("clerk2", re.search(r"(?m)^clerk2 / (\S+)", printed).group(1))
        kiosk = demo.as_token(re.search(r"(?m)^kiosk token:\s+(\S+)", printed).group(1))
        assert clerk2.post(f"{api}/windows/{ONE_THING_WINDOW}/sign-in").status_code == 200
        assert kiosk.post(f"{api}/tickets", json={"matter": ONE_THING}).status_code == 201
        assert clerk2.post(f"{api}/windows/{ONE_THING_WINDOW}/call-next").json()["ticket"]["matter"] == ONE_THING
        routed = clerk2.post(f"{api}/windows/{ONE_THING_WINDOW}/route",
                             json={"applicant": {"name": "张小三", "phone": "13812341234"}, "note": "材料齐全"})
        assert routed.status_code == 201, routed.text
        case = routed.json()["case"]
        departments = [d["code"] for d in case["departments"]]
        assert len(departments) == 3
        for code in departments:
            back = demo.sign_in(f"back-{code}", back_offices[code])
            assert case["id"] in [c["id"] for c in back.get(f"{api}/cases").json()]
            assert back.post(f"{api}/cases/{case['id']}/claim").status_code == 200
            decided = back.post(f"{api}/cases/{case['id']}/decide", json={"result": "approved"})
            assert decided.status_code == 200, decided.text
        returned = back.post(f"{api}/cases/{case['id']}/return")
        assert returned.status_code == 200 and returned.json()["case"]["status"] == "ready_for_pickup", returned.text

        # Window 1's evaluator, pressed through the simulator's pipe; the rating pad's token.
        clerk1 = demo.sign_in("clerk1", re.search(r"(?m)^clerk1 / (\S+)", printed).group(1))
        assert clerk1.post(f"{api}/windows/1/sign-in").status_code == 200
        ticket = kiosk.post(f"{api}/tickets", json={"matter": "rst-sbk"}).json()["ticket"]
        assert clerk1.post(f"{api}/windows/1/call-next").json()["ticket"]["id"] == ticket["id"]
        assert clerk1.post(f"{api}/windows/1/finish").status_code == 200
        assert "echo 'rate 1' > " in printed
        demo.press("rate 1")
        admin = demo.sign_in("admin", re.search(r"(?m)^admin / (\S+)", printed).group(1))

        def rated() -> list:
            return [(r["channel"], r["level"]) for r in admin.get(f"{api}/ratings").json()["ratings"]
                    if r["ticket"] == ticket["id"]]
        assert wait_for(rated, 10) and rated() == [("evaluator", 1)]
        pad = demo.as_token(re.search(r"(?m)^pad token .*: (\S+)$", printed).group(1))
        target = pad.get(f"{api}/windows/1/rating-target")
        assert target.status_code == 200 and target.json()["number"] == ticket["number"] and target.json()["rated"]

        assert len(demo.session()) >= 3, "the demo's script, its server and its simulator"
        demo.proc.send_signal(signal.SIGINT)
        assert demo.proc.wait(30) == 0, demo.printed()
        assert wait_for(lambda: demo.session() == {}, 5), demo.session()
    finally:
        demo.kill()


def test_an_older_demo_gains_the_back_offices_on_its_next_start_and_nothing_twice(tmp_path):
    """var/demo-accounts.txt of a demo made before the back offices gains them, and only them, on the
    next start (scripts/demo runs scripts/demo_accounts.py first); each signs in with the password
    printed; a start after that adds nothing."""
    from hallq.bootstrap import build_hall
    db, accounts = f"sqlite:///{tmp_path}/demo.db", tmp_path / "demo-accounts.txt"
    older = ("# hallq demo hall: accounts and device tokens (demo only; never use these passwords in a hall)\n"
             "created backoffice back1: back1 / demo-back-1 (科技厅 back office)\n"
             "kiosk token:   made-earlier\n"
             "created supervisor jiancha: jiancha / demo-super-1 (电子监察: /admin, /reports)\n"
             "platform token (books appointments, POST /api/v1/appointments): made-earlier\n")
    accounts.write_text(older, encoding="utf-8")

    def start() -> str:
        made = subprocess.run([sys.executable, str(ROOT / "scripts" / "demo_accounts.py"), "--db", db, "--file", str(accounts)],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert made.returncode == 0, made.stderr
        return accounts.read_text(encoding="utf-8")

    text = start()
    assert text.startswith(older)
    header, *added = text[len(older):].splitlines()
    assert header.startswith("# back offices")
    printed = dict(re.fullmatch(r"back-([\w-]+) / (\S+) \(.+\)", line).groups() for line in added)
    assert set(printed) == routed_by_hall_windows()
    hall, database = build_hall(None, db)
    try:
        assert hall.signin.login("back-kjt", printed["kjt"], "127.0.0.1")[1] == "backoffice"
    finally:
        database.dispose()
    assert start() == text
