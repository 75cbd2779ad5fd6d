"""Working days for promised times (限时办结): weekends and configured holidays are off, configured
make-up workdays (调休上班) are on. Plain dates, no time zones: the service layer turns moments into the
hall's local dates."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

_ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class WorkingCalendar:
    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()  # weekend days worked in exchange for a holiday

    @classmethod
    def of(cls, holidays: Iterable[dt.date] = (), workdays: Iterable[dt.date] = ()) -> "WorkingCalendar":
        return cls(frozenset(holidays), frozenset(workdays))

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The day a promise of `days` working days made on `start` falls due: counting begins the
        day after `start`; a promise of 0 days is due on `start` itself, or the next working day."""
        if days < 0:
            raise ValueError("a promise cannot be negative")
        day = start
        if days == 0:
            while not self.is_working_day(day):
                day += _ONE_DAY
            return day
        while days:
            day += _ONE_DAY
            if self.is_working_day(day):
                days -= 1
        return day

    def working_days_between(self, after: dt.date, until: dt.date) -> int:
        """How many working days lie after `after` up to and including `until` (0 if none)."""
        count, day = 0, after
        while day < until:
            day += _ONE_DAY
            if self.is_working_day(day):
                count += 1
        return count
