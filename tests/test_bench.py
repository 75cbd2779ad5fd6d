"""`hallq bench --quick --json` runs end to end on a tiny hall load: the shape of its report, and no
errors. Not timed: speed targets are the benchmark's business (docs/performance.md)."""
from __future__ import annotations

import json
import subprocess

from harness import HALLQ


def test_quick_bench_reports_its_json_last_and_sees_no_errors(tmp_path):
    r = subprocess.run([*HALLQ, "bench", "--quick", "--json", "--kiosks", "2", "--windows", "12", "--screens", "6",
                        "--duration", "2", "--call-interval", "0.5"],
                       capture_output=True, text=True, cwd=tmp_path, timeout=180)
    assert r.returncode == 0, r.stderr[-3000:]
    report = json.loads(r.stdout.strip().splitlines()[-1])
    assert {"tickets_per_s", "calls_per_s", "call_to_screen_ms", "errors", "peak_rss_mb"} <= set(report)
    assert set(report["call_to_screen_ms"]) == {"p50", "p99"}
    assert report["errors"] == 0, report["error_kinds"]
    assert report["tickets_per_s"] > 0 and report["calls_per_s"] > 0 and report["screens"] == 6
    assert report["deliveries"] > 0 and report["call_to_screen_ms"]["p99"] >= report["call_to_screen_ms"]["p50"] > 0
    assert report["peak_rss_mb"] > 10
    assert not any(tmp_path.iterdir()), "the bench left files behind"
