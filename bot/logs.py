"""Logging set-up: readable lines or JSON, quiet HTTP clients, the bot token never printed.

Log calls name people and pitches by id only (``extra=ids(chat_id=…, reference=…)``),
never by what they wrote or what they are called: the JSON format shows those ids as
fields of their own.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Literal

QUIET_LOGGERS = ("httpx", "httpcore", "apscheduler", "aiosqlite", "alembic.runtime.migration")
"""httpx logs every request URL at INFO, and a Bot API URL contains the token."""

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LogFormat = Literal["text", "json"]
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
IDS = ("update_id", "chat_id", "user_id", "reference")
"""What a log line may say about whom: ids, never names or what people wrote."""
REDACTED = "[redacted]"


def ids(
    *,
    update_id: int | None = None,
    chat_id: int | None = None,
    user_id: int | None = None,
    reference: str | None = None,
) -> dict[str, object]:
    """The ``extra`` of a log call: the ids that are known (JSON lines show each)."""
    known = {"update_id": update_id, "chat_id": chat_id, "user_id": user_id}
    return {k: v for k, v in (known | {"reference": reference}).items() if v is not None}


def secrets_of(token: str | None) -> tuple[str, ...]:
    """What must never be printed of a bot token: all of it, and its secret half alone
    (the part before the colon is the bot's public id)."""
    if not token:
        return ()
    secret = token.partition(":")[2]
    return (token, secret) if len(secret) >= 8 else (token,)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (ISO 8601, UTC), level, logger, event, the ids the
    log call gave, and exc (the formatted traceback) when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC)
        line: dict[str, object] = {
            "time": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "event": record.getMessage(),
        }
        for name in IDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class RedactingFormatter(logging.Formatter):
    """Replaces secrets in the finished line of ``inner`` (text or JSON), tracebacks
    included: the one place where secrets are taken out of the log."""

    def __init__(self, inner: logging.Formatter, secrets: tuple[str, ...]) -> None:
        super().__init__()
        self.inner = inner
        spelled = {s for s in secrets if s} | {
            json.dumps(s, ensure_ascii=False)[1:-1] for s in secrets if s
        }
        self.secrets = tuple(sorted(spelled, key=len, reverse=True))  # whole token first

    def format(self, record: logging.LogRecord) -> str:
        line = self.inner.format(record)
        for secret in self.secrets:
            line = line.replace(secret, REDACTED)
        return line


def formatter(form: LogFormat, secrets: tuple[str, ...]) -> RedactingFormatter:
    inner = JsonFormatter() if form == "json" else logging.Formatter(TEXT_FORMAT)
    return RedactingFormatter(inner, secrets)


def setup_logging(
    *secrets: str, level: str = "INFO", form: LogFormat = "text", quiet: bool = False
) -> None:
    """``level`` for a running bot (INFO unless configured); warnings and worse only when
    a person chats in the terminal (``quiet``)."""
    handler = logging.StreamHandler()
    handler.setFormatter(formatter(form, secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    shown = logging.getLevelNamesMapping()[level]
    root.setLevel(max(shown, logging.WARNING) if quiet else shown)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
