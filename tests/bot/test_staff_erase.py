"""A pitcher asks to be forgotten: staff erase everything of theirs, after confirming."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from storage.database import Database
from storage.models import Answer, Event, OutboxMessage, Pitch, Pitcher
from tests.bot.conftest import OLGA, STAFF_CHAT, TeamHarness
from tests.bot.scenario import snapshot, visible
from tests.bot.staff_scenario import only, redrawn, said, send_pitch, texts

ANNA, BRAM = 1001, 1002
ERASED_FOR_ANNA = (
    "🗑️ Zoals gevraagd hebben we alles gewist wat we van je bewaarden: je pitches, je "
    "antwoorden, onze berichten en je naam en ID op Telegram. Wat ons team al in Telegram "
    "kreeg, verwijdert het daar zelf. Wil je ooit opnieuw pitchen? Typ /start."
)


async def _rows(database: Database, pitcher_user_id: int) -> dict[str, int]:
    """How many rows of each kind belong to the pitcher with this Telegram id."""
    async with database.sessions() as session:
        pitcher_ids = select(Pitcher.id).where(Pitcher.telegram_user_id == pitcher_user_id)
        pitch_ids = select(Pitch.id).where(Pitch.pitcher_id.in_(pitcher_ids))
        event_ids = select(Event.id).where(Event.pitch_id.in_(pitch_ids))
        counts = {
            "pitchers": select(func.count()).where(Pitcher.telegram_user_id == pitcher_user_id),
            "pitches": select(func.count()).where(Pitch.id.in_(pitch_ids)),
            "answers": select(func.count()).where(Answer.pitch_id.in_(pitch_ids)),
            "events": select(func.count()).where(Event.id.in_(event_ids)),
            "relays": select(func.count()).where(OutboxMessage.event_id.in_(event_ids)),
        }
        return {name: (await session.execute(query)).scalar_one() for name, query in counts.items()}


async def _anna_with_everything(team: TeamHarness) -> tuple[str, str]:
    """Anna: two sent pitches, a thread with the team, a note, a relay still waiting,
    and a third pitch in progress."""
    anna = team.pitcher(ANNA, "Anna")
    first, _ = await send_pitch(anna)
    second, _ = await send_pitch(anna, first=False)
    olga = team.olga()
    await olga.send(f"/note {first} belt volgende week terug")
    await olga.send(f"/reply {first} Dag Anna, mogen we je bellen?")
    team.request.fail_chat(STAFF_CHAT, 403, "Forbidden: bot was kicked", times=1)
    await anna.send("Ja hoor, na 18 uur")  # the group missed it: it waits in the queue
    await anna.send("/start")
    await anna.send("Een derde idee: een buurtkeuken in de oude pastorie")
    return first, second


async def test_erasing_asks_first_then_removes_everything_of_that_pitcher_only(
    team: TeamHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    bram, _ = await send_pitch(team.pitcher(BRAM, "Bram"))
    first, second = await _anna_with_everything(team)
    assert (await _rows(team.database, ANNA))["relays"] == 1
    bram_before = await _rows(team.database, BRAM)
    olga = team.olga()
    before = await snapshot(team.database)

    asked = await olga.send(f"/erase {second}")

    assert await snapshot(team.database) == before, "asking changes nothing"
    prompt = only(asked, OLGA)[0]
    assert visible(prompt.text).startswith(f"⚠️ Alles wissen van de pitcher van {second}?")
    assert f"ingestuurd: {first}, {second};" in visible(prompt.text)
    assert prompt.buttons == [
        ("🗑️ Ja, alles wissen", f"er:{second}:yes"),
        ("Niet wissen", f"er:{second}:no"),
    ]

    done = await olga.tap_on(prompt, "Ja, alles wissen")

    assert texts(only(done, ANNA)) == [ERASED_FOR_ANNA]
    assert [visible(m.text) for m in only(done, OLGA)] == [
        f"🗑️ Gewist: alles van de pitcher van {second} ({first}, {second}). "
        "Ze kregen een bevestiging in hun chat."
    ]
    assert only(done, OLGA)[0].method == "editMessageText", "the question becomes the answer"
    assert await _rows(team.database, ANNA) == dict.fromkeys(bram_before, 0)
    assert await _rows(team.database, BRAM) == bram_before, "nobody else's data"
    for reference in (first, second):  # the team is not left guessing
        assert texts(only(await olga.send(f"/pitch {reference}"), OLGA)) == [
            f"🗑️ {reference} werd op 26 november 2026 door het team gewist, op vraag van de "
            "pitcher (ingestuurd op 26 november 2026). Er is niets meer van bewaard."
        ]
    assert bram in visible((await olga.send("/new"))[0].text)
    logged = [r.getMessage() for r in caplog.records if r.name == "services.desk"]
    assert logged == [
        f"erased the pitcher of {second} and their 3 pitch(es) at the request of staff "
        f"member {OLGA}"
    ]
    assert "Anna" not in logged[0]


async def test_an_erased_pitcher_who_comes_back_starts_afresh(team: TeamHarness) -> None:
    anna = team.pitcher(ANNA, "Anna")
    reference, _ = await send_pitch(anna)
    olga = team.olga()
    await olga.tap_on(only(await olga.send(f"/erase {reference}"), OLGA)[0], "Ja")

    back = await anna.send("Hallo, ik ben er weer")

    assert "Ga je akkoord?" in visible(back[-1].text), "asked for consent again"
    replies = await anna.send("/mypitches")
    assert "Je hebt nog geen pitches" in visible(replies[-1].text)
    next_one, _ = await send_pitch(anna)
    assert next_one == "P-2026-0002", "reference numbers are never reused"


async def test_not_erasing_keeps_everything(team: TeamHarness) -> None:
    first, _ = await _anna_with_everything(team)
    olga = team.olga()
    prompt = only(await olga.send(f"/erase {first}"), OLGA)[0]
    before = await snapshot(team.database)

    kept = await olga.tap_on(prompt, "Niet wissen")

    assert [visible(m.text) for m in kept] == [f"Niets gewist van de pitcher van {first}."]
    assert await snapshot(team.database) == before
    assert only(kept, ANNA) == []


async def test_pressing_yes_again_after_the_erasure_does_nothing(team: TeamHarness) -> None:
    reference, _ = await send_pitch(team.pitcher(ANNA, "Anna"))
    olga, pieter = team.olga(), team.pieter()
    prompt = only(await olga.send(f"/erase {reference}"), OLGA)[0]
    data = prompt.data("Ja, alles wissen")
    await olga.tap_on(prompt, "Ja, alles wissen")
    await pieter.send("/staffhelp")  # known to the bot, like any colleague
    before = await snapshot(team.database)

    assert await pieter.press(data) == []
    assert pieter.toast() == (
        f"🗑️ {reference} werd op 26 november 2026 door het team gewist, op vraag van de "
        "pitcher (ingestuurd op 26 november 2026). Er is niets meer van bewaard."
    )
    assert await snapshot(team.database) == before


async def test_a_pitcher_who_blocked_the_bot_is_erased_all_the_same(team: TeamHarness) -> None:
    reference, _ = await send_pitch(team.pitcher(ANNA, "Anna"))
    team.request.fail_chat(ANNA, 403, "Forbidden: bot was blocked by the user")
    olga = team.olga()

    done = await olga.tap_on(only(await olga.send(f"/erase {reference}"), OLGA)[0], "Ja")

    assert "Een bevestiging kon hen niet bereiken" in visible(only(done, OLGA)[0].text)
    assert (await _rows(team.database, ANNA))["pitchers"] == 0


@pytest.mark.parametrize("command", ["/erase", "/erase P-2099-0001", "/erase morgen"])
async def test_erase_without_a_known_reference_says_how_and_erases_nothing(
    team: TeamHarness, command: str
) -> None:
    await send_pitch(team.pitcher(ANNA, "Anna"))
    olga = team.olga()
    await olga.send("/staffhelp")  # known to the bot from then on
    before = await snapshot(team.database)

    replies = await olga.send(command)

    assert len(replies) == 1 and replies[0].buttons == []
    assert any(part in replies[0].text for part in ("Gebruik: /erase", "vind ik niet"))
    assert await snapshot(team.database) == before


async def test_a_pitcher_can_erase_everything_of_theirs_and_the_team_is_told(
    team: TeamHarness,
) -> None:
    first, second = await _anna_with_everything(team)
    bram_before = await _rows(team.database, BRAM)
    anna = team.pitcher(ANNA, "Anna")

    asked = await anna.send("/forgetme")

    assert "Wil je echt dat we alles van je wissen?" in visible(asked[-1].text)
    assert [label for label, _ in asked[-1].buttons] == ["🗑️ Ja, wis alles", "Nee, bewaar alles"]
    assert (await _rows(team.database, ANNA))["pitches"] == 3, "asking erases nothing"

    done = await anna.tap("Ja, wis alles")

    assert texts(only(done, ANNA)) == [ERASED_FOR_ANNA]
    assert only(done, ANNA)[0].method == "editMessageText", "no button left to press again"
    assert [visible(m.text) for m in said(only(done, STAFF_CHAT))] == [
        f"🗑️ De pitcher van {first}, {second} liet alles van zich wissen (/forgetme). "
        "Die pitches zijn er niet meer. Verwijder ook hun kaarten en berichten hier in de "
        "groep, en exports die je bewaarde."
    ]
    assert redrawn(done) == [
        f"🗑️ {reference}: gewist op verzoek van de pitcher." for reference in (first, second)
    ], "their cards in the group keep nothing but the reference"
    assert await _rows(team.database, ANNA) == dict.fromkeys(bram_before, 0)
    assert await _rows(team.database, BRAM) == bram_before
    assert "Ga je akkoord?" in visible((await anna.send("/start"))[-1].text)


async def test_a_pitcher_who_keeps_everything_continues_where_they_were(
    team: TeamHarness,
) -> None:
    anna = team.pitcher(ANNA, "Anna")
    await send_pitch(anna)
    await anna.send("/start")
    await anna.send("Een tweede idee: een buurtkeuken in de oude pastorie")
    before = await snapshot(team.database)
    await anna.send("/forgetme")

    kept = await anna.tap("Nee, bewaar alles")

    assert (kept[0].method, visible(kept[0].text)) == ("editMessageText", "Goed, we wissen niets.")
    assert kept[0].buttons == [], "the question is answered: its buttons are gone"
    assert "Vraag 2 van 11" in visible(kept[1].text), "back at her question"
    assert await snapshot(team.database) == before


async def test_forgetme_before_consent_stores_and_erases_nothing(team: TeamHarness) -> None:
    stranger = team.pitcher(ANNA, "Anna")

    replies = await stranger.send("/forgetme")

    assert texts(replies) == [
        "We bewaren niets van je: je hebt nog geen toestemming gegeven. Typ /start om een "
        "idee te pitchen."
    ]
    assert (await _rows(team.database, ANNA))["pitchers"] == 0
    shown = await stranger.press("forget:yes")  # an old button, from before
    assert stranger.toast() is not None
    assert "Ga je akkoord?" in visible(shown[-1].text), "asked for consent, as before"
    assert (await _rows(team.database, ANNA))["pitchers"] == 0


async def test_a_forged_yes_without_an_open_forgetme_erases_nothing(team: TeamHarness) -> None:
    anna = team.pitcher(ANNA, "Anna")
    await send_pitch(anna)
    before = await snapshot(team.database)

    replies = await anna.press("forget:yes")

    assert anna.toast() == "Die knop hoort bij een eerdere stap."
    assert all("gewist" not in visible(m.text) for m in replies)
    assert await snapshot(team.database) == before


async def test_the_erase_question_closes_once_the_pitcher_moves_on(team: TeamHarness) -> None:
    anna = team.pitcher(ANNA, "Anna")
    await send_pitch(anna)
    asked = (await anna.send("/forgetme"))[-1]
    await anna.send("/mypitches")
    before = await snapshot(team.database)

    await anna.tap_on(asked, "Ja, wis alles")

    assert await snapshot(team.database) == before, "an old question's yes erases nothing"
    assert (await _rows(team.database, ANNA))["pitchers"] == 1
