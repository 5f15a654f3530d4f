"""What every command-line test starts from: none of the developer's pitchbot settings."""

from __future__ import annotations

import os

import pytest

from storage.database import Database


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch, database: Database, database_url: str) -> str:
    """No pitchbot setting from the environment, only the migrated test database's URL."""
    for name in list(os.environ):
        if name.startswith("PITCHBOT_") or name == "TELEGRAM_BOT_TOKEN":
            monkeypatch.delenv(name)
    monkeypatch.setenv("PITCHBOT_DATABASE_URL", database_url)
    return database_url
