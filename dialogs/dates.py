"""Calendar days as people read them, in every language: "3 december 2026"."""

from __future__ import annotations

from datetime import date

from dialogs.replies import Text, text


def calendar_day(day: date) -> Text:
    """``day`` with its month's name (French says "1er" for the first of the month)."""
    first = text("date_first_day") if day.day == 1 else None
    return text("date_day", day=first or day.day, month=text(f"month_{day.month}"), year=day.year)
