"""The question flow: a data file an organisation edits without touching code.

The file is TOML, validated by pydantic at start-up; a broken file stops the bot with an
error naming the file, the question and the field (see :class:`FlowError`).
"""

from __future__ import annotations

import tomllib
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    StrictInt,
    ValidationError,
    model_validator,
)

from dialogs.languages import LANGUAGES
from dialogs.matching import Choices

MAX_ANSWER_LENGTH = 2000
"""Upper bound for any question's max_length, so one review block fits a Telegram message."""

Key = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,23}$")]
Stem = Annotated[str, Field(pattern=r"^\S.*\S$")]
"""A nudge keyword: two characters or more, not padded (a blank stem would match anything)."""
Word = Annotated[str, Field(pattern=r"^\S(.*\S)?$")]
"""A typed word or phrase that means something at a button, not padded."""


class Kind(StrEnum):
    """How an answer is given and validated."""

    TEXT = "text"
    CHOICE = "choice"
    MULTI_CHOICE = "multi_choice"
    EMAIL = "email"
    PHONE = "phone"
    CONTACT = "contact"  # an e-mail address or a phone number


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Texts(_Strict):
    """What the pitcher reads for one question, in one language."""

    label: str = Field(min_length=1, max_length=40)
    prompt: str = Field(min_length=1, max_length=600)
    hint: str = Field(min_length=1, max_length=600)
    example: str = Field(min_length=1, max_length=1200)
    nudge: str | None = Field(default=None, min_length=1, max_length=600)
    prompt_after_other: str | None = Field(default=None, min_length=1, max_length=600)
    """Asked instead of the prompt when the choice just before had "other" picked: what
    is that something else?"""
    nudge_keywords: tuple[Stem, ...] = ()
    """What a good answer to this question names (a group of people, partners…), as
    case-insensitive stems: an answer naming one of them in any language gets no nudge,
    however short; one naming none gets it. Without them, the answer's length decides
    (``nudge_below_words``)."""


Label = Annotated[str, Field(min_length=1, max_length=40)]


class Option(_Strict):
    """One button of a choice question; a label per language.

    The file keeps one line per language (``nl = "…"``, ``en = "…"``); they are gathered
    into ``labels`` here, so a new language needs no new field.
    """

    key: Key
    labels: dict[str, Label]
    words: dict[str, tuple[Word, ...]] = {}
    """Typed words that mean this option, per language ("nog niet begonnen")."""

    @model_validator(mode="before")
    @classmethod
    def _gather_labels(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "labels" in data:
            return data
        labels = {k: v for k, v in data.items() if k in LANGUAGES}
        others = {k: v for k, v in data.items() if k not in LANGUAGES}
        return {**others, "labels": labels}

    @model_validator(mode="after")
    def _every_language(self) -> Self:
        missing = [language for language in LANGUAGES if language not in self.labels]
        if missing:
            raise ValueError(f"option {self.key!r} has no label in {', '.join(missing)}")
        return self

    def label(self, language: str) -> str:
        return self.labels[language]

    def phrases(self) -> list[str]:
        """Every way of naming it: its labels and words, in every language."""
        return [*self.labels.values(), *(w for words in self.words.values() for w in words)]


class Question(_Strict):
    """One question of the flow."""

    key: Key
    kind: Kind = Kind.TEXT
    required: StrictBool = True
    part_of_previous: StrictBool = False
    """Shown under the previous question's number ("Vraag 5 van 11") and edited with it."""
    min_length: StrictInt = Field(default=1, ge=1)
    max_length: StrictInt = Field(default=1000, ge=1, le=MAX_ANSWER_LENGTH)
    nudge_below_words: StrictInt = Field(default=0, ge=0)
    """An answer with fewer words than this gets the one follow-up (0: never for length)."""
    options: tuple[Option, ...] = ()
    personal: StrictBool = False
    """Personal data (name, contact): kept out of the staff group and anonymous exports."""
    on_card: StrictBool = False
    """Shown on the short pitch card the team gets in its chat."""
    place: Key | None = None
    """A choice of scale ("where?"): a place typed here instead answers that question
    (the municipality) and picks the city scale."""
    texts: dict[str, Texts]
    _choices: Choices | None = PrivateAttr(default=None)
    _keywords: tuple[str, ...] | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        missing = [lang for lang in LANGUAGES if lang not in self.texts]
        if missing:
            raise ValueError(f"texts for language(s) {', '.join(missing)} are missing")
        extra = sorted(set(self.texts) - set(LANGUAGES))
        if extra:
            raise ValueError(f"unknown language(s) {', '.join(extra)} in texts")
        if self.min_length > self.max_length:
            raise ValueError("min_length is larger than max_length")
        if self.kind in (Kind.CHOICE, Kind.MULTI_CHOICE) and len(self.options) < 2:
            raise ValueError(f"a {self.kind} question needs at least two options")
        if self.options and self.kind not in (Kind.CHOICE, Kind.MULTI_CHOICE, Kind.CONTACT):
            raise ValueError(f"options are not allowed on a {self.kind} question")
        keys = [o.key for o in self.options]
        if len(set(keys)) != len(keys):
            raise ValueError("option keys must be unique")
        wants_nudge = self.nudge_below_words > 0 or any(
            t.nudge_keywords for t in self.texts.values()
        )
        if wants_nudge and any(t.nudge is None for t in self.texts.values()):
            raise ValueError("a nudge rule is set, but a nudge text is missing in a language")
        return self

    @property
    def is_choice(self) -> bool:
        return self.kind in (Kind.CHOICE, Kind.MULTI_CHOICE)

    def option(self, key: str) -> Option | None:
        return next((o for o in self.options if o.key == key), None)

    def choices(self) -> Choices:
        """Its options with every phrase that names them, built once (typed answers)."""
        if self._choices is None:
            self._choices = Choices.of((o.key, o.phrases()) for o in self.options)
        return self._choices

    def keywords(self) -> tuple[str, ...]:
        """What a good answer names, in every language, case folded once."""
        if self._keywords is None:
            self._keywords = tuple(
                w.casefold() for t in self.texts.values() for w in t.nudge_keywords
            )
        return self._keywords


class Words(_Strict):
    """Typed words for the buttons around the questions, per language."""

    yes: dict[str, tuple[Word, ...]] = {}
    """Agreeing to the consent ("ja", "akkoord", "oui")."""
    no: dict[str, tuple[Word, ...]] = {}
    languages: dict[str, tuple[Word, ...]] = {}
    """Per language code: the words that name that language ("vlaams", "anglais")."""
    done: dict[str, tuple[Word, ...]] = {}
    """The buttons as typed: "done" at a multi-choice, "skip" at an optional question,
    "keep" an answer given, "send" the review card, "cut" a too long answer. Only the
    whole text counts (case and accents aside): they are never taken from an answer."""
    skip: dict[str, tuple[Word, ...]] = {}
    keep: dict[str, tuple[Word, ...]] = {}
    send: dict[str, tuple[Word, ...]] = {}
    cut: dict[str, tuple[Word, ...]] = {}
    fillers: dict[str, tuple[Word, ...]] = {}
    """Answers to a follow-up that add nothing ("weet ik niet", "zie boven", "idem"):
    dropped, the first answer kept as it was."""
    not_places: dict[str, tuple[Word, ...]] = {}
    """Words that make a short answer at "where?" something other than a place name
    ("weet niet", "misschien")."""


class Flow(_Strict):
    """The whole flow: ordered questions plus a version stored with every pitch."""

    version: StrictInt = Field(ge=1)
    words: Words = Words()
    questions: tuple[Question, ...] = Field(min_length=1)
    _numbers: dict[str, str] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        keys = [q.key for q in self.questions]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise ValueError(f"question keys must be unique; repeated: {', '.join(dupes)}")
        if self.questions[0].part_of_previous:
            raise ValueError("the first question cannot be part_of_previous")
        if any(q.personal and q.on_card for q in self.questions):
            raise ValueError("a personal question cannot be on_card: the card goes to a group")
        for q in self.questions:
            target = self.question(q.place) if q.place else None
            if q.place and (target is None or target.kind is not Kind.TEXT or not q.is_choice):
                raise ValueError(f"question {q.key!r}: place must name a text question")
        return self

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)

    def index(self, key: str) -> int:
        for i, question in enumerate(self.questions):
            if question.key == key:
                return i
        raise KeyError(key)

    def section_starts(self) -> list[Question]:
        """The questions that open a numbered section ("Vraag n")."""
        return [q for q in self.questions if not q.part_of_previous]

    def step_number(self, key: str) -> str:
        """What the counter shows for a question: its section's number, with a letter when
        the section asks more than one question ("5a", "5b"), so no number shows twice."""
        return self._step_numbers()[key]

    def _step_numbers(self) -> dict[str, str]:
        """Every question's counter, worked out once (the flow never changes)."""
        if not self._numbers:
            sections: list[list[str]] = []
            for q in self.questions:
                if not q.part_of_previous or not sections:
                    sections.append([])
                sections[-1].append(q.key)
            for number, keys in enumerate(sections, start=1):
                for i, k in enumerate(keys):
                    self._numbers[k] = (
                        f"{number}{'abcdefghijklmnopqrstuvwxyz'[i]}"
                        if len(keys) > 1
                        else str(number)
                    )
        return self._numbers

    def section_number(self, key: str) -> int:
        """1-based number of the section a question belongs to."""
        number = 0
        for q in self.questions:
            if not q.part_of_previous:
                number += 1
            if q.key == key:
                return number
        raise KeyError(key)


class FlowError(Exception):
    """A flow file that cannot be used; the message names file, question and field."""


def _describe(loc: tuple[int | str, ...], raw: dict[str, Any]) -> str:
    """Turn a pydantic location into "question 'dream' (#2), field texts.fr.prompt"."""
    if len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int):
        index = loc[1]
        questions = raw.get("questions") or []
        key = None
        if index < len(questions) and isinstance(questions[index], dict):
            key = questions[index].get("key")
        where = f"question {key!r} (#{index + 1})" if key else f"question #{index + 1}"
        field = ".".join(str(p) for p in loc[2:])
        return f"{where}, field {field}" if field else where
    return f"field {'.'.join(str(p) for p in loc)}" if loc else "the flow"


def parse_flow(text: str, source: str) -> Flow:
    """Validate flow TOML; raise :class:`FlowError` naming ``source`` on any problem."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FlowError(f"flow file {source}: not valid TOML: {exc}") from None
    try:
        return Flow.model_validate(raw)
    except ValidationError as exc:
        problems = [
            f"{_describe(tuple(e['loc']), raw)}: {e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors()
        ]
        raise FlowError(f"flow file {source}: " + "; ".join(problems)) from None


def load_flow(path: Path | None = None) -> Flow:
    """Load ``path``, or the built-in pitch flow when no path is given."""
    if path is None:
        builtin = resources.files("dialogs").joinpath("flows/pitch.toml")
        return parse_flow(builtin.read_text(encoding="utf-8"), "dialogs/flows/pitch.toml")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FlowError(f"flow file {path}: cannot be read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise FlowError(f"flow file {path}: is not UTF-8 text; save it as UTF-8") from None
    return parse_flow(text, str(path))
