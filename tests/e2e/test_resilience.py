"""What happens around the conversation: a restart mid-pitch, a hard kill right after a
batch was fetched, a staff group that refuses messages for a while. Each test has a bot
process of its own, since it stops or breaks it."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from storage.database import create_database
from storage.models import Answer, Pitch, Pitcher
from tests.e2e.conftest import (
    ANSWERS,
    Deployment,
    answer,
    answer_questions,
    body,
    consent,
    meet,
    prompt,
    reference_in,
    review_card,
    says,
    send_pitch,
)

pytestmark = pytest.mark.e2e


async def test_sigterm_mid_pitch_then_the_pitcher_continues_where_they_were(
    own_bot: Deployment,
) -> None:
    async with meet(own_bot) as people:
        kim = people.pitcher("Kim", "nl")
        question = await consent(kim, "nl")
        question = await answer_questions(kim, question, "nl", stop="change")
        assert prompt("change", "nl") in body(question)

        assert own_bot.terminate() == 0, own_bot.log_tail()
        assert "Application.stop() complete" in own_bot.log()

        # typed while the bot is down: Telegram keeps it until the bot is back
        await kim.send_text(ANSWERS["nl"]["change"])
        own_bot.start()
        question = await kim.next_message(prompt("solution_form", "nl"))
        assert "Vraag 5a van 11" in body(question)

        # /start offers to continue at that question; nothing typed before is lost
        await kim.send_command("/start")
        offer = await kim.next_message(says("nl", "resume_offer", number=5, total=11))
        await kim.press(offer, "resume:continue")
        question = await kim.next_message(prompt("solution_form", "nl"))
        first = await answer_questions(kim, question, "nl", start="solution_form")
        card = await review_card(kim, first, "nl")
        shown = "\n".join(body(part) for part in card)
        for key in ("idea", "dream", "challenge", "change", "solution", "contact"):
            assert ANSWERS["nl"][key] in shown
        await kim.press(card[-1], "send")
        done = await kim.next_message("Bedankt! Je pitch is ingestuurd.")
        await people.card(reference_in(body(done)))

        answered = [m for m in await kim.bot_messages() if prompt("solution_form", "nl") in body(m)]
        assert len(answered) == 2, "the answer typed while down was handled exactly once"


async def test_the_staff_group_refuses_the_card_then_gets_it_once_it_accepts(
    own_bot: Deployment,
) -> None:
    """The bot was removed from the staff group: the pitch and a message of the pitcher
    are kept in the outbox, the failure logged once, and retried every second until the
    group takes them, the card first."""
    async with meet(own_bot) as people:
        client = people.client
        group = own_bot.staff_chat
        await client.set_chat_members(group, [{"user_id": 666, "status": "left"}])

        async def card_attempts() -> int:
            calls = await client.bot_calls("sendMessage")
            return sum(1 for call in calls if int(call["params"].get("chat_id", 0)) == group)

        lena = people.pitcher("Lena", "nl")
        reference, _ = await send_pitch(lena)
        await client.wait_until(
            lambda: _at_least(card_attempts, 3), 10.0, "the card to be tried three times"
        )
        assert not [m for m in await people.group_messages() if reference in body(m)]
        olga = await people.olga()
        await olga.send_command("/new")
        assert reference in body(await olga.next_message("Nieuwe pitches"))

        # one more failure of another kind (a flaky network): the next try fails too
        tried = await card_attempts()
        await client.fail_next("sendMessage", 502, description="Bad Gateway")
        await client.wait_until(
            lambda: _at_least(card_attempts, tried + 1), 10.0, "a try that meets the fault"
        )
        assert not [m for m in await people.group_messages() if reference in body(m)]
        # she writes to the team meanwhile: kept, and relayed once the group is back
        await lena.send_text("Is mijn pitch goed aangekomen?")
        await lena.next_message("Doorgestuurd naar het team")

        await client.set_chat_members(group, [{"user_id": 666, "status": "member"}])
        card = await people.card(reference)
        assert ANSWERS["nl"]["idea"] in body(card)
        relayed = await people.group_message("Is mijn pitch goed aangekomen?")
        assert relayed["message_id"] > card["message_id"], "the card first, then her message"
        await asyncio.sleep(1.5)  # more retry rounds: nothing is sent twice
        about = [body(m) for m in await people.group_messages() if reference in body(m)]
        assert len(about) == 2, about

        warnings = [line for line in own_bot.log().splitlines() if reference in line]
        assert len(warnings) == 1, warnings  # once, for the card: her message waited behind it
        assert all("will be retried" in warning for warning in warnings)


async def _at_least(counter: object, minimum: int) -> bool:
    return bool(await counter() >= minimum)  # type: ignore[operator]


PITCHERS = 12
TYPED = ("idea", "dream", "challenge", "change")
"""The text questions a pitch opens with, answered blindly (no reply is waited for)."""


async def _drafts(database_url: str) -> dict[int, tuple[str | None, dict[str, str]]]:
    """Each pitcher's draft as stored: the step it is at and its answers."""
    database = create_database(database_url)
    try:
        async with database.sessions() as session:
            rows = await session.execute(
                select(Pitcher.telegram_user_id, Pitch.step, Answer.question_key, Answer.value)
                .join(Pitch, Pitch.pitcher_id == Pitcher.id)
                .outerjoin(Answer, Answer.pitch_id == Pitch.id)
            )
            drafts: dict[int, tuple[str | None, dict[str, str]]] = {}
            for user_id, step, key, value in rows.all():
                answers = drafts.setdefault(user_id, (step, {}))[1]
                if key is not None:
                    answers[key] = value
            return drafts
    finally:
        await database.dispose()


async def test_sigkill_right_after_each_batch_is_fetched_loses_no_answer(
    own_bot: Deployment,
) -> None:
    """Twelve pitchers answer at once; the moment the bot has fetched their answers it
    is killed (before it can have handled them all) and started again, four times over.
    Every typed answer ends up stored exactly once, each draft at the next question."""
    async with meet(own_bot) as people:
        pitchers = [people.pitcher(f"Pitcher {n}", "nl") for n in range(PITCHERS)]
        await asyncio.gather(*(consent(pitcher, "nl") for pitcher in pitchers))
        for key in TYPED:
            await asyncio.gather(*(p.send_text(ANSWERS["nl"][key]) for p in pitchers))
            while await people.client.pending():  # no pause: kill the moment it has them
                pass
            own_bot.kill()
            own_bot.start()

        async def all_stored() -> bool:
            drafts = await _drafts(own_bot.database_url)
            complete = [a for _, a in drafts.values() if len(a) == len(TYPED)]
            return len(complete) == PITCHERS

        await people.client.wait_until(all_stored, 20, "every answer stored")
        expected = {key: ANSWERS["nl"][key] for key in TYPED}
        for step, answers in (await _drafts(own_bot.database_url)).values():
            assert answers == expected, "each answer once, as typed"
            assert step == "solution_form", "and each handled once: the draft moved on four times"
        assert "replaying" in own_bot.log(), "the inbox did the work, not luck"


async def test_answers_the_bot_api_fails_to_take_still_reach_the_pitcher(
    own_bot: Deployment,
) -> None:
    """502s and a 429 from the Bot API: every pitcher finishes, and the reference of every
    stored pitch reaches its pitcher (sent again once Telegram takes it)."""
    async with meet(own_bot) as people:
        client = people.client
        mila = people.pitcher("Mila", "nl")
        question = await answer_questions(mila, await consent(mila, "nl"), "nl", stop="dream")

        await client.fail_next("sendMessage", 502, description="Bad Gateway")
        await answer(mila, question, "dream", "nl", ANSWERS["nl"])
        again = await mila.next_message(says("nl", "resume_lost")[:40])
        assert prompt("challenge", "nl") in body(again), "the question she never saw"

        await client.fail_next("sendMessage", 429, retry_after=1)  # the rate limiter retries
        first = await answer_questions(mila, again, "nl", start="challenge")
        card = await review_card(mila, first, "nl")
        await client.fail_next("sendMessage", 502, description="Bad Gateway")
        await mila.press(card[-1], "send")
        confirmation = await mila.next_message(says("nl", "resume_lost")[:40])
        reference = reference_in(body(confirmation))
        assert "Bedankt! Je pitch is ingestuurd." in body(confirmation)
        await people.card(reference)

        # who writes before the lost answer comes again sees where she was first
        noor = people.pitcher("Noor", "nl")
        await consent(noor, "nl")
        await client.fail_next("sendMessage", 502, description="Bad Gateway")
        await noor.send_text(ANSWERS["nl"]["idea"])
        await noor.send_text("hallo? ben je daar?")
        shown = await noor.next_message(says("nl", "resume_lost_typed")[:40])
        assert prompt("dream", "nl") in body(shown)
