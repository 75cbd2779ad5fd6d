"""Ticket numbers and the hall's business day."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from server.domain.model import business_day, format_number

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = dt.timezone.utc


@pytest.mark.parametrize("prefix, seq, expected", [
    ("A", 1, "A001"),
    ("A", 23, "A023"),
    ("B", 99, "B099"),
    ("C", 999, "C999"),
    ("A", 1000, "A1000"),
    ("A", 12345, "A12345"),
    ("ZX", 7, "ZX007"),
])
def test_format_number(prefix, seq, expected):
    assert format_number(prefix, seq) == expected


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize("now, expected", [
    # Shanghai is UTC+8: 02:59 local on 7 May is 18:59 UTC on 6 May.
    (utc(2024, 5, 6, 18, 59), dt.date(2024, 5, 6)),
    (utc(2024, 5, 6, 18, 59, 59, 999999), dt.date(2024, 5, 6)),
    (utc(2024, 5, 6, 19, 0), dt.date(2024, 5, 7)),   # 03:00 local: the new day
    (utc(2024, 5, 6, 16, 0), dt.date(2024, 5, 6)),   # local midnight still belongs to the day before
    (utc(2024, 5, 7, 1, 0), dt.date(2024, 5, 7)),    # 09:00 local
    (utc(2024, 5, 7, 15, 59), dt.date(2024, 5, 7)),  # 23:59 local
    (utc(2024, 12, 31, 18, 30), dt.date(2024, 12, 31)),  # 02:30 on New Year's Day, local
    (utc(2024, 12, 31, 19, 0), dt.date(2025, 1, 1)),
])
def test_business_day_rolls_over_at_three_local(now, expected):
    assert business_day(now, SHANGHAI, 3) == expected


def test_business_day_converts_any_aware_time():
    tokyo = dt.timezone(dt.timedelta(hours=9))
    # 03:59 in Tokyo is 02:59 in Shanghai.
    assert business_day(dt.datetime(2024, 5, 7, 3, 59, tzinfo=tokyo), SHANGHAI, 3) == dt.date(2024, 5, 6)
    assert business_day(dt.datetime(2024, 5, 7, 4, 0, tzinfo=tokyo), SHANGHAI, 3) == dt.date(2024, 5, 7)


def test_business_day_with_rollover_at_midnight_is_the_local_date():
    assert business_day(utc(2024, 5, 6, 15, 59), SHANGHAI, 0) == dt.date(2024, 5, 6)
    assert business_day(utc(2024, 5, 6, 16, 0), SHANGHAI, 0) == dt.date(2024, 5, 7)


def test_business_day_uses_the_hall_timezone_not_utc():
    # 01:00 UTC is 09:00 in Shanghai; in UTC it would be before the 03:00 rollover.
    now = utc(2024, 5, 7, 1, 0)
    assert business_day(now, SHANGHAI, 3) == dt.date(2024, 5, 7)
    assert business_day(now, UTC, 3) == dt.date(2024, 5, 6)
