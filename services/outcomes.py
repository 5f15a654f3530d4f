"""What the team's use cases take and give back: plain values, no Telegram, no SQL.

The staff side's adapter (bot/staff) builds an :class:`Actor` from an update, calls a
use case of :class:`~services.desk.StaffDesk`, and renders the :class:`Change` it gets:
the pitch as it is now, the staff group's card to redraw, and the :class:`Tell` for the
pitcher.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar

from dialogs.replies import Reply
from services.types import Person
from storage.erased import Tombstone
from storage.events import EventView
from storage.members import StaffName
from storage.pitches import Located, PitchView
from storage.workflow import Erasure


class Repeated(Exception):
    """Telegram redelivered an update that was handled before: nothing is done again."""


class Gone(Exception):
    """The pitch asked about was erased: what stays of it, its reference, dates and why.
    Nothing was done (the unit of work is rolled back, the update's claim too: a
    redelivery is answered the same way again)."""

    def __init__(self, tombstone: Tombstone) -> None:
        super().__init__(tombstone.reference)
        self.tombstone = tombstone


class Theirs(Exception):
    """A staff member answered about their own pitch, as its pitcher: not team business."""


@dataclass(frozen=True)
class Actor:
    """The staff member acting, and the update they act with (None from the console)."""

    person: Person
    update_id: int | None = None
    topic: int | None = None
    """The staff group's forum topic they typed in (a pitch's topic records what was typed
    there itself; a change made elsewhere is said there by the bot)."""

    @property
    def name(self) -> str:
        """How the team's topic names who did something."""
        person = self.person
        return (
            person.first_name
            or (f"@{person.username}" if person.username else "")
            or str(person.user_id)
        )


@dataclass(frozen=True)
class PitchFile:
    """A pitch with everything the team shows about it."""

    pitch: PitchView
    history: list[EventView]
    names: dict[int, StaffName]

    def name(self, user_id: int | None) -> str:
        """A staff member as cards show them: their name if known, else the id."""
        if user_id is None:
            return "–"
        known = self.names.get(user_id)
        return known.shown if known is not None else str(user_id)


Item = TypeVar("Item")


@dataclass(frozen=True)
class Listed(Generic[Item]):
    """A list for the team: its lines, whether there are more, and the names of those
    who have the pitches."""

    items: list[Item]
    more: bool
    names: dict[int, StaffName]


@dataclass(frozen=True)
class Tell:
    """A message for a pitcher's private chat, in their language."""

    chat_id: int
    language: str
    reply: Reply
    reference: str | None
    event_id: int | None = None
    """The thread's message this delivers, marked delivered once Telegram takes it."""


@dataclass(frozen=True)
class Change:
    """What a staff action left behind: the pitch now, the group card to redraw, news."""

    file: PitchFile
    card: PitchFile | None = None
    """The pitch again when its card in the staff group shows what just changed."""
    tell: Tell | None = None
    previous: str | None = None
    """Take: who had it (a name) when someone else won; assign: who had it before (a
    name) when it was someone else's; status: the old status."""
    won: bool = True
    """Take: whether the pitch is now the actor's; status: whether anything changed."""
    event_id: int | None = None
    """Reply: the thread's message that was stored before sending."""
    before: Located | None = None
    """Take and status: the pitch just before this change (what a button drawn on an
    older state is compared with)."""


Choice = Literal["send", "word", "quiet"]
"""What a staff member chose for a status the pitcher hears about."""


@dataclass(frozen=True)
class Proposed:
    """A status the pitcher will hear of, not made yet: the actor sees the message first.

    ``asks`` what comes next: "referral" (to whom is it referred? a typed answer),
    "choice" (send / with a personal word / without telling), "word" (their word)."""

    file: PitchFile
    status: str
    news: Tell | None
    """The message the pitcher would get now, in their language."""
    asks: Literal["referral", "choice", "word"]


@dataclass(frozen=True)
class Expired:
    """The choice pressed or typed is no longer open (made already, or proposed anew)."""


@dataclass(frozen=True)
class Erased:
    erasure: Erasure
    tell: Tell
    cards: tuple[tuple[int, str], ...] = field(default=())


Delivery = Literal["sent", "queued", "failed"]
"""What became of a :class:`Tell`: taken, kept to be tried again, or never deliverable."""
