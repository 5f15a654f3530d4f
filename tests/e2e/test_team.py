"""The team's side, end to end: cards in the staff group, commands, buttons, the CSV
export, a pitcher who blocked the bot, and people who are not on the team."""

from __future__ import annotations

import csv
import io
import re

import pytest

from tests.e2e.conftest import (
    ANSWERS,
    OLGA,
    PIETER,
    Deployment,
    People,
    body,
    buttons,
    press_and_wait,
    says,
    send_pitch,
    wait_edits,
)

pytestmark = pytest.mark.e2e

NEUTRAL = says("nl", "staff_only")


async def test_a_sent_pitch_reaches_the_staff_group_as_a_card(people: People) -> None:
    reference, _ = await send_pitch(people.pitcher("Anna", "nl"))
    card = await people.card(reference)
    shown = body(card)
    for key in ("idea", "challenge", "municipality"):
        assert ANSWERS["nl"][key] in shown
    assert "Testen" in shown or "test" in shown.lower()  # the stage, by its label
    # contact details stay out of the group
    assert ANSWERS["nl"]["name"] not in shown
    assert ANSWERS["nl"]["contact"] not in shown
    expected = ["tk:{}:n", "st:{}:in_review:n", "rp:{}", "sh:{}"]  # drawn: new, nobody's
    assert buttons(card) == [data.format(reference) for data in expected]
    cards = [m for m in await people.group_messages() if f"📬 {reference}" in body(m)]
    assert len(cards) == 1


async def test_staff_list_new_pitches_and_read_a_whole_pitch(people: People) -> None:
    reference, _ = await send_pitch(people.pitcher("Els", "nl"))
    olga = await people.olga()
    await olga.send_command("/new")
    listing = await olga.next_message("Nieuwe pitches")
    assert reference in body(listing)

    # Pieter is staff only through the staff group (asked from Telegram: getChatMember)
    pieter = await people.pieter()
    await pieter.send_command("/pitch", reference)
    whole = await pieter.next_message(reference)
    shown = body(whole)
    while "Geschiedenis" not in shown:  # a long pitch may take more than one message
        shown += "\n" + body(await pieter.next_message())
    assert ANSWERS["nl"]["contact"] in shown  # the full pitch, asked for, has the contact
    assert ANSWERS["nl"]["dream"] in shown


async def test_status_buttons_on_the_card_and_the_pitcher_hears_the_news(
    people: People,
) -> None:
    fien = people.pitcher("Fien", "nl")
    reference, _ = await send_pitch(fien)
    card = await people.card(reference)
    number = reference

    pieter = await people.in_group("Pieter", PIETER)
    toast = await press_and_wait(pieter, card, f"st:{number}:in_review:n")
    assert toast == says(
        "nl", "staff_status_set", reference=reference, old="🆕 nieuw", new="🔎 in behandeling"
    )
    card = await wait_edits(pieter, card, 1)
    assert "🔎 in behandeling" in body(card)

    olga = await people.in_group("Olga", OLGA)
    toast = await press_and_wait(olga, card, f"tk:{number}:r")
    assert toast == says("nl", "staff_claim_won", reference=reference)
    card = await wait_edits(olga, card, 2)
    assert "🙋 Olga" in body(card)

    # statuses the pitcher cares about are shown first, then reach them in their language
    olga = await people.olga()
    await olga.send_command("/status", f"{reference} in_conversation")
    preview = await olga.next_message(reference)
    assert says("nl", "status_news_in_conversation", reference=reference) in body(preview)
    assert buttons(preview) == [f"sv:{reference}:{c}" for c in ("send", "word", "quiet")]
    await press_and_wait(olga, preview, f"sv:{reference}:send")
    changed = await wait_edits(olga, preview, 1)
    assert "💬 in gesprek" in body(changed)
    news = await fien.next_message("Goed nieuws")
    assert reference in body(news)


async def test_export_sends_a_csv_document(people: People) -> None:
    tricky = {
        **ANSWERS["nl"],
        "idea": '=HYPERLINK("http://x") een buurtfrigo, met "quotes"; en komma\'s',
        "dream": "Een wijk waar niemand alleen eet,\nook niet op zondag 🍲",
    }
    reference, _ = await send_pitch(people.pitcher("Hilde", "nl"), answers=tricky)
    olga = await people.olga()
    await olga.send_command("/export")
    document = await olga.next_message("Export klaar", kind="document")
    assert document["document"]["file_name"].endswith(".csv")
    data = await olga.download(document["document"]["file_id"])

    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    header, records = rows[0], rows[1:]
    assert header[0] == "Referentie"
    count = int(re.findall(r"\d+", body(document))[-1])
    assert len(records) == count >= 1
    row = dict(zip(header, next(r for r in records if r[0] == reference), strict=True))
    assert row["Je idee"] == "'" + tricky["idea"]  # formula injection neutralised
    assert row["Je droom"] == tricky["dream"]
    assert row["Status"] == "new"
    assert row["Contactgegevens"] == ANSWERS["nl"]["contact"]

    # for partners: no personal columns; for Excel in Flanders: BOM and semicolons
    await olga.send_command("/export", "new anonymous excel")
    document = await olga.next_message("Export klaar", kind="document")
    data = await olga.download(document["document"]["file_id"])
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert "Contactgegevens" not in rows[0] and "Referentie" in rows[0]
    assert ANSWERS["nl"]["contact"] not in data.decode("utf-8-sig")
    assert any(row[0] == reference for row in rows[1:])


async def test_a_stranger_learns_nothing(people: People, bot: Deployment) -> None:
    reference, _ = await send_pitch(people.pitcher("Ilse", "nl"))
    card = await people.card(reference)
    number = reference

    sam = people.pitcher("Sam", "nl")
    for command in (
        "/new",
        f"/pitch {reference}",
        "/pitch P-2026-9999",
        f"/status {reference} supported",
        f"/reply {reference} hallo",
        f"/note {reference} hallo",
        "/export",
        "/stats",
        "/staffhelp",
    ):
        await sam.send_text(command)
        assert body(await sam.next_message()) == NEUTRAL, command

    # not a member of the staff group (any more): its card buttons refuse him too
    await people.client.set_chat_members(
        bot.staff_chat, [{"user_id": sam.user_id, "status": "left"}]
    )
    sam_in_group = await people.in_group("Sam", sam.user_id)
    for data in buttons(card):
        assert await press_and_wait(sam_in_group, card, data) == NEUTRAL, data
    await sam_in_group.expect_no_new_message(0.3)
    unchanged = await people.card(reference)
    assert unchanged.get("edit_count", 0) == 0
    assert "🆕 nieuw" in body(unchanged)

    # forged button data is refused even for staff
    olga = await people.in_group("Olga", OLGA)
    for data in ("st:abc:supported", f"st:{number}:bogus", f"tk:{number}:q"):
        query = await people.client.post(
            "/client/pressButton",
            {
                "token": bot.token,
                "chat_id": bot.staff_chat,
                "message_id": card["message_id"],
                "data": data,
                "from": olga.user,
                "force": True,
            },
        )
        answer = await olga.callback_answer(str(query["callback_query_id"]))
        assert answer["text"] == says("nl", "staff_button_unknown"), data


async def test_a_pitcher_who_blocked_the_bot(people: People, bot: Deployment) -> None:
    jan = people.pitcher("Jan", "nl")
    reference, _ = await send_pitch(jan)
    await jan.block_bot()

    olga = await people.olga()
    await olga.send_command("/reply", f"{reference} Dag Jan, nog interesse?")
    assert body(await olga.next_message()) == says("nl", "staff_reply_failed", reference=reference)
    await olga.send_command("/status", f"{reference} supported")
    preview = await olga.next_message(reference)
    await press_and_wait(olga, preview, f"sv:{reference}:send")
    changed = body(await wait_edits(olga, preview, 1))
    assert says("nl", "staff_notify_failed", reference=reference) in changed

    await olga.send_command("/pitch", reference)
    history = body(await olga.next_message(reference))
    while "Geschiedenis" not in history:
        history += "\n" + body(await olga.next_message())
    assert "Dag Jan, nog interesse? ⚠️ niet afgeleverd" in history
    assert bot.process.alive()
    assert "Traceback" not in bot.log()


async def test_erasure_by_the_team_and_by_the_pitcher(people: People) -> None:
    """/erase (staff, confirmed) and /forgetme (the pitcher, confirmed) remove everything;
    the other side is told, in the real process and through the real Bot API."""
    gus = people.pitcher("Gus", "nl")
    first, _ = await send_pitch(gus)
    olga = await people.olga()
    await olga.send_command("/erase", first)
    asked = await olga.next_message(f"Alles wissen van de pitcher van {first}")
    assert buttons(asked) == [f"er:{first}:yes", f"er:{first}:no"]
    await press_and_wait(olga, asked, f"er:{first}:yes")
    assert first in body(await wait_edits(olga, asked, 1))
    await gus.next_message(says("nl", "erased")[:40])
    await olga.send_command("/pitch", first)
    gone = body(await olga.next_message(first))  # what stays: the reference, dates, the fact
    assert "door het team gewist, op vraag van de pitcher" in gone

    hanne = people.pitcher("Hanne", "nl")
    second, _ = await send_pitch(hanne)
    await hanne.send_command("/forgetme")
    confirm = await hanne.next_message(says("nl", "forget_confirm")[:40])
    await hanne.press(confirm, "forget:yes")
    erased = await wait_edits(hanne, confirm, 1)  # the question becomes the answer
    assert body(erased).startswith(says("nl", "erased")[:40]) and not buttons(erased)
    told = await people.group_message(f"De pitcher van {second} liet alles van zich wissen")
    assert "/forgetme" in body(told)
    await olga.send_command("/pitch", second)
    assert "gewist op vraag van de pitcher" in body(await olga.next_message(second))


async def test_a_member_removed_from_the_staff_group_loses_access_at_once(
    people: People, bot: Deployment
) -> None:
    """The bot administers the group, so Telegram tells it who leaves (chat_member)."""
    reference, _ = await send_pitch(people.pitcher("Jules", "nl"))
    mira_id = 7100
    await people.client.set_chat_members(
        bot.staff_chat, [{"user_id": mira_id, "status": "member", "user": {"first_name": "Mira"}}]
    )
    mira = await people.returning("Mira", mira_id)
    await mira.send_command("/pitch", reference)
    assert reference in body(await mira.next_message(reference)), "a member reads pitches"
    await mira.skip_existing()

    olga = {"id": OLGA, "is_bot": False, "first_name": "Olga"}
    member = {"id": mira_id, "is_bot": False, "first_name": "Mira"}
    await people.client.raw_update(
        {
            "chat_member": {
                "chat": {"id": bot.staff_chat, "type": "supergroup", "title": "Pitch team"},
                "from": olga,
                "date": 1_790_000_000,
                "old_chat_member": {"status": "member", "user": member},
                "new_chat_member": {"status": "kicked", "user": member, "until_date": 0},
            }
        }
    )
    await people.client.wait_idle()

    await mira.send_command("/pitch", reference)
    assert body(await mira.next_message()) == NEUTRAL, "well within the two-minute cache"
