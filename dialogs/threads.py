"""The two-way thread between the team and a pitcher: which messages can be answered.

Telegram's "reply" is the natural way to answer a message, on both sides. A reply only
becomes a message for the other side when it answers a bot message that opens with
:data:`REPLY_MARK` and names a pitch reference on its first line (the team's message to a
pitcher, a relayed pitcher message, the reply prompt); a reply to a pitch card stays in
the staff group, even when the card quotes a mark the pitcher typed.
"""

from __future__ import annotations

import re

REPLY_MARK = "↩️"
STATUS_MARK = "✍️"
"""Opens the prompts of a status change the pitcher will hear of (to whom? your word?):
a staff member's reply to one belongs to that change, never to the thread."""
REFERENCE_FORMAT = r"P-\d{4}-\d{4,}"
"""A pitch reference: ``P-``, the year, a number of four digits or more (P-2026-0042)."""
REFERENCE_LENGTH = 16
"""The longest reference kept (P-2026- and up to nine digits)."""
REFERENCE = re.compile(rf"\b{REFERENCE_FORMAT}\b", re.IGNORECASE)


def find_reference(text: str) -> str | None:
    """The first pitch reference in a text (a command argument or a replied-to message)."""
    found = REFERENCE.search(text)
    return found.group(0).upper() if found else None


def marked_reference(quoted: str, mark: str = REPLY_MARK) -> str | None:
    """The reference a message marked with ``mark`` is about; None for any other text.

    The mark opens a marked message and the reference is on its first line; anywhere
    else they may be the pitcher's own words quoted on a card, which stays in the group.
    """
    if not quoted.startswith(mark):
        return None
    return find_reference(quoted.split("\n", 1)[0])
