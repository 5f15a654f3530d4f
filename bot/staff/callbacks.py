"""Staff button data: one typed encoder and parser, used by every keyboard and handler.

A button that acts on a pitch names it by its **reference** (``tk:P-2026-0042``), never
by a database id. References are handed out once and never reused, so a button drawn
for one person's pitch can only ever act on that pitch: after an erasure it finds
nothing and says so. Only paging buttons carry an id, as a keyset cursor that acts on
nobody. Data is untrusted: it is parsed again on every press.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, cast

from dialogs.threads import REFERENCE_FORMAT, REFERENCE_LENGTH
from services.outcomes import Choice
from storage.models import SENT_STATUSES

_REFERENCE = re.compile(REFERENCE_FORMAT)
_CURSOR = re.compile(r"\d{1,18}")
_PREFIXES: Final = ("tk", "st", "rp", "sh", "nx", "pv", "er", "sv")
_CHOICES: Final = ("send", "word", "quiet")


_DRAWN_CODES: Final = {
    "new": "n",
    "in_review": "r",
    "in_conversation": "c",
    "supported": "s",
    "referred": "f",
    "not_pursued": "x",
    "archived": "a",
}
"""One letter per status, fixed for good: buttons drawn long ago are read the same way."""
_DRAWN_STATUSES: Final = {code: status for status, code in _DRAWN_CODES.items()}
_DRAWN = re.compile(rf"([{''.join(_DRAWN_STATUSES)}])(\d{{1,18}})?")


@dataclass(frozen=True)
class Drawn:
    """The pitch as the pressed message showed it (status and holder): a press on an
    older state acts on the current one and says what changed meanwhile."""

    status: str
    assignee_id: int | None


@dataclass(frozen=True)
class Take:
    """🙋 take it: assign the pitch to whoever pressed."""

    reference: str
    drawn: Drawn | None = None


@dataclass(frozen=True)
class SetStatus:
    reference: str
    status: str
    drawn: Drawn | None = None


@dataclass(frozen=True)
class Write:
    """💬 reply: ask the staff member for a message to the pitcher."""

    reference: str


@dataclass(frozen=True)
class Show:
    """📄 show all: the whole pitch."""

    reference: str


@dataclass(frozen=True)
class Page:
    """◀️ / ▶️ on the list of new pitches: the page before or after a pitch."""

    pitch_id: int
    forward: bool


@dataclass(frozen=True)
class Erase:
    """The answer to "erase everything of this pitcher?"."""

    reference: str
    confirmed: bool


@dataclass(frozen=True)
class Decide:
    """A choice on a proposed status: send the message, with a personal word, or quietly."""

    reference: str
    choice: Choice


@dataclass(frozen=True)
class Outdated:
    """Data drawn by an older version that named pitches by id: no longer trusted."""


StaffAction = Take | SetStatus | Write | Show | Page | Erase | Decide


def is_staff_data(data: object) -> bool:
    """Staff button data (valid or not); everything else belongs to the pitch conversation."""
    return isinstance(data, str) and data.partition(":")[0] in _PREFIXES and ":" in data


def encode(action: StaffAction) -> str:
    """The callback data of a button (well under Telegram's 64 bytes)."""
    match action:
        case Take(reference, drawn):
            return f"tk:{reference}{_drawn_data(drawn)}"
        case SetStatus(reference, status, drawn):
            return f"st:{reference}:{status}{_drawn_data(drawn)}"
        case Write(reference):
            return f"rp:{reference}"
        case Show(reference):
            return f"sh:{reference}"
        case Page(pitch_id, forward):
            return f"{'nx' if forward else 'pv'}:{pitch_id}"
        case Erase(reference, confirmed):
            return f"er:{reference}:{'yes' if confirmed else 'no'}"
        case Decide(reference, choice):
            return f"sv:{reference}:{choice}"


def parse(data: str) -> StaffAction | Outdated | None:
    """The action a press asks for; None for data no version of the bot ever drew."""
    prefix, _, rest = data.partition(":")
    target, _, option = rest.partition(":")
    drawn: Drawn | None = None
    if prefix in ("tk", "st") and option:
        # the state the button was drawn with comes last (older buttons have none)
        kept, _, shown = option.rpartition(":") if prefix == "st" else ("", "", option)
        if prefix == "st" and not kept:
            kept, shown = option, ""
        if shown:
            found = _DRAWN.fullmatch(shown)
            if found is None:
                return None
            holder = int(found.group(2)) if found.group(2) else None
            drawn = Drawn(_DRAWN_STATUSES[found.group(1)], holder)
        option = kept
    if prefix in ("nx", "pv"):
        if option or not _CURSOR.fullmatch(target):
            return None
        return Page(int(target), forward=prefix == "nx")
    if _CURSOR.fullmatch(target) and prefix in _PREFIXES:
        return Outdated() if _option_fits(prefix, option) else None
    if len(target) > REFERENCE_LENGTH or not _REFERENCE.fullmatch(target):
        return None
    if not _option_fits(prefix, option):
        return None
    match prefix:
        case "tk":
            return Take(target, drawn)
        case "st":
            return SetStatus(target, option, drawn)
        case "rp":
            return Write(target)
        case "sh":
            return Show(target)
        case "er":
            return Erase(target, confirmed=option == "yes")
        case "sv":
            return Decide(target, cast(Choice, option))
    return None


def _drawn_data(drawn: Drawn | None) -> str:
    """``:r7001`` (in review, Olga's) or ``:n`` (new, nobody's); nothing when unknown."""
    if drawn is None:
        return ""
    return f":{_DRAWN_CODES[drawn.status]}{drawn.assignee_id or ''}"


def _option_fits(prefix: str, option: str) -> bool:
    if prefix == "st":
        return option in SENT_STATUSES
    if prefix == "er":
        return option in ("yes", "no")
    if prefix == "sv":
        return option in _CHOICES
    return option == ""
