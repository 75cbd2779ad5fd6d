"""Memory at start-up (docs/performance.md "Memory at start-up"): what only some requests or only the
start need does not load into the serving process for good, and an idle server's peak (VmHWM, which
never comes down) stays well under the 120 MB target. Sizes are the bench's business; the bound here
is generous (the old code peaked at ~220 MB, this one at ~105-110 MB) and only catches a regression."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from harness import ROOT, Server

# module → why it must not be in the server process (and where it is used instead)
HEAVY = {
    "pypinyin": "the search keys' pinyin: spelled in a short-lived child (server/services/search_keys.py)",
    "openpyxl": "XLSX reports: imported at the first export (server/adapters/spreadsheets.py)",
    "numpy": "imported by openpyxl when installed",
    "escpos": "ticket printing: only a hall with printers loads it (drivers/escpos_ticket.py)",
    "PIL": "ticket images: with escpos",
    "alembic": "migrations: run in a child process under serve (hallq/bootstrap.py)",
    "mako": "imported by alembic",
    "matplotlib": "`hallq simulate --plot` only",
}
PEAK_BOUND_KB = 130 * 1024

CREATE_SERVER_AS_SERVE_DOES = textwrap.dedent("""
    import json, sys
    from hallq.cli import patch_for
    patch_for("eventlet")
    from hallq.serve import create_server
    from server.services.search_keys import matter_search_keys
    app, socketio = create_server(None, sys.argv[1])
    keys = matter_search_keys(app.extensions["hallq"].config)  # worked out at start (its cache answers)
    print(json.dumps({"modules": sorted(sys.modules), "rst-sbk": keys["rst-sbk"]}))
""")


def status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def test_the_server_process_does_not_load_what_only_some_requests_or_the_start_need(tmp_path):
    db = f"sqlite:///{tmp_path / 'hall.db'}"
    done = subprocess.run([sys.executable, "-c", CREATE_SERVER_AS_SERVE_DOES, db], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.splitlines()[-1])
    loaded = set(seen["modules"])
    assert "flask_socketio" in loaded and "sqlalchemy" in loaded  # the server was built in that process
    assert {module: why for module, why in HEAVY.items() if module in loaded} == {}
    # what the child spelled is the server's: the catalogue's pinyin for 社会保障卡申领 (docs/kiosk.md)
    assert seen["rst-sbk"]["initials"][0] == "shbzksl"
    assert seen["rst-sbk"]["pinyin"][0] == "shehuibaozhangkashenling"


def test_an_idle_servers_peak_memory_stays_under_the_bound(tmp_path):
    server = Server(f"sqlite:///{tmp_path / 'hall.db'}", tmp_path).start(timeout=120)
    try:
        time.sleep(2)  # the background tasks' first rounds (figures, housekeeping, the thread pool)
        peak = status_kb(server.proc.pid, "VmHWM")
        assert peak <= PEAK_BOUND_KB, f"idle server peaked at {peak / 1024:.1f} MB (bound {PEAK_BOUND_KB // 1024} MB)"
    finally:
        server.stop()
