"""Is this worker fit to take updates? The database answers and its schema is current."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from storage.database import Database
from storage.migrate import pending

TIMEOUT_SECONDS = 5.0
"""A health check that hangs is a failed one: a proxy or orchestrator must hear soon."""


@dataclass(frozen=True)
class Health:
    database: str
    """"ok", or what went wrong (no personal data: an error's kind)."""
    schema: str
    """"at head", "behind", or "unknown" when the database did not answer."""

    @property
    def ok(self) -> bool:
        return self.database == "ok" and self.schema == "at head"


async def health(database: Database, timeout: float = TIMEOUT_SECONDS) -> Health:
    try:
        behind = await asyncio.wait_for(pending(database), timeout)
    except TimeoutError:
        return Health(f"no answer within {timeout:g} s", "unknown")
    except Exception as error:  # noqa: BLE001 - any failure to ask is "unreachable"
        return Health(f"unreachable ({type(error).__name__})", "unknown")
    return Health("ok", "behind" if behind else "at head")
