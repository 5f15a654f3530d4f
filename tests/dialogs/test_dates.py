"""Calendar days as people read them, in each language."""

from __future__ import annotations

from datetime import date

import pytest

from dialogs.catalog import Catalog
from dialogs.dates import calendar_day


@pytest.mark.parametrize(
    ("language", "day", "shown"),
    [
        ("nl", date(2026, 12, 3), "3 december 2026"),
        ("en", date(2026, 12, 3), "3 December 2026"),
        ("fr", date(2026, 12, 3), "3 décembre 2026"),
        ("fr", date(2027, 1, 1), "1er janvier 2027"),
        ("nl", date(2027, 1, 1), "1 januari 2027"),
    ],
)
def test_a_day_with_its_months_name(language: str, day: date, shown: str) -> None:
    assert Catalog.load().render_plain(language, calendar_day(day)) == shown


@pytest.mark.parametrize("language", ["nl", "en", "fr"])
def test_every_month_has_its_name(language: str) -> None:
    catalog = Catalog.load()
    names = {catalog.render_plain(language, calendar_day(date(2026, m, 2))) for m in range(1, 13)}
    assert len(names) == 12
