"""Input that does not fit: each gets a clear reply, and the database does not change."""

from __future__ import annotations

import copy
import html
from typing import Any

import pytest

from tests.bot.conftest import BotHarness
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
from tests.support.telegram import PrivateChat, new_update_id

ANNA = 1001
BOB: dict[str, Any] = {"id": 2002, "is_bot": False, "first_name": "Bob", "language_code": "en"}
FILE = {"file_id": "x", "file_unique_id": "y"}

MEDIA: dict[str, tuple[dict[str, Any], str]] = {
    "photo": ({"photo": [{**FILE, "width": 1, "height": 1}]}, "foto"),
    "sticker": (
        {
            "sticker": {
                **FILE,
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            }
        },
        "sticker",
    ),
    "voice": ({"voice": {**FILE, "duration": 3}}, "spraakbericht"),
    "video": ({"video": {**FILE, "width": 1, "height": 1, "duration": 2}}, "video"),
    "document": ({"document": {**FILE, "file_name": "plan.pdf"}}, "bestand"),
    "location": ({"location": {"latitude": 51.22, "longitude": 4.40}}, "locatie"),
    "contact": (
        {"contact": {"phone_number": "+32470123456", "first_name": "Bob", "user_id": 2002}},
        "contactkaart",
    ),
    "own contact": (
        {"contact": {"phone_number": "+32470123456", "first_name": "Anna", "user_id": ANNA}},
        "contactkaart",
    ),
    "poll": (
        {
            "poll": {
                "id": "1",
                "question": "Goed idee?",
                "options": [
                    {"text": "ja", "voter_count": 0, "persistent_id": "a"},
                    {"text": "nee", "voter_count": 0, "persistent_id": "b"},
                ],
                "total_voter_count": 0,
                "is_closed": False,
                "is_anonymous": True,
                "type": "regular",
                "allows_multiple_answers": False,
                "allows_revoting": False,  # required since Bot API 9.6
                "members_only": False,  # required since Bot API 10.0
            }
        },
        "peiling",
    ),
}


async def at_the_second_question(harness: BotHarness) -> PrivateChat:
    """Anna has agreed and told her idea; the bot asks about her dream."""
    anna = harness.chat()
    await consent(anna)
    await answer_questions(anna, stop="dream")
    return anna


@pytest.mark.parametrize("kind", MEDIA)
async def test_a_non_text_message_is_refused_by_name(harness: BotHarness, kind: str) -> None:
    anna = await at_the_second_question(harness)
    fields, named = MEDIA[kind]
    before = await snapshot(harness.database)

    replies = await anna.send_raw(**fields)

    assert len(replies) == 2
    assert f"geen {named}" in replies[0].text and "Typ je antwoord" in replies[0].text
    assert "Vraag 2 van 11" in replies[1].text and replies[1].buttons, "the step again"
    assert await snapshot(harness.database) == before


async def test_the_contact_question_takes_a_shared_own_phone_number(harness: BotHarness) -> None:
    anna = harness.chat()
    await consent(anna)
    await answer_questions(anna, stop="contact")

    own = {"phone_number": "0470 12 34 56", "first_name": "Anna", "user_id": ANNA}
    replies = await anna.send_raw(contact=own)

    assert "Je pitch" in replies[-1].text and "+32470123456" in replies[-1].text
    assert (await draft_answers(harness.database, ANNA))["contact"] == "+32470123456"


async def test_whitespace_only_is_an_empty_answer(harness: BotHarness) -> None:
    anna = await at_the_second_question(harness)
    before = await snapshot(harness.database)

    replies = await anna.send("  \n\t  ")

    assert [r.text for r in replies] == [
        "Ik kreeg een leeg bericht. Typ je antwoord maar gewoon in."
    ]
    assert await snapshot(harness.database) == before


async def test_an_answer_over_the_limit_is_kept_and_shortened_on_request(
    harness: BotHarness,
) -> None:
    anna = await at_the_second_question(harness)
    sentence = "Buren koken samen en niemand eet nog alleen op zondag. "  # 55 characters
    typed = sentence * 37  # 2035 characters, the limit is 2000

    replies = await anna.send(typed)

    assert len(replies) == 1
    assert "2034 tekens" in replies[0].text and "hier passen er 2000" in replies[0].text
    assert (await draft_answers(harness.database, ANNA))["dream"] == typed.strip(), "kept"
    replies = await anna.tap("Inkorten")
    assert "Ingekort tot 1979 tekens" in replies[-1].text
    assert "Vraag 3 van 11" in replies[-1].text
    assert (await draft_answers(harness.database, ANNA))["dream"] == (sentence * 36).strip()


async def test_html_and_markdown_characters_come_back_verbatim(harness: BotHarness) -> None:
    tricky = "Een <b>x</b> & _*[ buurtfrigo voor iedereen"
    anna = harness.chat()
    await consent(anna)

    card = (await answer_questions(anna, answers={**ANSWERS["nl"], "idea": tricky}))[-1]

    assert "Een &lt;b&gt;x&lt;/b&gt; &amp; _*[ buurtfrigo voor iedereen" in card.text
    assert "<b>x</b>" not in card.text
    assert card.params["parse_mode"] == "HTML"
    assert (await draft_answers(harness.database, ANNA))["idea"] == tricky
    await anna.tap("Insturen")
    listing = (await anna.send("/mypitches"))[-1].text
    assert html.escape(tricky, quote=False) in listing


async def test_emoji_and_right_to_left_text_are_kept_exactly(harness: BotHarness) -> None:
    idea = "مشروع 🌍 לשכנים 👩‍👩‍👧‍👦 في الحي\u200f – buren 🇧🇪 samen"
    name = "Amira 👩🏽‍🔧 أميرة"
    anna = harness.chat()
    await consent(anna)

    answers = {**ANSWERS["nl"], "idea": idea, "name": name}
    card = (await answer_questions(anna, answers=answers))[-1]

    assert idea in card.text and name in card.text
    stored = await draft_answers(harness.database, ANNA)
    assert (stored["idea"], stored["name"]) == (idea, name)


async def test_invisible_control_characters_and_broken_surrogates_are_dropped(
    harness: BotHarness,
) -> None:
    """PostgreSQL refuses NUL and a lone surrogate cannot be encoded: both databases
    store the same clean text, and the review shows it. Tabs and newlines stay."""
    anna = harness.chat()
    await consent(anna)
    typed = "Een\x00 buurt\x07moestuin\ud800 met\tbakken\r\nen banken \x1b[31m🌱"

    replies = await anna.send(typed)

    assert prompt_of("dream", "nl") in replies[-1].text, "taken as an answer"
    stored = await draft_answers(harness.database, ANNA)
    assert stored["idea"] == "Een buurtmoestuin met\tbakken\nen banken [31m🌱"


async def test_a_telegram_name_longer_than_its_column_still_lets_the_person_start(
    harness: BotHarness,
) -> None:
    long = harness.chat(first_name="Anna" * 60, username="anna_" * 30)

    await consent(long)

    pitcher = await pitcher_of(harness.database, ANNA)
    assert pitcher is not None, "consent was stored"
    assert pitcher.first_name == ("Anna" * 60)[:128]
    assert pitcher.username == ("anna_" * 30)[:64]


async def test_an_unknown_command_is_named_and_changes_nothing(harness: BotHarness) -> None:
    anna = await at_the_second_question(harness)
    before = await snapshot(harness.database)

    replies = await anna.send("/frobnicate now")

    assert replies[0].text == "/frobnicate ken ik niet. Typ /help voor wat ik wel kan."
    assert "Vraag 2 van 11" in replies[1].text and replies[1].buttons, "then where I was"
    assert await snapshot(harness.database) == before


async def test_skip_on_a_required_question_is_refused(harness: BotHarness) -> None:
    anna = await at_the_second_question(harness)
    before = await snapshot(harness.database)

    replies = await anna.send("/skip")

    assert "Deze vraag kan je niet overslaan" in replies[-1].text
    assert "Vraag 2 van 11" in replies[-1].text
    assert await snapshot(harness.database) == before


async def test_text_on_a_choice_question_asks_for_a_button(harness: BotHarness) -> None:
    anna = harness.chat()
    await consent(anna)
    await answer_questions(anna, stop="stage")
    before = await snapshot(harness.database)

    replies = await anna.send("ergens tussenin")

    assert "Kies een van deze" in replies[-1].text and "Het is nog een droom" in replies[-1].text
    assert replies[-1].has_button("opt:stage:0")
    assert await snapshot(harness.database) == before
    replies = await anna.send("2")  # the number of a choice works too
    assert prompt_of("scope", "nl") in replies[-1].text
    assert (await draft_answers(harness.database, ANNA))["stage"] == "testing"


async def test_text_on_the_review_card_points_to_its_buttons(harness: BotHarness) -> None:
    anna = harness.chat()
    await consent(anna)
    await answer_questions(anna)
    before = await snapshot(harness.database)

    replies = await anna.send("Is het zo goed?")

    assert "Gebruik de knoppen onder je pitch" in replies[-1].text
    assert replies[-1].has_button("send")
    assert await snapshot(harness.database) == before


async def test_the_example_of_an_earlier_question_still_works(harness: BotHarness) -> None:
    anna = harness.chat()
    await consent(anna)
    await answer_questions(anna, stop="scope")
    before = await snapshot(harness.database)

    replies = await anna.press("ex:idea")

    assert "Voorbeeld – Je idee" in replies[-1].text and "buurtfrigo" in replies[-1].text
    assert await snapshot(harness.database) == before


async def test_an_option_of_an_earlier_question_is_stale(harness: BotHarness) -> None:
    anna = harness.chat()
    await consent(anna)
    await answer_questions(anna, stop="scope")  # stage was answered with option 1
    before = await snapshot(harness.database)

    replies = await anna.press("opt:stage:0")

    assert anna.toast() == "Die knop hoort bij een eerdere stap."
    assert prompt_of("scope", "nl") in replies[-1].text  # a reminder of where she is
    assert await snapshot(harness.database) == before


async def test_someone_elses_button_does_nothing(harness: BotHarness) -> None:
    anna = harness.chat()
    await consent(anna)
    await answer_questions(anna, stop="solution_form")
    before = await snapshot(harness.database)

    replies = await anna.press("tog:solution_form:0", from_user=BOB)

    assert anna.toast() == "That button isn't for you."
    assert replies == []
    assert await snapshot(harness.database) == before
    assert await pitches_of(harness.database, BOB["id"]) == []


@pytest.mark.parametrize(
    "data",
    [
        "tog:solution_form:99",
        "tog:solution_form:-1",
        "tog:solution_form:x",
        "opt:solution_form:0",
        "opt:nope:0",
        "done:solution_form:1",
        "send:now",
        "edit:nope",
        "consent:yes:de",
        "lang:xx",
        "cancel:maybe",
        "drop table pitches",
        "",
    ],
)
async def test_forged_button_data_does_nothing(harness: BotHarness, data: str) -> None:
    anna = harness.chat()
    await consent(anna)
    await answer_questions(anna, stop="solution_form")
    before = await snapshot(harness.database)

    await anna.press(data)

    assert anna.toast() == "Die knop ken ik niet."
    assert await snapshot(harness.database) == before


async def test_a_redelivered_message_is_handled_once(harness: BotHarness) -> None:
    anna = await at_the_second_question(harness)
    update_id = new_update_id()

    first = await anna.send(ANSWERS["nl"]["dream"], update_id=update_id)
    after_first = await snapshot(harness.database)
    again = await anna.redeliver()

    assert "Vraag 3 van 11" in first[-1].text
    assert again == []
    assert await snapshot(harness.database) == after_first
    assert await draft_answers(harness.database, ANNA) == {
        "idea": ANSWERS["nl"]["idea"],
        "dream": ANSWERS["nl"]["dream"],
    }


async def test_an_answer_redelivered_after_sending_starts_no_new_draft(
    harness: BotHarness,
) -> None:
    """An answer claims its update on the draft it changed; once that draft is sent, a
    late redelivery of the answer is still known and starts nothing new."""
    anna = harness.chat()
    await consent(anna)
    await anna.send(ANSWERS["nl"]["idea"])
    answered = copy.deepcopy(anna.last_update)
    await answer_questions(anna, start="dream")
    await anna.tap("Insturen")
    after_sending = await snapshot(harness.database)

    assert answered is not None
    again = await anna.redeliver(answered)

    assert again == []
    assert await snapshot(harness.database) == after_sending
    assert [p.status for p in await pitches_of(harness.database, ANNA)] == ["new"]


async def test_a_redelivered_consent_is_handled_once(harness: BotHarness) -> None:
    anna = harness.chat()
    await anna.send("/start")

    first = await anna.tap("Akkoord")
    again = await anna.redeliver()

    assert "Vraag 1 van 11" in first[-1].text
    assert again == []
    tables = await snapshot(harness.database)
    assert len(tables["pitchers"]) == 1 and len(tables["pitches"]) == 1


async def test_a_redelivered_send_press_hands_out_one_reference(harness: BotHarness) -> None:
    anna = harness.chat()
    await consent(anna)
    await answer_questions(anna)

    first = await anna.tap("Insturen")
    again = await anna.redeliver()
    twice = await anna.press("send")  # a real second tap, as a new update

    assert "P-2026-0001" in first[-1].text
    assert again == []
    assert all("P-2026" not in r.text for r in twice)
    assert [p.reference for p in await pitches_of(harness.database, ANNA)] == ["P-2026-0001"]
    counters = (await snapshot(harness.database))["reference_counters"]
    assert counters == [(2026, 1)]


async def test_editing_an_answer_message_updates_the_draft(harness: BotHarness) -> None:
    anna = harness.chat()
    await consent(anna)
    await anna.send(ANSWERS["nl"]["idea"])
    idea_message = anna.last_message_id
    await anna.send(ANSWERS["nl"]["dream"])

    better = "Een buurtfrigo in Deurne voor overschotten van markten en bakkers"
    replies = await anna.edit(idea_message, better)

    assert len(replies) == 1
    assert "Aangepast" in replies[0].text and "Je idee" in replies[0].text
    assert better in replies[0].text
    assert await draft_answers(harness.database, ANNA) == {
        "idea": better,
        "dream": ANSWERS["nl"]["dream"],
    }
    [draft] = await pitches_of(harness.database, ANNA)
    assert draft.step == "challenge", "the edit does not move the conversation"


async def test_an_edit_over_the_limit_is_not_taken(harness: BotHarness) -> None:
    anna = harness.chat()
    await consent(anna)
    await anna.send(ANSWERS["nl"]["idea"])
    idea_message = anna.last_message_id
    before = await snapshot(harness.database)

    replies = await anna.edit(idea_message, "buren " * 60)

    assert "niet overnemen" in replies[0].text and "het maximum is 300" in replies[0].text
    assert await snapshot(harness.database) == before


async def test_an_edit_after_sending_changes_nothing(harness: BotHarness) -> None:
    anna = harness.chat()
    await consent(anna)
    await anna.send(ANSWERS["nl"]["idea"])
    idea_message = anna.last_message_id
    await answer_questions(anna, start="dream")
    await anna.tap("Insturen")
    before = await snapshot(harness.database)

    replies = await anna.edit(idea_message, "Toch iets helemaal anders dan eerst gedacht")

    assert "verandert niets aan een pitch die al ingestuurd is" in replies[-1].text
    assert await snapshot(harness.database) == before
