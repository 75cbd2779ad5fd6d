"""What a kiosk's search matches a matter by (GET /catalog `matters[].search_keys`; docs/kiosk.md
"Search"): its code, the config's synonyms for it, and the pinyin of its name, its department's name
and each synonym, both in full (`shehuibaozhangkashenling`) and by initials (`shbzksl`), so a touch
keyboard of Latin letters finds hanzi. Worked out once per loaded config: pypinyin reads its phrase
dictionary for every name, which a catalogue asked for every minute by every kiosk need not repeat.

The server works them out in a short-lived child process (`python -m server.services.search_keys`,
texts in, keys out as JSON): pypinyin's dictionaries take ~55 MB once loaded and would stay in the
server for good, for a few hundred names read once (docs/performance.md "Memory at start-up")."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..config import HallConfig

_NOT_LATIN = re.compile(r"[^a-z0-9]")
_PROJECT_ROOT = Path(__file__).resolve().parents[2]  # where `server` is a package, for the child's -m
CHILD_TIMEOUT_S = 120  # pypinyin's import is ~0.3 s on a quiet machine; a loaded one is many times slower


def latin(text: str, first_letters: bool) -> str:
    """The text's pinyin in lower-case letters and digits only: no tones, no blanks, no punctuation.
    `ü` is written `v`, as on every pinyin keyboard (绿 → lv)."""
    from pypinyin import Style, lazy_pinyin  # only where the pinyin is worked out (the child, tests)
    style = Style.FIRST_LETTER if first_letters else Style.NORMAL
    return _NOT_LATIN.sub("", "".join(lazy_pinyin(text, style=style, v_to_u=False)).lower())


def full_pinyin(text: str) -> str:
    return latin(text, first_letters=False)


def initials(text: str) -> str:
    return latin(text, first_letters=True)


@lru_cache(maxsize=8)
def spelled(texts: tuple[str, ...]) -> dict[str, tuple[str, str]]:
    """text → (initials, full pinyin), worked out in a child process so that pypinyin never loads here;
    remembered by the texts, so that configs loaded again with the same names (tests) spawn no child."""
    done = subprocess.run([sys.executable, "-m", "server.services.search_keys"], input=json.dumps(list(texts)),
                          capture_output=True, text=True, encoding="utf-8", cwd=_PROJECT_ROOT,
                          timeout=CHILD_TIMEOUT_S)
    if done.returncode != 0:
        raise RuntimeError(f"the search keys' child process failed ({done.returncode}): {done.stderr[-2000:]}")
    return {text: (first, full) for text, (first, full) in zip(texts, json.loads(done.stdout), strict=True)}


@lru_cache(maxsize=8)
def matter_search_keys(config: HallConfig) -> dict[str, dict]:
    """matter id → `{"code", "synonyms", "initials", "pinyin"}`; `initials` and `pinyin` list the
    matter's name first, then its department's name, then each synonym, in the order of `synonyms`."""
    words_of: dict[str, list[str]] = {m: [] for m in config.matters}
    for word, matters in config.search.synonyms.items():
        for matter in matters:
            words_of[matter].append(word)
    texts_of = {matter.id: [matter.name, config.departments[matter.department].name, *words_of[matter.id]]
                for matter in config.matters.values()}
    spelling = spelled(tuple(sorted({text for texts in texts_of.values() for text in texts})))
    return {matter: {"code": matter, "synonyms": words_of[matter], "initials": [spelling[t][0] for t in texts],
                     "pinyin": [spelling[t][1] for t in texts]} for matter, texts in texts_of.items()}


if __name__ == "__main__":  # the child of `spelled`: a JSON list of texts in, [initials, pinyin] per text out
    sys.stdout.write(json.dumps([[initials(text), full_pinyin(text)] for text in json.loads(sys.stdin.read())]))
