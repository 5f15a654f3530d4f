"""Staff commands, in a private chat with the bot and in the staff group."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.bot.conftest import OLGA, PIETER, STAFF_CHAT, TeamHarness
from tests.bot.scenario import FLOW, snapshot, visible
from tests.bot.staff_scenario import (
    FULL,
    NEUTRAL,
    cards,
    events_of,
    only,
    pitch_row,
    redrawn,
    said,
    send_pitch,
    set_status,
    stored_pitches,
    texts,
)
from tests.support.telegram import PrivateChat, Sent, new_update_id

ANNA = 1001


def as_staff(team: TeamHarness) -> list[PrivateChat]:
    """Staff by configured id in a private chat, and a staff-group member in the group."""
    return [team.olga(), team.in_group(PIETER, "Pieter", "pieter")]


@pytest.fixture(params=["olga-private", "pieter-in-group"])
def staff_chat(request: pytest.FixtureRequest, team: TeamHarness) -> PrivateChat:
    olga, pieter = as_staff(team)
    return olga if request.param == "olga-private" else pieter


async def test_new_lists_new_pitches_oldest_first(
    team: TeamHarness, staff_chat: PrivateChat
) -> None:
    first, _ = await send_pitch(team.pitcher())
    team.clock.now += timedelta(hours=1)
    second, _ = await send_pitch(team.pitcher(1002, "Bram"))
    await team.olga().send(f"/status {first} in_review")

    replies = await staff_chat.send("/new")
    assert [r.chat_id for r in replies] == [staff_chat.chat["id"]]
    assert second in replies[0].text and first not in replies[0].text, "only new ones"
    await team.olga().send(f"/status {first} new")

    shown = visible((await staff_chat.send("/new"))[0].text)
    assert shown.index(first) < shown.index(second)
    assert "Nieuwe pitches" in shown and FULL["nl"]["idea"] in shown
    assert "Anna Peeters" not in shown and "anna@voorbeeld.be" not in shown


async def test_new_pages_through_many_pitches_ten_at_a_time(team: TeamHarness) -> None:
    pitches = await stored_pitches(team.database, 12, team.clock.now - timedelta(days=1))
    refs = [p.reference or "" for p in pitches]
    olga = team.olga()

    page = (await olga.send("/new"))[0]

    assert [ref in page.text for ref in refs] == [True] * 10 + [False] * 2
    assert page.buttons[-1] == ("Volgende ▶️", f"nx:{pitches[9].id}"), "next, no previous"
    assert [d for _, d in page.buttons[:10]] == [f"sh:{ref}" for ref in refs[:10]]

    second = (await olga.tap_on(page, "Volgende"))[0]
    assert second.method == "editMessageText" and second.message_id == page.message_id
    assert [ref in second.text for ref in refs] == [False] * 10 + [True] * 2
    assert second.buttons[-1] == ("◀️ Vorige", f"pv:{pitches[10].id}")

    back = (await olga.tap_on(second, "Vorige"))[0]
    assert [ref in back.text for ref in refs] == [True] * 10 + [False] * 2
    assert visible(back.text) == visible(page.text)


async def test_pitches_filters_by_status_and_words(
    team: TeamHarness, staff_chat: PrivateChat
) -> None:
    frigo, _ = await send_pitch(team.pitcher())
    bike_answers = {**FULL["nl"], "idea": "Een deelfietsenpunt bij het station van Mechelen"}
    bike, _ = await send_pitch(team.pitcher(1002, "Bram"), answers=bike_answers)
    await set_status(team.olga(), bike, "supported")

    def found(replies: list[Sent]) -> set[str]:
        shown = " ".join(texts(replies))
        return {ref for ref in (frigo, bike) if ref in shown}

    assert found(await staff_chat.send("/pitches")) == {frigo, bike}
    assert found(await staff_chat.send("/pitches supported")) == {bike}
    assert found(await staff_chat.send("/pitches new BUURTFRIGO")) == {frigo}
    assert found(await staff_chat.send("/pitches deelfietsenpunt")) == {bike}
    assert found(await staff_chat.send("/pitches new deelfietsenpunt")) == set()
    assert "Niets gevonden" in (await staff_chat.send("/pitches archived"))[0].text


async def test_pitch_shows_every_answer_in_flow_order_with_contact_and_history(
    team: TeamHarness, staff_chat: PrivateChat
) -> None:
    reference, _ = await send_pitch(team.pitcher())
    olga = team.olga()
    await olga.send(f"/note {reference} Bellen na de vakantie")
    await olga.send(f"/assign {reference} me")
    await set_status(olga, reference, "in_conversation")
    await olga.send(f"/reply {reference} Dag Anna, wanneer past een gesprek?")
    await team.pitcher().send("Dinsdag past mij goed")

    replies = await staff_chat.send(f"/pitch {reference}")

    shown = visible("\n\n".join(r.text for r in replies))
    assert shown.startswith(f"📄 {reference} · 💬 in gesprek · 🙋 Olga")
    labels = [q.texts["nl"].label for q in FLOW.questions]
    positions = [shown.index(f"{label}\n") for label in labels]
    assert positions == sorted(positions), "answers in the flow's order"
    for key in ("idea", "dream", "challenge", "solution", "connect", "municipality"):
        assert FULL["nl"][key] in shown
    contact = shown[shown.index("👤 Contact") :]
    assert "Anna Peeters" in contact and "anna@voorbeeld.be" in contact
    assert "Telegram: Anna · – · id 1001" in contact
    history = shown[shown.index("🕓 Geschiedenis") :]
    for line in (
        "✏️ in opbouw → 🆕 nieuw",
        "Olga 📝 Bellen na de vakantie",
        "Olga: toegewezen aan Olga",
        "Olga: 🆕 nieuw → 💬 in gesprek",
        "Olga → pitcher 💬 Dag Anna, wanneer past een gesprek?",
        "pitcher 💬 Dinsdag past mij goed",
    ):
        assert line in history, line
    order = [history.index(s) for s in ("nieuw\n", "📝", "toegewezen", "→ 💬", "Dag", "Dinsdag")]
    assert order == sorted(order), "history oldest first"
    data = {d for r in replies for _, d in r.buttons}
    assert f"st:{reference}:supported:c{OLGA}" in data, "drawn from in conversation, Olga's"
    assert not any(d.startswith(f"st:{reference}:in_conversation") for d in data)


async def test_pitch_of_an_unknown_reference_or_without_one(team: TeamHarness) -> None:
    await send_pitch(team.pitcher())
    olga = team.olga()

    assert texts(await olga.send("/pitch P-2026-0999")) == ["Die pitch vind ik niet."]
    assert texts(await olga.send("/pitch")) == ["Gebruik: /pitch P-2026-0042"]
    assert texts(await olga.send("/pitch frigo")) == ["Gebruik: /pitch P-2026-0042"]
    lower = await olga.send("/pitch p-2026-0001")
    assert "📄 P-2026-0001" in visible(lower[0].text), "references in any case"


async def test_status_changes_are_recorded_with_who_and_when(
    team: TeamHarness, staff_chat: PrivateChat
) -> None:
    reference, _ = await send_pitch(team.pitcher())
    actor = staff_chat.user["id"]
    team.clock.now += timedelta(hours=2)

    replies = await staff_chat.send(f"/status {reference} IN_REVIEW")

    assert texts(said(replies)) == [f"✅ {reference}: 🆕 nieuw → 🔎 in behandeling"]
    [card] = redrawn(replies)
    assert card.startswith(f"📬 {reference} · 🔎 in behandeling"), "the card is true at once"
    pitch = await pitch_row(team.database, reference)
    assert pitch.status == "in_review" and pitch.status_changed_at == team.clock.now
    assert (await events_of(team.database, reference))[-1] == (
        "status",
        actor,
        {"from": "new", "to": "in_review"},
    )
    again = await staff_chat.send(f"/status {reference} in_review")
    assert texts(again) == [f"{reference} staat al op 🔎 in behandeling."]
    assert len(await events_of(team.database, reference)) == 2, "no event for no change"


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("in behandeling", "🔎 in behandeling"),
        ("🤝 Doorverwezen", "🤝 doorverwezen"),
        ("niet verder", "⏹ niet verder"),
        ("en traitement", "🔎 in behandeling"),
        ("not_pursued", "⏹ niet verder"),
    ],
)
async def test_status_names_are_accepted_as_the_team_reads_them(
    team: TeamHarness, typed: str, shown: str
) -> None:
    reference, _ = await send_pitch(team.pitcher())
    olga = team.olga()

    replies = await set_status(olga, reference, typed)

    done = [t.split("\n")[0] for t in texts(only(replies, OLGA)) if t.startswith("✅")]
    assert done == [f"✅ {reference}: 🆕 nieuw → {shown}"]
    listed = visible((await olga.send(f"/pitches {typed} frigo"))[0].text)
    assert reference in listed, "/pitches takes the same names"


@pytest.mark.parametrize("argument", ["", "{ref}", "{ref} bogus", "{ref} draft", "bogus new"])
async def test_status_explains_itself_when_asked_wrongly(team: TeamHarness, argument: str) -> None:
    reference, _ = await send_pitch(team.pitcher())
    olga = team.olga()

    replies = await olga.send(f"/status {argument.format(ref=reference)}".strip())

    assert texts(replies) == [
        "Gebruik: /status P-2026-0042 status – met een van: new, in_review, in_conversation, "
        "supported, referred, not_pursued, archived"
    ]
    assert (await pitch_row(team.database, reference)).status == "new"


async def test_assign_to_me_or_to_a_known_staff_member(team: TeamHarness) -> None:
    reference, _ = await send_pitch(team.pitcher())
    olga, pieter = team.olga(), team.pieter()
    await pieter.send("/staffhelp")  # the bot now knows @pieter

    mine = await olga.send(f"/assign {reference} me")
    assert texts(said(mine)) == [f"🙋 {reference} is toegewezen aan Olga."]
    assert redrawn(mine)[0].startswith(f"📬 {reference} · 🆕 nieuw · 🙋 Olga")
    to_pieter = await olga.send(f"/assign {reference} @Pieter")
    assert texts(said(only(to_pieter, OLGA))) == [f"🙋 {reference} is toegewezen aan Pieter."], (
        "handing on one's own pitch"
    )
    assert texts(only(to_pieter, PIETER)) == [
        f"🙋 Olga gaf je {reference}: {FULL['nl']['idea']}\n/pitch {reference} toont de hele pitch."
    ], "the new assignee hears of it privately"
    assert redrawn(to_pieter)[0].startswith(f"📬 {reference} · 🆕 nieuw · 🙋 Pieter")
    assert texts(await olga.send(f"/assign {reference} @nobody")) == [
        "@nobody ken ik niet als teamlid. Die persoon moet eerst zelf één teamcommando "
        "gebruiken (bv. /staffhelp)."
    ]

    assert (await pitch_row(team.database, reference)).assignee_id == PIETER
    assigns = [e for e in await events_of(team.database, reference) if e[0] == "assign"]
    assert assigns == [
        ("assign", OLGA, {"from": None, "to": OLGA}),
        ("assign", OLGA, {"from": OLGA, "to": PIETER}),
    ]


async def test_assign_by_first_name_and_ambiguous_names_are_listed(team: TeamHarness) -> None:
    """Coaches say "give it to Pieter", not "@pieter"; two Pieters are told apart."""
    reference, _ = await send_pitch(team.pitcher())
    olga = team.olga()
    await team.pieter().send("/staffhelp")  # the bot now knows Pieter

    by_name = await olga.send(f"/assign {reference} pieter")
    assert texts(only(by_name, OLGA)) == [f"🙋 {reference} is toegewezen aan Pieter."]

    other = 7003
    team.request.members[(STAFF_CHAT, other)] = "member"
    await team.private(other, "Pieter", "pieter_d").send("/staffhelp")
    ambiguous = await olga.send(f"/assign {reference} Pieter")

    assert texts(said(ambiguous)) == [
        "Er zijn meerdere teamleden die Pieter heten: Pieter (@pieter), Pieter (@pieter_d). "
        "Gebruik hun @gebruikersnaam."
    ]
    assert (await pitch_row(team.database, reference)).assignee_id == PIETER, "unchanged"
    by_username = await olga.send(f"/assign {reference} @pieter_d")
    assert texts(only(by_username, OLGA)) == [
        f"🙋 {reference} is toegewezen aan Pieter (was van Pieter)."
    ], "taking over someone else's pitch says whose it was"
    assert (await pitch_row(team.database, reference)).assignee_id == other


async def test_assign_refuses_someone_who_left_the_team(team: TeamHarness) -> None:
    reference, _ = await send_pitch(team.pitcher())
    await team.pieter().send("/staffhelp")
    team.request.members[(STAFF_CHAT, PIETER)] = "left"
    team.monotonic.advance(3600)

    replies = await team.olga().send(f"/assign {reference} @pieter")

    assert "ken ik niet als teamlid" in replies[0].text
    assert (await pitch_row(team.database, reference)).assignee_id is None


async def test_a_note_stays_with_the_team(team: TeamHarness, staff_chat: PrivateChat) -> None:
    reference, _ = await send_pitch(team.pitcher())
    to_anna = len(team.request.messages_to(ANNA))

    replies = await staff_chat.send(f"/note {reference} Lijkt op het project <van> Jan & Els")

    assert texts(said(replies)) == [f"📝 Notitie bewaard bij {reference}."]
    assert (await events_of(team.database, reference))[-1] == (
        "note",
        staff_chat.user["id"],
        {"text": "Lijkt op het project <van> Jan & Els"},
    )
    assert len(team.request.messages_to(ANNA)) == to_anna, "the pitcher never sees a note"
    full = await team.olga().send(f"/pitch {reference}")
    assert "&lt;van&gt; Jan &amp; Els" in full[-1].text
    assert texts(await staff_chat.send(f"/note {reference}")) == [
        "Gebruik: /note P-2026-0042 je notitie"
    ]


async def test_stats_counts_statuses_the_week_and_the_median_first_reply(
    team: TeamHarness, staff_chat: PrivateChat
) -> None:
    olga = team.olga()
    old, _ = await send_pitch(team.pitcher())
    team.clock.now += timedelta(hours=1)
    await olga.send(f"/reply {old} Dag Anna, een eerste reactie")  # after 1 h
    team.clock.now += timedelta(days=8)
    a, _ = await send_pitch(team.pitcher(1002, "Bram"))
    b, _ = await send_pitch(team.pitcher(1003, "Chris"))
    await olga.send(f"/status {a} in_review")
    await set_status(olga, old, "supported")
    team.clock.now += timedelta(hours=3)
    await olga.send(f"/reply {a} Dag Bram, we bekijken het")  # after 3 h
    await olga.send(f"/reply {a} En nog iets")  # not a first reply
    team.clock.now += timedelta(days=1, hours=2)
    await olga.send(f"/reply {b} Dag Chris")  # after 1 d 5 h

    shown = texts(await staff_chat.send("/stats"))[0]

    for line in (
        "🆕 nieuw: 1",
        "🔎 in behandeling: 1",
        "🌱 ondersteund: 1",
        "🗄 gearchiveerd: 0",
        "Nieuw de voorbije 7 dagen: 2",
        "Lopend zonder antwoord van ons: 0 · door niemand opgenomen: 2",
        "Mediaan tijd tot ons eerste antwoord: 3 u 0 min (over 3 beantwoorde pitches)",
    ):
        assert line in shown, line


async def test_stats_without_any_reply_yet(team: TeamHarness) -> None:
    await send_pitch(team.pitcher())
    team.clock.now += timedelta(minutes=42)

    shown = texts(await team.olga().send("/stats"))[0]

    assert "🆕 nieuw: 1" in shown and "Nog geen antwoorden aan pitchers verstuurd." in shown
    assert "Lopend zonder antwoord van ons: 1 · door niemand opgenomen: 1" in shown
    await team.olga().send("/reply P-2026-0001 Dag Anna")
    again = texts(await team.olga().send("/stats"))[0]
    assert "Mediaan tijd tot ons eerste antwoord: 42 min (over 1 beantwoorde pitches)" in again
    assert "Lopend zonder antwoord van ons: 0 · door niemand opgenomen: 1" in again


async def test_staffhelp_lists_the_commands_for_staff_only(
    team: TeamHarness, staff_chat: PrivateChat
) -> None:
    shown = texts(await staff_chat.send("/staffhelp"))[0]

    for command in (
        "/new",
        "/pitches",
        "/pitch",
        "/status",
        "/assign",
        "/note",
        "/reply",
        "/stats",
    ):
        assert f"\n{command} " in shown, command
    assert texts(await team.stranger().send("/staffhelp")) == [NEUTRAL]


async def test_commands_addressed_to_the_bot_by_name_work_in_the_group(team: TeamHarness) -> None:
    reference, _ = await send_pitch(team.pitcher())
    pieter = team.in_group(PIETER, "Pieter")

    replies = await pieter.send(f"/pitch@PitchTestBot {reference}")

    in_the_group = [r for r in replies if r.chat_id == STAFF_CHAT]
    assert in_the_group and reference in in_the_group[0].text


async def test_staff_commands_do_not_disturb_a_staff_members_own_draft(team: TeamHarness) -> None:
    reference, _ = await send_pitch(team.pitcher())
    olga = team.olga()
    await olga.send("/start")
    await olga.tap("✅")
    await olga.send(FULL["nl"]["idea"])

    await olga.send(f"/status {reference} in_review")
    replies = await olga.send(FULL["nl"]["dream"])

    assert "vraag 3 van 11" in replies[-1].text.lower(), "her own pitch carries on"


@pytest.mark.parametrize("language", ["en", "fr"])
async def test_staff_read_their_own_language_in_a_private_chat(
    team: TeamHarness, language: str
) -> None:
    reference, _ = await send_pitch(team.pitcher())
    olga = team.private(OLGA, "Olga", "olga", language_code=language)
    pieter = team.in_group(PIETER, "Pieter")
    commands = [
        "/new",
        "/pitches",
        f"/pitch {reference}",
        f"/status {reference} in_review",
        f"/assign {reference} me",
        f"/note {reference} ok",
        f"/reply {reference} ok",
        "/stats",
        "/staffhelp",
        "/pitch",
        "/pitch P-2026-0999",
    ]

    for command in commands:
        mine = texts(only(await olga.send(command), OLGA))
        theirs = texts(only(await pieter.send(command.replace("in_review", "new")), STAFF_CHAT))
        assert mine and theirs, command
        assert not any("{" in t or "staff_" in t for t in mine + theirs), (command, mine)
        if command != "/staffhelp":
            assert mine[0] != theirs[0], f"{command}: the group reads Dutch, Olga {language}"


async def test_editing_a_staff_command_does_not_run_it_again(team: TeamHarness) -> None:
    reference, _ = await send_pitch(team.pitcher())
    olga = team.olga()
    await olga.send(f"/note {reference} Bellen op maandag")
    before = await snapshot(team.database)

    replies = await olga.edit(olga.last_message_id, f"/note {reference} Bellen op dinsdag")

    assert replies == []
    assert await snapshot(team.database) == before, "no second note"
    sam = team.stranger()
    await sam.send("hallo")
    assert await sam.edit(sam.last_message_id, f"/pitch {reference}") == []


async def test_a_redelivered_staff_command_is_carried_out_once(team: TeamHarness) -> None:
    anna = team.pitcher()
    reference, _ = await send_pitch(anna)
    olga = team.olga()
    update_id = new_update_id()

    await olga.send(f"/reply {reference} Zullen we dinsdag bellen?", update_id=update_id)
    again = await olga.send(f"/reply {reference} Zullen we dinsdag bellen?", update_id=update_id)

    assert again == []
    to_anna = [s for s in team.request.messages_to(anna.chat["id"]) if "dinsdag" in s.text]
    assert len(to_anna) == 1
    kinds = [kind for kind, _, _ in await events_of(team.database, reference)]
    assert kinds.count("message_out") == 1


async def test_a_press_in_the_group_does_not_swallow_a_command_from_a_private_chat(
    team: TeamHarness,
) -> None:
    """The group and the private chat run side by side: the private command may come
    with a lower update id than a group press that finished before it."""
    reference, _ = await send_pitch(team.pitcher())
    card = cards(team, reference)[0]
    olga_in_group, olga = team.in_group(OLGA, "Olga", "olga"), team.olga()
    earlier, later = new_update_id(), new_update_id()

    await olga_in_group.press(card.data("neem het op"), update_id=later, on=card)
    replies = await olga.send(f"/note {reference} Bellen op dinsdag", update_id=earlier)

    assert [visible(r.text) for r in said(replies)] == [f"📝 Notitie bewaard bij {reference}."]
    assert await olga.redeliver() == [], "a true redelivery is still ignored"
    kinds = [kind for kind, _, _ in await events_of(team.database, reference)]
    assert kinds.count("note") == 1 and kinds.count("assign") == 1
