"""One bot process per SQLite file; server databases are shared by design."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.lock import AnotherProcess, one_process_per_file


def test_a_second_process_on_the_same_sqlite_file_is_refused(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'pitchbot.db'}"
    with one_process_per_file(url):
        with pytest.raises(AnotherProcess, match="SQLite is one process only"):
            with one_process_per_file(url):
                pass
    with one_process_per_file(url):  # released when the first one ended
        pass


def test_another_sqlite_file_and_a_server_database_are_not_in_the_way(tmp_path: Path) -> None:
    server = "postgresql+asyncpg://pitchbot@localhost/pitchbot"
    with one_process_per_file(f"sqlite+aiosqlite:///{tmp_path / 'a.db'}"):
        with one_process_per_file(f"sqlite+aiosqlite:///{tmp_path / 'b.db'}"):
            with one_process_per_file(server), one_process_per_file(server):
                pass
