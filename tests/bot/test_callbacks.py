"""Staff button data: what a keyboard draws, a press parses back to the same action."""

from __future__ import annotations

import pytest

from bot.staff.callbacks import (
    Decide,
    Drawn,
    Erase,
    Outdated,
    Page,
    SetStatus,
    Show,
    StaffAction,
    Take,
    Write,
    encode,
    is_staff_data,
    parse,
)
from storage.models import SENT_STATUSES

LONGEST = "P-2026-999999999"
HOLDER = 9_999_999_999_999_999
"""A Telegram user id longer than any handed out (they fit 52 bits)."""

ACTIONS: list[StaffAction] = [
    Take(LONGEST),
    Take(LONGEST, Drawn("new", None)),
    *(SetStatus(LONGEST, status) for status in SENT_STATUSES),
    *(
        SetStatus(LONGEST, status, Drawn(drawn, HOLDER))
        for status in SENT_STATUSES
        for drawn in SENT_STATUSES
    ),
    *(Decide(LONGEST, choice) for choice in ("send", "word", "quiet")),
    Write(LONGEST),
    Show(LONGEST),
    Page(999_999_999_999_999_999, forward=True),
    Page(1, forward=False),
    Erase(LONGEST, confirmed=True),
    Erase(LONGEST, confirmed=False),
]


@pytest.mark.parametrize("action", ACTIONS, ids=encode)
def test_every_action_survives_the_round_trip_within_telegrams_64_bytes(
    action: StaffAction,
) -> None:
    data = encode(action)

    assert len(data.encode()) <= 64
    assert is_staff_data(data)
    assert parse(data) == action


def test_buttons_drawn_before_they_remembered_the_pitchs_state_still_work() -> None:
    assert parse("tk:P-2026-0001") == Take("P-2026-0001")
    assert parse("st:P-2026-0001:in_review") == SetStatus("P-2026-0001", "in_review")


def test_buttons_of_older_versions_that_named_pitches_by_id_are_recognised_not_trusted() -> None:
    for data in ("tk:4", "st:14:in_review", "rp:7", "sh:7", "er:14:yes", "er:14:no"):
        assert parse(data) == Outdated(), data


def test_the_pitch_conversation_keeps_its_own_buttons() -> None:
    for data in ("opt:stage:1", "forget:yes", "send", "consent:yes:nl", "", None):
        assert not is_staff_data(data), data
