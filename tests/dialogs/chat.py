"""A scripted chat with the engine: say, press, command; then look at what came back.

Shared by the engine tests so each one reads like a conversation a pitcher would have.
"""

from __future__ import annotations

from collections.abc import Iterator

from dialogs.engine import Engine
from dialogs.events import Command, Edited, Event, Pressed, Said, Shared
from dialogs.flow import Flow, Kind, load_flow
from dialogs.replies import Button, Effect, Outcome, Reply, Text
from dialogs.state import Answer, Draft, Phase, State

FLOW: Flow = load_flow()
ENGINE = Engine(FLOW)
KEYS: tuple[str, ...] = tuple(q.key for q in FLOW.questions)
SECTIONS = len(FLOW.section_starts())

GOOD_ANSWERS: dict[str, str] = {
    "idea": "Een buurtfrigo in Borgerhout waar supermarkten overschotten achterlaten",
    "dream": "Een stad waar niemand nog eten weggooit en buren elkaar beter kennen",
    "challenge": "Veel mensen in Borgerhout hebben te weinig geld voor gezond eten",
    "change": "Supermarkten en buren moeten samen afspreken hoe ze overschotten delen",
    "solution_form": "1, 2",
    "solution": "Een koelkast op het plein die vrijwilligers elke dag vullen en schoonmaken",
    "novelty": "2",
    "novelty_detail": "Er bestaan al frigo's, maar nog niet met lokale supermarkten samen",
    "connect": "Het buurthuis, twee supermarkten, het OCMW en een groep vrijwilligers",
    "on_board": "Het buurthuis",
    "stage": "1",
    "scope": "1",
    "municipality": "Antwerpen",
    "support": "1",
    "support_detail": "Vooral hulp bij de vergunning",
    "name": "Sofie",
    "contact": "sofie@voorbeeld.be",
}
"""An answer per question that is accepted without a follow-up (choices typed by number)."""


def stored_answers() -> dict[str, Answer]:
    """What storage holds after every question got its good answer."""
    answers: dict[str, Answer] = {}
    for question in FLOW.questions:
        raw = GOOD_ANSWERS[question.key]
        if question.kind is Kind.CHOICE:
            value = question.options[int(raw) - 1].key
        elif question.kind is Kind.MULTI_CHOICE:
            picks = {int(p) - 1 for p in raw.split(",")}
            value = ",".join(o.key for i, o in enumerate(question.options) if i in picks)
        else:
            value = raw
        answers[question.key] = Answer(value)
    return answers


def asking(step: str, answers: dict[str, Answer] | None = None) -> State:
    """A consented Dutch speaker who is at ``step``."""
    return State("nl", True, Draft(step=step, answers=answers or {}))


def reviewing(answers: dict[str, Answer] | None = None, language: str = "nl") -> State:
    """A consented speaker looking at the review card."""
    filled = stored_answers() if answers is None else answers
    return State(language, True, Draft(step=KEYS[-1], phase=Phase.REVIEW, answers=filled))


class Chat:
    """One person talking to the engine; keeps the state between turns."""

    def __init__(self, state: State | None = None) -> None:
        self.state = state if state is not None else State("nl")
        self.outcome = Outcome(self.state)
        self.emitted: list[str] = []
        """Every callback data the engine has shown so far."""

    @classmethod
    def consented(cls, language: str = "nl") -> Chat:
        """A person who agreed and sees the first question."""
        chat = cls(State(language))
        chat.press(f"consent:yes:{language}")
        return chat

    # talking ----------------------------------------------------------------------------

    def send(self, event: Event) -> Outcome:
        self.outcome = ENGINE.handle(self.state, event)
        self.state = self.outcome.state
        self.emitted.extend(b.data for b in self.buttons())
        return self.outcome

    def say(self, text: str, message_id: int | None = None) -> Outcome:
        return self.send(Said(text, message_id))

    def press(self, data: str) -> Outcome:
        return self.send(Pressed(data))

    def command(self, name: str, argument: str = "") -> Outcome:
        return self.send(Command(name, argument))

    def share(self, kind: str, phone: str | None = None, message_id: int | None = None) -> Outcome:
        return self.send(Shared(kind, phone, message_id))

    def edit(self, message_id: int, text: str) -> Outcome:
        return self.send(Edited(message_id, text))

    def answer_until(self, key: str) -> Chat:
        """Answer every question well, in order, until ``key`` is being asked."""
        while self.step != key:
            assert self.draft.phase is Phase.ASKING, f"never reached {key!r}"
            self.say(GOOD_ANSWERS[self.step])
        return self

    def answer_all(self) -> Chat:
        """Answer every question well and land on the review card."""
        while self.draft.phase is Phase.ASKING:
            self.say(GOOD_ANSWERS[self.step])
        return self

    # looking ----------------------------------------------------------------------------

    @property
    def draft(self) -> Draft:
        assert self.state.draft is not None, "no open draft"
        return self.state.draft

    @property
    def step(self) -> str:
        return self.draft.step

    @property
    def answers(self) -> dict[str, str]:
        return {k: a.value for k, a in self.draft.answers.items()}

    @property
    def replies(self) -> tuple[Reply, ...]:
        return self.outcome.replies

    @property
    def effects(self) -> tuple[Effect, ...]:
        return self.outcome.effects

    @property
    def notice(self) -> str | None:
        return self.outcome.notice.key if self.outcome.notice else None

    def blocks(self) -> Iterator[Text]:
        for reply in self.replies:
            yield from reply.blocks

    def keys(self) -> list[str]:
        """Catalogue keys of every block of every reply, in order."""
        return [block.key for block in self.blocks()]

    def block(self, key: str) -> Text:
        """The first block with this catalogue key."""
        found = next((b for b in self.blocks() if b.key == key), None)
        assert found is not None, f"no {key!r} block in {self.keys()}"
        return found

    def values(self, key: str) -> dict[str, object]:
        return dict(self.block(key).values)

    def buttons(self) -> list[Button]:
        return [b for reply in self.replies for row in reply.buttons for b in row]

    def data(self) -> list[str]:
        """Callback data of every button just shown."""
        return [b.data for b in self.buttons()]

    def button(self, data: str) -> Button:
        found = next((b for b in self.buttons() if b.data == data), None)
        assert found is not None, f"no button {data!r} in {self.data()}"
        return found

    def progress(self) -> tuple[object, object]:
        values = self.values("progress")
        return values["number"], values["total"]
