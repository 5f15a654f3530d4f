"""Checking one answer against its question: pure functions, no state.

Every rejection carries a catalogue text that tells the person what to do instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from dialogs.flow import Kind, Question
from dialogs.matching import fold
from dialogs.replies import Text, text

_EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[^@\s<>()\[\],;:\"]{2,}$")
_PHONE_NOISE = re.compile(r"[\s.\-/()]")
_PHONE = re.compile(r"^\+?\d{8,15}$")
MULTI_SEPARATOR = ","
"""Multi-choice answers are stored as option keys joined by this."""


@dataclass(frozen=True)
class Accepted:
    value: str


@dataclass(frozen=True)
class Rejected:
    reason: Text


@dataclass(frozen=True)
class Overlong:
    """A text answer longer than its question allows: kept as typed, never thrown away;
    the person shortens it (or has it shortened) before going on."""

    value: str


Checked = Accepted | Rejected | Overlong


def normalise_phone(raw: str) -> str | None:
    """A Belgian-friendly phone number in international form, or None if it is not one."""
    compact = _PHONE_NOISE.sub("", raw)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    elif compact.startswith("0"):
        compact = "+32" + compact[1:]
    if compact.startswith("+320"):
        compact = "+32" + compact[4:]  # "+32 (0)470 ...": the trunk 0 is not dialled from abroad
    return compact if _PHONE.fullmatch(compact) else None


def _is_email(raw: str) -> bool:
    return len(raw) <= 254 and _EMAIL.fullmatch(raw) is not None


CITY_SCALE = "city"
"""The option of a "where?" question that a typed place name picks."""
_PLACE = re.compile(r"[^\W\d_]+(?:[ '\-][^\W\d_]+){0,3}")


def is_place(typed: str, not_places: Iterable[str] = ()) -> bool:
    """Reads like a place name: one to four words of letters ("Gent", "Sint-Niklaas"),
    none of them a word that places are not made of ("weet niet", "misschien")."""
    words = " ".join(typed.split())
    if len(words) > 60 or _PLACE.fullmatch(words) is None:
        return False
    return not set(fold(words).split()) & {fold(w) for w in not_places}


def _match_option(question: Question, typed: str, language: str) -> str | None:
    """Option key for a typed number ("2"), label ("Buurt") or word ("wijk"), else None
    (see :mod:`dialogs.matching`)."""
    return question.choices().match(typed)


def check_typed(question: Question, raw: str, language: str) -> Checked:
    """Validate typed text for ``question``; the accepted value is what storage keeps."""
    value = raw.strip()
    if not value:
        return Rejected(text("error_empty"))
    if question.is_choice:
        return _check_typed_choice(question, value, language)
    if question.kind is Kind.CONTACT and _match_option(question, value, language):
        return Accepted(str(_match_option(question, value, language)))
    if len(value) > question.max_length:
        if question.kind is Kind.TEXT:
            return Overlong(value)
        return Rejected(text("error_too_long", limit=question.max_length, length=len(value)))
    if len(value) < question.min_length:
        return Rejected(text("error_too_short", minimum=question.min_length))
    return _check_format(question.kind, value)


_SEPARATORS = re.compile(r"[,;\n]")
_CONJUNCTIONS = re.compile(r"\s(?:en|and|et|&|\+|/)\s", re.IGNORECASE)


def _check_typed_choice(question: Question, value: str, language: str) -> Checked:
    if question.kind is Kind.CHOICE:
        key = _match_option(question, value, language)
        return Accepted(key) if key else Rejected(unclear_choice(question, language))
    listed = _SEPARATORS.search(value) is not None
    whole = None if listed else _match_option(question, value, language)
    keys: list[str] = [whole] if whole else []
    parts = [] if whole else [p for p in _SEPARATORS.split(value) if p.strip()]
    for part in parts:
        key = _match_option(question, part, language)
        found = (
            [key]
            if key
            else [_match_option(question, p, language) for p in _CONJUNCTIONS.split(part)]
        )
        if not found or None in found:
            return Rejected(unclear_choice(question, language))
        keys += [k for k in found if k and k not in keys]
    if not keys:
        return Rejected(unclear_choice(question, language))
    return Accepted(join_choices(question, keys))


def unclear_choice(question: Question, language: str) -> Text:
    """What to say when typed words name no option clearly: the options, in words."""
    options = " · ".join(f"{i}. {o.label(language)}" for i, o in enumerate(question.options, 1))
    return text("error_choose", options=options)


def _check_format(kind: Kind, value: str) -> Checked:
    if kind is Kind.EMAIL:
        return Accepted(value) if _is_email(value) else Rejected(text("error_email"))
    if kind is Kind.PHONE:
        phone = normalise_phone(value)
        return Accepted(phone) if phone else Rejected(text("error_phone"))
    if kind is Kind.CONTACT:
        if _is_email(value):
            return Accepted(value)
        phone = normalise_phone(value)
        return Accepted(phone) if phone else Rejected(text("error_contact"))
    return Accepted(value)


SENTENCE_END = re.compile(r"[.!?…](?=\s|$)")


def is_overlong(question: Question, value: str | None) -> bool:
    """A kept answer still to be shortened before the person can go on."""
    return value is not None and question.kind is Kind.TEXT and len(value) > question.max_length


def shorten(value: str, limit: int) -> str:
    """``value`` within ``limit`` characters, cut after its last whole sentence that fits;
    without one in the second half, after the last whole word, marked with "…"."""
    if len(value) <= limit:
        return value
    room = value[:limit]
    ends = [m.end() for m in SENTENCE_END.finditer(room)]
    if ends and ends[-1] >= limit // 2:
        return room[: ends[-1]].rstrip()
    words = room[: limit - 1].rsplit(maxsplit=1)[0] if " " in room else room[: limit - 1]
    return words.rstrip() + "…"


def check_shared_phone(question: Question, phone: str) -> Accepted | Rejected:
    """A contact shared with Telegram's button answers a phone or contact question."""
    if question.kind not in (Kind.PHONE, Kind.CONTACT):
        return Rejected(text("error_media", kind=text("media_contact")))
    phone = phone.strip()
    if phone[:1].isdecimal() and not phone.startswith("0"):
        phone = "+" + phone  # Telegram's numbers are international, often without the "+"
    normalised = normalise_phone(phone)
    return Accepted(normalised) if normalised else Rejected(text("error_phone"))


def chosen(value: str | None) -> list[str]:
    """Option keys of a stored multi-choice answer."""
    return [k for k in (value or "").split(MULTI_SEPARATOR) if k]


def join_choices(question: Question, keys: list[str]) -> str:
    """Store picks in the flow's option order, whatever order they were tapped in."""
    return MULTI_SEPARATOR.join(o.key for o in question.options if o.key in keys)


def is_thin(question: Question, value: str) -> bool:
    """Too thin to help the team: it names none of what a good answer names (when the
    question says what that is), or else it has too few words."""
    if question.kind is not Kind.TEXT:
        return False
    keywords = question.keywords()
    if keywords:
        folded = value.casefold()
        return not any(w in folded for w in keywords)
    return bool(question.nudge_below_words) and len(value.split()) < question.nudge_below_words


FILLER_LENGTH = 4
FILLER_SLACK = 2
"""Words a filler phrase may come with ("dat zei ik al hierboven") and still be filler."""


def is_filler(value: str, fillers: Iterable[str] = ()) -> bool:
    """Says nothing worth keeping next to more: one short word ("ja", "ok", "?"), or one
    of the flow's filler phrases ("weet ik niet", "zie boven") with little around it."""
    words = value.split()
    if len(words) <= 1 and len(value.strip()) <= FILLER_LENGTH:
        return True
    said = fold(value)
    size = len(said.split())
    return any(
        f" {phrase} " in f" {said} " and size <= len(phrase.split()) + FILLER_SLACK
        for phrase in (fold(f) for f in fillers)
        if phrase
    )


def display(question: Question, value: str, language: str) -> str:
    """How a stored answer reads on the review card and in lists."""
    if question.kind is Kind.MULTI_CHOICE:
        # an option the flow no longer has still shows (as its key): nothing is dropped
        return "; ".join(
            o.label(language) if (o := question.option(k)) is not None else k for k in chosen(value)
        )
    option = question.option(value) if question.options else None
    return option.label(language) if option else value
