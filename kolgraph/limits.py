"""Bounds on the numbers and dates a user may ask for, shared by the CLI and the web app.

Values outside them are refused as bad input (a 400, or exit status 2 on the command line)
before they reach date arithmetic or SQLite, where they would overflow: ``stale_days``
of a billion days, an ``as_of`` date in year 1, a ``limit`` of 10**30.

>>> check_int("stale_days", 180, 0, MAX_STALE_DAYS)
180
>>> check_date("as_of", date(1, 1, 1))
Traceback (most recent call last):
...
kolgraph.errors.InputError: as_of must be between 1900-01-01 and 2199-12-31 (got 0001-01-01)
"""

from __future__ import annotations

from datetime import date

from kolgraph.errors import InputError

#: The longest engagement window, in days (a century).
MAX_STALE_DAYS = 36_500
#: The most rows, HCPs, papers or pages any one request or command may ask for.
MAX_COUNT = 1_000_000
#: Tiers run from 1; nothing has more than this many.
MAX_TIER = 1_000
#: Reference dates (``as_of``, ``since``) must fall in this range.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)


def check_int(name: str, value: int, low: int, high: int) -> int:
    """``value`` if ``low <= value <= high``, else :class:`InputError` naming ``name``."""
    if not low <= value <= high:
        raise InputError(f"{name} must be between {low} and {high} (got {_short(value)})")
    return value


def check_date(name: str, value: date) -> date:
    """``value`` if it lies between :data:`EARLIEST_DATE` and :data:`LATEST_DATE`."""
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise InputError(
            f"{name} must be between {EARLIEST_DATE} and {LATEST_DATE} (got {value.isoformat()})"
        )
    return value


def _short(value: int) -> str:
    text = str(value)
    return text if len(text) <= 24 else f"{text[:20]}... ({len(text)} digits)"
