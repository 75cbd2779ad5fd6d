"""The hall config: the bundled demo hall, and the problems a broken config reports."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from server.config import BUNDLED_DEMO_HALL, ConfigError, load_config

DEMO = Path(__file__).resolve().parent.parent / "config" / "demo-hall.toml"


@pytest.fixture(scope="module")
def demo():
    return load_config(DEMO)


# ----------------------------------------------------------------------------------------------
# The bundled demo hall (湖南省政务服务中心: 34 departments, 148 windows, 3 floors)
# ----------------------------------------------------------------------------------------------

def test_demo_is_the_bundled_default():
    assert BUNDLED_DEMO_HALL.resolve() == DEMO
    assert len(load_config().windows) == 148


def test_demo_hall_settings(demo):
    hall = demo.hall
    assert "政务服务中心" in hall.name
    assert hall.timezone == "Asia/Shanghai"
    assert hall.day_rollover_hour == 3
    assert hall.recall_limit == 3
    assert hall.green_max_in_row == 2
    assert hall.issuing_hours is None  # tests run at any hour
    assert hall.notice


def test_demo_has_148_windows_numbered_1_to_148(demo):
    assert len(demo.windows) == 148
    assert set(demo.windows) == {str(n) for n in range(1, 149)}
    per_floor = Counter(w.floor for w in demo.windows.values())
    assert set(per_floor) == {1, 2, 3}


def test_demo_has_34_departments_20_professional_14_comprehensive(demo):
    assert len(demo.departments) == 34
    kinds = Counter(d.kind for d in demo.departments.values())
    assert kinds == {"professional": 20, "comprehensive": 14}


def test_demo_floors_and_zones(demo):
    assert {n: f.zone for n, f in demo.floors.items()} == {
        1: "individual", 2: "enterprise", 3: "institution"}


def test_demo_departments_sit_where_the_seed_puts_them(demo):
    deps = demo.departments
    assert deps["rst"].floors == [1, 2]
    for code in ("gat", "mzt", "ybj", "jgsw"):
        assert 1 in deps[code].floors, code
    for code in ("scjg", "fgw", "zjt", "zrzyt", "jtt", "sthjt", "nynct", "slt", "lyj", "rfb"):
        assert 2 in deps[code].floors, code
    for code in ("jyt", "wjw"):
        assert 3 in deps[code].floors, code
    for code in ("slt", "rfb", "kjt", "wwj", "jyj"):
        assert deps[code].kind == "comprehensive", code
    for code in ("rst", "gat", "scjg", "wjw", "jyt", "ybj", "jgsw", "xwcb"):
        assert deps[code].kind == "professional", code
    for d in deps.values():
        assert d.floors, f"{d.code} sits on no floor"


def test_demo_has_at_least_3_matters_per_department(demo):
    per_department = Counter(m.department for m in demo.matters.values() if not m.involves)
    for code in demo.departments:
        assert per_department[code] >= 3, code


def test_demo_every_matter_queue_is_on_a_floor_where_its_department_sits(demo):
    for m in demo.matters.values():
        queue = demo.queues[m.queue]
        assert queue.purpose == "service", m.id
        assert queue.floor in demo.departments[m.department].floors, m.id


def test_demo_matters_are_realistic(demo):
    for m in demo.matters.values():
        assert 3 <= m.avg_minutes <= 40, m.id
        assert 2 <= len(m.materials) <= 4, m.id
        assert m.promised_days >= 0, m.id
    assert any(m.promised_days == 0 for m in demo.matters.values())  # some 即办件


def test_demo_matters_are_served_by_the_right_kind_of_window(demo):
    windows = list(demo.windows.values())
    for m in demo.matters.values():
        serving = [w for w in windows if m.queue in w.queues]
        assert serving, m.id
        kind = demo.departments[m.department].kind
        if m.involves:
            assert any(w.kind == "one_thing" for w in serving), m.id
        elif kind == "comprehensive":
            # accepted by hall staff and routed to the department's back office
            assert all(w.department is None for w in serving), m.id
            assert any(w.kind == "comprehensive" for w in serving), m.id
        else:
            assert any(w.department == m.department for w in serving), m.id


def test_demo_one_thing_matters(demo):
    one_thing = [m for m in demo.matters.values() if m.involves]
    assert len(one_thing) >= 3
    for m in one_thing:
        assert demo.queues[m.queue].floor == 1, m.id
        assert len(set(m.involves)) >= 2, m.id
        assert m.department in m.involves, m.id
        assert set(m.involves) <= set(demo.departments), m.id


def test_demo_windows_are_staffed_consistently(demo):
    for w in demo.windows.values():
        if w.kind == "professional":
            assert w.department, w.number
            assert w.floor in demo.departments[w.department].floors, w.number
        else:
            assert w.department is None, w.number
        for code in w.queues:
            assert demo.queues[code].floor == w.floor, w.number
    kinds = {w.kind for w in demo.windows.values()}
    assert kinds == {"professional", "comprehensive", "one_thing"}


def test_demo_prefixes_are_unique_letters(demo):
    prefixes = [q.prefix for q in demo.queues.values()]
    assert len(prefixes) == len(set(prefixes))
    assert all(p.isascii() and p.isupper() and 1 <= len(p) <= 2 for p in prefixes)


def test_demo_one_pickup_queue_per_floor_served_first(demo):
    pickups = [q for q in demo.queues.values() if q.purpose == "pickup"]
    assert sorted(q.floor for q in pickups) == [1, 2, 3]
    by_floor = {q.floor: q.code for q in pickups}
    for w in demo.windows.values():
        if w.kind in ("comprehensive", "one_thing"):
            assert w.queues[0] == by_floor[w.floor], w.number
        else:
            assert by_floor[w.floor] not in w.queues, w.number


def test_demo_some_windows_have_a_back_up_queue(demo):
    service = {c for c, q in demo.queues.items() if q.purpose == "service"}
    backed_up = [w for w in demo.windows.values() if len([c for c in w.queues if c in service]) > 1]
    assert backed_up
    assert any(w.kind == "professional" for w in backed_up)


# ----------------------------------------------------------------------------------------------
# Broken configs: every problem names the entry and what is wrong
# ----------------------------------------------------------------------------------------------

HALL = '''
[hall]
name = "测试大厅"
'''

BODY = '''
[[floors]]
number = 1
zone = "individual"
name = "一楼"

[[floors]]
number = 2
zone = "enterprise"
name = "二楼"

[[departments]]
code = "rst"
name = "人社厅"
kind = "professional"
floors = [1]

[[queues]]
code = "shebao"
name = "社保"
floor = 1
prefix = "A"

[[queues]]
code = "ssdj"
name = "商事登记"
floor = 2
prefix = "J"

[[matters]]
id = "rst-sbk"
name = "社会保障卡申领"
department = "rst"
queue = "shebao"
avg_minutes = 8
promised_days = 0

[[windows]]
numbers = "1-3"
floor = 1
kind = "professional"
department = "rst"
queues = ["shebao"]

[[windows]]
number = 4
floor = 2
kind = "comprehensive"
queues = ["ssdj"]
'''

GOOD = HALL + BODY


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hall.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(tmp_path: Path, text: str) -> list[str]:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.path == str(path)
    assert str(path) in str(info.value)
    assert info.value.problems
    return info.value.problems


def test_minimal_config_loads(tmp_path):
    cfg = load_config(write(tmp_path, GOOD))
    assert sorted(cfg.windows, key=int) == ["1", "2", "3", "4"]


def test_window_with_unknown_queue(tmp_path):
    text = GOOD.replace('queues = ["shebao"]', 'queues = ["shebao", "nosuch"]')
    problems = problems_of(tmp_path, text)
    assert len(problems) == 1
    assert "windows[0]" in problems[0]
    assert "1-3" in problems[0]
    assert "'nosuch'" in problems[0]
    assert "not defined" in problems[0]


def test_duplicate_window_number(tmp_path):
    text = GOOD.replace("number = 4\nfloor = 2", "number = 2\nfloor = 2")
    problems = problems_of(tmp_path, text)
    assert any("window numbers" in p and "2" in p and "twice" in p for p in problems), problems


def test_bad_toml_syntax(tmp_path):
    text = GOOD.replace('name = "测试大厅"', 'name = "测试大厅')
    problems = problems_of(tmp_path, text)
    assert len(problems) == 1
    assert "not valid TOML" in problems[0]
    assert "line" in problems[0]


def test_window_serving_a_queue_on_another_floor(tmp_path):
    text = GOOD.replace('queues = ["ssdj"]', 'queues = ["ssdj", "shebao"]')
    problems = problems_of(tmp_path, text)
    assert len(problems) == 1
    assert "windows[1] (number 4)" in problems[0]
    assert "'shebao'" in problems[0]
    assert "floor 1" in problems[0] and "floor 2" in problems[0]


def test_device_with_wrong_protocol(tmp_path):
    text = GOOD + '''
[[devices]]
name = "kiosk-1-printer"
kind = "printer"
url = "tcp://127.0.0.1:9100"
protocol = "ft12"
attach = "kiosk:kiosk-1"
'''
    problems = problems_of(tmp_path, text)
    assert len(problems) == 1
    assert "devices[0]" in problems[0]
    assert "kiosk-1-printer" in problems[0]
    assert "escpos" in problems[0] and "'ft12'" in problems[0]


def test_device_with_right_protocol_loads(tmp_path):
    text = GOOD + '''
[[devices]]
name = "window-1-led"
kind = "led"
url = "loop://"
protocol = "bx5"
attach = "window:1"
address = 1
'''
    cfg = load_config(write(tmp_path, text))
    assert [d.name for d in cfg.devices] == ["window-1-led"]


def test_missing_hall(tmp_path):
    problems = problems_of(tmp_path, BODY)
    assert any(p.startswith("hall:") and "required" in p.lower() for p in problems), problems


def test_all_cross_reference_problems_reported_at_once(tmp_path):
    text = (GOOD.replace('queues = ["shebao"]', 'queues = ["shebao", "nosuch"]')
                .replace("number = 4\nfloor = 2", "number = 2\nfloor = 2"))
    problems = problems_of(tmp_path, text)
    assert any("'nosuch'" in p for p in problems)
    assert any("window numbers" in p for p in problems)


def test_broken_copy_of_the_demo_hall(tmp_path):
    text = DEMO.read_text(encoding="utf-8") + '''
[[windows]]
number = 149
floor = 3
kind = "comprehensive"
queues = ["pickup3", "shebao"]
'''
    problems = problems_of(tmp_path, text)
    assert len(problems) == 1
    assert "number 149" in problems[0] and "'shebao'" in problems[0]


def test_notices_are_off_without_a_url_and_the_demo_sets_only_templates(tmp_path, demo):
    notices = load_config(write(tmp_path, GOOD)).notices
    assert notices.url is None and notices.ahead == 3 and notices.max_attempts == 12
    assert notices.templates.called == "【{hall}】您的{number}号已叫号，请到{window}号窗口办理。"
    # The bundled hall sends nothing (tests and benches run on it); the demo's copy, written by
    # `hallq devices simulate --write-config`, points at the gateway stand-in (tests/test_simulate.py).
    assert demo.notices.url is None and "预约码{code}" in demo.notices.templates.appointment_booked


def test_notice_templates_use_only_their_placeholders(tmp_path):
    problems = problems_of(tmp_path, GOOD + '''
[notices]
url = "https://gateway.example/notices"
backoff_base_seconds = 60
backoff_cap_seconds = 30

[notices.templates]
called = "{number}号请到{window}号窗口，办件{case}"
ahead = "还有{ahead人"
''')
    text = "\n".join(problems)
    assert "notices.url" in text  # http:// only (CONTRACT: http://HOST:PORT/PATH)
    assert "called: unknown placeholder {case}; it may use {hall}, {matter}, {number}, {window}" in text
    assert "ahead: " in text and "brace" in text
    ok = load_config(write(tmp_path, GOOD + '[notices]\nurl = "http://10.0.0.5:8080/sms"\n'
                                          '[notices.templates]\ncase_ready = "办件{case}好了{{请取}}"\n'))
    assert ok.notices.templates.case_ready == "办件{case}好了{{请取}}"
