"""Settings from the environment and `.env`, built once in the entry point and passed down."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.limits import TELEGRAM_PER_SECOND
from bot.logs import LEVELS, LogFormat
from dialogs.languages import DEFAULT as DEFAULT_LANGUAGE
from dialogs.languages import LANGUAGES, known
from storage.database import DEFAULT_URL as DEFAULT_DATABASE_URL
from storage.database import driver_problem, is_database_url

DEFAULT_API_URL = "https://api.telegram.org"

EXPECTED = {
    "telegram_bot_token": "the token @BotFather gave you (123456:ABC…)",
    "database_url": "a database URL such as sqlite+aiosqlite:///pitchbot.db or "
    "postgresql+asyncpg://user:password@host:5432/pitchbot",
    "telegram_api_url": "the Bot API's address, such as https://api.telegram.org",
    "default_language": f"one of {', '.join(LANGUAGES)}",
    "flow_file": "the path of a flow file (.toml)",
    "staff_ids": "comma-separated Telegram user ids",
    "staff_chat_id": "the staff group's chat id, a whole number (a group's is negative)",
    "card_retry_seconds": "a number of seconds above 0",
    "digest_hour": "an hour from 0 to 23 (Brussels time), or empty for no daily digest",
    "waiting_days": "a whole number of days, 1 or more",
    "organisation_contact": "free text: the organisation's name, e-mail, website",
    "privacy_contact": "free text: who is responsible for the data, and how to reach them",
    "reminder_after_hours": "a whole number of hours, 0 or more (0: no reminders)",
    "draft_retention_days": "a whole number of days, 1 or more",
    "closed_retention_days": "a whole number of days, 1 or more, or empty to keep closed pitches",
    "sends_per_second": "a number of messages per second above 0 (Telegram allows 30)",
    "webhook_url": "the public https address Telegram posts updates to, such as "
    "https://bot.example.org/telegram",
    "webhook_listen": "the address the webhook server listens on, such as 127.0.0.1 or 0.0.0.0",
    "webhook_port": "a port number from 1 to 65535",
    "webhook_secret": "1 to 256 characters of A-Z, a-z, 0-9, _ and -",
    # logging and errors
    "log_level": f"one of {', '.join(LEVELS)}",
    "log_format": "text or json",
}
"""What each setting takes, said to whoever set it wrong."""

WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
"""What Telegram allows as a webhook's secret token."""

RETRY_SECONDS = 60.0
"""How often, by default, the staff group's outbox is tried again while it is unreachable."""

SECRET = frozenset({"telegram_bot_token", "webhook_secret"})
"""Settings whose value is never repeated back."""


class Settings(BaseSettings):
    """Every setting pitchbot reads; `.env.example` documents each one."""

    model_config = SettingsConfigDict(
        env_prefix="PITCHBOT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    telegram_bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("TELEGRAM_BOT_TOKEN")
    )
    database_url: str = DEFAULT_DATABASE_URL
    telegram_api_url: str = DEFAULT_API_URL
    default_language: str = DEFAULT_LANGUAGE
    flow_file: Path | None = None
    staff_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    """Telegram user ids that are always staff (comma-separated in the environment)."""
    staff_chat_id: int | None = None
    """The staff group: new pitches arrive there, and its members are staff too."""
    card_retry_seconds: float = Field(default=RETRY_SECONDS, gt=0)
    """How often cards and pitchers' messages the staff group did not take are retried."""
    digest_hour: int | None = Field(default=9, ge=0, le=23)
    """The hour (Brussels time) of the staff group's daily digest; None: no digest."""
    waiting_days: int = Field(default=3, ge=1)
    """After this many days a pitch waiting for our answer is in the digest."""
    organisation_contact: str | None = None
    """Who the pitcher can reach (name, e-mail, website), on the PDF of their pitch under
    "what happens next"; None: that line is left out."""

    privacy_contact: str | None = None
    """Who is responsible for pitchers' data and how to reach them, in /privacy; None:
    PITCHBOT_ORGANISATION_CONTACT."""
    reminder_after_hours: int = Field(default=24, ge=0)
    """A draft untouched this long gets its one reminder (never at night); 0: none."""
    draft_retention_days: int = Field(default=60, ge=1)
    """A draft untouched this long is deleted (the person's sent pitches stay)."""
    closed_retention_days: int | None = Field(default=None, ge=1)
    """A pitcher whose pitches were all closed (and untouched) this long is erased as with
    /erase; None: closed pitches are kept."""

    sends_per_second: float = Field(default=TELEGRAM_PER_SECOND, gt=0)
    """Messages this process sends per second at most, over all chats. Telegram allows a
    bot 30: with several workers, give each its share (30 / workers)."""

    # webhook mode (`pitchbot run --webhook`)
    webhook_url: str | None = None
    """Where Telegram posts updates (behind a reverse proxy); its path is the one served."""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    webhook_secret: SecretStr | None = None
    """Telegram sends it with every update; a request without it is refused."""

    @field_validator("webhook_url", "webhook_secret", mode="before")
    @classmethod
    def _blank_webhook_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_address(cls, value: str | None) -> str | None:
        if value is not None and urlsplit(value).scheme not in ("https", "http"):
            raise ValueError("not an http(s) address")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not WEBHOOK_SECRET.fullmatch(value.get_secret_value()):
            raise ValueError("not 1 to 256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    # logging and errors
    log_level: str = "INFO"
    """The least serious log lines shown (DEBUG … CRITICAL)."""
    log_format: LogFormat = "text"
    """``text``: readable lines; ``json``: one JSON object per line, for a log collector."""

    @field_validator("telegram_bot_token", mode="before")
    @classmethod
    def _blank_token_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("flow_file", "organisation_contact", "privacy_contact", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("staff_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.replace(";", ",").split(",")]
            return frozenset(int(part) for part in parts if part)
        return value

    @field_validator("staff_chat_id", "digest_hour", "closed_retention_days", mode="before")
    @classmethod
    def _blank_chat_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("database_url", mode="before")
    @classmethod
    def _readable_url(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return DEFAULT_DATABASE_URL
        if isinstance(value, str) and not is_database_url(value):
            raise ValueError("not a database URL")
        problem = driver_problem(value) if isinstance(value, str) else None
        if problem is not None:
            raise ValueError(problem)
        return value

    @field_validator("default_language")
    @classmethod
    def _spoken(cls, value: str) -> str:
        if not known(value):
            raise ValueError(f"not one of {', '.join(LANGUAGES)}")
        return value

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _blank_is_default(cls, value: object, info: ValidationInfo) -> object:
        if not isinstance(value, str):
            return value
        if not value.strip():
            return cls.model_fields[info.field_name or ""].default
        return value.strip().upper() if info.field_name == "log_level" else value.strip().lower()

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        if value not in LEVELS:
            raise ValueError(f"not one of {', '.join(LEVELS)}")
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @staticmethod
    def problems(error: ValidationError) -> list[str]:
        """One line per wrong setting, naming its environment variable and what it takes:
        ``PITCHBOT_STAFF_IDS: expected comma-separated Telegram user ids, got "abc"``."""
        lines = []
        for problem in error.errors():
            field = str(problem["loc"][0]) if problem["loc"] else ""
            name = (
                "TELEGRAM_BOT_TOKEN"
                if field == "telegram_bot_token"
                else f"PITCHBOT_{field.upper()}"
            )
            expected = EXPECTED.get(field, problem["msg"])
            got = "" if field in SECRET else f", got {str(problem.get('input'))!r}"
            lines.append(f"{name}: expected {expected}{got}")
        return lines

    @property
    def api_base_url(self) -> str:
        """PTB's base_url: the bot appends `<token>/<method>`."""
        return f"{self.telegram_api_url}/bot"

    @property
    def file_base_url(self) -> str:
        return f"{self.telegram_api_url}/file/bot"

    @property
    def webhook_path(self) -> str:
        """The path the webhook server answers updates on: the webhook URL's own."""
        return urlsplit(self.webhook_url or "").path or "/"
