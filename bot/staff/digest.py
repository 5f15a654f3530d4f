"""The staff group's daily digest as the group reads it: what is new, and what waits too
long for us, by who has it. Nothing to tell: no message."""

from __future__ import annotations

from datetime import datetime

from bot.staff.cards import duration, headline, who
from dialogs.flow import Flow
from dialogs.replies import Reply, Text, text
from storage.digests import DigestView
from storage.members import StaffName


def digest(
    view: DigestView,
    flow: Flow,
    names: dict[int, StaffName],
    *,
    now: datetime,
    day: str,
    waiting_days: int,
) -> Reply | None:
    """The digest of ``day``; None when nothing is new and nothing waits too long."""
    if not view.new_count and not view.overdue:
        return None
    blocks: list[Text] = [text("staff_digest_title", day=day)]
    if view.new_count:
        blocks.append(text("staff_digest_new", count=view.new_count))
        blocks += [
            text("staff_digest_line", reference=p.reference, idea=headline(p, flow))
            for p in view.new
        ]
        if view.new_count > len(view.new):
            blocks.append(text("staff_digest_more_new"))
    if view.overdue:
        blocks.append(text("staff_digest_overdue", days=waiting_days))
        by_holder: dict[int | None, list[Text]] = {}
        for waiting in view.overdue:
            why = text(f"staff_waiting_{waiting.why}", duration=duration(now - waiting.since))
            line = text("staff_digest_waiting", reference=waiting.pitch.reference, why=why)
            by_holder.setdefault(waiting.pitch.assignee_id, []).append(line)
        for holder, lines in sorted(by_holder.items(), key=lambda item: item[0] is not None):
            if holder is None:
                blocks.append(text("staff_unassigned"))
            else:
                blocks.append(text("staff_assignee", name=who(names.get(holder), holder)))
            blocks += lines
        if view.overdue_more:
            blocks.append(text("staff_digest_more_waiting"))
    return Reply(tuple(blocks))
