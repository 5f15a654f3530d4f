"""The CSV staff open in a spreadsheet: columns, dialects, injection, round trip, files."""

from __future__ import annotations

import csv
import errno
import io
import stat
import zipfile
from collections.abc import AsyncGenerator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import services.exporting
from dialogs.flow import Flow, load_flow
from services.export_columns import guard
from services.exporting import (
    ExportError,
    ExportOptions,
    export_to_path,
    file_name,
    write_csv,
    zip_file,
)
from storage.database import Database
from storage.events import add_note
from storage.export import ExportRow, export_batches
from storage.members import remember_staff
from storage.pitchers import add_pitcher
from storage.workflow import assign
from tests.storage.staff_helpers import NOW, OLGA, draft, pitcher, sent

FLOW = load_flow()
SUMMER = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)

SOFIE = {
    "idea": "Een repair café in de school",
    "solution_form": "service,method",
    "stage": "testing",
    "name": "Sofie Peeters",
    "contact": "sofie.peeters@voorbeeld.be",
}


async def _export(database: Database, flow: Flow = FLOW, **options: Any) -> bytes:
    stream = io.BytesIO()
    await write_csv(database, flow, ExportOptions(**options), stream, batch_size=2)
    return stream.getvalue()


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """An empty folder for export files (the SQLite test database lives in tmp_path)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def _table(data: bytes, *, excel: bool = False) -> list[list[str]]:
    text = data.decode("utf-8-sig" if excel else "utf-8")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";" if excel else ","))


def _records(data: bytes, *, excel: bool = False) -> list[dict[str, str]]:
    header, *rows = _table(data, excel=excel)
    return [dict(zip(header, row, strict=True)) for row in rows]


async def _sofie(database: Database, answers: dict[str, str] | None = None) -> None:
    async with database.sessions() as session:
        owner = await add_pitcher(
            session,
            telegram_user_id=987654321,
            chat_id=987654321,
            username="sofie_p",
            first_name="Sofietje",
            language="nl",
            consent_version="2026-01",
            now=NOW,
        )
        pitch = await sent(session, owner, SUMMER, answers or SOFIE, status="in_review")
        await remember_staff(
            session, telegram_user_id=OLGA, username="olga_b", first_name="Olga", now=NOW
        )
        await assign(session, pitch.id, OLGA, actor_id=OLGA, now=SUMMER)
        await add_note(session, pitch.id, "bellen", actor_id=OLGA, now=SUMMER)
        await session.commit()


async def test_columns_run_fixed_then_questions_in_flow_order_then_contact(
    database: Database,
) -> None:
    await _sofie(database)

    header, row = _table(await _export(database, language="en"))

    questions = [q.texts["en"].label for q in FLOW.questions if not q.personal]
    assert header == [
        "Reference",
        "Status",
        "Submitted at",
        "Language",
        "Assignee",
        "Last status change",
        "Notes",
        *questions,
        "Your name",
        "Contact details",
        "Telegram first name",
        "Telegram username",
        "Telegram ID",
    ]
    record = dict(zip(header, row, strict=True))
    assert record["Reference"] == "P-2026-0001"
    assert record["Status"] == "in_review"
    assert record["Submitted at"] == "2026-07-01T10:00:00+02:00"
    assert record["Last status change"] == "2026-07-01T10:00:00+02:00"
    assert (record["Assignee"], record["Notes"]) == ("Olga", "1")
    assert record["Form of the solution"] == "🤝 A service; 🧭 A method"
    assert record["How far along"] == "🧪 We're testing it"
    assert record["Your idea"] == "Een repair café in de school"
    assert record["What is new"] == ""  # not answered
    assert (record["Your name"], record["Contact details"]) == (
        "Sofie Peeters",
        "sofie.peeters@voorbeeld.be",
    )
    assert record["Telegram ID"] == "987654321"


async def test_headers_and_choices_follow_the_export_language(database: Database) -> None:
    await _sofie(database)

    (record,) = _records(await _export(database, language="fr"))

    assert record["Statut"] == "in_review"
    assert record["Où en êtes-vous"] == "🧪 C'est en phase de test"
    assert record["Envoyé le"] == "2026-07-01T10:00:00+02:00"


async def test_winter_times_carry_the_winter_offset(database: Database) -> None:
    async with database.sessions() as session:
        await sent(session, await pitcher(session), NOW)
        await session.commit()

    (record,) = _records(await _export(database, language="en"))

    assert record["Submitted at"] == "2026-03-14T10:30:00+01:00"


async def test_anonymous_leaves_no_name_contact_or_telegram_identity_anywhere(
    database: Database,
) -> None:
    await _sofie(database, {**SOFIE, "contact": "+32470123456"})
    async with database.sessions() as session:
        other = await pitcher(session, 55501234, "Jozefien")
        pitch = await sent(session, other, NOW, {"name": "Jozefien D.", "contact": "jd@x.be"})
        await assign(session, pitch.id, 7777777, actor_id=OLGA, now=NOW)  # never seen: bare id
        await session.commit()

    data = await _export(database, language="en", anonymous=True)

    header, *rows = _table(data)
    assert "Your name" not in header and "Contact details" not in header
    assert not any(title.startswith("Telegram") for title in header)
    text = data.decode("utf-8")
    for personal in (
        "Sofie Peeters",
        "sofie",
        "+32470123456",
        "Sofietje",
        "987654321",
        "Jozefien",
        "jd@x.be",
        "55501234",
        "7777777",
    ):
        assert personal not in text
    assert len(rows) == 2 and all(len(row) == len(header) for row in rows)


async def test_the_default_file_is_rfc_4180_utf8_with_commas_and_crlf(
    database: Database,
) -> None:
    await _sofie(database, {"idea": "Één idee, café"})

    data = await _export(database)

    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\r\n") == 2 and b"\n" not in data.replace(b"\r\n", b"")
    assert data.split(b"\r\n")[0].startswith(b"Referentie,Status,Verstuurd op,")
    assert '"Één idee, café"'.encode() in data


async def test_excel_gets_a_bom_semicolons_and_crlf_with_accents_intact(
    database: Database,
) -> None:
    await _sofie(database, {"idea": "Één idee; één café à Liège", "name": "Zoë"})

    data = await _export(database, excel=True, language="fr")

    assert data.startswith(b"\xef\xbb\xbf") and not data.startswith(b"\xef\xbb\xbf" * 2)
    first_line = data[3:].split(b"\r\n")[0].decode("utf-8")
    assert first_line.startswith("Référence;Statut;Envoyé le;Langue;")
    assert data.count(b"\r\n") == 2
    (record,) = _records(data, excel=True)
    assert record["Votre idée"] == "Één idee; één café à Liège"
    assert record["Votre nom"] == "Zoë"


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("http://evil";"klik")', '\'=HYPERLINK("http://evil";"klik")'),
        ("+32 470 12 34 56", "'+32 470 12 34 56"),
        ("-5", "'-5"),
        ("@x", "'@x"),
        ("\tindented", "'\tindented"),
        ("\rcarriage", "'\rcarriage"),
        ("a = b + c - d @ e", "a = b + c - d @ e"),
        ("'quoted already", "'quoted already"),
        (" =1+1", " =1+1"),
    ],
)
async def test_formula_starts_are_neutralised_and_nothing_else_is_touched(
    database: Database, stored: str, shown: str
) -> None:
    await _sofie(database, {"idea": stored, "contact": stored})

    for excel in (False, True):
        (record,) = _records(await _export(database, language="en", excel=excel), excel=excel)
        assert record["Your idea"] == shown
        assert record["Contact details"] == shown


async def test_a_phone_number_contact_opens_as_text_not_a_number(database: Database) -> None:
    await _sofie(database, {**SOFIE, "contact": "+32470123456"})

    (record,) = _records(await _export(database, language="en"))

    assert record["Contact details"] == "'+32470123456"


TRICKY = [
    "line one\nline two\n\nline four",
    "windows\r\nline ends",
    'she said "yes", then "no"',
    "commas, everywhere, ,,",
    "semi; colons;; too;",
    "emoji 🚲🌍👩🏽‍🔧 and flags 🇧🇪",
    "עברית ومعها العربية mixed with Latin",
    '"',
    "''",
    "trailing space ",
    "\\back\\slash",
    "tab\tinside",
]


@pytest.mark.parametrize("excel", [False, True])
async def test_every_stored_answer_comes_back_exactly(database: Database, excel: bool) -> None:
    keys = [q.key for q in FLOW.questions if q.kind == "text"]
    answers = dict(zip(keys, TRICKY, strict=False))
    await _sofie(database, answers)

    (record,) = _records(await _export(database, language="en", excel=excel), excel=excel)

    for key, value in answers.items():
        question = FLOW.question(key)
        assert question is not None
        assert record[question.texts["en"].label] == value


async def test_an_empty_export_is_the_header_row_only(database: Database) -> None:
    data = await _export(database, language="en")

    (header,) = _table(data)
    assert header[0] == "Reference"
    assert data.endswith(b"Telegram ID\r\n")


async def test_drafts_come_only_when_asked(database: Database) -> None:
    async with database.sessions() as session:
        await draft(session, await pitcher(session), {"idea": "nog niet af"})
        await session.commit()

    assert _records(await _export(database)) == []
    (record,) = _records(await _export(database, include_drafts=True, language="en"))
    assert (record["Status"], record["Reference"], record["Submitted at"]) == ("draft", "", "")
    assert record["Your idea"] == "nog niet af"


async def test_filters_reach_the_file(database: Database) -> None:
    async with database.sessions() as session:
        owner = await pitcher(session)
        await sent(session, owner, NOW)
        await sent(session, owner, NOW + timedelta(days=10), status="supported")
        await session.commit()

    since = date(2026, 3, 20)
    (record,) = _records(await _export(database, since=since, language="en"))
    assert record["Reference"] == "P-2026-0002"
    assert _records(await _export(database, statuses=("referred",))) == []


async def test_a_file_is_written_whole_and_counted(database: Database, out: Path) -> None:
    await _sofie(database)
    target = out / "pitches.csv"

    count = await export_to_path(database, FLOW, ExportOptions(excel=True), target)

    assert count == 1
    assert len(_records(target.read_bytes(), excel=True)) == 1
    assert list(out.iterdir()) == [target]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600  # personal data: the owner only


async def test_a_failure_half_way_leaves_nothing_behind(
    database: Database, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _sofie(database)

    async def breaks_after_one_batch(
        *args: Any, **kwargs: Any
    ) -> AsyncGenerator[list[ExportRow], None]:
        async for batch in export_batches(*args, **kwargs):
            yield batch
        raise RuntimeError("database went away")

    monkeypatch.setattr(services.exporting, "export_batches", breaks_after_one_batch)
    target = out / "pitches.csv"
    target.write_text("the previous export\n")

    with pytest.raises(RuntimeError, match="went away"):
        await export_to_path(database, FLOW, ExportOptions(), target)

    assert list(out.iterdir()) == [target]
    assert target.read_text() == "the previous export\n"


async def test_short_writes_are_completed_not_lost(database: Database) -> None:
    """A stream may take part of a write (a pipe, a nearly full disk): the rest follows."""
    await _sofie(database)

    class Trickle(io.RawIOBase):
        def __init__(self) -> None:
            self.received = bytearray()

        def writable(self) -> bool:
            return True

        def write(self, data: Any) -> int:
            taken = bytes(data[:7])
            self.received += taken
            return len(taken)

    trickle = Trickle()
    await write_csv(database, FLOW, ExportOptions(), trickle)  # type: ignore[arg-type]

    assert bytes(trickle.received) == await _export(database)


async def test_a_full_disk_is_a_clear_error(database: Database) -> None:
    await _sofie(database)

    class Full(io.RawIOBase):
        def writable(self) -> bool:
            return True

        def write(self, data: Any) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(ExportError, match="cannot write: No space left on device") as raised:
        await write_csv(database, FLOW, ExportOptions(), Full())  # type: ignore[arg-type]

    assert raised.value.problem == "cannot_write"


async def test_a_missing_folder_is_a_clear_error(database: Database, out: Path) -> None:
    target = out / "nowhere" / "pitches.csv"

    with pytest.raises(ExportError, match="cannot write") as raised:
        await export_to_path(database, FLOW, ExportOptions(), target)

    assert raised.value.problem == "cannot_write"
    assert list(out.iterdir()) == []


async def test_a_directory_in_the_way_is_a_clear_error(database: Database, out: Path) -> None:
    (out / "pitches.csv").mkdir()

    with pytest.raises(ExportError, match="cannot write"):
        await export_to_path(database, FLOW, ExportOptions(), out / "pitches.csv")

    assert [p.name for p in out.iterdir()] == ["pitches.csv"]


async def test_a_zipped_export_holds_the_same_csv(database: Database, out: Path) -> None:
    await _sofie(database)
    target = out / "pitches.csv"
    await export_to_path(database, FLOW, ExportOptions(), target)

    archive = zip_file(target)

    assert archive == out / "pitches.zip"
    with zipfile.ZipFile(archive) as opened:
        (info,) = opened.infolist()
        assert (info.filename, info.compress_type) == ("pitches.csv", zipfile.ZIP_DEFLATED)
        assert opened.read("pitches.csv") == target.read_bytes()


def test_guard_changes_only_formula_starts() -> None:
    assert [guard(c) for c in ("", "=", "+", "-", "@", "\t", "\r", "a=", "P-1")] == [
        "",
        "'=",
        "'+",
        "'-",
        "'@",
        "'\t",
        "'\r",
        "a=",
        "P-1",
    ]


def test_the_file_name_says_the_day_and_whether_it_is_anonymous() -> None:
    today = date(2026, 11, 26)
    assert file_name(ExportOptions(), today) == "pitches-2026-11-26.csv"
    assert file_name(ExportOptions(anonymous=True), today) == "pitches-2026-11-26-anonymous.csv"
