"""Privacy a pitcher can see and use: consent versions, /mydata, /privacy."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select, update

from dialogs.catalog import Catalog
from dialogs.engine import CONSENT_VERSION
from dialogs.events import Command
from dialogs.flow import load_flow
from dialogs.privacy import PrivacyTerms
from dialogs.replies import text
from services.conversation import Conversations
from services.types import Person
from storage.database import Database
from storage.models import Consent, Pitcher
from tests.bot.conftest import OLGA, BotHarness, TeamHarness
from tests.bot.scenario import answer_questions, consent, draft_answers, pitches_of, visible
from tests.bot.staff_scenario import send_pitch, set_status

ANNA = 1001
FLOW = load_flow()
CATALOG = Catalog.load()
FIRST = FLOW.questions[0]


def said(key: str, language: str = "nl", **values: Any) -> str:
    """A catalogue text as the person reads it (no HTML)."""
    return CATALOG.render_plain(language, text(key, **values))


async def agreed_earlier(database: Database, user_id: int = ANNA) -> None:
    """The person agreed to the privacy text before its current version."""
    async with database.transaction() as session:
        changed = update(Pitcher).where(Pitcher.telegram_user_id == user_id)
        await session.execute(changed.values(consent_version="2026-11"))


async def consents_of(database: Database, user_id: int = ANNA) -> list[str]:
    async with database.sessions() as session:
        query = (
            select(Consent.version)
            .join(Pitcher, Pitcher.id == Consent.pitcher_id)
            .where(Pitcher.telegram_user_id == user_id)
            .order_by(Consent.id)
        )
        return list((await session.execute(query)).scalars())


async def test_a_changed_privacy_text_is_agreed_again_before_anything_new_is_stored(
    harness: BotHarness,
) -> None:
    anna = harness.chat()
    await consent(anna)
    await answer_questions(anna, stop=FLOW.questions[1].key)
    before = await draft_answers(harness.database, ANNA)
    await agreed_earlier(harness.database)

    asked = await anna.send("Dit antwoord mag nog niet bewaard worden")

    shown = visible(asked[-1].text)
    assert "Onze privacyregels zijn aangepast" in shown
    assert asked[-1].has_button("consent:yes:nl")
    assert await draft_answers(harness.database, ANNA) == before  # nothing new stored
    assert await consents_of(harness.database) == [CONSENT_VERSION]  # the first one only

    agreed = await anna.tap("Akkoord")

    assert said("consent_renewed") in visible(agreed[-1].text)
    assert FLOW.questions[1].texts["nl"].prompt in visible(agreed[-1].text)  # where she was
    assert await consents_of(harness.database) == [CONSENT_VERSION, CONSENT_VERSION]
    async with harness.database.sessions() as session:
        version = await session.scalar(select(Pitcher.consent_version))
    assert version == CONSENT_VERSION
    await anna.send("Nu wel")
    assert (await draft_answers(harness.database, ANNA))[FLOW.questions[1].key] == "Nu wel"


async def test_declining_the_new_text_keeps_what_was_sent_and_asks_again_next_time(
    harness: BotHarness,
) -> None:
    anna = harness.chat()
    reference, _ = await send_pitch(anna)
    await agreed_earlier(harness.database)

    await anna.send("Hallo team")
    declined = await anna.tap("Nee")

    assert said("consent_renew_declined") in visible(declined[-1].text)
    assert [p.reference for p in await pitches_of(harness.database, ANNA)] == [reference]
    again = await anna.send("Hallo team")  # not relayed: asked again
    assert "Onze privacyregels zijn aangepast" in visible(again[-1].text)
    mine = await anna.send("/mypitches")  # reading stays open
    assert reference in mine[-1].text


async def test_mydata_and_forgetme_work_while_the_new_text_waits(harness: BotHarness) -> None:
    anna = harness.chat()
    await send_pitch(anna)
    await agreed_earlier(harness.database)

    await anna.send("/mydata")
    assert [name for chat, name, _ in harness.request.documents if chat == ANNA][-1].endswith(
        ".json"
    )
    await anna.send("/forgetme")
    await anna.tap("Ja, wis alles")
    assert await pitches_of(harness.database, ANNA) == []


def my_file(harness: BotHarness | TeamHarness, chat_id: int = ANNA) -> dict[str, Any]:
    (content,) = [body for chat, _, body in harness.request.documents if chat == chat_id][-1:]
    data: dict[str, Any] = json.loads(content)
    return data


async def test_mydata_holds_everything_of_the_person_and_nothing_internal_or_of_others(
    team: TeamHarness,
) -> None:
    anna, bert = team.pitcher(), team.pitcher(user_id=1002, first_name="Bert")
    reference, _ = await send_pitch(anna)
    await send_pitch(bert)
    olga = team.olga()
    await olga.send(f"/note {reference} INTERNE-NOTITIE alleen voor het team")
    await olga.send(f"/reply {reference} Dag Anna, wanneer past een gesprek?")
    await anna.send("Dinsdag past goed")
    await set_status(olga, reference, "referred")

    await anna.send("/mydata")

    document = [(name, body) for chat, name, body in team.request.documents if chat == ANNA][-1]
    assert document[0] == f"pitchbot-{team.clock.now.date().isoformat()}.json"
    raw = document[1].decode()
    data = json.loads(raw)
    assert data["person"]["telegram_user_id"] == ANNA
    assert data["person"]["first_name"] == "Anna"
    assert [c["privacy_version"] for c in data["consents"]] == [CONSENT_VERSION]
    (pitch,) = data["pitches"]
    assert pitch["reference"] == reference and pitch["status"] == "referred"
    by_key = {a["question_key"]: a for a in pitch["answers"]}
    assert by_key[FIRST.key]["question"] == FIRST.texts["nl"].label
    assert [(m["from"], m["text"]) for m in pitch["messages"]] == [
        ("the team", "Dag Anna, wanneer past een gesprek?"),
        ("you", "Dinsdag past goed"),
    ]
    sent, change = pitch["status_history"]
    assert (sent["from"], sent["to"], sent["by"]) == ("draft", "new", "you")
    assert change["to"] == "referred" and change["by"] == "the team"
    assert change["referred_to"] == "Buurtwerk Noord" and change["you_were_told"] is True
    assert "INTERNE-NOTITIE" not in raw  # the team's notes stay internal
    assert str(OLGA) not in raw and "Olga" not in raw  # staff are "the team"
    assert "Bert" not in raw and "1002" not in raw  # nobody else's data


async def test_mydata_of_someone_who_never_agreed_says_nothing_is_stored(
    harness: BotHarness,
) -> None:
    stranger = harness.chat()

    replies = await stranger.send("/mydata")

    assert visible(replies[-1].text) == said("mydata_nothing")
    assert harness.request.documents == []


async def test_privacy_names_the_controller_the_retention_and_the_rights(
    database: Database, harness: BotHarness
) -> None:
    terms = PrivacyTerms(contact="Buurtwerk Noord vzw, privacy@buurtwerk.be", closed_days=365)
    conversations = Conversations(database, FLOW, terms=terms)

    response = await conversations.handle(
        Person(ANNA, ANNA, language_code="nl"), Command("privacy")
    )
    shown = "\n".join(CATALOG.render_plain("nl", block) for block in response.replies[0].blocks)
    assert "Buurtwerk Noord vzw, privacy@buurtwerk.be" in shown
    assert "60 dagen" in shown and "365 dagen" in shown
    assert "/mydata" in shown and "Gegevensbeschermingsautoriteit" in shown
    assert "interne werkaantekeningen" in shown


async def test_while_asked_again_the_language_and_cancel_need_no_new_terms(
    harness: BotHarness,
) -> None:
    """To read the change in their own language, and to delete their own draft, nobody
    has to accept the new text first."""
    anna = harness.chat()
    await consent(anna)
    await answer_questions(anna, stop=FLOW.questions[1].key)
    await agreed_earlier(harness.database)

    await anna.send("/language")
    switched = await anna.tap("Français")
    assert "Nos règles de confidentialité ont changé" in visible(switched[-1].text)
    async with harness.database.sessions() as session:
        assert await session.scalar(select(Pitcher.language)) == "fr"

    await anna.send("/cancel")
    await anna.tap_data("cancel:yes")
    assert [p.status for p in await pitches_of(harness.database, ANNA)] == []
    assert await consents_of(harness.database) == [CONSENT_VERSION]  # still not agreed


async def test_keeping_everything_after_forgetme_asks_the_consent_again(
    harness: BotHarness,
) -> None:
    anna = harness.chat()
    await consent(anna)
    await agreed_earlier(harness.database)

    await anna.send("/forgetme")
    kept = await anna.tap("Nee, bewaar alles")

    assert "Onze privacyregels zijn aangepast" in visible(kept[-1].text)
    assert FIRST.texts["nl"].prompt not in visible(kept[-1].text)
