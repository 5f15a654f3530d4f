"""The conversation state the engine reads and returns: plain, immutable data.

It mirrors what storage keeps (pitcher language and consent, the open draft), so the
engine can be tested without a database and a restart resumes exactly here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Phase(StrEnum):
    """Where an open draft is: answering questions, or looking at the review card."""

    ASKING = "asking"
    REVIEW = "review"


@dataclass(frozen=True)
class Answer:
    """A stored answer and the chat message it came from (so an edit can update it)."""

    value: str
    message_id: int | None = None


@dataclass(frozen=True)
class Draft:
    """An unsent pitch."""

    step: str
    """Key of the current question (also kept while reviewing: where /back returns)."""
    phase: Phase = Phase.ASKING
    answers: Mapping[str, Answer] = field(default_factory=dict)
    nudged: bool = False
    """The one follow-up for the current question has been asked."""
    editing: bool = False
    """Came from the review card: return there when this section is done."""
    confirming_cancel: bool = False
    """"Really delete your draft?" is open: typed text is not an answer then."""


@dataclass(frozen=True)
class State:
    """Everything the engine needs to answer one input."""

    language: str
    consented: bool = False
    draft: Draft | None = None
    confirming_forget: bool = False
    """"Erase everything of mine?" (/forgetme) is open: only then does "yes" erase."""
    consent_outdated: bool = False
    """They agreed to an earlier privacy text: asked again before anything new is stored."""
