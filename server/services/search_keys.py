"""What a kiosk's search matches a matter by (GET /catalog `matters[].search_keys`; docs/kiosk.md
"Search"): its code, the config's synonyms for it, and the pinyin of its name, its department's name
and each synonym, both in full (`shehuibaozhangkashenling`) and by initials (`shbzksl`), so a touch
keyboard of Latin letters finds hanzi. Worked out once per loaded config: pypinyin reads its phrase
dictionary for every name, which a catalogue asked for every minute by every kiosk need not repeat."""
from __future__ import annotations

import re
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

from ..config import HallConfig

_NOT_LATIN = re.compile(r"[^a-z0-9]")


def latin(text: str, style: Style) -> str:
    """The text's pinyin in lower-case letters and digits only: no tones, no blanks, no punctuation.
    `ü` is written `v`, as on every pinyin keyboard (绿 → lv)."""
    return _NOT_LATIN.sub("", "".join(lazy_pinyin(text, style=style, v_to_u=False)).lower())


def full_pinyin(text: str) -> str:
    return latin(text, Style.NORMAL)


def initials(text: str) -> str:
    return latin(text, Style.FIRST_LETTER)


@lru_cache(maxsize=8)
def matter_search_keys(config: HallConfig) -> dict[str, dict]:
    """matter id → `{"code", "synonyms", "initials", "pinyin"}`; `initials` and `pinyin` list the
    matter's name first, then its department's name, then each synonym, in the order of `synonyms`."""
    words_of: dict[str, list[str]] = {m: [] for m in config.matters}
    for word, matters in config.search.synonyms.items():
        for matter in matters:
            words_of[matter].append(word)
    keys = {}
    for matter in config.matters.values():
        department = config.departments[matter.department].name
        texts = [matter.name, department, *words_of[matter.id]]
        keys[matter.id] = {"code": matter.id, "synonyms": words_of[matter.id],
                           "initials": [initials(t) for t in texts], "pinyin": [full_pinyin(t) for t in texts]}
    return keys
