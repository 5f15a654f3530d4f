"""Logging set-up: readable lines, quiet HTTP clients, and the bot token never printed."""

from __future__ import annotations

import logging

QUIET_LOGGERS = ("httpx", "httpcore", "apscheduler", "aiosqlite", "alembic.runtime.migration")
"""httpx logs every request URL at INFO, and a Bot API URL contains the token."""


class RedactingFormatter(logging.Formatter):
    """Replaces secrets in the finished line, tracebacks included."""

    def __init__(self, fmt: str, secrets: tuple[str, ...]) -> None:
        super().__init__(fmt)
        self.secrets = tuple(s for s in secrets if s)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        for secret in self.secrets:
            line = line.replace(secret, "[redacted]")
        return line


def setup_logging(*secrets: str, quiet: bool = False) -> None:
    """INFO for a running bot; warnings only when a person chats in the terminal."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets)
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING if quiet else logging.INFO)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
