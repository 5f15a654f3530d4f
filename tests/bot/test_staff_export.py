"""`/export` in Telegram: staff get a CSV document; strangers learn nothing."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest

from bot.staff import export
from tests.bot.conftest import OLGA, STAFF_CHAT, TeamHarness
from tests.bot.scenario import snapshot, visible
from tests.bot.staff_scenario import NEUTRAL, send_pitch


def rows_of(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"))))


async def test_staff_get_every_sent_pitch_as_a_csv_document(team: TeamHarness) -> None:
    anna = team.pitcher()
    reference, _ = await send_pitch(anna)
    olga = team.olga()

    replies = await olga.send("/export")

    chat_id, name, content = team.request.documents[-1]
    assert chat_id == olga.chat["id"] and name.endswith(".csv")
    rows = rows_of(content)
    assert rows[0][:2] == ["Referentie", "Status"]
    assert [row[0] for row in rows[1:]] == [reference]
    assert rows[1][rows[0].index("Telegram-voornaam")] == "Anna"
    caption = team.request.sent("sendDocument")[-1]["caption"]
    assert "aantal pitches: 1" in caption
    assert not [r for r in replies if "commando is voor het team" in r.text]


async def test_filters_and_anonymous_from_the_chat(team: TeamHarness) -> None:
    await send_pitch(team.pitcher())
    olga = team.olga()

    await olga.send("/export in_review")
    assert len(rows_of(team.request.documents[-1][2])) == 1  # the header only
    assert "aantal pitches: 0" in team.request.sent("sendDocument")[-1]["caption"]

    await olga.send("/export new anonymous excel")
    name, content = team.request.documents[-1][1:]
    assert content.startswith(b"\xef\xbb\xbf") and b"\r\n" in content
    assert "anonymous" in name
    assert b"Anna" not in content and b"1001" not in content


async def test_statuses_are_named_as_the_cards_show_them(team: TeamHarness) -> None:
    """The team reads "🔎 in behandeling" on a card and may type it so."""
    reference, _ = await send_pitch(team.pitcher())
    olga = team.olga()

    await olga.send("/export in behandeling")
    assert len(rows_of(team.request.documents[-1][2])) == 1, "none in review: the header only"
    await olga.send("/export nieuw excel")
    assert reference.encode() in team.request.documents[-1][2]


@pytest.mark.parametrize(
    ("words", "says"),
    [
        ("since 2026-13-01", "geen datum"),
        ("since", "hoort een datum"),
        ("lost", "begrijp ik niet"),
        ("since 2026-11-20 until 2026-11-01", "ligt vóór since"),
    ],
)
async def test_a_wrong_export_request_says_what_is_wrong(
    team: TeamHarness, words: str, says: str
) -> None:
    replies = await team.olga().send(f"/export {words}")

    assert says in replies[-1].text
    assert "/export" in replies[-1].text  # and how to ask
    assert team.request.documents == []


async def test_a_big_export_is_zipped_and_a_too_big_one_names_the_cli(
    team: TeamHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await send_pitch(team.pitcher())
    olga = team.olga()
    await olga.send("/export")
    plain = len(team.request.documents[-1][2])
    monkeypatch.setattr(export, "DOCUMENT_LIMIT", plain - 1)  # too big as CSV, fine zipped

    await olga.send("/export")
    name, content = team.request.documents[-1][1:]
    assert name.endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        (inner,) = archive.namelist()
        assert inner.endswith(".csv") and len(rows_of(archive.read(inner))) == 2

    monkeypatch.setattr(export, "DOCUMENT_LIMIT", 10)
    replies = await olga.send("/export new")
    assert "pitchbot export --status new" in replies[-1].text
    assert len([d for d in team.request.documents if d[0] == OLGA]) == 2


async def test_a_stranger_cannot_export(team: TeamHarness) -> None:
    await send_pitch(team.pitcher())
    before = await snapshot(team.database)

    replies = await team.private(5555, "Eve").send("/export anonymous")

    assert [r.text for r in replies] == [NEUTRAL]
    # the pitcher's own PDF of the pitch, nothing for Eve
    assert [name for _, name, _ in team.request.documents] == ["P-2026-0001.pdf"]
    assert await snapshot(team.database) == before


async def test_export_in_the_staff_group(team: TeamHarness) -> None:
    await send_pitch(team.pitcher())

    replies = await team.in_group(7002, "Pieter").send("/export")

    assert team.request.documents[-1][0] == 7002, "the file holds contact details: privately"
    assert [visible(r.text) for r in replies if r.chat_id == STAFF_CHAT] == [
        "📤 De export staat in je privégesprek met mij: hij bevat contactgegevens."
    ]
