"""The hall config's `[search]` section: words citizens type at a kiosk's search that appear in no
matter's name (营业执照, 社保, 身份证 …), each with the matters it finds (docs/kiosk.md "Search")."""
from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

# A word as a citizen types it: hanzi, letters, digits; a few characters, no blanks at either end.
SynonymWord = Annotated[str, Field(min_length=1, max_length=20, pattern=r"^\S(.*\S)?$")]
_MATTER_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class Search(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # word → the ids of the matters it finds, e.g. "营业执照" = ["scjg-qysl", "scjg-qybg", "scjg-qyzx"].
    synonyms: dict[SynonymWord, list[str]] = Field(default_factory=dict)

    @field_validator("synonyms")
    @classmethod
    def _lists_of_ids(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for word, ids in value.items():
            if not ids:
                raise ValueError(f"the synonym {word!r} names no matter")
            bad = [i for i in ids if not _MATTER_ID.match(i)]
            if bad:
                raise ValueError(f"the synonym {word!r} lists {bad[0]!r}, which is not a matter id")
            if len(set(ids)) != len(ids):
                raise ValueError(f"the synonym {word!r} lists a matter twice")
        return value


def search_problems(search: Search | None, matter_ids: set[str]) -> list[str]:
    """The config check's problems of `[search]`: every matter a synonym names must be in the catalogue."""
    if search is None:
        return []
    return [f"search.synonyms ({word!r}): matter {matter!r} is not defined"
            for word, ids in search.synonyms.items() for matter in ids if matter not in matter_ids]
