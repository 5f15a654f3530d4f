"""Small types every layer above storage shares: who acts, and what time it is.

Kept in one module so the Telegram adapter, the terminal chat and the use cases speak of
a person and a clock the same way (and tests swap the clock in one place).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

Clock = Callable[[], datetime]
"""Now, tz-aware. Passed in everywhere, so tests control time instead of sleeping."""


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Person:
    """Who wrote, as the chat platform tells us."""

    user_id: int
    chat_id: int
    username: str | None = None
    first_name: str | None = None
    language_code: str | None = None
