"""What typed words mean where the bot offers buttons.

People type "ja" at the consent, "nog niet begonnen" at "how far along", "een dienst"
at a multi-choice. Each option is known by its phrases — its labels in every language
without the emoji, and the words the flow file or catalogue lists for it — compared
folded (case, accents, emoji and punctuation aside). A typed text means an option when:

1. it is one of its phrases, or its number;
2. it holds one of its phrases as whole words ("een dienst denk ik"), or is a part of one
   of at least four letters ("droom" in "het is nog een droom"), for one option only
   (the longest phrase wins when one phrase holds another);
3. it is a phrase with a small typo (rapidfuzz's ratio of at least :data:`TYPO_SCORE`),
   clearly closer to one option than to any other.

Anything else is unclear: the caller names the options in words and shows the buttons
again. Deterministic and pure, so a test table says what maps to what.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz

TYPO_SCORE = 85
"""How alike (0–100) a typed text and a phrase must be to be read as that phrase."""
TYPO_MARGIN = 8
"""How much closer to the best option than to the next one a typo must be."""
PART_LENGTH = 4
"""The shortest part of a phrase that stands for it ("droom", not "de")."""

_NOT_A_LETTER = re.compile(r"[^\w]+|_")


def fold(typed: str) -> str:
    """``"💭 Het is nog een DRÓÓM!"`` → ``"het is nog een droom"``: what is compared."""
    plain = unicodedata.normalize("NFKD", typed)
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return " ".join(_NOT_A_LETTER.sub(" ", plain.casefold()).split())


def _holds(text: str, phrase: str) -> bool:
    """Whether ``phrase`` stands in ``text`` as whole words."""
    return f" {phrase} " in f" {text} "


@dataclass(frozen=True)
class Choices:
    """The options offered at one step, each with every phrase that names it."""

    phrases: Mapping[str, tuple[str, ...]]
    """Option key → its folded phrases (labels, words), in the order offered."""

    @classmethod
    def of(cls, options: Iterable[tuple[str, Iterable[str]]]) -> Choices:
        """From (key, phrases) pairs as written; phrases are folded here, blanks dropped."""
        folded: dict[str, tuple[str, ...]] = {}
        for key, phrases in options:
            found = [fold(p) for p in phrases]
            folded[key] = tuple(dict.fromkeys(p for p in found if p))
        return cls(folded)

    def match(self, typed: str) -> str | None:
        """The option key ``typed`` clearly means, or None when it is unclear."""
        keys = list(self.phrases)
        stripped = typed.strip()
        if stripped.isdecimal() and len(stripped) <= 3 and 1 <= int(stripped) <= len(keys):
            return keys[int(stripped) - 1]
        text = fold(typed)
        if not text:
            return None
        exact = [k for k, phrases in self.phrases.items() if text in phrases]
        if exact:
            return exact[0] if len(set(exact)) == 1 else None
        return self._within(text) or self._typo(text)

    def _within(self, text: str) -> str | None:
        """A phrase in the text, or else the text as a part of phrases of one option."""
        held = {k: [p for p in ps if _holds(text, p)] for k, ps in self.phrases.items()}
        found = {k: ps for k, ps in held.items() if ps}
        if not found and len(text) >= PART_LENGTH:
            found = {
                k: [text] for k, ps in self.phrases.items() if any(_holds(p, text) for p in ps)
            }
        if len(found) == 1:
            return next(iter(found))
        if not found:
            return None
        # "gemeente of stad" holds "stad": the longer phrase speaks for both, but two
        # phrases side by side ("een dienst en een methode") name two options
        best_key, best = max(
            ((k, p) for k, ps in found.items() for p in ps), key=lambda item: len(item[1])
        )
        inside = all(_holds(best, p) for k, ps in found.items() if k != best_key for p in ps)
        return best_key if inside else None

    def _typo(self, text: str) -> str | None:
        scores = {
            key: max((fuzz.ratio(text, phrase) for phrase in phrases), default=0.0)
            for key, phrases in self.phrases.items()
        }
        ranked = sorted(scores.items(), key=lambda item: -item[1])
        best, score = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        return best if score >= TYPO_SCORE and score - runner_up >= TYPO_MARGIN else None
