"""Is this worker fit to take updates? The database answers and its schema is current."""

from __future__ import annotations

from dataclasses import dataclass

from storage.database import Database
from storage.health import DatabaseProblem, schema

TIMEOUT_SECONDS = 5.0
"""A health check that hangs is a failed one: a proxy or orchestrator must hear soon."""


@dataclass(frozen=True)
class Health:
    database: str
    """"ok" or "unreachable" (in time)."""
    schema: str
    """"at head", "behind", or "unknown" when the database did not answer."""

    @property
    def ok(self) -> bool:
        return self.database == "ok" and self.schema == "at head"


async def health(database: Database, timeout: float = TIMEOUT_SECONDS) -> Health:
    """Only the verdict: the endpoint may be public, so no driver's words go out."""
    try:
        state = await schema(database, timeout)
    except DatabaseProblem:
        return Health("unreachable", "unknown")
    return Health("ok", "at head" if state.at_head else "behind")
