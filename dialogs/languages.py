"""The languages pitchbot speaks: the one list, the default, and how a person's is found.

Adding a language is a catalogue file (``dialogs/locales/<code>.toml``), the flow's texts
in it (each question's ``[questions.texts.<code>]`` and each option's ``<code>`` label),
and one entry here.
"""

from __future__ import annotations

LANGUAGES: tuple[str, ...] = ("nl", "en", "fr")
"""Languages every flow and catalogue must speak; the first is the default."""

DEFAULT = LANGUAGES[0]


def known(code: str | None) -> bool:
    return code in LANGUAGES


def resolve(code: str | None, fallback: str = DEFAULT) -> str:
    """A language from Telegram's ``language_code`` ("nl-BE" → nl), else ``fallback``."""
    first = (code or "")[:2].lower()
    return first if first in LANGUAGES else fallback
