"""The service's clock, set by a test in the hall's local time (Asia/Shanghai)."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock:
    def __init__(self, local: dt.datetime):
        self.now = local.replace(tzinfo=SHANGHAI)

    def __call__(self) -> dt.datetime:
        return self.now.astimezone(dt.timezone.utc)

    def set(self, local: dt.datetime) -> None:
        self.now = local.replace(tzinfo=SHANGHAI)
