"""A draft's one reminder, and what its "stop" button answers: catalogue texts only."""

from __future__ import annotations

from datetime import date

from dialogs.buttons import reminder_data
from dialogs.dates import calendar_day
from dialogs.flow import Flow
from dialogs.replies import Button, Reply, text
from dialogs.state import Draft, Phase


def reminder_reply(flow: Flow, draft: Draft, draft_id: int, kept_until: date) -> Reply:
    """ "You were at question 5 of 11 — continue?", until when the draft is kept, and the
    buttons to go on or to hear no more of it."""
    if draft.phase is Phase.REVIEW:
        where = text("reminder_review")
    else:
        total = len(flow.section_starts())
        where = text("reminder", number=flow.step_number(draft.step), total=total)
    kept = text("reminder_kept_until", day=calendar_day(kept_until))
    buttons = (
        Button(text("button_resume"), reminder_data("continue", draft_id)),
        Button(text("button_reminder_stop"), reminder_data("stop", draft_id)),
    )
    return Reply((where, kept), (buttons,))


def stopped_reply(kept_until: date) -> Reply:
    """No more reminders; the draft stays until ``kept_until`` unless deleted now."""
    return Reply((text("reminder_stopped", day=calendar_day(kept_until)),))


def not_this_draft_reply() -> Reply:
    """A reminder's "stop" for a draft that is no longer the person's open one."""
    return Reply((text("reminder_not_this_draft"),))
