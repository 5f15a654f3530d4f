"""Coming back: after a restart of the bot, switching language, cancelling or starting over."""

from __future__ import annotations

from tests.bot.conftest import BotHarness, make_app
from tests.bot.scenario import (
    ANSWERS,
    answer_questions,
    consent,
    draft_answers,
    pitcher_of,
    pitches_of,
    prompt_of,
    snapshot,
)
from tests.support.telegram import PrivateChat

ANNA = 1001
FIRST_THREE = {key: ANSWERS["nl"][key] for key in ("idea", "dream", "challenge")}


async def test_after_a_restart_the_pitch_continues_at_the_same_question(
    harness: BotHarness,
) -> None:
    anna = harness.chat()
    await consent(anna)
    await answer_questions(anna, stop="change")
    assert await draft_answers(harness.database, ANNA) == FIRST_THREE

    app, request = make_app(harness.database, harness.clock)  # a new process, same database
    async with app:
        anna = PrivateChat(app, request)
        replies = await anna.send("/start")
        offer = replies[-1]
        assert "Welkom terug" in offer.text
        assert "vraag 4 van 11" in offer.text
        assert offer.has_button("resume:continue") and offer.has_button("resume:restart")

        replies = await anna.tap("Verdergaan")
        assert "Vraag 4 van 11" in replies[-1].text
        assert prompt_of("change", "nl") in replies[-1].text
        assert await draft_answers(harness.database, ANNA) == FIRST_THREE

        await answer_questions(anna, start="change", stop="solution_form")
        stored = await draft_answers(harness.database, ANNA)
        assert stored == {**FIRST_THREE, "change": ANSWERS["nl"]["change"]}
        assert request.sent(), "the new application did the talking"


async def test_after_a_restart_the_review_card_is_offered_again(harness: BotHarness) -> None:
    anna = harness.chat()
    await consent(anna)
    card = (await answer_questions(anna))[-1]

    app, request = make_app(harness.database, harness.clock)
    async with app:
        anna = PrivateChat(app, request)
        offer = (await anna.send("/start"))[-1]
        assert "klaar om na te lezen" in offer.text
        replies = await anna.tap("Verdergaan")
        assert replies[-1].text == card.text
        replies = await anna.tap("Insturen")
        assert "P-2026-0001" in replies[-1].text


async def test_starting_over_wipes_the_draft(harness: BotHarness) -> None:
    anna = harness.chat()
    await consent(anna)
    await answer_questions(anna, stop="change")

    await anna.send("/start")
    replies = await anna.tap("Opnieuw beginnen")

    assert "Je vorige antwoorden zijn gewist" in replies[-1].text
    assert "Vraag 1 van 11" in replies[-1].text
    [draft] = await pitches_of(harness.database, ANNA)
    assert (draft.status, draft.step, draft.answers) == ("draft", "idea", [])
    await answer_questions(anna, stop="dream")
    assert await draft_answers(harness.database, ANNA) == {"idea": ANSWERS["nl"]["idea"]}


async def test_switching_language_mid_flow_keeps_every_answer(harness: BotHarness) -> None:
    anna = harness.chat()
    await consent(anna)
    await answer_questions(anna, stop="change")

    replies = await anna.send("/language")
    assert "In welke taal" in replies[-1].text
    replies = await anna.tap("English")

    assert "we'll continue in English" in replies[-1].text
    assert "Question 4 of 11" in replies[-1].text
    assert prompt_of("change", "en") in replies[-1].text
    assert await draft_answers(harness.database, ANNA) == FIRST_THREE
    pitcher = await pitcher_of(harness.database, ANNA)
    assert pitcher is not None and pitcher.language == "en"

    card = (await answer_questions(anna, "en", start="change"))[-1]
    assert "Your pitch" in card.text
    for value in FIRST_THREE.values():
        assert value in card.text  # the Dutch answers are still there, under English labels
    replies = await anna.tap("Send")
    assert "Your reference is <b>P-2026-0001</b>" in replies[-1].text
    [pitch] = await pitches_of(harness.database, ANNA)
    assert pitch.language == "en"


async def test_cancel_asks_first_and_then_deletes_the_draft(harness: BotHarness) -> None:
    anna = harness.chat()
    await consent(anna)
    await answer_questions(anna, stop="challenge")

    replies = await anna.send("/cancel")
    assert "Wil je echt stoppen" in replies[-1].text
    replies = await anna.tap("Ja, wis mijn pitch")

    assert "Je pitch in opbouw is gewist" in replies[-1].text
    assert await pitches_of(harness.database, ANNA) == []
    assert (await snapshot(harness.database))["answers"] == []
    assert await pitcher_of(harness.database, ANNA) is not None, "the consent is kept"

    replies = await anna.send("/start")
    assert "We beginnen aan een nieuwe pitch" in replies[-1].text
    assert "Vraag 1 van 11" in replies[-1].text


async def test_saying_no_to_cancel_keeps_the_draft(harness: BotHarness) -> None:
    anna = harness.chat()
    await consent(anna)
    await answer_questions(anna, stop="challenge")
    before = await snapshot(harness.database)

    await anna.send("/cancel")
    replies = await anna.tap("Nee, ik ga verder")

    assert "we gaan verder waar je was" in replies[-1].text
    assert "Vraag 3 van 11" in replies[-1].text
    assert await snapshot(harness.database) == before
    await answer_questions(anna, start="challenge", stop="change")
    assert await draft_answers(harness.database, ANNA) == FIRST_THREE


async def test_cancel_from_the_review_card(harness: BotHarness) -> None:
    anna = harness.chat()
    await consent(anna)
    await answer_questions(anna)

    replies = await anna.tap("Annuleren")
    assert "Wil je echt stoppen" in replies[-1].text
    await anna.tap("Ja, wis mijn pitch")

    assert await pitches_of(harness.database, ANNA) == []
    replies = await anna.send("/mypitches")
    assert "Je hebt nog geen pitches" in replies[-1].text
