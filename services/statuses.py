"""Status names as the team types them: the English keys (``in_review``), or the names the
cards show, in any of the bot's languages (``in behandeling``, ``en traitement``), case,
accents, emoji and ``_``/space aside."""

from __future__ import annotations

from collections.abc import Sequence

from dialogs.catalog import Catalog
from dialogs.languages import LANGUAGES
from dialogs.matching import fold
from dialogs.replies import Text, text
from storage.models import SENT_STATUSES


def status_text(status: str) -> Text:
    """A status as the team reads it, in their language."""
    return text(f"staff_status_{status}")


def shown_status(status: str, referral: str | None = None) -> Text:
    """A status as a change shows it: a referral says to whom."""
    if referral:
        return text("staff_status_to", status=status_text(status), to=referral)
    return status_text(status)


class StatusNames:
    """Every way of naming a sent status, from the catalogue's status names."""

    def __init__(self, catalog: Catalog) -> None:
        names: dict[str, str] = {}
        for status in SENT_STATUSES:
            names[fold(status)] = status
            for language in LANGUAGES:
                shown = catalog.render_plain(language, text(f"staff_status_{status}"))
                names.setdefault(fold(shown), status)
        self.names = names
        self.longest = max(len(name.split()) for name in names)

    def find(self, typed: str) -> str | None:
        """The status ``typed`` names as a whole, or None."""
        return self.names.get(fold(typed))

    def pick(self, words: Sequence[str]) -> tuple[list[str], list[str]]:
        """The statuses named among ``words`` (longest names first, so "niet verder" is
        one status, not the word "niet"), and the words that are no status, in order."""
        statuses: list[str] = []
        rest: list[str] = []
        position = 0
        while position < len(words):
            for size in range(min(self.longest, len(words) - position), 0, -1):
                status = self.find(" ".join(words[position : position + size]))
                if status is not None:
                    statuses.append(status)
                    position += size
                    break
            else:
                rest.append(words[position])
                position += 1
        return list(dict.fromkeys(statuses)), rest
