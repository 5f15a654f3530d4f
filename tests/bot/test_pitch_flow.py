"""From /start to a reference number: the whole pitch, in every language, through Telegram."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass

import pytest

from tests.bot.conftest import BotHarness
from tests.bot.scenario import (
    ANSWERS,
    FLOW,
    answer_questions,
    answers_of,
    consent,
    draft_answers,
    expected_answers,
    pitcher_of,
    pitches_of,
    prompt_of,
    telegram_length,
    visible,
)
from tests.support.telegram import Sent

ANNA = 1001


@dataclass(frozen=True)
class Speaks:
    """Texts a person reading one language expects to see."""

    welcome: str
    agree: str
    question: str
    skip: str
    done: str
    card: str
    not_answered: str
    send: str
    thanks: str
    reference: str
    my_pitches: str
    status_new: str

    def progress(self, number: int | str) -> str:
        return self.question.format(number=number)


SPEAKS = {
    "nl": Speaks(
        welcome="Welkom! Pitch ons je idee",
        agree="Akkoord",
        question="Vraag {number} van 11",
        skip="Overslaan",
        done="Klaar",
        card="Je pitch",
        not_answered="niet ingevuld",
        send="Insturen",
        thanks="Bedankt! Je pitch is ingestuurd.",
        reference="Je referentie is <b>P-2026-0001</b>",
        my_pitches="Je pitches",
        status_new="ontvangen, we lezen hem binnenkort",
    ),
    "en": Speaks(
        welcome="Welcome! Pitch us your idea",
        agree="I agree",
        question="Question {number} of 11",
        skip="Skip",
        done="Done",
        card="Your pitch",
        not_answered="not answered",
        send="Send",
        thanks="Thank you! Your pitch has been sent.",
        reference="Your reference is <b>P-2026-0001</b>",
        my_pitches="Your pitches",
        status_new="received, we'll read it soon",
    ),
    "fr": Speaks(
        welcome="Bienvenue ! Présentez-nous votre idée",
        agree="D'accord",
        question="Question {number} sur 11",
        skip="Passer",
        done="Terminé",
        card="Votre pitch",
        not_answered="pas de réponse",
        send="Envoyer",
        thanks="Merci ! Votre pitch a bien été envoyé.",
        reference="Votre référence est <b>P-2026-0001</b>",
        my_pitches="Vos pitchs",
        status_new="reçu, nous le lirons bientôt",
    ),
}


def option_label(key: str, index: int, language: str) -> str:
    question = FLOW.question(key)
    assert question is not None
    return question.options[index].label(language)


def shows(reply: Sent, key: str, language: str, section: int) -> bool:
    """Whether ``reply`` asks question ``key`` under its section's number (lettered when
    the section asks more than one question: "5a", "5b")."""
    assert FLOW.section_number(key) == section
    counter = SPEAKS[language].progress(FLOW.step_number(key))
    return counter in reply.text and prompt_of(key, language) in reply.text


@pytest.mark.parametrize("language", ["nl", "en", "fr"])
async def test_a_newcomer_pitches_an_idea_and_gets_a_reference(
    harness: BotHarness, language: str
) -> None:
    speaks, typed = SPEAKS[language], ANSWERS[language]
    anna = harness.chat(language_code=language)

    replies = await anna.send("/start")
    assert speaks.welcome in replies[0].text
    assert await pitcher_of(harness.database, ANNA) is None, "nothing is stored before consent"

    replies = await anna.tap(speaks.agree)
    assert shows(replies[-1], "idea", language, 1)

    # 1–4: typed answers, each one moving on to the next question
    for key, section in (("idea", 2), ("dream", 3), ("challenge", 4)):
        replies = await anna.send(typed[key])
        assert speaks.progress(section) in replies[-1].text
    replies = await anna.send(typed["change"])
    assert shows(replies[-1], "solution_form", language, 5)

    # 5: tick two forms; the message updates in place, then "done"
    ticked = await anna.tap(option_label("solution_form", 0, language))
    assert ticked[-1].method == "editMessageText"
    assert ticked[-1].label("tog:solution_form:0").startswith("✅")
    ticked = await anna.tap(option_label("solution_form", 1, language))
    assert ticked[-1].label("tog:solution_form:1").startswith("✅")
    assert not ticked[-1].label("tog:solution_form:2").startswith("✅")
    replies = await anna.tap(speaks.done)
    assert shows(replies[-1], "solution", language, 5)
    replies = await anna.send(typed["solution"])

    # 6: one choice, then how it differs
    replies = await anna.tap(option_label("novelty", 1, language))
    assert shows(replies[-1], "novelty_detail", language, 6)
    replies = await anna.send(typed["novelty_detail"])

    # 7: who to connect; "already on board" is optional and skipped with its button
    replies = await anna.send(typed["connect"])
    assert shows(replies[-1], "on_board", language, 7)
    replies = await anna.tap(speaks.skip)
    assert shows(replies[-1], "stage", language, 8)

    # 8–9: choices; the municipality is skipped with /skip
    replies = await anna.tap(option_label("stage", 1, language))
    replies = await anna.tap(option_label("scope", 1, language))
    assert shows(replies[-1], "municipality", language, 9)
    replies = await anna.send("/skip")
    assert shows(replies[-1], "support", language, 10)

    # 10: several kinds of support, no extra detail
    await anna.tap(option_label("support", 0, language))
    await anna.tap(option_label("support", 3, language))
    replies = await anna.tap(speaks.done)
    assert shows(replies[-1], "support_detail", language, 10)
    replies = await anna.tap(speaks.skip)

    # 11: name and contact, then the review card
    assert shows(replies[-1], "name", language, 11)
    await anna.send(typed["name"])
    replies = await anna.send(typed["contact"])
    card = replies[-1]
    assert speaks.card in card.text
    for value in typed.values():
        assert html.escape(value, quote=False) in card.text
    for key, index in (("solution_form", 0), ("solution_form", 1), ("novelty", 1)):
        assert option_label(key, index, language) in card.text
    for key, index in (("stage", 1), ("scope", 1), ("support", 0), ("support", 3)):
        assert option_label(key, index, language) in card.text
    assert card.text.count(speaks.not_answered) == 3  # on board, municipality, detail
    assert len([d for _, d in card.buttons if d.startswith("edit:")]) == 11

    replies = await anna.tap(speaks.send)
    assert speaks.thanks in replies[-1].text
    assert speaks.reference in replies[-1].text

    replies = await anna.send("/mypitches")
    listing = replies[-1].text
    assert speaks.my_pitches in listing
    assert "P-2026-0001" in listing and speaks.status_new in listing
    assert html.escape(typed["idea"], quote=False) in listing

    pitcher = await pitcher_of(harness.database, ANNA)
    assert pitcher is not None and pitcher.language == language
    assert pitcher.consent_at == harness.clock.now
    [pitch] = await pitches_of(harness.database, ANNA)
    assert (pitch.reference, pitch.status, pitch.language) == ("P-2026-0001", "new", language)
    assert pitch.submitted_at == harness.clock.now
    assert answers_of(pitch) == expected_answers(language)

    if language != "nl":  # not one Dutch word slipped through, in texts or on buttons
        shown = json.dumps(harness.request.sent(), ensure_ascii=False)
        for dutch in ("Vraag ", "Voorbeeld", "Overslaan", "Je pitch", "Klaar", "Insturen"):
            assert dutch not in shown


async def test_a_second_pitch_gets_the_next_reference(harness: BotHarness) -> None:
    anna = harness.chat()
    await consent(anna)
    await answer_questions(anna)
    await anna.tap("Insturen")

    replies = await anna.send("/start")
    assert "nieuwe pitch" in replies[-1].text
    await answer_questions(anna)
    replies = await anna.tap("Insturen")
    assert "P-2026-0002" in replies[-1].text

    listing = (await anna.send("/mypitches"))[-1].text
    assert "P-2026-0001" in listing and "P-2026-0002" in listing
    assert [p.reference for p in await pitches_of(harness.database, ANNA)] == [
        "P-2026-0001",
        "P-2026-0002",
    ]


async def test_an_answer_is_changed_from_the_review_card(harness: BotHarness) -> None:
    anna = harness.chat()
    await consent(anna)
    await answer_questions(anna)
    before = await draft_answers(harness.database, ANNA)

    replies = await anna.tap("3. De uitdaging")
    question = replies[-1]
    assert "Vraag 3 van 11" in question.text
    assert "Je huidige antwoord" in question.text and ANSWERS["nl"]["challenge"] in question.text
    assert question.has_button("next:challenge")

    better = "Alleenstaande ouders in Genk betalen te veel voor hun energie"
    replies = await anna.send(better)
    card = replies[-1]
    assert "Je pitch" in card.text
    assert better in card.text and ANSWERS["nl"]["challenge"] not in card.text
    for key, value in ANSWERS["nl"].items():
        if key != "challenge":
            assert html.escape(value, quote=False) in card.text
    assert await draft_answers(harness.database, ANNA) == {**before, "challenge": better}


async def test_a_two_part_section_is_changed_from_the_review_card(harness: BotHarness) -> None:
    anna = harness.chat()
    await consent(anna)
    await answer_questions(anna)
    before = await draft_answers(harness.database, ANNA)

    replies = await anna.tap("5. ")
    shown = replies[-1]
    assert "Vraag 5a van 11" in shown.text
    assert shown.label("tog:solution_form:0").startswith("✅")  # current picks are ticked
    assert shown.label("tog:solution_form:1").startswith("✅")

    await anna.tap_data("tog:solution_form:0")  # untick "product"
    await anna.tap_data("tog:solution_form:4")  # tick "something else"
    replies = await anna.tap("Klaar")
    assert "Je koos ‘iets anders’: welke vorm krijgt je oplossing dan?" in replies[-1].text
    assert ANSWERS["nl"]["solution"] in replies[-1].text  # the current answer, to keep

    replies = await anna.tap("Antwoord behouden")
    card = replies[-1]
    assert "Je pitch" in card.text
    assert option_label("solution_form", 4, "nl") in card.text
    assert option_label("solution_form", 0, "nl") not in card.text
    after = await draft_answers(harness.database, ANNA)
    assert after == {**before, "solution_form": "service,other"}


async def test_a_long_review_card_is_split_over_several_messages(harness: BotHarness) -> None:
    phrase = "mensen & buren <samen> 🌍 "  # escaped in HTML, two UTF-16 units for the globe
    long_answers = dict(ANSWERS["nl"])
    for question in FLOW.questions:
        if question.kind == "text":
            repeated = phrase * (question.max_length // len(phrase) + 1)
            long_answers[question.key] = repeated[: question.max_length - 1].strip()
    anna = harness.chat()
    await consent(anna)

    card = await answer_questions(anna, answers=long_answers)

    assert len(card) >= 2
    assert all(part.method == "sendMessage" for part in card)
    assert sum(telegram_length(part.text) for part in card) > 4096
    for part in card:
        assert telegram_length(part.text) <= 4096
    assert [bool(part.buttons) for part in card] == [False] * (len(card) - 1) + [True]
    assert card[-1].has_button("send")
    shown = "\n".join(visible(part.text) for part in card)
    for value in long_answers.values():
        assert value in shown
    stored = await draft_answers(harness.database, ANNA)
    assert {k: stored[k] for k in long_answers} == long_answers


@pytest.mark.parametrize(
    ("language_code", "expected"), [("en-GB", "en"), ("fr-BE", "fr"), ("de", "nl"), (None, "nl")]
)
async def test_the_first_language_follows_telegram_else_dutch(
    harness: BotHarness, language_code: str | None, expected: str
) -> None:
    anna = harness.chat(language_code=language_code)

    replies = await anna.send("/start")

    assert SPEAKS[expected].welcome in replies[0].text
    assert replies[-1].has_button(f"consent:yes:{expected}")


async def test_a_language_can_be_picked_before_agreeing(harness: BotHarness) -> None:
    anna = harness.chat(language_code="nl")
    await anna.send("/start")

    await anna.tap("Taal")
    replies = await anna.tap("Français")
    assert SPEAKS["fr"].welcome in replies[0].text
    replies = await anna.tap("D'accord")

    assert shows(replies[-1], "idea", "fr", 1)
    pitcher = await pitcher_of(harness.database, ANNA)
    assert pitcher is not None and pitcher.language == "fr"


async def test_declining_consent_stores_nothing(harness: BotHarness) -> None:
    anna = harness.chat()
    await anna.send("/start")

    replies = await anna.tap("Nee, bedankt")
    assert "We hebben niets van je bewaard" in replies[-1].text
    replies = await anna.send("Een buurtfrigo in Borgerhout voor iedereen")
    assert "eerst je akkoord nodig" in replies[0].text

    assert await pitcher_of(harness.database, ANNA) is None
    assert await pitches_of(harness.database, ANNA) == []


async def test_a_thin_answer_gets_one_follow_up_question(harness: BotHarness) -> None:
    anna = harness.chat()
    await consent(anna)

    replies = await anna.send("Een buurtfrigo")  # two words: too thin to help the team
    assert "Kan je iets meer vertellen?" in replies[-1].text
    assert replies[-1].has_button("keep:idea")
    replies = await anna.send("voor alle buren van Borgerhout")

    assert shows(replies[-1], "dream", "nl", 2)
    stored = await draft_answers(harness.database, ANNA)
    assert stored == {"idea": "Een buurtfrigo\nvoor alle buren van Borgerhout"}


async def test_back_shows_the_previous_answer_to_keep_or_change(harness: BotHarness) -> None:
    anna = harness.chat()
    await consent(anna)
    await answer_questions(anna, stop="challenge")

    replies = await anna.send("/back")
    assert shows(replies[-1], "dream", "nl", 2)
    assert ANSWERS["nl"]["dream"] in replies[-1].text
    replies = await anna.tap("Antwoord behouden")

    assert shows(replies[-1], "challenge", "nl", 3)
    assert await draft_answers(harness.database, ANNA) == {
        "idea": ANSWERS["nl"]["idea"],
        "dream": ANSWERS["nl"]["dream"],
    }


async def test_a_new_telegram_name_reaches_the_stored_pitcher(harness: BotHarness) -> None:
    anna = harness.chat()
    await consent(anna)
    anna.user["first_name"], anna.user["username"] = "Anna-Lena", "annalena"

    await anna.send("Een buurtfrigo in elke wijk zodat niemand nog voedsel weggooit")

    pitcher = await pitcher_of(harness.database, ANNA)
    assert pitcher is not None
    assert (pitcher.first_name, pitcher.username) == ("Anna-Lena", "annalena")
