"""Kiosk search's server side (docs/kiosk.md "Search"): the pinyin keys worked out per matter with
pypinyin, the hall config's `[search] synonyms` (and `hallq config check` refusing a synonym for a
matter the catalogue lacks), and GET /catalog carrying keys, English names, windows and the zone."""
from __future__ import annotations

import subprocess
import sys

import pytest

from harness import ROOT
from server.config import ConfigError, load_config
from server.services import views
from server.services.search_keys import full_pinyin, initials, matter_search_keys


@pytest.fixture(scope="module")
def demo():
    return load_config()


def test_pinyin_in_full_and_by_initials_without_tones_or_punctuation():
    assert full_pinyin("社会保障卡申领") == "shehuibaozhangkashenling"
    assert initials("社会保障卡申领") == "shbzksl"
    assert initials("户口迁移(省外迁入)") == "hkqyswqr"   # the brackets go, the hanzi stay
    assert full_pinyin("绿色通道") == "lvsetongdao"       # ü typed as v, as on every pinyin keyboard
    assert initials("第二类医疗器械产品注册") == "delylqxcpzc"
    assert full_pinyin("ETC 办理") == "etcbanli"          # Latin letters stay, in lower case


def test_each_matter_has_its_code_synonyms_and_the_pinyin_of_name_department_and_synonyms(demo):
    keys = matter_search_keys(demo)
    assert set(keys) == set(demo.matters)
    sbk = keys["rst-sbk"]
    assert sbk["code"] == "rst-sbk"
    assert sbk["synonyms"] == ["社保", "社保卡"]
    assert sbk["initials"] == ["shbzksl", "srlzyshbzt", "sb", "sbk"]
    assert sbk["pinyin"] == ["shehuibaozhangkashenling", "shengrenliziyuanshehuibaozhangting", "shebao", "shebaoka"]
    company = keys["scjg-qysl"]
    assert "营业执照" in company["synonyms"] and "yingyezhizhao" in company["pinyin"]
    assert keys["czt-gyzc"]["synonyms"] == []  # a matter no synonym names: its name and department only
    assert len(keys["czt-gyzc"]["initials"]) == 2
    assert matter_search_keys(demo) is keys  # once per loaded config, not per GET /catalog


def test_the_catalog_carries_search_keys_english_names_windows_and_the_halls_time_zone(demo):
    catalog = views.catalog(demo, issuing_open=True)
    assert catalog["hall"]["timezone"] == "Asia/Shanghai"
    sbk = next(m for m in catalog["matters"] if m["id"] == "rst-sbk")
    assert sbk["name_en"] == "Social security card application"
    assert sbk["search_keys"]["initials"][-1] == "sbk"
    assert all(m["name_en"] for m in catalog["matters"])  # the demo names every matter in English
    shebao = next(q for q in catalog["queues"] if q["code"] == sbk["queue"])
    assert shebao["windows"] == [n for n, w in demo.windows.items() if "shebao" in w.queues] != []
    assert shebao["name_en"] == "Social security"
    gat = next(d for d in catalog["departments"] if d["code"] == "gat")
    assert gat["name_en"] == "Public Security Department"


def _write(tmp_path, extra: str, replace: tuple[str, str] | None = None):
    text = (ROOT / "config" / "demo-hall.toml").read_text(encoding="utf-8")
    if replace:
        assert replace[0] in text
        text = text.replace(*replace)
    path = tmp_path / "hall.toml"
    path.write_text(text + extra, encoding="utf-8")
    return path


def test_a_synonym_for_a_matter_the_catalogue_lacks_is_refused(tmp_path):
    path = _write(tmp_path, "", replace=('"护照" = ["gat-hz"]', '"护照" = ["gat-hz", "gat-nosuch"]'))
    with pytest.raises(ConfigError) as refused:
        load_config(path)
    assert refused.value.problems == ["search.synonyms ('护照'): matter 'gat-nosuch' is not defined"]
    r = subprocess.run([sys.executable, "-m", "hallq", "config", "check", str(path)], capture_output=True,
                       text=True, cwd=ROOT, timeout=60)
    assert r.returncode == 1 and "matter 'gat-nosuch' is not defined" in r.stderr


@pytest.mark.parametrize("entry, problem", [
    ('"护照" = []', "names no matter"),
    ('"护照" = ["gat-hz", "gat-hz"]', "lists a matter twice"),
    ('" 护照" = ["gat-hz"]', "search.synonyms. 护照"),
])
def test_a_malformed_synonym_is_refused(tmp_path, entry, problem):
    path = _write(tmp_path, "", replace=('"护照" = ["gat-hz"]', entry))
    with pytest.raises(ConfigError) as refused:
        load_config(path)
    assert any(problem in p for p in refused.value.problems), refused.value.problems


def test_an_english_name_is_optional_and_checked_like_a_name(tmp_path):
    path = _write(tmp_path, "", replace=('name_en = "Passport"\n', ""))
    assert load_config(path).matters["gat-hz"].name_en is None
    path = _write(tmp_path, "", replace=('name_en = "Passport"', 'name_en = ""'))
    with pytest.raises(ConfigError) as refused:
        load_config(path)
    assert any("name_en" in p for p in refused.value.problems)
