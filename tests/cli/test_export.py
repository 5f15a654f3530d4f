"""`pitchbot export` as an operator runs it: to a file or a pipe, plain errors, exit 2."""

from __future__ import annotations

import asyncio
import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

from cli.main import main
from storage.database import Database
from tests.storage.staff_helpers import NOW, draft, pitcher, sent


@pytest.fixture
def workdir(settings_env: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """An empty folder to work in (no .env), the settings pointing at the test database."""
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


async def _pitches(database: Database, count: int) -> None:
    async with database.sessions() as session:
        owner = await pitcher(session)
        for _ in range(count):
            await sent(session, owner, NOW, {"idea": "Soep, met brood", "contact": "+32470123456"})
        await session.commit()


async def _pitchbot(*args: str) -> int:
    """Run the command the way a shell would: its own event loop, here in a thread."""
    return await asyncio.to_thread(main, ["export", *args])


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


async def test_export_to_standard_output_keeps_messages_on_stderr(
    database: Database, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await _pitches(database, 3)

    assert await _pitchbot("--language", "en") == 0

    captured = capsys.readouterr()
    header, *rows = _rows(captured.out)
    assert header[:3] == ["Reference", "Status", "Submitted at"]
    assert [row[0] for row in rows] == ["P-2026-0001", "P-2026-0002", "P-2026-0003"]
    assert rows[0][header.index("Contact details")] == "'+32470123456"
    assert captured.err.strip() == "3 pitches exported to standard output"


async def test_export_to_a_file_says_how_many_and_where(
    database: Database, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await _pitches(database, 2)

    assert await _pitchbot("--excel", "--anonymous", "--status", "NEW", "-o", "out.csv") == 0

    data = (workdir / "out.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbfReferentie;Status;")
    assert b"+32470123456" not in data and b"1001" not in data
    assert capsys.readouterr().out.strip() == "2 pitches exported to out.csv"
    assert [p.name for p in workdir.iterdir()] == ["out.csv"]


async def test_filters_on_the_command_line(
    database: Database, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await _pitches(database, 1)

    assert await _pitchbot("--since", "2026-03-15", "-o", "-") == 0
    assert len(_rows(capsys.readouterr().out)) == 1  # the header only
    assert await _pitchbot("--until", "2026-03-14", "--status", "new", "--status", "archived") == 0
    captured = capsys.readouterr()
    assert len(_rows(captured.out)) == 2
    assert captured.err.strip() == "1 pitch exported to standard output"


async def test_drafts_on_the_command_line(
    database: Database, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with database.sessions() as session:
        await draft(session, await pitcher(session))
        await session.commit()

    assert await _pitchbot() == 0
    assert "0 pitches" in capsys.readouterr().err
    assert await _pitchbot("--include-drafts") == 0
    assert "1 pitch exported" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "2026-13-01"], "'2026-13-01' is not a date: use YYYY-MM-DD"),
        (["--until", "26/11/2026"], "'26/11/2026' is not a date"),
        (["--status", "nieuw"], "unknown status 'nieuw'"),
        (["--status", "draft"], "drafts come with the drafts option"),
        (["--since", "2026-11-02", "--until", "2026-11-01"], "until 2026-11-01 is before since"),
        (["-o", "missing/out.csv"], "cannot write missing/out.csv"),
        (["-o", "."], "cannot write ."),
    ],
)
async def test_mistakes_get_one_clear_line_exit_code_2_and_no_file(
    database: Database,
    workdir: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    await _pitches(database, 1)

    assert await _pitchbot(*args) == 2

    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err
    assert captured.err.startswith("pitchbot: ")
    assert "Traceback" not in captured.err
    assert list(workdir.iterdir()) == []


async def test_a_reader_that_stops_early_ends_the_export_quietly(
    database: Database, workdir: Path
) -> None:
    """`pitchbot export | head`: no traceback and no complaint about a broken pipe."""
    async with database.sessions() as session:
        owner = await pitcher(session)
        for _ in range(100):  # 2 MB: much more than a pipe holds
            await sent(session, owner, NOW, {"idea": "Een lang idee. " * 1400})
        await session.commit()

    def read_a_little() -> tuple[int, str]:
        process = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "export"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=workdir,
        )
        assert process.stdout is not None and process.stderr is not None
        assert process.stdout.read(100).startswith(b"Referentie,")
        process.stdout.close()
        with process.stderr:
            errors = process.stderr.read().decode()
        return process.wait(timeout=60), errors

    code, errors = await asyncio.to_thread(read_a_little)

    assert (code, errors) == (1, "")
