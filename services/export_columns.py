"""What each column of a pitch export holds, and the guard against formula injection.

Cells are built from stored values only through :func:`dialogs.answers.display`, so an
export reads like the pitch card (choice labels, not option keys), and every cell passes
:func:`guard`, so nothing a pitcher typed runs as a formula when staff open the file.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from dialogs.answers import display
from dialogs.catalog import Catalog
from dialogs.flow import Flow, Question
from dialogs.replies import text
from storage.export import ExportRow
from storage.models import TEAM_ZONE

DANGEROUS_STARTS = frozenset("=+-@\t\r")
"""A cell starting with one of these is a formula to a spreadsheet (OWASP CSV injection)."""


FIXED_COLUMNS = (
    "reference",
    "status",
    "submitted_at",
    "language",
    "assignee",
    "status_changed_at",
    "notes",
)
TELEGRAM_COLUMNS = ("first_name", "username", "telegram_id")


def guard(cell: str) -> str:
    """The cell with a leading ``'`` if a spreadsheet would take it for a formula.

    Only those cells change (``+32 470…`` becomes ``'+32 470…``); every other cell is
    written byte for byte.
    """
    return "'" + cell if cell and cell[0] in DANGEROUS_STARTS else cell


def timestamp(moment: datetime | None) -> str:
    """ISO 8601 in Brussels time with its offset, to the second: 2026-03-14T10:30:00+01:00."""
    return "" if moment is None else moment.astimezone(TEAM_ZONE).isoformat("T", "seconds")


Show = Callable[[str], str]


def _shown(question: Question, language: str) -> Show | None:
    """How a stored answer becomes a cell: None when as stored (free text), else
    :func:`display` with a small memo, since choice answers repeat on every row."""
    if not question.options:
        return None  # display() returns such answers unchanged
    memo: dict[str, str] = {}

    def show(value: str) -> str:
        cell = memo.get(value)
        if cell is None:
            cell = display(question, value, language)
            if len(memo) < 1024:  # contact answers are options or unique addresses
                memo[value] = cell
        return cell

    return show


class Columns:
    """The header and each pitch's cells, in the same order, for one flow and language.

    Order: reference, status, submitted at, language, assignee, last status change,
    notes; one column per question in flow order; then, unless ``anonymous``, the
    personal questions (name, contact) and the pitcher's Telegram first name, username
    and id. Answers to questions no longer in the flow are not exported.
    """

    def __init__(
        self, flow: Flow, language: str, *, anonymous: bool, catalog: Catalog | None = None
    ) -> None:
        self.language = language
        self.catalog = catalog or Catalog.load()
        self.anonymous = anonymous
        questions = [q for q in flow.questions if not q.personal]
        personal = [] if anonymous else [q for q in flow.questions if q.personal]
        self.questions = (*questions, *personal)
        self.keys = [q.key for q in self.questions]
        """The answers each row must bring, in column order."""
        self.shows = [_shown(q, language) for q in self.questions]

    def header(self) -> list[str]:
        def title(key: str) -> str:
            return self.catalog.render_plain(self.language, text(f"export_column_{key}"))

        titles = [title(key) for key in FIXED_COLUMNS]
        titles += [question.texts[self.language].label for question in self.questions]
        if not self.anonymous:
            titles += [title(key) for key in TELEGRAM_COLUMNS]
        return [guard(title) for title in titles]

    def cells(self, row: ExportRow) -> list[str]:
        """One row's cells, guarded; the hot loop of an export, so written for speed."""
        assignee = row.assignee_name
        if assignee is None and row.assignee_id is not None and not self.anonymous:
            assignee = str(row.assignee_id)  # a bare Telegram id: personal, so not anonymous
        cells = [
            row.reference or "",
            row.status,
            timestamp(row.submitted_at),
            row.language,
            assignee or "",
            timestamp(row.status_changed_at),
            str(row.notes),
        ]
        cells += [
            "" if value is None else value if show is None else show(value)
            for value, show in zip(row.answers, self.shows, strict=True)
        ]
        if not self.anonymous:
            cells += [row.first_name or "", row.username or "", str(row.telegram_user_id)]
        return ["'" + cell if cell and cell[0] in DANGEROUS_STARTS else cell for cell in cells]
