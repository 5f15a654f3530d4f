"""Files from pitchers: a plan, a flyer, a photo of the place, a voice message reach the
team (a copy, captioned with the reference, no name) once the pitch is sent."""

from __future__ import annotations

from typing import Any

from tests.bot.conftest import STAFF_CHAT, TeamHarness
from tests.bot.scenario import consent, snapshot, visible
from tests.bot.staff_scenario import queued, send_pitch

ANNA = 1001
PLAN = {"file_id": "plan-1", "file_unique_id": "u-plan-1", "file_name": "plan.pdf"}


def copies(team: TeamHarness) -> list[dict[str, Any]]:
    return [c for c in team.request.sent("copyMessage") if int(c["chat_id"]) == STAFF_CHAT]


async def test_a_document_after_sending_reaches_the_team_and_the_history(
    team: TeamHarness,
) -> None:
    anna = team.pitcher()
    reference, _ = await send_pitch(anna)

    replies = await anna.send_raw(document={**PLAN, "file_size": 48_000}, caption="Ons plan")

    assert [visible(r.text) for r in replies if r.chat_id == ANNA] == [
        f"📎 Doorgestuurd naar het team, bij {reference}."
    ]
    [copy] = copies(team)
    assert int(copy["from_chat_id"]) == ANNA and int(copy["message_id"]) == anna.last_message_id
    caption = visible(copy["caption"])
    assert caption.startswith(f"↩️ 📎 Van de pitcher van {reference}") and "Ons plan" in caption
    assert "Anna" not in caption, "no name in the group"
    history = visible((await team.olga().send(f"/pitch {reference}"))[0].text)
    assert "📎 de pitcher stuurde een bestand Ons plan" in history


async def test_photos_and_voice_are_passed_on_stickers_are_not(team: TeamHarness) -> None:
    anna = team.pitcher()
    await send_pitch(anna)
    photo = [{"file_id": f"p{i}", "file_unique_id": f"u{i}", "width": 90, "height": 90}
             for i in range(2)]  # fmt: skip

    await anna.send_raw(photo=photo)
    await anna.send_raw(voice={"file_id": "v1", "file_unique_id": "uv1", "duration": 4})
    sticker = await anna.send_raw(
        sticker={"file_id": "s1", "file_unique_id": "us1", "type": "regular",
                 "width": 1, "height": 1, "is_animated": False, "is_video": False}
    )  # fmt: skip

    assert len(copies(team)) == 2
    assert "geen sticker" in visible(sticker[-1].text)


async def test_during_a_draft_files_wait_until_the_pitch_is_sent(team: TeamHarness) -> None:
    anna = team.pitcher()
    await consent(anna)  # a draft is open
    before = await snapshot(team.database)

    replies = await anna.send_raw(document={**PLAN, "file_size": 48_000})

    said = visible(replies[0].text)
    assert "geen bestand" in said and "zodra je pitch verstuurd is" in said
    assert "Vraag 1 van 11" in replies[-1].text, "then where she was"
    assert await snapshot(team.database) == before and copies(team) == []


async def test_a_file_too_big_is_refused_with_the_limit(team: TeamHarness) -> None:
    anna = team.pitcher()
    await send_pitch(anna)
    waiting = len(await queued(team.database))

    replies = await anna.send_raw(document={**PLAN, "file_size": 50 * 1024 * 1024})

    assert "te groot om door te sturen (hoogstens 20 MB)" in visible(replies[-1].text)
    assert len(await queued(team.database)) == waiting and copies(team) == [], "nothing queued"
