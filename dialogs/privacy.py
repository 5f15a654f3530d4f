"""What /privacy tells a person: the texts, filled in with the organisation's own terms."""

from __future__ import annotations

from dataclasses import dataclass

from dialogs.replies import Reply, text


@dataclass(frozen=True)
class PrivacyTerms:
    """The organisation's terms, from its settings (the engine knows no settings)."""

    contact: str | None = None
    """Who is responsible for the data and how to reach them; None: not configured."""
    draft_days: int = 60
    """Drafts untouched this long are deleted."""
    closed_days: int | None = None
    """Decided pitches are erased this long after the decision; None: kept until erased."""


def privacy_reply(terms: PrivacyTerms) -> Reply:
    """What we keep and why, who is responsible, how long, and the person's rights."""
    controller = (
        text("privacy_controller", contact=terms.contact)
        if terms.contact
        else text("privacy_controller_unnamed")
    )
    closed = (
        text("privacy_kept_closed", days=terms.closed_days)
        if terms.closed_days
        else text("privacy_kept_closed_off")
    )
    return Reply(
        (
            text("privacy"),
            controller,
            text("privacy_kept_drafts", days=terms.draft_days),
            closed,
            text("privacy_rights"),
            text("privacy_erasure"),
            text("privacy_notes"),
        )
    )
