"""What a staff member asks to export: the options, the chat form, and what can go wrong.

The chat (``/export new since 2026-11-01 excel``) and the command line build the same
:class:`ExportOptions`; every problem is an :class:`ExportError` with a kind the chat can
turn into a catalogue text and a plain English message the CLI prints.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from dialogs.languages import LANGUAGES
from storage.export import ExportFilter
from storage.models import SENT_STATUSES

_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_FLAGS = ("drafts", "anonymous", "excel")


class ExportError(Exception):
    """Options that cannot be exported, or a file that cannot be written.

    ``problem`` names the kind — ``bad_date``, ``missing_date``, ``unknown_status``,
    ``unknown_word``, ``until_before_since``, ``unknown_language``, ``cannot_write`` —
    and ``values`` its details, so the chat can say it from a catalogue; the message
    itself is the plain English the CLI prints.
    """

    def __init__(self, problem: str, message: str, **values: str) -> None:
        super().__init__(message)
        self.problem = problem
        self.values = values


def parse_day(text: str) -> date:
    """A YYYY-MM-DD day; anything else (2026-2-3, 20260203, 2026-02-30) is refused."""
    try:
        if _DAY.fullmatch(text.strip()):
            return date.fromisoformat(text.strip())
    except ValueError:
        pass
    raise ExportError("bad_date", f"{text!r} is not a date: use YYYY-MM-DD", value=text)


@dataclass(frozen=True)
class ExportOptions:
    """What to export and how; an impossible combination raises :class:`ExportError`."""

    statuses: tuple[str, ...] = ()
    """Sent statuses to export; empty exports them all."""
    since: date | None = None
    """First day included, in Europe/Brussels."""
    until: date | None = None
    """Last day included — the whole day — in Europe/Brussels."""
    include_drafts: bool = False
    anonymous: bool = False
    """Leave out every personal column: name, contact, Telegram name, username and id."""
    excel: bool = False
    language: str = LANGUAGES[0]
    """Language of the column titles and of choice answers."""
    filter: ExportFilter = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for status in self.statuses:
            if status not in SENT_STATUSES:
                raise ExportError(
                    "unknown_status",
                    f"unknown status {status!r}: choose from {', '.join(SENT_STATUSES)}"
                    " (drafts come with the drafts option)",
                    value=status,
                )
        if self.since is not None and self.until is not None and self.until < self.since:
            raise ExportError(
                "until_before_since",
                f"until {self.until} is before since {self.since}",
                since=self.since.isoformat(),
                until=self.until.isoformat(),
            )
        if self.language not in LANGUAGES:
            raise ExportError(
                "unknown_language",
                f"unknown language {self.language!r}: choose from {', '.join(LANGUAGES)}",
                value=self.language,
            )
        statuses = tuple(dict.fromkeys(self.statuses))
        wanted = ExportFilter(statuses, self.since, self.until, self.include_drafts)
        object.__setattr__(self, "filter", wanted)


def parse_export_command(words: Sequence[str], *, language: str) -> ExportOptions:
    """Options from the chat form, in any order and case: ``/export [status...]
    [since YYYY-MM-DD] [until YYYY-MM-DD] [drafts] [anonymous] [excel]``."""
    statuses: list[str] = []
    days: dict[str, date] = {}
    flags: set[str] = set()
    items = iter(words)
    for word in items:
        lowered = word.lower()
        if lowered in ("since", "until"):
            value = next(items, None)
            if value is None:
                raise ExportError("missing_date", f"{lowered} needs a date: YYYY-MM-DD", word=word)
            days[lowered] = parse_day(value)
        elif lowered in _FLAGS:
            flags.add(lowered)
        elif lowered in SENT_STATUSES:
            statuses.append(lowered)
        elif _DAY.fullmatch(lowered):
            raise ExportError("missing_date", f"put since or until before {word}", word=word)
        else:
            raise ExportError(
                "unknown_word",
                f"{word!r} is not a status, since, until, drafts, anonymous or excel",
                value=word,
            )
    return ExportOptions(
        tuple(statuses),
        since=days.get("since"),
        until=days.get("until"),
        include_drafts="drafts" in flags,
        anonymous="anonymous" in flags,
        excel="excel" in flags,
        language=language,
    )


def add_export_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `pitchbot export`, the same as the chat form's."""
    parser.add_argument(
        "--status",
        action="append",
        default=[],
        help=f"only pitches with this status; repeat for more ({', '.join(SENT_STATUSES)})",
    )
    day = "YYYY-MM-DD"
    parser.add_argument("--since", metavar=day, help="sent on or after this day (Brussels)")
    parser.add_argument("--until", metavar=day, help="sent on or before this day, all of it")
    parser.add_argument(
        "--include-drafts", action="store_true", help="also unsent drafts (by day started)"
    )
    parser.add_argument(
        "--anonymous", action="store_true", help="leave out names, contacts and Telegram ids"
    )
    parser.add_argument(
        "--excel", action="store_true", help="semicolons and a BOM, for Excel (BE/NL locale)"
    )
    parser.add_argument(
        "--language", choices=LANGUAGES, help="column titles (default: the bot's language)"
    )
    parser.add_argument(
        "-o", "--output", default="-", metavar="FILE", help="the CSV file; - is standard output"
    )


def options_from_arguments(args: argparse.Namespace, *, default_language: str) -> ExportOptions:
    """The options `pitchbot export` was given; dates and statuses checked like in chat."""
    return ExportOptions(
        tuple(status.lower() for status in args.status),
        since=None if args.since is None else parse_day(args.since),
        until=None if args.until is None else parse_day(args.until),
        include_drafts=args.include_drafts,
        anonymous=args.anonymous,
        excel=args.excel,
        language=args.language or default_language,
    )
