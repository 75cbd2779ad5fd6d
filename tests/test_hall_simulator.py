"""`hallq simulate`: the engine on the real service layer against queueing theory, repeatability, and the
command line's answers and refusals."""
from __future__ import annotations

import heapq
import json
import subprocess

import pytest

from harness import HALLQ, ROOT
from hallq.simulate import run_day
from server.config import load_config
from server.domain.erlang import mean_wait
from server.simulation.arrivals import draw_day
from server.simulation.metrics import figures
from server.simulation.profile import ProfileError, load_profile, read_arrivals_csv

CONTRACT_FIELDS = {"served", "mean_wait_min", "p90_wait_min", "max_wait_min", "eta_mae_min", "eta_in_range",
                   "erlang_c_mean_wait_min", "per_queue"}

ONE_QUEUE_HALL = """
[hall]
name = "M/M/c hall"
code = "mmc"

[[floors]]
number = 1
zone = "individual"
name = "一楼"

[[departments]]
code = "d"
name = "部门"
kind = "professional"
floors = [1]

[[queues]]
code = "q"
name = "队列"
floor = 1
prefix = "A"

[[matters]]
id = "m"
name = "事项"
department = "d"
queue = "q"
avg_minutes = 10
promised_days = 0

[[windows]]
numbers = "1-3"
floor = 1
kind = "professional"
department = "d"
queues = ["q"]
name = "窗口"
"""

# M/M/3 at utilisation 0.8: 0.24 arrivals a minute (7.2 a half-hour), exponential service of 10 minutes,
# three windows staffed the whole day, nobody leaves, no green channel.
LAMBDA, SERVICE, WINDOWS = 0.24, 10.0, 3


def mmc_profile(half_hours: int) -> str:
    counts = ", ".join(["7.2"] * half_hours)
    return (f'[day]\narrivals_from = "04:00"\nhard_end = "23:59"\n[behaviour]\nservice = "exponential"\n'
            f'[staffing]\nsign_in = "03:30"\nsign_out = "23:30"\n[arrivals]\nq = [{counts}]\n')


@pytest.fixture
def mmc(tmp_path):
    (tmp_path / "hall.toml").write_text(ONE_QUEUE_HALL, encoding="utf-8")
    (tmp_path / "day.toml").write_text(mmc_profile(36), encoding="utf-8")
    config = load_config(tmp_path / "hall.toml")
    return config, load_profile(str(tmp_path / "day.toml"), config)


def fifo_waits(arrivals, servers: int) -> list[float]:
    """The textbook c-server first-come-first-served recursion: each arrival starts when it comes or when
    the earliest window frees, whichever is later."""
    free, waits = [0.0] * servers, []
    for a in arrivals:
        start = max(a.minute, heapq.heappop(free))
        waits.append(start - a.minute)
        heapq.heappush(free, start + a.service_minutes)
    return waits


def test_the_hall_day_on_the_service_layer_waits_exactly_as_the_m_m_c_recursion(mmc):
    """Through the real commands (take a number, call next, finish) the day's waits are, ticket by ticket,
    those of the c-server queue fed the same arrivals and service times."""
    config, profile = mmc
    arrivals = draw_day(7, profile, config)
    log = run_day(config, profile, "preference", 7)
    simulated = [r.wait for r in sorted(log.records.values(), key=lambda r: r.arrival.minute)]
    assert len(simulated) == len(arrivals) > 200
    assert simulated == pytest.approx(fifo_waits(arrivals, WINDOWS), abs=1e-6)
    assert max(simulated) > 10  # the windows were busy: tickets waited
    assert figures(log, config, profile.behaviour)["served"] == len(arrivals)


def test_the_drawn_arrivals_and_service_times_make_the_erlang_c_mean_wait(mmc):
    """The draws are an M/M/3 at 0.8: over 300,000 tickets the FIFO mean wait is within 10 % of Erlang C.
    (One day through the service layer is too short for 10 %: at 0.8 the day-mean's relative spread is
    about 16 % even at 10,000 tickets; the test above ties the engine to this recursion exactly.)"""
    config, profile = mmc
    long_day = profile.__class__(**{**profile.__dict__, "arrivals_from": 0.0,
                                    "arrivals": {"q": (7.2,) * 42_000}})
    arrivals = draw_day(3, long_day, config)
    waits = fifo_waits(arrivals, WINDOWS)
    assert len(arrivals) == pytest.approx(7.2 * 42_000, rel=0.01)
    assert sum(a.service_minutes for a in arrivals) / len(arrivals) == pytest.approx(SERVICE, rel=0.01)
    assert sum(waits) / len(waits) == pytest.approx(mean_wait(LAMBDA, SERVICE, WINDOWS), rel=0.10)


def simulate(*args: str, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([*HALLQ, "simulate", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.fixture
def short_day(tmp_path):
    """Two hours of the demo hall's floor 1 with its lunch-free staffing: quick."""
    (tmp_path / "short.toml").write_text(
        '[day]\narrivals_from = "08:30"\nhard_end = "12:00"\n'
        '[behaviour]\ngreen_rate = 0.1\nno_show_rate = 0.1\ntransfers = [{ from = "zh1", to = "yjs", rate = 0.2 }]\n'
        '[staffing]\nsign_in = "08:30"\nsign_out = "10:30"\nunstaffed = [1, 2, 3, 4, 5, 6, 7, 8]\n'
        '[arrivals]\nshebao = [12, 12, 12, 12]\nzh1 = [8, 8, 8, 8]\nyjs = [2, 2, 2, 2]\nfalv = [10, 10, 10, 10]\n',
        encoding="utf-8")
    return str(tmp_path / "short.toml")


def test_the_json_has_every_contract_field_and_the_same_seed_gives_the_same_day(short_day):
    first, again, other = (simulate("--profile", short_day, "--seed", seed, "--json") for seed in ("5", "5", "6"))
    assert first.returncode == 0, first.stderr
    figures_ = json.loads(first.stdout.strip().splitlines()[-1])
    assert CONTRACT_FIELDS <= figures_.keys()
    assert {"shebao", "zh1", "yjs", "falv"} <= figures_["per_queue"].keys()
    for per_queue in figures_["per_queue"].values():
        assert CONTRACT_FIELDS - {"per_queue"} <= per_queue.keys()
    assert figures_["served"] > 50 and figures_["mean_wait_min"] > 0
    assert figures_["refused"] == {"quota_reached": figures_["arrivals"] - figures_["issued"]} and figures_["refused"]
    assert figures_["no_shows"] > 0 and figures_["transfers"] > 0
    assert figures_["eta_mae_min"] >= 0 and figures_["baseline_eta_mae_min"] >= 0
    assert 0 <= figures_["eta_in_range"] <= 1 and figures_["eta_scored"] > 50
    assert first.stderr == ""  # no progress lines with --json
    assert again.stdout == first.stdout
    assert json.loads(other.stdout.strip().splitlines()[-1]) != figures_


def test_without_json_a_table_per_queue(short_day):
    done = simulate("--profile", short_day, "--seed", "2", "--policy", "waited")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[1].split()[:3] == ["queue", "issued", "served"]
    assert [line.split()[0] for line in lines[2:7]] == ["shebao", "zh1", "yjs", "falv", "hall"]
    assert "policy waited, seed 2" in done.stdout


@pytest.mark.parametrize("args, says", [
    (["--profile", "no-such-profile"], "no profile 'no-such-profile'"),
    (["--policy", "fifo"], "invalid choice"),
    (["--date", "yesterday"], "invalid"),
    (["--plot", "x.png", "--apply-advice", "0"], "positive number of minutes"),
])
def test_bad_arguments_exit_2_with_a_message(args, says):
    done = simulate(*args)
    assert done.returncode == 2 and says in done.stderr and "Traceback" not in done.stderr


def test_a_bad_profile_or_arrivals_file_exits_2_naming_the_problem(tmp_path):
    profile = tmp_path / "bad.toml"
    profile.write_text('[arrivals]\nnowhere = [1]\npickup1 = [2]\n[staffing]\nunstaffed = [999]\n', encoding="utf-8")
    done = simulate("--profile", str(profile))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    for problem in ("no queue 'nowhere'", "pickup queue gets no arrivals", "no window 999"):
        assert problem in done.stderr
    empty = tmp_path / "empty.toml"
    empty.write_text("", encoding="utf-8")
    done = simulate("--profile", str(empty))
    assert done.returncode == 2 and "has no [arrivals]" in done.stderr and "Traceback" not in done.stderr
    rows = tmp_path / "bad.csv"
    rows.write_text("time,matter\n9:00,rst-sbk\n09:05,nothing\n09:10,rst-sbk,vip\n", encoding="utf-8")
    done = simulate("--arrivals", str(rows))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    for problem in ("line 2: '9:00' is not a time of day", "line 3: the hall has no matter 'nothing'",
                    "line 4: priority must be normal or green"):
        assert problem in done.stderr


def test_replayed_arrivals_are_the_day(tmp_path, short_day):
    rows = tmp_path / "day.csv"
    rows.write_text("time,matter,priority\n09:00,rst-sbk\n09:00:30,rst-sbk,green\n09:01,ybj-ydjy\n", encoding="utf-8")
    config = load_config()
    replay = read_arrivals_csv(str(rows), config)
    assert [(a.matter, a.green) for a in replay] == [("rst-sbk", False), ("rst-sbk", True), ("ybj-ydjy", False)]
    done = simulate("--arrivals", str(rows), "--profile", short_day, "--json")
    figures_ = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures_["arrivals"] == figures_["issued"] == 3 and figures_["arrivals_file"] == str(rows)
    assert set(figures_["per_queue"]) == {"shebao", "yibao"}


def test_the_bundled_profile_fits_the_demo_hall():
    profile = load_profile("provincial-peak", load_config())
    assert profile.arrivals_until == 17 * 60 and len(profile.staffing.windows) == 148 - 19
    with pytest.raises(ProfileError, match="no profile"):
        load_profile("provincial-pea", load_config())


def test_following_the_staffing_advice_shortens_the_day_it_was_made_for(short_day):
    """The short day swamps 社保 (four of its windows staffed) while 医保's eight wait for nobody: an admin who
    applies the advice every 15 minutes moves 医保 windows over, and the same citizens wait less."""
    without, following = (simulate("--profile", short_day, "--seed", "5", "--json", *extra)
                          for extra in ((), ("--apply-advice", "15")))
    assert without.returncode == 0 and following.returncode == 0, following.stderr
    before, after = (json.loads(run.stdout.strip().splitlines()[-1]) for run in (without, following))
    assert before["advice_moves"] == 0 and after["advice_moves"] > 0
    assert after["arrivals"] == before["arrivals"]
    assert after["per_queue"]["shebao"]["mean_wait_min"] < before["per_queue"]["shebao"]["mean_wait_min"]
    assert after["mean_wait_min"] < before["mean_wait_min"]
