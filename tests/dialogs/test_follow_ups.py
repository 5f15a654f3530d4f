"""Follow-ups that listen: asked only when the answer lacks what the question needs, and
the answer to one is added to the first answer without the filler, said back."""

from __future__ import annotations

import pytest

from tests.dialogs.chat import FLOW, GOOD_ANSWERS, Chat

NEEDS_NO_FOLLOW_UP = [
    ("challenge", "eenzaamheid. ouderen die alleen wonen"),  # short, but names who
    ("challenge", "Ouderen"),
    ("challenge", "l'isolement des personnes âgées"),
    ("connect", "de parochie, buren, het OCMW"),  # short, but names partners
    ("connect", "the council and a library"),
    ("connect", "le CPAS et une école"),
]
NEEDS_A_FOLLOW_UP = [
    ("challenge", "Er is te veel afval op straat"),  # names nobody
    ("connect", "dat zien we nog wel"),  # names no partner
    ("idea", "buurtfrigo"),  # too short for the idea
]


@pytest.mark.parametrize(("step", "typed"), NEEDS_NO_FOLLOW_UP)
def test_no_follow_up_when_the_answer_already_names_what_is_needed(step: str, typed: str) -> None:
    chat = Chat.consented().answer_until(step)

    chat.say(typed)

    assert "nudge" not in chat.keys() and chat.step != step


@pytest.mark.parametrize(("step", "typed"), NEEDS_A_FOLLOW_UP)
def test_a_follow_up_when_the_answer_lacks_it(step: str, typed: str) -> None:
    chat = Chat.consented().answer_until(step)

    chat.say(typed)

    assert chat.keys() == ["nudge"] and chat.step == step


@pytest.mark.parametrize(
    "filler",
    ["weet ik niet", "Dat zei ik al.", "zie boven", "idem", "je l'ai déjà dit", "no idea"],
)
def test_filler_after_a_follow_up_keeps_the_first_answer_as_it_was(filler: str) -> None:
    chat = Chat.consented().answer_until("challenge")
    chat.say("Er is te veel afval op straat")

    chat.say(filler)

    assert chat.answers["challenge"] == "Er is te veel afval op straat"
    assert chat.keys()[0] == "follow_up_kept" and chat.step == "change"


def test_a_real_addition_is_added_and_said_back() -> None:
    chat = Chat.consented().answer_until("challenge")
    chat.say("Er is te veel afval op straat")

    chat.say("Vooral de bewoners van de Seefhoek hebben er last van")

    assert chat.answers["challenge"] == (
        "Er is te veel afval op straat\nVooral de bewoners van de Seefhoek hebben er last van"
    )
    assert chat.keys()[0] == "follow_up_added" and chat.step == "change"


def test_never_more_than_one_follow_up_even_if_the_addition_is_still_thin() -> None:
    chat = Chat.consented().answer_until("connect")
    chat.say("dat zien we nog wel")

    chat.say("later meer")

    assert "nudge" not in chat.keys() and chat.step == "on_board"


@pytest.mark.parametrize(
    ("step", "other", "follow", "asked"),
    [
        ("solution_form", 4, "solution", "welke vorm krijgt je oplossing dan?"),
        ("support", 4, "support_detail", "bij welke andere steun kunnen we je helpen?"),
    ],
)
def test_something_else_is_asked_about_right_after_it_is_picked(
    step: str, other: int, follow: str, asked: str
) -> None:
    chat = Chat.consented().answer_until(step)

    chat.press(f"tog:{step}:{other}")
    chat.press(f"done:{step}")

    assert chat.step == follow
    assert asked in str(chat.values("question")["prompt"])


def test_without_something_else_the_usual_question_follows() -> None:
    chat = Chat.consented().answer_until("support")

    chat.press("tog:support:1")
    chat.press("done:support")

    assert str(chat.values("question")["prompt"]).startswith("Wil je daar nog iets over kwijt?")


def test_every_counter_strictly_increases_through_the_whole_flow() -> None:
    chat = Chat.consented()
    seen = [chat.progress()[0]]
    while chat.draft.phase.value == "asking":
        chat.say(GOOD_ANSWERS[chat.step])
        if chat.draft.phase.value == "asking":
            seen.append(chat.progress()[0])

    assert len(seen) == len(set(seen)) == len(FLOW.questions), "no number shown twice"
    assert seen[:8] == ["1", "2", "3", "4", "5a", "5b", "6a", "6b"]
