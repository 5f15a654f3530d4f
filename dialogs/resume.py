"""Where a person was, shown again after the bot's answer did not reach them.

Telegram was unreachable (or too busy) when the bot answered, and retrying did not get
the answer through: the state is stored, so what they missed can always be rebuilt from
it — the question they are at, or their review card, and the reference of a pitch sent
in the meantime.
"""

from __future__ import annotations

from dialogs.progress import Progress
from dialogs.replies import Reply, text
from dialogs.state import State


def lost_answer(
    progress: Progress, state: State, reference: str | None, *, typed: bool = False
) -> tuple[Reply, ...]:
    """The replies that put the person back where they were.

    ``typed``: they wrote something before this reached them; it was not taken as an
    answer (they may never have seen the question it would answer), and they are told.
    """
    lead = (text("resume_lost_typed" if typed else "resume_lost"),)
    if reference and state.draft is None:  # the pitch was sent: its reference is the news
        return (Reply((*lead, text("submitted", reference=reference))),)
    return (*owed_reference(reference), *progress.here(state, lead))


def owed_reference(reference: str | None) -> tuple[Reply, ...]:
    """A pitch's reference that never reached its pitcher, shown with whatever comes next."""
    return (Reply((text("submitted", reference=reference),)),) if reference else ()
